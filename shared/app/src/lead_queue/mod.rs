//! The lead queue (the manual's Pending and Queue): the company's queue settings, the queue index a request reads,
//! requesting a lead, moving a lead between Pending, Queue and Invalid, and returning leads to their partners.
//!
//! A lead waiting in the queue has one index item, `C#co#LEADQUEUE` / `P<rank>#<arrived at>#<id>`, written and
//! deleted in the same transaction as the lead's own change, so a request reads the best candidates first and costs
//! in proportion to the leads it considers, never to the queue's size.

mod hours;
mod location;
mod request;
mod returns;

pub use hours::local_hour;
pub use location::move_location;
pub use request::{request, Requested};
pub use returns::return_leads;

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::json;
use vigil_api::lead_queue::LeadQueueSettings;
use vigil_api::partners::QueuePriority;
use vigil_domain::record::Record;
use vigil_domain::{Action, CompanyId, Invalid, PartnerId, Resource, UserId};
use vigil_store::{keys, Condition, Key, StoreError, TxOp};

const SETTING: &str = "LEAD_QUEUE";

pub async fn settings_of(svc: &Services, co: &CompanyId) -> Result<LeadQueueSettings, AppError> {
    match svc.table.get(&keys::setting(co, SETTING)).await? {
        Some(item) => from_item(item),
        None => Ok(LeadQueueSettings::default()),
    }
}

pub async fn get_settings(svc: &Services, actor: &Actor) -> Result<LeadQueueSettings, AppError> {
    actor.require_somewhere(Resource::Leads, Action::View)?;
    settings_of(svc, actor.company()).await
}

pub async fn put_settings(svc: &Services, actor: &Actor, s: LeadQueueSettings) -> Result<LeadQueueSettings, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let mut errors = Vec::new();
    if s.request_hours_start > 23 {
        errors.push(vigil_domain::FieldError::new("request_hours_start", "out_of_range", "an hour from 0 to 23"));
    }
    if s.request_hours_end == 0 || s.request_hours_end > 24 || s.request_hours_end <= s.request_hours_start {
        errors.push(vigil_domain::FieldError::new(
            "request_hours_end",
            "out_of_range",
            "an hour from 1 to 24, after the start",
        ));
    }
    if s.requestable_after_minutes > 7 * 24 * 60 {
        errors.push(vigil_domain::FieldError::new("requestable_after_minutes", "out_of_range", "at most a week"));
    }
    if s.blacklist_minutes > 30 * 24 * 60 {
        errors.push(vigil_domain::FieldError::new("blacklist_minutes", "out_of_range", "at most 30 days"));
    }
    if let Some(d) = s.requested_status {
        if svc.table.get(&keys::disposition(actor.company(), d)).await?.is_none() {
            errors.push(vigil_domain::FieldError::new(
                "requested_status",
                "not_found",
                "choose one of the company's lead statuses",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    let co = actor.company();
    let read = s.version;
    let next = LeadQueueSettings { version: read + 1, ..s };
    let cond = if read == 0 { Condition::NotExists } else { Condition::VersionIs(read) };
    match svc.table.put(item_of(&keys::setting(co, SETTING), &next, &[]), Some(cond)).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "another admin changed the lead queue settings; review their change and save again".into(),
            current: serde_json::to_value(settings_of(svc, co).await?).ok(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The queue rank of a lead from `source`: its partner's priority (0 high, 1 medium, 2 normal).
pub(crate) async fn rank_of(svc: &Services, co: &CompanyId, source: Option<PartnerId>) -> Result<u8, AppError> {
    let Some(p) = source else { return Ok(2) };
    Ok(match crate::partners::load(svc, co, p).await.map(|p| p.settings.lead_queue_priority) {
        Ok(QueuePriority::High) => 0,
        Ok(QueuePriority::Medium) => 1,
        _ => 2,
    })
}

/// Puts `record` in the queue: sets its queue key and returns the index item's write and the count's. `blocked` keeps
/// the lead from one rep until an epoch second (a lead they put back).
pub(crate) fn enter(co: &CompanyId, record: &mut Record, rank: u8, blocked: Option<(&UserId, i64)>) -> Vec<TxOp> {
    let sk = keys::lead_queue_sk(rank, &record.created_at, record.id);
    let mut item = Key::new(keys::lead_queue_pk(co), sk.clone()).to_item();
    item.insert("lead_id".into(), json!(record.id.0));
    item.insert("state".into(), json!(record.state));
    item.insert("arrived_at".into(), json!(record.created_at));
    item.insert("office_location_id".into(), json!(record.office_location_id.map(|l| l.0)));
    if let Some((user, until)) = blocked {
        item.insert("blocked_user".into(), json!(user.as_str()));
        item.insert("blocked_until".into(), json!(until));
    }
    record.lead.queue_sk = Some(sk);
    vec![TxOp::Put { item, cond: Some(Condition::NotExists) }, count(co, 1)]
}

/// Takes `record` out of the queue: the delete of its index item (it must be there, so the count stays exact) and
/// the count's update; nothing when it is not queued.
pub(crate) fn leave(co: &CompanyId, record: &mut Record) -> Vec<TxOp> {
    let Some(sk) = record.lead.queue_sk.take() else { return vec![] };
    vec![TxOp::Delete { key: Key::new(keys::lead_queue_pk(co), sk), cond: Some(Condition::Exists) }, count(co, -1)]
}

pub(crate) fn count(co: &CompanyId, by: i64) -> TxOp {
    TxOp::Update {
        key: keys::lead_queue_count(co),
        update: vigil_store::Update::default().add("value", by),
        cond: None,
    }
}

/// `GET /api/v1/lead-queue`: how many leads wait in the queue (the nav shows it to those who may request).
pub async fn summary(svc: &Services, actor: &Actor) -> Result<vigil_api::lead_queue::QueueSummary, AppError> {
    actor.require_somewhere(Resource::Leads, Action::View)?;
    let co = actor.company();
    let value = |item: Option<vigil_store::Item>| {
        let n = item.and_then(|i| i.get("value").and_then(serde_json::Value::as_i64)).unwrap_or(0);
        u64::try_from(n).unwrap_or(0)
    };
    let queued = value(svc.table.get(&keys::lead_queue_count(co)).await?);
    let pending = if actor.user.permissions.allows_somewhere(Resource::PendingLeads, Action::View) {
        let key = keys::list_counter(co, vigil_domain::record::Kind::Lead, "LOCATION", "pending");
        Some(value(svc.table.get(&key).await?))
    } else {
        None
    };
    Ok(vigil_api::lead_queue::QueueSummary { queued, pending })
}
