//! bangtin's whole-process harnesses, one binary: the board's end-to-end targets, the fleet
//! of simulated boards on real brokers, and the torture run. Each prints its figures; the
//! targets and how they are judged are in bench/REPORT.md. `cargo bench` is for the
//! criterion benchmarks; these run as
//!
//! ```text
//! cargo build --release && cargo run --release -p bangtin-bench -- HARNESS [options]
//! ```
//!
//! - `board [takeover|coldstart|ticker|rss|soak] [--alerts N] [--active K,...] [--runs N]
//!   [--seconds S] [--hours H] [--step S]`
//! - `alerts [--rounds N] [--boards N]`
//! - `console [--rounds N]`
//! - `fleet [--boards N,N,...]`
//! - `ingest [--runs N]`
//! - `report [--boards N] [--loads N]`
//! - `torture [--rounds N]`
//! - `video [switches|steady] [--seconds S]`

mod alerts;
mod board;
mod console;
mod fleet;
mod ingest;
mod report;
mod torture;
mod video;

fn main() -> std::process::ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn,rumqttd=off"))
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("alerts") => alerts::main(rest),
        Some("board") => board::main(rest),
        Some("console") => console::main(rest),
        Some("fleet") => fleet::main(rest),
        Some("ingest") => ingest::main(rest),
        Some("report") => report::main(rest),
        Some("torture") => torture::main(rest),
        Some("video") => video::main(rest),
        _ => {
            eprintln!(
                "usage: bangtin-bench alerts|board|console|fleet|ingest|report|torture|video [options] (see the source's docs)"
            );
            return std::process::ExitCode::from(2);
        }
    }
    std::process::ExitCode::SUCCESS
}
