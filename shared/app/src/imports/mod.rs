//! CSV lead import. The file goes straight to the object store (S3, or the local runtime's upload route) through a
//! single-use URL; analyze reads its header, a dry run validates every row as the New Lead form would, and a run
//! ingests it as a chain of jobs, one chunk of rows each.
//!
//! A chunk writes its new leads with batch writes (profile, list index items, duplicate lookup and the "created"
//! history entry per lead) and then one transaction that adds the chunk's summed counters and saves the import's
//! progress with the next chunk's job. The chunk's item records the IDs it reserved and the rows it creates before
//! anything is written, so a redelivered job writes the same items again (idempotent puts) and applies the counters
//! once (the transaction is conditional on the chunk not being done). Rows that update an existing lead go through
//! the lead edit use case one by one, each leaving an undo record first, which revert uses to put the fields back.

mod chunk;
mod csvfile;
mod dry_run;
mod reassign;
mod revert;
mod rows;
mod start;

pub use chunk::run_chunk;
pub use dry_run::{dry_run, errors_csv};
pub use reassign::reassign;
pub use revert::{cancel, revert, revert_chunk};
pub use start::{analyze, consume_upload_token, create, get, run, UploadGrant};

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use vigil_api::imports::{ImportOptions, ImportState, ImportStatus};
use vigil_domain::{Action, CompanyId, Resource, User, UserId};
use vigil_store::{keys, Item};

/// Rows per chunk job: big enough that the per-chunk transaction and job are a small share of the work, small enough
/// that a chunk finishes well inside a Lambda's time and memory.
pub const CHUNK_ROWS: usize = 5_000;
/// Bytes a chunk reads from the file at most; a chunk ends at the last whole row inside it.
pub const WINDOW_BYTES: u64 = 8 * 1024 * 1024;
/// Row errors kept per import (the count goes on).
pub const MAX_STORED_ERRORS: u64 = 10_000;
/// How long an upload URL works.
pub const UPLOAD_URL_SECS: u64 = 15 * 60;

/// An import as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Import {
    pub id: u32,
    pub filename: String,
    pub status: ImportState,
    pub created_at: String,
    pub created_by: UserId,
    #[serde(default)]
    pub columns: Vec<String>,
    /// Byte offset of the first data row (after the header).
    #[serde(default)]
    pub data_start: u64,
    #[serde(default)]
    pub options: Option<ImportOptions>,
    #[serde(default)]
    pub rows_total: u64,
    #[serde(default)]
    pub rows_done: u64,
    #[serde(default)]
    pub created: u64,
    #[serde(default)]
    pub updated: u64,
    #[serde(default)]
    pub duplicates: u64,
    #[serde(default)]
    pub errors: u64,
    /// The chunk the next job runs, and where in the file it starts.
    #[serde(default)]
    pub next_chunk: u32,
    #[serde(default)]
    pub next_offset: u64,
    /// Revert's progress: the next chunk it undoes.
    #[serde(default)]
    pub revert_chunk: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub version: u64,
}

impl Import {
    pub fn status(&self) -> ImportStatus {
        ImportStatus {
            id: self.id,
            filename: self.filename.clone(),
            status: self.status,
            rows_total: self.rows_total,
            rows_done: self.rows_done,
            created: self.created,
            updated: self.updated,
            duplicates: self.duplicates,
            errors: self.errors,
            created_at: self.created_at.clone(),
            options: self.options.clone(),
            reason: self.reason.clone(),
        }
    }
}

pub(crate) fn import_item(co: &CompanyId, i: &Import) -> Item {
    item_of(&keys::import(co, u64::from(i.id)), i, &[])
}

/// The import, for a caller of its company who may create leads (another company's ID is simply not found).
pub(crate) async fn load(svc: &Services, actor: &Actor, id: u32) -> Result<Import, AppError> {
    actor.require_somewhere(Resource::Leads, Action::Create)?;
    load_as(svc, actor.company(), id).await
}

pub(crate) async fn load_as(svc: &Services, co: &CompanyId, id: u32) -> Result<Import, AppError> {
    let item = svc.table.get(&keys::import(co, u64::from(id))).await?.ok_or(AppError::NotFound("import"))?;
    from_item(item)
}

/// The user who started the import, as the actor its jobs act for: a job does what that user may do now.
pub(crate) async fn actor_of(svc: &Services, co: &CompanyId, user: &UserId) -> Result<Option<Actor>, AppError> {
    let Some(item) = svc.table.get(&keys::user(co, user)).await? else { return Ok(None) };
    let user: User = from_item(item)?;
    Ok(user.active.then_some(Actor { user }))
}
