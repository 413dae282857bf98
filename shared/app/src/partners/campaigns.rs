//! Campaigns of a partner company: `GET/POST /api/v1/partners/{id}/campaigns`, `PATCH/DELETE /api/v1/campaigns/{id}`.
//! A name is unique within its partner and an external (partner ID, campaign ID) pair within the company, each by a
//! conditional write on its own item, so an incoming record names exactly one campaign.

use super::delete::{attributed_failure, unattributed};
use super::form::{text, NAME_MAX};
use super::history::history_ops;
use super::save::version_of;
use super::stored::{
    all_campaigns, campaign_external_item, campaign_from_item, campaign_name_item, campaigns_of, load_partner, next_id,
    StoredCampaign,
};
use crate::clock::rfc3339;
use crate::{Actor, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_api::partners::{CampaignDirection, CampaignView};
use vigil_domain::{Action, CampaignId, CompanyId, FieldError, Invalid, PartnerId, Resource};
use vigil_store::{keys, Condition, StoreError, TxOp};

const STALE: &str = "another admin changed this campaign; review their change and try again";

fn name_taken(name: &str) -> AppError {
    Invalid::one("name", "taken", format!("this partner has a campaign named \"{name}\" already")).into()
}

fn pair_taken() -> AppError {
    Invalid::one(
        "external_campaign_id",
        "taken",
        "another campaign has this external partner ID and campaign ID; an incoming record must name one campaign",
    )
    .into()
}

/// `base` with the form's fields applied and checked.
fn apply(base: &StoredCampaign, body: &Map<String, Value>) -> Result<StoredCampaign, Invalid> {
    let mut c = base.clone();
    let mut errors = Vec::new();
    for (name, v) in body {
        let f = name.as_str();
        let r = match f {
            "name" => text(f, v, NAME_MAX).map(|x| c.name = x),
            "description" => text(f, v, 1000).map(|x| c.description = x),
            "direction" => match v.as_str() {
                Some("inbound") => Ok(CampaignDirection::Inbound),
                Some("outbound") => Ok(CampaignDirection::Outbound),
                _ => Err(FieldError::new(f, "not_allowed", "must be one of: inbound, outbound")),
            }
            .map(|d| c.direction = d),
            "external_partner_id" => text(f, v, 64).map(|x| c.external_partner_id = x),
            "external_campaign_id" => text(f, v, 64).map(|x| c.external_campaign_id = x),
            "id" | "partner_id" | "version" => Ok(()),
            _ => Err(FieldError::new(f, "unknown", "a campaign has no such field")),
        };
        if let Err(e) = r {
            errors.push(e);
        }
    }
    let named = |errors: &[FieldError], f: &str| errors.iter().any(|e| e.field == f);
    if c.name.is_empty() && !named(&errors, "name") {
        errors.push(FieldError::required("name"));
    }
    // Half a pair matches nothing a partner's system sends.
    for (set, other, missing) in [
        (&c.external_partner_id, &c.external_campaign_id, "external_campaign_id"),
        (&c.external_campaign_id, &c.external_partner_id, "external_partner_id"),
    ] {
        if !set.is_empty() && other.is_empty() && !named(&errors, missing) {
            errors.push(FieldError::new(missing, "required", "the external IDs are given together or not at all"));
        }
    }
    if errors.is_empty() {
        Ok(c)
    } else {
        Err(Invalid { errors })
    }
}

fn changes(
    before: Option<&StoredCampaign>,
    after: Option<&StoredCampaign>,
    id: CampaignId,
) -> Vec<(String, Value, Value)> {
    let fields = |c: Option<&StoredCampaign>| match c.map(StoredCampaign::view).map(serde_json::to_value) {
        Some(Ok(Value::Object(m))) => m,
        _ => Map::new(),
    };
    let (b, a) = (fields(before), fields(after));
    ["name", "description", "direction", "external_partner_id", "external_campaign_id"]
        .iter()
        .filter_map(|k| {
            let (old, new) = (b.get(*k).cloned().unwrap_or(Value::Null), a.get(*k).cloned().unwrap_or(Value::Null));
            (old != new).then(|| (format!("campaign {}: {k}", id.0), old, new))
        })
        .collect()
}

pub async fn list_campaigns(svc: &Services, actor: &Actor, partner: PartnerId) -> Result<Vec<CampaignView>, AppError> {
    actor.require_somewhere(Resource::Campaigns, Action::View)?;
    let co = actor.company();
    load_partner(svc, co, partner).await?;
    Ok(campaigns_of(svc, co, partner).await?.iter().map(StoredCampaign::view).collect())
}

fn op_failed(e: &StoreError, op: Option<usize>) -> bool {
    matches!((e, op), (StoreError::ConditionFailed { op: Some(i), .. }, Some(o)) if *i == o)
}

pub async fn create_campaign(
    svc: &Services,
    actor: &Actor,
    partner: PartnerId,
    body: &Map<String, Value>,
) -> Result<CampaignView, AppError> {
    actor.require_somewhere(Resource::Campaigns, Action::Create)?;
    let co = actor.company();
    load_partner(svc, co, partner).await?;
    let blank = StoredCampaign {
        campaign: CampaignView {
            id: CampaignId(1),
            partner_id: partner,
            name: String::new(),
            description: String::new(),
            direction: CampaignDirection::Inbound,
            external_partner_id: String::new(),
            external_campaign_id: String::new(),
            version: 1,
        },
        versioned: true,
    };
    let mut c = apply(&blank, body)?;
    precheck(svc, co, &c, None).await?;
    let stored_max = all_campaigns(svc, co).await?.iter().map(|c| c.id.0).max().unwrap_or(0);
    c.id = CampaignId(next_id(svc, &keys::campaign_sequence(co), stored_max).await?);
    let mut ops = vec![
        TxOp::Put { item: c.to_item(co), cond: Some(Condition::NotExists) },
        TxOp::Put { item: campaign_name_item(co, partner, c.id, &c.name), cond: Some(Condition::NotExists) },
    ];
    let pair_op = campaign_external_item(co, &c).map(|item| {
        ops.push(TxOp::Put { item, cond: Some(Condition::NotExists) });
        ops.len() - 1
    });
    ops.extend(history_ops(
        co,
        partner,
        &rfc3339(svc.clock.now()),
        actor.id().as_str(),
        &changes(None, Some(&c), c.id),
    ));
    match svc.table.transact(ops).await {
        Ok(()) => Ok(c.view()),
        Err(e) if op_failed(&e, Some(1)) => Err(name_taken(&c.name)),
        Err(e) if op_failed(&e, pair_op) => Err(pair_taken()),
        Err(StoreError::ConditionFailed { .. }) => {
            Err(AppError::Conflict { message: "the campaign's ID was taken; try again".into(), current: None })
        }
        Err(e) => Err(e.into()),
    }
}

/// A clear answer in the common case; the conditional writes decide under a race.
async fn precheck(
    svc: &Services,
    co: &CompanyId,
    c: &StoredCampaign,
    current: Option<&StoredCampaign>,
) -> Result<(), AppError> {
    let renamed = current.is_none_or(|cur| keys::fold(&cur.name) != keys::fold(&c.name));
    if renamed && svc.table.get(&keys::campaign_name(co, c.partner_id, &c.name)).await?.is_some() {
        return Err(name_taken(&c.name));
    }
    if let Some((p, x)) = c.external_pair() {
        let moved = current
            .and_then(StoredCampaign::external_pair)
            .is_none_or(|(cp, cx)| keys::campaign_external(co, cp, cx) != keys::campaign_external(co, p, x));
        if moved && svc.table.get(&keys::campaign_external(co, p, x)).await?.is_some() {
            return Err(pair_taken());
        }
    }
    Ok(())
}

async fn load_campaign(svc: &Services, co: &CompanyId, id: CampaignId) -> Result<StoredCampaign, AppError> {
    let item = svc.table.get(&keys::campaign(co, id)).await?.ok_or(AppError::NotFound("campaign"))?;
    campaign_from_item(item)
}

fn stale(current: &StoredCampaign) -> AppError {
    AppError::Conflict { message: STALE.into(), current: serde_json::to_value(current.view()).ok() }
}

pub async fn update_campaign(
    svc: &Services,
    actor: &Actor,
    id: CampaignId,
    body: &Map<String, Value>,
) -> Result<CampaignView, AppError> {
    actor.require_somewhere(Resource::Campaigns, Action::Modify)?;
    let version = version_of(body)?;
    let co = actor.company();
    let current = load_campaign(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    let mut next = apply(&current, body)?;
    let diff = changes(Some(&current), Some(&next), id);
    if diff.is_empty() {
        return Ok(current.view());
    }
    precheck(svc, co, &next, Some(&current)).await?;
    next.version = current.version + 1;
    next.versioned = true;
    let mut ops = vec![TxOp::Put { item: next.to_item(co), cond: Some(current.is_current()) }];
    let mut name_op = None;
    if next.name != current.name {
        // A change of case keeps the name item's key: the put alone rewrites it (one transaction may not both
        // delete and put the same key).
        let same_key = keys::fold(&next.name) == keys::fold(&current.name);
        if !same_key {
            ops.push(TxOp::Delete { key: keys::campaign_name(co, current.partner_id, &current.name), cond: None });
        }
        ops.push(TxOp::Put {
            item: campaign_name_item(co, next.partner_id, id, &next.name),
            cond: (!same_key).then_some(Condition::NotExists),
        });
        name_op = Some(ops.len() - 1);
    }
    let mut pair_op = None;
    let (old_pair, new_pair) = (current.external_pair(), next.external_pair());
    let old_key = old_pair.map(|(p, x)| keys::campaign_external(co, p, x));
    let new_key = new_pair.map(|(p, x)| keys::campaign_external(co, p, x));
    if old_key != new_key {
        if let Some(k) = old_key {
            ops.push(TxOp::Delete { key: k, cond: None });
        }
        if let Some(item) = campaign_external_item(co, &next) {
            ops.push(TxOp::Put { item, cond: Some(Condition::NotExists) });
            pair_op = Some(ops.len() - 1);
        }
    }
    ops.extend(history_ops(co, current.partner_id, &rfc3339(svc.clock.now()), actor.id().as_str(), &diff));
    match svc.table.transact(ops).await {
        Ok(()) => Ok(next.view()),
        Err(e) if op_failed(&e, name_op) => Err(name_taken(&next.name)),
        Err(e) if op_failed(&e, pair_op) => Err(pair_taken()),
        Err(StoreError::ConditionFailed { .. }) => Err(stale(&load_campaign(svc, co, id).await?)),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/v1/campaigns/{id}?version=N`: refused while leads or customers carry the campaign.
pub async fn delete_campaign(svc: &Services, actor: &Actor, id: CampaignId, version: u64) -> Result<(), AppError> {
    actor.require_somewhere(Resource::Campaigns, Action::Delete)?;
    let co = actor.company();
    let current = load_campaign(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    let mut ops = vec![
        TxOp::Delete { key: keys::campaign(co, id), cond: Some(current.is_current()) },
        TxOp::Delete { key: keys::campaign_name(co, current.partner_id, &current.name), cond: None },
    ];
    if let Some((p, x)) = current.external_pair() {
        ops.push(TxOp::Delete { key: keys::campaign_external(co, p, x), cond: None });
    }
    ops.extend(history_ops(
        co,
        current.partner_id,
        &rfc3339(svc.clock.now()),
        actor.id().as_str(),
        &[(format!("campaign {}: deleted", id.0), json!(current.name), Value::Null)],
    ));
    let checks = ops.len();
    ops.extend(unattributed(co, "CAMPAIGN", id.0));
    match svc.table.transact(ops).await {
        Ok(()) => Ok(()),
        Err(e) if attributed_failure(&e, checks) => Err(AppError::Conflict {
            message: "leads or customers carry this campaign; it cannot be deleted".into(),
            current: None,
        }),
        Err(StoreError::ConditionFailed { .. }) => Err(match svc.table.get(&keys::campaign(co, id)).await? {
            Some(item) => stale(&campaign_from_item(item)?),
            None => AppError::NotFound("campaign"),
        }),
        Err(e) => Err(e.into()),
    }
}
