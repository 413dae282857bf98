//! The lead queue: its company settings, moving a lead between Pending, Queue and Invalid, requesting a lead, and
//! returning leads to the partners that sold them.

use serde::{Deserialize, Serialize};
use vigil_domain::record::LeadLocation;
use vigil_domain::{DispositionId, RecordId};
use vigil_json::{FromJson, ToJson};

/// `GET/PUT /api/v1/settings/lead-queue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LeadQueueSettings {
    /// The hour (0–23, the lead's local time, from its state) from which leads may be requested.
    pub request_hours_start: u8,
    /// The hour (1–24, the lead's local time) until which leads may be requested; after `start`.
    pub request_hours_end: u8,
    /// Minutes after its arrival before a lead may be requested.
    pub requestable_after_minutes: u32,
    /// The lead status a requested lead gets; `null` keeps its own.
    pub requested_status: Option<DispositionId>,
    /// Minutes a lead put back is blocked for the rep who had it.
    pub blacklist_minutes: u32,
    /// 0 when never saved.
    pub version: u64,
}

impl Default for LeadQueueSettings {
    fn default() -> Self {
        Self {
            request_hours_start: 8,
            request_hours_end: 21,
            requestable_after_minutes: 0,
            requested_status: None,
            blacklist_minutes: 60,
            version: 0,
        }
    }
}

/// `GET /api/v1/lead-queue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct QueueSummary {
    /// Leads waiting in the queue (requestable now or later).
    pub queued: u64,
    /// Leads in Pending, for a caller who may see them (the nav's Pending count); `null` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<u64>,
}

/// `POST /api/v1/leads/{id}/location`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LocationMove {
    /// `pending`, `queue` or `invalid`.
    pub to: LeadLocation,
    /// Why (kept in the lead's history); at most 500 characters.
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/v1/leads/return`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnLeads {
    /// 1–100 leads.
    pub lead_ids: Vec<RecordId>,
    /// Why they go back (required; at most 500 characters).
    pub reason: String,
    /// Sent to the partners that ask for them (at most 4000 characters).
    #[serde(default)]
    pub call_center_comments: String,
}

/// A lead that could not be returned, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NotReturned {
    pub lead_id: RecordId,
    pub message: String,
}

/// What a return did: the leads returned, and per row the ones that were not.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReturnReport {
    pub returned: Vec<RecordId>,
    pub not_returned: Vec<NotReturned>,
}
