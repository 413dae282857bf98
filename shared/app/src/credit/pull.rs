//! The jobs worker's side of a check: one bureau pull, and its outcome recorded on the check.
//!
//! "One click is one pull" holds three ways: the click's `Idempotency-Key` makes one check; the jobs worker runs a
//! job's idempotency key once; and the check records `pull_started_at` (a conditional write) before the bureau is
//! called, so a job run again after a crash finds the mark and records an error instead of pulling a second time.

use super::{bureau, BureauAnswer, PullRequest, StoredCheck};
use crate::clock::rfc3339;
use crate::items::from_item;
use crate::{ssn, AppError, Services};
use vigil_api::credit::CreditStatus;
use vigil_domain::customer::credit_grade;
use vigil_domain::record::Record;
use vigil_domain::{CompanyId, RecordId};
use vigil_store::{keys, Condition, StoreError, Update};

pub async fn pull(svc: &Services, co: &CompanyId, customer_id: RecordId, check_id: u64) -> Result<(), AppError> {
    let key = keys::credit_check(co, customer_id, check_id);
    let Some(item) = svc.table.get(&key).await? else {
        // The customer (and its checks) were deleted since: nothing to pull for.
        tracing::info!(company = %co, check = check_id, "credit check is gone; nothing pulled");
        return Ok(());
    };
    let stored: StoredCheck = from_item(item)?;
    if stored.view.status != CreditStatus::Pending {
        return Ok(());
    }
    let now = rfc3339(svc.clock.now());
    if stored.pull_started_at.is_some() {
        let u = Update::default()
            .set("status", "error")
            .set("reason", "the bureau's answer was lost; run credit again")
            .add("version", 1);
        return finish(svc, &key, u, stored.view.version, co, check_id, "lost").await;
    }
    // Everything that can fail without a bureau call comes first: a failure here is retried by the queue as a
    // plain failure, not taken for a pull whose answer was lost.
    let record: Option<Record> = match svc.table.get(&keys::record(co, customer_id)).await? {
        Some(item) => Some(from_item(item)?),
        None => None,
    };
    let ssn = match record.as_ref().and_then(|r| r.lead.ssn_encrypted.as_deref()) {
        Some(sealed) => Some(ssn::decrypt(svc.data_keys.as_ref(), co, customer_id, sealed)?),
        None => None,
    };
    // The mark before the call: whatever happens after, this check is never pulled again.
    let mark = Update::default().set("pull_started_at", now.clone()).add("version", 1);
    match svc.table.update(&key, mark, Some(Condition::VersionIs(stored.view.version))).await {
        Ok(_) => {}
        Err(StoreError::ConditionFailed { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let version = stored.view.version + 1;
    let adapter = bureau(&stored.view.bureau);
    let pulled = record.is_some() && adapter.is_some() && ssn.is_some();
    let answer = match (&record, adapter, ssn.as_deref()) {
        (None, _, _) => BureauAnswer::Failed("the customer is gone".into()),
        (_, None, _) => BureauAnswer::Failed("the bureau is no longer offered".into()),
        (_, _, None) => BureauAnswer::Failed("the customer has no SSN".into()),
        // The SSN was opened above for this call only: never stored, queued or logged, dropped with this scope.
        (Some(r), Some(b), Some(ssn)) => b.pull(&PullRequest {
            check_id,
            ssn,
            first_name: &r.first_name,
            last_name: &r.last_name,
            address1: r.address1.as_deref(),
            city: &r.city,
            state: &r.state,
            zip: r.zip.as_deref(),
            previous_address: stored.view.previous_address.as_ref(),
        }),
    };
    let pulls = stored.pulls + u32::from(pulled);
    let base = Update::default().set("run_at", now).set("pulls", pulls).add("version", 1);
    let (u, outcome) = match answer {
        BureauAnswer::Scored { score, transaction_id } => (
            base.set("status", "completed")
                .set("score", score)
                .set("grade", credit_grade(score))
                .set("transaction_id", transaction_id),
            "completed",
        ),
        BureauAnswer::Declined { transaction_id } => {
            (base.set("status", "declined").set("transaction_id", transaction_id), "declined")
        }
        BureauAnswer::NoHit => (base.set("status", "no_hit"), "no_hit"),
        BureauAnswer::Timeout => {
            (base.set("status", "error").set("reason", "the bureau did not answer in time"), "timeout")
        }
        BureauAnswer::Failed(reason) => (base.set("status", "error").set("reason", reason), "error"),
    };
    finish(svc, &key, u, version, co, check_id, outcome).await
}

async fn finish(
    svc: &Services,
    key: &vigil_store::Key,
    u: Update,
    version: u64,
    co: &CompanyId,
    check_id: u64,
    outcome: &str,
) -> Result<(), AppError> {
    match svc.table.update(key, u, Some(Condition::VersionIs(version))).await {
        Ok(_) | Err(StoreError::ConditionFailed { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, check = check_id, outcome, "credit check pulled");
    Ok(())
}
