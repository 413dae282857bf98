//! `POST /api/v1/partners` and `PATCH /api/v1/partners/{id}`: the form applied, references checked, the name kept
//! unique by a conditional write on its name item, post keys sealed, and every change in the partner's history.

use super::form::{apply, KeyChange, Parsed};
use super::history::{diff, history_ops, key_marker};
use super::login::login_ops;
use super::secret::{seal_post_key, PostKeyKind};
use super::stored::{all_partners, as_campaign, campaigns_of, load_partner, next_id, partner_name_item, StoredPartner};
use crate::clock::rfc3339;
use crate::{Actor, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_api::partners::{PartnerSettings, PartnerView};
use vigil_domain::{Action, CompanyId, FieldError, Invalid, PartnerId, Resource};
use vigil_store::{keys, Condition, StoreError, TxOp};

pub const STALE: &str = "another admin changed this partner company; review their change and try again";

fn taken(name: &str) -> AppError {
    Invalid::one("name", "taken", format!("a partner company named \"{name}\" exists already")).into()
}

/// The references a form names must exist: message templates, and an office location of this company.
async fn check_references(svc: &Services, co: &CompanyId, s: &PartnerSettings) -> Result<(), AppError> {
    let mut errors = Vec::new();
    for (field, id) in [
        ("lead_auto_response_template_id", s.lead_auto_response_template_id),
        ("customer_auto_response_template_id", s.customer_auto_response_template_id),
    ] {
        if let Some(id) = id {
            if svc.table.get(&keys::message_template(co, id)).await?.is_none() {
                errors.push(FieldError::new(field, "not_found", "choose one of the company's message templates"));
            }
        }
    }
    if let Some(loc) = s.default_office_location_id {
        if svc.table.get(&keys::location(co, loc)).await?.is_none() {
            errors.push(FieldError::new(
                "default_office_location_id",
                "not_found",
                "choose one of the company's office locations",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid { errors }.into())
    }
}

/// Applies a key change to the stored ciphertext; the history records only whether a key is set.
fn rekey(
    svc: &Services,
    co: &CompanyId,
    id: PartnerId,
    kind: PostKeyKind,
    change: &KeyChange,
    current: Option<String>,
) -> Result<Option<String>, AppError> {
    match change {
        KeyChange::Keep => Ok(current),
        KeyChange::Clear => Ok(None),
        KeyChange::Set(plain) => seal_post_key(svc.data_keys.as_ref(), co, id, kind, plain).map(Some),
    }
}

fn key_changes(before: &StoredPartner, after: &StoredPartner, parsed: &Parsed) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    for (field, change, was, is) in [
        (
            "lead_post_key",
            &parsed.lead_post_key,
            before.lead_post_key_encrypted.is_some(),
            after.lead_post_key_encrypted.is_some(),
        ),
        (
            "customer_post_key",
            &parsed.customer_post_key,
            before.customer_post_key_encrypted.is_some(),
            after.customer_post_key_encrypted.is_some(),
        ),
    ] {
        // A new key replacing an old one is a change too, though both read as "set".
        if matches!(change, KeyChange::Set(_)) || was != is {
            out.push((field.to_owned(), key_marker(was), key_marker(is)));
        }
    }
    out
}

fn name_op_failed(e: &StoreError, op: usize) -> bool {
    matches!(e, StoreError::ConditionFailed { op: Some(i), .. } if *i == op)
}

pub async fn create(svc: &Services, actor: &Actor, body: &Map<String, Value>) -> Result<PartnerView, AppError> {
    actor.require_somewhere(Resource::PartnerCompanies, Action::Create)?;
    let co = actor.company();
    let parsed = apply(&PartnerSettings::blank(), body)?;
    check_references(svc, co, &parsed.settings).await?;
    if svc.table.get(&keys::partner_name(co, &parsed.settings.name)).await?.is_some() {
        return Err(taken(&parsed.settings.name));
    }
    let stored_max = all_partners(svc, co).await?.iter().map(|p| p.id.0).max().unwrap_or(0);
    let id = PartnerId(next_id(svc, &keys::partner_sequence(co), stored_max).await?);
    let blank = StoredPartner {
        id,
        settings: PartnerSettings::blank(),
        lead_post_key_encrypted: None,
        customer_post_key_encrypted: None,
        version: 1,
        versioned: true,
    };
    let partner = StoredPartner {
        settings: parsed.settings.clone(),
        lead_post_key_encrypted: rekey(svc, co, id, PostKeyKind::Lead, &parsed.lead_post_key, None)?,
        customer_post_key_encrypted: rekey(svc, co, id, PostKeyKind::Customer, &parsed.customer_post_key, None)?,
        ..blank.clone()
    };
    let at = rfc3339(svc.clock.now());
    let mut changes = vec![("created".to_owned(), Value::Null, json!(partner.settings.name))];
    changes.extend(diff(&blank.settings, &partner.settings).into_iter().filter(|(f, _, _)| f != "name"));
    changes.extend(key_changes(&blank, &partner, &parsed));
    let mut ops = vec![
        TxOp::Put { item: partner.to_item(co), cond: Some(Condition::NotExists) },
        TxOp::Put { item: partner_name_item(co, id, &partner.settings.name), cond: Some(Condition::NotExists) },
    ];
    ops.extend(history_ops(co, id, &at, actor.id().as_str(), &changes));
    ops.extend(login_ops(svc, co, None, &partner).await?);
    match svc.table.transact(ops).await {
        Ok(()) => {
            tracing::info!(company = %co, partner = id.0, "partner company created");
            Ok(partner.view(vec![]))
        }
        Err(e) if name_op_failed(&e, 1) => Err(taken(&partner.settings.name)),
        Err(StoreError::ConditionFailed { .. }) => {
            Err(AppError::Conflict { message: "the partner's ID was taken; try again".into(), current: None })
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn stale(current: &StoredPartner) -> AppError {
    AppError::Conflict { message: STALE.into(), current: serde_json::to_value(current.view(vec![])).ok() }
}

/// The `version` a write is based on (required).
pub(crate) fn version_of(body: &Map<String, Value>) -> Result<u64, AppError> {
    match body.get("version") {
        None | Some(Value::Null) => Err(Invalid::from(FieldError::required("version")).into()),
        Some(v) => v.as_u64().filter(|n| *n > 0).ok_or_else(|| {
            AppError::from(Invalid::one("version", "invalid", "version must be the version number you read"))
        }),
    }
}

pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: PartnerId,
    body: &Map<String, Value>,
) -> Result<PartnerView, AppError> {
    actor.require_somewhere(Resource::PartnerCompanies, Action::Modify)?;
    let version = version_of(body)?;
    let co = actor.company();
    let current = load_partner(svc, co, id).await?;
    if version != current.version {
        return Err(stale(&current));
    }
    let parsed = apply(&current.settings, body)?;
    check_references(svc, co, &parsed.settings).await?;
    let renamed = keys::fold(&parsed.settings.name) != keys::fold(&current.settings.name);
    if renamed && svc.table.get(&keys::partner_name(co, &parsed.settings.name)).await?.is_some() {
        return Err(taken(&parsed.settings.name));
    }
    let next = StoredPartner {
        settings: parsed.settings.clone(),
        lead_post_key_encrypted: rekey(
            svc,
            co,
            id,
            PostKeyKind::Lead,
            &parsed.lead_post_key,
            current.lead_post_key_encrypted.clone(),
        )?,
        customer_post_key_encrypted: rekey(
            svc,
            co,
            id,
            PostKeyKind::Customer,
            &parsed.customer_post_key,
            current.customer_post_key_encrypted.clone(),
        )?,
        version: current.version + 1,
        versioned: true,
        id,
    };
    let mut changes = diff(&current.settings, &next.settings);
    changes.extend(key_changes(&current, &next, &parsed));
    let campaigns = campaigns_of(svc, co, id).await?.iter().map(as_campaign).collect();
    if changes.is_empty() {
        return Ok(current.view(campaigns));
    }
    let at = rfc3339(svc.clock.now());
    let mut ops = vec![TxOp::Put { item: next.to_item(co), cond: Some(current.is_current()) }];
    let name_op = ops.len() + 1;
    if renamed {
        ops.push(TxOp::Delete { key: keys::partner_name(co, &current.settings.name), cond: None });
        ops.push(TxOp::Put { item: partner_name_item(co, id, &next.settings.name), cond: Some(Condition::NotExists) });
    } else if next.settings.name != current.settings.name {
        // Only the case changed: the name item's key is the same, its partner unchanged.
        ops.push(TxOp::Put { item: partner_name_item(co, id, &next.settings.name), cond: None });
    }
    ops.extend(history_ops(co, id, &at, actor.id().as_str(), &changes));
    ops.extend(login_ops(svc, co, Some(&current), &next).await?);
    match svc.table.transact(ops).await {
        Ok(()) => Ok(next.view(campaigns)),
        Err(e) if renamed && name_op_failed(&e, name_op) => Err(taken(&next.settings.name)),
        Err(StoreError::ConditionFailed { .. }) => Err(stale(&load_partner(svc, co, id).await?)),
        Err(e) => Err(e.into()),
    }
}
