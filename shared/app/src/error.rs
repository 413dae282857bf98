use serde_json::Value;
use vigil_domain::Invalid;
use vigil_store::{CursorError, QueueError, StoreError};

/// What went wrong in an operation, split by whose fault it is. The HTTP edge maps each variant to one status.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller sent something invalid (422, fields named).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A request-level problem that is not one field's (400), e.g. a cursor from another query.
    #[error("{message}")]
    BadRequest { field: &'static str, code: &'static str, message: String },
    #[error("not signed in")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    /// Also what another company's IDs get: they do not exist for this caller.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A stale version or a duplicate; `current` is what is stored now, when the caller may see it.
    #[error("{message}")]
    Conflict { message: String, current: Option<Value> },
    /// The request body is larger than any operation takes (413); `limit` in bytes.
    #[error("the request body is over {limit} bytes")]
    TooLarge { limit: usize },
    /// `Busy` is contention that outlasted the store's retries (`crate::retry`): the edge answers 503.
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("queue failed: {0}")]
    Queue(#[from] QueueError),
    #[error("{0}")]
    Internal(String),
    /// The caller used up a per-user allowance (429); `retry_after` in seconds.
    #[error("too many requests; try again in {retry_after} s")]
    RateLimited { retry_after: u32 },
}

impl AppError {
    /// One field's problem, as a validation failure.
    pub fn from_field(e: vigil_domain::FieldError) -> Self {
        AppError::Invalid(e.into())
    }
}

impl From<CursorError> for AppError {
    fn from(e: CursorError) -> Self {
        AppError::BadRequest {
            field: "cursor",
            code: "invalid_cursor",
            message: format!("{e}; start again from the first page"),
        }
    }
}

/// What is wrong with JSON that `serde_json` refused, without any of the values it quotes: its messages repeat what
/// was sent ("invalid type: string \"123-45-6789\", expected …"), and request bodies and stored items carry personal
/// data, so the message may go into a response or a log only as this. Names that come from our own types (a missing
/// field, what was expected) are kept, since they are what the caller needs to fix the request.
pub fn serde_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax => format!("syntax error at line {} column {}", e.line(), e.column()),
        Category::Eof => "it ends too early".into(),
        Category::Io => "it could not be read".into(),
        Category::Data => {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or_default();
            // The last ", expected" starts our own text even if the value quoted before it contains those words.
            let expected = msg.rfind(", expected ").and_then(|i| msg.get(i + 2..)).unwrap_or("");
            let with_expected = |what: &str| {
                if expected.is_empty() {
                    what.to_owned()
                } else {
                    format!("{what}, {expected}")
                }
            };
            if msg.starts_with("missing field `") || msg.starts_with("duplicate field `") {
                msg.to_owned()
            } else if msg.starts_with("invalid type: ") {
                with_expected("a value has the wrong type")
            } else if msg.starts_with("invalid value: ") {
                with_expected("a value is not allowed")
            } else if msg.starts_with("unknown variant ") {
                with_expected("a value is not one of the allowed ones")
            } else if msg.starts_with("unknown field ") {
                with_expected("a field is not known")
            } else if msg.starts_with("invalid length ") {
                with_expected("a list has the wrong length")
            } else {
                "a value does not fit".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Form {
        count: u32,
        kind: Kind,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        Residential,
        Commercial,
    }

    fn problem_of(json: &str) -> String {
        match serde_json::from_str::<Form>(json) {
            Err(e) => serde_problem(&e),
            Ok(f) => panic!("parsed {f:?}"),
        }
    }

    #[test]
    fn serde_problems_never_quote_what_was_sent() {
        let secret = "123-45-6789";
        for (json, says) in [
            (format!(r#"{{"count": "{secret}", "kind": "residential"}}"#), "a value has the wrong type, expected u32"),
            (
                format!(r#"{{"count": 1, "kind": "{secret}"}}"#),
                "a value is not one of the allowed ones, expected `residential` or `commercial`",
            ),
            (format!(r#"{{"count": 1, "kind": "residential", "{secret}": 1}}"#), "a field is not known, expected"),
            (format!(r#"{{"count": 1, "kind": "x, expected {secret}"}}"#), "a value is not one of the allowed ones"),
            (r#"{"kind": "residential"}"#.to_owned(), "missing field `count`"),
            (format!(r#"{{"count": {secret}}}"#), "syntax error at line 1"),
            (format!(r#"{{"count": "{secret}"#), "it ends too early"),
        ] {
            let p = problem_of(&json);
            assert!(p.starts_with(says), "{json}: {p}");
            assert!(!p.contains(secret) && !p.contains("123"), "{json}: {p}");
        }
    }
}
