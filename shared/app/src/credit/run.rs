//! Running a check and listing a customer's checks.

use super::{bureau, bureau_name, pull_job_key, settings, StoredCheck};
use crate::clock::rfc3339;
use crate::customers::{load_customer, target, writable};
use crate::items::{from_item, item_of};
use crate::jobs::{self, Job};
use crate::{Actor, AppError, Services};
use serde_json::json;
use sha2::{Digest, Sha256};
use vigil_api::credit::{CreditCheck, CreditStatus, PreviousAddress, RunCredit};
use vigil_domain::{Action, FieldError, Invalid, RecordId, Resource};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

/// The longest `Idempotency-Key` taken (a UUID is 36).
const MAX_CLICK_KEY: usize = 128;

fn click_hash(actor: &Actor, customer: RecordId, key: &str) -> String {
    let digest = Sha256::digest(format!("{}\n{}\n{key}", actor.id(), customer.0).as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn check_click_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > MAX_CLICK_KEY || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::from_field(FieldError::new(
            "Idempotency-Key",
            "invalid",
            "the Idempotency-Key header must be 1 to 128 visible ASCII characters",
        )));
    }
    Ok(())
}

fn check_previous_address(a: &PreviousAddress, errors: &mut Vec<FieldError>) {
    for (name, value, max) in
        [("address1", &a.address1, 100), ("city", &a.city, 60), ("state", &a.state, 2), ("zip", &a.zip, 10)]
    {
        let v = value.trim();
        let field = format!("previous_address.{name}");
        if v.is_empty() {
            errors.push(FieldError::required(&field));
        } else if v.chars().count() > max {
            errors.push(FieldError::new(&field, "too_long", format!("at most {max} characters")));
        }
    }
}

async fn check_of_click(
    svc: &Services,
    actor: &Actor,
    customer: RecordId,
    click: &str,
) -> Result<Option<CreditCheck>, AppError> {
    let co = actor.company();
    let Some(item) = svc.table.get(&keys::credit_run_click(co, click)).await? else { return Ok(None) };
    let id = item.get("check_id").and_then(|v| v.as_u64()).unwrap_or_default();
    match svc.table.get(&keys::credit_check(co, customer, id)).await? {
        Some(item) => Ok(Some(from_item::<StoredCheck>(item)?.view)),
        None => Ok(None),
    }
}

/// `POST /api/v1/customers/{id}/credit-checks`. With an `Idempotency-Key`, the click is recorded in the check's
/// transaction (a conditional write), so a repeat, even racing the first, answers the first's check.
pub async fn run(
    svc: &Services,
    actor: &Actor,
    customer_id: RecordId,
    input: RunCredit,
    click_key: Option<&str>,
) -> Result<CreditCheck, AppError> {
    let co = actor.company().clone();
    let customer = load_customer(svc, actor, customer_id).await?;
    actor.require(Resource::CreditReports, Action::Create, target(&customer))?;
    writable(&customer)?;
    let click = match click_key {
        Some(k) => {
            check_click_key(k)?;
            Some(click_hash(actor, customer_id, k))
        }
        None => None,
    };
    if let Some(c) = &click {
        if let Some(done) = check_of_click(svc, actor, customer_id, c).await? {
            return Ok(done);
        }
    }
    let settings = settings::load(svc, &co).await?;
    let mut errors = Vec::new();
    if !settings.enabled {
        return Err(AppError::from_field(FieldError::new(
            "bureau",
            "disabled",
            "credit checks are not enabled for your company",
        )));
    }
    let offered = settings.bureaus.contains(&input.bureau) && bureau(&input.bureau).is_some();
    if !offered {
        errors.push(FieldError::new("bureau", "not_offered", "choose one of the bureaus your company offers"));
    } else if let Some(b) = bureau(&input.bureau) {
        let takes = b.option().fields;
        for name in input.bureau_fields.keys() {
            if !takes.contains(name) {
                errors.push(FieldError::new(
                    format!("bureau_fields.{name}"),
                    "unknown",
                    "this bureau does not take this field",
                ));
            }
        }
    }
    if let Some(a) = &input.previous_address {
        check_previous_address(a, &mut errors);
    }
    if customer.lead.ssn_encrypted.is_none() {
        errors.push(FieldError::new("ssn", "required", "the customer needs an SSN before credit can be run"));
    }
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }

    let seq = svc.table.increment(&keys::credit_check_sequence(&co), 1).await?;
    let id = u64::try_from(seq).map_err(|_| AppError::Internal("credit check sequence is negative".into()))?;
    let check = CreditCheck {
        id,
        customer_id,
        bureau: input.bureau.clone(),
        bureau_name: bureau_name(&input.bureau),
        status: CreditStatus::Pending,
        score: None,
        grade: None,
        transaction_id: None,
        run_at: None,
        reason: None,
        applied: false,
        requested_at: rfc3339(svc.clock.now()),
        requested_by: actor.id().to_string(),
        previous_address: input.previous_address.clone().map(|a| PreviousAddress {
            address1: a.address1.trim().to_owned(),
            city: a.city.trim().to_owned(),
            state: a.state.trim().to_ascii_uppercase(),
            zip: a.zip.trim().to_owned(),
        }),
        version: 1,
    };
    let stored = StoredCheck { view: check.clone(), pull_started_at: None, pulls: 0 };
    let mut lookup = keys::credit_check_lookup(&co, id).to_item();
    lookup.insert("customer_id".into(), json!(customer_id.0));
    let job = Job::PullCredit { company: co.clone(), customer_id, check_id: id };
    let mut ops = vec![
        TxOp::Put {
            item: item_of(&keys::credit_check(&co, customer_id, id), &stored, &[]),
            cond: Some(Condition::NotExists),
        },
        TxOp::Put { item: lookup, cond: Some(Condition::NotExists) },
        jobs::pending(&co, pull_job_key(&co, id), job)?,
    ];
    if let Some(c) = &click {
        let mut item = keys::credit_run_click(&co, c).to_item();
        item.insert("check_id".into(), json!(id));
        ops.push(TxOp::Put { item, cond: Some(Condition::NotExists) });
    }
    match svc.table.transact(ops).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) if click.is_some() => {
            // The same click won a race with this one: answer its check (this one's ID stays unused).
            let c = click.as_deref().unwrap_or_default();
            return check_of_click(svc, actor, customer_id, c).await?.ok_or_else(|| AppError::Conflict {
                message: "this Run Credit click is being handled; try again".into(),
                current: None,
            });
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, customer = customer_id.0, check = id, bureau = %check.bureau, "credit check requested");
    Ok(check)
}

/// `GET /api/v1/customers/{id}/credit-checks`: newest first.
pub async fn list(svc: &Services, actor: &Actor, customer_id: RecordId) -> Result<Vec<CreditCheck>, AppError> {
    let co = actor.company();
    let customer = load_customer(svc, actor, customer_id).await?;
    actor.require(Resource::CreditReports, Action::View, target(&customer))?;
    let checks = stored_checks(svc, co, customer_id).await?;
    Ok(checks.into_iter().rev().map(|c| c.view).collect())
}

/// Every check of a customer, oldest first.
pub(super) async fn stored_checks(
    svc: &Services,
    co: &vigil_domain::CompanyId,
    customer_id: RecordId,
) -> Result<Vec<StoredCheck>, AppError> {
    let mut out = Vec::new();
    let mut q = Query::new(Index::Base, keys::record_pk(co, customer_id))
        .sort(SortCond::BeginsWith(keys::CREDIT_CHECK_PREFIX.into()));
    loop {
        let page = svc.table.query(&q).await?;
        for item in page.items {
            out.push(from_item::<StoredCheck>(item)?);
        }
        match page.last_key {
            Some(k) => q = q.start(Some(k)),
            None => break,
        }
    }
    Ok(out)
}
