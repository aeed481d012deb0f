//! `bangtin run`: the board.

use super::Failure;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The board config (TOML), e.g. /etc/bangtin/board.toml.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// No window: render offscreen (a board with no display attached, tests).
    #[arg(long, requires = "frames")]
    pub headless: bool,
    /// With --headless: write every new frame to DIR/latest.png (atomically replaced).
    #[arg(long, value_name = "DIR", requires = "headless")]
    pub frames: Option<PathBuf>,
    /// Frames per second while something moves (the ticker, a fade); default 60 in a window,
    /// 10 headless.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=120))]
    pub fps: Option<u32>,
}

pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let config = bangtin_config::load(&args.config).map_err(|e| Failure::BadInput(e.0))?;
    let options = bangtin_board::Options {
        fps: args.fps.unwrap_or(if args.headless { 10 } else { 60 }),
        ..Default::default()
    };
    let result = match &args.frames {
        Some(dir) => bangtin_board::output::headless::run(config, Some(&args.config), dir, options),
        None => bangtin_board::output::window::run(config, Some(&args.config), options),
    };
    result.map_err(Failure::Runtime)
}
