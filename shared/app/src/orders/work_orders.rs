//! Work orders on a customer (Work Orders tab): a type, a status, items from the customer's equipment and notes;
//! created, listed and edited with their version. Items under the customer's partition (`WO#`), numbered by its
//! sub-record sequence.

use crate::customer_items::{Collection, CollectionRules, SubRecord};
use crate::items::{from_item, item_of};
use crate::{customers, Actor, AppError, Services};
pub use vigil_api::orders::{WorkOrder, WorkOrderSave};
use vigil_api::orders::{WorkOrderItem, WORK_ORDER_STATUSES, WORK_ORDER_TYPES};
use vigil_domain::record::Record;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, RecordId, Resource};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

pub const WORK_ORDER_PREFIX: &str = "WO";
const MAX_ITEMS: usize = 50;
const NOTES_MAX: usize = 4000;

async fn customer(svc: &Services, actor: &Actor, id: RecordId, action: Action) -> Result<Record, AppError> {
    let r = customers::load_customer(svc, actor, id).await?;
    actor.require(Resource::WorkOrders, action, customers::target(&r))?;
    if action != Action::View {
        customers::writable(&r)?;
    }
    Ok(r)
}

/// `GET /api/v1/customers/{id}/work-orders`: Work Orders View; oldest first.
pub async fn list_work_orders(svc: &Services, actor: &Actor, id: RecordId) -> Result<Vec<WorkOrder>, AppError> {
    customer(svc, actor, id, Action::View).await?;
    let q = Query::new(Index::Base, keys::record_pk(actor.company(), id))
        .sort(SortCond::BeginsWith(format!("{WORK_ORDER_PREFIX}#")));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

/// The customer's equipment sub-records named by `ids`, as work order items (unknown ones named by position).
async fn items_of(
    svc: &Services,
    co: &CompanyId,
    id: RecordId,
    ids: &[u64],
    e: &mut Vec<FieldError>,
) -> Result<Vec<WorkOrderItem>, AppError> {
    if ids.len() > MAX_ITEMS {
        e.push(FieldError::new("equipment_item_ids", "too_many", format!("at most {MAX_ITEMS} items")));
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    for (i, eid) in ids.iter().enumerate() {
        let key = keys::record_child_item(co, id, Collection::Equipment.prefix(), *eid);
        match svc.table.get(&key).await? {
            Some(item) if !ids.iter().take(i).any(|x| x == eid) => {
                let sub: SubRecord = from_item(item)?;
                out.push(WorkOrderItem {
                    equipment_item_id: sub.id,
                    name: sub.data.get("name").and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
                    quantity: sub.data.get("quantity").and_then(|v| v.as_u64()).unwrap_or(1),
                });
            }
            _ => e.push(FieldError::new(
                format!("equipment_item_ids[{i}]"),
                "not_found",
                "choose the customer's own equipment, once each",
            )),
        }
    }
    Ok(out)
}

fn one_of(field: &str, v: &str, allowed: &[&str], e: &mut Vec<FieldError>) -> bool {
    if allowed.contains(&v) {
        true
    } else {
        e.push(FieldError::new(field, "invalid", format!("{field} is one of {}", allowed.join(", "))));
        false
    }
}

fn notes_of(n: &str, e: &mut Vec<FieldError>) -> String {
    if n.chars().count() > NOTES_MAX {
        e.push(FieldError::new("notes", "too_long", format!("at most {NOTES_MAX} characters")));
    }
    n.trim().to_owned()
}

/// `POST /api/v1/customers/{id}/work-orders`: Work Orders Create.
pub async fn create_work_order(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: WorkOrderSave,
) -> Result<WorkOrder, AppError> {
    customer(svc, actor, id, Action::Create).await?;
    let co = actor.company();
    let mut e = Vec::new();
    let kind = body.kind.clone().unwrap_or_default();
    one_of("type", &kind, WORK_ORDER_TYPES, &mut e);
    let status = body.status.clone().unwrap_or_else(|| "open".into());
    one_of("status", &status, WORK_ORDER_STATUSES, &mut e);
    let items = items_of(svc, co, id, body.equipment_item_ids.as_deref().unwrap_or_default(), &mut e).await?;
    let notes = notes_of(body.notes.as_deref().unwrap_or_default(), &mut e);
    if !e.is_empty() {
        return Err(Invalid { errors: e }.into());
    }
    let seq = u64::try_from(svc.table.increment(&keys::record_child_sequence(co, id), 1).await?)
        .map_err(|_| AppError::Internal("the sub-record sequence is negative".into()))?;
    let wo = WorkOrder {
        id: seq,
        customer_id: id,
        kind,
        status,
        items,
        notes,
        version: 1,
        created_at: crate::clock::rfc3339(svc.clock.now()),
        created_by: actor.id().clone(),
    };
    let ops = vec![
        TxOp::Check {
            key: keys::record(co, id),
            cond: Condition::AttrEquals("archived".into(), serde_json::Value::Bool(false)),
        },
        TxOp::Put {
            item: item_of(&keys::customer_doc(co, id, WORK_ORDER_PREFIX, seq), &wo, &[]),
            cond: Some(Condition::NotExists),
        },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => Ok(wo),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "this customer was archived or removed meanwhile; nothing was added".into(),
            current: None,
        }),
        Err(e) => Err(e.into()),
    }
}

/// `PATCH /api/v1/customers/{id}/work-orders`: Work Orders Modify, with the work order's `id` and `version`.
pub async fn update_work_order(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: WorkOrderSave,
) -> Result<WorkOrder, AppError> {
    customer(svc, actor, id, Action::Modify).await?;
    let co = actor.company();
    let Some(wid) = body.id else { return Err(AppError::from_field(FieldError::required("id"))) };
    let Some(version) = body.version else { return Err(AppError::from_field(FieldError::required("version"))) };
    let key = keys::customer_doc(co, id, WORK_ORDER_PREFIX, wid);
    let current: WorkOrder = match svc.table.get(&key).await? {
        Some(item) => from_item(item)?,
        None => return Err(AppError::NotFound("work order")),
    };
    let mut e = Vec::new();
    let mut next = current.clone();
    if let Some(k) = &body.kind {
        if one_of("type", k, WORK_ORDER_TYPES, &mut e) {
            next.kind = k.clone();
        }
    }
    if let Some(s) = &body.status {
        if one_of("status", s, WORK_ORDER_STATUSES, &mut e) {
            next.status = s.clone();
        }
    }
    if let Some(ids) = &body.equipment_item_ids {
        next.items = items_of(svc, co, id, ids, &mut e).await?;
    }
    if let Some(n) = &body.notes {
        next.notes = notes_of(n, &mut e);
    }
    if !e.is_empty() {
        return Err(Invalid { errors: e }.into());
    }
    if version != current.version {
        return Err(stale(&current));
    }
    next.version = current.version + 1;
    match svc.table.put(item_of(&key, &next, &[]), Some(Condition::VersionIs(version))).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed { .. }) => {
            let now: Option<WorkOrder> = svc.table.get(&key).await?.map(from_item).transpose()?;
            Err(now.as_ref().map_or(AppError::NotFound("work order"), stale))
        }
        Err(e) => Err(e.into()),
    }
}

fn stale(current: &WorkOrder) -> AppError {
    AppError::Conflict {
        message: "another user changed this work order; review their changes and try again".into(),
        current: serde_json::to_value(current).ok(),
    }
}
