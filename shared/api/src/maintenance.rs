//! Maintenance runs an admin starts on the company's own data: the backfill of the list's short-prefix index items
//! and prefix counters for records stored before them.

use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// Where a company's index backfill stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReindexStatus {
    /// Never run.
    #[default]
    Idle,
    /// Walking the company's leads and customers, a page per job.
    Running,
    /// Every record was seen; a new run may be started.
    Done,
    /// A page kept failing until the queue gave up on it, so the run stopped; a new run may be started, and passes
    /// over the records this one already brought up to date.
    Failed,
}

/// `GET`/`POST /api/v1/maintenance/reindex`: the company's latest backfill run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReindexState {
    pub status: ReindexStatus,
    /// Leads and customers the run has read so far.
    pub records_seen: u64,
    /// Of those, the ones it brought up to date (their short-prefix items written and prefix counters counted).
    pub records_updated: u64,
    /// RFC 3339, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// RFC 3339, UTC; set once the run is done or has failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}
