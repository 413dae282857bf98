use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// One problem with one input field, as the API reports it (`errors: [{field, code, message}]`) and as the portal
/// shows it beside the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }

    pub fn required(field: &str) -> Self {
        Self::new(field, "required", format!("{} is required", human(field)))
    }
}

fn human(field: &str) -> String {
    let mut s = field.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// Input that failed validation; carries every field's problem, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ToJson, Deserialize, FromJson)]
#[error("invalid input: {}", .errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", "))]
pub struct Invalid {
    pub errors: Vec<FieldError>,
}

impl Invalid {
    pub fn one(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self { errors: vec![FieldError::new(field, code, message)] }
    }
}

impl From<FieldError> for Invalid {
    fn from(e: FieldError) -> Self {
        Self { errors: vec![e] }
    }
}

/// Collects field errors while parsing a form, so a caller sees all of them at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value when parsing worked, records the error otherwise.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn finish(self) -> Result<(), Invalid> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Invalid { errors: self.0 })
        }
    }
}
