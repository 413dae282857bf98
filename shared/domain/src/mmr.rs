//! Monthly monitoring rates (MMR): the company's configuration (simple or breakout mode, the line items a breakout
//! rate is made of, the rates), parsing an admin's whole-configuration update, the mismatch rule, which rate a
//! customer may be given, and the breakout picker's filters.
//!
//! Rules worth knowing:
//! - A rate *mismatches* when the set of item IDs in its breakdown differs from the company's current items (an
//!   item no longer configured, or a configured item missing). Only breakout mode shows breakdowns, so in simple
//!   mode nothing mismatches.
//! - Rates are never removed, only deactivated (`active: false`): a customer may hold any rate, and proving a rate is
//!   unused would mean reading every customer.
//! - An inactive or mismatched rate stays on the customer that has it, and is given to nobody else.
//! - Item IDs are never reused: a new item gets an ID above every ID a rate's breakdown has ever used, so a legacy
//!   rate cannot silently match a new item.

use crate::sorted::SortedSet;
use crate::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_json::{FromJson, ToJson};

/// Longest item or rate name.
pub const NAME_MAX: usize = 60;
/// Bounds that keep the configuration one small stored item.
pub const ITEMS_MAX: usize = 50;
pub const RATES_MAX: usize = 500;
/// The largest amount accepted, in cents ($100,000).
pub const AMOUNT_MAX: u64 = 10_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum MmrMode {
    /// One dropdown of rates and an "A la carte" checkbox.
    #[default]
    Simple,
    /// A picker of rates broken down into line items.
    Breakout,
}

impl MmrMode {
    pub fn as_str(self) -> &'static str {
        match self {
            MmrMode::Simple => "simple",
            MmrMode::Breakout => "breakout",
        }
    }
}

/// One configured line item (Monitoring, Financing, Warranty, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MmrItem {
    pub id: u32,
    pub name: String,
}

/// One line of a rate's breakdown. The name is kept with the line so a rate still reads after its item is removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LineItem {
    pub item_id: u32,
    pub name: String,
    pub amount_cents: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct MmrRate {
    pub id: u32,
    #[serde(default)]
    pub name: Option<String>,
    pub amount_cents: u64,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl MmrRate {
    /// The name, or the amount when the rate has none (`$39.99`).
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| dollars(self.amount_cents))
    }

    fn item_ids(&self) -> SortedSet<u32> {
        id_set(self.line_items.iter().map(|l| l.item_id))
    }

    fn line_sum(&self) -> u64 {
        self.line_items.iter().map(|l| l.amount_cents).sum()
    }
}

/// `$12.34`.
pub fn dollars(cents: u64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

/// The company's MMR configuration (the `mmr` company setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
pub struct MmrSettings {
    pub mode: MmrMode,
    /// 0 until an admin first saves; every save adds one (a stale version is refused).
    #[serde(default)]
    pub version: u64,
    #[serde(default)]
    pub items: Vec<MmrItem>,
    #[serde(default)]
    pub rates: Vec<MmrRate>,
}

/// The IDs as a set, inserted one by one: collecting into a set sorts first, a sort the portal would carry for this
/// one use.
fn id_set(ids: impl Iterator<Item = u32>) -> SortedSet<u32> {
    let mut set = SortedSet::new();
    for id in ids {
        set.insert(id);
    }
    set
}

impl Default for MmrSettings {
    /// Simple mode with the four standard rates, each one Monitoring line, so switching to breakout starts sane.
    fn default() -> Self {
        let monitoring = MmrItem { id: 1, name: "Monitoring".into() };
        let rates = [("Basic", 2999), ("Standard", 3999), ("Interactive", 4999), ("Video", 5999)]
            .iter()
            .enumerate()
            .map(|(i, (name, cents))| MmrRate {
                id: i as u32 + 1,
                name: Some((*name).into()),
                amount_cents: *cents,
                line_items: vec![LineItem { item_id: 1, name: monitoring.name.clone(), amount_cents: *cents }],
                active: true,
            })
            .collect();
        Self { mode: MmrMode::Simple, version: 0, items: vec![monitoring], rates }
    }
}

/// Why a customer cannot be given a rate.
pub const MISMATCH_MESSAGE: &str =
    "this rate's breakdown no longer matches your company's MMR items; it can't be given to another customer";
pub const INACTIVE_MESSAGE: &str = "this rate is no longer offered; it can't be given to another customer";

impl MmrSettings {
    pub fn rate(&self, id: u32) -> Option<&MmrRate> {
        self.rates.iter().find(|r| r.id == id)
    }

    /// The rate's breakdown names other items than the company's current configuration (breakout mode only).
    pub fn mismatch(&self, rate: &MmrRate) -> bool {
        self.mode == MmrMode::Breakout && rate.item_ids() != id_set(self.items.iter().map(|i| i.id))
    }

    /// Whether a customer whose rate is now `current` may hold `rate`.
    pub fn assignable(&self, rate: &MmrRate, current: Option<u32>) -> bool {
        Some(rate.id) == current || (rate.active && !self.mismatch(rate))
    }

    /// Checks a customer's `mmr_id` going from `before` to `after`: unchanged is always fine (the customer keeps an
    /// inactive or mismatched rate), anything else must be one of the company's rates that may be given out.
    pub fn check_choice(&self, before: Option<u32>, after: Option<u32>) -> Result<(), FieldError> {
        let Some(id) = after.filter(|a| Some(*a) != before) else { return Ok(()) };
        let rate = self
            .rate(id)
            .ok_or_else(|| FieldError::new("mmr_id", "not_found", "choose one of the company's monthly rates"))?;
        if self.mismatch(rate) {
            return Err(FieldError::new("mmr_id", "mismatch", MISMATCH_MESSAGE));
        }
        if !rate.active {
            return Err(FieldError::new("mmr_id", "inactive", INACTIVE_MESSAGE));
        }
        Ok(())
    }

    /// The rate as the API shows it, for a customer whose rate is now `current`.
    pub fn view(&self, rate: &MmrRate, current: Option<u32>) -> RateView {
        RateView {
            id: rate.id,
            name: rate.name.clone(),
            amount_cents: rate.amount_cents,
            line_items: rate.line_items.clone(),
            active: rate.active,
            mismatch: self.mismatch(rate),
            assignable: self.assignable(rate, current),
        }
    }

    /// Every ID a new item must stay above: configured items and every item a breakdown names.
    fn highest_item_id(&self) -> u32 {
        let items = self.items.iter().map(|i| i.id);
        let lines = self.rates.iter().flat_map(|r| r.line_items.iter().map(|l| l.item_id));
        items.chain(lines).max().unwrap_or(0)
    }
}

/// A rate with what the caller needs to show it: whether it mismatches and whether it may be chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RateView {
    pub id: u32,
    pub name: Option<String>,
    pub amount_cents: u64,
    pub line_items: Vec<LineItem>,
    pub active: bool,
    pub mismatch: bool,
    pub assignable: bool,
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing an update (`PUT /api/v1/settings/mmr`): the whole configuration, every problem named by its path.

fn path(parts: &[(&str, usize)], leaf: &str) -> String {
    let mut s = String::new();
    for (name, i) in parts {
        if !s.is_empty() {
            s.push('.');
        }
        s.push_str(&format!("{name}[{i}]"));
    }
    if !leaf.is_empty() {
        if !s.is_empty() {
            s.push('.');
        }
        s.push_str(leaf);
    }
    s
}

fn cents_of(field: &str, v: Option<&Value>) -> Result<u64, FieldError> {
    match v {
        None | Some(Value::Null) => Err(FieldError::new(field, "required", "an amount in cents is required")),
        Some(v) => v.as_u64().filter(|n| *n <= AMOUNT_MAX).ok_or_else(|| {
            FieldError::new(field, "invalid", format!("must be a whole number of cents from 0 to {AMOUNT_MAX}"))
        }),
    }
}

/// `None` when absent (a new entry gets the next free ID).
fn id_of(field: &str, v: Option<&Value>) -> Result<Option<u32>, FieldError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| *n > 0 && *n <= u32::MAX as u64)
            .map(|n| Some(n as u32))
            .ok_or_else(|| FieldError::new(field, "invalid", "must be an ID (a positive whole number)")),
    }
}

fn name_of(field: &str, v: Option<&Value>, required: bool) -> Result<Option<String>, FieldError> {
    let s = match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim()).filter(|s| !s.is_empty()),
        Some(_) => return Err(FieldError::new(field, "invalid", "must be text")),
    };
    match s {
        None if required => Err(FieldError::required(field)),
        Some(s) if s.chars().count() > NAME_MAX => {
            Err(FieldError::new(field, "too_long", format!("at most {NAME_MAX} characters")))
        }
        s => Ok(s.map(str::to_owned)),
    }
}

fn list_of<'a>(field: &str, v: Option<&'a Value>, max: usize) -> Result<&'a [Value], FieldError> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) if a.len() <= max => Ok(a),
        Some(Value::Array(_)) => Err(FieldError::new(field, "too_many", format!("at most {max}"))),
        Some(_) => Err(FieldError::new(field, "invalid", "must be a list")),
    }
}

/// Collects problems so the admin sees all of them at once.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
}

/// Parses an admin's update of the whole configuration against what is stored now. The result carries the
/// `version` the admin sent (the caller compares it with the stored one); new items and rates get fresh IDs.
pub fn parse_update(body: &Value, stored: &MmrSettings) -> Result<MmrSettings, Invalid> {
    let Some(obj) = body.as_object() else {
        return Err(Invalid::one("body", "invalid", "the body must be a JSON object"));
    };
    let mut p = Problems::default();
    let version = match obj.get("version") {
        None | Some(Value::Null) => p.take::<u64>(Err(FieldError::required("version"))),
        Some(v) => p.take(
            v.as_u64()
                .ok_or_else(|| FieldError::new("version", "invalid", "must be the configuration's version number")),
        ),
    };
    let mode = match obj.get("mode").and_then(Value::as_str) {
        Some("simple") => Some(MmrMode::Simple),
        Some("breakout") => Some(MmrMode::Breakout),
        _ => p.take::<MmrMode>(Err(FieldError::new("mode", "invalid", "must be simple or breakout"))),
    };
    let items = parse_items(obj.get("items"), stored, &mut p);
    if mode == Some(MmrMode::Breakout) && items.is_empty() && p.0.iter().all(|e| !e.field.starts_with("items")) {
        p.0.push(FieldError::new("items", "required", "breakout mode needs at least one line item"));
    }
    let rates = parse_rates(obj.get("rates"), stored, &items, mode, &mut p);
    if !p.0.is_empty() {
        return Err(Invalid { errors: p.0 });
    }
    Ok(MmrSettings { mode: mode.unwrap_or_default(), version: version.unwrap_or_default(), items, rates })
}

fn parse_items(v: Option<&Value>, stored: &MmrSettings, p: &mut Problems) -> Vec<MmrItem> {
    let Some(list) = p.take(list_of("items", v, ITEMS_MAX)) else { return vec![] };
    let mut parsed: Vec<(Option<u32>, String)> = Vec::new();
    for (i, it) in list.iter().enumerate() {
        let at = |leaf: &str| path(&[("items", i)], leaf);
        let id = p.take(id_of(&at("id"), it.get("id"))).flatten();
        // An item with a bad name still counts as configured, so its rates' lines are not reported as well.
        let name = p.take(name_of(&at("name"), it.get("name"), true)).flatten().unwrap_or_default();
        if id.is_some() && parsed.iter().any(|(other, _)| *other == id) {
            p.0.push(FieldError::new(at("id"), "duplicate", "another item has this ID"));
        }
        if !name.is_empty() && parsed.iter().any(|(_, n)| n.eq_ignore_ascii_case(&name)) {
            p.0.push(FieldError::new(at("name"), "duplicate", "another item has this name"));
        }
        parsed.push((id, name));
    }
    let mut next = parsed.iter().filter_map(|(id, _)| *id).max().unwrap_or(0).max(stored.highest_item_id());
    parsed
        .into_iter()
        .map(|(id, name)| {
            let id = id.unwrap_or_else(|| {
                next += 1;
                next
            });
            MmrItem { id, name }
        })
        .collect()
}

fn parse_rates(
    v: Option<&Value>,
    stored: &MmrSettings,
    items: &[MmrItem],
    mode: Option<MmrMode>,
    p: &mut Problems,
) -> Vec<MmrRate> {
    let Some(list) = p.take(list_of("rates", v, RATES_MAX)) else { return vec![] };
    let mut parsed: Vec<(Option<u32>, MmrRate)> = Vec::new();
    // Every ID sent, the invalid rates' too, so a rate with a bad field is not also reported as removed.
    let mut seen: Vec<u32> = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let at = |leaf: &str| path(&[("rates", i)], leaf);
        let id = p.take(id_of(&at("id"), r.get("id"))).flatten();
        if let Some(id) = id {
            if seen.contains(&id) {
                p.0.push(FieldError::new(at("id"), "duplicate", "another rate has this ID"));
            }
            seen.push(id);
        }
        let name = p.take(name_of(&at("name"), r.get("name"), false)).flatten();
        let amount = p.take(cents_of(&at("amount_cents"), r.get("amount_cents")));
        let active = match r.get("active") {
            None | Some(Value::Null) => true,
            Some(v) => p
                .take(v.as_bool().ok_or_else(|| FieldError::new(at("active"), "invalid", "must be true or false")))
                .unwrap_or(true),
        };
        let before = id.and_then(|id| stored.rate(id));
        let lines = parse_lines(r.get("line_items"), i, before, items, p);
        let (Some(amount), Some(lines)) = (amount, lines) else { continue };
        let rate = MmrRate { id: id.unwrap_or(0), name, amount_cents: amount, line_items: lines, active };
        if mode == Some(MmrMode::Breakout) && rate.line_sum() != rate.amount_cents {
            let msg = format!("must equal the sum of its line items ({})", dollars(rate.line_sum()));
            p.0.push(FieldError::new(at("amount_cents"), "sum_mismatch", msg));
        }
        parsed.push((id, rate));
    }
    for old in &stored.rates {
        if !seen.contains(&old.id) {
            let msg = format!("rate #{} ({}) cannot be removed; set active: false instead", old.id, old.label());
            p.0.push(FieldError::new("rates", "removed", msg));
        }
    }
    let mut next = parsed.iter().filter_map(|(id, _)| *id).chain(stored.rates.iter().map(|r| r.id)).max().unwrap_or(0);
    parsed
        .into_iter()
        .map(|(id, mut rate)| {
            rate.id = id.unwrap_or_else(|| {
                next += 1;
                next
            });
            rate
        })
        .collect()
}

/// A rate's breakdown. A line must name a configured item, unless the stored rate already had that item: a legacy
/// rate keeps its (mismatched) breakdown through later saves, but no new line may name a removed item.
fn parse_lines(
    v: Option<&Value>,
    rate_i: usize,
    before: Option<&MmrRate>,
    items: &[MmrItem],
    p: &mut Problems,
) -> Option<Vec<LineItem>> {
    let list = p.take(list_of(&path(&[("rates", rate_i)], "line_items"), v, ITEMS_MAX * 2))?;
    let mut out: Vec<LineItem> = Vec::new();
    let mut ok = true;
    for (j, l) in list.iter().enumerate() {
        let at = |leaf: &str| path(&[("rates", rate_i), ("line_items", j)], leaf);
        let amount = p.take(cents_of(&at("amount_cents"), l.get("amount_cents")));
        let item_id = match p.take(id_of(&at("item_id"), l.get("item_id"))) {
            Some(None) => p.take::<u32>(Err(FieldError::required(&at("item_id")))),
            Some(Some(id)) => Some(id),
            None => None,
        };
        let (Some(item_id), Some(amount)) = (item_id, amount) else {
            ok = false;
            continue;
        };
        let name = match (
            items.iter().find(|i| i.id == item_id),
            before.and_then(|b| b.line_items.iter().find(|x| x.item_id == item_id)),
        ) {
            (Some(item), _) => item.name.clone(),
            (None, Some(old)) => old.name.clone(),
            (None, None) => {
                p.0.push(FieldError::new(at("item_id"), "not_found", "not one of the company's MMR items"));
                ok = false;
                continue;
            }
        };
        if out.iter().any(|x| x.item_id == item_id) {
            p.0.push(FieldError::new(at("item_id"), "duplicate", "this item is already in the rate's breakdown"));
            ok = false;
            continue;
        }
        out.push(LineItem { item_id, name, amount_cents: amount });
    }
    ok.then_some(out)
}

// ---------------------------------------------------------------------------------------------------------------
// The breakout picker's filters (`GET /api/v1/customers/mmr-rates?total=&items=`).

/// What the picker's filter selects ask for: a total, and amounts for some line items.
#[derive(Debug, Clone, PartialEq, Eq, Default, ToJson)]
pub struct RateFilter {
    pub total: Option<u64>,
    /// `(item_id, amount_cents)`, one per item.
    pub items: Vec<(u32, u64)>,
}

impl RateFilter {
    /// From the query parameters `total` (cents) and `items` (`item_id:amount_cents` pairs separated by commas).
    /// Empty parameters mean no filter.
    pub fn parse(total: Option<&str>, items: Option<&str>) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let total = match total.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => p.take(
                s.parse::<u64>()
                    .map_err(|_| FieldError::new("total", "invalid", "must be an amount in cents (a whole number)")),
            ),
        };
        let items = match items.map(str::trim).filter(|s| !s.is_empty()) {
            None => vec![],
            Some(s) => p.take(Self::pairs(s)).unwrap_or_default(),
        };
        if p.0.is_empty() {
            Ok(Self { total, items })
        } else {
            Err(Invalid { errors: p.0 })
        }
    }

    fn pairs(s: &str) -> Result<Vec<(u32, u64)>, FieldError> {
        let bad = || {
            FieldError::new("items", "invalid", "use item_id:amount_cents pairs separated by commas, e.g. 1:2999,3:500")
        };
        let mut out: Vec<(u32, u64)> = Vec::new();
        for pair in s.split(',').map(str::trim).filter(|x| !x.is_empty()) {
            let (id, cents) = pair.split_once(':').ok_or_else(bad)?;
            let id = id.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(bad)?;
            let cents = cents.trim().parse::<u64>().map_err(|_| bad())?;
            if out.iter().any(|(other, _)| *other == id) {
                return Err(FieldError::new("items", "duplicate", format!("item {id} is filtered twice")));
            }
            out.push((id, cents));
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.total.is_none() && self.items.is_empty()
    }

    pub fn matches(&self, rate: &MmrRate) -> bool {
        self.total.is_none_or(|t| t == rate.amount_cents)
            && self
                .items
                .iter()
                .all(|(id, cents)| rate.line_items.iter().any(|l| l.item_id == *id && l.amount_cents == *cents))
    }

    /// The query string these filters travel as (without `?`; empty when there are none).
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = self.total {
            parts.push(format!("total={t}"));
        }
        if !self.items.is_empty() {
            let pairs: Vec<String> = self.items.iter().map(|(i, c)| format!("{i}:{c}")).collect();
            parts.push(format!("items={}", pairs.join(",")));
        }
        parts.join("&")
    }
}

/// The values each filter can take: the distinct totals, and per configured item its distinct amounts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct FilterChoices {
    pub total: Vec<u64>,
    pub items: Vec<ItemChoices>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ItemChoices {
    pub id: u32,
    pub name: String,
    pub amounts: Vec<u64>,
}

/// The filter choices among `rates` (sorted, distinct).
pub fn filter_choices<'a>(items: &[MmrItem], rates: impl Iterator<Item = &'a MmrRate> + Clone) -> FilterChoices {
    let total: SortedSet<u64> = rates.clone().map(|r| r.amount_cents).collect();
    let items = items
        .iter()
        .map(|item| {
            let amounts: SortedSet<u64> = rates
                .clone()
                .flat_map(|r| r.line_items.iter())
                .filter(|l| l.item_id == item.id)
                .map(|l| l.amount_cents)
                .collect();
            ItemChoices { id: item.id, name: item.name.clone(), amounts: amounts.into_iter().collect() }
        })
        .collect();
    FilterChoices { total: total.into_iter().collect(), items }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn breakout() -> MmrSettings {
        let line = |item_id, name: &str, amount_cents| LineItem { item_id, name: name.into(), amount_cents };
        MmrSettings {
            mode: MmrMode::Breakout,
            version: 3,
            items: vec![MmrItem { id: 1, name: "Monitoring".into() }, MmrItem { id: 2, name: "Warranty".into() }],
            rates: vec![
                MmrRate {
                    id: 1,
                    name: Some("Basic".into()),
                    amount_cents: 3499,
                    line_items: vec![line(1, "Monitoring", 2999), line(2, "Warranty", 500)],
                    active: true,
                },
                MmrRate {
                    id: 2,
                    name: None,
                    amount_cents: 4499,
                    line_items: vec![line(1, "Monitoring", 3999), line(2, "Warranty", 500)],
                    active: true,
                },
                // Legacy: a Cellular line (item 9) no longer configured, no Warranty.
                MmrRate {
                    id: 3,
                    name: Some("Legacy".into()),
                    amount_cents: 3999,
                    line_items: vec![line(1, "Monitoring", 2999), line(9, "Cellular", 1000)],
                    active: true,
                },
                MmrRate {
                    id: 4,
                    name: Some("Retired".into()),
                    amount_cents: 2999,
                    line_items: vec![line(1, "Monitoring", 2499), line(2, "Warranty", 500)],
                    active: false,
                },
            ],
        }
    }

    fn body(s: &MmrSettings) -> Value {
        serde_json::to_value(s).unwrap()
    }

    fn fields(e: Invalid) -> Vec<String> {
        e.errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn mismatch_is_a_different_item_set_and_only_in_breakout() {
        let s = breakout();
        assert!(!s.mismatch(&s.rates[0]));
        assert!(s.mismatch(&s.rates[2]), "an item no longer configured");
        let mut missing = s.rates[0].clone();
        missing.line_items.pop();
        assert!(s.mismatch(&missing), "a configured item missing");
        let simple = MmrSettings { mode: MmrMode::Simple, ..s.clone() };
        assert!(!simple.mismatch(&s.rates[2]));
    }

    #[test]
    fn a_mismatched_or_inactive_rate_stays_only_with_its_customer() {
        let s = breakout();
        assert!(s.check_choice(Some(3), Some(3)).is_ok(), "keeping it");
        assert_eq!(s.check_choice(None, Some(3)).unwrap_err().code, "mismatch");
        assert_eq!(s.check_choice(Some(1), Some(4)).unwrap_err().code, "inactive");
        assert_eq!(s.check_choice(None, Some(99)).unwrap_err().code, "not_found");
        assert!(s.check_choice(Some(3), Some(1)).is_ok());
        assert!(s.check_choice(Some(3), None).is_ok(), "clearing");
        assert!(s.assignable(&s.rates[2], Some(3)) && !s.assignable(&s.rates[2], Some(1)));
        let v = s.view(&s.rates[2], None);
        assert!(v.mismatch && !v.assignable);
    }

    #[test]
    fn an_unchanged_configuration_parses_back() {
        let s = breakout();
        let parsed = parse_update(&body(&s), &s).unwrap();
        assert_eq!(parsed, s);
        let d = MmrSettings::default();
        assert_eq!(parse_update(&body(&d), &d).unwrap(), d);
    }

    #[test]
    fn problems_name_their_field() {
        let s = breakout();
        let mut b = body(&s);
        b["rates"][1]["line_items"][0]["item_id"] = json!(7);
        b["rates"][0]["amount_cents"] = json!(29.99);
        b["rates"][3]["name"] = json!("x".repeat(61));
        b["items"][1]["name"] = json!("monitoring");
        let f = fields(parse_update(&b, &s).unwrap_err());
        for want in ["rates[1].line_items[0].item_id", "rates[0].amount_cents", "rates[3].name", "items[1].name"] {
            assert!(f.iter().any(|x| x == want), "{want} not in {f:?}");
        }
        let mut b = body(&s);
        b["rates"][1]["amount_cents"] = json!(4000);
        assert_eq!(fields(parse_update(&b, &s).unwrap_err()), ["rates[1].amount_cents"], "breakout totals are the sum");
        let mut b = body(&s);
        b["rates"][1]["id"] = json!(1);
        assert!(fields(parse_update(&b, &s).unwrap_err()).contains(&"rates[1].id".to_owned()));
        let mut b = body(&s);
        b["rates"].as_array_mut().unwrap().remove(3);
        assert_eq!(fields(parse_update(&b, &s).unwrap_err()), ["rates"], "rates are deactivated, never removed");
        let mut b = body(&s);
        b["mode"] = json!("fancy");
        b.as_object_mut().unwrap().remove("version");
        assert_eq!(fields(parse_update(&b, &s).unwrap_err()), ["version", "mode"]);
        let mut b = body(&s);
        b["rates"][0]["amount_cents"] = json!(-1);
        assert!(parse_update(&b, &s).is_err());
    }

    #[test]
    fn new_entries_get_fresh_ids_and_legacy_lines_survive() {
        let s = breakout();
        let mut b = body(&s);
        b["items"].as_array_mut().unwrap().push(json!({"name": "Video"}));
        b["rates"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "New", "amount_cents": 500, "line_items": [{"item_id": 2, "amount_cents": 500}]}));
        b["mode"] = json!("simple");
        let parsed = parse_update(&b, &s).unwrap();
        assert_eq!(parsed.items[2].id, 10, "above every item a breakdown ever named (9)");
        assert_eq!(parsed.rates[4].id, 5);
        assert_eq!(parsed.rates[4].line_items[0].name, "Warranty", "line names come from the items");
        assert_eq!(parsed.rates[2].line_items[1].name, "Cellular", "a legacy line keeps its name");
        // A new line naming a removed item is refused.
        let mut b = body(&s);
        b["rates"][0]["line_items"].as_array_mut().unwrap().push(json!({"item_id": 9, "amount_cents": 0}));
        assert_eq!(fields(parse_update(&b, &s).unwrap_err()), ["rates[0].line_items[2].item_id"]);
    }

    #[test]
    fn breakout_needs_items() {
        let s = MmrSettings { mode: MmrMode::Simple, items: vec![], rates: vec![], version: 0 };
        let f =
            fields(parse_update(&json!({"version": 0, "mode": "breakout", "items": [], "rates": []}), &s).unwrap_err());
        assert_eq!(f, ["items"]);
    }

    #[test]
    fn filters_parse_match_and_offer_choices() {
        let s = breakout();
        let f = RateFilter::parse(Some("3499"), Some(" 1:2999, 2:500 ")).unwrap();
        assert_eq!(f, RateFilter { total: Some(3499), items: vec![(1, 2999), (2, 500)] });
        assert_eq!(f.to_query(), "total=3499&items=1:2999,2:500");
        let hits: Vec<u32> = s.rates.iter().filter(|r| f.matches(r)).map(|r| r.id).collect();
        assert_eq!(hits, [1]);
        let by_item = RateFilter::parse(None, Some("1:2999")).unwrap();
        assert_eq!(s.rates.iter().filter(|r| by_item.matches(r)).count(), 2);
        assert!(RateFilter::parse(Some(""), Some("")).unwrap().is_empty());
        for (t, i, field) in [
            (Some("12.5"), None, "total"),
            (None, Some("1-2999"), "items"),
            (None, Some("0:5"), "items"),
            (None, Some("1:5,1:6"), "items"),
        ] {
            assert_eq!(fields(RateFilter::parse(t, i).unwrap_err()), [field], "{t:?} {i:?}");
        }
        let c = filter_choices(&s.items, s.rates.iter());
        assert_eq!(c.total, [2999, 3499, 3999, 4499]);
        assert_eq!(c.items[0].amounts, [2499, 2999, 3999]);
        assert_eq!(c.items[1].amounts, [500]);
    }
}
