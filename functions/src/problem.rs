//! The one place errors become HTTP responses: problem+json (RFC 9457) with `errors: [{field, code, message}]`.

use lambda_http::{Body, Response};
use serde::Serialize;
use serde_json::Value;
use vigil_app::AppError;
use vigil_domain::FieldError;

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
}

impl Problem {
    pub fn new(status: u16, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://vigil.example/problems/{slug}"),
            title: title.into(),
            status,
            detail: detail.into(),
            errors: vec![],
            current: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn into_response(self) -> Response<Body> {
        let body = serde_json::to_string(&self).unwrap_or_else(|_| "{}".into());
        Response::builder()
            .status(self.status)
            .header("content-type", "application/problem+json")
            .body(Body::Text(body))
            .expect("static headers are valid")
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
        AppError::Store(_) | AppError::Queue(_) | AppError::Internal(_) => Problem::new(
            500,
            "internal",
            "Something went wrong",
            "the server could not complete the request; it has been logged",
        ),
    }
}
