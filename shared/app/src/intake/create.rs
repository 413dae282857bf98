//! The job behind a receipt: creates the posted lead, or records why not (a duplicate inside the company's window,
//! a source or status that went away since the post). The lead, its index items, the receipt's new status and the
//! purchase notification emails commit in one transaction, so a retried job never creates a second lead. A duplicate
//! posted with a partner's key is an entry of that partner's returns report, written with the receipt's settle.

use super::settings::settings_of;
use super::StoredReceipt;
use crate::clock::rfc3339;
use crate::items::from_item;
use crate::leads::{check_disposition, check_source, dup_ops, history_ops, new_record, DuplicateMatch};
use crate::record_index::index_writes;
use crate::records::record_item;
use crate::{custom_fields, lead_scoring, AppError, Services};
use serde_json::{json, Value};
use time::OffsetDateTime;
use vigil_api::intake::ReceiptStatus;
use vigil_domain::lead::{self, FieldChange, NewLead};
use vigil_domain::record::{Kind, Record};
use vigil_domain::{CompanyId, FieldError, LocationId, RecordId, UserId};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp, Update};

fn accepted() -> Condition {
    Condition::AttrEquals("status".into(), json!("accepted"))
}

/// The receipt's fields that say `status`.
fn status_update(status: &ReceiptStatus) -> Result<Update, AppError> {
    let mut update = Update::default();
    if let Value::Object(fields) = serde_json::to_value(status).map_err(|e| AppError::Internal(e.to_string()))? {
        for (k, v) in fields {
            update = update.set(k, v);
        }
    }
    Ok(update)
}

async fn settle(svc: &Services, co: &CompanyId, receipt: &str, status: ReceiptStatus) -> Result<(), AppError> {
    let update = status_update(&status)?;
    match svc.table.update(&keys::intake_receipt(co, receipt), update, Some(accepted())).await {
        Ok(_) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub async fn from_receipt(svc: &Services, co: &CompanyId, receipt_id: &str) -> Result<(), AppError> {
    let Some(item) = svc.table.get(&keys::intake_receipt(co, receipt_id)).await? else {
        // Expired or never saved: nothing to do, and retrying cannot change that.
        return Ok(());
    };
    let receipt: StoredReceipt = from_item(item)?;
    if receipt.status != ReceiptStatus::Accepted {
        return Ok(());
    }
    let input = match NewLead::parse(&receipt.form) {
        Ok(i) => i,
        Err(inv) => return settle(svc, co, receipt_id, ReceiptStatus::Rejected { errors: inv.errors }).await,
    };
    let location = receipt.location;
    // The source, campaign and status were there at the post; an admin may have removed one since.
    let mut errors: Vec<FieldError> = Vec::new();
    check_source(svc, co, Kind::Lead, Some(input.source_id), None, input.campaign_id, &mut errors).await?;
    let disposition = check_disposition(svc, co, input.disposition_id, &mut errors).await?;
    if !errors.is_empty() {
        return settle(svc, co, receipt_id, ReceiptStatus::Rejected { errors }).await;
    }
    let now = svc.clock.now();
    let by = UserId::parse(&format!("intake-key-{}", receipt.key_id))
        .map_err(|_| AppError::Internal("intake key user id".into()))?;
    let office = first_location(svc, co).await?;
    let mut record = new_record(input, disposition.map(|d| d.name), office, None, &by, &rfc3339(now));
    record.lead.location = Some(location);
    if let Err(AppError::Invalid(inv)) = custom_fields::require_on_create(svc, co, &record).await {
        return settle(svc, co, receipt_id, ReceiptStatus::Rejected { errors: inv.errors }).await;
    }
    let window = settings_of(svc, co).await?.duplicate_window_days;
    if let Some(lead_id) = duplicate_of(svc, co, &record, window, now).await? {
        tracing::info!(company = %co, receipt = receipt_id, lead = lead_id.0, "posted lead is a duplicate");
        let Some(partner) = receipt.partner_id else {
            return settle(svc, co, receipt_id, ReceiptStatus::Duplicate { lead_id }).await;
        };
        let reason = match window {
            Some(days) => format!("duplicates a lead from the last {days} days"),
            None => "duplicates an existing lead".to_owned(),
        };
        let entry = crate::partners::returns::duplicate_rejected(&rfc3339(now), lead_id, receipt_id, reason);
        let mut ops = vec![TxOp::Update {
            key: keys::intake_receipt(co, receipt_id),
            update: status_update(&ReceiptStatus::Duplicate { lead_id })?,
            cond: Some(accepted()),
        }];
        ops.extend(crate::partners::returns::entry_ops(co, partner, &entry));
        return match svc.table.transact(ops).await {
            // Another run of this job settled the receipt (and wrote the entry) first.
            Ok(()) | Err(StoreError::ConditionFailed { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        };
    }
    let weights = lead_scoring::weights(svc, co).await?;
    let (score, factors) = lead::score(&record, &weights);
    record.lead.score = score;
    record.lead.score_factors = factors;
    let id = svc.table.increment(&keys::record_sequence(co), 1).await?;
    record.id = RecordId(u64::try_from(id).map_err(|_| AppError::Internal("record sequence is negative".into()))?);

    let mut ops = Vec::new();
    if location == vigil_domain::record::LeadLocation::Queue {
        let rank = crate::lead_queue::rank_of(svc, co, record.source_id).await?;
        ops.extend(crate::lead_queue::enter(co, &mut record, rank, None));
    }
    ops.push(TxOp::Put { item: record_item(co, &record), cond: Some(Condition::NotExists) });
    ops.extend(index_writes(co, None, Some(&record)));
    ops.extend(dup_ops(co, None, Some(&record)));
    let created = FieldChange { field: "created".into(), before: Value::Null, after: json!(record.display_name()) };
    ops.extend(history_ops(co, record.id, &record.created_at, by.as_str(), &[created]));
    let update = status_update(&ReceiptStatus::Created { lead_id: record.id })?;
    ops.push(TxOp::Update { key: keys::intake_receipt(co, receipt_id), update, cond: Some(accepted()) });
    let partner = match record.source_id {
        Some(source) => crate::partners::load(svc, co, source).await.ok(),
        None => None,
    };
    if let Some(p) = &partner {
        ops.extend(crate::partners::emails::purchase_notification(svc, co, p.id, &record).await?);
    }
    match svc.table.transact(ops).await {
        Ok(()) => {}
        // The receipt was settled by another run of this job: its lead exists (or it was refused), so stop. A receipt
        // still accepted means something else changed under the write (its source was deleted): the job runs again
        // and its checks decide.
        Err(StoreError::ConditionFailed { .. }) => {
            let receipt = svc.table.get(&keys::intake_receipt(co, receipt_id)).await?;
            if receipt.is_some_and(|r| r.get("status") == Some(&json!("accepted"))) {
                return Err(AppError::Conflict {
                    message: "the posted lead's source changed; retrying".into(),
                    current: None,
                });
            }
            return Ok(());
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, receipt = receipt_id, lead = record.id.0, "posted lead created");
    Ok(())
}

/// The lead this one duplicates inside the company's window, if any: `None` as the window stores every posted
/// duplicate when it is 0 days and none when it is never.
async fn duplicate_of(
    svc: &Services,
    co: &CompanyId,
    record: &Record,
    window: Option<u32>,
    now: OffsetDateTime,
) -> Result<Option<RecordId>, AppError> {
    if window == Some(0) {
        return Ok(None);
    }
    let hash = crate::leads::dup_hash(record);
    let page = svc.table.query(&Query::new(Index::Base, keys::lead_duplicates_pk(co, &hash)).limit(20)).await?;
    let matches: Vec<DuplicateMatch> = page.items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    let Some(days) = window else { return Ok(matches.first().map(|m| m.id)) };
    let since = now - time::Duration::days(i64::from(days));
    for m in matches {
        if let Some(item) = svc.table.get(&keys::record(co, m.id)).await? {
            let r: Record = from_item(item)?;
            let created = OffsetDateTime::parse(&r.created_at, &time::format_description::well_known::Rfc3339).ok();
            if created.is_some_and(|c| c >= since) {
                return Ok(Some(m.id));
            }
        }
    }
    Ok(None)
}

async fn first_location(svc: &Services, co: &CompanyId) -> Result<Option<LocationId>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::LOCATION_PREFIX.into()));
    let page = svc.table.query(&q.limit(1)).await?;
    Ok(page.items.into_iter().next().and_then(|i| i.get("id").and_then(Value::as_u64)).map(|n| LocationId(n as u32)))
}
