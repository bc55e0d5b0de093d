//! `log4j-scan`: the native front end. A thin shell over `scanner-core`.
//!
//! Subcommands are picked by the first argument: `payload` and `logs` go to
//! the lookup-payload detector; anything else is a list of paths to scan.
use std::process::ExitCode;

mod logs;
mod payload;
mod scan;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("--version" | "-V") => {
            println!("log4j-scan {}", env!("CARGO_PKG_VERSION"));
            0
        }
        Some("payload") => payload::main(&args[1..]),
        Some("logs") => logs::main(&args[1..]),
        _ => scan::main(&args),
    };
    ExitCode::from(code)
}
