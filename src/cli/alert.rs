//! `bangtin alert`: an emergency alert, a drill, an update or a cancel, confirmed by typing the
//! area when it is live and full screen, then followed to the screens.

use super::{parse_size, BrokerArgs, Failure, SignerArgs};
use bangtin_protocol::content::{AlertStatus, MsgType, Payload};
use bangtin_staff::acks::Want;
use bangtin_staff::alert::{self, AlertSpec};
use bangtin_staff::command::wire_name;
use bangtin_staff::i18n::Msg;
use bangtin_staff::{document, publish, Target};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct AlertArgs {
    #[command(flatten)]
    pub signer: SignerArgs,
    #[command(flatten)]
    pub broker: BrokerArgs,
    /// The area it is for, e.g. vn/ha-noi/dong-anh (every board there and below).
    #[arg(
        long,
        value_name = "AREA",
        required_unless_present = "board",
        conflicts_with = "board"
    )]
    pub area: Option<String>,
    /// One board instead of an area.
    #[arg(long, value_name = "ID")]
    pub board: Option<String>,
    /// A CAP 1.2 XML file instead of the fields below.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["headline", "severity"])]
    pub cap: Option<PathBuf>,
    /// The headline, as it shows in large letters.
    #[arg(long, required_unless_present_any = ["cap", "cancel"])]
    pub headline: Option<String>,
    /// extreme or severe take the whole screen; moderate and minor are a banner.
    #[arg(long, value_parser = ["extreme", "severe", "moderate", "minor"], required_unless_present_any = ["cap", "cancel"])]
    pub severity: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    /// What people must do.
    #[arg(long)]
    pub instruction: Option<String>,
    /// Who sends it, e.g. "UBND huyện Đông Anh".
    #[arg(long)]
    pub sender: Option<String>,
    /// When it ends: a duration (90m, 6h, 2d) or a time (RFC 3339). Default: 6 hours.
    #[arg(long, value_name = "WHEN")]
    pub expires: Option<String>,
    /// A picture (a map of the evacuation route), inlined.
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,
    /// A drill (diễn tập): shown with a clear DRILL marking.
    #[arg(long, conflicts_with = "test")]
    pub drill: bool,
    /// A technical test: never shown, only acknowledged.
    #[arg(long)]
    pub test: bool,
    /// The alert's id (default: made from the time).
    #[arg(long)]
    pub id: Option<String>,
    /// Replace the alert with this id.
    #[arg(long, value_name = "ID", conflicts_with = "cancel")]
    pub update: Option<String>,
    /// End the alert with this id.
    #[arg(long, value_name = "ID")]
    pub cancel: Option<String>,
    /// For scripts: the area (or board) typed in advance, confirming a live extreme or severe
    /// alert.
    #[arg(long, value_name = "AREA")]
    pub confirm: Option<String>,
    /// Seconds to wait for the boards to show it.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub wait: u64,
    /// Check it and render a preview PNG; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where --dry-run writes the preview.
    #[arg(long, value_name = "PNG", default_value = "alert-preview.png")]
    pub preview: PathBuf,
    /// The preview's size in pixels.
    #[arg(long, value_name = "WxH", default_value = "1920x1080", value_parser = parse_size)]
    pub size: (u32, u32),
}

impl AlertArgs {
    fn spec(&self) -> AlertSpec {
        AlertSpec {
            cap: self.cap.clone(),
            headline: self.headline.clone(),
            severity: self.severity.clone(),
            description: self.description.clone(),
            instruction: self.instruction.clone(),
            sender: self.sender.clone(),
            expires: self.expires.clone(),
            image: self.image.clone(),
            drill: self.drill,
            test: self.test,
            id: self.id.clone(),
            update: self.update.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

pub fn run(args: &AlertArgs) -> Result<(), Failure> {
    let lang = args.broker.lang();
    let target = match (&args.area, &args.board) {
        (Some(area), _) => Target::Area(area.trim_matches('/').to_owned()),
        (None, Some(board)) => Target::Board(board.clone()),
        (None, None) => return Err(Failure::BadInput(vec!["give --area or --board".into()])),
    };
    let topic = target.alert_topic(&args.broker.prefix);
    let built = alert::build(&args.spec(), bangtin_staff::board_now())?;
    for w in &built.warnings {
        eprintln!("{}", super::publish::warning_text(w, lang));
    }
    for fix in &built.repairs {
        eprintln!("{}", fix.text(lang));
    }
    let parsed = built.alert;
    let payload = Payload::Alert(parsed.clone());
    publish::check_topic(&topic, &payload)?;
    let severity = wire_name(&parsed.severity);
    let drill = parsed.status == AlertStatus::Exercise;
    println!(
        "{} [{}{}] {} -> {}",
        parsed.id,
        severity,
        if drill {
            format!(", {}", Msg::Drill.text(lang))
        } else {
            String::new()
        },
        parsed.headline,
        target.describe()
    );
    if args.dry_run {
        let bytes = serde_json::to_vec(&parsed).unwrap_or_default();
        let loaded = document::load_bytes("alert".into(), &bytes, None)?;
        super::render::preview(&loaded, args.size, &args.preview)?;
        args.broker.say(&Msg::DryRun {
            path: args.preview.display().to_string(),
        });
        return Ok(());
    }
    if alert::needs_confirmation(&parsed) {
        let (question, refusal) = alert::confirmation_question(&parsed, &target);
        let typed = match &args.confirm {
            Some(c) => c.clone(),
            None if std::io::stdin().is_terminal() => {
                print!("{}", question.text(lang));
                let _ = std::io::stdout().flush();
                let mut line = String::new();
                let _ = std::io::stdin().lock().read_line(&mut line);
                line
            }
            None => return Err(Failure::BadInput(vec![refusal.text(lang)])),
        };
        if !alert::confirms(&typed, &target) {
            return Err(Failure::BadInput(
                vec![Msg::ConfirmationMismatch.text(lang)],
            ));
        }
    }
    let want = if parsed.status == AlertStatus::Test {
        Want::Received
    } else {
        Want::Shown
    };
    let signer = args.signer.load()?;
    let (envelope, seq) = signer.sign(&topic, payload, None, true)?;
    let result =
        super::publish::send_and_follow(&args.broker, &topic, envelope, seq, want, args.wait);
    if parsed.msg_type != MsgType::Cancel {
        args.broker.say(&Msg::AlertHint {
            id: parsed.id.clone(),
        });
    }
    result
}
