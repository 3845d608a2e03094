//! `ptpctl`, the drop-in for linuxptp's `pmc` management client, over the agent's local
//! management socket (`pmc -u`): the same options, command language, output and exit status.
//!
//! - [`cli`]: the options.
//! - [`command`]: one command line (`GET CURRENT_DATA_SET`, `SET PRIORITY2 99`, …) parsed as
//!   pmc 3.1.1 parses it.
//! - [`client`]: the datagram exchange with the agent.
//! - [`render`]: pmc's text for each answer.
//!
//! Network transports (`-2`, `-4`, `-6`) are not supported.

pub mod cli;
pub mod client;
pub mod command;
pub mod render;

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "\
usage: ptpctl [options] [commands]

 Transport (local socket only; -2, -4 and -6 are not supported)

 -u        UDS local (the default and only transport)

 Other Options

 -b [num]  boundary hops, default 1
 -d [num]  domain number, default 0
 -f [file] read configuration from 'file'
 -h        prints this message and exits
 -i [path] own socket path, default '/var/run/pmc.$pid'
 -s [path] server address for UDS, default '/var/run/ptp4l'
 -t [hex]  transport specific field, default 0x0
 -v        prints the software version and exits
 -z        send zero length TLV values with the GET actions

";

/// The `ptpctl` program on `args` (without the program name): pmc's exit status, 0 unless
/// the options are bad or the socket cannot be opened.
pub fn run(args: &[String]) -> ExitCode {
    let options = match cli::parse(args) {
        Ok(cli::Invocation::Run(o)) => o,
        Ok(cli::Invocation::Help) => {
            eprint!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(cli::Invocation::Version) => {
            println!("{}", crate::VERSION);
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("ptpctl: {e}");
            eprint!("{USAGE}");
            return ExitCode::from(255);
        }
    };
    let mut client = match client::Client::open(options) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ptpctl: failed to open the local socket: {e}");
            eprintln!("failed to create pmc");
            return ExitCode::from(255);
        }
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let result = client.run(&mut stdin.lock(), &mut stdout.lock(), &mut stderr.lock());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "ptpctl: {e}");
            ExitCode::from(255)
        }
    }
}
