//! `bangtin screenshot` and `bangtin command`: signed commands to one board.

use super::{write_file, BrokerArgs, Failure, SignerArgs};
use bangtin_staff::command;
use bangtin_staff::i18n::Msg;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct ScreenshotArgs {
    /// The board's id.
    pub board: String,
    /// Where to write the PNG.
    #[arg(long, value_name = "FILE.png")]
    pub out: PathBuf,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// Seconds to wait for the board.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CommandAction {
    /// Show the board's id and area on its screen (30 s unless --seconds).
    Identify,
    /// Read the board's config file again.
    Reload,
    /// Set the screen's brightness (--percent 5..=100, or "auto" for the schedule).
    SetBrightness,
}

#[derive(Debug, clap::Args)]
pub struct CommandArgs {
    /// The board's id.
    pub board: String,
    pub action: CommandAction,
    /// set-brightness: 5..=100, or auto (back to the configured schedule).
    #[arg(long)]
    pub percent: Option<String>,
    /// set-brightness: for how many minutes (default: until changed or restarted).
    #[arg(long)]
    pub minutes: Option<u64>,
    /// identify: for how many seconds.
    #[arg(long)]
    pub seconds: Option<u64>,
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// Seconds to wait for the board.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
}

pub fn screenshot(args: &ScreenshotArgs) -> Result<(), Failure> {
    let spec = args.broker.spec()?;
    let signer = args.signer.load()?;
    let shot = super::block_on(command::screenshot(
        &spec,
        &signer,
        &args.board,
        Duration::from_secs(args.timeout),
    ))?;
    write_file(&args.out, &shot.png)?;
    args.broker.say(&Msg::ScreenshotSaved {
        path: args.out.display().to_string(),
        width: shot.width,
        height: shot.height,
    });
    Ok(())
}

pub fn run(args: &CommandArgs) -> Result<(), Failure> {
    let action = match args.action {
        CommandAction::Identify => command::identify(args.seconds)?,
        CommandAction::Reload => bangtin_protocol::content::Action::Reload,
        CommandAction::SetBrightness => match &args.percent {
            Some(p) => command::brightness(p, args.minutes)?,
            None => {
                return Err(Failure::BadInput(vec![
                    "set-brightness needs --percent (5..=100, or auto)".into(),
                ]))
            }
        },
    };
    let spec = args.broker.spec()?;
    let signer = args.signer.load()?;
    let reply = super::block_on(command::send(
        &spec,
        &signer,
        &args.board,
        action,
        Duration::from_secs(args.timeout),
    ))?;
    println!("{}: ok {}", args.board, reply);
    Ok(())
}
