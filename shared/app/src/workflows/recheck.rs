//! Automatic steps follow the customer's data: after a change to the customer's fields or sub-records, each
//! enrollment's automatic steps are checked again. A pending step whose requirement now holds completes (and creates
//! what it generates); a completed one whose requirement stopped holding carries a warning until it holds again.

use super::stored::{
    counters_op, customer_state, definition_version, generated_op, history_op, key_of, warning_delta, Enrollment,
};
use crate::clock::rfc3339;
use crate::jobs::{self, Job};
use crate::{AppError, Services};
use std::collections::BTreeMap;
use vigil_domain::workflow::{apply_facts, status_of, warning_of, Step};
use vigil_domain::{CompanyId, RecordId, UserId};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

/// Re-reads after a lost race; each round re-reads the customer, so a few are plenty.
const ROUNDS: usize = 4;

/// The outbox write that re-checks the customer's enrollments, for the transaction of a change to its data; none when
/// the customer has no enrollment. The caller also re-checks right after its commit, so the user sees the result at
/// once; this job is what still happens when the process ends between the commit and that re-check. `change` names
/// the change uniquely within the customer (its new version, the sub-record it added), so each change queues once.
pub async fn recheck_job(
    svc: &Services,
    co: &CompanyId,
    customer: RecordId,
    by: &UserId,
    change: &str,
) -> Result<Option<TxOp>, AppError> {
    let q = Query::new(Index::Base, keys::record_pk(co, customer))
        .sort(SortCond::BeginsWith(keys::ENROLLMENT_PREFIX.into()))
        .limit(1);
    if svc.table.query(&q).await?.items.is_empty() {
        return Ok(None);
    }
    let job = Job::RecheckWorkflows { company: co.clone(), customer, by: by.clone() };
    jobs::pending(co, format!("workflow-recheck:{customer}:{change}"), job).map(Some)
}

/// Brings the customer's enrollments up to date with its data. The change that called it is already saved, so a
/// failure here is logged rather than reported: its queued re-check (or the next change) checks again.
pub async fn recheck(svc: &Services, co: &CompanyId, customer: RecordId, by: &UserId) {
    for _ in 0..ROUNDS {
        match round(svc, co, customer, by).await {
            Ok(true) => return,
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(company = %co, customer = %customer, error = %e, "workflow re-check failed");
                return;
            }
        }
    }
    tracing::warn!(company = %co, customer = %customer, "workflow re-check kept losing races; left for the next change");
}

/// One pass; `Ok(false)` when another writer changed an enrollment in between.
async fn round(svc: &Services, co: &CompanyId, customer: RecordId, by: &UserId) -> Result<bool, AppError> {
    let state = customer_state(svc, co, customer).await?;
    if state.record.is_none() || state.enrollments.is_empty() {
        return Ok(true);
    }
    let mut versions: BTreeMap<(u32, u64), Vec<Step>> = BTreeMap::new();
    let at = rfc3339(svc.clock.now());
    for e in state.enrollments {
        let key = (e.workflow_id, e.workflow_version);
        if let std::collections::btree_map::Entry::Vacant(slot) = versions.entry(key) {
            slot.insert(definition_version(svc, co, e.workflow_id, e.workflow_version).await?.def.steps);
        }
        let Some(steps) = versions.get(&key) else { continue };
        let mut next: Enrollment = e.clone();
        let (changed, completed) = apply_facts(steps, &mut next.steps, &state.facts, e.status.is_open(), &at);
        if !changed {
            continue;
        }
        if e.status.is_open() {
            next.status = status_of(steps, &next.steps);
        }
        next.warning = warning_of(steps, &next.steps);
        next.version = e.version + 1;
        let mut ops = vec![TxOp::Put { item: next.item(co), cond: Some(Condition::VersionIs(e.version)) }];
        if e.status.is_open() && !next.status.is_open() {
            ops.push(TxOp::Delete { key: keys::open_enrollment(co, customer, e.workflow_id), cond: None });
        }
        ops.push(counters_op(co, customer, 0, warning_delta(e.warning, next.warning)));
        let mut events: Vec<String> = completed.iter().map(|id| format!("step {id} completed automatically")).collect();
        if next.warning != e.warning {
            events.push(if next.warning { "needs attention" } else { "no longer needs attention" }.into());
        }
        if e.status.is_open() && !next.status.is_open() {
            events.push(format!("the workflow is {}", key_of(&next.status)));
        }
        if !events.is_empty() {
            ops.push(history_op(co, &next, &at, by, events.join("; ")));
        }
        for step_id in completed {
            let generates =
                (step_id as usize).checked_sub(1).and_then(|i| steps.get(i)).and_then(|s| s.generates.as_ref());
            if let Some(g) = generates {
                ops.extend(generated_op(svc, co, &next, step_id, g, by).await?);
            }
        }
        match svc.table.transact(ops).await {
            Ok(()) => {
                tracing::info!(company = %co, customer = %customer, enrollment = e.id, status = ?next.status, "workflow steps re-checked")
            }
            Err(StoreError::ConditionFailed { .. }) => return Ok(false),
            Err(err) => return Err(err.into()),
        }
    }
    Ok(true)
}
