//! The company's MMR configuration (`GET/PUT /api/v1/settings/mmr`): one setting item with a `version`.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde::Serialize;
use serde_json::Value;
use vigil_domain::mmr::{parse_update, MmrItem, MmrMode, MmrSettings, RateView};
use vigil_domain::{Action, CompanyId, Resource};
use vigil_store::{keys, Condition, Item, StoreError};

pub const SETTING: &str = "mmr";

const STALE: &str = "another admin changed the MMR settings; reload them and make your change again";

pub fn settings_item(co: &CompanyId, s: &MmrSettings) -> Item {
    item_of(&keys::setting(co, SETTING), s, &[])
}

/// The stored configuration and whether one is stored (the defaults otherwise).
async fn load(svc: &Services, co: &CompanyId) -> Result<(MmrSettings, bool), AppError> {
    match svc.table.get(&keys::setting(co, SETTING)).await? {
        Some(item) => Ok((from_item(item)?, true)),
        None => Ok((MmrSettings::default(), false)),
    }
}

pub async fn settings(svc: &Services, co: &CompanyId) -> Result<MmrSettings, AppError> {
    Ok(load(svc, co).await?.0)
}

/// The configuration as the API shows it: each rate with its mismatch flag (and whether it may be given out).
#[derive(Debug, Clone, Serialize)]
pub struct SettingsView {
    pub mode: MmrMode,
    pub version: u64,
    pub items: Vec<MmrItem>,
    pub rates: Vec<RateView>,
}

fn settings_view(s: &MmrSettings) -> SettingsView {
    SettingsView {
        mode: s.mode,
        version: s.version,
        items: s.items.clone(),
        rates: s.rates.iter().map(|r| s.view(r, None)).collect(),
    }
}

/// `GET /api/v1/settings/mmr`: anyone who may view customers (the Sale card needs it).
pub async fn get(svc: &Services, actor: &Actor) -> Result<SettingsView, AppError> {
    actor.require_somewhere(Resource::Customers, Action::View)?;
    Ok(settings_view(&settings(svc, actor.company()).await?))
}

/// `PUT /api/v1/settings/mmr`: admins (Company Settings Modify) replace the whole configuration, sending the
/// `version` they read. Rates are never removed, only deactivated (see `vigil_domain::mmr`).
pub async fn put(svc: &Services, actor: &Actor, body: &Value) -> Result<SettingsView, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let (stored, exists) = load(svc, co).await?;
    // A stale version first: checked against what is stored now, the rest of a stale body would only mislead
    // (e.g. "rate #14 cannot be removed" when another admin added it).
    let stale =
        || AppError::Conflict { message: STALE.into(), current: serde_json::to_value(settings_view(&stored)).ok() };
    if body.get("version").and_then(Value::as_u64).is_some_and(|v| v != stored.version) {
        return Err(stale());
    }
    let mut next = parse_update(body, &stored)?;
    if next.version != stored.version {
        return Err(stale());
    }
    next.version = stored.version + 1;
    let cond = if exists { Condition::VersionIs(stored.version) } else { Condition::NotExists };
    match svc.table.put(settings_item(co, &next), Some(cond)).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed { .. }) => {
            return Err(AppError::Conflict { message: STALE.into(), current: None })
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(company = %co, mode = next.mode.as_str(), rates = next.rates.len(), version = next.version, "mmr settings saved");
    Ok(settings_view(&next))
}
