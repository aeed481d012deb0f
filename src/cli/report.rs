//! `bangtin report`: proof of play per item and board over a period, as CSV.

use super::{write_file, Failure};
use bangtin_staff::i18n::{Lang, Msg};
use bangtin_staff::report;
use std::io::Write as _;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Start of the period: a date (2026-11-01, from 00:00 Vietnam time) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub from: String,
    /// End of the period: a date (the whole day included) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub to: String,
    /// Only boards in this area (as their status said when the batches were collected).
    #[arg(long, value_name = "AREA")]
    pub area: Option<String>,
    /// Files written by `bangtin collect`.
    #[arg(long, value_name = "FILE", default_value = "played.jsonl", num_args = 1..)]
    pub played: Vec<PathBuf>,
    /// Where to write the CSV (default: standard output).
    #[arg(long, value_name = "FILE.csv")]
    pub out: Option<PathBuf>,
    /// Language of the messages: vi or en.
    #[arg(long, value_parser = Lang::parse)]
    pub lang: Option<Lang>,
}

pub fn run(args: &ReportArgs) -> Result<(), Failure> {
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let from = report::parse_bound(&args.from, false).map_err(|e| Failure::BadInput(vec![e]))?;
    let to = report::parse_bound(&args.to, true).map_err(|e| Failure::BadInput(vec![e]))?;
    let (lines, notes) = report::from_files(&args.played, from, to, args.area.as_deref())?;
    for note in notes {
        eprintln!("{note}");
    }
    let undated = lines.iter().filter(|l| !l.clock_trusted).count();
    if undated > 0 {
        eprintln!("{}", Msg::UndatedPlays { lines: undated }.text(lang));
    }
    let csv = report::csv(&lines);
    match &args.out {
        Some(out) => write_file(out, csv.as_bytes())?,
        None => {
            let _ = std::io::stdout().lock().write_all(csv.as_bytes());
        }
    }
    eprintln!("{}", Msg::ReportWritten { lines: lines.len() }.text(lang));
    Ok(())
}
