//! Starts the local runtime in-process on a free port, so tests talk to it over real HTTP exactly as the portal does.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use tempfile::TempDir;
use vigil_local::seed::SeedSize;
use vigil_local::{Backend, Config, Running};

pub struct LocalRuntime {
    running: Option<Running>,
    base_url: String,
    http: reqwest::Client,
    _data: TempDir,
}

/// The repository root (this package lives in `tests/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

impl LocalRuntime {
    /// The embedded default with the full demo seed, serving the built portal from `web/dist`.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// As `start`, with a smaller seed (quicker for API tests that do not need 2,500 records a company).
    pub async fn start_small() -> Self {
        Self::start_with(|c| c.seed = Some(SeedSize { leads: 120, customers: 40 })).await
    }

    /// Starts with the default test configuration changed by `tweak` (backend, seed, …).
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config =
            Config { data_dir: data.path().to_path_buf(), web_dir: repo_root().join("web/dist"), ..Config::default() };
        config.addr.set_port(0);
        config.timer = Duration::from_secs(3600);
        config.backend = Backend::Embedded;
        tweak(&mut config);
        let running = vigil_local::start(config).await.expect("local runtime starts");
        let base_url = running.base_url();
        Self { running: Some(running), base_url, http: reqwest::Client::new(), _data: data }
    }

    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn services(&self) -> &vigil_app::Services {
        &self.running.as_ref().expect("running").services
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A session token for a demo user, through the local sign-in endpoint.
    pub async fn sign_in(&self, email: &str) -> String {
        let resp = self
            .http
            .post(self.url("/api/v1/dev/sign-in"))
            .json(&json!({ "email": email }))
            .send()
            .await
            .expect("sign-in request");
        assert_eq!(resp.status(), 200, "sign-in as {email}");
        let body: Value = resp.json().await.expect("sign-in JSON");
        body["token"].as_str().expect("token").to_owned()
    }

    /// GET with a bearer token; returns status and JSON body.
    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        send(self, "GET", token, path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        send(self, "POST", token, path, Some(body)).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        send(self, "PATCH", token, path, Some(body)).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        send(self, "PUT", token, path, Some(body)).await
    }

    pub async fn delete(&self, token: &str, path: &str) -> (u16, Value) {
        send(self, "DELETE", token, path, None).await
    }

    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }
}

/// Any request with a bearer token and an optional JSON body; returns status and JSON body (null when none).
pub async fn send(rt: &LocalRuntime, method: &str, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("HTTP method");
    let mut req = rt.http().request(method, rt.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Polls `check` until it returns `Some` or the deadline passes (then panics with `what`).
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let until = tokio::time::Instant::now() + deadline;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
