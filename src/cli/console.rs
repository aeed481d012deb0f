//! `bangtin console`: the staff web console, and `bangtin console user …` for its accounts
//! (the first admin is made here; passwords are read from standard input, never arguments).

use super::Failure;
use bangtin_console::policy::Role;
use bangtin_console::{auth, db::Db, App, Config};
use std::io::BufRead as _;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {
    /// The console's configuration (listen address, database, broker, areas and their keys).
    #[arg(long, value_name = "FILE", default_value = "console.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Option<ConsoleCommand>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ConsoleCommand {
    /// Accounts: add, passwd, disable, grant.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for source systems: add, revoke.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Copy the database to a new file while the console runs (a consistent snapshot).
    Backup {
        /// The copy to write (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add an account with a role on an area; the password is read from standard input.
    /// Approvers and admins get a one-time-code secret to put in an authenticator app.
    Add {
        name: String,
        /// The area the role covers, with everything inside it (vn/ha-noi/dong-anh).
        #[arg(long)]
        area: String,
        /// viewer, editor, approver or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set a new password (read from standard input); the user's sessions end.
    Passwd { name: String },
    /// Disable an account; its sessions end at once.
    Disable { name: String },
    /// Give an account a role on another area (or change it there).
    Grant {
        name: String,
        #[arg(long)]
        area: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Make a token for one area; it is printed once and stored hashed.
    Add {
        /// Who uses it (the source system's name).
        name: String,
        #[arg(long)]
        area: String,
        /// viewer (read), editor (submit into the approval queue) or approver (publish).
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// CAP alerts it pushes are sent at once (an alerting authority; needs approver).
        #[arg(long)]
        cap_send: bool,
    },
    /// Revoke a token by its number (as `add` printed it, or the console's token page shows).
    Revoke { id: i64 },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "a role is viewer, editor, approver or admin".into())
}

fn read_password() -> Result<String, Failure> {
    eprintln!(
        "password (one line on standard input, at least {} characters):",
        auth::MIN_PASSWORD
    );
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("reading the password: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub fn run(args: &ConsoleArgs) -> Result<(), Failure> {
    let config = Config::load(&args.config).map_err(Failure::BadInput)?;
    let cmd = match &args.command {
        None => return serve(config),
        Some(ConsoleCommand::Backup { out }) => {
            let db =
                Db::open(&config.database).map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
            bangtin_console::db::backup(&db.lock(), out)
                .map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
            println!("database copied to {}", out.display());
            return Ok(());
        }
        Some(ConsoleCommand::User(cmd)) => cmd,
        Some(ConsoleCommand::Token(cmd)) => return token(&config, cmd),
    };
    let db = Db::open(&config.database).map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
    let conn = db.lock();
    let bad = |e: String| Failure::BadInput(vec![e]);
    match cmd {
        UserCommand::Add { name, area, role } => {
            let password = read_password()?;
            let totp = role.needs_totp() && config.security.require_totp;
            let added = auth::add_user(&conn, name, &password, area, *role, totp).map_err(bad)?;
            println!("added {name}: {role} of {area}");
            if let (Some(secret), Some(url)) = (added.totp_secret, added.totp_url) {
                println!("one-time codes: add this secret to an authenticator app: {secret}");
                println!("(or this URI as a QR code: {url})");
            }
        }
        UserCommand::Passwd { name } => {
            let password = read_password()?;
            auth::set_password(&conn, name, &password).map_err(bad)?;
            println!("new password set for {name}; their sessions are closed");
        }
        UserCommand::Disable { name } => {
            auth::disable(&conn, name).map_err(bad)?;
            println!("{name} disabled; their sessions are closed");
        }
        UserCommand::Grant { name, area, role } => {
            let added = auth::grant_role(&conn, name, area, *role, config.security.require_totp)
                .map_err(bad)?;
            println!("{name} is now {role} of {area}; their sessions are closed");
            if let (Some(secret), Some(url)) = (added.totp_secret, added.totp_url) {
                println!("one-time codes: add this secret to an authenticator app: {secret}");
                println!("(or this URI as a QR code: {url})");
            }
        }
    }
    Ok(())
}

fn token(config: &Config, cmd: &TokenCommand) -> Result<(), Failure> {
    let db = Db::open(&config.database).map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
    let conn = db.lock();
    let bad = |e: String| Failure::BadInput(vec![e]);
    match cmd {
        TokenCommand::Add {
            name,
            area,
            role,
            cap_send,
        } => {
            let (id, secret) =
                bangtin_console::tokens::create(&conn, name, area, *role, *cap_send, "cli")
                    .map_err(bad)?;
            let entry = bangtin_console::db::AuditEntry {
                user: "cli",
                address: "",
                action: "token-create",
                target: &format!("token {id} ({name}, {role}, cap_send {cap_send})"),
                area: Some(area),
                sha256: None,
            };
            bangtin_console::db::audit(&conn, &entry).map_err(|e| bad(e.to_string()))?;
            eprintln!("token {id} for {name}: {role} of {area}; shown this once:");
            println!("{secret}");
        }
        TokenCommand::Revoke { id } => {
            if !bangtin_console::tokens::revoke(&conn, *id) {
                return Err(bad(format!("no live token {id}")));
            }
            println!("token {id} revoked");
        }
    }
    Ok(())
}

fn serve(config: Config) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(anyhow::anyhow!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let app = App::new(config).map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))?;
        bangtin_console::serve(app, |addr| {
            // Tests and scripts read this line for the address (the port may be chosen by the
            // system when the configuration says port 0).
            println!("console listening on http://{addr}/");
        })
        .await
        .map_err(|e| Failure::Runtime(anyhow::anyhow!(e)))
    })
}
