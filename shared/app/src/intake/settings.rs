//! The company's duplicate window for posted leads (`GET/PUT /api/v1/settings/lead-intake`).

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use vigil_api::intake::LeadIntakeSettings;
use vigil_domain::{Action, CompanyId, Invalid, Resource};
use vigil_store::{keys, Condition, StoreError};

const SETTING: &str = "LEAD_INTAKE";
/// Ten years: a longer window is "never", which says so.
const WINDOW_MAX: u32 = 3650;

pub async fn settings_of(svc: &Services, co: &CompanyId) -> Result<LeadIntakeSettings, AppError> {
    match svc.table.get(&keys::setting(co, SETTING)).await? {
        Some(item) => from_item(item),
        None => Ok(LeadIntakeSettings::default()),
    }
}

pub async fn get(svc: &Services, actor: &Actor) -> Result<LeadIntakeSettings, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::View)?;
    settings_of(svc, actor.company()).await
}

pub async fn put(svc: &Services, actor: &Actor, s: LeadIntakeSettings) -> Result<LeadIntakeSettings, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    if s.duplicate_window_days.is_some_and(|d| d > WINDOW_MAX) {
        return Err(Invalid::one(
            "duplicate_window_days",
            "out_of_range",
            format!("at most {WINDOW_MAX} days; null never accepts a duplicate"),
        )
        .into());
    }
    let co = actor.company();
    let read = s.version;
    let next = LeadIntakeSettings { version: read + 1, ..s };
    let cond = if read == 0 { Condition::NotExists } else { Condition::VersionIs(read) };
    match svc.table.put(item_of(&keys::setting(co, SETTING), &next, &[]), Some(cond)).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "another admin changed the lead intake settings; review their change and save again".into(),
            current: serde_json::to_value(settings_of(svc, co).await?).ok(),
        }),
        Err(e) => Err(e.into()),
    }
}
