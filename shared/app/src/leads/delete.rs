//! Deleting a lead and everything in its partition.

use super::duplicates::dup_ops;
use super::view::{load, target};
use crate::record_index::index_writes;
use crate::{Actor, AppError, Services};
use vigil_domain::{Action, RecordId, Resource};
use vigil_store::{keys, Condition, Index, Query, StoreError, TxOp};

/// Items removed per batch when clearing a deleted lead's partition.
const DELETE_BATCH: u32 = 100;

/// `DELETE /api/v1/leads/{id}` with Leads Delete: the profile, its index and duplicate items in one transaction,
/// then everything else under the lead's partition (history, notes, …) in bounded batches.
pub async fn delete(svc: &Services, actor: &Actor, id: RecordId) -> Result<(), AppError> {
    let current = load(svc, actor, id).await?;
    actor.require(Resource::Leads, Action::Delete, target(&current))?;
    let co = actor.company();
    let mut ops = vec![TxOp::Delete { key: keys::record(co, id), cond: Some(Condition::VersionIs(current.version)) }];
    ops.extend(index_writes(co, Some(&current), None));
    ops.extend(dup_ops(co, Some(&current), None));
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { op: Some(0) | None, .. }) => {
            return Err(AppError::Conflict {
                message: "the lead changed while it was being deleted; try again".into(),
                current: None,
            })
        }
        Err(e) => return Err(e.into()),
    }
    let pk = keys::record_pk(co, id);
    loop {
        let page = svc.table.query(&Query::new(Index::Base, pk.clone()).limit(DELETE_BATCH)).await?;
        let keys: Vec<_> = page.items.iter().filter_map(vigil_store::Key::of).collect();
        if keys.is_empty() {
            break;
        }
        svc.table.batch_delete(&keys).await?;
        if page.last_key.is_none() && keys.len() < DELETE_BATCH as usize {
            break;
        }
    }
    tracing::info!(company = %co, lead = id.0, "lead deleted");
    Ok(())
}
