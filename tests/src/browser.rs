//! A small WebDriver client for the browser tests: starts `chromedriver` on a free port, opens a headless Chromium
//! session with a fresh profile, and drives it over the W3C WebDriver protocol with reqwest.
//!
//! Every wait polls with a deadline; nothing sleeps for a fixed time hoping the page caught up.
//!
//! The driver runs in its own process group under a small shell watchdog: dropping the [`Browser`] kills the group
//! (chromedriver and the Chromium it started), and if the test process dies without dropping it (killed, aborted),
//! the watchdog notices within a second and kills the group itself.

use base64::Engine as _;
use serde_json::{json, Value};
use std::fmt;
use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "chromedriver";

/// The W3C name of the property holding an element's reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How often waits look again.
const POLL: Duration = Duration::from_millis(50);
/// A default for waits in tests: long enough for a cold wasm start on a busy 2-core machine.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(20);

#[derive(Debug, Clone)]
pub struct BrowserError(pub String);

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BrowserError {}

pub type Result<T, E = BrowserError> = std::result::Result<T, E>;

fn err(msg: impl Into<String>) -> BrowserError {
    BrowserError(msg.into())
}

/// The chromedriver process group and its watchdog; killed on drop.
struct Driver {
    watchdog: Child,
    log: PathBuf,
}

impl Driver {
    fn start(port: u16, dir: &Path) -> Result<Self> {
        let log = dir.join("chromedriver.log");
        let out = std::fs::File::create(&log).map_err(|e| err(format!("cannot create {}: {e}", log.display())))?;
        let out2 = out.try_clone().map_err(|e| err(e.to_string()))?;
        // The shell starts chromedriver in the background and watches both it and the test process; when either is
        // gone it ends the whole process group: TERM first, KILL for whatever is still there two seconds later.
        // `kill 0` signals the caller's group, which `process_group(0)` made ours alone; the shell ignores TERM
        // (set after starting the driver, so the driver does not inherit it) to live long enough for the KILL.
        let script = r#"
            "$1" --port="$2" & driver=$!
            trap '' TERM
            while kill -0 "$3" 2>/dev/null && kill -0 "$driver" 2>/dev/null; do sleep 1; done
            kill -TERM 0
            sleep 2
            kill -KILL 0
        "#;
        let watchdog = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("vigil-chromedriver-watchdog")
            .arg(CHROMEDRIVER)
            .arg(port.to_string())
            .arg(std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(out2)
            .process_group(0)
            .spawn()
            .map_err(|e| err(format!("cannot start {CHROMEDRIVER} (is chromium-driver installed?): {e}")))?;
        Ok(Self { watchdog, log })
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is the watchdog's pid (process_group(0)): one KILL ends the watchdog, chromedriver and any
        // Chromium still running (a test that called `close` has already let Chromium quit cleanly).
        let pgid = self.watchdog.id();
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).stderr(Stdio::null()).status();
        let _ = self.watchdog.wait();
    }
}

/// A headless Chromium session. Fields drop in order: the session is left to the driver's death, then the
/// driver group is killed, then the profile directory is removed.
pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`
    session: String,
    driver: Driver,
    _profile: tempfile::TempDir,
}

/// A reference to an element on the current page.
#[derive(Clone)]
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
    /// The selector that found it, for error messages.
    css: String,
}

impl fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Element({})", self.css)
    }
}

impl Browser {
    /// Starts chromedriver and opens a headless Chromium with a fresh profile.
    pub async fn start() -> Result<Self> {
        let profile = tempfile::Builder::new().prefix("vigil-chromium-").tempdir().map_err(|e| err(e.to_string()))?;
        let port = free_port()?;
        let driver = Driver::start(port, profile.path())?;
        let http =
            reqwest::Client::builder().timeout(Duration::from_secs(60)).build().map_err(|e| err(e.to_string()))?;
        let base = format!("http://127.0.0.1:{port}");

        // Ready when /status says so.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = match http.get(format!("{base}/status")).send().await {
                Ok(r) => r.json::<Value>().await.ok().and_then(|v| v["value"]["ready"].as_bool()).unwrap_or(false),
                Err(_) => false,
            };
            if ready {
                break;
            }
            if Instant::now() > deadline {
                return Err(err(format!("chromedriver did not become ready on port {port}:\n{}", driver.log_tail())));
            }
            tokio::time::sleep(POLL).await;
        }

        let user_data_dir = profile.path().join("profile");
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--user-data-dir={}", user_data_dir.display()),
        ];
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args }
                }
            }
        });
        let resp = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .map_err(|e| err(format!("new session: {e}")))?;
        let status = resp.status();
        let body: Value = resp.json().await.map_err(|e| err(format!("new session: {e}")))?;
        let Some(id) = body["value"]["sessionId"].as_str() else {
            return Err(err(format!(
                "new session failed ({status}): {}\n{}",
                body["value"]["message"],
                driver.log_tail()
            )));
        };
        let session = format!("{base}/session/{id}");
        Ok(Self { http, session, driver, _profile: profile })
    }

    /// Sends one WebDriver command; returns its `value`, or the driver's error with the command named.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{path}", self.session);
        let mut req = self.http.request(method.clone(), &url);
        if let Some(b) = &body {
            req = req.json(b);
        } else if method == reqwest::Method::POST {
            req = req.json(&json!({}));
        }
        let resp = req.send().await.map_err(|e| err(format!("{method} {path}: {e}\n{}", self.driver.log_tail())))?;
        let status = resp.status();
        let v: Value = resp.json().await.map_err(|e| err(format!("{method} {path}: unreadable answer: {e}")))?;
        if status.is_success() {
            Ok(v["value"].clone())
        } else {
            Err(err(format!("{method} {path}: {} ({}): {}", v["value"]["error"], status, v["value"]["message"])))
        }
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.command(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.command(reqwest::Method::GET, path, None).await
    }

    /// Loads `url` and waits for the document to load (not for the app to render: wait for an element for that).
    pub async fn navigate(&self, url: &str) -> Result<()> {
        self.post("/url", json!({ "url": url })).await.map(drop)
    }

    pub async fn current_url(&self) -> Result<String> {
        Ok(self.get("/url").await?.as_str().unwrap_or_default().to_owned())
    }

    /// The first element matching `css`, if there is one now.
    pub async fn find(&self, css: &str) -> Result<Element<'_>> {
        let v = self.post("/element", json!({ "using": "css selector", "value": css })).await?;
        self.element(&v, css)
    }

    /// Every element matching `css` now (possibly none).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element<'_>>> {
        let v = self.post("/elements", json!({ "using": "css selector", "value": css })).await?;
        v.as_array()
            .ok_or_else(|| err(format!("find_all {css}: not a list: {v}")))?
            .iter()
            .map(|e| self.element(e, css))
            .collect()
    }

    fn element(&self, v: &Value, css: &str) -> Result<Element<'_>> {
        let id = v[ELEMENT_KEY].as_str().ok_or_else(|| err(format!("find {css}: no element reference in {v}")))?;
        Ok(Element { browser: self, id: id.to_owned(), css: css.to_owned() })
    }

    /// Waits until an element matching `css` exists and is displayed, or `deadline` passes.
    pub async fn wait_for(&self, css: &str, deadline: Instant) -> Result<Element<'_>> {
        loop {
            if let Ok(list) = self.find_all(css).await {
                for e in list {
                    if e.is_displayed().await.unwrap_or(false) {
                        return Ok(e);
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(self.timed_out(&format!("a visible element matching `{css}`")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until no displayed element matches `css`.
    pub async fn wait_gone(&self, css: &str, deadline: Instant) -> Result<()> {
        loop {
            let mut any = false;
            if let Ok(list) = self.find_all(css).await {
                for e in list {
                    any |= e.is_displayed().await.unwrap_or(false);
                }
            }
            if !any {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(self.timed_out(&format!("no visible element matching `{css}`")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until exactly `n` elements match `css`.
    pub async fn wait_for_count(&self, css: &str, n: usize, deadline: Instant) -> Result<()> {
        loop {
            let got = self.find_all(css).await.map(|l| l.len()).unwrap_or(0);
            if got == n {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(self.timed_out(&format!("{n} elements matching `{css}` (there are {got})")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the input (or select) matching `css` has the value `want`.
    pub async fn wait_for_value(&self, css: &str, want: &str, deadline: Instant) -> Result<()> {
        loop {
            let got = match self.find(css).await {
                Ok(el) => el.value().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if got == want {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(self.timed_out(&format!("`{css}` to show {want:?} (it shows {got:?})")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until a displayed element matching `css` has text containing `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str, deadline: Instant) -> Result<Element<'_>> {
        loop {
            if let Ok(list) = self.find_all(css).await {
                for e in list {
                    if e.is_displayed().await.unwrap_or(false)
                        && e.text().await.map(|t| t.contains(text)).unwrap_or(false)
                    {
                        return Ok(e);
                    }
                }
            }
            if Instant::now() > deadline {
                return Err(self.timed_out(&format!("`{css}` containing {text:?}")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until the page's path (URL without origin or query) is `path`.
    pub async fn wait_for_path(&self, path: &str, deadline: Instant) -> Result<()> {
        loop {
            let url = self.current_url().await?;
            if url_path(&url) == path {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(self.timed_out(&format!("the path {path} (at {url})")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// A timeout error that says where the browser was and what the page said.
    async fn timed_out(&self, waiting_for: &str) -> BrowserError {
        let url = self.current_url().await.unwrap_or_default();
        let text =
            self.execute("return document.body ? document.body.innerText : ''", json!([])).await.unwrap_or_default();
        let text: String = text.as_str().unwrap_or_default().chars().take(800).collect();
        err(format!("timed out waiting for {waiting_for}\nat {url}\npage text:\n{text}"))
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns what it returns.
    pub async fn execute(&self, script: &str, args: Value) -> Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Makes the page's viewport `width` × `height` CSS pixels (what media queries see): sizes the window, and if
    /// the window cannot get that small (browsers keep a minimum width) or its frame takes some of it, overrides
    /// the viewport through the DevTools protocol.
    pub async fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        self.post("/window/rect", json!({ "width": width, "height": height })).await?;
        let inner = self.execute("return [window.innerWidth, window.innerHeight]", json!([])).await?;
        if inner != json!([width, height]) {
            let params = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false });
            self.post("/goog/cdp/execute", json!({ "cmd": "Emulation.setDeviceMetricsOverride", "params": params }))
                .await?;
        }
        Ok(())
    }

    /// Saves a PNG of the viewport to `path` (parent directories created).
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let v = self.get("/screenshot").await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| err(format!("screenshot: {e}")))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
        }
        std::fs::write(path, png).map_err(|e| err(format!("cannot write {}: {e}", path.display())))
    }

    /// Ends the session (Chromium quits) before the driver is stopped. Dropping without it works too.
    pub async fn close(self) -> Result<()> {
        self.command(reqwest::Method::DELETE, "", None).await.map(drop)
    }
}

impl<'a> Element<'a> {
    async fn get(&self, what: &str) -> Result<Value> {
        self.browser
            .get(&format!("/element/{}/{what}", self.id))
            .await
            .map_err(|e| err(format!("{} ({})", e, self.css)))
    }

    pub async fn click(&self) -> Result<()> {
        self.browser
            .post(&format!("/element/{}/click", self.id), json!({}))
            .await
            .map(drop)
            .map_err(|e| err(format!("click {}: {e}", self.css)))
    }

    /// Types `text` into the element (focusing it first), as a user would.
    pub async fn send_keys(&self, text: &str) -> Result<()> {
        self.browser
            .post(&format!("/element/{}/value", self.id), json!({ "text": text }))
            .await
            .map(drop)
            .map_err(|e| err(format!("type into {}: {e}", self.css)))
    }

    /// Empties an input or textarea.
    pub async fn clear(&self) -> Result<()> {
        self.browser
            .post(&format!("/element/{}/clear", self.id), json!({}))
            .await
            .map(drop)
            .map_err(|e| err(format!("clear {}: {e}", self.css)))
    }

    /// An input's current value (the property, not the attribute).
    pub async fn value(&self) -> Result<String> {
        Ok(self.get("property/value").await?.as_str().unwrap_or_default().to_owned())
    }

    /// The rendered text, as a user reads it (hidden parts left out).
    pub async fn text(&self) -> Result<String> {
        Ok(self.get("text").await?.as_str().unwrap_or_default().to_owned())
    }

    pub async fn attribute(&self, name: &str) -> Result<Option<String>> {
        Ok(self.get(&format!("attribute/{name}")).await?.as_str().map(str::to_owned))
    }

    pub async fn is_displayed(&self) -> Result<bool> {
        Ok(self.get("displayed").await?.as_bool().unwrap_or(false))
    }

    /// The first element inside this one matching `css`.
    pub async fn find(&self, css: &str) -> Result<Element<'a>> {
        let v = self
            .browser
            .post(&format!("/element/{}/element", self.id), json!({ "using": "css selector", "value": css }))
            .await?;
        self.browser.element(&v, css)
    }

    pub async fn find_all(&self, css: &str) -> Result<Vec<Element<'a>>> {
        let v = self
            .browser
            .post(&format!("/element/{}/elements", self.id), json!({ "using": "css selector", "value": css }))
            .await?;
        v.as_array()
            .ok_or_else(|| err(format!("find_all {css}: not a list: {v}")))?
            .iter()
            .map(|e| self.browser.element(e, css))
            .collect()
    }
}

/// `http://host:port/a/b?c#d` → `/a/b`.
pub fn url_path(url: &str) -> &str {
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = after_scheme.find('/').map(|i| &after_scheme[i..]).unwrap_or("/");
    path.split(['?', '#']).next().unwrap_or(path)
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| err(format!("no free port: {e}")))?;
    Ok(l.local_addr().map_err(|e| err(e.to_string()))?.port())
}

/// `Instant::now() + DEFAULT_WAIT`, for the common case.
pub fn soon() -> Instant {
    Instant::now() + DEFAULT_WAIT
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn paths_of_urls() {
        assert_eq!(url_path("http://127.0.0.1:80/leads/4?x=1#y"), "/leads/4");
        assert_eq!(url_path("http://127.0.0.1:80"), "/");
        assert_eq!(url_path("http://h/sign-in?next=%2Fleads"), "/sign-in");
    }
}
