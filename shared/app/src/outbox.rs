//! Every email Vigil sends is recorded in the company's outbox. In the embedded default the outbox is the delivery
//! (the portal shows it, labelled as the sandbox); in AWS it is the audit trail beside the SES send, saying for each
//! mail whether it was sent (with SES's message ID) or why not.
//!
//! Sending once. The jobs worker claims a job's idempotency key before running it, so a message redelivered after
//! the job finished sends nothing. What the claim cannot cover is a worker that stops after SES accepted the mail
//! and before the claim is completed: its claim expires and a retry runs the job again. So right after the send,
//! [`deliver`] records it in a delivery item of its own (`IDEM#mail#<key>`, written once), and a retry that finds
//! that item sends nothing and only finishes the outbox record.
//!
//! What remains at-least-once (SES's SendEmail takes no idempotency token, so nothing on this side can close it): a
//! worker that stops between SES accepting the mail and the delivery item being written; an SDK retry of a send
//! whose answer timed out after SES had accepted it; and a worker still sending when its claim's lease (five
//! minutes) runs out while another takes the job over. Each of those can send one mail twice; none loses one.

use crate::clock::rfc3339;
use crate::idempotency::REMEMBER_SECS;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::{json, Value};
pub use vigil_api::outbox::{Mail, OutboxPage};
use vigil_domain::email::Address;
use vigil_domain::{Action, CompanyId, Resource};
use vigil_store::{keys, Condition, Index, Item, OutgoingMail, Query, StoreError, EXPIRES_AT, PK, SK};

/// What became of a mail, stored on its outbox record (`delivery`, and `message_id` or `not_sent_reason`) and on
/// its delivery item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The embedded default: the outbox record is the delivery; nothing left the machine.
    Outbox,
    /// Accepted by the mail service (SES), under this message ID.
    Sent { message_id: String },
    /// Deliberately not sent; the reason is a code (`reserved_domain`, `undeliverable_address`).
    NotSent { reason: String },
}

impl Delivery {
    fn attrs(&self) -> Vec<(&'static str, Value)> {
        match self {
            Delivery::Outbox => vec![(DELIVERY_ATTR, json!("outbox"))],
            Delivery::Sent { message_id } => vec![(DELIVERY_ATTR, json!("sent")), (MESSAGE_ID_ATTR, json!(message_id))],
            Delivery::NotSent { reason } => {
                vec![(DELIVERY_ATTR, json!("not_sent")), (NOT_SENT_REASON_ATTR, json!(reason))]
            }
        }
    }

    fn of(item: &Item) -> Option<Self> {
        let text = |a: &str| item.get(a).and_then(Value::as_str).map(str::to_owned);
        match text(DELIVERY_ATTR)?.as_str() {
            "outbox" => Some(Delivery::Outbox),
            "sent" => Some(Delivery::Sent { message_id: text(MESSAGE_ID_ATTR)? }),
            "not_sent" => Some(Delivery::NotSent { reason: text(NOT_SENT_REASON_ATTR)? }),
            _ => None,
        }
    }
}

/// Attributes of an outbox record (and of its delivery item) beside the [`Mail`] fields.
pub const DELIVERY_ATTR: &str = "delivery";
pub const MESSAGE_ID_ATTR: &str = "message_id";
pub const NOT_SENT_REASON_ATTR: &str = "not_sent_reason";
const CREATED_AT_ATTR: &str = "created_at";
/// The idempotency scope of delivery items.
pub const DELIVERY_SCOPE: &str = "mail";

/// Sends an email (unless it was sent before under the same `id`) and records it in the company's outbox. `id` is
/// the job's idempotency key: a retry finds the delivery recorded and neither sends again nor adds a second record.
pub async fn deliver(
    svc: &Services,
    co: &CompanyId,
    id: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(Mail, Delivery), AppError> {
    let delivery_key = keys::idempotency(DELIVERY_SCOPE, id);
    let recorded = match svc.table.get(&delivery_key).await? {
        Some(item) => Some(recorded(&item, id)?),
        None => None,
    };
    let (created_at, delivery) = match recorded {
        Some(r) => {
            tracing::info!(company = %co, mail_id = id, "email was handled before; not sending it again");
            r
        }
        None => {
            let created_at = rfc3339(svc.clock.now());
            let delivery = send(svc, co, id, to, subject, body).await?;
            record_delivery(svc, id, &created_at, &delivery).await?
        }
    };
    let mail =
        Mail { id: id.to_owned(), to: to.to_owned(), subject: subject.to_owned(), body: body.to_owned(), created_at };
    let mut item = item_of(&keys::outbox_mail(co, &mail.created_at, id), &mail, &[]);
    item.extend(delivery.attrs().into_iter().map(|(k, v)| (k.to_owned(), v)));
    // The record's key comes from the delivery item, so a retry writes the same key and finds it there.
    match svc.table.put(item, Some(Condition::NotExists)).await {
        Ok(()) | Err(StoreError::ConditionFailed { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, mail_id = id, "email recorded in outbox");
    Ok((mail, delivery))
}

/// The send itself, or the reason for not sending. Logs name the mail, never its address.
async fn send(
    svc: &Services,
    co: &CompanyId,
    id: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<Delivery, AppError> {
    if !svc.mailer.delivers() {
        return Ok(Delivery::Outbox);
    }
    let not_sent = |reason: &str| Delivery::NotSent { reason: reason.to_owned() };
    // Jobs are checked when they are made; this catches one queued before that check existed.
    let address = match Address::parse(to) {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(company = %co, mail_id = id, reason = %e, "email not sent: the address is undeliverable");
            return Ok(not_sent("undeliverable_address"));
        }
    };
    if address.is_reserved() {
        tracing::warn!(
            company = %co,
            mail_id = id,
            "email not sent: the address is in a domain reserved for examples and tests, where mail can only bounce"
        );
        return Ok(not_sent("reserved_domain"));
    }
    let mail = OutgoingMail {
        idempotency_key: id.to_owned(),
        to: address.to_string(),
        subject: subject.to_owned(),
        body: body.to_owned(),
    };
    let message_id = svc.mailer.send(&mail).await.map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!(company = %co, mail_id = id, "email sent");
    Ok(Delivery::Sent { message_id })
}

/// Writes the delivery item once. When one is there already (a worker whose lease ran out finished the same job at
/// the same time), the first stays and is what the outbox records.
async fn record_delivery(
    svc: &Services,
    id: &str,
    created_at: &str,
    delivery: &Delivery,
) -> Result<(String, Delivery), AppError> {
    let mut item = keys::idempotency(DELIVERY_SCOPE, id).to_item();
    item.insert(CREATED_AT_ATTR.into(), json!(created_at));
    item.insert(EXPIRES_AT.into(), json!(svc.clock.now().unix_timestamp() + REMEMBER_SECS));
    item.extend(delivery.attrs().into_iter().map(|(k, v)| (k.to_owned(), v)));
    match svc.table.put(item, Some(Condition::NotExists)).await {
        Ok(()) => Ok((created_at.to_owned(), delivery.clone())),
        Err(StoreError::ConditionFailed { current: Some(current), .. }) => recorded(&current, id),
        Err(StoreError::ConditionFailed { current: None, .. }) => {
            match svc.table.get(&keys::idempotency(DELIVERY_SCOPE, id)).await? {
                Some(current) => recorded(&current, id),
                None => Ok((created_at.to_owned(), delivery.clone())),
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn recorded(item: &Item, id: &str) -> Result<(String, Delivery), AppError> {
    let created_at = item.get(CREATED_AT_ATTR).and_then(Value::as_str).map(str::to_owned);
    match (created_at, Delivery::of(item)) {
        (Some(at), Some(d)) => Ok((at, d)),
        _ => Err(AppError::Internal(format!("the delivery record of mail {id} is unreadable"))),
    }
}

/// Newest first, 25 a page. Admins only: the outbox holds every user's mail.
pub async fn list(svc: &Services, actor: &Actor, cursor: Option<&str>) -> Result<OutboxPage, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    let co = actor.company();
    let fingerprint = format!("{co}|outbox");
    let start = match cursor {
        Some(c) if !c.is_empty() => Some(svc.cursors.open(&fingerprint, c)?),
        _ => None,
    };
    let page = svc.table.query(&Query::new(Index::Base, keys::outbox_pk(co)).backward().limit(25).start(start)).await?;
    let next_cursor = page.last_key.as_ref().map(|k| {
        let mut key = Item::new();
        for a in [PK, SK] {
            if let Some(v) = k.get(a) {
                key.insert(a.into(), v.clone());
            }
        }
        svc.cursors.seal(&fingerprint, &key)
    });
    Ok(OutboxPage { items: page.items.into_iter().map(from_item).collect::<Result<_, _>>()?, next_cursor })
}
