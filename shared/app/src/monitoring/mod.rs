//! Monitoring companies (admin: name, kind, active, dealer number required, PreCheck Order Enabled) and the ADT
//! PreCheck of a customer ([`precheck`]).

pub mod precheck;

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use vigil_api::monitoring::{MonitoringCompany, MonitoringCompanyForm, MonitoringKind};
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError};

const STALE: &str = "another admin changed this monitoring company; review it and try again";

pub fn company_item(co: &CompanyId, m: &MonitoringCompany) -> vigil_store::Item {
    item_of(&keys::monitoring_company(co, m.id), m, &[])
}

/// Every monitoring company of the company, by ID.
pub async fn all(svc: &Services, co: &CompanyId) -> Result<Vec<MonitoringCompany>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co))
        .sort(SortCond::BeginsWith(keys::MONITORING_COMPANY_PREFIX.into()));
    svc.table.query(&q).await?.items.into_iter().map(from_item).collect()
}

pub(crate) async fn load(svc: &Services, co: &CompanyId, id: u32) -> Result<Option<MonitoringCompany>, AppError> {
    match svc.table.get(&keys::monitoring_company(co, id)).await? {
        Some(item) => Ok(Some(from_item(item)?)),
        None => Ok(None),
    }
}

/// The active ADT monitoring companies (ADT PreCheck is offered while there is one).
pub async fn active_adt(svc: &Services, co: &CompanyId) -> Result<Vec<MonitoringCompany>, AppError> {
    Ok(all(svc, co).await?.into_iter().filter(|m| m.active && m.kind == MonitoringKind::Adt).collect())
}

fn may_read(actor: &Actor) -> Result<(), AppError> {
    if actor.require_somewhere(Resource::Customers, Action::View).is_err() {
        actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    }
    Ok(())
}

/// `GET /api/v1/settings/monitoring-companies`.
pub async fn list(svc: &Services, actor: &Actor) -> Result<Vec<MonitoringCompany>, AppError> {
    may_read(actor)?;
    all(svc, actor.company()).await
}

/// `GET /api/v1/settings/monitoring-companies/{id}`.
pub async fn get(svc: &Services, actor: &Actor, id: u32) -> Result<MonitoringCompany, AppError> {
    may_read(actor)?;
    load(svc, actor.company(), id).await?.ok_or(AppError::NotFound("monitoring company"))
}

fn name_of(raw: Option<&String>) -> Result<Option<String>, AppError> {
    match raw.map(|s| s.trim()) {
        None => Ok(None),
        Some("") => Err(Invalid::from(FieldError::required("name")).into()),
        Some(s) if s.chars().count() > 100 => {
            Err(Invalid::from(FieldError::new("name", "too_long", "at most 100 characters")).into())
        }
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// `POST /api/v1/settings/monitoring-companies`.
pub async fn create(svc: &Services, actor: &Actor, form: MonitoringCompanyForm) -> Result<MonitoringCompany, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Create)?;
    let co = actor.company();
    let name =
        name_of(form.name.as_ref())?.ok_or_else(|| AppError::from(Invalid::from(FieldError::required("name"))))?;
    let seq = svc.table.increment(&keys::monitoring_company_sequence(co), 1).await?;
    let id = u32::try_from(seq).map_err(|_| AppError::Internal("monitoring company sequence overflow".into()))?;
    let m = MonitoringCompany {
        id,
        name,
        kind: form.kind.unwrap_or_default(),
        active: form.active.unwrap_or(true),
        dealer_number_required: form.dealer_number_required.unwrap_or(false),
        precheck_order_enabled: form.precheck_order_enabled.unwrap_or(false),
        version: 1,
    };
    svc.table.put(company_item(co, &m), Some(Condition::NotExists)).await?;
    tracing::info!(company = %co, monitoring_company = id, "monitoring company created");
    Ok(m)
}

/// `PATCH /api/v1/settings/monitoring-companies/{id}`.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: u32,
    form: MonitoringCompanyForm,
) -> Result<MonitoringCompany, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let version = form.version.ok_or_else(|| AppError::from(Invalid::from(FieldError::required("version"))))?;
    let current = load(svc, co, id).await?.ok_or(AppError::NotFound("monitoring company"))?;
    if version != current.version {
        return Err(AppError::Conflict { message: STALE.into(), current: serde_json::to_value(&current).ok() });
    }
    let mut next = current.clone();
    if let Some(n) = name_of(form.name.as_ref())? {
        next.name = n;
    }
    next.kind = form.kind.unwrap_or(next.kind);
    next.active = form.active.unwrap_or(next.active);
    next.dealer_number_required = form.dealer_number_required.unwrap_or(next.dealer_number_required);
    next.precheck_order_enabled = form.precheck_order_enabled.unwrap_or(next.precheck_order_enabled);
    next.version = current.version + 1;
    match svc.table.put(company_item(co, &next), Some(Condition::VersionIs(current.version))).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict { message: STALE.into(), current: None }),
        Err(e) => Err(e.into()),
    }
}
