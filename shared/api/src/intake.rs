//! Public lead intake: the keys web forms and partners' systems post with, the receipt a post gets, and the
//! company's duplicate window for posted leads.

use serde::{Deserialize, Serialize};
use vigil_domain::{FieldError, PartnerId, RecordId};
use vigil_json::{FromJson, ToJson};

/// What `POST /api/v1/intake-keys` takes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NewIntakeKey {
    /// What the key is for ("Website contact form", "ABC Leads' system"); 1–200 characters.
    pub name: String,
    /// The partner company posting with this key (its leads are attributed to it); `null` for a web form.
    #[serde(default)]
    pub partner_id: Option<PartnerId>,
    /// Origins (`https://www.example.com`) whose pages may post with this key from a browser; at most 20.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Posts a minute this key may make (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_minute: Option<u32>,
    /// Browser-form posts a minute from one client address (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_ip_per_minute: Option<u32>,
}

/// An intake key as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IntakeKeyView {
    pub id: u32,
    pub name: String,
    pub partner_id: Option<PartnerId>,
    pub allowed_origins: Vec<String>,
    pub per_minute: u32,
    pub per_ip_per_minute: u32,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub created_by: String,
    /// RFC 3339, UTC; `null` until the key is first used.
    pub last_used_at: Option<String>,
}

/// A new key: the view and the secret, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreatedIntakeKey {
    #[serde(flatten)]
    pub view: IntakeKeyView,
    /// The secret to post with (`Authorization: Bearer <key>` or the form field `intake_key`). Stored only as a
    /// SHA-256 hash: it cannot be shown again.
    pub key: String,
}

/// The path of one intake key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IntakeKeyPath {
    pub id: u32,
}

/// What a post to `POST /api/v1/public/leads` gets back (202): the lead is created by a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IntakeAccepted {
    pub receipt_id: String,
}

/// The path of one receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReceiptPath {
    pub id: String,
}

/// What became of a posted lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// Waiting for the job that creates the lead.
    Accepted,
    Created {
        lead_id: RecordId,
    },
    /// Not stored: it duplicates this lead, inside the company's duplicate window.
    Duplicate {
        lead_id: RecordId,
    },
    /// Not stored, for these reasons.
    Rejected {
        errors: Vec<FieldError>,
    },
}

/// `GET /api/v1/public/receipts/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Receipt {
    pub receipt_id: String,
    #[serde(flatten)]
    pub status: ReceiptStatus,
}

/// `GET/PUT /api/v1/settings/lead-intake`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LeadIntakeSettings {
    /// A posted lead that duplicates a lead created in the last N days is not stored (its receipt says `duplicate`);
    /// one that duplicates only older leads is. `0` stores every duplicate; `null` never stores one, whatever the
    /// age of the lead it duplicates. Default 30.
    pub duplicate_window_days: Option<u32>,
    /// 0 when never saved.
    pub version: u64,
}

impl Default for LeadIntakeSettings {
    fn default() -> Self {
        Self { duplicate_window_days: Some(30), version: 0 }
    }
}
