//! The option sets of `tests/data/config/` (`section TAB option TAB value`, one setting per
//! line) turned back into configuration text. `node-agent`'s tests include this file too
//! (`#[path]`), to run `ptp-agent --check` on the same data.
// A malformed line in the test data is a broken test, reported at once; `pub` is for the
// crates that include this file.
#![allow(clippy::panic, unreachable_pub)]

/// Rebuilds configuration text from an option set. A `table_id` line in a
/// `unicast_master_table` section starts a new section, as each table has its own.
pub fn rebuild(list: &str) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut f = line.splitn(3, '\t');
        let (Some(section), Some(key), Some(value)) = (f.next(), f.next(), f.next()) else {
            panic!("not `section TAB option TAB value`: {line:?}");
        };
        let new_table = section == "unicast_master_table" && key == "table_id";
        if current != Some(section) || new_table {
            out.push_str(&format!("[{section}]\n"));
            current = Some(section);
        }
        out.push_str(&format!("{key} {value}\n"));
    }
    out
}

/// The names of the option sets in `dir` (file names without `.options`), sorted.
pub fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.strip_suffix(".options")?;
            Some(name.to_owned())
        })
        .collect();
    names.sort();
    names
}
