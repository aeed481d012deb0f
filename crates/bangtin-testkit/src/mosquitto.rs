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
    extra: String,
}

impl Mosquitto {
    /// Starts Mosquitto in `dir` on a free port (another one if it was taken meanwhile).
    pub fn start(dir: &Path) -> Mosquitto {
        Mosquitto::with_config(dir, "")
    }

    /// [`Mosquitto::start`] with `extra` lines of configuration.
    pub fn with_config(dir: &Path, extra: &str) -> Mosquitto {
        for _ in 0..5 {
            if let Some(m) = Mosquitto::on_port(crate::free_port(), dir, extra) {
                return m;
            }
        }
        panic!("Mosquitto would not start on any of five free ports");
    }

    /// Starts on `port`; `None` if it exits at once (the port was taken).
    fn on_port(port: u16, dir: &Path, extra: &str) -> Option<Mosquitto> {
        let conf = dir.join(format!("mosquitto-{port}.conf"));
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nallow_anonymous true\n\
                 message_size_limit 2097152\nmax_queued_messages 10000\n{extra}\n"
            ),
        )
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", conf.display()));
        // One socket per board in the harnesses: raise the open-file limit first.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg("ulimit -n $(ulimit -Hn) 2>/dev/null; exec mosquitto -c \"$0\"")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{INSTALL}: {e}"));
        let deadline = Instant::now() + Duration::from_secs(5);
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
                    conf,
                    extra: extra.to_owned(),
                });
            }
            match child.try_wait() {
                Ok(Some(status)) if status.code() == Some(127) => panic!("{INSTALL}"),
                Ok(Some(_)) => return None,
                _ => {}
            }
            assert!(
                Instant::now() < deadline,
                "Mosquitto did not start on port {port} within 5 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `mqtt://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }

    /// Stops it (SIGKILL, like a crash).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port (boards reconnect to the same address).
    pub fn restart(&mut self) {
        self.kill();
        let dir = self
            .conf
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(m) = Mosquitto::on_port(self.port, &dir, &self.extra.clone()) {
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
