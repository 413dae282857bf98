//! ADT PreCheck: the fields it needs when a customer is created with Run ADT PreCheck, the PreCheck item and its
//! job (written in the customer's own transaction), the job's call to ADT behind [`AdtPrecheck`], and the
//! customer's PreCheck read and Refresh.
//!
//! The sandbox ([`Sandbox`]) answers by the last digit of the customer's zip:
//!
//! | zip ends in | status |
//! |---|---|
//! | 0 to 6 | approved |
//! | 7 | needs_review |
//! | 8 | declined |
//! | 9 | unavailable (ADT's service did not answer) |

use crate::clock::rfc3339;
use crate::customers::{load_customer, target};
use crate::items::{from_item, item_of};
use crate::jobs::{self, Job};
use crate::{ssn, Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_api::monitoring::{MonitoringCompany, PrecheckResult, PrecheckStatus, PrecheckView};
use vigil_domain::record::Record;
use vigil_domain::{Action, CompanyId, FieldError, RecordId, Resource};
use vigil_store::{keys, Condition, StoreError, TxOp};

/// What ADT is asked. The SSN is opened inside the job and dropped after the call.
pub struct PrecheckRequest<'a> {
    pub ssn: &'a str,
    pub birthdate: Option<&'a str>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: Option<&'a str>,
    pub address1: Option<&'a str>,
    pub zip: Option<&'a str>,
    pub county: Option<&'a str>,
    pub dealer_number: Option<&'a str>,
}

/// ADT PreCheck.
pub trait AdtPrecheck: Send + Sync {
    fn name(&self) -> &'static str;
    fn check(&self, request: &PrecheckRequest<'_>) -> (PrecheckStatus, String);
}

pub struct Sandbox;

impl AdtPrecheck for Sandbox {
    fn name(&self) -> &'static str {
        "Sandbox ADT PreCheck"
    }

    fn check(&self, request: &PrecheckRequest<'_>) -> (PrecheckStatus, String) {
        let last = request.zip.and_then(|z| z.bytes().rev().find(u8::is_ascii_digit)).map(|b| b - b'0');
        match last {
            Some(0..=6) => (PrecheckStatus::Approved, "Approved for ADT monitoring".into()),
            Some(7) => (PrecheckStatus::NeedsReview, "ADT needs to review this customer".into()),
            Some(8) => (PrecheckStatus::Declined, "Declined by ADT".into()),
            _ => (PrecheckStatus::Unavailable, "ADT PreCheck is unavailable; refresh later".into()),
        }
    }
}

fn adapter() -> Box<dyn AdtPrecheck> {
    Box::new(Sandbox)
}

/// The stored PreCheck of a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPrecheck {
    #[serde(flatten)]
    pub view: PrecheckView,
    pub version: u64,
}

/// The fields Run ADT PreCheck needs on create, in the form's names.
pub const REQUIRED: [&str; 6] = ["birthdate", "ssn", "email", "address1", "zip", "county"];

fn blank(body: &Map<String, Value>, f: &str) -> bool {
    body.get(f).is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
}

/// Create's PreCheck part: takes `run_adt_precheck` and `monitored_by_id` out of the body (the latter becomes
/// `monitoring_company_id`), names every missing field in `errors`, and answers the monitoring company to run it
/// with (when the flag is on).
pub async fn on_create(
    svc: &Services,
    co: &CompanyId,
    body: &mut Map<String, Value>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<MonitoringCompany>, AppError> {
    let run = body.remove("run_adt_precheck");
    let monitored = body.remove("monitored_by_id").filter(|v| !v.is_null());
    let monitored_id = match &monitored {
        None => None,
        Some(v) => match v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
            Some(id) => u32::try_from(id).ok(),
            None => {
                errors.push(FieldError::new("monitored_by_id", "invalid", "choose one of the monitoring companies"));
                None
            }
        },
    };
    if let Some(id) = monitored_id {
        body.insert("monitoring_company_id".into(), Value::from(id));
    }
    let run = match run {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(_) => {
            errors.push(FieldError::new("run_adt_precheck", "invalid", "must be true or false"));
            false
        }
    };
    if !run {
        return Ok(None);
    }
    let adt = super::active_adt(svc, co).await?;
    if adt.is_empty() {
        errors.push(FieldError::new(
            "run_adt_precheck",
            "unavailable",
            "the company has no active ADT monitoring company",
        ));
        return Ok(None);
    }
    let company = match monitored_id {
        None if monitored.is_none() => {
            errors.push(FieldError::required("monitored_by_id"));
            None
        }
        None => None,
        Some(id) => match adt.into_iter().find(|m| m.id == id) {
            Some(m) => Some(m),
            None => {
                errors.push(FieldError::new("monitored_by_id", "not_adt", "choose an active ADT monitoring company"));
                None
            }
        },
    };
    if company.as_ref().is_some_and(|m| m.dealer_number_required) && blank(body, "dealer_number") {
        errors.push(FieldError::required("dealer_number"));
    }
    for f in REQUIRED {
        if blank(body, f) {
            errors.push(FieldError::required(f));
        }
    }
    if body.get("account_type").and_then(Value::as_str) == Some("commercial") {
        for f in ["business_name", "business_contact"] {
            if blank(body, f) {
                errors.push(FieldError::required(f));
            }
        }
    }
    Ok(company)
}

fn job_key(co: &CompanyId, customer: RecordId, attempt: u32) -> String {
    format!("precheck:{co}:{}:{attempt}", customer.0)
}

/// The writes that start a PreCheck run: the pending PreCheck (after `current`, if any) and its job.
pub(crate) fn start_ops(
    co: &CompanyId,
    customer: RecordId,
    monitoring_company: u32,
    now: &str,
    current: Option<&StoredPrecheck>,
) -> Result<Vec<TxOp>, AppError> {
    let attempt = current.map(|c| c.view.attempt).unwrap_or(0) + 1;
    let stored = StoredPrecheck {
        view: PrecheckView {
            status: PrecheckStatus::Pending,
            result: current.and_then(|c| c.view.result.clone()),
            monitoring_company_id: Some(monitoring_company),
            requested_at: Some(now.to_owned()),
            attempt,
        },
        version: current.map(|c| c.version).unwrap_or(0) + 1,
    };
    let cond = match current {
        None => Condition::NotExists,
        Some(c) => Condition::VersionIs(c.version),
    };
    let job = Job::AdtPrecheck { company: co.clone(), customer_id: customer, attempt };
    Ok(vec![
        TxOp::Put { item: item_of(&keys::precheck(co, customer), &stored, &[]), cond: Some(cond) },
        jobs::pending(co, job_key(co, customer, attempt), job)?,
    ])
}

async fn stored(svc: &Services, co: &CompanyId, customer: RecordId) -> Result<Option<StoredPrecheck>, AppError> {
    match svc.table.get(&keys::precheck(co, customer)).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

fn none() -> PrecheckView {
    PrecheckView {
        status: PrecheckStatus::None,
        result: None,
        monitoring_company_id: None,
        requested_at: None,
        attempt: 0,
    }
}

/// `GET /api/v1/customers/{id}/adt-precheck`.
pub async fn get(svc: &Services, actor: &Actor, customer_id: RecordId) -> Result<PrecheckView, AppError> {
    load_customer(svc, actor, customer_id).await?;
    Ok(stored(svc, actor.company(), customer_id).await?.map(|s| s.view).unwrap_or_else(none))
}

/// `POST /api/v1/customers/{id}/adt-precheck`: run it again with the customer's ADT monitoring company.
pub async fn refresh(svc: &Services, actor: &Actor, customer_id: RecordId) -> Result<PrecheckView, AppError> {
    let co = actor.company();
    let customer = load_customer(svc, actor, customer_id).await?;
    actor.require(Resource::Customers, Action::Modify, target(&customer))?;
    let adt = super::active_adt(svc, co).await?;
    let company = customer.lead.customer.monitoring_company_id.and_then(|id| adt.iter().find(|m| m.id == id));
    let Some(company) = company else {
        return Err(AppError::from_field(FieldError::new(
            "monitoring_company_id",
            "not_adt",
            "the customer is not monitored by an active ADT monitoring company",
        )));
    };
    let current = stored(svc, co, customer_id).await?;
    if current.as_ref().is_some_and(|c| c.view.status == PrecheckStatus::Pending) {
        return Ok(current.map(|c| c.view).unwrap_or_else(none));
    }
    let now = rfc3339(svc.clock.now());
    match svc.table.transact(start_ops(co, customer_id, company.id, &now, current.as_ref())?).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(AppError::Conflict {
                message: "the PreCheck changed meanwhile; try again".into(),
                current: None,
            })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, customer = customer_id.0, "adt precheck requested");
    Ok(stored(svc, co, customer_id).await?.map(|s| s.view).unwrap_or_else(none))
}

/// The job: one call to ADT for this attempt, its answer recorded.
pub async fn run(svc: &Services, co: &CompanyId, customer_id: RecordId, attempt: u32) -> Result<(), AppError> {
    let Some(current) = stored(svc, co, customer_id).await? else { return Ok(()) };
    if current.view.attempt != attempt || current.view.status != PrecheckStatus::Pending {
        return Ok(());
    }
    let record: Option<Record> = match svc.table.get(&keys::record(co, customer_id)).await? {
        Some(item) => Some(from_item(item)?),
        None => None,
    };
    let Some(r) = record else { return Ok(()) };
    let provider = adapter();
    let (status, message) = match r.lead.ssn_encrypted.as_deref() {
        None => (PrecheckStatus::Unavailable, "the customer has no SSN".to_owned()),
        Some(sealed) => {
            // Opened here and handed to the adapter only: never stored, queued or logged.
            let ssn = ssn::decrypt(svc.data_keys.as_ref(), co, customer_id, sealed)?;
            let c = &r.lead.customer;
            provider.check(&PrecheckRequest {
                ssn: &ssn,
                birthdate: c.birthdate.as_deref(),
                first_name: &r.first_name,
                last_name: &r.last_name,
                email: r.email.as_deref(),
                address1: r.address1.as_deref(),
                zip: r.zip.as_deref(),
                county: r.lead.county.as_deref(),
                dealer_number: c.dealer_number.as_deref(),
            })
        }
    };
    let reference = matches!(status, PrecheckStatus::Approved | PrecheckStatus::NeedsReview | PrecheckStatus::Declined)
        .then(|| format!("PC-{}-{}", customer_id.0, attempt));
    let mut next = current.clone();
    next.view.status = status;
    next.view.result = Some(PrecheckResult {
        reference,
        message,
        checked_at: rfc3339(svc.clock.now()),
        provider: provider.name().into(),
    });
    next.version = current.version + 1;
    let item = item_of(&keys::precheck(co, customer_id), &next, &[]);
    match svc.table.put(item, Some(Condition::VersionIs(current.version))).await {
        Ok(()) | Err(StoreError::ConditionFailed { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, customer = customer_id.0, attempt, status = ?status, "adt precheck answered");
    Ok(())
}
