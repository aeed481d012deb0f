//! The `bangtin` command line: the arguments of every subcommand, each beside its `run`, and
//! the exit codes. Subcommands parse, call the library crates and print; the work itself is
//! in `bangtin-board` (the board), `bangtin-staff` (officers' operations) and
//! `bangtin-render` (pictures).
//!
//! Exit codes (docs/protocol.md): 0 success, 1 runtime failure, 2 bad input (content, config,
//! arguments). Every problem with an input is printed, not just the first.

mod alert;
mod broker_config;
mod check;
mod collect;
mod command;
#[cfg(feature = "console")]
mod console;
#[cfg(feature = "demo")]
mod demo;
mod fleet;
mod keygen;
mod publish;
mod render;
mod report;
mod run;

use bangtin_protocol::content::Timestamp;
use bangtin_staff::i18n::Lang;
use bangtin_staff::{BrokerSpec, Msg, Signer};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "bangtin",
    version,
    about = "Runtime of Vietnam's public electronic bulletin boards (bảng tin điện tử công cộng)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Run the board: listen to the broker, show the programme in a window (or headless).
    Run(run::RunArgs),
    /// A whole board with zero set-up: embedded broker, demo keys, sample content, a drill.
    #[cfg(feature = "demo")]
    Demo(demo::DemoArgs),
    /// Render one item of a channel or an alert to a PNG, exactly as a board lays it out.
    Render(render::RenderArgs),
    /// Validate a content file or a board config and print every problem found.
    Check(check::CheckArgs),
    /// Make a signing key pair for staff: NAME.key (secret) and NAME.pub (for boards' config).
    Keygen(keygen::KeygenArgs),
    /// Publish an announcement or channel (Markdown, TOML or JSON) to boards, signed, and
    /// report which boards received it.
    Publish(publish::PublishArgs),
    /// Send an emergency alert (or a drill, an update, a cancel) and follow it to the screens.
    Alert(Box<alert::AlertArgs>),
    /// The boards: online or not, what they show, their alerts, clock and errors.
    Fleet(fleet::FleetArgs),
    /// Fetch a board's screen as a PNG.
    Screenshot(command::ScreenshotArgs),
    /// Send a command to a board: identify, reload, set-brightness.
    Command(command::CommandArgs),
    /// Collect the boards' proof of play into a file (runs until stopped).
    Collect(collect::CollectArgs),
    /// Proof of play per item and board over a period, as CSV.
    Report(report::ReportArgs),
    /// Write a province's Mosquitto brokers: accounts, ACLs, bridges, boards' [broker].
    BrokerConfig(broker_config::BrokerConfigArgs),
    /// The staff web console (compose, exact preview, approval, fleet); `console user …`
    /// manages its accounts.
    #[cfg(feature = "console")]
    Console(console::ConsoleArgs),
}

/// How a subcommand failed; decides the exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: every problem, already in words for the user. Exit 2.
    BadInput(Vec<String>),
    /// Anything else (GPU, file system, network). Exit 1.
    Runtime(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Runtime(e)
    }
}

impl From<bangtin_staff::Error> for Failure {
    fn from(e: bangtin_staff::Error) -> Self {
        match e {
            bangtin_staff::Error::Input(problems) => Failure::BadInput(problems),
            bangtin_staff::Error::Failed(e) => Failure::Runtime(anyhow::anyhow!(e)),
        }
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Commands::Run(args) => run::run(args),
        #[cfg(feature = "demo")]
        Commands::Demo(args) => demo::run(args),
        Commands::Render(args) => render::run(args),
        Commands::Check(args) => check::run(args),
        Commands::Keygen(args) => keygen::run(args),
        Commands::Publish(args) => publish::run(args),
        Commands::Alert(args) => alert::run(args),
        Commands::Fleet(args) => fleet::run(args),
        Commands::Screenshot(args) => command::screenshot(args),
        Commands::Command(args) => command::run(args),
        Commands::Collect(args) => collect::run(args),
        Commands::Report(args) => report::run(args),
        Commands::BrokerConfig(args) => broker_config::run(args),
        #[cfg(feature = "console")]
        Commands::Console(args) => console::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(problems)) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            eprintln!(
                "{} problem{} found; nothing was rendered or sent.",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            ExitCode::from(2)
        }
        Err(Failure::Runtime(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// `WIDTHxHEIGHT`, each 16..=7680.
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("expected WIDTHxHEIGHT such as 1920x1080, got {s:?}"))?;
    let parse = |v: &str| -> Result<u32, String> {
        match v.trim().parse::<u32>() {
            Ok(n) if (16..=7680).contains(&n) => Ok(n),
            _ => Err(format!("width and height must be 16..=7680, got {s:?}")),
        }
    };
    Ok((parse(w)?, parse(h)?))
}

/// An RFC 3339 time.
pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map_err(|_| format!("expected an RFC 3339 time like 2026-11-24T08:00:00+07:00, got {s:?}"))
}

/// Where the boards' broker is, and how to talk to the officer.
#[derive(Debug, Clone, clap::Args)]
pub struct BrokerArgs {
    /// The broker, mqtt://host:port, or mqtts://host:port for TLS (staff passwords then never
    /// travel in clear).
    #[arg(long, env = "BANGTIN_BROKER", default_value = "mqtt://127.0.0.1:1883")]
    pub broker: String,
    #[arg(long, env = "BANGTIN_USERNAME")]
    pub username: Option<String>,
    #[arg(long, env = "BANGTIN_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// The CA certificate of an mqtts:// broker (PEM; default: the system's CA bundle).
    #[arg(long, env = "BANGTIN_CA_FILE", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// The boards' topic prefix.
    #[arg(long, env = "BANGTIN_PREFIX", default_value = "bangtin/v1")]
    pub prefix: String,
    /// Language of the messages: vi or en (default: vi when the locale is Vietnamese).
    #[arg(long, value_parser = Lang::parse)]
    pub lang: Option<Lang>,
}

impl BrokerArgs {
    pub fn lang(&self) -> Lang {
        self.lang.unwrap_or_else(Lang::from_env)
    }

    pub fn spec(&self) -> Result<BrokerSpec, Failure> {
        let mut spec = BrokerSpec::new(&self.broker, &self.prefix)?;
        spec.username = self.username.clone();
        spec.password = self.password.clone();
        spec.ca_file = self.ca_file.clone();
        Ok(spec)
    }

    /// Prints one progress message in the officer's language.
    pub fn say(&self, msg: &Msg) {
        println!("{}", msg.text(self.lang()));
    }
}

/// The officer's signing key.
#[derive(Debug, Clone, clap::Args)]
pub struct SignerArgs {
    /// The signing key (NAME.key from `bangtin keygen`); its id is NAME unless --key-id.
    #[arg(long, env = "BANGTIN_KEY", value_name = "NAME.key")]
    pub key: PathBuf,
    /// Key id as boards know it in their [[trust]] entry.
    #[arg(long, value_name = "ID")]
    pub key_id: Option<String>,
}

impl SignerArgs {
    pub fn load(&self) -> Result<Signer, Failure> {
        Ok(Signer::load(&self.key, self.key_id.as_deref())?)
    }
}

/// Runs one staff operation on a runtime of its own.
pub fn block_on<T>(
    f: impl std::future::Future<Output = Result<T, bangtin_staff::Error>>,
) -> Result<T, Failure> {
    Ok(bangtin_staff::runtime()?.block_on(f)?)
}

/// Writes a PNG atomically (readers never see half a file).
pub fn write_file(out: &std::path::Path, bytes: &[u8]) -> Result<(), Failure> {
    bangtin_store::write_atomically(out, bytes)
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("writing {}: {e}", out.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_are_bounded() {
        assert_eq!(parse_size("1920x1080"), Ok((1920, 1080)));
        assert_eq!(parse_size("128X64"), Ok((128, 64)));
        assert!(parse_size("0x10").is_err());
        assert!(parse_size("1920").is_err());
        assert!(parse_size("99999x10").is_err());
    }
}
