//! One chunk of an import run: the job that turns up to [`CHUNK_ROWS`] rows into leads.

use super::rows::{existing_duplicates, Prepared, Rows};
use super::{actor_of, csvfile, load_as, CHUNK_ROWS, MAX_STORED_ERRORS, WINDOW_BYTES};
use crate::clock::rfc3339;
use crate::items::{from_item, item_of};
use crate::jobs::{self, Job};
use crate::leads::{self, dup_hash, dup_item, history_ops};
use crate::record_index::{counters_of, index_items};
use crate::records::record_item;
use crate::{Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use vigil_api::imports::{ImportState, RowDuplicate, RowError};
use vigil_domain::lead::FieldChange;
use vigil_domain::record::{LeadLocation, Record};
use vigil_domain::{CompanyId, FieldError, PartnerId, RecordId};
use vigil_store::{keys, Condition, Item, Key, StoreError, TxOp, Update};

/// Counter updates per transaction, leaving room for the progress update that rides along.
const COUNTERS_PER_TX: usize = 90;
/// New leads per batch write call: about 4,500 items, a fraction of a second of the embedded store's single writer
/// (other requests wait that long at most), and 180 BatchWriteItem calls of 25 in DynamoDB.
const WRITE_GROUP: usize = 500;
/// Groups being built and written at once: one per core of the machine this was measured on, plus one waiting on
/// the store's single writer.
const WRITERS: usize = 3;

/// Items a new lead is written as, about: profile, list index entries, duplicate lookup, history.
const ITEMS_PER_LEAD: usize = 13;

/// A chunk's own progress, saved before its leads are written so a redelivered job repeats exactly the same writes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ChunkState {
    pub first_id: u64,
    /// Indexes (within the chunk) of the rows that become new leads, in order; the n-th gets `first_id + n`.
    pub create_rows: Vec<u32>,
    pub created_at: String,
    /// Counter transactions applied (of the chunk's counter groups).
    #[serde(default)]
    pub counters_done: u32,
    #[serde(default)]
    pub done: bool,
    // Revert's progress on this chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revert_ids: Option<Vec<u64>>,
    #[serde(default)]
    pub revert_keys: Vec<(String, String)>,
    #[serde(default)]
    pub revert_counters: Vec<(String, String, i64)>,
    #[serde(default)]
    pub revert_counters_done: u32,
    #[serde(default)]
    pub reverted: bool,
}

impl ChunkState {
    pub fn ids(&self) -> std::ops::Range<u64> {
        self.first_id..self.first_id + self.create_rows.len() as u64
    }
}

pub(crate) async fn chunk_state(svc: &Services, key: &Key) -> Result<Option<ChunkState>, AppError> {
    svc.table.get(key).await?.map(from_item).transpose()
}

pub(crate) fn chunk_item(key: &Key, s: &ChunkState) -> Item {
    item_of(key, s, &[])
}

/// Marks the import failed with a reason that names no row's data.
pub(crate) async fn fail(svc: &Services, co: &CompanyId, id: u32, reason: String) -> Result<(), AppError> {
    tracing::warn!(company = %co, import = id, %reason, "import failed");
    let update =
        Update::default().set("status", json!(ImportState::Failed)).set("reason", json!(reason)).add("version", 1);
    svc.table.update(&keys::import(co, u64::from(id)), update, None).await?;
    Ok(())
}

/// Data rows in the file from `start`.
async fn count_rows(svc: &Services, object: &str, start: u64, size: u64) -> Result<Result<u64, String>, AppError> {
    let (mut at, mut n) = (start, 0u64);
    while at < size {
        let len = WINDOW_BYTES.min(size - at);
        let bytes = svc.objects.read_range(object, at, len).await?;
        let w = match csvfile::rows(&bytes, at, usize::MAX, at + len >= size) {
            Ok(w) => w,
            Err(m) => return Ok(Err(m)),
        };
        n += w.rows.len() as u64;
        if w.at_eof || w.end <= at {
            break;
        }
        at = w.end;
    }
    Ok(Ok(n))
}

/// Row reports as items (`prefix` `RUNERR#` or `DUP#`), within the stored-error budget.
pub(crate) fn error_items(co: &CompanyId, id: u32, prefix: &str, already: u64, errors: &[RowError]) -> Vec<Item> {
    let room = MAX_STORED_ERRORS.saturating_sub(already) as usize;
    errors
        .iter()
        .take(room)
        .enumerate()
        .map(|(n, e)| item_of(&keys::import_row(co, u64::from(id), prefix, e.row, (n % 1000) as u32), e, &[]))
        .collect()
}

fn dup_items(co: &CompanyId, id: u32, already: u64, dups: &[RowDuplicate]) -> Vec<Item> {
    let room = MAX_STORED_ERRORS.saturating_sub(already) as usize;
    dups.iter().take(room).map(|d| item_of(&keys::import_row(co, u64::from(id), "DUP#", d.row, 0), d, &[])).collect()
}

pub(crate) fn row_errors(row: u64, errors: Vec<FieldError>) -> Vec<RowError> {
    errors.into_iter().map(|e| RowError { row, field: e.field, message: e.message }).collect()
}

/// Counter moves as transaction operations, summed per counter.
pub(crate) fn counter_groups(counters: &BTreeMap<Key, i64>) -> Vec<Vec<TxOp>> {
    let ops: Vec<TxOp> = counters
        .iter()
        .filter(|(_, by)| **by != 0)
        .map(|(key, by)| TxOp::Update { key: key.clone(), update: Update::default().add("value", *by), cond: None })
        .collect();
    ops.chunks(COUNTERS_PER_TX).map(<[TxOp]>::to_vec).collect()
}

/// Applies counter groups from `done` on, each with the chunk item's `attr` moved on in the same transaction, so a
/// redelivered job applies each group once.
pub(crate) async fn apply_counters(
    svc: &Services,
    chunk_key: &Key,
    attr: &str,
    groups: Vec<Vec<TxOp>>,
    done: u32,
) -> Result<(), AppError> {
    for (g, mut ops) in groups.into_iter().enumerate().skip(done as usize) {
        let g = g as u32;
        let cond = if g == 0 {
            Condition::Or(vec![Condition::AttrNotExists(attr.into()), Condition::AttrEquals(attr.into(), json!(0))])
        } else {
            Condition::AttrEquals(attr.into(), json!(g))
        };
        ops.push(TxOp::Update {
            key: chunk_key.clone(),
            update: Update::default().set(attr, json!(g + 1)),
            cond: Some(cond),
        });
        match svc.table.transact(ops).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed { .. }) => {
                return Err(AppError::Conflict {
                    message: "an import chunk's counters moved meanwhile".into(),
                    current: None,
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// An update row: the lead edit use case, after an undo record of the fields it changes. `Ok(Err(_))` is the row's
/// errors.
async fn apply_update(
    svc: &Services,
    actor: &Actor,
    import: u32,
    chunk: u32,
    row: u64,
    lead: RecordId,
    fields: Map<String, Value>,
) -> Result<Result<(), Vec<FieldError>>, AppError> {
    let co = actor.company();
    let undo_key = keys::import_undo(co, u64::from(import), chunk, row);
    let refused = |code: &str, message: &str| Ok(Err(vec![FieldError::new("id", code, message)]));
    let current = match leads::load(svc, actor, lead).await {
        Ok(r) => r,
        Err(AppError::NotFound(_)) => return refused("not_found", "the matching lead is gone"),
        Err(AppError::Forbidden(_)) => return refused("forbidden", "you may not change the matching lead"),
        Err(e) => return Err(e),
    };
    if let Some(undo) = svc.table.get(&undo_key).await? {
        let base = undo.get("base_version").and_then(Value::as_u64).unwrap_or(0);
        // A redelivery after the edit landed: the edit moved the version on, so it is not applied twice.
        if undo.get("applied").and_then(Value::as_bool).unwrap_or(false) || current.version > base {
            svc.table.update(&undo_key, Update::default().set("applied", true), None).await?;
            return Ok(Ok(()));
        }
    }
    let flat = serde_json::to_value(&current).map_err(|e| AppError::Internal(e.to_string()))?;
    let before: Map<String, Value> =
        fields.keys().map(|k| (k.clone(), flat.get(k).cloned().unwrap_or(Value::Null))).collect();
    let mut undo = undo_key.to_item();
    undo.insert("lead_id".into(), json!(lead));
    undo.insert("row".into(), json!(row));
    undo.insert("before".into(), Value::Object(before));
    undo.insert("base_version".into(), json!(current.version));
    undo.insert("applied".into(), json!(false));
    svc.table.put(undo, None).await?;
    let mut body = fields;
    body.insert("version".into(), json!(current.version));
    match leads::edit(svc, actor, lead, &body).await {
        Ok(_) => {
            svc.table.update(&undo_key, Update::default().set("applied", true), None).await?;
            Ok(Ok(()))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_) | AppError::Conflict { .. })) => {
            svc.table.delete(&undo_key, None).await?;
            match e {
                AppError::Invalid(inv) => Ok(Err(inv.errors)),
                AppError::Forbidden(_) => refused("forbidden", "you may not change the matching lead"),
                _ => refused("conflict", "the matching lead is converted or was changed meanwhile"),
            }
        }
        Err(e) => Err(e),
    }
}

/// The items one new lead is stored as: its profile, list index items, duplicate lookup and "created" history.
pub(crate) fn lead_items(co: &CompanyId, r: &Record, by: &str) -> Vec<Item> {
    let mut items = vec![record_item(co, r)];
    items.extend(index_items(co, r));
    items.push(dup_item(co, r));
    let created = FieldChange { field: "created".into(), before: Value::Null, after: json!(r.display_name()) };
    for op in history_ops(co, r.id, &r.created_at, by, &[created]) {
        if let TxOp::Put { item, .. } = op {
            items.push(item);
        }
    }
    items
}

/// A finished batch write task's outcome as the app's.
fn joined(r: Result<Result<(), AppError>, tokio::task::JoinError>) -> Result<(), AppError> {
    match r {
        Ok(written) => written,
        Err(e) => Err(AppError::Internal(format!("an import write task failed: {e}"))),
    }
}

/// Transaction operations written in bulk instead: unconditional puts join the batch write (their keys are the
/// lead's, deterministic, so a rewrite is the same item) and counter additions join the chunk's summed counters.
fn bulk_ops(ops: Vec<TxOp>, items: &mut Vec<Item>, counters: &mut BTreeMap<Key, i64>) -> Result<(), AppError> {
    for op in ops {
        match op {
            TxOp::Put { item, .. } => items.push(item),
            TxOp::Update { key, update, cond: None } if update.set.is_empty() && update.remove.is_empty() => {
                let [(_, by)] = update.add.as_slice() else {
                    return Err(AppError::Internal("an import adds to one counter attribute at a time".into()));
                };
                *counters.entry(key).or_default() += by;
            }
            _ => return Err(AppError::Internal("an import cannot write this operation in bulk".into())),
        }
    }
    Ok(())
}

/// The job of chunk `chunk` of import `id`. Ends quietly when the import was cancelled, reverted or this chunk is
/// done already (a redelivery).
pub async fn run_chunk(svc: &Services, co: &CompanyId, id: u32, chunk: u32) -> Result<(), AppError> {
    let mut import = match load_as(svc, co, id).await {
        Ok(i) => i,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    if import.next_chunk != chunk || !matches!(import.status, ImportState::Queued | ImportState::Running) {
        return Ok(());
    }
    let Some(options) = import.options.clone() else {
        return fail(svc, co, id, "the import has no options".into()).await;
    };
    let Some(actor) = actor_of(svc, co, &import.created_by).await? else {
        return fail(svc, co, id, "the user who started the import can no longer sign in".into()).await;
    };
    let object = keys::import_object(co, u64::from(id));
    let Some(size) = svc.objects.size(&object).await? else {
        return fail(svc, co, id, "the uploaded file is gone".into()).await;
    };
    let import_key = keys::import(co, u64::from(id));
    if import.status == ImportState::Queued {
        let total = match count_rows(svc, &object, import.data_start, size).await? {
            Ok(n) => n,
            Err(m) => return fail(svc, co, id, m).await,
        };
        let update = Update::default()
            .set("status", json!(ImportState::Running))
            .set("rows_total", json!(total))
            .add("version", 1);
        let cond = Condition::AttrEquals("status".into(), json!(ImportState::Queued));
        match svc.table.update(&import_key, update, Some(cond)).await {
            Ok(_) => {}
            Err(StoreError::ConditionFailed { .. }) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        import.status = ImportState::Running;
        import.rows_total = total;
    }

    let start = import.next_offset;
    let len = WINDOW_BYTES.min(size.saturating_sub(start));
    let bytes = svc.objects.read_range(&object, start, len).await?;
    let window = match csvfile::rows(&bytes, start, CHUNK_ROWS, start + len >= size) {
        Ok(w) => w,
        Err(m) => return fail(svc, co, id, m).await,
    };
    let first_row = import.rows_done + 1;
    let chunk_key = keys::import_chunk(co, u64::from(id), chunk);
    let saved = chunk_state(svc, &chunk_key).await?;
    let created_at = saved.as_ref().map(|s| s.created_at.clone()).unwrap_or_else(|| rfc3339(svc.clock.now()));
    let mine = saved.as_ref().map(ChunkState::ids).unwrap_or(0..0);
    let planned: Option<HashSet<u32>> = saved.as_ref().map(|s| s.create_rows.iter().copied().collect());
    let mut rows = Rows::new(svc, &actor, &import.columns, &options, created_at.clone()).await?;

    let mut creates: Vec<(u32, Record)> = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    let mut dups: Vec<RowDuplicate> = Vec::new();
    let mut updates: Vec<(u64, RecordId, Map<String, Value>)> = Vec::new();
    // Rows to check against the stored leads, all at once after the loop: (row number, chunk index, record).
    let mut unchecked: Vec<(u64, u32, Record)> = Vec::new();
    let mut hashes = HashSet::new();
    for (i, row) in window.rows.iter().enumerate() {
        let n = u32::try_from(i).unwrap_or(u32::MAX);
        let row_no = first_row + i as u64;
        match rows.prepare(svc, row).await? {
            Prepared::Invalid(e) => errors.extend(row_errors(row_no, e)),
            Prepared::Update { id: lead, fields } => updates.push((row_no, lead, fields)),
            Prepared::Create(r) => {
                let fresh = hashes.insert(dup_hash(&r));
                match &planned {
                    Some(p) if p.contains(&n) => creates.push((n, *r)),
                    Some(_) => dups.push(RowDuplicate { row: row_no, lead_id: None }),
                    None if !fresh => dups.push(RowDuplicate { row: row_no, lead_id: None }),
                    None => unchecked.push((row_no, n, *r)),
                }
            }
        }
    }
    let found = existing_duplicates(svc, co, unchecked.iter().map(|(_, _, r)| dup_hash(r)).collect(), mine).await?;
    for ((row_no, n, r), existing) in unchecked.into_iter().zip(found) {
        match existing {
            Some(existing) => dups.push(RowDuplicate { row: row_no, lead_id: Some(existing) }),
            None => creates.push((n, r)),
        }
    }
    // Rows in file order, whichever way they were found to be creates.
    creates.sort_by_key(|(n, _)| *n);
    dups.sort_by_key(|d| d.row);

    let state = match saved {
        Some(s) => s,
        None => {
            let k = creates.len() as i64;
            let first_id = if k > 0 { svc.table.increment(&keys::record_sequence(co), k).await? - k + 1 } else { 0 };
            let s = ChunkState {
                first_id: u64::try_from(first_id)
                    .map_err(|_| AppError::Internal("record sequence is negative".into()))?,
                create_rows: creates.iter().map(|(n, _)| *n).collect(),
                created_at,
                ..ChunkState::default()
            };
            match svc.table.put(chunk_item(&chunk_key, &s), Some(Condition::NotExists)).await {
                Ok(()) => s,
                Err(StoreError::ConditionFailed { .. }) => {
                    return Err(AppError::Conflict {
                        message: "another worker runs this import chunk".into(),
                        current: None,
                    })
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    if state.done {
        return Ok(());
    }

    let by = import.created_by.as_str().to_owned();
    let mut counters: BTreeMap<Key, i64> = BTreeMap::new();
    // A row's ID is its place among the rows the chunk planned to create, so a redelivery gives each the same one.
    let place: HashMap<u32, u64> = state.create_rows.iter().enumerate().map(|(j, n)| (*n, j as u64)).collect();
    creates.retain(|(n, _)| place.contains_key(n));
    let mut ranks: HashMap<Option<PartnerId>, u8> = HashMap::new();
    // The leads go out in groups. Each group's items (JSON maps, most of an import's CPU) are built and written by a
    // task of its own, up to WRITERS at a time, so both cores build while the store writes. A crash between groups,
    // or inside one, leaves some leads with some of their items: the job is redelivered (it is done only once the
    // progress transaction below commits) and writes every planned lead's items again, with the same IDs (its place
    // in `create_rows`) and the same contents (rows are read again from the same bytes, `created_at` is the chunk's
    // saved one), so the puts are idempotent, in whatever order they land, and every lead ends with all its items;
    // counters are added once, after every item is written.
    let created = creates.len();
    let mut writing: std::collections::VecDeque<tokio::task::JoinHandle<Result<(), AppError>>> = Default::default();
    let mut pending = creates.into_iter().peekable();
    while pending.peek().is_some() {
        let mut group: Vec<Record> = Vec::with_capacity(WRITE_GROUP);
        let mut items: Vec<Item> = Vec::new();
        for (n, mut r) in pending.by_ref().take(WRITE_GROUP) {
            r.id = RecordId(state.first_id + place.get(&n).copied().unwrap_or_default());
            if r.lead.location == Some(LeadLocation::Queue) {
                let rank = match ranks.get(&r.source_id) {
                    Some(rank) => *rank,
                    None => {
                        let rank = crate::lead_queue::rank_of(svc, co, r.source_id).await?;
                        ranks.insert(r.source_id, rank);
                        rank
                    }
                };
                // The queue's own entry, so its index item and count are exactly what a lead moved there gets.
                bulk_ops(crate::lead_queue::enter(co, &mut r, rank, None), &mut items, &mut counters)?;
            }
            for k in counters_of(co, &r) {
                *counters.entry(k).or_default() += 1;
            }
            group.push(r);
        }
        if writing.len() >= WRITERS {
            if let Some(oldest) = writing.pop_front() {
                joined(oldest.await)?;
            }
        }
        let (table, co, by) = (svc.table.clone(), co.clone(), by.clone());
        writing.push_back(tokio::spawn(async move {
            let items = tokio::task::spawn_blocking(move || {
                items.reserve(group.len() * ITEMS_PER_LEAD);
                for r in &group {
                    items.extend(lead_items(&co, r, &by));
                }
                items
            })
            .await
            .map_err(|e| AppError::Internal(format!("building an import group's items failed: {e}")))?;
            Ok(table.batch_put(&items).await?)
        }));
    }
    while let Some(w) = writing.pop_front() {
        joined(w.await)?;
    }
    let mut updated = 0u64;
    for (row_no, lead, fields) in updates {
        match apply_update(svc, &actor, id, chunk, row_no, lead, fields).await? {
            Ok(()) => updated += 1,
            Err(e) => errors.extend(row_errors(row_no, e)),
        }
    }
    let mut items = error_items(co, id, "RUNERR#", import.errors, &errors);
    items.extend(dup_items(co, id, import.duplicates, &dups));
    if !items.is_empty() {
        svc.table.batch_put(&items).await?;
    }
    apply_counters(svc, &chunk_key, "counters_done", counter_groups(&counters), state.counters_done).await?;

    let rows_in_errors: HashSet<u64> = errors.iter().map(|e| e.row).collect();
    let finished = window.at_eof || window.rows.is_empty();
    let progress = |status: Option<ImportState>| {
        let mut u = Update::default()
            .set("next_chunk", json!(chunk + 1))
            .set("next_offset", json!(window.end))
            .add("rows_done", window.rows.len() as i64)
            .add("created", created as i64)
            .add("updated", updated as i64)
            .add("duplicates", dups.len() as i64)
            .add("errors", rows_in_errors.len() as i64)
            .add("version", 1);
        if let Some(s) = status {
            u = u.set("status", json!(s));
        }
        u
    };
    let done_chunk = TxOp::Update { key: chunk_key.clone(), update: Update::default().set("done", true), cond: None };
    let this_chunk = Condition::AttrEquals("next_chunk".into(), json!(chunk));
    let running = Condition::AttrEquals("status".into(), json!(ImportState::Running));
    let mut ops = vec![
        TxOp::Update {
            key: import_key.clone(),
            update: progress(finished.then_some(ImportState::Done)),
            cond: Some(Condition::And(vec![this_chunk.clone(), running])),
        },
        done_chunk.clone(),
    ];
    if !finished {
        let next = Job::ImportChunk { company: co.clone(), import_id: id, chunk: chunk + 1 };
        ops.push(jobs::pending(co, format!("import:{co}:{id}:{}", chunk + 1), next)?);
    }
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            // Cancelled while this chunk ran: its leads are in, counted, and the run stops here.
            let ops =
                vec![TxOp::Update { key: import_key, update: progress(None), cond: Some(this_chunk) }, done_chunk];
            match svc.table.transact(ops).await {
                Ok(()) | Err(StoreError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, import = id, chunk, rows = window.rows.len(), created, "import chunk done");
    Ok(())
}
