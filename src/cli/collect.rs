//! `bangtin collect`: the boards' proof of play kept in a file.

use super::{BrokerArgs, Failure};
use bangtin_staff::collect::{self, Event};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// The file the boards' played batches are appended to (JSON lines).
    #[arg(long, value_name = "FILE", default_value = "played.jsonl")]
    pub out: PathBuf,
    /// A fixed client id: the broker keeps the batches for it while the collector is down
    /// (a persistent session). One collector per id.
    #[arg(long, default_value = "bangtin-collect")]
    pub client_id: String,
    /// Stop after this many seconds (default: run until stopped).
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<u64>,
}

pub fn run(args: &CollectArgs) -> Result<(), Failure> {
    let spec = args.broker.spec()?;
    let out = args.out.clone();
    super::block_on(collect::run(
        &spec,
        &args.out,
        &args.client_id,
        args.duration.map(Duration::from_secs),
        &mut |event| match event {
            Event::Collecting => eprintln!("collecting proof of play into {}", out.display()),
            Event::Retrying(e) => eprintln!("{e}; trying again in 5 s"),
        },
    ))
}
