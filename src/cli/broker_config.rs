//! `bangtin broker-config`: a province's Mosquitto brokers, accounts, ACLs and bridges, and
//! each board's `[broker]` section, from the province file and its board list.

use super::Failure;
use bangtin_staff::province::{self, secrets, Change};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct BrokerConfigArgs {
    /// The province file (TOML): the province and district brokers, staff accounts and the
    /// boards, inline or in a CSV file it names (docs/operations.md).
    #[arg(long, value_name = "FILE")]
    pub province: PathBuf,
    /// The folder to write into; it keeps the passwords (secrets.toml) for the next run.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(args: &BrokerConfigArgs) -> Result<(), Failure> {
    let p = province::input::load(&args.province).map_err(Failure::BadInput)?;
    province::usable_out(&args.out).map_err(|e| Failure::BadInput(vec![e]))?;
    let secrets_path = args.out.join(province::SECRETS);
    let old = match std::fs::read_to_string(&secrets_path) {
        Ok(text) => secrets::from_toml(&text)
            .map_err(|e| Failure::BadInput(vec![format!("{}: {e}", secrets_path.display())]))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => secrets::Secrets::new(),
        Err(e) => {
            return Err(Failure::Runtime(anyhow::anyhow!(
                "cannot read {}: {e}",
                secrets_path.display()
            )))
        }
    };
    let (files, secrets) = province::generate(&p, &old);
    let changes = province::write(&args.out, &files).map_err(|e| anyhow::anyhow!(e))?;
    let new_accounts = secrets.keys().filter(|u| !old.contains_key(*u)).count();
    let gone = old.keys().filter(|u| !secrets.contains_key(*u)).count();
    println!(
        "{} broker(s), {} board(s), {} staff account(s); {} new account(s), {} removed",
        p.brokers.len(),
        p.boards.len(),
        p.staff.len(),
        new_accounts,
        gone
    );
    for b in &p.brokers {
        if let (Some(boards), Some(staff)) = (&b.url, b.staff_url()) {
            println!(
                "broker {}: boards at {boards}, staff and bridges at {staff}",
                b.name
            );
        }
    }
    if changes.is_empty() {
        println!("nothing changed in {}", args.out.display());
        return Ok(());
    }
    for (path, change) in &changes {
        let word = match change {
            Change::New => "new",
            Change::Changed => "changed",
            Change::Removed => "removed",
        };
        println!("  {word:8} {}", args.out.join(path).display());
    }
    let touched = |name: &str, file: &str| {
        changes
            .iter()
            .any(|(p, _)| p == &PathBuf::from("brokers").join(name).join(file))
    };
    for b in &p.brokers {
        let what = if touched(&b.name, "mosquitto.conf") {
            "install it and restart Mosquitto (its configuration changed)"
        } else if ["acl-boards", "acl-staff", "passwd-boards", "passwd-staff"]
            .iter()
            .any(|f| touched(&b.name, f))
        {
            "install it and reload Mosquitto (connected clients stay connected)"
        } else {
            continue;
        };
        println!(
            "broker {}: {what}; see brokers/{}/ and docs/operations.md, \"A province's brokers\"",
            b.name, b.name
        );
    }
    if changes.iter().any(|(p, _)| p.starts_with("boards")) {
        println!(
            "boards: put each boards/ID.toml in place of that board's [broker] section and \
             restart the board"
        );
    }
    Ok(())
}
