fn main() -> std::process::ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn,rumqttd=off"))
        .init();
    // One TLS crypto provider for the whole process, before any connection (see sync).
    bangtin::sync::install_crypto_provider();
    bangtin::cli::main()
}
