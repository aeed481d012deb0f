//! The `bangtin` binary: the board, the staff tools and the demo, one subcommand each (see
//! `cli`).

mod cli;

fn main() -> std::process::ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn,rumqttd=off"))
        .init();
    private_runtime_dir();
    // One TLS crypto provider for the whole process, before any connection.
    bangtin_board::sync::install_crypto_provider();
    cli::main()
}

/// Mesa's drivers print "error: XDG_RUNTIME_DIR is invalid or not set" on every start when the
/// variable is missing (a service, a cron job, `sudo`, ssh without a login session): alarming
/// noise for nothing wrong. Give them a private folder of our own (mode 0700) instead. Runs
/// first thing in `main`, before any thread exists, as setting a variable must.
fn private_runtime_dir() {
    use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, PermissionsExt as _};
    let usable = |p: &std::path::Path| {
        std::fs::metadata(p).is_ok_and(|m| {
            m.is_dir() && m.uid() == own_uid() && m.permissions().mode() & 0o077 == 0
        })
    };
    if std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|d| usable(std::path::Path::new(&d))) {
        return;
    }
    let dir = std::env::temp_dir().join(format!("bangtin-runtime-{}", own_uid()));
    let _ = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    if usable(&dir) {
        std::env::set_var("XDG_RUNTIME_DIR", &dir);
    }
}

/// This process's user id, read from /proc (no libc call needed).
fn own_uid() -> u32 {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid())
}
