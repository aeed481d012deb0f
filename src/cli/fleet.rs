//! `bangtin fleet`: the boards from their retained statuses, as a table or JSON, once or
//! watched.

use super::{BrokerArgs, Failure};
use bangtin_staff::fleet::{self, BoardStatus};
use bangtin_staff::i18n::{Lang, Msg};
use bangtin_staff::net::{self, Session};
use bangtin_staff::publish::{CONNECT_TIMEOUT, SETTLE, SETTLE_MAX};
use bangtin_staff::Error;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Debug, clap::Args)]
pub struct FleetArgs {
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// Only the boards in this area (and below it).
    #[arg(long, value_name = "AREA")]
    pub area: Option<String>,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Keep watching; the table is redrawn as statuses change (Ctrl+C to stop).
    #[arg(long)]
    pub watch: bool,
}

fn print_fleet(statuses: &BTreeMap<String, BoardStatus>, args: &FleetArgs, lang: Lang) {
    let list: Vec<BoardStatus> = statuses.values().cloned().collect();
    let rows = fleet::rows(&list, bangtin_staff::board_now(), args.area.as_deref());
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&fleet::to_json(&rows)).unwrap_or_default()
        );
        return;
    }
    if rows.is_empty() {
        let msg = match &args.area {
            Some(area) => Msg::NoBoardsInArea { area: area.clone() },
            None => Msg::NoBoardsKnown,
        };
        println!("{}", msg.text(lang));
        return;
    }
    print!("{}", fleet::table(&rows, lang));
}

pub fn run(args: &FleetArgs) -> Result<(), Failure> {
    let lang = args.broker.lang();
    let spec = args.broker.spec()?;
    let options = spec.options("fleet", None)?;
    super::block_on(async {
        let mut session = Session::connect(options, CONNECT_TIMEOUT)
            .await
            .map_err(Error::Failed)?;
        let mut statuses = net::statuses(&mut session, &spec.prefix, SETTLE, SETTLE_MAX)
            .await
            .map_err(Error::Failed)?;
        print_fleet(&statuses, args, lang);
        if !args.watch {
            session.close().await;
            return Ok(());
        }
        loop {
            let mut changed = false;
            let until = Instant::now() + Duration::from_secs(2);
            while let Some((topic, payload)) = session.next(until).await.map_err(Error::Failed)? {
                changed |= net::take_status(&spec.prefix, &topic, &payload, &mut statuses);
            }
            if changed || !args.json {
                if !args.json {
                    print!("\x1b[2J\x1b[H");
                }
                println!("{}", bangtin_staff::board_now().format("%H:%M:%S"));
                print_fleet(&statuses, args, lang);
            }
        }
    })
}
