//! A partner's returns report: the leads returned to it and the leads it posted that were refused as duplicates.
//! Each entry and the report's counts are written in the transaction of the change they record (the return's lead
//! save, the intake job's receipt settle), so the report never misses a committed change nor shows one that was
//! rolled back. Entries carry the lead's ID only, never its personal data or the intake key.

use crate::items::item_of;
use crate::records::PerPage;
use crate::{Actor, AppError, Services};
use serde_json::Value;
use vigil_api::partners::{PartnerReturn, PartnerReturnCounts, PartnerReturnKind, PartnerReturnsPage};
use vigil_domain::{Action, CompanyId, PartnerId, RecordId, Resource, Role};
use vigil_store::{keys, Condition, TxOp, Update};

/// The writes that add `entry` to `partner`'s report: the entry (new, so a replayed write cannot count twice) and
/// its kind's count.
pub(crate) fn entry_ops(co: &CompanyId, partner: PartnerId, entry: &PartnerReturn) -> Vec<TxOp> {
    let unique = match (&entry.receipt_id, entry.kind) {
        (Some(receipt), PartnerReturnKind::DuplicateRejected) => receipt.clone(),
        _ => keys::id_sk(entry.lead_id),
    };
    let key = keys::partner_return_entry(co, partner, &entry.at, entry.kind.as_str(), &unique);
    vec![
        TxOp::Put { item: item_of(&key, entry, &[]), cond: Some(Condition::NotExists) },
        TxOp::Update {
            key: keys::partner_return_counts(co, partner),
            update: Update::default().add(entry.kind.as_str(), 1),
            cond: None,
        },
    ]
}

/// A return's entry.
pub(crate) fn returned(at: &str, lead_id: RecordId, reason: &str, comments_sent: bool) -> PartnerReturn {
    PartnerReturn {
        kind: PartnerReturnKind::Returned,
        at: at.to_owned(),
        lead_id,
        receipt_id: None,
        reason: Some(reason.to_owned()),
        comments_sent: Some(comments_sent),
    }
}

/// A rejected duplicate post's entry.
pub(crate) fn duplicate_rejected(at: &str, lead_id: RecordId, receipt_id: &str, reason: String) -> PartnerReturn {
    PartnerReturn {
        kind: PartnerReturnKind::DuplicateRejected,
        at: at.to_owned(),
        lead_id,
        receipt_id: Some(receipt_id.to_owned()),
        reason: Some(reason),
        comments_sent: None,
    }
}

/// `GET /api/v1/partners/{id}/returns`: newest first, `per_page` (10, 25, 50) at a time, signed cursor. Staff need
/// Partner Companies View; a partner login reads its own report only: any other ID is refused before it is looked up,
/// so the answer (403) is the same whether that partner exists or not.
pub async fn returns(
    svc: &Services,
    actor: &Actor,
    id: PartnerId,
    per_page: PerPage,
    cursor: Option<&str>,
) -> Result<PartnerReturnsPage, AppError> {
    if actor.user.role == Role::Partner {
        if actor.user.partner_id != Some(id) {
            return Err(AppError::Forbidden("a partner login may only read its own returns report".into()));
        }
    } else {
        actor.require_somewhere(Resource::PartnerCompanies, Action::View)?;
    }
    let co = actor.company();
    super::stored::load_partner(svc, co, id).await?;
    let fingerprint = format!("{co}|partner-returns|{}|{}", id.0, per_page.get());
    let (items, next_cursor): (Vec<PartnerReturn>, _) = crate::records::newest_first(
        svc,
        &fingerprint,
        keys::partner_returns_pk(co, id),
        keys::PARTNER_RETURN_PREFIX,
        per_page,
        cursor,
    )
    .await?;
    let counts = match svc.table.get(&keys::partner_return_counts(co, id)).await? {
        Some(item) => {
            let count = |kind: PartnerReturnKind| {
                let n = item.get(kind.as_str()).and_then(Value::as_i64).unwrap_or(0);
                u64::try_from(n).unwrap_or(0)
            };
            PartnerReturnCounts {
                returned: count(PartnerReturnKind::Returned),
                duplicate_rejected: count(PartnerReturnKind::DuplicateRejected),
            }
        }
        None => PartnerReturnCounts::default(),
    };
    Ok(PartnerReturnsPage { items, next_cursor, counts })
}
