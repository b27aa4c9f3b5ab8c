//! `dialerd CONFIG [--once]`: see README.md beside this crate.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use dialerd::{Config, Finished, Log, Mode};
use tokio::signal::unix::{SignalKind, signal};

const USAGE: &str = "usage: dialerd CONFIG.toml [--once]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut config_path = None;
    let mut mode = Mode::Daemon;
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--once") => mode = Mode::Once,
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ if config_path.is_none() => config_path = Some(PathBuf::from(arg)),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(config_path) = config_path else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let config = match Config::load(&config_path) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("dialerd: {e}");
            return ExitCode::from(2);
        }
    };
    // Install the handlers before the first dial, so that a SIGTERM at any moment takes the
    // clean path.
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(t), Ok(i)) => (t, i),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("dialerd: cannot catch signals: {e}");
            return ExitCode::from(2);
        }
    };
    let shutdown = async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        eprintln!("dialerd: {name}: stopping");
    };
    let log: Log = Arc::new(|record| {
        let now = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now());
        println!("{now} {}", record.line());
    });
    match dialerd::run(config, mode, log, shutdown).await {
        Finished::Ran(true) | Finished::Stopped => ExitCode::SUCCESS,
        Finished::Ran(false) => ExitCode::FAILURE,
    }
}
