//! `DELETE /api/v1/partners/{id}?version=N`: only a partner no lead or customer is attributed to (deactivate the
//! others instead), with its campaigns and their uniqueness items, in one transaction that also checks the partner's
//! record counters are zero. Its login goes too (`login::delete_ops`).

use super::save::stale;
use super::stored::{campaigns_of, load_partner};
use crate::{Actor, AppError, Services};
use vigil_domain::record::Kind;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, PartnerId, Resource};
use vigil_store::{keys, Condition, StoreError, TxOp};

/// DynamoDB's cap on one transaction.
const MAX_TX_OPS: usize = 100;

/// The checks, to add to a delete's transaction, that no lead or customer is attributed to this facet value (`SOURCE`
/// for a partner, `CAMPAIGN` for a campaign): its list counters, which every record write moves in its own
/// transaction, must be absent or zero. Read in the transaction itself, not by a query beforehand: a query of the
/// index partition is eventually consistent and bounded, and a record saved between it and the delete would be left
/// attributed to nothing; a record write racing the delete now conflicts with it instead.
pub(crate) fn unattributed(co: &CompanyId, facet: &str, value: u32) -> Vec<TxOp> {
    [Kind::Lead, Kind::Customer]
        .into_iter()
        .map(|kind| TxOp::Check {
            key: keys::list_counter(co, kind, facet, &value.to_string()),
            cond: Condition::Or(vec![Condition::NotExists, Condition::AttrLessThan("value".into(), 1.0)]),
        })
        .collect()
}

/// Whether a failed transaction failed on one of the `unattributed` checks, which start at operation `first`.
pub(crate) fn attributed_failure(e: &StoreError, first: usize) -> bool {
    matches!(e, StoreError::ConditionFailed { op: Some(i), .. } if (first..first + 2).contains(i))
}

pub async fn delete(svc: &Services, actor: &Actor, id: PartnerId, version: u64) -> Result<(), AppError> {
    actor.require_somewhere(Resource::PartnerCompanies, Action::Delete)?;
    let co = actor.company();
    let current = load_partner(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    let campaigns = campaigns_of(svc, co, id).await?;
    let mut ops = vec![
        TxOp::Delete { key: keys::partner(co, id), cond: Some(current.is_current()) },
        TxOp::Delete { key: keys::partner_name(co, &current.settings.name), cond: None },
    ];
    for c in &campaigns {
        ops.push(TxOp::Delete { key: keys::campaign(co, c.id), cond: None });
        ops.push(TxOp::Delete { key: keys::campaign_name(co, id, &c.name), cond: None });
        if let Some((p, x)) = c.external_pair() {
            ops.push(TxOp::Delete { key: keys::campaign_external(co, p, x), cond: None });
        }
    }
    ops.extend(super::login::delete_ops(co, &current)?);
    let checks = ops.len();
    ops.extend(unattributed(co, "SOURCE", id.0));
    if ops.len() > MAX_TX_OPS {
        return Err(Invalid::from(FieldError::new(
            "campaigns",
            "too_many",
            "this partner has too many campaigns to delete at once; delete some of its campaigns first",
        ))
        .into());
    }
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(e) if attributed_failure(&e, checks) => {
            return Err(AppError::Conflict {
                message: "leads or customers are attributed to this partner company; deactivate it instead".into(),
                current: None,
            })
        }
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(match svc.table.get(&keys::partner(co, id)).await? {
                Some(item) => stale(&super::stored::partner_from_item(item)?),
                None => AppError::NotFound("partner company"),
            })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, partner = id.0, "partner company deleted");
    Ok(())
}
