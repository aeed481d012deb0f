//! A staff console of a test's own: its keys, `console.toml`, accounts made with the real
//! `bangtin console user add`, the `bangtin console` process, and an HTTP client that keeps
//! its session cookie and posts forms the way a browser does.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The area the test board lives in is inside this one; the console signs with the board's
/// trusted key (`board::key`, id `huyen-dong-anh`).
pub const AREA: &str = "vn/ha-noi/dong-anh";
/// Every test account's password.
pub const PASSWORD: &str = "mat-khau-thu-nghiem";

/// A running `bangtin console`, killed (SIGKILL) when dropped.
pub struct Console {
    child: Child,
    pub dir: PathBuf,
    pub config: PathBuf,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl Console {
    /// Writes the key and `console.toml` in `dir` (`extra` appended; `approval` for the area).
    pub fn configure(dir: &Path, broker_port: u16, extra: &str) -> PathBuf {
        use base64::Engine as _;
        let key = base64::engine::general_purpose::STANDARD.encode(crate::board::key().as_bytes());
        std::fs::write(dir.join("huyen-dong-anh.key"), format!("{key}\n")).unwrap();
        let config = dir.join("console.toml");
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:0\"\ndatabase = \"console.db\"\n\
                 [broker]\nurl = \"mqtt://127.0.0.1:{broker_port}\"\n\
                 [[area]]\npath = \"{AREA}\"\nkey = \"huyen-dong-anh.key\"\n{extra}\n"
            ),
        )
        .unwrap();
        config
    }

    /// Adds an account (before or while the console runs); returns its one-time-code secret
    /// when the role has one.
    pub fn add_user(config: &Path, name: &str, role: &str, area: &str) -> Option<String> {
        let mut child = Command::new(crate::exe())
            .args(["console", "--config"])
            .arg(config)
            .args(["user", "add", name, "--area", area, "--role", role])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bangtin runs");
        let _ = writeln!(child.stdin.take().unwrap(), "{PASSWORD}");
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "console user add {name}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
            .lines()
            .find_map(|l| {
                l.strip_prefix("one-time codes: add this secret to an authenticator app: ")
            })
            .map(str::to_owned)
    }

    /// Makes an API token with `bangtin console token add`; returns its number and secret.
    pub fn add_token(
        config: &Path,
        name: &str,
        area: &str,
        role: &str,
        cap_send: bool,
    ) -> (i64, String) {
        let mut cmd = Command::new(crate::exe());
        cmd.args(["console", "--config"])
            .arg(config)
            .args(["token", "add", name, "--area", area, "--role", role]);
        if cap_send {
            cmd.arg("--cap-send");
        }
        let out = cmd.output().expect("bangtin runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "console token add {name}: {stderr}");
        let id = stderr
            .lines()
            .find_map(|l| l.strip_prefix("token ")?.split(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("no token number in {stderr:?}"));
        let secret = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        (id, secret)
    }

    /// Starts the console on `config` and waits until it listens.
    pub fn start(config: &Path) -> Console {
        let mut child = Command::new(crate::exe())
            .args(["console", "--config"])
            .arg(config)
            .env("RUST_LOG", "bangtin_console=debug,bangtin=info")
            .stdout(Stdio::piped())
            .spawn()
            .expect("bangtin runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("console listening on ") {
                    let _ = tx.send(rest.trim_end_matches('/').to_owned());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("the console did not start on {}", config.display()));
        Console {
            child,
            dir: config.parent().unwrap().to_owned(),
            config: config.to_owned(),
            url,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: a power cut, as far as the console can tell.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One HTTP response, read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Page {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value of the hidden `csrf` field of the page's forms.
    pub fn csrf(&self) -> Option<String> {
        self.field("csrf")
    }

    /// The value of the first form field `name` (`name="NAME" value="…"`).
    pub fn field(&self, name: &str) -> Option<String> {
        let text = self.text();
        let key = format!("name=\"{name}\" value=\"");
        let at = text.find(&key)? + key.len();
        Some(text[at..].split('"').next()?.to_owned())
    }
}

/// A browser-like client of one console: keeps the session cookie, follows nothing by itself.
pub struct Client {
    agent: ureq::Agent,
    pub base: String,
    pub cookie: Option<String>,
    /// Sent as `Sec-Fetch-Site` on posts, as a browser does (`same-origin` from our pages).
    pub fetch_site: &'static str,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Client {
            agent,
            base: base.to_owned(),
            cookie: None,
            fetch_site: "same-origin",
        }
    }

    fn finish(&mut self, res: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Page {
        self.try_finish(res)
            .unwrap_or_else(|e| panic!("HTTP request failed: {e}"))
    }

    fn try_finish(
        &mut self,
        res: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Page, ureq::Error> {
        let mut res = res?;
        let headers: Vec<(String, String)> = res
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        for (k, v) in &headers {
            if k == "set-cookie" {
                let pair = v.split(';').next().unwrap_or("");
                if let Some(value) = pair.strip_prefix("__Host-bangtin=") {
                    self.cookie = (!value.is_empty()).then(|| value.to_owned());
                }
            }
        }
        let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        Ok(Page {
            status: res.status().as_u16(),
            location: get("location"),
            content_type: get("content-type").unwrap_or_default(),
            body: res
                .body_mut()
                .with_config()
                .limit(64 * 1024 * 1024)
                .read_to_vec()?,
            headers,
        })
    }

    fn cookie_header(&self) -> String {
        self.cookie
            .as_ref()
            .map(|c| format!("__Host-bangtin={c}"))
            .unwrap_or_default()
    }

    pub fn get(&mut self, path: &str) -> Page {
        let res = self
            .agent
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .call();
        self.finish(res)
    }

    /// Posts an urlencoded form.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.try_post(path, fields)
            .unwrap_or_else(|e| panic!("HTTP request failed: {e}"))
    }

    /// [`Client::post`] to a server that may be gone (killed in the middle of the request).
    pub fn try_post(&mut self, path: &str, fields: &[(&str, &str)]) -> Result<Page, ureq::Error> {
        let body: String = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let res = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", self.fetch_site)
            .send(body.as_bytes());
        self.try_finish(res)
    }

    /// Posts a multipart form; `file` is the `image` field's name and bytes.
    pub fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Page {
        let files: Vec<(&str, &str, &[u8])> =
            file.into_iter().map(|(n, b)| ("image", n, b)).collect();
        self.post_files(path, fields, &files)
    }

    /// Posts a multipart form with files: (field, file name, bytes).
    pub fn post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        self.try_post_files(path, fields, files)
            .unwrap_or_else(|e| panic!("HTTP request failed: {e}"))
    }

    /// [`Client::post_files`] to a server that may close the connection before reading the
    /// whole body (a body over its limit).
    pub fn try_post_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Result<Page, ureq::Error> {
        let boundary = "----bangtin-test-boundary-7e3f";
        let mut body = Vec::new();
        for (k, v) in fields {
            write!(
                body,
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            )
            .unwrap();
        }
        for (field, name, bytes) in files {
            write!(
                body,
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; \
                 filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .unwrap();
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        write!(body, "--{boundary}--\r\n").unwrap();
        let res = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("sec-fetch-site", self.fetch_site)
            .send(&body[..]);
        self.try_finish(res)
    }

    /// An API request with `token` (no cookie): `body` is its content type and bytes.
    pub fn api(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<(&str, &[u8])>,
    ) -> Page {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {token}");
        let res = match (method, body) {
            ("GET", _) => self.agent.get(url).header("authorization", auth).call(),
            (_, Some((ctype, bytes))) => self
                .agent
                .post(url)
                .header("authorization", auth)
                .header("content-type", ctype)
                .send(bytes),
            (_, None) => self
                .agent
                .post(url)
                .header("authorization", auth)
                .send_empty(),
        };
        self.finish(res)
    }

    /// Logs in (with a one-time code from `totp`'s secret when given); panics if refused.
    pub fn login(&mut self, user: &str, totp: Option<&str>) {
        let code = totp
            .map(|s| bangtin_console::auth::current_code(s).expect("a valid secret"))
            .unwrap_or_default();
        let page = self.post(
            "/login",
            &[("username", user), ("password", PASSWORD), ("code", &code)],
        );
        assert_eq!(page.status, 303, "login of {user}: {}", page.text());
        assert!(
            self.cookie.is_some(),
            "login of {user} set no session cookie"
        );
    }

    /// The session's CSRF token, read from the home page's forms.
    pub fn csrf(&mut self) -> String {
        self.get("/")
            .csrf()
            .expect("a logged-in page carries the CSRF token")
    }
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The id in a `/items/ID` redirect.
pub fn item_id(page: &Page) -> String {
    let loc = page
        .location
        .as_deref()
        .unwrap_or_else(|| panic!("no redirect ({}): {}", page.status, page.text()));
    loc.trim_start_matches("/items/").to_owned()
}
