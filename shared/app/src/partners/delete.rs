//! `DELETE /api/v1/partners/{id}?version=N`: only a partner no lead or customer is attributed to (deactivate the
//! others instead), with its campaigns and their uniqueness items, in one transaction.

use super::save::stale;
use super::stored::{campaigns_of, load_partner};
use crate::{Actor, AppError, Services};
use vigil_domain::record::Kind;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, PartnerId, Resource};
use vigil_store::{keys, Index, Query, StoreError, TxOp};

/// DynamoDB's cap on one transaction.
const MAX_TX_OPS: usize = 100;

/// Whether any lead or customer sits in the list index partition of this facet value (`SOURCE` on GSI4, `CAMPAIGN`
/// on GSI1): one item read per kind, whatever the company's size. The index items are written in the same
/// transaction as the record, so this reads what records say now.
pub(crate) async fn attributed(
    svc: &Services,
    co: &CompanyId,
    facet: &str,
    index: Index,
    value: u32,
) -> Result<bool, AppError> {
    for kind in [Kind::Lead, Kind::Customer] {
        let q = Query::new(index, keys::list_facet_pk(co, kind, facet, &value.to_string())).limit(1);
        if !svc.table.query(&q).await?.items.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn delete(svc: &Services, actor: &Actor, id: PartnerId, version: u64) -> Result<(), AppError> {
    actor.require_somewhere(Resource::PartnerCompanies, Action::Delete)?;
    let co = actor.company();
    let current = load_partner(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    if attributed(svc, co, "SOURCE", Index::Gsi4, id.0).await? {
        return Err(AppError::Conflict {
            message: "leads or customers are attributed to this partner company; deactivate it instead".into(),
            current: None,
        });
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
