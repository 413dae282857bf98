//! Monthly monitoring rates (MMR): the company's configuration (`GET/PUT /api/v1/settings/mmr`), the breakout
//! picker (`GET /api/v1/customers/mmr-rates`), and what the customer record asks of it: which rates the simple
//! dropdown offers, whether a customer may be given a rate, what a duplicate keeps, and the chosen rate on the Home
//! page. The rules themselves are pure, in `vigil_domain::mmr`.
//!
//! The configuration is one company setting item (`keys::setting(co, "mmr")`) with a `version`; nothing stored
//! means the defaults (simple mode, four rates).

use crate::customers::Priced;
use crate::items::{from_item, item_of};
use crate::{customers, Actor, AppError, Services};
use serde::Serialize;
use serde_json::{json, Value};
use vigil_domain::customer::CustomerFields;
use vigil_domain::mmr::{
    filter_choices, parse_update, FilterChoices, LineItem, MmrItem, MmrMode, MmrRate, MmrSettings, RateFilter, RateView,
};
use vigil_domain::{Action, CompanyId, FieldError, RecordId, Resource};
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

/// The picker's answer: the matching rates and the values each filter can take.
#[derive(Debug, Clone, Serialize)]
pub struct RateList {
    pub items: Vec<RateView>,
    pub filters: FilterChoices,
}

/// `GET /api/v1/customers/mmr-rates?customer_id=&total=&items=`: the active rates plus the customer's own (even
/// inactive), narrowed by the filters. The filter choices come from all of them, so a choice never disappears
/// because of another filter.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    customer_id: Option<RecordId>,
    filter: &RateFilter,
) -> Result<RateList, AppError> {
    actor.require_somewhere(Resource::Customers, Action::View)?;
    let current = match customer_id {
        Some(id) => customers::load(svc, actor, id).await?.lead.customer.mmr_id,
        None => None,
    };
    let s = settings(svc, actor.company()).await?;
    let offered: Vec<&MmrRate> = s.rates.iter().filter(|r| r.active || Some(r.id) == current).collect();
    let filters = filter_choices(&s.items, offered.iter().copied());
    let items = offered.into_iter().filter(|r| filter.matches(r)).map(|r| s.view(r, current)).collect();
    Ok(RateList { items, filters })
}

// ---------------------------------------------------------------------------------------------------------------
// What the customer record asks.

/// The form options' part: the mode, and the rates a customer can be given now (active, matching), for the simple
/// dropdown.
pub async fn form_rates(svc: &Services, co: &CompanyId) -> Result<(MmrMode, Vec<Priced>), AppError> {
    let s = settings(svc, co).await?;
    let rates = s
        .rates
        .iter()
        .filter(|r| s.assignable(r, None))
        .map(|r| Priced {
            id: r.id,
            name: r.name.clone().unwrap_or_else(|| format!("Rate #{}", r.id)),
            amount_cents: r.amount_cents,
        })
        .collect();
    Ok((s.mode, rates))
}

/// Checks a customer's `mmr_id` going from `before` to `after` (reads the configuration only when it changes).
pub async fn check_choice(
    svc: &Services,
    co: &CompanyId,
    before: Option<u32>,
    after: Option<u32>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if after.is_some() && after != before {
        if let Err(e) = settings(svc, co).await?.check_choice(before, after) {
            errors.push(e);
        }
    }
    Ok(())
}

/// A duplicate is another customer: it keeps the rate only when the rate may be given out, else it starts without
/// one (rather than failing the duplicate).
pub async fn for_duplicate(svc: &Services, co: &CompanyId, c: &mut CustomerFields) -> Result<(), AppError> {
    if c.mmr_id.is_some() && settings(svc, co).await?.check_choice(None, c.mmr_id).is_err() {
        c.mmr_id = None;
        c.mmr_a_la_carte = false;
    }
    Ok(())
}

/// The Sale card's `mmr`: `{id, name, amount_cents, line_items, mismatch}` of the chosen rate, or null.
pub async fn summary(svc: &Services, co: &CompanyId, mmr_id: Option<u32>) -> Result<Value, AppError> {
    let Some(id) = mmr_id else { return Ok(Value::Null) };
    let s = settings(svc, co).await?;
    Ok(match s.rate(id) {
        Some(r) => {
            json!({"id": r.id, "name": r.name, "amount_cents": r.amount_cents, "line_items": r.line_items, "mismatch": s.mismatch(r)})
        }
        None => Value::Null,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Demo data.

/// The demo configuration of the `n`th demo company: the first in breakout mode (four items, a dozen rates, a
/// legacy rate with a Cellular line no longer configured, one missing Warranty, one retired), the others simple.
pub fn demo_settings(n: u64) -> MmrSettings {
    if n != 0 {
        return MmrSettings { version: 1, ..MmrSettings::default() };
    }
    let items: Vec<MmrItem> = ["Monitoring", "Financing", "Warranty", "Video"]
        .iter()
        .enumerate()
        .map(|(i, name)| MmrItem { id: i as u32 + 1, name: (*name).into() })
        .collect();
    let rate = |id: u32, name: Option<&str>, amounts: &[(u32, u64)], active: bool| {
        let line_items: Vec<LineItem> = amounts
            .iter()
            .map(|(item, cents)| LineItem {
                item_id: *item,
                name: items.iter().find(|i| i.id == *item).map(|i| i.name.clone()).unwrap_or_else(|| "Cellular".into()),
                amount_cents: *cents,
            })
            .collect();
        MmrRate {
            id,
            name: name.map(str::to_owned),
            amount_cents: line_items.iter().map(|l| l.amount_cents).sum(),
            line_items,
            active,
        }
    };
    let full = |m, f, w, v| [(1, m), (2, f), (3, w), (4, v)];
    let rates = vec![
        rate(1, Some("Basic"), &full(2999, 0, 0, 0), true),
        rate(2, Some("Basic + Warranty"), &full(2999, 0, 500, 0), true),
        rate(3, Some("Standard"), &full(3499, 0, 500, 0), true),
        rate(4, Some("Standard Financed"), &full(3499, 1000, 500, 0), true),
        rate(5, Some("Interactive"), &full(3999, 0, 500, 0), true),
        rate(6, Some("Interactive Financed"), &full(3999, 1500, 500, 0), true),
        rate(7, Some("Video"), &full(3999, 0, 500, 1000), true),
        rate(8, Some("Video Financed"), &full(3999, 1500, 500, 1000), true),
        rate(9, None, &full(2999, 1000, 0, 0), true),
        rate(10, None, &full(3499, 1500, 0, 1000), true),
        // Item 5 (Cellular) was removed from the configuration: this rate mismatches.
        rate(11, Some("Legacy Cellular"), &[(1, 2999), (5, 1000)], true),
        rate(12, Some("Legacy No Warranty"), &[(1, 3499), (2, 1000), (4, 0)], true),
        rate(13, Some("Retired Basic"), &full(2499, 0, 500, 0), false),
    ];
    MmrSettings { mode: MmrMode::Breakout, version: 1, items, rates }
}

/// Gives a seeded customer a rate, by ID so the seed's random sequence is untouched: every fifth customer has none,
/// the first customer not archived gets the legacy Cellular rate (the demo's mismatched rate in use), the rest one
/// of the rates a customer can be given.
pub fn seed_rate(s: &MmrSettings, c: &mut CustomerFields, id: RecordId, archived: bool, legacy_given: &mut bool) {
    if s.mode == MmrMode::Breakout && !archived && !*legacy_given {
        if let Some(legacy) = s.rates.iter().find(|r| s.mismatch(r) && r.active) {
            c.mmr_id = Some(legacy.id);
            *legacy_given = true;
            return;
        }
    }
    let offered: Vec<&MmrRate> = s.rates.iter().filter(|r| s.assignable(r, None)).collect();
    if !id.0.is_multiple_of(5) && !offered.is_empty() {
        c.mmr_id = Some(offered[id.0 as usize % offered.len()].id);
        c.mmr_a_la_carte = s.mode == MmrMode::Simple && id.0.is_multiple_of(7);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breakout_demo_has_matching_and_mismatched_rates() {
        let s = demo_settings(0);
        assert_eq!(s.mode, MmrMode::Breakout);
        let mismatched: Vec<u32> = s.rates.iter().filter(|r| s.mismatch(r)).map(|r| r.id).collect();
        assert_eq!(mismatched, [11, 12]);
        assert!(s.rates.iter().all(|r| r.amount_cents == r.line_items.iter().map(|l| l.amount_cents).sum::<u64>()));
        // It is a configuration an admin could save back unchanged.
        assert!(parse_update(&serde_json::to_value(&s).unwrap(), &s).is_ok());
        let mut c = CustomerFields::default();
        let mut given = false;
        seed_rate(&s, &mut c, RecordId(3), false, &mut given);
        assert_eq!(c.mmr_id, Some(11));
        let mut c = CustomerFields::default();
        seed_rate(&s, &mut c, RecordId(4), false, &mut given);
        assert!(c.mmr_id.is_some_and(|id| !s.mismatch(s.rate(id).unwrap())));
        assert_eq!(demo_settings(1).mode, MmrMode::Simple);
    }
}
