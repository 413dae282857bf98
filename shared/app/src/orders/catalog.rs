//! The company's catalog: equipment, wire types, packages, order templates and the sold-by list. Each entry is one
//! company item (`keys::catalog_entry`) with a `version`; a name is unique within its kind through a name item
//! written in the same transaction. Entries are deactivated, never deleted: customers' equipment and templates
//! keep pointing at them.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::Value;
pub use vigil_api::orders::{Catalog, CatalogEntry, CatalogKind, CatalogSave, PackageItem, MAX_PACKAGE_ITEMS};
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource, User, UserId};
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

pub const NAME_MAX: usize = 100;
/// A hundred thousand dollars, in cents: far past any one alarm part.
pub const CHARGE_MAX: u64 = 10_000_000;
/// The most rates or packages one template offers.
pub const TEMPLATE_CHOICES_MAX: usize = 20;

/// Every entry, read in one Query of the company partition's catalog prefix.
pub async fn load_all(svc: &Services, co: &CompanyId) -> Result<Catalog, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::CATALOG_PREFIX.into()));
    let mut out = Catalog::default();
    for item in svc.table.query_all(&q).await? {
        let e: CatalogEntry = from_item(item)?;
        match e.kind {
            CatalogKind::Equipment => out.equipment.push(e),
            CatalogKind::WireType => out.wire_types.push(e),
            CatalogKind::Package => out.packages.push(e),
            CatalogKind::OrderTemplate => out.order_templates.push(e),
            CatalogKind::SoldBy => out.sold_by.push(e),
        }
    }
    Ok(out)
}

pub fn of_kind(c: &Catalog, kind: CatalogKind) -> &[CatalogEntry] {
    match kind {
        CatalogKind::Equipment => &c.equipment,
        CatalogKind::WireType => &c.wire_types,
        CatalogKind::Package => &c.packages,
        CatalogKind::OrderTemplate => &c.order_templates,
        CatalogKind::SoldBy => &c.sold_by,
    }
}

pub fn find(c: &Catalog, kind: CatalogKind, id: u32) -> Option<&CatalogEntry> {
    of_kind(c, kind).iter().find(|e| e.id == id)
}

/// `GET /api/v1/settings/catalog`: whoever may view customers (the Apply dialog offers it).
pub async fn get(svc: &Services, actor: &Actor) -> Result<Catalog, AppError> {
    actor.require_somewhere(Resource::Customers, Action::View)?;
    load_all(svc, actor.company()).await
}

/// `POST /api/v1/settings/catalog`: admins (Company Settings Create).
pub async fn create(svc: &Services, actor: &Actor, body: CatalogSave) -> Result<CatalogEntry, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Create)?;
    let co = actor.company();
    let Some(kind) = body.kind else { return Err(AppError::from_field(FieldError::required("kind"))) };
    let blank = CatalogEntry {
        id: 0,
        kind,
        version: 0,
        name: String::new(),
        active: true,
        collection_item: false,
        default_charge_cents: 0,
        items: vec![],
        mmr_ids: vec![],
        package_ids: vec![],
        user_id: None,
    };
    let catalog = load_all(svc, co).await?;
    let mut entry = apply(svc, co, &catalog, &blank, &body, true).await?;
    entry.id = u32::try_from(svc.table.increment(&keys::catalog_sequence(co), 1).await?)
        .map_err(|_| AppError::Internal("catalog IDs are used up".into()))?;
    entry.version = 1;
    let ops = vec![
        TxOp::Put { item: name_item(co, &entry), cond: Some(Condition::NotExists) },
        TxOp::Put { item: item_of(&entry_key(co, &entry), &entry, &[]), cond: Some(Condition::NotExists) },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => Ok(entry),
        Err(StoreError::ConditionFailed { .. }) => Err(taken(kind)),
        Err(e) => Err(e.into()),
    }
}

/// `PATCH /api/v1/settings/catalog/{id}`: admins (Company Settings Modify), with the kind and version read.
pub async fn update(svc: &Services, actor: &Actor, id: u32, body: CatalogSave) -> Result<CatalogEntry, AppError> {
    actor.require_somewhere(Resource::CompanySettings, Action::Modify)?;
    let co = actor.company();
    let Some(kind) = body.kind else { return Err(AppError::from_field(FieldError::required("kind"))) };
    let Some(version) = body.version else { return Err(AppError::from_field(FieldError::required("version"))) };
    let catalog = load_all(svc, co).await?;
    let current = find(&catalog, kind, id).cloned().ok_or(AppError::NotFound("catalog entry"))?;
    if version != current.version {
        return Err(stale(&current));
    }
    let mut next = apply(svc, co, &catalog, &current, &body, false).await?;
    next.version = current.version + 1;
    let mut ops =
        vec![TxOp::Put { item: item_of(&entry_key(co, &next), &next, &[]), cond: Some(Condition::VersionIs(version)) }];
    if keys::fold(&unique_of(&next)) != keys::fold(&unique_of(&current)) {
        ops.push(TxOp::Put { item: name_item(co, &next), cond: Some(Condition::NotExists) });
        ops.push(TxOp::Delete { key: keys::catalog_name(co, kind.as_str(), &unique_of(&current)), cond: None });
    }
    match svc.table.transact(ops).await {
        Ok(()) => Ok(next),
        Err(StoreError::ConditionFailed { op: Some(0), .. }) => {
            let now: Option<CatalogEntry> =
                svc.table.get(&entry_key(co, &current)).await?.map(from_item).transpose()?;
            Err(now.as_ref().map_or(AppError::NotFound("catalog entry"), stale))
        }
        Err(StoreError::ConditionFailed { .. }) => Err(taken(kind)),
        Err(e) => Err(e.into()),
    }
}

fn entry_key(co: &CompanyId, e: &CatalogEntry) -> vigil_store::Key {
    keys::catalog_entry(co, e.kind.as_str(), e.id)
}

/// What must be unique within the kind: the name, or for the sold-by list the user (two users may share a name).
fn unique_of(e: &CatalogEntry) -> String {
    match (&e.kind, &e.user_id) {
        (CatalogKind::SoldBy, Some(u)) => u.to_string(),
        _ => e.name.clone(),
    }
}

fn name_item(co: &CompanyId, e: &CatalogEntry) -> vigil_store::Item {
    item_of(&keys::catalog_name(co, e.kind.as_str(), &unique_of(e)), &serde_json::json!({"id": e.id}), &[])
}

fn taken(kind: CatalogKind) -> AppError {
    let what = if kind == CatalogKind::SoldBy { "user is already on the sold-by list" } else { "name is already used" };
    Invalid::one(if kind == CatalogKind::SoldBy { "user_id" } else { "name" }, "taken", format!("that {what}")).into()
}

fn stale(current: &CatalogEntry) -> AppError {
    AppError::Conflict {
        message: "another admin changed this entry; review their change and try again".into(),
        current: serde_json::to_value(current).ok(),
    }
}

/// The entry `base` with the body's fields applied and checked (every problem named).
async fn apply(
    svc: &Services,
    co: &CompanyId,
    catalog: &Catalog,
    base: &CatalogEntry,
    body: &CatalogSave,
    creating: bool,
) -> Result<CatalogEntry, AppError> {
    let mut e = Vec::new();
    let mut next = base.clone();
    let kind = base.kind;
    if let Some(a) = body.active {
        next.active = a;
    }
    let foreign = |field: &str, given: bool, e: &mut Vec<FieldError>| {
        if given {
            e.push(FieldError::new(
                field,
                "not_allowed",
                format!("a {} has no {field}", kind.as_str().replace('_', " ")),
            ));
        }
    };
    if kind == CatalogKind::SoldBy {
        foreign("name", body.name.is_some(), &mut e);
        match body.user_id.as_deref() {
            Some(u) => match UserId::parse(u) {
                Ok(id) => match svc.table.get(&keys::user(co, &id)).await? {
                    Some(item) => {
                        let user: User = from_item(item)?;
                        next.name = user.name;
                        next.user_id = Some(id);
                    }
                    None => e.push(FieldError::new("user_id", "not_found", "choose one of the company's users")),
                },
                Err(_) => e.push(FieldError::new("user_id", "not_found", "choose one of the company's users")),
            },
            None if creating => e.push(FieldError::required("user_id")),
            None => {}
        }
    } else {
        foreign("user_id", body.user_id.is_some(), &mut e);
        match body.name.as_deref().map(str::trim) {
            Some("") => e.push(FieldError::required("name")),
            Some(n) if n.chars().count() > NAME_MAX => {
                e.push(FieldError::new("name", "too_long", format!("at most {NAME_MAX} characters")))
            }
            Some(n) => next.name = n.to_owned(),
            None if creating => e.push(FieldError::required("name")),
            None => {}
        }
    }
    let is = |k: CatalogKind| kind == k;
    foreign("collection_item", body.collection_item.is_some() && !is(CatalogKind::Equipment), &mut e);
    foreign("default_charge_cents", body.default_charge_cents.is_some() && !is(CatalogKind::Equipment), &mut e);
    foreign("items", body.items.is_some() && !is(CatalogKind::Package), &mut e);
    foreign("mmr_ids", body.mmr_ids.is_some() && !is(CatalogKind::OrderTemplate), &mut e);
    foreign("package_ids", body.package_ids.is_some() && !is(CatalogKind::OrderTemplate), &mut e);
    if let Some(c) = body.collection_item {
        next.collection_item = c;
    }
    if let Some(v) = &body.default_charge_cents {
        match v.as_u64().filter(|n| *n <= CHARGE_MAX) {
            Some(n) => next.default_charge_cents = n,
            None => e.push(FieldError::new(
                "default_charge_cents",
                "invalid",
                "the charge must be a whole number of cents, 0 or more",
            )),
        }
    }
    if let Some(items) = &body.items {
        if items.is_empty() || items.len() > MAX_PACKAGE_ITEMS {
            e.push(FieldError::new("items", "invalid", format!("a package holds 1 to {MAX_PACKAGE_ITEMS} rows")));
        }
        for (i, it) in items.iter().enumerate().take(MAX_PACKAGE_ITEMS) {
            match find(catalog, CatalogKind::Equipment, it.equipment_id) {
                Some(eq) if eq.active && !eq.collection_item => {}
                _ => e.push(FieldError::new(
                    format!("items[{i}].equipment_id"),
                    "invalid",
                    "choose an active equipment item that is not a collection item",
                )),
            }
            if it.quantity == 0 || it.quantity > 10_000 {
                e.push(FieldError::new(format!("items[{i}].quantity"), "invalid", "the quantity is 1 or more"));
            }
        }
        next.items = items.clone();
    }
    if let Some(ids) = &body.mmr_ids {
        let rates = crate::mmr::settings(svc, co).await?;
        check_choices("mmr_ids", ids, |id| rates.rate(id).is_some_and(|r| r.active), &mut e);
        next.mmr_ids = ids.clone();
    }
    if let Some(ids) = &body.package_ids {
        check_choices("package_ids", ids, |id| find(catalog, CatalogKind::Package, id).is_some(), &mut e);
        next.package_ids = ids.clone();
    }
    if e.is_empty() {
        Ok(next)
    } else {
        Err(Invalid { errors: e }.into())
    }
}

fn check_choices(field: &str, ids: &[u32], exists: impl Fn(u32) -> bool, e: &mut Vec<FieldError>) {
    if ids.len() > TEMPLATE_CHOICES_MAX {
        e.push(FieldError::new(field, "too_many", format!("at most {TEMPLATE_CHOICES_MAX}")));
        return;
    }
    for (i, id) in ids.iter().enumerate() {
        if !exists(*id) || ids.iter().take(i).any(|x| x == id) {
            e.push(FieldError::new(format!("{field}[{i}]"), "invalid", "not one of the company's, or listed twice"));
        }
    }
}

/// A number from a JSON value, when it is a whole number in range (`None` when blank).
pub(crate) fn whole(v: &Option<Value>) -> Result<Option<u64>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse::<u64>().map(Some).map_err(|_| ()),
        Some(v) => v.as_u64().map(Some).ok_or(()),
    }
}
