//! A tab's endpoints: listing a collection and adding to it (`/api/v1/customers/{id}/<collection>`).

use super::collection::{Collection, SubRecord};
use super::partition::of_collection;
use super::validate::validate;
use crate::clock::rfc3339;
use crate::items::item_of;
use crate::{Actor, AppError, Services};
use serde_json::{Map, Value};
use vigil_domain::identity::Target;
use vigil_domain::record::Record;
use vigil_domain::{Action, RecordId};
use vigil_store::{keys, Condition, TxOp};

fn target(r: &Record) -> Target<'_> {
    Target { location: r.office_location_id, owner: r.lead_rep_id.as_ref() }
}

/// `GET /api/v1/customers/{id}/<collection>`: newest first.
pub async fn list(svc: &Services, actor: &Actor, id: RecordId, c: Collection) -> Result<Vec<SubRecord>, AppError> {
    crate::customers::load(svc, actor, id).await?;
    let mut items = of_collection(svc, actor.company(), id, c).await?;
    items.reverse();
    Ok(items)
}

/// `POST /api/v1/customers/{id}/<collection>`: needs Modify on the record; archived records take nothing new.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    c: Collection,
    body: &Map<String, Value>,
) -> Result<SubRecord, AppError> {
    let r = crate::customers::load(svc, actor, id).await?;
    actor.require(crate::records::resource_of(r.kind), Action::Modify, target(&r))?;
    crate::customers::writable(&r)?;
    let data = validate(c, body)?;
    let co = actor.company();
    let seq = svc.table.increment(&keys::record_child_sequence(co, id), 1).await?;
    let sub = SubRecord {
        id: seq as u64,
        record_id: id,
        collection: c,
        status: c.initial_status().into(),
        created_at: rfc3339(svc.clock.now()),
        created_by: actor.id().clone(),
        data,
    };
    // The record must still exist and be unarchived when the item lands.
    let ops = vec![
        TxOp::Check { key: keys::record(co, id), cond: Condition::AttrEquals("archived".into(), Value::Bool(false)) },
        TxOp::Put { item: item_of(&sub.key(co), &sub, &[]), cond: Some(Condition::NotExists) },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => Ok(sub),
        Err(vigil_store::StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "this customer was archived or removed meanwhile; nothing was added".into(),
            current: None,
        }),
        Err(e) => Err(e.into()),
    }
}
