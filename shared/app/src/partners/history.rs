//! A partner company's history: one entry per changed setting (and per campaign change), written in the change's
//! transaction. Post keys are recorded as set or removed, never with their value.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::{json, Value};
use vigil_api::partners::{PartnerChange, PartnerSettings};
use vigil_domain::{Action, CompanyId, PartnerId, Resource};
use vigil_store::{keys, Index, Query, SortCond, TxOp};

/// The newest entries a read returns.
const HISTORY_LIMIT: u32 = 200;

/// What is recorded for a post key: whether one is set, never the key.
pub(crate) fn key_marker(set: bool) -> Value {
    if set {
        json!("(set)")
    } else {
        Value::Null
    }
}

/// The settings that differ, as (field, before, after).
pub(crate) fn diff(before: &PartnerSettings, after: &PartnerSettings) -> Vec<(String, Value, Value)> {
    let (Ok(Value::Object(b)), Ok(Value::Object(a))) = (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return vec![];
    };
    a.iter()
        .filter_map(|(k, v)| {
            let old = b.get(k).cloned().unwrap_or(Value::Null);
            (old != *v).then(|| (k.clone(), old, v.clone()))
        })
        .collect()
}

pub(crate) fn history_ops(
    co: &CompanyId,
    id: PartnerId,
    at: &str,
    by: &str,
    changes: &[(String, Value, Value)],
) -> Vec<TxOp> {
    changes
        .iter()
        .enumerate()
        .map(|(i, (field, before, after))| {
            let entry = PartnerChange {
                at: at.into(),
                by: by.into(),
                field: field.clone(),
                before: before.clone(),
                after: after.clone(),
            };
            let seq = u32::try_from(i).unwrap_or(u32::MAX);
            TxOp::Put { item: item_of(&keys::partner_history(co, id, at, seq), &entry, &[]), cond: None }
        })
        .collect()
}

/// `GET /api/v1/partners/{id}/history`: oldest first, the newest 200.
pub async fn history(svc: &Services, actor: &Actor, id: PartnerId) -> Result<Vec<PartnerChange>, AppError> {
    actor.require_somewhere(Resource::PartnerCompanies, Action::View)?;
    let co = actor.company();
    super::stored::load_partner(svc, co, id).await?;
    let q = Query::new(Index::Base, keys::partner_history_pk(co, id))
        .sort(SortCond::BeginsWith("HIST#".into()))
        .backward()
        .limit(HISTORY_LIMIT);
    let mut out: Vec<PartnerChange> =
        svc.table.query(&q).await?.items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    out.reverse();
    Ok(out)
}
