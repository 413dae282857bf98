//! What every Home page write shares: the conditional save with its index and history writes, the
//! stale-version conflict, and the checks of user and office-location references.

use super::view::get;
use super::STALE;
use crate::items::from_item;
use crate::leads::history_ops;
use crate::record_index::index_writes;
use crate::records::record_item;
use crate::{Actor, AppError, Services};
use serde_json::Value;
use vigil_domain::lead::FieldChange;
use vigil_domain::record::Record;
use vigil_domain::{CompanyId, FieldError, LocationId, RecordId, User, UserId};
use vigil_store::{keys, Condition, StoreError, TxOp};

pub(crate) async fn conflict(svc: &Services, actor: &Actor, id: RecordId) -> AppError {
    // The record as the caller may see it now, for the portal to show what changed.
    let current = get(svc, actor, id).await.ok().and_then(|home| serde_json::to_value(home).ok());
    AppError::Conflict { message: STALE.into(), current }
}

pub(crate) fn save_ops(
    co: &CompanyId,
    old: &Record,
    new: &Record,
    at: &str,
    by: &UserId,
    changes: &[FieldChange],
) -> Vec<TxOp> {
    let mut ops = vec![TxOp::Put { item: record_item(co, new), cond: Some(Condition::VersionIs(old.version)) }];
    ops.extend(index_writes(co, Some(old), Some(new)));
    ops.extend(crate::leads::dup_ops(co, Some(old), Some(new)));
    ops.extend(history_ops(co, new.id, at, by.as_str(), changes));
    ops
}

pub(crate) fn bump(new: &mut Record, old: &Record, at: &str, by: &UserId) {
    new.version = old.version + 1;
    new.lead.updated_at = Some(at.to_owned());
    new.lead.updated_by = Some(by.clone());
}

pub(super) async fn check_user(
    svc: &Services,
    co: &CompanyId,
    field: &str,
    id: Option<&UserId>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if let Some(id) = id {
        match svc.table.get(&keys::user(co, id)).await? {
            Some(item) if from_item::<User>(item.clone())?.active => {}
            _ => errors.push(FieldError::new(field, "not_found", "choose one of the company's users")),
        }
    }
    Ok(())
}

pub(super) async fn check_location(
    svc: &Services,
    co: &CompanyId,
    id: Option<LocationId>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    match id {
        None => errors.push(FieldError::required("office_location_id")),
        Some(l) if svc.table.get(&keys::location(co, l)).await?.is_none() => errors.push(FieldError::new(
            "office_location_id",
            "not_found",
            "choose one of the company's office locations",
        )),
        Some(_) => {}
    }
    Ok(())
}

pub(super) fn location_of(v: &Value) -> Result<Option<LocationId>, FieldError> {
    match v {
        Value::Null => Ok(None),
        v => v
            .as_u64()
            .filter(|n| *n > 0 && *n <= u32::MAX as u64)
            .map(|n| Some(LocationId(n as u32)))
            .ok_or_else(|| FieldError::new("office_location_id", "invalid", "must be an office location ID")),
    }
}

pub(crate) async fn commit(svc: &Services, actor: &Actor, id: RecordId, mut ops: Vec<TxOp>) -> Result<(), AppError> {
    // The record's new version names the change, so a retried save queues its re-check once.
    let version = match ops.first() {
        Some(TxOp::Put { item, .. }) => item.get("version").and_then(Value::as_u64),
        _ => None,
    };
    if let Some(v) = version {
        let change = format!("v{v}");
        ops.extend(crate::workflows::recheck_job(svc, actor.company(), id, actor.id(), &change).await?);
    }
    match svc.table.transact(ops).await {
        Ok(()) => {
            crate::workflows::recheck(svc, actor.company(), id, actor.id()).await;
            Ok(())
        }
        Err(StoreError::ConditionFailed { op: Some(0) | None, .. }) => Err(conflict(svc, actor, id).await),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "a related customer changed at the same time; reload and try again".into(),
            current: None,
        }),
        Err(e) => Err(e.into()),
    }
}
