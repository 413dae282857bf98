//! Every email Vigil sends is recorded in the company's outbox. In the embedded default the outbox is the delivery
//! (the portal shows it, labelled as the sandbox); in AWS it is the audit trail beside the SES send.

use crate::clock::rfc3339;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
pub use vigil_api::outbox::{Mail, OutboxPage};
use vigil_domain::{Action, CompanyId, Resource};
use vigil_store::{keys, Index, Item, Query, PK, SK};

/// Records a sent email. `id` is the job's idempotency key, so a retried delivery overwrites rather than duplicates.
pub async fn deliver(
    svc: &Services,
    co: &CompanyId,
    id: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<Mail, AppError> {
    let created_at = rfc3339(svc.clock.now());
    let mail =
        Mail { id: id.to_owned(), to: to.to_owned(), subject: subject.to_owned(), body: body.to_owned(), created_at };
    svc.table.put(item_of(&keys::outbox_mail(co, &mail.created_at, id), &mail, &[]), None).await?;
    tracing::info!(company = %co, mail_id = id, "email recorded in outbox");
    Ok(mail)
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
