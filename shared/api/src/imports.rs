//! CSV lead import: the upload, the column mapping, the dry run, the run's progress, cancel and revert; and the bulk
//! reassignment of leads' reps.

use serde::{Deserialize, Serialize};
use vigil_domain::sorted::SortedMap;
use vigil_domain::{CampaignId, DispositionId, PartnerId, RecordId};
use vigil_json::{FromJson, ToJson};

/// `POST /api/v1/imports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewImport {
    /// The file's name as the user chose it (shown on the import; at most 200 characters).
    pub filename: String,
}

/// The answer to `POST /api/v1/imports`: where to PUT the CSV (at most 100 MB). The URL works once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ImportCreated {
    pub id: u32,
    pub upload_url: String,
}

/// The header and first rows of an uploaded CSV, and the mapping its header suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ImportAnalysis {
    pub columns: Vec<String>,
    /// Column → New Lead field, for the columns whose header names one.
    pub suggested_mapping: SortedMap<String, String>,
    /// Up to five rows, as the file has them.
    pub sample: Vec<Vec<String>>,
    /// The New Lead fields a column may map to.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Every valid row becomes a new lead.
    #[default]
    Create,
    /// A row matching an existing lead by `match_key` updates the fields it maps; the others become new leads.
    CreateOrUpdate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchKey {
    Id,
    Email,
    Phone,
}

/// Values every created lead of the batch gets where its row has none.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ImportDefaults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<PartnerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_id: Option<CampaignId>,
    /// The lead status (default: the company's first active one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition_id: Option<DispositionId>,
    /// Tag IDs every created lead gets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `pending`, `queue` or `invalid`: where the created leads go in the lead queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// The body of a dry run and of a run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ImportOptions {
    /// Column → New Lead field; unmapped columns are ignored.
    pub mapping: SortedMap<String, String>,
    #[serde(default)]
    pub mode: ImportMode,
    /// Required with `create_or_update`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_key: Option<MatchKey>,
    #[serde(default)]
    pub defaults: ImportDefaults,
}

/// One row's problem. `row` counts data rows from 1 (the header is not a row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RowError {
    pub row: u64,
    pub field: String,
    pub message: String,
}

/// A row that looks like a lead that exists already (same name, phone and address): it is not created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RowDuplicate {
    pub row: u64,
    /// The existing lead, or `null` when it is an earlier row of the same file.
    #[serde(default)]
    pub lead_id: Option<RecordId>,
}

/// The answer to a dry run: nothing is written but its report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DryRunReport {
    pub rows_total: u64,
    pub valid_rows: u64,
    /// The first 100 errors (every one is in the errors CSV).
    pub errors: Vec<RowError>,
    pub errors_total: u64,
    /// The first 100 duplicate rows.
    pub duplicates: Vec<RowDuplicate>,
    pub duplicates_total: u64,
    /// Where the errors CSV downloads from (it names the import only).
    pub errors_csv_path: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    /// Created; the file may not be uploaded yet.
    #[default]
    New,
    Queued,
    Running,
    Done,
    Cancelled,
    Failed,
    Reverting,
    Reverted,
}

impl ImportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::New => "new",
            ImportState::Queued => "queued",
            ImportState::Running => "running",
            ImportState::Done => "done",
            ImportState::Cancelled => "cancelled",
            ImportState::Failed => "failed",
            ImportState::Reverting => "reverting",
            ImportState::Reverted => "reverted",
        }
    }

    /// Whether the run has stopped for good (done, cancelled, failed or reverted).
    pub fn finished(self) -> bool {
        matches!(self, ImportState::Done | ImportState::Cancelled | ImportState::Failed | ImportState::Reverted)
    }
}

/// `GET /api/v1/imports/{id}`: where an import stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ImportStatus {
    pub id: u32,
    pub filename: String,
    pub status: ImportState,
    /// Data rows in the file (0 until the file was read).
    pub rows_total: u64,
    pub rows_done: u64,
    pub created: u64,
    pub updated: u64,
    pub duplicates: u64,
    pub errors: u64,
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ImportOptions>,
    /// Why a failed import failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `POST /api/v1/leads/reassign`: at most 100 leads; at least one of the reps (`null` leaves it, `""` clears it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Reassign {
    pub lead_ids: Vec<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_rep_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sales_rep_id: Option<String>,
}

/// One lead's outcome of a reassignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReassignRow {
    pub lead_id: RecordId,
    pub ok: bool,
    /// Why it was refused (`forbidden`, `not_found`, `converted`, `conflict`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ReassignReport {
    pub reassigned: u32,
    pub rows: Vec<ReassignRow>,
}
