//! `POST /api/v1/leads/reassign`: a new lead rep and/or sales rep (the Sale card's "Sold by") for many leads at once,
//! each lead saved on its own with its history, so one refused lead does not hold up the others.

use crate::items::from_item;
use crate::leads::{self, save};
use crate::{Actor, AppError, Services};
use vigil_api::imports::{Reassign, ReassignReport, ReassignRow};
use vigil_domain::identity::Target;
use vigil_domain::lead::diff;
use vigil_domain::record::{Kind, Stage};
use vigil_domain::{Action, FieldError, Invalid, Resource, User, UserId};
use vigil_store::keys;

const MAX_LEADS: usize = 100;

/// `Some(None)` clears, `Some(Some(user))` sets (an active user of the company), `None` leaves the rep alone.
async fn rep(
    svc: &Services,
    actor: &Actor,
    field: &str,
    v: &Option<String>,
) -> Result<Option<Option<UserId>>, AppError> {
    let Some(s) = v else { return Ok(None) };
    if s.is_empty() {
        return Ok(Some(None));
    }
    let bad =
        || AppError::from(Invalid::from(FieldError::new(field, "not_found", "choose an active user of the company")));
    let id = UserId::parse(s).map_err(|_| bad())?;
    let item = svc.table.get(&keys::user(actor.company(), &id)).await?.ok_or_else(bad)?;
    let user: User = from_item(item)?;
    if !user.active {
        return Err(bad());
    }
    Ok(Some(Some(id)))
}

fn refused(id: vigil_domain::RecordId, code: &str, message: &str) -> ReassignRow {
    ReassignRow { lead_id: id, ok: false, code: Some(code.into()), message: Some(message.into()) }
}

pub async fn reassign(svc: &Services, actor: &Actor, body: Reassign) -> Result<ReassignReport, AppError> {
    actor.require_somewhere(Resource::Leads, Action::Modify)?;
    if body.lead_ids.is_empty() || body.lead_ids.len() > MAX_LEADS {
        return Err(Invalid::from(FieldError::new("lead_ids", "invalid", "send 1 to 100 lead IDs")).into());
    }
    let lead_rep = rep(svc, actor, "lead_rep_id", &body.lead_rep_id).await?;
    let sales_rep = rep(svc, actor, "sales_rep_id", &body.sales_rep_id).await?;
    if lead_rep.is_none() && sales_rep.is_none() {
        return Err(Invalid::from(FieldError::new("lead_rep_id", "required", "name a lead rep or a sales rep")).into());
    }
    let mut ids = body.lead_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut rows = Vec::with_capacity(ids.len());
    let mut reassigned = 0;
    for id in ids {
        let current = match leads::load(svc, actor, id).await {
            Ok(r) => r,
            Err(AppError::NotFound(_)) => {
                rows.push(refused(id, "not_found", "no such lead"));
                continue;
            }
            Err(AppError::Forbidden(_)) => {
                rows.push(refused(id, "forbidden", "you do not have the Leads edit permission for this lead"));
                continue;
            }
            Err(e) => return Err(e),
        };
        let target = Target::of(&current);
        if !actor.user.permissions.allows(actor.id(), Resource::Leads, Action::Modify, target) {
            rows.push(refused(id, "forbidden", "you do not have the Leads edit permission for this lead"));
            continue;
        }
        if current.kind != Kind::Lead || current.stage == Stage::Converted {
            rows.push(refused(id, "converted", "a converted lead is locked"));
            continue;
        }
        let mut new = current.clone();
        if let Some(r) = &lead_rep {
            new.lead_rep_id = r.clone();
        }
        if let Some(r) = &sales_rep {
            new.lead.customer.sold_by_id = r.clone();
        }
        let changes = diff(&current, &new);
        if !changes.is_empty() {
            match save(svc, actor, &current, new, &changes, vec![]).await {
                Ok(_) => {}
                Err(AppError::Conflict { .. }) => {
                    rows.push(refused(id, "conflict", "another user changed this lead meanwhile; try again"));
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        reassigned += 1;
        rows.push(ReassignRow { lead_id: id, ok: true, code: None, message: None });
    }
    Ok(ReassignReport { reassigned, rows })
}
