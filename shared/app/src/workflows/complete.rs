//! `POST /api/v1/enrollments/{id}/steps/{step_id}/complete {outcome, version}`: a person passes, fails or
//! acknowledges a step. The enrollment write is conditional on the version read, and what the step generates is put
//! in the same transaction, so two users completing the same step at once end with one completion and one ticket.

use super::stored::{
    counters_op, customer_state, definition_version, enrollment, generated_op, history_op, key_of, target,
    warning_delta, Enrollment,
};
use super::view::view;
use crate::clock::rfc3339;
use crate::{Actor, AppError, Services};
use vigil_api::workflows::{CompleteStep, EnrollmentView};
use vigil_domain::workflow::{status_of, warning_of, Completion, StepStatus};
use vigil_domain::{Action, FieldError, Resource};
use vigil_store::{keys, Condition, StoreError, TxOp};

const STALE: &str = "someone else changed this workflow meanwhile; review the steps and try again";

async fn stale(svc: &Services, actor: &Actor, id: u64, message: &str) -> AppError {
    let current = match enrollment(svc, actor, id).await {
        Ok((e, r)) => match customer_state(svc, actor.company(), r.id).await {
            Ok(state) => view(svc, actor, &e, &r, &state.facts, None).await.ok(),
            Err(_) => None,
        },
        Err(_) => None,
    };
    AppError::Conflict { message: message.into(), current: current.and_then(|v| serde_json::to_value(v).ok()) }
}

pub async fn complete(
    svc: &Services,
    actor: &Actor,
    id: u64,
    step_id: u32,
    body: &CompleteStep,
) -> Result<EnrollmentView, AppError> {
    let (e, r) = enrollment(svc, actor, id).await?;
    actor.require(Resource::CustomerWorkflows, Action::Create, target(&r))?;
    crate::customers::writable(&r)?;
    let co = actor.company();
    let def = definition_version(svc, co, e.workflow_id, e.workflow_version).await?;
    let index = (step_id as usize).checked_sub(1).filter(|i| *i < e.steps.len()).ok_or(AppError::NotFound("step"))?;
    let (Some(step), Some(state)) = (def.def.steps.get(index), e.steps.get(index)) else {
        return Err(AppError::NotFound("step"));
    };
    if body.version != e.version {
        return Err(stale(svc, actor, id, STALE).await);
    }
    if !e.status.is_open() {
        return Err(stale(svc, actor, id, "this workflow is finished; its steps can no longer change").await);
    }
    if state.status != StepStatus::Pending {
        return Err(stale(svc, actor, id, "this step is already complete").await);
    }
    let Some(status) = step.completion.status_after(body.outcome) else {
        let allowed = match step.completion {
            Completion::PassFail => "this step takes passed or failed",
            Completion::Acknowledge => "this step takes acknowledged",
            Completion::Automatic => "this step completes itself when its requirement is met",
        };
        return Err(AppError::from_field(FieldError::new("outcome", "invalid", allowed)));
    };
    let at = rfc3339(svc.clock.now());
    let mut next: Enrollment = e.clone();
    if let Some(st) = next.steps.get_mut(index) {
        st.status = status;
        st.completed_at = Some(at.clone());
        st.completed_by = Some(actor.id().clone());
    }
    next.status = status_of(&def.def.steps, &next.steps);
    next.warning = warning_of(&def.def.steps, &next.steps);
    next.version = e.version + 1;
    let mut ops = vec![
        TxOp::Put { item: next.item(co), cond: Some(Condition::VersionIs(e.version)) },
        counters_op(co, e.customer_id, 0, warning_delta(e.warning, next.warning)),
    ];
    if !next.status.is_open() {
        ops.push(TxOp::Delete { key: keys::open_enrollment(co, e.customer_id, e.workflow_id), cond: None });
    }
    let title = step.title.get(&e.language).cloned().unwrap_or_default();
    let mut event = format!("step {step_id} ({title}) {}", key_of(&status));
    if !next.status.is_open() {
        event.push_str(&format!("; the workflow is {}", key_of(&next.status)));
    }
    ops.push(history_op(co, &next, &at, actor.id(), event));
    // A failed step is not done work: only a step that went through generates its ticket or appointment.
    if status != StepStatus::Failed {
        if let Some(g) = &step.generates {
            ops.extend(generated_op(svc, co, &next, step_id, g, actor.id()).await?);
        }
    }
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => return Err(stale(svc, actor, id, STALE).await),
        Err(err) => return Err(err.into()),
    }
    tracing::info!(company = %co, enrollment = id, step = step_id, status = ?next.status, "workflow step completed");
    let facts = customer_state(svc, co, r.id).await?.facts;
    view(svc, actor, &next, &r, &facts, None).await
}
