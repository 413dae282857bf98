//! Editing a lead's fields (PATCH), with the SSN write and the five-star email that an edit can trigger.

use super::checks::{check_account_class, check_disposition, check_source, finish};
use super::save::{load_for_change, save, version_of};
use super::view::{view, LeadView};
use crate::clock::date;
use crate::items::from_item;
use crate::jobs::{self, Job};
use crate::{custom_fields, ssn, Actor, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_domain::lead::{edit_lead, FieldChange, Ssn};
use vigil_domain::record::Record;
use vigil_domain::{CompanyId, Invalid, RecordId, Section, SectionAccess, User};
use vigil_store::{keys, TxOp};

/// `PATCH /api/v1/leads/{id}`: the fields sent, with the record's `version`. `custom_fields` (a partial map) is
/// Leads Modify's like the qualification fields, saved in the same transaction with one history entry per value.
pub async fn edit(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: &Map<String, Value>,
) -> Result<LeadView, AppError> {
    let version = version_of(body, true)?;
    let current = load_for_change(svc, actor, id, version).await?;
    let co = actor.company().clone();
    // Writing an SSN one cannot read is allowed (office staff take it on the phone); the response masks it.
    let personal = [
        "first_name",
        "last_name",
        "email",
        "primary_phone",
        "address1",
        "address2",
        "city",
        "state",
        "zip",
        "county",
        "cross_street",
        "ssn",
    ];
    if body.keys().any(|k| personal.contains(&k.as_str()))
        && actor.user.permissions.section(Section::ContactInformation) < SectionAccess::Modify
    {
        return Err(AppError::Forbidden("you do not have permission to change contact information".into()));
    }
    let today = date(svc.clock.now());
    // `custom_fields` (a partial map of field ID to value) goes through the UDF rules, the profile fields through
    // `edit_lead`; the problems of both are reported in one 422.
    let mut fields = body.clone();
    let udfs = match fields.remove("custom_fields") {
        Some(v) => Some(custom_fields::apply(svc, &co, &current.lead.customer.custom_fields, &v).await?),
        None => None,
    };
    let edit = match (edit_lead(&current, &fields, &today), udfs) {
        (Ok(edit), None) => edit,
        (Ok(mut edit), Some(Ok(values))) => {
            if let Some(r) = edit.record.as_mut() {
                r.lead.customer.custom_fields = values;
            }
            edit
        }
        (Ok(_), Some(Err(errors))) => return Err(Invalid { errors }.into()),
        (Err(mut inv), udfs) => {
            inv.errors.extend(udfs.and_then(Result::err).unwrap_or_default());
            return Err(inv.into());
        }
    };
    let mut new = edit.record.clone().ok_or_else(|| AppError::Internal("edit produced no record".into()))?;

    let mut errors = Vec::new();
    if edit.check_source {
        check_source(svc, &co, new.kind, new.source_id, current.source_id, new.campaign_id, &mut errors).await?;
    }
    if edit.check_disposition {
        if let Some(d) = new.lead.disposition_id {
            if let Some(d) = check_disposition(svc, &co, d, &mut errors).await? {
                new.disposition = Some(d.name);
            }
        }
    }
    if let (true, Some(c)) = (edit.check_account_class, new.lead.account_class_id) {
        check_account_class(svc, &co, c, &mut errors).await?;
    }
    finish(errors)?;

    match &edit.ssn {
        Some(Some(s)) => set_ssn(svc, &co, &mut new, s)?,
        Some(None) => {
            new.lead.ssn_encrypted = None;
            new.lead.ssn_last4_index = None;
        }
        None => {}
    }
    let mut changes = edit.changes.clone();
    if new.lead.customer.custom_fields != current.lead.customer.custom_fields {
        // One history entry per changed value (`custom_fields.<id>`), as the customer save writes them.
        changes.push(FieldChange {
            field: "custom_fields".into(),
            before: json!(current.lead.customer.custom_fields),
            after: json!(new.lead.customer.custom_fields),
        });
        vigil_domain::custom_field::expand_changes(&mut changes);
    }
    if new.disposition != current.disposition && !changes.iter().any(|c| c.field == "disposition") {
        changes.push(FieldChange {
            field: "disposition".into(),
            before: json!(current.disposition),
            after: json!(new.disposition),
        });
    }
    if changes.is_empty() {
        return view(svc, actor, &current);
    }
    let jobs = match edit.rated_five {
        true => email_owner_about_five_stars(svc, actor, &new, current.version + 1).await?,
        false => vec![],
    };
    let saved = save(svc, actor, &current, new, &changes, jobs).await?;
    view(svc, actor, &saved)
}

pub(crate) fn set_ssn(svc: &Services, co: &CompanyId, r: &mut Record, s: &Ssn) -> Result<(), AppError> {
    let keys = svc.data_keys.as_ref();
    r.lead.ssn_encrypted = Some(ssn::encrypt(keys, co, r.id, s)?);
    r.lead.ssn_last4_index = Some(ssn::ssn_last4_blind_index(&keys.blind_index_key()?, co, s.last4()));
    Ok(())
}

/// A five-star rating emails the lead's owner (its lead rep, else whoever created it): the pending job to save with
/// the rating (`version` is the one the save gives the lead, which names the email, so a later rating emails again).
pub(super) async fn email_owner_about_five_stars(
    svc: &Services,
    actor: &Actor,
    r: &Record,
    version: u64,
) -> Result<Vec<TxOp>, AppError> {
    let co = actor.company();
    let owner_id = r.lead_rep_id.clone().unwrap_or_else(|| r.created_by.clone());
    let Some(item) = svc.table.get(&keys::user(co, &owner_id)).await? else {
        tracing::warn!(company = %co, lead = r.id.0, "five-star lead has no owner to email");
        return Ok(vec![]);
    };
    let owner: User = from_item(item)?;
    let job = Job::SendEmail {
        company: co.clone(),
        to: owner.email.clone(),
        subject: format!("Five-star lead #{}: {}", r.id, r.display_name()),
        body: format!(
            "{} rated lead #{} ({}, {} {}) five stars. Its next follow-up is today.",
            actor.user.name,
            r.id,
            r.display_name(),
            r.city,
            r.state
        ),
    };
    Ok(vec![jobs::pending(co, format!("lead-rated-five:{co}:{}:{version}", r.id), job)?])
}
