//! The Credit Checks add-on: on or off, and the bureaus it offers (the company setting `credit`).

use super::bureaus;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use vigil_api::credit::{CreditSettings, CreditSettingsView};
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource};
use vigil_store::{keys, Condition, StoreError};

const SETTING: &str = "credit";
const STALE: &str = "another admin changed the credit settings; review them and try again";

/// The stored settings; a company that never saved any has the add-on off.
pub(crate) async fn load(svc: &Services, co: &CompanyId) -> Result<CreditSettings, AppError> {
    match svc.table.get(&keys::setting(co, SETTING)).await? {
        Some(item) => from_item(item),
        None => Ok(CreditSettings::default()),
    }
}

fn view(settings: CreditSettings) -> CreditSettingsView {
    CreditSettingsView { settings, available: bureaus().iter().map(|b| b.option()).collect() }
}

/// `GET /api/v1/settings/credit`: for whoever may view credit reports or company settings (the portal decides from
/// it whether Run Credit is offered).
pub async fn get_settings(svc: &Services, actor: &Actor) -> Result<CreditSettingsView, AppError> {
    if actor.require_somewhere(Resource::CreditReports, Action::View).is_err() {
        actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    }
    Ok(view(load(svc, actor.company()).await?))
}

/// `PUT /api/v1/settings/credit`.
pub async fn put_settings(
    svc: &Services,
    actor: &Actor,
    input: CreditSettings,
) -> Result<CreditSettingsView, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let stored = load(svc, co).await?;
    if input.version != stored.version {
        return Err(AppError::Conflict { message: STALE.into(), current: serde_json::to_value(view(stored)).ok() });
    }
    let known = bureaus();
    let mut errors = Vec::new();
    let mut offered: Vec<String> = Vec::new();
    for b in &input.bureaus {
        if !known.iter().any(|k| k.option().id == *b) {
            errors.push(FieldError::new("bureaus", "unknown", "choose bureaus the system offers (`sandbox`)"));
        } else if !offered.contains(b) {
            offered.push(b.clone());
        }
    }
    if input.enabled && offered.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("bureaus", "required", "choose at least one bureau while credit checks are on"));
    }
    if !errors.is_empty() {
        return Err(Invalid { errors }.into());
    }
    let next = CreditSettings { enabled: input.enabled, bureaus: offered, version: stored.version + 1 };
    let cond = if stored.version == 0 { Condition::NotExists } else { Condition::VersionIs(stored.version) };
    match svc.table.put(item_of(&keys::setting(co, SETTING), &next, &[]), Some(cond)).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(AppError::Conflict { message: STALE.into(), current: None })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, enabled = next.enabled, version = next.version, "credit settings saved");
    Ok(view(next))
}

/// The stored item of settings (the demo seed writes it directly).
pub fn settings_item(co: &CompanyId, settings: &CreditSettings) -> vigil_store::Item {
    item_of(&keys::setting(co, SETTING), settings, &[])
}
