//! `POST /api/v1/leads/return`: leads pushed back to the partners that sold them. Each leaves the active list
//! (location `returned`); each partner gets one notification for the batch, with the call-center comments only when
//! it asked for them, from its auto-response template when it has one. Each return is an entry of the partner's
//! returns report, written in the lead's own save.

use super::leave;
use crate::clock::rfc3339;
use crate::directory;
use crate::items::from_item;
use crate::jobs::{self, Job};
use crate::leads::{load, save, target};
use crate::partners::{render, StoredPartner};
use crate::{Actor, AppError, Services};
use serde_json::json;
use std::collections::BTreeMap;
use vigil_api::lead_queue::{NotReturned, ReturnLeads, ReturnReport};
use vigil_api::partners::MessageTemplate;
use vigil_domain::lead::FieldChange;
use vigil_domain::record::{LeadLocation, Record};
use vigil_domain::{Action, FieldError, Invalid, PartnerId, Resource};
use vigil_store::keys;

const MAX_LEADS: usize = 100;

pub async fn return_leads(svc: &Services, actor: &Actor, body: ReturnLeads) -> Result<ReturnReport, AppError> {
    actor.require_somewhere(Resource::Leads, Action::Modify)?;
    let mut errors = Vec::new();
    if body.lead_ids.is_empty() || body.lead_ids.len() > MAX_LEADS {
        errors.push(FieldError::new("lead_ids", "count", format!("from 1 to {MAX_LEADS} leads")));
    }
    if body.reason.trim().is_empty() {
        errors.push(FieldError::required("reason"));
    } else if body.reason.chars().count() > 500 {
        errors.push(FieldError::new("reason", "too_long", "at most 500 characters"));
    }
    if body.call_center_comments.chars().count() > 4000 {
        errors.push(FieldError::new("call_center_comments", "too_long", "at most 4000 characters"));
    }
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    let co = actor.company();
    let mut report = ReturnReport::default();
    let mut by_partner: BTreeMap<u32, (StoredPartner, Vec<Record>)> = BTreeMap::new();
    let mut ids = body.lead_ids.clone();
    ids.dedup();
    for id in ids {
        let refuse = |message: &str| NotReturned { lead_id: id, message: message.to_owned() };
        let old = match load(svc, actor, id).await {
            Ok(r) => r,
            Err(AppError::NotFound(_) | AppError::Forbidden(_)) => {
                report.not_returned.push(refuse("not found"));
                continue;
            }
            Err(e) => return Err(e),
        };
        if actor.require(Resource::Leads, Action::Modify, target(&old)).is_err() {
            report.not_returned.push(refuse("you may not change this lead"));
            continue;
        }
        if old.location() == LeadLocation::Returned {
            report.not_returned.push(refuse("already returned"));
            continue;
        }
        let partner = match old.source_id {
            Some(p) => crate::partners::load(svc, co, p).await.ok(),
            None => None,
        };
        let Some(partner) = partner.filter(|p| p.settings.sells_leads) else {
            report.not_returned.push(refuse("only a lead from a partner that sells leads can be returned"));
            continue;
        };
        let mut new = old.clone();
        new.lead.location = Some(LeadLocation::Returned);
        let mut ops = leave(co, &mut new);
        let entry = crate::partners::returns::returned(
            &rfc3339(svc.clock.now()),
            old.id,
            body.reason.trim(),
            comments_sent(&partner, &body),
        );
        ops.extend(crate::partners::returns::entry_ops(co, partner.id, &entry));
        let changes = [
            FieldChange { field: "location".into(), before: json!(old.location()), after: json!("returned") },
            FieldChange { field: "return_reason".into(), before: json!(null), after: json!(body.reason.trim()) },
        ];
        match save(svc, actor, &old, new, &changes, ops).await {
            Ok(saved) => {
                report.returned.push(saved.id);
                by_partner.entry(partner.id.0).or_insert_with(|| (partner, Vec::new())).1.push(saved);
            }
            Err(AppError::Conflict { .. }) => report.not_returned.push(refuse("changed by someone else; try again")),
            Err(e) => return Err(e),
        }
    }
    for (partner_id, (partner, leads)) in by_partner {
        notify(svc, actor, PartnerId(partner_id), &partner, &leads, &body).await?;
    }
    Ok(report)
}

/// Whether the partner's notification carries the call-center comments: it must ask for them, have somewhere to
/// receive the notification, and there must be comments.
fn comments_sent(partner: &StoredPartner, body: &ReturnLeads) -> bool {
    let s = &partner.settings;
    s.include_call_center_comments_with_return
        && !s.lead_return_emails.is_empty()
        && !body.call_center_comments.trim().is_empty()
}

/// One return notification to each of the partner's return addresses for this batch (idempotent per batch and
/// recipient: the job key names the leads).
async fn notify(
    svc: &Services,
    actor: &Actor,
    partner_id: PartnerId,
    partner: &StoredPartner,
    leads: &[Record],
    body: &ReturnLeads,
) -> Result<(), AppError> {
    let s = &partner.settings;
    if s.lead_return_emails.is_empty() || leads.is_empty() {
        return Ok(());
    }
    let co = actor.company();
    let company_name = directory::company(svc, co).await.map(|c| c.name).unwrap_or_else(|_| co.to_string());
    let comments = if comments_sent(partner, body) { body.call_center_comments.trim() } else { "" };
    let template: Option<MessageTemplate> = match s.lead_auto_response_template_id {
        Some(t) => match svc.table.get(&keys::message_template(co, t)).await? {
            Some(item) => Some(from_item(item)?),
            None => None,
        },
        None => None,
    };
    let mut subject = String::new();
    let mut text = String::new();
    for r in leads {
        let value = |name: &str| -> String {
            match name {
                "first_name" => r.first_name.clone(),
                "last_name" => r.last_name.clone(),
                "lead_id" => r.id.0.to_string(),
                "partner_name" => s.name.clone(),
                "company_name" => company_name.clone(),
                "return_reason" => body.reason.trim().to_owned(),
                "call_center_comments" => comments.to_owned(),
                _ => String::new(),
            }
        };
        let (sub, part) = match &template {
            Some(t) => (render(&t.subject, &value), render(&t.body, &value)),
            None => (
                format!("{company_name} returned {} lead(s)", leads.len()),
                format!(
                    "{} {} (lead {}) was returned: {}{}",
                    r.first_name,
                    r.last_name,
                    r.id.0,
                    body.reason.trim(),
                    if comments.is_empty() { String::new() } else { format!("\nCall-center comments: {comments}") }
                ),
            ),
        };
        if subject.is_empty() {
            subject = if leads.len() > 1 { format!("{sub} (and {} more)", leads.len() - 1) } else { sub };
        }
        if !text.is_empty() {
            text.push_str("\n\n---\n\n");
        }
        text.push_str(&part);
    }
    let batch: Vec<String> = leads.iter().map(|r| r.id.0.to_string()).collect();
    let batch = batch.join("-");
    let mut ops = Vec::new();
    for to in &s.lead_return_emails {
        let job = Job::SendEmail { company: co.clone(), to: to.clone(), subject: subject.clone(), body: text.clone() };
        ops.push(jobs::pending(co, format!("return:{co}:{}:{batch}:{to}", partner_id.0), job)?);
    }
    svc.table.transact(ops).await?;
    Ok(())
}
