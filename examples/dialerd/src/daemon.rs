//! The daemon: one task per connection, each following the schedule, retrying failed dials
//! with backoff, and reporting every attempt to a log.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};

use crate::config::{Config, Connection};
use crate::schedule::Schedule;
use crate::session::{self, ActionReport, AttemptOutcome};

/// Something to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// One dial and login.
    Attempt {
        /// The connection's name.
        connection: String,
        /// The attempt within this scheduled run (1-based).
        attempt: u32,
        /// How it ended.
        outcome: AttemptOutcome,
        /// When it started, since the daemon started (tokio's clock).
        started: Duration,
        /// How long it took.
        duration: Duration,
        /// When the next dial of this run follows, after a failure that is retried.
        retry_in: Option<Duration>,
    },
    /// A post-connect action.
    Action {
        /// The connection's name.
        connection: String,
        /// What ran.
        report: ActionReport,
    },
}

impl Record {
    /// The record as one log line (`key=value` pairs), without the time stamp. Nothing in a
    /// record can hold the password: outcomes carry modem result codes, I/O errors and the
    /// mail host's reply codes, never the bytes the script sent.
    pub fn line(&self) -> String {
        match self {
            Record::Attempt {
                connection,
                attempt,
                outcome,
                duration,
                retry_in,
                ..
            } => {
                let mut s = format!(
                    "connection={connection} attempt={attempt} outcome={} duration={:.3}s",
                    outcome.word(),
                    duration.as_secs_f64()
                );
                if let Some(r) = retry_in {
                    s.push_str(&format!(" retry_in={}s", r.as_secs()));
                }
                if let Some(d) = outcome.detail() {
                    s.push_str(&format!(" detail={d:?}"));
                }
                s
            }
            Record::Action { connection, report } => format!(
                "connection={connection} action={} outcome={} duration={:.3}s detail={:?}",
                report.action,
                if report.ok { "ok" } else { "failed" },
                report.duration.as_secs_f64(),
                report.detail
            ),
        }
    }
}

/// Where records go. The binary prints them; tests collect them.
pub type Log = Arc<dyn Fn(&Record) + Send + Sync>;

/// Whether connections follow the schedule or run once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Follow the schedule until shut down.
    Daemon,
    /// One scheduled run (with its retries) per connection, now.
    Once,
}

/// How [`run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Every connection ran once (`Mode::Once`); `true` if all of them logged in and their
    /// actions succeeded.
    Ran(bool),
    /// The shutdown future completed; every attempt in progress was dropped.
    Stopped,
}

/// Runs the daemon until `shutdown` completes (or, in `Mode::Once`, until every connection
/// ran). On shutdown every connection task is aborted and awaited, so when this returns
/// every port is closed and every lock removed.
pub async fn run(
    config: Arc<Config>,
    mode: Mode,
    log: Log,
    shutdown: impl Future<Output = ()>,
) -> Finished {
    let origin = Instant::now();
    let mut tasks = JoinSet::new();
    for conn in &config.connections {
        let (config, conn, log) = (config.clone(), conn.clone(), log.clone());
        tasks.spawn(connection_task(config, conn, mode, log, origin));
    }
    let all = async {
        let mut ok = true;
        while let Some(r) = tasks.join_next().await {
            ok &= r.unwrap_or(false);
        }
        ok
    };
    let finished = tokio::select! {
        ok = all => return Finished::Ran(ok),
        () = shutdown => Finished::Stopped,
    };
    tasks.shutdown().await;
    finished
}

/// One connection: wait for the schedule, run, repeat. Returns (in `Mode::Once`) whether the
/// run logged in.
async fn connection_task(
    config: Arc<Config>,
    conn: Arc<Connection>,
    mode: Mode,
    log: Log,
    origin: Instant,
) -> bool {
    // Dials since start-up, across runs: the simulated ISP's faults_per_attempt counts them.
    let mut dials = 0;
    if mode == Mode::Once {
        return scheduled_run(&config, &conn, &mut dials, &log, origin).await;
    }
    match &config.schedule {
        Schedule::Every(period) => {
            let mut ticks = tokio::time::interval(*period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                scheduled_run(&config, &conn, &mut dials, &log, origin).await;
            }
        }
        Schedule::At(times) => loop {
            tokio::time::sleep(Schedule::until_next(times, &jiff::ZonedDateTime::now())).await;
            scheduled_run(&config, &conn, &mut dials, &log, origin).await;
        },
    }
}

/// One scheduled run: dial until a login, a failure that retrying cannot help, or the last
/// attempt; then the post-connect actions.
async fn scheduled_run(
    config: &Config,
    conn: &Connection,
    dials: &mut u32,
    log: &Log,
    origin: Instant,
) -> bool {
    let retry = config.retry;
    for attempt in 1..=retry.attempts {
        *dials += 1;
        let start = Instant::now();
        let result = session::attempt(config, conn, *dials).await;
        let outcome = match &result {
            Ok(_) => AttemptOutcome::Completed,
            Err(failed) => failed.clone(),
        };
        let retry_in =
            (outcome.retryable() && attempt < retry.attempts).then(|| retry.backoff(attempt));
        log(&Record::Attempt {
            connection: conn.name.clone(),
            attempt,
            outcome,
            started: start.duration_since(origin),
            duration: start.elapsed(),
            retry_in,
        });
        match (result, retry_in) {
            (Ok(mut line), _) => {
                let reports = session::after_login(conn, &mut line).await;
                // Hang up before logging, so the log never shows the line held after the end.
                drop(line);
                let ok = reports.iter().all(|r| r.ok);
                for report in reports {
                    log(&Record::Action {
                        connection: conn.name.clone(),
                        report,
                    });
                }
                return ok;
            }
            // The failed attempt's line is already released: the wait holds no port.
            (Err(_), Some(wait)) => tokio::time::sleep(wait).await,
            (Err(_), None) => return false,
        }
    }
    false
}
