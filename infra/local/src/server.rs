//! The HTTP server: API routes through the gateway to the handlers, everything else to the portal's files.

use crate::backend::{self, BackendError};
use crate::cognito::CognitoVerifier;
use crate::config::{Backend, Config};
use crate::dev;
use crate::gateway::{self, Incoming, Issuer, Target};
use crate::tokens::TokenSigner;
use axum::body::Body as AxumBody;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use lambda_http::Body as LambdaBody;
use rand::RngCore;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::services::{ServeDir, ServeFile};
use tracing::info;
use vigil_api::LocalFunction;
use vigil_app::{AppError, Services};
use vigil_functions::problem::{from_app_error, Problem};

struct Runtime {
    services: Services,
    /// One permit per request a handler may serve at once (see [`Config::concurrency`]).
    in_flight: tokio::sync::Semaphore,
    /// Whose tokens the authorizer accepts: the local signer's (embedded) or the user pool's (AWS).
    issuer: Issuer,
    session_secs: u64,
    /// The signer of the demo sign-in, when it is served: only with the embedded backend, and only on a loopback
    /// address. `None` leaves its routes absent.
    dev_sign_in: Option<TokenSigner>,
    /// The address listened on, when it is a loopback one: API requests must name it (or `localhost`) as their
    /// `Host`, so a page on another name that resolves here (DNS rebinding) cannot use the local API.
    loopback: Option<SocketAddr>,
    /// Where import uploads are written (the imports bucket's stand-in).
    objects: vigil_store::objects::LocalObjects,
}

/// A started runtime. Dropping it does not stop it; call [`Running::stop`].
pub struct Running {
    pub addr: SocketAddr,
    pub services: Services,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }

    /// Waits until the server task ends (it ends on `stop` or a fatal error).
    pub async fn wait(mut self) {
        if let Some(server) = self.tasks.pop() {
            let _ = server.await;
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("seeding demo data failed: {0}")]
    Seed(AppError),
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("{0}")]
    Config(String),
}

/// Opens the backends, seeds demo data on first start, and serves on `config.addr` (port 0 picks a free port).
pub async fn start(config: Config) -> Result<Running, StartError> {
    // Over the AWS backend only the user pool's tokens are accepted, so it has to be named before anything starts.
    let cognito = match (config.backend, &config.cognito) {
        (Backend::Embedded, _) => None,
        (Backend::Aws, Some(settings)) => {
            Some(Arc::new(CognitoVerifier::new(settings.clone()).map_err(StartError::Config)?))
        }
        (Backend::Aws, None) => {
            return Err(StartError::Config(
                "VIGIL_BACKEND=aws accepts only the user pool's tokens: set VIGIL_COGNITO_ISSUER and \
                 VIGIL_COGNITO_CLIENT_ID (and VIGIL_COGNITO_JWKS_URL for an emulator)"
                    .into(),
            ))
        }
    };
    let backends = backend::open(&config).await?;
    let services = backends.services.clone();
    if let Some(size) = config.seed {
        let started = std::time::Instant::now();
        let created = crate::seed::seed_demo(&services, size).await.map_err(StartError::Seed)?;
        if created > 0 {
            info!(companies = created, seconds = started.elapsed().as_secs_f64(), "demo data seeded");
        }
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await.map_err(|e| StartError::Bind(config.addr, e))?;
    let addr = listener.local_addr().map_err(|e| StartError::Bind(config.addr, e))?;
    let loopback = addr.ip().is_loopback().then_some(addr);
    if config.seed.is_some() && loopback.is_some() {
        // The demo companies sell leads to each other through this runtime's own intake, on whatever port it got.
        crate::seed::point_demo_posts_at(&services, addr.port()).await.map_err(StartError::Seed)?;
    }
    let signer = TokenSigner::new(backends.token_key);
    let dev_sign_in = serves_dev_sign_in(&config, addr).then(|| signer.clone());
    let issuer = match cognito {
        Some(verifier) => Issuer::Cognito(verifier),
        None => Issuer::Local(signer),
    };
    let runtime = Arc::new(Runtime {
        services: services.clone(),
        in_flight: tokio::sync::Semaphore::new(config.concurrency.max(1)),
        issuer,
        session_secs: config.session.as_secs(),
        dev_sign_in,
        loopback,
        objects: backends.objects.clone(),
    });
    backends.objects.set_base_url(format!("http://{addr}"));

    let index = config.web_dir.join("index.html");
    // Unknown paths are the portal's own routes (deep links): index.html with 200, as CloudFront serves them. The
    // build compresses the wasm and its glue ahead of time (`x.wasm.br`, `x.wasm.gz`); a browser that accepts one of
    // those gets it in place of the 1.6 MB file.
    let portal =
        ServeDir::new(&config.web_dir).precompressed_br().precompressed_gzip().fallback(ServeFile::new(&index));
    let app = Router::new()
        .route("/api", any(api))
        .route("/api/{*rest}", any(api))
        // The sandbox payment processor's own endpoint (see `sandbox_processor`), beside the API, not in it.
        .route(crate::sandbox_processor::PATH, axum::routing::post(crate::sandbox_processor::tokens))
        .route("/uploads/{token}", axum::routing::put(upload))
        .with_state(runtime)
        .fallback_service(portal);
    let app = if index.exists() { app } else { app.fallback(portal_missing) };
    let app = app.layer(axum::middleware::map_response(security_headers));
    let (stop, stopped) = watch::channel(false);
    let mut tasks = vec![
        tokio::spawn(crate::jobs::poll_forever(services.clone(), stopped.clone())),
        tokio::spawn(crate::jobs::timer_forever(services.clone(), backends.embedded, config.timer, stopped.clone())),
    ];
    let mut shutdown = stopped;
    tasks.push(tokio::spawn(async move {
        let serve = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = shutdown.changed().await;
            });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "server stopped");
        }
    }));
    info!(%addr, backend = ?config.backend, "Vigil local runtime listening");
    Ok(Running { addr, services, stop, tasks })
}

async fn portal_missing() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        [("content-type", "text/html; charset=utf-8")],
        "<!doctype html><title>Vigil</title><p>The portal has not been built. Run <code>cargo xtask run</code> from the repository root.</p>",
    )
}

/// The demo sign-in issues tokens for any seeded user, so it must never front a table other than this machine's own
/// file, nor answer another machine: it is served only over the embedded backend and on a loopback address. With the
/// AWS backend its routes are absent whatever the endpoint (an emulator too), and tokens come from the user pool.
fn serves_dev_sign_in(config: &Config, listen: SocketAddr) -> bool {
    listen.ip().is_loopback() && config.backend == Backend::Embedded
}

/// The headers CloudFront's response headers policy adds in AWS (see `PortalHeadersPolicy` in the template).
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert("content-security-policy", HeaderValue::from_static(vigil_api::CONTENT_SECURITY_POLICY));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("strict-origin-when-cross-origin"));
    res
}

/// Whether `host` (a `Host` header) names the loopback address the runtime listens on.
fn names_this_host(host: Option<&str>, listen: SocketAddr) -> bool {
    let Some(host) = host else { return false };
    let port = listen.port();
    [listen.to_string(), format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")]
        .iter()
        .any(|h| h.eq_ignore_ascii_case(host))
}

fn request_id() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn api(State(rt): State<Arc<Runtime>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    if let Some(listen) = rt.loopback {
        let host = parts.headers.get("host").and_then(|h| h.to_str().ok());
        if !names_this_host(host, listen) {
            return problem(Problem::new(
                421,
                "misdirected",
                "Wrong host",
                "this runtime answers only requests addressed to it by its own address or localhost",
            ));
        }
    }
    let Some(matched) = gateway::find(&method, &path) else {
        let allow = gateway::methods_of(&path);
        if allow.is_empty() {
            return to_axum(vigil_functions::http::no_route(&method, &path));
        }
        return to_axum(vigil_functions::http::method_not_allowed(&method, &path, &allow));
    };
    // The demo sign-in exists only with the embedded backend on a loopback address: elsewhere its routes are absent.
    let dev_signer = match (matched.route.function, &rt.dev_sign_in) {
        (Target::Local(_), None) => return to_axum(vigil_functions::http::no_route(&method, &path)),
        (_, signer) => signer,
    };
    // The handlers refuse a larger body too; refusing here stops reading it.
    let body = match axum::body::to_bytes(body, vigil_functions::http::MAX_BODY_BYTES).await {
        Ok(b) if b.is_empty() => None,
        Ok(b) => match String::from_utf8(b.to_vec()) {
            Ok(s) => Some(s),
            Err(_) => {
                return problem(Problem::new(
                    400,
                    "bad-request",
                    "The request cannot be used",
                    "the body must be UTF-8 JSON",
                ))
            }
        },
        Err(_) => return to_axum(vigil_functions::http::body_too_large()),
    };
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in &parts.headers {
        if let Ok(v) = value.to_str() {
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|e| {
                    e.push(',');
                    e.push_str(v);
                })
                .or_insert_with(|| v.to_owned());
        }
    }
    let now = rt.services.clock.now();
    let now_secs = now.unix_timestamp().max(0) as u64;

    // The local-only demo sign-in is not a Lambda.
    let function = match matched.route.function {
        Target::Local(LocalFunction::DevUsers) => return local_json(dev::list_users(&rt.services).await),
        Target::Local(LocalFunction::DevSignIn) => {
            let Some(signer) = dev_signer else { return to_axum(vigil_functions::http::no_route(&method, &path)) };
            return local_json(dev::sign_in(&rt.services, signer, body.as_deref(), rt.session_secs).await);
        }
        Target::Lambda(f) => f,
    };

    let auth = match gateway::authorize(
        &rt.issuer,
        &matched.route,
        headers.get("authorization").map(String::as_str),
        now_secs,
    )
    .await
    {
        Ok(a) => a,
        // API Gateway's own 401: the function is never invoked.
        Err(reason) => return problem(Problem::new(401, "unauthenticated", "Please sign in", reason)),
    };
    let rid = request_id();
    let incoming = Incoming {
        method: &method,
        path: &path,
        raw_query: parts.uri.query().unwrap_or(""),
        headers,
        body,
        request_id: &rid,
        now_ms: (now.unix_timestamp_nanos() / 1_000_000) as i64,
        source_ip: peer.ip().to_string(),
    };
    let event = gateway::event(&matched, &incoming, &auth);
    let request = match lambda_http::request::from_str(&event.to_string()) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "could not build a Lambda request");
            return problem(Problem::new(
                500,
                "internal",
                "Something went wrong",
                "the gateway could not build the request",
            ));
        }
    };
    // Waiting for a permit is what a request does in AWS when the function is at its reserved concurrency.
    let Ok(_permit) = rt.in_flight.acquire().await else {
        return problem(Problem::new(503, "busy", "Busy, please try again", "the runtime is shutting down"));
    };
    to_axum(vigil_functions::http::serve(&rt.services, function, request).await)
}

fn local_json<T: serde::Serialize>(result: Result<T, AppError>) -> Response {
    match result {
        Ok(v) => axum::Json(v).into_response(),
        Err(e) => problem(from_app_error(&e)),
    }
}

/// `PUT /uploads/{token}`: the imports bucket's stand-in. The token in the URL is the whole authorisation (as a
/// presigned S3 URL's signature is): unguessable, spent on first use, and good for one file of at most the grant's
/// size, which is streamed to disk rather than held in memory.
async fn upload(
    State(rt): State<Arc<Runtime>>,
    axum::extract::Path(token): axum::extract::Path<String>,
    req: Request,
) -> Response {
    use http_body_util::BodyExt;
    use tokio::io::AsyncWriteExt;
    let (parts, mut body) = req.into_parts();
    if let Some(listen) = rt.loopback {
        if !names_this_host(parts.headers.get("host").and_then(|h| h.to_str().ok()), listen) {
            return problem(Problem::new(421, "misdirected", "Wrong host", "address this runtime by its own address"));
        }
    }
    let too_large = || {
        problem(Problem::new(
            413,
            "too-large",
            "Too large",
            format!("an upload is at most {} MB", vigil_store::objects::MAX_UPLOAD_BYTES / (1024 * 1024)),
        ))
    };
    let declared =
        parts.headers.get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    // A declared size over the limit is refused before the token is spent, so the client may try again smaller.
    if declared.is_some_and(|n| n > vigil_store::objects::MAX_UPLOAD_BYTES) {
        return too_large();
    }
    let grant = match vigil_app::imports::consume_upload_token(&rt.services, &token).await {
        Ok(Some(g)) => g,
        Ok(None) => {
            return problem(Problem::new(403, "forbidden", "Forbidden", "this upload URL is used, expired or unknown"))
        }
        Err(e) => return to_axum(from_app_error(&e).into_response()),
    };
    let failed = |e: std::io::Error| {
        tracing::error!(error = %e, "upload could not be stored");
        problem(Problem::new(500, "internal", "Upload failed", "the upload could not be stored"))
    };
    let (dir, path) = match (rt.objects.dir(), rt.objects.path(&grant.object)) {
        (Ok(d), Ok(p)) => (d.clone(), p),
        _ => return problem(Problem::new(500, "internal", "Upload failed", "the upload could not be stored")),
    };
    let part = dir.join(format!(".{}.part", grant.import_id));
    let mut file = match tokio::fs::File::create(&part).await {
        Ok(f) => f,
        Err(e) => return failed(e),
    };
    let mut written = 0u64;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            let _ = tokio::fs::remove_file(&part).await;
            return problem(Problem::new(400, "bad-request", "Upload interrupted", "the upload was interrupted"));
        };
        let Ok(data) = frame.into_data() else { continue };
        written += data.len() as u64;
        if written > grant.max_bytes {
            drop(file);
            let _ = tokio::fs::remove_file(&part).await;
            return too_large();
        }
        if let Err(e) = file.write_all(&data).await {
            let _ = tokio::fs::remove_file(&part).await;
            return failed(e);
        }
    }
    if let Err(e) = file.flush().await {
        return failed(e);
    }
    drop(file);
    if let Err(e) = tokio::fs::rename(&part, &path).await {
        return failed(e);
    }
    info!(company = %grant.company, import = grant.import_id, bytes = written, "import file uploaded");
    let mut res = Response::new(AxumBody::empty());
    res.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
    res
}

fn problem(p: Problem) -> Response {
    to_axum(p.into_response())
}

fn to_axum(resp: lambda_http::Response<LambdaBody>) -> Response {
    let (parts, body) = resp.into_parts();
    let body = match body {
        LambdaBody::Empty => AxumBody::empty(),
        LambdaBody::Text(s) => AxumBody::from(s),
        LambdaBody::Binary(b) => AxumBody::from(b),
        _ => AxumBody::empty(),
    };
    let mut out = Response::from_parts(parts, body);
    out.headers_mut().insert("cache-control", HeaderValue::from_static("no-store"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_functions::env::AwsSettings;

    fn config(backend: Backend, endpoint: Option<&str>) -> Config {
        let aws = AwsSettings {
            table: "t".into(),
            queue_urls: Default::default(),
            endpoint: endpoint.map(str::to_owned),
            cursor_secret: vec![0; 16],
        };
        Config { backend, aws: Some(aws), ..Config::default() }
    }

    #[test]
    fn the_demo_sign_in_is_only_for_this_machine_and_never_over_the_aws_backend() {
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let everyone: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(serves_dev_sign_in(&config(Backend::Embedded, None), local));
        assert!(!serves_dev_sign_in(&config(Backend::Embedded, None), everyone));
        // An emulator on this machine is still the AWS backend: its tokens come from the (emulated) user pool.
        assert!(!serves_dev_sign_in(&config(Backend::Aws, Some("http://127.0.0.1:5000")), local));
        assert!(!serves_dev_sign_in(&config(Backend::Aws, Some("http://localhost:5000/")), local));
        assert!(!serves_dev_sign_in(&config(Backend::Aws, None), local), "AWS itself");
    }

    #[tokio::test]
    async fn the_aws_backend_does_not_start_without_a_user_pool() {
        let err = start(config(Backend::Aws, Some("http://127.0.0.1:9"))).await.err().expect("refused");
        assert!(matches!(err, StartError::Config(ref m) if m.contains("VIGIL_COGNITO_ISSUER")), "{err}");
    }

    #[test]
    fn only_requests_addressed_to_this_runtime_are_served() {
        let listen: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        for ok in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080"] {
            assert!(names_this_host(Some(ok), listen), "{ok}");
        }
        for bad in ["evil.example:8080", "127.0.0.1:8081", "localhost", "127.0.0.1.nip.io:8080", ""] {
            assert!(!names_this_host(Some(bad), listen), "{bad}");
        }
        assert!(!names_this_host(None, listen));
    }
}
