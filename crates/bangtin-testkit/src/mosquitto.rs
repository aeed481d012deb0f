//! A Mosquitto broker of a test's own: the broker most deployments run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a Mosquitto needs that tests cannot go without.
const INSTALL: &str = "Mosquitto is needed for the interop tests and harnesses \
                       (apt-get install mosquitto mosquitto-clients)";

/// A Mosquitto process on `port` (loopback), killed when dropped.
pub struct Mosquitto {
    child: Child,
    pub port: u16,
    conf: PathBuf,
}

impl Mosquitto {
    /// Starts Mosquitto in `dir` on a free port (another one if it was taken meanwhile).
    pub fn start(dir: &Path) -> Mosquitto {
        Mosquitto::with_config(dir, "")
    }

    /// [`Mosquitto::start`] with `extra` lines of configuration.
    pub fn with_config(dir: &Path, extra: &str) -> Mosquitto {
        for _ in 0..5 {
            let port = crate::free_port();
            let conf = dir.join(format!("mosquitto-{port}.conf"));
            std::fs::write(
                &conf,
                format!(
                    "listener {port} 127.0.0.1\nallow_anonymous true\n\
                     message_size_limit 2097152\nmax_queued_messages 10000\n{extra}\n"
                ),
            )
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", conf.display()));
            if let Some(m) = Mosquitto::spawn(&conf, port, Duration::from_secs(5)) {
                return m;
            }
        }
        panic!("Mosquitto would not start on any of five free ports");
    }

    /// Mosquitto with a configuration written elsewhere (`bangtin broker-config`'s), as it is:
    /// a small wrapper includes the folder `conf` is in and keeps the test's root user (a
    /// broker started as root would otherwise switch to the `mosquitto` user, who cannot read
    /// a test's private folder). `port` is the one that configuration listens on.
    pub fn with_conf_file(conf: &Path, port: u16) -> Mosquitto {
        let dir = conf.parent().expect("a conf file in a folder");
        let wrapper = dir.parent().unwrap_or(dir).join(format!("run-{port}.conf"));
        std::fs::write(
            &wrapper,
            format!(
                "user root\nlog_dest stderr\ninclude_dir {}\n",
                dir.display()
            ),
        )
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", wrapper.display()));
        // A province's ACL of thousands of boards takes a moment to read.
        Mosquitto::spawn(&wrapper, port, Duration::from_secs(60)).unwrap_or_else(|| {
            let log = std::fs::read_to_string(wrapper.with_extension("log")).unwrap_or_default();
            panic!(
                "Mosquitto would not start with {} on port {port}:\n{log}",
                conf.display()
            )
        })
    }

    /// Starts `mosquitto -c conf`, listening on `port`; `None` if it exits at once (the port
    /// was taken). Its log goes next to `conf` (`.log`).
    fn spawn(conf: &Path, port: u16, within: Duration) -> Option<Mosquitto> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(conf.with_extension("log"))
            .ok()
            .map_or_else(Stdio::null, Stdio::from);
        // One socket per board in the harnesses: raise the open-file limit first.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("ulimit -n $(ulimit -Hn) 2>/dev/null; exec mosquitto -c \"$0\"")
            .arg(conf)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{INSTALL}: {e}"));
        let deadline = Instant::now() + within;
        loop {
            // Listening, and ours: a port another process took between free_port and here
            // also answers, but then our Mosquitto has stopped (it could not bind).
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && {
                std::thread::sleep(Duration::from_millis(50));
                matches!(child.try_wait(), Ok(None))
            } {
                return Some(Mosquitto {
                    child,
                    port,
                    conf: conf.to_owned(),
                });
            }
            match child.try_wait() {
                Ok(Some(status)) if status.code() == Some(127) => panic!("{INSTALL}"),
                Ok(Some(_)) => return None,
                _ => {}
            }
            assert!(
                Instant::now() < deadline,
                "Mosquitto did not start on port {port} within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `mqtt://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// The process id (to read its memory).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops it (SIGKILL, like a crash).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops it as `systemctl stop` does (SIGTERM: it saves its retained messages and
    /// sessions first).
    pub fn stop(&mut self) {
        // The shell `exec`ed Mosquitto, so the child is Mosquitto itself.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port with the same configuration (boards reconnect to
    /// the same address).
    pub fn restart(&mut self) {
        self.kill();
        self.start_again();
    }

    /// Starts a stopped broker again.
    pub fn start_again(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(m) = Mosquitto::spawn(&self.conf, self.port, Duration::from_secs(60)) {
                *self = m;
                return;
            }
            assert!(
                Instant::now() < deadline,
                "Mosquitto could not start again on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        self.kill();
    }
}
