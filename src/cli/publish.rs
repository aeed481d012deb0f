//! `bangtin publish`: an announcement, a channel or an alert, checked, signed, sent, and
//! followed to the boards.

use super::{parse_size, BrokerArgs, Failure, SignerArgs};
use bangtin_staff::i18n::{Lang, Msg};
use bangtin_staff::publish::{self, Draft};
use bangtin_staff::source::Warning;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub signer: SignerArgs,
    /// Topic, e.g. bangtin/v1/content/vn/ha-noi/dong-anh (a Markdown or TOML file names its
    /// area or board itself).
    #[arg(long)]
    pub topic: Option<String>,
    /// The announcement (.md with front matter; several .md files for one area make one
    /// channel), a channel (.toml), or a channel or alert (.json).
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// Use this seq instead of the automatic always-increasing one.
    #[arg(long)]
    pub seq: Option<u64>,
    /// Check everything and render a preview PNG (FILE.preview.png, or --preview), print the
    /// signed envelope's size; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where --dry-run writes the preview.
    #[arg(long, value_name = "PNG", requires = "dry_run")]
    pub preview: Option<PathBuf>,
    /// The preview's size in pixels.
    #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),
    /// With --dry-run, print the signed envelope (JSON) to standard output too.
    #[arg(long, requires = "dry_run")]
    pub print: bool,
    /// Seconds to wait for the boards' acknowledgements (0: do not wait).
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub wait: u64,
}

/// A note for the officer about their source, in their language, after the file it is about.
pub fn warning_text(w: &Warning, lang: Lang) -> String {
    match w.path() {
        Some(path) => format!("{}: {}", path.display(), w.text(lang)),
        None => w.text(lang),
    }
}

pub fn run(args: &PublishArgs) -> Result<(), Failure> {
    let lang = args.broker.lang();
    let Draft {
        topic,
        payload,
        loaded,
        warnings,
        repairs,
    } = publish::prepare(&args.files, args.topic.as_deref(), &args.broker.prefix)?;
    for w in &warnings {
        eprintln!("{}", warning_text(w, lang));
    }
    for fix in &repairs {
        eprintln!("{}", fix.text(lang));
    }
    let signer = args.signer.load()?;
    if args.dry_run {
        let out = args.preview.clone().unwrap_or_else(|| {
            let mut p = args.files[0].clone().into_os_string();
            p.push(".preview.png");
            PathBuf::from(p)
        });
        super::render::preview(&loaded, args.size, &out)?;
        let (envelope, seq) = signer.sign(&topic, payload, args.seq, false)?;
        if args.print {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout
                .write_all(&envelope)
                .and_then(|()| stdout.write_all(b"\n"));
        }
        eprintln!("{topic} seq {seq}: {} bytes signed", envelope.len());
        eprintln!(
            "{}",
            Msg::DryRun {
                path: out.display().to_string()
            }
            .text(lang)
        );
        return Ok(());
    }
    let want = publish::want_for(&payload);
    let (envelope, seq) = signer.sign(&topic, payload, args.seq, true)?;
    send_and_follow(&args.broker, &topic, envelope, seq, want, args.wait)
}

/// Sends a signed message and prints its progress to the boards; a runtime failure (exit 1)
/// when online boards did not acknowledge it in time.
pub fn send_and_follow(
    broker: &BrokerArgs,
    topic: &str,
    envelope: Vec<u8>,
    seq: u64,
    want: bangtin_staff::acks::Want,
    wait: u64,
) -> Result<(), Failure> {
    let spec = broker.spec()?;
    let outcome = super::block_on(publish::deliver(
        &spec,
        topic,
        envelope,
        seq,
        want,
        Duration::from_secs(wait),
        &mut |msg| broker.say(&msg),
    ))?;
    if outcome.complete {
        Ok(())
    } else {
        Err(Failure::Runtime(anyhow::anyhow!(
            "{}",
            Msg::SentNotConfirmed.text(broker.lang())
        )))
    }
}
