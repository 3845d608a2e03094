//! `ptpctl`: linuxptp's `pmc` over the agent's local management socket.

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    node_agent::ctl::run(&args)
}
