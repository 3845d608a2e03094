//! Prints the CustomResourceDefinitions of `ptp.openshift.io/v1` as YAML.
//!
//! `cargo run -p operator --bin crdgen` prints them all as one multi-document stream;
//! `cargo run -p operator --bin crdgen -- --write deploy/crds` writes one file per CRD
//! (`deploy/crds/<plural>.yaml`), which is how the committed files are made.

use std::path::PathBuf;

use anyhow::Context as _;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => {
            for (_, text) in operator::crd::yaml_files()? {
                print!("---\n{text}");
            }
            Ok(())
        }
        (Some("--write"), Some(dir)) => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for (file, text) in operator::crd::yaml_files()? {
                let path = dir.join(file);
                std::fs::write(&path, text)
                    .with_context(|| format!("writing {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
        _ => anyhow::bail!("usage: crdgen [--write <dir>]"),
    }
}
