//! The portal under a browser test: the built `web/dist` (rebuilt first when older than the portal's sources) served
//! by an in-process local runtime, or a portal that is already running (`VIGIL_BROWSER_BASE_URL`), plus the API calls
//! the tests make beside the browser.

#[path = "../../infra/xtask/src/web.rs"]
#[allow(dead_code)]
mod web_build;

use crate::browser::{soon, Browser};
use crate::runtime::{repo_root, LocalRuntime};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Where a test's screenshot goes (`target/browser/NAME.png`), for a human to look at.
pub fn screenshot_path(name: &str) -> PathBuf {
    repo_root().join("target").join("browser").join(format!("{name}.png"))
}

/// Builds `web/dist` unless it is newer than every source file of the portal. Tests of one binary running at once
/// share one build through the lock.
pub fn ensure_portal_built() {
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let root = repo_root();
    let built = modified(&root.join("web/dist/vigil_web_bg.wasm"));
    let sources =
        newest(&root.join("web/src")).max(newest(&root.join("web/static"))).max(modified(&root.join("web/index.html")));
    if built.is_none() || built < sources || !root.join("web/dist/index.html").is_file() {
        web_build::build_web(&root).expect("building the portal (web/dist) failed");
    }
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn newest(dir: &Path) -> Option<SystemTime> {
    let mut best = modified(dir);
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        let t = if p.is_dir() { newest(&p) } else { modified(&p) };
        best = best.max(t);
    }
    best
}

pub struct Portal {
    base: String,
    _runtime: Option<LocalRuntime>,
}

impl Portal {
    /// With the full demo seed.
    pub async fn start() -> Self {
        Self::start_seeded(false).await
    }

    /// With a small demo seed (quicker when the test makes its own records).
    pub async fn start_small() -> Self {
        Self::start_seeded(true).await
    }

    async fn start_seeded(small: bool) -> Self {
        if let Ok(base) = std::env::var("VIGIL_BROWSER_BASE_URL") {
            return Portal { base: base.trim_end_matches('/').to_owned(), _runtime: None };
        }
        ensure_portal_built();
        let runtime = if small { LocalRuntime::start_small().await } else { LocalRuntime::start().await };
        Portal { base: runtime.base_url().trim_end_matches('/').to_owned(), _runtime: Some(runtime) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls the API: the status and the JSON body (`Null` when there is none).
    pub async fn call(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = reqwest::Client::new().request(method.clone(), self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Calls the API; panics unless the answer is a success.
    pub async fn api(&self, method: reqwest::Method, token: Option<&str>, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.call(method.clone(), token, path, body).await;
        assert!((200..300).contains(&status), "{method} {path}: {status}: {v}");
        v
    }

    /// GET as `token`; panics unless the answer is a success.
    pub async fn get(&self, token: &str, path: &str) -> Value {
        self.api(reqwest::Method::GET, Some(token), path, None).await
    }

    pub async fn demo_users(&self) -> Vec<Value> {
        self.api(reqwest::Method::GET, None, "/api/v1/dev/users", None)
            .await
            .as_array()
            .expect("demo users are a list")
            .clone()
    }

    pub async fn token_for(&self, email: &str) -> String {
        let v = self.api(reqwest::Method::POST, None, "/api/v1/dev/sign-in", Some(json!({ "email": email }))).await;
        v["token"].as_str().expect("a token").to_owned()
    }

    /// A desktop-sized browser signed in as the demo user `email` through the sign-in page.
    pub async fn browser_as(&self, email: &str) -> Browser {
        let b = Browser::start().await.expect("starting the browser");
        b.set_window_size(1280, 1000).await.expect("window size");
        self.sign_in(&b, email).await;
        b
    }

    /// Signs `b` in as the demo user `email` and waits for the navigation.
    pub async fn sign_in(&self, b: &Browser, email: &str) {
        b.navigate(&self.url("/sign-in")).await.expect("sign-in page");
        b.wait_for(&format!(r#"[data-testid="dev-user"][data-email="{email}"]"#), soon())
            .await
            .expect("the demo user")
            .click()
            .await
            .expect("click");
        b.wait_for(r#"[data-testid="top-nav"]"#, soon()).await.expect("signed in");
    }

    /// Opens a customer's Home page and waits for its header and first card.
    pub async fn open_customer(&self, b: &Browser, id: u64) {
        b.navigate(&self.url(&format!("/customers/{id}"))).await.expect("customer page");
        b.wait_for(r#"[data-testid="customer-header"]"#, soon()).await.expect("customer header");
        b.wait_for(r#"[data-testid="card-personal"]"#, soon()).await.expect("personal card");
    }

    /// The first company's demo user with `role`, and a token for them.
    pub async fn user(&self, role: &str) -> (String, String) {
        let users = self.demo_users().await;
        let company = users[0]["company"].clone();
        let u =
            users.iter().find(|u| u["company"] == company && u["role"] == role).expect("a demo user with that role");
        let email = u["email"].as_str().expect("an email").to_owned();
        let token = self.token_for(&email).await;
        (email, token)
    }
}

/// In the open Convert-to-Customer dialog: office location `location` and the demo sales rep as Sold By. The
/// location's options arrive with the form options, so the wait is on the option itself.
pub async fn fill_convert_dialog(b: &Browser, location: u64) {
    b.wait_for(r#"[data-testid="convert-dialog"]"#, soon()).await.expect("the Convert dialog");
    b.wait_for(&format!(r#"[data-testid="convert-office_location_id"] option[value="{location}"]"#), soon())
        .await
        .expect("the office location")
        .click()
        .await
        .expect("click the office location");
    b.find(r#"[data-testid="convert-sold_by_id"] option[value="acme-sales-rep"]"#)
        .await
        .expect("the Sold By rep")
        .click()
        .await
        .expect("click Sold By");
}

/// Confirms the Convert-to-Customer dialog.
pub async fn confirm_convert_dialog(b: &Browser) {
    b.find(r#"[data-testid="convert-confirm"]"#)
        .await
        .expect("the Convert button")
        .click()
        .await
        .expect("click Convert");
}

/// Converts from the open Convert-to-Customer dialog at office location `location`, sold by the demo sales rep.
pub async fn convert_in_dialog(b: &Browser, location: u64) {
    fill_convert_dialog(b, location).await;
    confirm_convert_dialog(b).await;
}
