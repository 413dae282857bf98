//! Deleting a customer or lead and everything in its partition.

use super::load::target;
use crate::customer_items;
use crate::items::{from_item, item_of};
use crate::leads;
use crate::record_index::index_writes;
use crate::records::resource_of;
use crate::{Actor, AppError, Services};
use vigil_domain::record::Record;
use vigil_domain::{Action, RecordId};
use vigil_store::{keys, Condition, Index, Key, Query, StoreError, TxOp};

/// Items removed per batch when clearing a deleted customer's partition.
const DELETE_BATCH: u32 = 100;

/// `DELETE /api/v1/customers/{id}` (Customers Delete; Leads Delete for a lead). First, in one transaction, the
/// profile is marked `deleting` (and leaves every list and index) and the sub-customer link under a parent goes;
/// then the partition is cleared in bounded batches and the profile removed last. Calling it again on a record a
/// crash left marked resumes the clearing.
pub async fn delete(svc: &Services, actor: &Actor, id: RecordId) -> Result<(), AppError> {
    let item = svc.table.get(&keys::record(actor.company(), id)).await?.ok_or(AppError::NotFound("customer"))?;
    delete_record(svc, actor, from_item(item)?).await
}

/// The resumable delete both routes share (`DELETE /api/v1/leads/{id}` for leads): `r` is the record as stored,
/// possibly already marked `deleting` by an interrupted call.
pub(crate) async fn delete_record(svc: &Services, actor: &Actor, r: Record) -> Result<(), AppError> {
    let co = actor.company().clone();
    let id = r.id;
    actor.require(resource_of(r.kind), Action::View, target(&r))?;
    actor.require(resource_of(r.kind), Action::Delete, target(&r))?;
    if !r.lead.customer.deleting {
        let part = customer_items::partition(svc, &co, id).await?;
        if !part.children.is_empty() {
            return Err(AppError::Conflict {
                message: format!(
                    "this customer has {} sub-customers; unlink them before deleting it",
                    part.children.len()
                ),
                current: None,
            });
        }
        let mut marked = r.clone();
        marked.lead.customer.deleting = true;
        marked.version = r.version + 1;
        // The marker carries no index attributes, so it is in no list while the rest goes.
        let mut marker = item_of(&keys::record(&co, id), &marked, &[]);
        marker.retain(|k, _| !k.starts_with("GSI"));
        let mut ops = vec![TxOp::Put { item: marker, cond: Some(Condition::VersionIs(r.version)) }];
        ops.extend(index_writes(&co, Some(&r), None));
        ops.extend(leads::dup_ops(&co, Some(&r), None));
        if let Some(p) = r.lead.customer.parent_id {
            ops.push(TxOp::Delete { key: keys::sub_customer_link(&co, p, id), cond: None });
        }
        match svc.table.transact(ops).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed { op: Some(0) | None, .. }) => {
                return Err(AppError::Conflict {
                    message: "the record changed while it was being deleted; try again".into(),
                    current: None,
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    let profile = keys::record(&co, id);
    let pk = keys::record_pk(&co, id);
    loop {
        let page = svc.table.query(&Query::new(Index::Base, pk.clone()).limit(DELETE_BATCH)).await?;
        let batch: Vec<Key> = page.items.iter().filter_map(Key::of).filter(|k| *k != profile).collect();
        if batch.is_empty() {
            break;
        }
        svc.table.batch_delete(&batch).await?;
    }
    svc.table.delete(&profile, None).await?;
    tracing::info!(company = %co, record = id.0, kind = ?r.kind, "record deleted");
    Ok(())
}
