//! The one place errors become HTTP responses: problem+json (RFC 9457) with `errors: [{field, code, message}]`.

use lambda_http::{Body, Response};
use serde::Serialize;
use serde_json::Value;
use vigil_app::AppError;
use vigil_domain::FieldError;
use vigil_store::StoreError;

/// Every API answer is about one user's data at one moment: no browser, proxy or CDN may keep a copy.
pub const NO_STORE: &str = "no-store";

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// The stored record on a version conflict, so the portal can show what changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
    /// Seconds the caller should wait before trying again (the `Retry-After` header, not part of the body).
    #[serde(skip)]
    pub retry_after: Option<u32>,
    /// The methods the path does answer to (the `Allow` header of a 405, not part of the body).
    #[serde(skip)]
    pub allow: Option<String>,
}

/// Seconds a 503 asks the caller to wait: the store's own retries have just spent a couple of seconds, so the
/// contention that outlasted them is unlikely to be gone sooner.
pub const RETRY_AFTER_SECS: u32 = 2;

impl Problem {
    pub fn new(status: u16, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://vigil.example/problems/{slug}"),
            title: title.into(),
            status,
            detail: detail.into(),
            errors: vec![],
            current: None,
            retry_after: None,
            allow: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn into_response(self) -> Response<Body> {
        let body = serde_json::to_string(&self).unwrap_or_else(|_| "{}".into());
        let mut resp = Response::builder()
            .status(self.status)
            .header("content-type", "application/problem+json")
            .header("cache-control", NO_STORE);
        if let Some(secs) = self.retry_after {
            resp = resp.header("retry-after", secs);
        }
        if let Some(allow) = &self.allow {
            resp = resp.header("allow", allow.as_str());
        }
        // Every header value here is ours (a number, or method names from the contract), so building cannot fail;
        // should it, an empty 500 still beats a panic.
        resp.body(Body::Text(body)).unwrap_or_else(|_| {
            let mut fallback = Response::new(Body::Empty);
            *fallback.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
    }
}

/// Maps an operation's failure. Server-side failures say nothing of their cause to the caller (it is logged).
pub fn from_app_error(e: &AppError) -> Problem {
    match e {
        AppError::Invalid(inv) => {
            Problem::new(422, "validation", "Some fields need attention", e.to_string()).with_errors(inv.errors.clone())
        }
        AppError::BadRequest { field, code, message } => {
            Problem::new(400, "bad-request", "The request cannot be used", message.clone())
                .with_errors(vec![FieldError::new(*field, *code, message.clone())])
        }
        AppError::Unauthenticated => {
            Problem::new(401, "unauthenticated", "Please sign in", "your session is missing, expired or invalid")
        }
        AppError::Forbidden(msg) => Problem::new(403, "forbidden", "You do not have permission", msg.clone()),
        AppError::NotFound(what) => Problem::new(404, "not-found", "Not found", format!("{what} not found")),
        AppError::Conflict { message, current } => {
            let mut p = Problem::new(409, "conflict", "Conflict", message.clone());
            p.current = current.clone();
            p
        }
        AppError::TooLarge { limit } => Problem::new(
            413,
            "too-large",
            "Request too large",
            format!("the request body may be at most {} KiB", limit / 1024),
        ),
        // Contention that outlasted the store's retries: nothing was written, and the same request may succeed soon.
        AppError::Store(StoreError::Busy) => {
            let mut p = Problem::new(
                503,
                "busy",
                "Busy, please try again",
                "too many changes to the same records at once; nothing was saved, try again shortly",
            );
            p.retry_after = Some(RETRY_AFTER_SECS);
            p
        }
        AppError::RateLimited { retry_after } => {
            let mut p = Problem::new(
                429,
                "rate-limited",
                "Too many requests",
                format!("you have asked too often; try again in {retry_after} seconds"),
            );
            p.retry_after = Some(*retry_after);
            p
        }
        AppError::Store(_) | AppError::Queue(_) | AppError::Internal(_) => Problem::new(
            500,
            "internal",
            "Something went wrong",
            "the server could not complete the request; it has been logged",
        ),
    }
}
