//! `POST /api/v1/leads/{id}/location`: a lead moved to Pending, the Queue or Invalid, with the reason in its history.

use super::{enter, leave, rank_of, settings_of};
use crate::leads::{load, save, target, view, LeadView};
use crate::{Actor, AppError, Services};
use serde_json::json;
use vigil_api::lead_queue::LocationMove;
use vigil_domain::lead::FieldChange;
use vigil_domain::record::{Kind, LeadLocation, Stage};
use vigil_domain::{Action, FieldError, Invalid, RecordId, Resource};

const REASON_MAX: usize = 500;

pub async fn move_location(svc: &Services, actor: &Actor, id: RecordId, m: LocationMove) -> Result<LeadView, AppError> {
    if !matches!(m.to, LeadLocation::Pending | LeadLocation::Queue | LeadLocation::Invalid) {
        return Err(Invalid::one("to", "invalid", "a lead can be moved to pending, queue or invalid").into());
    }
    if m.reason.chars().count() > REASON_MAX {
        return Err(Invalid::one("reason", "too_long", format!("at most {REASON_MAX} characters")).into());
    }
    let old = load(svc, actor, id).await?;
    actor.require(Resource::Leads, Action::Modify, target(&old))?;
    if old.kind != Kind::Lead || old.stage == Stage::Converted {
        return Err(AppError::Conflict { message: "a converted lead is locked".into(), current: None });
    }
    let from = old.location();
    if from == m.to {
        return view(svc, actor, &old);
    }
    if (from == LeadLocation::Pending || m.to == LeadLocation::Pending)
        && !actor.user.permissions.allows_somewhere(Resource::PendingLeads, Action::Modify)
    {
        return Err(AppError::Forbidden("you do not have the Modify PendingLeads permission".into()));
    }
    let co = actor.company();
    let mut new = old.clone();
    new.lead.location = Some(m.to);
    let mut ops = Vec::new();
    ops.extend(leave(co, &mut new));
    let mut changes = vec![FieldChange { field: "location".into(), before: json!(from), after: json!(m.to) }];
    if !m.reason.trim().is_empty() {
        changes.push(FieldChange {
            field: "location_reason".into(),
            before: json!(null),
            after: json!(m.reason.trim()),
        });
    }
    // A rep putting back a lead they hold gives it up, and may not request it again for the blacklist minutes.
    let held_by_me = from == LeadLocation::Assigned && old.lead_rep_id.as_ref() == Some(actor.id());
    if held_by_me {
        new.lead_rep_id = None;
        changes.push(FieldChange { field: "lead_rep_id".into(), before: json!(old.lead_rep_id), after: json!(null) });
    }
    if m.to == LeadLocation::Queue {
        let blocked = if held_by_me {
            let minutes = settings_of(svc, co).await?.blacklist_minutes;
            Some((actor.id(), svc.clock.now().unix_timestamp() + i64::from(minutes) * 60))
        } else {
            None
        };
        let rank = rank_of(svc, co, new.source_id).await?;
        ops.extend(enter(co, &mut new, rank, blocked));
    }
    if new.lead_rep_id.is_none() && m.to == LeadLocation::Queue && new.office_location_id.is_none() {
        return Err(AppError::from_field(FieldError::new("to", "no_office", "the lead has no office location")));
    }
    let saved = save(svc, actor, &old, new, &changes, ops).await?;
    view(svc, actor, &saved)
}
