//! A customer's creation wizard: its progress is an item under the record (`keys::record_wizard`), written in the
//! same transaction as the record's version bump, so a reload resumes where the record is, and two tabs working the
//! same wizard cannot both move it on from the same version.

use super::load;
use crate::customer_items::{Collection, CollectionRules};
use crate::customers::{self, bump, conflict, load_customer, save_ops, target, writable};
use crate::items::{from_item, item_of};
use crate::workflows::Enrollment;
use crate::{clock::rfc3339, Actor, AppError, Services};
use vigil_api::creation_workflows::{
    CreationWorkflow, StepStatus, WizardAction, WizardAdvance, WizardState, WizardStep, WizardStepView, WizardView,
};
use vigil_api::credit::CreditSettings;
use vigil_domain::record::Record;
use vigil_domain::{Action, CompanyId, FieldError, RecordId, Resource, Section, SectionAccess};
use vigil_store::table::MAX_TX_OPS;
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

fn state_item(co: &CompanyId, id: RecordId, s: &WizardState) -> vigil_store::Item {
    item_of(&keys::record_wizard(co, id), s, &[])
}

/// The progress of a customer created through a workflow (`None` for every other record).
pub async fn state(svc: &Services, co: &CompanyId, id: RecordId) -> Result<Option<WizardState>, AppError> {
    match svc.table.get(&keys::record_wizard(co, id)).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

/// The state right after the Information step (the create itself).
fn started(w: &CreationWorkflow) -> WizardState {
    let next = w.steps.iter().copied().find(|s| *s != WizardStep::Information);
    WizardState {
        workflow_id: w.id,
        step: next,
        completed_steps: vec![WizardStep::Information],
        skipped_steps: vec![],
        finished: next.is_none(),
    }
}

/// The create's extra writes, in the customer's own transaction: the wizard's first state and, when the create
/// itself finishes the wizard (a workflow with the one Information step), the enrollment its Finish makes.
pub async fn start_ops(svc: &Services, actor: &Actor, r: &Record, w: &CreationWorkflow) -> Result<Vec<TxOp>, AppError> {
    let co = actor.company();
    let start = started(w);
    let mut ops = vec![TxOp::Put { item: state_item(co, r.id, &start), cond: Some(Condition::NotExists) }];
    if start.finished {
        if let Some(e) = finish_enrollment(svc, actor, r, w).await? {
            ops.extend(crate::workflows::enroll_ops(co, &e)?);
        }
    }
    Ok(ops)
}

async fn credit_enabled(svc: &Services, co: &CompanyId) -> Result<bool, AppError> {
    Ok(match svc.table.get(&keys::setting(co, "credit")).await? {
        Some(item) => from_item::<CreditSettings>(item)?.enabled,
        None => false,
    })
}

/// Why the caller may not do a step's work on `r`, or `None` when they may.
async fn unavailable(svc: &Services, actor: &Actor, r: &Record, step: WizardStep) -> Result<Option<String>, AppError> {
    let perms = &actor.user.permissions;
    let may = |res: Resource, action: Action| perms.allows(actor.id(), res, action, target(r));
    let section = |s: Section| perms.section(s) >= SectionAccess::Modify;
    let modify = may(Resource::Customers, Action::Modify);
    let reason = match step {
        WizardStep::Information | WizardStep::Review | WizardStep::NextStep => None,
        WizardStep::Sale if !(modify && section(Section::SaleInformation)) => {
            Some("You do not have permission to change Sale Information.")
        }
        WizardStep::Installation if !(modify && section(Section::InstallationEquipment)) => {
            Some("You do not have permission to change Installation & Equipment.")
        }
        WizardStep::Sale | WizardStep::Installation => None,
        WizardStep::Qualify => {
            if !credit_enabled(svc, actor.company()).await? {
                Some("Credit checks are not available: the Credit Checks add-on is off for your company.")
            } else if !may(Resource::CreditReports, Action::Create) {
                Some("Running credit needs the Credit Reports Create permission for this customer's office.")
            } else {
                None
            }
        }
        WizardStep::Order => {
            let catalog = crate::orders::catalog::load_all(svc, actor.company()).await?;
            if !modify {
                Some("You do not have permission to change this customer's order.")
            } else if !catalog.order_templates.iter().any(|t| t.active) {
                Some("No order templates are configured.")
            } else {
                None
            }
        }
        WizardStep::Equipment if !(modify && section(Section::InstallationEquipment)) => {
            Some("You do not have permission to add equipment.")
        }
        WizardStep::Contacts if !(modify && section(Section::ContactInformation)) => {
            Some("You do not have permission to add contacts.")
        }
        WizardStep::Equipment | WizardStep::Contacts => None,
        WizardStep::PaymentInformation | WizardStep::PaymentMethod if !may(Resource::Accounting, Action::Create) => {
            Some("You do not have permission to add payment information.")
        }
        WizardStep::PaymentInformation | WizardStep::PaymentMethod => None,
        WizardStep::WorkOrder if !may(Resource::WorkOrders, Action::Create) => {
            Some("You do not have permission to create work orders.")
        }
        WizardStep::WorkOrder => None,
        WizardStep::Schedule if !modify => Some("You do not have permission to create appointments."),
        WizardStep::Schedule => None,
    };
    Ok(reason.map(str::to_owned))
}

/// Whether the customer's partition holds an item under `prefix` that `counts`.
async fn holds(
    svc: &Services,
    co: &CompanyId,
    id: RecordId,
    prefix: &str,
    counts: impl Fn(&vigil_store::Item) -> bool,
) -> Result<bool, AppError> {
    let q = Query::new(Index::Base, keys::record_pk(co, id)).sort(SortCond::BeginsWith(format!("{prefix}#")));
    Ok(svc.table.query_all(&q).await?.iter().any(counts))
}

/// What a step's Continue still needs on `r`, or `None` when its work is done. Only the steps whose work leaves a
/// trace are checked: the order (a template's rate or equipment), a billing method, a work order, an appointment.
async fn not_done(
    svc: &Services,
    co: &CompanyId,
    r: &Record,
    step: WizardStep,
) -> Result<Option<&'static str>, AppError> {
    let status_is = |want: &'static str| {
        move |item: &vigil_store::Item| item.get("status").and_then(serde_json::Value::as_str) == Some(want)
    };
    let any = |_: &vigil_store::Item| true;
    let missing = match step {
        WizardStep::Order => {
            r.lead.customer.mmr_id.is_none()
                && !holds(svc, co, r.id, Collection::Equipment.prefix(), status_is("active")).await?
        }
        WizardStep::PaymentInformation | WizardStep::PaymentMethod => {
            !holds(svc, co, r.id, crate::accounting::BILLING_METHOD_PREFIX, any).await?
        }
        WizardStep::WorkOrder => !holds(svc, co, r.id, crate::orders::WORK_ORDER_PREFIX, any).await?,
        WizardStep::Schedule => {
            !holds(svc, co, r.id, Collection::Appointments.prefix(), status_is("scheduled")).await?
        }
        _ => false,
    };
    Ok(missing.then_some(match step {
        WizardStep::Order => "apply an order template or add equipment to the order first, or skip this step.",
        WizardStep::PaymentInformation | WizardStep::PaymentMethod => {
            "add a billing method for the customer first, or skip this step."
        }
        WizardStep::WorkOrder => "create a work order for the customer first, or skip this step.",
        _ => "schedule an appointment for the customer first, or skip this step.",
    }))
}

async fn view(
    svc: &Services,
    actor: &Actor,
    r: &Record,
    w: CreationWorkflow,
    state: WizardState,
) -> Result<WizardView, AppError> {
    let mut steps = Vec::with_capacity(w.steps.len());
    for s in &w.steps {
        let status = if state.completed_steps.contains(s) {
            StepStatus::Completed
        } else if state.skipped_steps.contains(s) {
            StepStatus::Skipped
        } else if state.step == Some(*s) {
            StepStatus::Current
        } else {
            StepStatus::Pending
        };
        let reason = unavailable(svc, actor, r, *s).await?;
        steps.push(WizardStepView { step: *s, label: s.label().into(), status, available: reason.is_none(), reason });
    }
    // The customer goes through the one masking read every record read uses.
    let customer = customers::get(svc, actor, r.id).await?;
    Ok(WizardView { workflow: w, state, steps, customer })
}

async fn loaded(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
) -> Result<(Record, CreationWorkflow, WizardState), AppError> {
    let r = load_customer(svc, actor, id).await?;
    let co = actor.company();
    let state = state(svc, co, id).await?.ok_or(AppError::NotFound("wizard"))?;
    let w = load(svc, co, state.workflow_id).await?.ok_or(AppError::NotFound("creation workflow"))?;
    Ok((r, w, state))
}

/// At Finish, the enrollment in the customer workflow (issue 14) the creation workflow names, decided before the
/// finishing transaction is built so that its writes join it: a customer already in that workflow, or a caller who
/// may not enroll, finishes without it.
async fn finish_enrollment(
    svc: &Services,
    actor: &Actor,
    r: &Record,
    w: &CreationWorkflow,
) -> Result<Option<Enrollment>, AppError> {
    let Some(workflow_id) = w.enroll_workflow_id else { return Ok(None) };
    let e = crate::workflows::finish_enrollment(svc, actor, r, workflow_id).await?;
    if e.is_none() {
        tracing::info!(company = %actor.company(), customer = r.id.0, "wizard finishes without its enrollment");
    }
    Ok(e)
}

/// After the create's commit: a wizard the create finished re-checks the enrollment it may have started, so its
/// automatic steps show at once (the queued job does it otherwise).
pub async fn after_create(svc: &Services, actor: &Actor, id: RecordId, w: &CreationWorkflow) -> Result<(), AppError> {
    if started(w).finished && w.enroll_workflow_id.is_some() {
        crate::workflows::recheck(svc, actor.company(), id, actor.id()).await;
    }
    Ok(())
}

/// `GET /api/v1/customers/{id}/wizard`.
pub async fn get_wizard(svc: &Services, actor: &Actor, id: RecordId) -> Result<WizardView, AppError> {
    let (r, w, state) = loaded(svc, actor, id).await?;
    view(svc, actor, &r, w, state).await
}

fn step_error(code: &str, message: impl Into<String>) -> AppError {
    AppError::from_field(FieldError::new("step", code, message))
}

/// `POST /api/v1/customers/{id}/wizard`: completes or skips the current step.
pub async fn advance(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    input: WizardAdvance,
) -> Result<WizardView, AppError> {
    let (r, w, mut state) = loaded(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Modify, target(&r))?;
    writable(&r)?;
    if input.version != r.version {
        return Err(conflict(svc, actor, id).await);
    }
    let Some(pos) = w.steps.iter().position(|s| *s == input.step) else {
        return Err(step_error("not_in_workflow", format!("{} is not a step of this workflow", input.step.label())));
    };
    if state.finished {
        return Err(step_error("finished", "this wizard is finished"));
    }
    if state.step != Some(input.step) {
        let at = state.step.map(WizardStep::label).unwrap_or("the end");
        return Err(step_error("out_of_order", format!("the wizard is at {at}; finish that step first")));
    }
    match input.action {
        WizardAction::Complete => {
            if let Some(reason) = unavailable(svc, actor, &r, input.step).await? {
                return Err(step_error("unavailable", format!("{reason} Skip this step instead.")));
            }
            // Running credit never moves on by itself; Continue is for an applied result (Skip otherwise).
            if input.step == WizardStep::Qualify
                && !crate::credit::list(svc, actor, id).await?.iter().any(|c| c.applied)
            {
                return Err(step_error("not_applied", "apply a credit result to the customer, or skip this step"));
            }
            if let Some(what) = not_done(svc, actor.company(), &r, input.step).await? {
                return Err(step_error("not_done", format!("{}: {what}", input.step.label())));
            }
            state.completed_steps.push(input.step);
        }
        WizardAction::Skip => state.skipped_steps.push(input.step),
    }
    state.step = w.steps.get(pos + 1).copied();
    state.finished = state.step.is_none();
    let co = actor.company();
    let now = rfc3339(svc.clock.now());
    let mut next = r.clone();
    bump(&mut next, &r, &now, actor.id());
    let mut enrolled = false;
    // A second round only when someone enrolled the customer in the same workflow between the decision and the
    // commit: the decision, made again, then finishes without a second enrollment.
    for round in 0..2 {
        let mut ops = save_ops(co, &r, &next, &now, actor.id(), &[]);
        ops.push(TxOp::Put { item: state_item(co, id, &state), cond: None });
        let mut open_op = None;
        if state.finished {
            if let Some(e) = finish_enrollment(svc, actor, &r, &w).await? {
                let more = crate::workflows::enroll_ops(co, &e)?;
                // DynamoDB takes at most 100 writes in one transaction; the finish is a handful plus the
                // enrollment's six, so this only guards against a future change growing either side.
                if ops.len() + more.len() > MAX_TX_OPS {
                    return Err(AppError::Internal(format!(
                        "the wizard's finish and its enrollment need {} writes, over a transaction's {MAX_TX_OPS}",
                        ops.len() + more.len()
                    )));
                }
                open_op = Some(ops.len() + crate::workflows::OPEN_OP);
                ops.extend(more);
            }
        }
        match svc.table.transact(ops).await {
            Ok(()) => {
                enrolled = open_op.is_some();
                break;
            }
            Err(StoreError::ConditionFailed { op: Some(n), .. }) if Some(n) == open_op && round == 0 => continue,
            Err(StoreError::ConditionFailed { .. }) => return Err(conflict(svc, actor, id).await),
            Err(e) => return Err(e.into()),
        }
    }
    if enrolled {
        crate::workflows::recheck(svc, co, id, actor.id()).await;
    }
    tracing::info!(company = %co, customer = id.0, step = input.step.as_str(), "wizard step done");
    let r = load_customer(svc, actor, id).await?;
    view(svc, actor, &r, w, state).await
}
