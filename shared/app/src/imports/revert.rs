//! Cancelling a run, and reverting an import: chunk by chunk, the leads it created are deleted (with their counters)
//! and the fields it updated are put back through the lead edit use case.

use super::chunk::{apply_counters, chunk_item, chunk_state, counter_groups};
use super::{actor_of, load, load_as};
use crate::items::from_item;
use crate::jobs::{self, Job};
use crate::leads;
use crate::record_index::counters_of;
use crate::{Actor, AppError, Services};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use vigil_api::imports::{ImportState, ImportStatus};
use vigil_domain::record::{Kind, Record};
use vigil_domain::{CompanyId, RecordId};
use vigil_store::{keys, Condition, Index, Key, Query, SortCond, StoreError, TxOp, Update};

fn changed() -> AppError {
    AppError::Conflict { message: "the import changed meanwhile; try again".into(), current: None }
}

/// `POST /api/v1/imports/{id}/cancel`: the chunk in progress finishes, no further one starts.
pub async fn cancel(svc: &Services, actor: &Actor, id: u32) -> Result<ImportStatus, AppError> {
    let mut import = load(svc, actor, id).await?;
    if !matches!(import.status, ImportState::Queued | ImportState::Running) {
        return Err(AppError::Conflict { message: format!("the import is {}", import.status.as_str()), current: None });
    }
    let update = Update::default().set("status", json!(ImportState::Cancelled)).add("version", 1);
    let cond = Condition::AttrEquals("status".into(), json!(import.status));
    match svc.table.update(&keys::import(actor.company(), u64::from(id)), update, Some(cond)).await {
        Ok(_) => {}
        Err(StoreError::ConditionFailed { .. }) => return Err(changed()),
        Err(e) => return Err(e.into()),
    }
    import.status = ImportState::Cancelled;
    Ok(import.status())
}

/// `POST /api/v1/imports/{id}/revert`.
pub async fn revert(svc: &Services, actor: &Actor, id: u32) -> Result<ImportStatus, AppError> {
    let mut import = load(svc, actor, id).await?;
    if !matches!(import.status, ImportState::Done | ImportState::Cancelled | ImportState::Failed) {
        return Err(AppError::Conflict {
            message: format!(
                "only a finished, cancelled or failed import can be reverted; this one is {}",
                import.status.as_str()
            ),
            current: None,
        });
    }
    let co = actor.company();
    let job = Job::RevertImportChunk { company: co.clone(), import_id: id, chunk: 0 };
    let ops = vec![
        TxOp::Update {
            key: keys::import(co, u64::from(id)),
            update: Update::default()
                .set("status", json!(ImportState::Reverting))
                .set("revert_chunk", json!(0))
                .add("version", 1),
            cond: Some(Condition::VersionIs(import.version)),
        },
        jobs::pending(co, format!("import-revert:{co}:{id}:0"), job)?,
    ];
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => return Err(changed()),
        Err(e) => return Err(e.into()),
    }
    import.status = ImportState::Reverting;
    Ok(import.status())
}

/// The job that reverts chunk `chunk` of import `id`, then queues the next (or marks the import reverted).
pub async fn revert_chunk(svc: &Services, co: &CompanyId, id: u32, chunk: u32) -> Result<(), AppError> {
    let import = match load_as(svc, co, id).await {
        Ok(i) => i,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    if import.status != ImportState::Reverting || import.revert_chunk != chunk {
        return Ok(());
    }
    let import_key = keys::import(co, u64::from(id));
    let chunk_key = keys::import_chunk(co, u64::from(id), chunk);
    let Some(mut state) = chunk_state(svc, &chunk_key).await? else {
        // Past the last chunk: everything is undone.
        let update = Update::default().set("status", json!(ImportState::Reverted)).add("version", 1);
        let cond = Condition::AttrEquals("revert_chunk".into(), json!(chunk));
        match svc.table.update(&import_key, update, Some(cond)).await {
            Ok(_) | Err(StoreError::ConditionFailed { .. }) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    };
    let Some(actor) = actor_of(svc, co, &import.created_by).await? else {
        return super::chunk::fail(svc, co, id, "the user who started the import can no longer sign in".into()).await;
    };

    // The plan (which leads go, which other items with them, which counters move) is saved before anything is
    // deleted: after the deletes the records it is computed from are gone.
    if state.revert_ids.is_none() {
        let keys_of: Vec<Key> = state.ids().map(|n| keys::record(co, RecordId(n))).collect();
        let mut ids = Vec::new();
        let mut extra = Vec::new();
        let mut counters: BTreeMap<Key, i64> = BTreeMap::new();
        for item in svc.table.batch_get(&keys_of).await? {
            let r: Record = from_item(item)?;
            // A lead converted since is a customer now: it is the business's, not the import's, to remove.
            if r.kind != Kind::Lead || r.lead.customer.deleting {
                continue;
            }
            ids.push(r.id.0);
            let dup = Key::of(&crate::leads::dup_item(co, &r)).ok_or_else(|| AppError::Internal("dup key".into()))?;
            extra.push((dup.pk, dup.sk));
            // A lead still waiting in the queue leaves it (one handed out since is assigned, no longer queued).
            if let Some(sk) = &r.lead.queue_sk {
                extra.push((keys::lead_queue_pk(co), sk.clone()));
                *counters.entry(keys::lead_queue_count(co)).or_default() -= 1;
            }
            for k in counters_of(co, &r) {
                *counters.entry(k).or_default() -= 1;
            }
        }
        ids.sort_unstable();
        state.revert_ids = Some(ids);
        state.revert_keys = extra;
        state.revert_counters = counters.into_iter().map(|(k, v)| (k.pk, k.sk, v)).collect();
        svc.table
            .put(chunk_item(&chunk_key, &state), Some(Condition::AttrNotExists("revert_ids".into())))
            .await
            .map_err(|e| match e {
                StoreError::ConditionFailed { .. } => changed(),
                e => e.into(),
            })?;
    }
    if !state.reverted {
        for id in state.revert_ids.clone().unwrap_or_default() {
            let q = Query::new(Index::Base, keys::record_pk(co, RecordId(id)));
            let keys: Vec<Key> = svc.table.query_all(&q).await?.iter().filter_map(Key::of).collect();
            svc.table.batch_delete(&keys).await?;
        }
        let extra: Vec<Key> = state.revert_keys.iter().map(|(pk, sk)| Key::new(pk, sk)).collect();
        svc.table.batch_delete(&extra).await?;
        let counters: BTreeMap<Key, i64> =
            state.revert_counters.iter().map(|(pk, sk, v)| (Key::new(pk, sk), *v)).collect();
        apply_counters(svc, &chunk_key, "revert_counters_done", counter_groups(&counters), state.revert_counters_done)
            .await?;
        restore_updates(svc, &actor, id, chunk).await?;
    }
    let reverted = state.revert_ids.as_ref().map_or(0, Vec::len) as i64;
    let next = Job::RevertImportChunk { company: co.clone(), import_id: id, chunk: chunk + 1 };
    let ops = vec![
        TxOp::Update {
            key: import_key,
            update: Update::default().set("revert_chunk", json!(chunk + 1)).add("created", -reverted).add("version", 1),
            cond: Some(Condition::AttrEquals("revert_chunk".into(), json!(chunk))),
        },
        TxOp::Update { key: chunk_key, update: Update::default().set("reverted", true), cond: None },
        jobs::pending(co, format!("import-revert:{co}:{id}:{}", chunk + 1), next)?,
    ];
    match svc.table.transact(ops).await {
        Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Puts back the fields the chunk's update rows changed, each through the lead edit (with history), once.
async fn restore_updates(svc: &Services, actor: &Actor, id: u32, chunk: u32) -> Result<(), AppError> {
    let co = actor.company();
    let q = Query::new(Index::Base, keys::import_pk(co, u64::from(id)))
        .sort(SortCond::BeginsWith(keys::import_undo_prefix(chunk)));
    for undo in svc.table.query_all(&q).await? {
        let applied = undo.get("applied").and_then(Value::as_bool).unwrap_or(false);
        let restored = undo.get("restored").and_then(Value::as_bool).unwrap_or(false);
        let (Some(key), Some(lead)) = (Key::of(&undo), undo.get("lead_id").and_then(Value::as_u64)) else { continue };
        if !applied || restored {
            continue;
        }
        let lead = RecordId(lead);
        let current = match leads::load(svc, actor, lead).await {
            Ok(r) => r,
            Err(AppError::NotFound(_) | AppError::Forbidden(_)) => {
                svc.table.update(&key, Update::default().set("restored", true), None).await?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut body: Map<String, Value> = undo.get("before").and_then(Value::as_object).cloned().unwrap_or_default();
        body.insert("version".into(), json!(current.version));
        match leads::edit(svc, actor, lead, &body).await {
            Ok(_) => {}
            Err(AppError::Invalid(_) | AppError::Forbidden(_) | AppError::Conflict { .. }) => {
                tracing::warn!(company = %co, import = id, lead = lead.0, "an updated lead could not be restored");
            }
            Err(e) => return Err(e),
        }
        svc.table.update(&key, Update::default().set("restored", true), None).await?;
    }
    Ok(())
}
