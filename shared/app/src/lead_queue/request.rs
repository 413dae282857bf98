//! `POST /api/v1/lead-queue/request`: the best requestable lead, claimed with a conditional transaction.

use super::hours::{hours_until, local_hour};
use super::settings_of;
use crate::clock::rfc3339;
use crate::items::from_item;
use crate::leads::{dup_ops, history_ops, view, LeadView};
use crate::record_index::index_writes;
use crate::records::record_item;
use crate::{Actor, AppError, Services};
use serde_json::{json, Value};
use time::OffsetDateTime;
use vigil_domain::identity::Target;
use vigil_domain::lead::FieldChange;
use vigil_domain::record::{LeadLocation, Record};
use vigil_domain::{Action, LocationId, RecordId, Resource};
use vigil_store::{keys, Condition, Index, Item, Key, Query, SortCond, StoreError, TxOp};

/// What a request got.
#[derive(Debug)]
pub enum Requested {
    Lead(Box<LeadView>),
    /// Nothing requestable now; when something will be, when known.
    Nothing {
        next: Option<OffsetDateTime>,
    },
}

/// Candidates read per page of a rank; a request reads further pages only while it skips candidates.
const PAGE: u32 = 25;
/// The most candidates one request considers, so a queue full of leads this rep may not take still answers quickly.
const MAX_CONSIDERED: usize = 200;

pub async fn request(svc: &Services, actor: &Actor) -> Result<Requested, AppError> {
    actor.require_somewhere(Resource::LeadQueue, Action::Create)?;
    let co = actor.company();
    let settings = settings_of(svc, co).await?;
    let now = svc.clock.now();
    let cutoff = now - time::Duration::minutes(i64::from(settings.requestable_after_minutes));
    let cutoff_text = rfc3339(cutoff);
    let perms = &actor.user.permissions;
    let mut next: Option<OffsetDateTime> = None;
    let sooner = |t: OffsetDateTime, next: &mut Option<OffsetDateTime>| {
        if next.is_none_or(|n| t < n) {
            *next = Some(t);
        }
    };
    let mut considered = 0usize;
    for rank in 0u8..3 {
        let prefix = format!("P{rank}#");
        // Everything of this rank that arrived before the cutoff, oldest first ("~" sorts after the ID part).
        let range = SortCond::Between(prefix.clone(), format!("{prefix}{cutoff_text}~"));
        let mut start: Option<Item> = None;
        loop {
            let q = Query::new(Index::Base, keys::lead_queue_pk(co)).sort(range.clone()).limit(PAGE).start(start);
            let page = svc.table.query(&q).await?;
            for item in page.items {
                considered += 1;
                let str_of = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
                let location = item.get("office_location_id").and_then(Value::as_u64).map(|l| LocationId(l as u32));
                let may = perms.allows(
                    actor.id(),
                    Resource::LeadQueue,
                    Action::Create,
                    Target { location, owner: None, source: None },
                ) && perms.allows(
                    actor.id(),
                    Resource::Leads,
                    Action::View,
                    Target { location, owner: Some(actor.id()), source: None },
                );
                if !may {
                    continue;
                }
                let blocked_until = item.get("blocked_until").and_then(Value::as_i64).unwrap_or(0);
                if str_of("blocked_user") == actor.id().as_str() && blocked_until > now.unix_timestamp() {
                    if let Ok(t) = OffsetDateTime::from_unix_timestamp(blocked_until) {
                        sooner(t, &mut next);
                    }
                    continue;
                }
                let state = str_of("state");
                let hour = local_hour(&state, now);
                if hour < settings.request_hours_start || hour >= settings.request_hours_end {
                    let wait = hours_until(&state, now, settings.request_hours_start);
                    let opens = now + time::Duration::hours(wait);
                    let opens = opens.replace_minute(0).unwrap_or(opens).replace_second(0).unwrap_or(opens);
                    sooner(opens, &mut next);
                    continue;
                }
                let Some(key) = Key::of(&item) else { continue };
                let Some(id) = item.get("lead_id").and_then(Value::as_u64).map(RecordId) else { continue };
                if let Some(lead) = claim(svc, actor, &key, id, settings.requested_status).await? {
                    return Ok(Requested::Lead(Box::new(lead)));
                }
            }
            if considered >= MAX_CONSIDERED {
                break;
            }
            match page.last_key {
                Some(k) => start = Some(k),
                None => break,
            }
        }
        // The first lead of this rank still inside its requestable delay says when it will be requestable.
        let later = Query::new(Index::Base, keys::lead_queue_pk(co))
            .sort(SortCond::Between(format!("{prefix}{cutoff_text}~"), format!("{prefix}~")))
            .limit(1);
        if let Some(item) = svc.table.query(&later).await?.items.into_iter().next() {
            let arrived = item.get("arrived_at").and_then(Value::as_str).unwrap_or_default();
            if let Ok(t) = OffsetDateTime::parse(arrived, &time::format_description::well_known::Rfc3339) {
                sooner(t + time::Duration::minutes(i64::from(settings.requestable_after_minutes)), &mut next);
            }
        }
    }
    Ok(Requested::Nothing { next })
}

/// Claims one queued lead for the actor: the queue item must still exist and the lead still be queued at the version
/// read, or another request got it first (`None`: try the next candidate).
async fn claim(
    svc: &Services,
    actor: &Actor,
    queue_key: &Key,
    id: RecordId,
    requested_status: Option<vigil_domain::DispositionId>,
) -> Result<Option<LeadView>, AppError> {
    let co = actor.company();
    let Some(item) = svc.table.get(&keys::record(co, id)).await? else { return Ok(None) };
    let old: Record = from_item(item)?;
    if old.location() != LeadLocation::Queue || old.lead.customer.deleting {
        return Ok(None);
    }
    let now = rfc3339(svc.clock.now());
    let mut new = old.clone();
    new.version = old.version + 1;
    new.lead.location = Some(LeadLocation::Assigned);
    new.lead.queue_sk = None;
    new.lead_rep_id = Some(actor.id().clone());
    new.lead.updated_at = Some(now.clone());
    new.lead.updated_by = Some(actor.id().clone());
    let mut changes = vec![
        FieldChange { field: "location".into(), before: json!("queue"), after: json!("assigned") },
        FieldChange { field: "lead_rep_id".into(), before: json!(old.lead_rep_id), after: json!(actor.id()) },
    ];
    if let Some(d) = requested_status {
        if let Some(item) = svc.table.get(&keys::disposition(co, d)).await? {
            let status: vigil_api::leads::Disposition = from_item(item)?;
            new.lead.disposition_id = Some(d);
            new.disposition = Some(status.name.clone());
            changes.push(FieldChange {
                field: "disposition".into(),
                before: json!(old.disposition),
                after: json!(status.name),
            });
        }
    }
    let mut ops = vec![
        TxOp::Delete { key: queue_key.clone(), cond: Some(Condition::Exists) },
        super::count(co, -1),
        TxOp::Put { item: record_item(co, &new), cond: Some(Condition::VersionIs(old.version)) },
    ];
    ops.extend(index_writes(co, Some(&old), Some(&new)));
    ops.extend(dup_ops(co, Some(&old), Some(&new)));
    ops.extend(history_ops(co, new.id, &now, actor.id().as_str(), &changes));
    match svc.table.transact(ops).await {
        Ok(()) => {
            tracing::info!(company = %co, lead = id.0, "lead requested from the queue");
            Ok(Some(view(svc, actor, &new)?))
        }
        Err(StoreError::ConditionFailed { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
