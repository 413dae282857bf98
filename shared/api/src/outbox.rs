//! The local mail outbox.

use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// An email as the outbox keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Mail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: String,
}

/// `GET /api/v1/outbox`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OutboxPage {
    pub items: Vec<Mail>,
    pub next_cursor: Option<String>,
}
