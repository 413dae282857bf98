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
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("queue failed: {0}")]
    Queue(#[from] QueueError),
    #[error("{0}")]
    Internal(String),
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
