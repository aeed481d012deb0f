//! `bangtin check`: a content file or a board config, every problem printed.

use super::Failure;
use bangtin_protocol::content::{Document, PayloadRef};
use bangtin_staff::command::wire_name;
use bangtin_staff::i18n::Lang;
use bangtin_staff::{document, publish, repair, source};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct CheckArgs {
    /// A channel or alert object, or a signed envelope carrying one (JSON); or an officer's
    /// Markdown or TOML file.
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    /// A board config (TOML).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

pub fn run(args: &CheckArgs) -> Result<(), Failure> {
    match (&args.content, &args.config) {
        (Some(content), _) => check_content(content),
        (None, Some(config)) => check_config(config),
        (None, None) => Err(Failure::BadInput(vec!["give --content or --config".into()])),
    }
}

fn check_config(path: &Path) -> Result<(), Failure> {
    let config = bangtin_config::load(path).map_err(|e| Failure::BadInput(e.0))?;
    println!(
        "{}: OK, board {:?} ({}) in {}, broker {}:{}, {} trusted key{}",
        path.display(),
        config.board.id,
        config.board.name,
        config.board.area.join("/"),
        config.broker.url.host,
        config.broker.url.port,
        config.trust.len(),
        if config.trust.len() == 1 { "" } else { "s" }
    );
    // Read by kiosk/install.sh, which hands them to systemd-timesyncd.
    if !config.board.ntp.is_empty() {
        println!("time servers (ntp): {}", config.board.ntp.join(" "));
    }
    Ok(())
}

fn check_content(path: &Path) -> Result<(), Failure> {
    let loaded = if publish::is_source(path) {
        // The officers' Markdown or TOML: checked as `publish` would send it.
        let source = source::load(path).map_err(Failure::BadInput)?;
        for w in &source.warnings {
            eprintln!("note: {w}");
        }
        let mut channel = source.channel;
        for fix in repair::repair_text(&mut channel) {
            eprintln!("note: {}", fix.text(Lang::En));
        }
        let bytes = serde_json::to_vec(&channel).unwrap_or_default();
        document::load_bytes(path.display().to_string(), &bytes, None)?
    } else {
        document::load(path, None)?
    };
    loaded.decode(loaded.image_ids())?;
    let summary = match loaded.document.payload() {
        PayloadRef::Channel(c) => {
            let count = |t: &str| c.items.iter().filter(|i| i.kind.type_name() == t).count();
            format!(
                "a channel of {} item{} ({} announcement, {} image, {} ticker)",
                c.items.len(),
                if c.items.len() == 1 { "" } else { "s" },
                count("announcement"),
                count("image"),
                count("ticker")
            )
        }
        PayloadRef::Alert(a) => format!(
            "an alert {:?} ({}, {}, {})",
            a.id,
            wire_name(&a.msg_type),
            wire_name(&a.status),
            wire_name(&a.severity)
        ),
        PayloadRef::Command(c) => format!("a command {:?}", c.id),
    };
    let signed = if let Document::Envelope(env, body) = &loaded.document {
        format!(
            ", signed by key {:?} for {} (seq {}; signature not verified here)",
            env.key, body.topic, body.seq
        )
    } else {
        String::new()
    };
    println!("{}: OK, {summary}{signed}", path.display());
    for m in &loaded.missing {
        println!("note: {m}");
    }
    Ok(())
}
