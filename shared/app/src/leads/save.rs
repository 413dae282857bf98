//! Saving a change: the conditional write every lead change goes through, and loading a lead for one.

use super::duplicates::dup_ops;
use super::history::history_ops;
use super::view::{conflict, load, target};
use crate::clock::rfc3339;
use crate::lead_scoring;
use crate::record_index::index_writes;
use crate::records::record_item;
use crate::{Actor, AppError, Services};
use serde_json::{Map, Value};
use vigil_domain::lead::{self, FieldChange};
use vigil_domain::record::{Kind, Record, Stage};
use vigil_domain::{Action, FieldError, Invalid, RecordId, Resource};
use vigil_store::{Condition, StoreError, TxOp};

/// Writes `new` over `old` (which must still be stored at `old.version`), with index, duplicate and history items.
pub(crate) async fn save(
    svc: &Services,
    actor: &Actor,
    old: &Record,
    mut new: Record,
    changes: &[FieldChange],
    jobs: Vec<TxOp>,
) -> Result<Record, AppError> {
    let co = actor.company();
    let now = rfc3339(svc.clock.now());
    new.version = old.version + 1;
    new.lead.updated_at = Some(now.clone());
    new.lead.updated_by = Some(actor.id().clone());
    let weights = lead_scoring::weights(svc, co).await?;
    let (score, factors) = lead::score(&new, &weights);
    new.lead.score = score;
    new.lead.score_factors = factors;
    let mut ops = vec![TxOp::Put { item: record_item(co, &new), cond: Some(Condition::VersionIs(old.version)) }];
    ops.extend(index_writes(co, Some(old), Some(&new)));
    ops.extend(dup_ops(co, Some(old), Some(&new)));
    ops.extend(history_ops(co, new.id, &now, actor.id().as_str(), changes));
    ops.extend(jobs);
    match svc.table.transact(ops).await {
        Ok(()) => Ok(new),
        Err(StoreError::ConditionFailed { op: Some(0) | None, .. }) => {
            let current = load(svc, actor, old.id).await?;
            Err(conflict(svc, actor, &current))
        }
        Err(e) => Err(e.into()),
    }
}

/// The `version` a write was based on: required for edits, optional for stage moves and tags.
pub(super) fn version_of(body: &Map<String, Value>, required: bool) -> Result<Option<u64>, AppError> {
    match body.get("version") {
        None | Some(Value::Null) if required => Err(Invalid::from(FieldError::required("version")).into()),
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| Invalid::one("version", "invalid", "version must be the record's version number").into()),
    }
}

/// Loads the lead for a change: the actor must be able to modify it, and `version` (required: every write says which
/// version it is based on) must be the stored one.
pub(super) async fn load_for_change(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    version: Option<u64>,
) -> Result<Record, AppError> {
    let current = load(svc, actor, id).await?;
    actor.require(Resource::Leads, Action::Modify, target(&current))?;
    if current.kind != Kind::Lead || current.stage == Stage::Converted {
        return Err(AppError::Conflict { message: "a converted lead is locked".into(), current: None });
    }
    let version = version.ok_or_else(|| AppError::from(Invalid::from(FieldError::required("version"))))?;
    if version != current.version {
        return Err(conflict(svc, actor, &current));
    }
    Ok(current)
}
