//! The customer record (Home page): the whole record in one read, form options, saving a change with section and
//! confidential-field grants, plain create, converting a lead, parent/sub-customer links, archive and unarchive,
//! delete, duplicate and history. Every write is one conditional transaction that carries the profile, the list
//! index writes (`record_index::index_writes`) and a history item per changed field.

use crate::clock::{date, rfc3339};
use crate::customer_items::{self, cancel_op, ChildLink, Partition, SubRecord};
use crate::directory::{self, OfficeLocation};
use crate::items::{from_item, item_of};
use crate::jobs::{self, Job};
use crate::leads::{self, history_ops, HistoryEntry, Named};
use crate::record_index::index_writes;
use crate::records::{record_item, resource_of};
use crate::{custom_fields, lead_options, tags, Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use vigil_domain::customer::{
    self, apply_field, confidential, credit_grade, months_remaining, section_of, PERSONAL_LEAD_FIELDS, SERVICES,
};
use vigil_domain::identity::Target;
use vigil_domain::lead::{self as lead_rules, edit_lead, AccountType, FieldChange};
use vigil_domain::record::{Kind, LeadFields, Record, Stage};
use vigil_domain::{
    Action, CompanyId, FieldError, Invalid, LocationId, RecordId, Resource, Role, Section, SectionAccess, User, UserId,
};
use vigil_store::{keys, Condition, Index, Item, Key, Query, SortCond, StoreError, TxOp};

/// The message of every stale-version conflict on a customer.
pub const STALE: &str = "another user changed this customer; review their changes and try again";
pub const ARCHIVED: &str = "this customer is archived and cannot be changed; unarchive it first";

fn target(r: &Record) -> Target<'_> {
    Target { location: r.office_location_id, owner: r.lead_rep_id.as_ref() }
}

/// A lead or customer of the actor's company that the actor may view. Records being deleted are gone.
pub async fn load(svc: &Services, actor: &Actor, id: RecordId) -> Result<Record, AppError> {
    let item = svc.table.get(&keys::record(actor.company(), id)).await?.ok_or(AppError::NotFound("customer"))?;
    let r: Record = from_item(item)?;
    if r.lead.customer.deleting {
        return Err(AppError::NotFound("customer"));
    }
    actor.require(resource_of(r.kind), Action::View, target(&r))?;
    Ok(r)
}

async fn load_customer(svc: &Services, actor: &Actor, id: RecordId) -> Result<Record, AppError> {
    let r = load(svc, actor, id).await?;
    if r.kind != Kind::Customer {
        return Err(AppError::Conflict {
            message: "this record is a lead; convert it to a customer first".into(),
            current: None,
        });
    }
    Ok(r)
}

/// Archived records take no writes.
pub fn writable(r: &Record) -> Result<(), AppError> {
    if r.archived {
        return Err(AppError::Conflict { message: ARCHIVED.into(), current: None });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Company option lists.

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdName {
    pub id: u32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priced {
    pub id: u32,
    pub name: String,
    pub amount_cents: u64,
}

/// The select options of the customer cards, stored as the company setting `customer_options` (seeded for the demo
/// companies; these defaults otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerOptions {
    pub monitoring_companies: Vec<IdName>,
    pub contract_terms: Vec<u32>,
    pub activation_fees: Vec<Priced>,
    // The MMR rates moved to their own setting (`crate::mmr`); a stored `mmr_rates` here is ignored.
    pub monitoring_plans: Vec<String>,
    pub interactive_services_providers: Vec<String>,
    pub adt_system_types: Vec<String>,
    pub warranty_terms: Vec<String>,
    pub dealer_numbers: Vec<String>,
    pub cancel_reasons: Vec<String>,
    pub discount_affiliates: Vec<String>,
}

impl Default for CustomerOptions {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let priced = |v: &[(&str, u64)]| {
            v.iter()
                .enumerate()
                .map(|(i, (n, c))| Priced { id: i as u32 + 1, name: (*n).into(), amount_cents: *c })
                .collect()
        };
        Self {
            monitoring_companies: ["ADT", "Brinks Home", "Rapid Response Monitoring", "Affiliated Monitoring"]
                .iter()
                .enumerate()
                .map(|(i, n)| IdName { id: i as u32 + 1, name: (*n).into() })
                .collect(),
            contract_terms: vec![12, 24, 36, 60],
            activation_fees: priced(&[("None", 0), ("Standard", 9900), ("Premium", 19900)]),
            monitoring_plans: s(&["Basic", "Interactive", "Video", "Commercial"]),
            interactive_services_providers: s(&["Alarm.com", "Resideo Total Connect", "Qolsys"]),
            adt_system_types: s(&["Residential", "Small Business", "Commercial"]),
            warranty_terms: s(&["None", "1 year", "3 years", "Lifetime"]),
            dealer_numbers: s(&["D-1001", "D-1002"]),
            cancel_reasons: s(&["Moved", "Price", "Service", "Non-payment", "Other"]),
            discount_affiliates: s(&["AARP", "Military", "First responders"]),
        }
    }
}

pub const OPTIONS_SETTING: &str = "customer_options";

pub fn options_item(co: &CompanyId, o: &CustomerOptions) -> Item {
    item_of(&keys::setting(co, OPTIONS_SETTING), o, &[])
}

pub async fn options(svc: &Services, co: &CompanyId) -> Result<CustomerOptions, AppError> {
    match svc.table.get(&keys::setting(co, OPTIONS_SETTING)).await? {
        Some(item) => from_item(item),
        None => Ok(CustomerOptions::default()),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserOption {
    pub id: UserId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormOptions {
    pub office_locations: Vec<OfficeLocation>,
    pub sold_by: Vec<UserOption>,
    pub lead_reps: Vec<UserOption>,
    pub technicians: Vec<UserOption>,
    pub account_classes: Vec<lead_options::AccountClass>,
    pub account_types: Vec<lead_options::Choice>,
    pub sources: Vec<directory::Partner>,
    pub services: Vec<lead_options::Choice>,
    pub states: Vec<lead_options::StateOption>,
    pub languages: Vec<lead_options::Choice>,
    /// Parent/sub-customer links are on for the company.
    pub parent_child_billing: bool,
    /// `simple` (a dropdown of `mmr_rates`) or `breakout` (the rate picker, `crate::mmr`).
    pub mmr_mode: vigil_domain::mmr::MmrMode,
    /// The rates a customer can be given now (active, matching the company's MMR items).
    pub mmr_rates: Vec<Priced>,
    #[serde(flatten)]
    pub lists: CustomerOptions,
}

/// `GET /api/v1/customers/form-options`.
pub async fn form_options(svc: &Services, actor: &Actor) -> Result<FormOptions, AppError> {
    actor.require_somewhere(Resource::Customers, Action::View)?;
    let co = actor.company();
    let users: Vec<User> = directory::users(svc, co).await?.into_iter().filter(|u| u.active).collect();
    let pick = |roles: &[Role]| {
        users
            .iter()
            .filter(|u| roles.contains(&u.role))
            .map(|u| UserOption { id: u.id.clone(), name: u.name.clone() })
            .collect()
    };
    let (mmr_mode, mmr_rates) = crate::mmr::form_rates(svc, co).await?;
    Ok(FormOptions {
        mmr_mode,
        mmr_rates,
        office_locations: directory::office_locations(svc, actor).await?,
        sold_by: pick(&[Role::SalesRep, Role::Admin, Role::Office]),
        lead_reps: pick(&[Role::LeadRep, Role::SalesRep]),
        technicians: pick(&[Role::Installer]),
        account_classes: lead_options::account_classes(svc, co).await?.into_iter().filter(|c| c.active).collect(),
        account_types: AccountType::ALL
            .iter()
            .map(|t| lead_options::Choice { value: t.as_str(), label: t.label() })
            .collect(),
        sources: directory::partners_of(svc, co).await?,
        services: SERVICES.iter().map(|(value, label)| lead_options::Choice { value, label }).collect(),
        states: lead_options::states(),
        languages: lead_options::languages(),
        parent_child_billing: directory::company(svc, co).await?.settings.parent_child_billing,
        lists: options(svc, co).await?,
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The Home page read.

const PERSONAL_CARD: &[&str] = &[
    "first_name",
    "last_name",
    "business_name",
    "business_contact",
    "email",
    "primary_phone",
    "work_phone",
    "cell_phone",
    "other_phone",
    "best_time_to_contact",
    "address1",
    "address2",
    "city",
    "state",
    "zip",
    "county",
    "cross_street",
    "language",
    "account_type",
    "account_class_id",
    "birthdate",
    "spouse",
    "credit_score",
    "credit_tracking_number",
];
const SALE_CARD: &[&str] = &[
    "sale_date",
    "sold_by_id",
    "trainee_id",
    "lead_rep_id",
    "adt_number",
    "adt_serial",
    "account_number",
    "mmr_id",
    "mmr_a_la_carte",
    "monitoring_plan",
    "canceled",
    "cancel_date",
    "cancel_reason",
    "source_id",
    "campaign_id",
    "discount_affiliate",
    "discount_affiliate_member_number",
    "monitoring_company_id",
    "interactive_services_provider",
    "adt_system_type",
    "contract_term_months",
    "activation_fee_id",
    "warranty_term",
    "dealer_number",
    "collections_date",
    "funding_status",
    "funded_date",
    "parent_id",
];
const INSTALL_CARD: &[&str] = &[
    "install_date",
    "install_tech_id",
    "confirmation_number",
    "receiver_number",
    "installed",
    "abort_code",
    "services",
];
const LEAD_CARD: &[&str] = &[
    "created_at",
    "stage",
    "next_followup",
    "disposition_id",
    "disposition",
    "rating",
    "lead_rep_id",
    "source_id",
    "campaign_id",
];

fn card(flat: &Map<String, Value>, fields: &[&str], actor: &Actor) -> Map<String, Value> {
    let perms = &actor.user.permissions;
    fields
        .iter()
        .map(|f| {
            let v = flat.get(*f).cloned().unwrap_or(Value::Null);
            let v = match confidential(f) {
                Some(c) if !v.is_null() && !perms.sees_confidential(c) => Value::String("***".into()),
                _ => v,
            };
            ((*f).to_owned(), v)
        })
        .collect()
}

async fn user_named(svc: &Services, co: &CompanyId, id: Option<&UserId>) -> Result<Option<Named<String>>, AppError> {
    let Some(id) = id else { return Ok(None) };
    Ok(match svc.table.get(&keys::user(co, id)).await? {
        Some(item) => Some(Named { id: id.to_string(), name: from_item::<User>(item)?.name }),
        None => Some(Named { id: id.to_string(), name: id.to_string() }),
    })
}

/// The record as the Home page shows it: header, tab counts and warnings, tags, and the cards the user may see.
pub async fn view(svc: &Services, actor: &Actor, r: &Record, part: &Partition) -> Result<Value, AppError> {
    let co = actor.company();
    let perms = &actor.user.permissions;
    let today = date(svc.clock.now());
    let company = directory::company(svc, co).await?;
    let families = company.settings.parent_child_billing;
    let sale_view = r.kind == Kind::Customer && perms.section(Section::SaleInformation) >= SectionAccess::View;
    let install_view = r.kind == Kind::Customer && perms.section(Section::InstallationEquipment) >= SectionAccess::View;
    let c = &r.lead.customer;

    let flat = match leads::view(svc, actor, r)?.0 {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let location = match r.office_location_id {
        Some(l) => svc.table.get(&keys::location(co, l)).await?.map(from_item::<OfficeLocation>).transpose()?,
        None => None,
    };
    let parent = match (families, c.parent_id) {
        (true, Some(p)) => Some(match svc.table.get(&keys::record(co, p)).await? {
            Some(item) => {
                let pr: Record = from_item(item)?;
                json!({"id": p, "name": pr.display_name(), "business_name": pr.business_name})
            }
            None => json!({"id": p, "name": format!("#{p}")}),
        }),
        _ => None,
    };
    let mut status_boxes = Vec::new();
    if r.kind == Kind::Customer {
        let b =
            |category: &str, label: &str, color: &str| json!({"category": category, "label": label, "color": color});
        status_boxes.push(if r.archived { b("account", "Archived", "gray") } else { b("account", "Active", "green") });
        status_boxes.push(if c.installed {
            b("monitoring", "Monitored", "green")
        } else {
            b("monitoring", "Not installed", "yellow")
        });
        status_boxes.push(if c.canceled { b("billing", "Canceled", "red") } else { b("billing", "Billing", "green") });
        status_boxes.push(b(
            "funding",
            c.funding_status.as_deref().unwrap_or("Not funded"),
            if c.funding_status.is_some() { "green" } else { "gray" },
        ));
    }
    let sale_badge = if sale_view && (c.sale_date.is_some() || c.sold_by_id.is_some()) {
        Some(json!({"date": c.sale_date, "sold_by": user_named(svc, co, c.sold_by_id.as_ref()).await?}))
    } else {
        None
    };
    let install_badge = if install_view && (c.install_date.is_some() || c.install_tech_id.is_some()) {
        Some(json!({"date": c.install_date, "technician": user_named(svc, co, c.install_tech_id.as_ref()).await?}))
    } else {
        None
    };
    let children: Vec<&ChildLink> = part.children.iter().collect();
    let header = json!({
        "id": r.id,
        "kind": r.kind,
        "name": r.display_name(),
        "first_name": r.first_name,
        "last_name": r.last_name,
        "business_name": r.business_name,
        "status_boxes": status_boxes,
        "created_at": r.created_at,
        "created_by": user_named(svc, co, Some(&r.created_by)).await?,
        "sale": sale_badge,
        "install": install_badge,
        "location": if r.kind == Kind::Customer { location.as_ref().map(|l| json!({"id": l.id, "name": l.name})) } else { None },
        "city": r.city,
        "state": r.state,
        "parent": parent,
        "children": if families && !children.is_empty() { Some(children) } else { None },
        "archived": r.archived,
    });

    let mut tabs = Map::new();
    let mut warnings = Map::new();
    for col in customer_items::Collection::ALL {
        let n = part.items.iter().filter(|s| s.collection == col && s.counts()).count();
        tabs.insert(col.segment().replace('-', "_"), json!(n));
        let warn = match col {
            customer_items::Collection::Notes => part.items.iter().any(|s| {
                s.collection == col
                    && s.status == "open"
                    && s.data.get("due_date").and_then(Value::as_str).is_some_and(|d| *d < *today)
            }),
            _ => false,
        };
        warnings.insert(col.segment().replace('-', "_"), json!(warn));
    }
    let all_tags = tags::all(svc, co).await?;
    let tag_list: Vec<Value> = r
        .tag_ids()
        .into_iter()
        .map(|t| json!({"id": t, "name": all_tags.iter().find(|k| k.id == t).map(|k| k.name.clone()).unwrap_or_else(|| format!("#{t}"))}))
        .collect();

    let mut cards = Map::new();
    let mut personal = card(&flat, PERSONAL_CARD, actor);
    personal.insert("ssn".into(), flat.get("ssn").cloned().unwrap_or(Value::Null));
    personal.insert("credit_grade".into(), json!(c.credit_score.map(credit_grade)));
    if r.kind == Kind::Customer {
        personal.insert("office_location_id".into(), json!(r.office_location_id));
    }
    cards.insert("personal".into(), Value::Object(personal));
    if sale_view {
        let mut sale = card(&flat, SALE_CARD, actor);
        let start = c.sale_date.clone().unwrap_or_else(|| r.created_at.get(..10).unwrap_or_default().to_owned());
        sale.insert(
            "contract_months_remaining".into(),
            json!(c.contract_term_months.and_then(|t| months_remaining(&start, t, &today))),
        );
        sale.insert("mmr".into(), crate::mmr::summary(svc, co, c.mmr_id).await?);
        cards.insert("sale".into(), Value::Object(sale));
    }
    if install_view {
        cards.insert("installation".into(), Value::Object(card(&flat, INSTALL_CARD, actor)));
    }
    if r.kind == Kind::Lead {
        cards.insert("lead".into(), Value::Object(card(&flat, LEAD_CARD, actor)));
    }
    // UDFs: their own card, seen by whoever sees the record (see `custom_fields`).
    let udf_card = custom_fields::card(svc, co, r).await?;
    let has_udfs = udf_card.is_some();
    if let Some(udfs) = udf_card {
        cards.insert("custom_fields".into(), udfs);
    }
    let modify = perms.allows(actor.id(), resource_of(r.kind), Action::Modify, target(r)) && !r.archived;
    let editable = json!({
        "personal": modify && perms.section(Section::ContactInformation) >= SectionAccess::Modify,
        "sale": modify && sale_view && perms.section(Section::SaleInformation) >= SectionAccess::Modify,
        "installation": modify && install_view && perms.section(Section::InstallationEquipment) >= SectionAccess::Modify,
        // Customers save them through PATCH /customers (Customers Modify), leads through PATCH /leads (Leads Modify,
        // which `modify` is for a lead); no section grant. A converted lead is a customer, so `kind` covers the lock.
        "custom_fields": modify && has_udfs && (r.kind == Kind::Customer || r.stage != Stage::Converted),
    });
    let t = target(r);
    let actions = json!({
        "modify": modify,
        "delete": perms.allows(actor.id(), resource_of(r.kind), Action::Delete, t),
        "archive": r.kind == Kind::Customer && !r.archived && perms.allows(actor.id(), Resource::Customers, Action::Archive, t),
        "unarchive": r.kind == Kind::Customer && r.archived && perms.allows(actor.id(), Resource::Customers, Action::Unarchive, t),
        "convert": r.kind == Kind::Lead && r.stage != Stage::Converted && modify,
        "duplicate": r.kind == Kind::Customer && perms.allows_somewhere(Resource::Customers, Action::Create),
    });
    // The flat record (what `vigil_domain::record::Record` reads, as the lead read returns it) with the same
    // masking and the cards the user may not view left out, then the Home page blocks.
    let mut top = flat;
    for f in ["birthdate", "confirmation_number", "receiver_number", "abort_code"] {
        if let (Some(c), Some(v)) = (confidential(f), top.get_mut(f)) {
            if !v.is_null() && !perms.sees_confidential(c) {
                *v = Value::String("***".into());
            }
        }
    }
    const BASE: &[&str] = &["lead_rep_id", "account_number", "source_id", "campaign_id"];
    if !sale_view {
        SALE_CARD.iter().filter(|f| !BASE.contains(f)).for_each(|f| {
            top.remove(*f);
        });
    }
    if !install_view {
        INSTALL_CARD.iter().for_each(|f| {
            top.remove(*f);
        });
    }
    top.insert("parent_child_billing".into(), json!(families));
    top.insert("header".into(), header);
    top.insert("tabs".into(), Value::Object(tabs));
    top.insert("warnings".into(), Value::Object(warnings));
    top.insert("tag_list".into(), Value::Array(tag_list));
    top.insert("cards".into(), Value::Object(cards));
    top.insert("editable".into(), editable);
    top.insert("actions".into(), actions);
    Ok(Value::Object(top))
}

/// `GET /api/v1/customers/{id}`: a customer or a lead, the whole Home page in one call.
pub async fn get(svc: &Services, actor: &Actor, id: RecordId) -> Result<Value, AppError> {
    let r = load(svc, actor, id).await?;
    let part = customer_items::partition(svc, actor.company(), id).await?;
    view(svc, actor, &r, &part).await
}

async fn conflict(svc: &Services, actor: &Actor, id: RecordId) -> AppError {
    let current = get(svc, actor, id).await.ok();
    AppError::Conflict { message: STALE.into(), current }
}

// ---------------------------------------------------------------------------------------------------------------
// Saving.

/// History values of confidential fields never hold the value.
fn mask_changes(changes: &mut [FieldChange]) {
    for c in changes.iter_mut() {
        if confidential(&c.field).is_some() {
            let marker = |v: &Value| if v.is_null() { Value::Null } else { Value::String("***".into()) };
            c.before = marker(&c.before);
            c.after = marker(&c.after);
        }
    }
}

fn save_ops(co: &CompanyId, old: &Record, new: &Record, at: &str, by: &UserId, changes: &[FieldChange]) -> Vec<TxOp> {
    let mut ops = vec![TxOp::Put { item: record_item(co, new), cond: Some(Condition::VersionIs(old.version)) }];
    ops.extend(index_writes(co, Some(old), Some(new)));
    ops.extend(history_ops(co, new.id, at, by.as_str(), changes));
    ops
}

fn bump(new: &mut Record, old: &Record, at: &str, by: &UserId) {
    new.version = old.version + 1;
    new.lead.updated_at = Some(at.to_owned());
    new.lead.updated_by = Some(by.clone());
}

async fn check_user(
    svc: &Services,
    co: &CompanyId,
    field: &str,
    id: Option<&UserId>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if let Some(id) = id {
        match svc.table.get(&keys::user(co, id)).await? {
            Some(item) if from_item::<User>(item.clone())?.active => {}
            _ => errors.push(FieldError::new(field, "not_found", "choose one of the company's users")),
        }
    }
    Ok(())
}

async fn check_location(
    svc: &Services,
    co: &CompanyId,
    id: Option<LocationId>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    match id {
        None => errors.push(FieldError::required("office_location_id")),
        Some(l) if svc.table.get(&keys::location(co, l)).await?.is_none() => errors.push(FieldError::new(
            "office_location_id",
            "not_found",
            "choose one of the company's office locations",
        )),
        Some(_) => {}
    }
    Ok(())
}

fn location_of(v: &Value) -> Result<Option<LocationId>, FieldError> {
    match v {
        Value::Null => Ok(None),
        v => v
            .as_u64()
            .filter(|n| *n > 0 && *n <= u32::MAX as u64)
            .map(|n| Some(LocationId(n as u32)))
            .ok_or_else(|| FieldError::new("office_location_id", "invalid", "must be an office location ID")),
    }
}

/// Applies the body's fields to `base` (customer fields here, personal fields through the lead editor) and checks
/// every reference. Returns the new record and the SSN to store, if one was sent.
async fn apply_body(
    svc: &Services,
    actor: &Actor,
    base: &Record,
    body: &Map<String, Value>,
) -> Result<(Record, Option<Option<lead_rules::Ssn>>, Vec<FieldChange>), AppError> {
    let co = actor.company();
    let mut r = base.clone();
    let mut errors = Vec::new();
    let mut personal = Map::new();
    for (k, v) in body {
        match k.as_str() {
            "version" => {}
            k if PERSONAL_LEAD_FIELDS.contains(&k) => {
                personal.insert(k.to_owned(), v.clone());
            }
            "office_location_id" => match location_of(v) {
                Ok(l) => r.office_location_id = l,
                Err(e) => errors.push(e),
            },
            "custom_fields" => match custom_fields::apply(svc, co, &r.lead.customer.custom_fields, v).await? {
                Ok(values) => r.lead.customer.custom_fields = values,
                Err(e) => errors.extend(e),
            },
            "id" | "kind" | "stage" | "tags" | "created_at" | "created_by" | "archived" | "funding_status"
            | "funded_date" | "deleting" => errors.push(FieldError::new(k, "read_only", "cannot be changed here")),
            k => match apply_field(&mut r, k, v) {
                Ok(true) => {}
                Ok(false) => errors.push(FieldError::new(k, "unknown", "is not a field of a customer")),
                Err(e) => errors.push(e),
            },
        }
    }
    let today = date(svc.clock.now());
    let (mut new, ssn_change, mut extra) = match edit_lead(&r, &personal, &today) {
        Ok(edit) => (
            edit.record.unwrap_or(r),
            edit.ssn,
            edit.changes.into_iter().filter(|c| c.field == "ssn").collect::<Vec<_>>(),
        ),
        Err(inv) => {
            errors.extend(inv.errors);
            (r, None, vec![])
        }
    };
    if new.kind == Kind::Customer {
        new.next_followup = None;
    }
    let c = &new.lead.customer;
    let o = &base.lead.customer;
    if body.contains_key("office_location_id") {
        check_location(svc, co, new.office_location_id, &mut errors).await?;
    }
    for (field, now, before) in [
        ("sold_by_id", &c.sold_by_id, &o.sold_by_id),
        ("trainee_id", &c.trainee_id, &o.trainee_id),
        ("install_tech_id", &c.install_tech_id, &o.install_tech_id),
        ("lead_rep_id", &new.lead_rep_id, &base.lead_rep_id),
    ] {
        if now != before {
            check_user(svc, co, field, now.as_ref(), &mut errors).await?;
        }
    }
    let opts = options(svc, co).await?;
    crate::mmr::check_choice(svc, co, o.mmr_id, c.mmr_id, &mut errors).await?;
    if c.activation_fee_id.is_some()
        && c.activation_fee_id != o.activation_fee_id
        && !opts.activation_fees.iter().any(|m| Some(m.id) == c.activation_fee_id)
    {
        errors.push(FieldError::new("activation_fee_id", "not_found", "choose one of the company's activation fees"));
    }
    if c.monitoring_company_id.is_some()
        && c.monitoring_company_id != o.monitoring_company_id
        && !opts.monitoring_companies.iter().any(|m| Some(m.id) == c.monitoring_company_id)
    {
        errors.push(FieldError::new(
            "monitoring_company_id",
            "not_found",
            "choose one of the company's monitoring companies",
        ));
    }
    if let Some(t) = c.contract_term_months.filter(|_| c.contract_term_months != o.contract_term_months) {
        if !opts.contract_terms.contains(&t) {
            errors.push(FieldError::new(
                "contract_term_months",
                "invalid",
                "choose one of the company's contract terms",
            ));
        }
    }
    if !c.canceled
        && (c.cancel_date.is_some() || c.cancel_reason.is_some())
        && (body.contains_key("canceled") || body.contains_key("cancel_date") || body.contains_key("cancel_reason"))
    {
        errors.push(FieldError::new(
            "canceled",
            "invalid",
            "check Account Is Canceled to give a cancel date or reason",
        ));
    }
    if new.lead.account_class_id.is_some() && new.lead.account_class_id != base.lead.account_class_id {
        if let Some(ac) = new.lead.account_class_id {
            leads::check_account_class(svc, co, ac, &mut errors).await?;
        }
    }
    if new.source_id != base.source_id || new.campaign_id != base.campaign_id {
        leads::check_source(svc, co, new.source_id, new.campaign_id, &mut errors).await?;
    }
    leads::finish(errors)?;
    if let Some(Some(s)) = &ssn_change {
        leads::set_ssn(svc, co, &mut new, s)?;
    } else if let Some(None) = &ssn_change {
        new.lead.ssn_encrypted = None;
        new.lead.ssn_last4_index = None;
    }
    let mut changes = lead_rules::diff(base, &new);
    vigil_domain::custom_field::expand_changes(&mut changes);
    changes.append(&mut extra);
    mask_changes(&mut changes);
    Ok((new, ssn_change, changes))
}

/// The fields of `body` the actor may not change on `r` (section grants; confidential fields once set).
fn denied_fields(actor: &Actor, r: &Record, body: &Map<String, Value>) -> Vec<String> {
    let perms = &actor.user.permissions;
    let mut denied = Vec::new();
    for k in body.keys().filter(|k| k.as_str() != "version") {
        let section_ok = match section_of(k) {
            Some(s) => perms.section(s) >= SectionAccess::Modify,
            None => true,
        };
        let conf_ok = match confidential(k) {
            Some(f) => {
                let c = &r.lead.customer;
                let present = match k.as_str() {
                    "ssn" => r.lead.ssn_encrypted.is_some(),
                    "birthdate" => c.birthdate.is_some(),
                    "confirmation_number" => c.confirmation_number.is_some(),
                    "receiver_number" => c.receiver_number.is_some(),
                    _ => c.abort_code.is_some(),
                };
                !present || perms.sees_confidential(f)
            }
            None => true,
        };
        if !section_ok || !conf_ok {
            denied.push(k.clone());
        }
    }
    denied
}

fn version_of(body: &Map<String, Value>) -> Result<u64, AppError> {
    match body.get("version") {
        None | Some(Value::Null) => Err(Invalid::from(FieldError::required("version")).into()),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| Invalid::one("version", "invalid", "version must be the record's version number").into()),
    }
}

async fn commit(svc: &Services, actor: &Actor, id: RecordId, ops: Vec<TxOp>) -> Result<(), AppError> {
    match svc.table.transact(ops).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { op: Some(0) | None, .. }) => Err(conflict(svc, actor, id).await),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "a related customer changed at the same time; reload and try again".into(),
            current: None,
        }),
        Err(e) => Err(e.into()),
    }
}

/// `PATCH /api/v1/customers/{id}`: the fields changed, with the record's `version`.
pub async fn edit(svc: &Services, actor: &Actor, id: RecordId, body: &Map<String, Value>) -> Result<Value, AppError> {
    let version = version_of(body)?;
    let current = load_customer(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Modify, target(&current))?;
    writable(&current)?;
    if version != current.version {
        return Err(conflict(svc, actor, id).await);
    }
    let denied = denied_fields(actor, &current, body);
    if !denied.is_empty() {
        return Err(AppError::Forbidden(format!("you do not have permission to change: {}", denied.join(", "))));
    }
    let co = actor.company().clone();
    let (mut new, _, changes) = apply_body(svc, actor, &current, body).await?;
    if new.office_location_id != current.office_location_id {
        actor.require(Resource::Customers, Action::Modify, target(&new))?;
    }
    let mut extra_ops = Vec::new();
    if new.lead.customer.parent_id != current.lead.customer.parent_id {
        extra_ops = parent_link_ops(svc, actor, &current, &new).await?;
    }
    if changes.is_empty() {
        return get(svc, actor, id).await;
    }
    let now = rfc3339(svc.clock.now());
    bump(&mut new, &current, &now, actor.id());
    let mut ops = save_ops(&co, &current, &new, &now, actor.id(), &changes);
    ops.extend(extra_ops);
    commit(svc, actor, id, ops).await?;
    get(svc, actor, id).await
}

/// `PUT /api/v1/customers/{id}/tags`: replaces the record's tags (the Home page's tag widget; leads too, since the
/// Home page shows both). The `version` is required, as for every Home page write.
pub async fn set_tags(svc: &Services, actor: &Actor, id: RecordId, input: leads::SetTags) -> Result<Value, AppError> {
    let co = actor.company().clone();
    let ids = tags::check_ids(svc, &co, &input.tag_ids).await?;
    let version = input.version.ok_or_else(|| AppError::from(Invalid::from(FieldError::required("version"))))?;
    let current = load(svc, actor, id).await?;
    actor.require(resource_of(current.kind), Action::Modify, target(&current))?;
    writable(&current)?;
    if current.kind == Kind::Lead && current.stage == Stage::Converted {
        return Err(AppError::Conflict { message: "a converted lead is locked".into(), current: None });
    }
    if version != current.version {
        return Err(conflict(svc, actor, id).await);
    }
    let mut new = current.clone();
    new.set_tag_ids(&ids);
    if new.tags == current.tags {
        return get(svc, actor, id).await;
    }
    let change = FieldChange { field: "tags".into(), before: json!(current.tags), after: json!(new.tags) };
    let now = rfc3339(svc.clock.now());
    bump(&mut new, &current, &now, actor.id());
    commit(svc, actor, id, save_ops(&co, &current, &new, &now, actor.id(), &[change])).await?;
    get(svc, actor, id).await
}

// ---------------------------------------------------------------------------------------------------------------
// Parent / sub-customer.

/// The link writes for `child` moving from `old.parent_id` to `new.parent_id`, after checking the rules: the
/// company has families on, the parent is another top-level, unarchived customer, and the child has no children.
async fn parent_link_ops(svc: &Services, actor: &Actor, old: &Record, new: &Record) -> Result<Vec<TxOp>, AppError> {
    let co = actor.company();
    if !directory::company(svc, co).await?.settings.parent_child_billing {
        return Err(
            Invalid::one("parent_id", "disabled", "parent/child billing is not enabled for your company").into()
        );
    }
    let mut ops = Vec::new();
    if let Some(p) = old.lead.customer.parent_id {
        ops.push(TxOp::Delete { key: keys::sub_customer_link(co, p, old.id), cond: None });
    }
    if let Some(p) = new.lead.customer.parent_id {
        if p == new.id {
            return Err(Invalid::one("parent_id", "invalid", "a customer cannot be its own parent").into());
        }
        let own = customer_items::partition(svc, co, new.id).await?;
        if !own.children.is_empty() {
            return Err(Invalid::one(
                "parent_id",
                "has_children",
                "this customer has sub-customers of its own, so it cannot get a parent",
            )
            .into());
        }
        let parent: Record = match svc.table.get(&keys::record(co, p)).await? {
            Some(item) => from_item(item)?,
            None => return Err(Invalid::one("parent_id", "not_found", "no such customer").into()),
        };
        if parent.kind != Kind::Customer || parent.lead.customer.deleting {
            return Err(Invalid::one("parent_id", "not_found", "no such customer").into());
        }
        if parent.lead.customer.parent_id.is_some() {
            return Err(Invalid::one(
                "parent_id",
                "sub_customer",
                "that customer is a sub-customer itself; only top-level customers can be parents",
            )
            .into());
        }
        if parent.archived {
            return Err(Invalid::one("parent_id", "archived", "that customer is archived").into());
        }
        if !actor.user.permissions.allows(actor.id(), Resource::Customers, Action::View, target(&parent)) {
            return Err(AppError::Forbidden("you cannot view that customer".into()));
        }
        ops.push(TxOp::Check { key: keys::record(co, p), cond: Condition::VersionIs(parent.version) });
        let link = ChildLink { id: new.id, name: new.display_name() };
        ops.push(TxOp::Put { item: item_of(&keys::sub_customer_link(co, p, new.id), &link, &[]), cond: None });
    }
    Ok(ops)
}

#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub id: RecordId,
    pub name: String,
    pub business_name: Option<String>,
    pub account_number: Option<String>,
    pub city: String,
    pub state: String,
}

/// `GET /api/v1/customers/parent-candidates?q=`: top-level customers matching an ID, an account number, a last name,
/// a first name (or "first last"), or a word of the business name, by prefix (at most 20).
pub async fn parent_candidates(
    svc: &Services,
    actor: &Actor,
    q: &str,
    exclude: Option<RecordId>,
) -> Result<Vec<Candidate>, AppError> {
    actor.require_somewhere(Resource::Customers, Action::View)?;
    let co = actor.company();
    let q = q.trim();
    if q.chars().count() < 2 && q.parse::<u64>().is_err() {
        return Err(Invalid::one("q", "too_short", "type at least two characters").into());
    }
    let mut found: Vec<Record> = Vec::new();
    let mut keys_seen = std::collections::BTreeSet::new();
    let mut consider = |r: Record, found: &mut Vec<Record>| {
        if keys_seen.insert(r.id) {
            found.push(r);
        }
    };
    if let Ok(n) = q.parse::<u64>() {
        if let Some(item) = svc.table.get(&keys::record(co, RecordId(n))).await? {
            consider(from_item(item)?, &mut found);
        }
        // Account numbers through the list lookup path (index items carry the record ID).
        let digits = crate::record_index::digits(q);
        let page = svc
            .table
            .query(&Query::new(Index::Gsi3, keys::list_number_pk(co, Kind::Customer, &digits)).limit(20))
            .await?;
        let ids: Vec<Key> = page
            .items
            .iter()
            .filter_map(|i| i.get("id").and_then(Value::as_u64))
            .map(|id| keys::record(co, RecordId(id)))
            .collect();
        for item in svc.table.batch_get(&ids).await? {
            consider(from_item(item)?, &mut found);
        }
    } else {
        // Last names by prefix on the name index.
        let (pk, _) = keys::records_by_name_gsi1(co, Kind::Customer, "", "", RecordId(0));
        let page =
            svc.table.query(&Query::new(Index::Gsi1, pk).sort(SortCond::BeginsWith(keys::fold(q))).limit(50)).await?;
        for item in page.items {
            consider(from_item(item)?, &mut found);
        }
        // Business names by word prefix: the word index partition of the query's first three letters, newest first,
        // then the records themselves (the partition holds IDs; the full query is matched below).
        // First names ("john", "john smi") the same way, through the first-name prefix partition.
        let p3 = crate::record_index::prefix3(q);
        let by_business = Query::new(
            Index::GSIS[crate::record_index::slot_of(&p3)],
            keys::list_prefix_pk(co, Kind::Customer, "BW", &p3),
        );
        let by_first = Query::new(Index::Gsi1, keys::list_prefix_pk(co, Kind::Customer, "FN", &p3));
        for query in [by_business, by_first] {
            let page = svc.table.query(&query.backward().limit(200)).await?;
            let ids: Vec<Key> = page
                .items
                .iter()
                .filter_map(|i| i.get("id").and_then(Value::as_u64))
                .map(|id| keys::record(co, RecordId(id)))
                .collect();
            for item in svc.table.batch_get(&ids).await? {
                consider(from_item(item)?, &mut found);
            }
        }
    }
    let perms = &actor.user.permissions;
    let folded = keys::fold(q);
    Ok(found
        .into_iter()
        .filter(|r| {
            r.kind == Kind::Customer
                && !r.lead.customer.deleting
                && r.lead.customer.parent_id.is_none()
                && Some(r.id) != exclude
        })
        .filter(|r| perms.allows(actor.id(), Resource::Customers, Action::View, target(r)))
        .filter(|r| {
            q.parse::<u64>().is_ok()
                || keys::fold(&r.last_name).starts_with(&folded)
                || keys::fold(&format!("{} {}", r.first_name, r.last_name)).starts_with(&folded)
                || r.business_name.as_deref().is_some_and(|b| {
                    let words = crate::record_index::name_words(b);
                    keys::fold(b).starts_with(&folded) || words.iter().any(|w| w.starts_with(&folded))
                })
        })
        .take(20)
        .map(|r| Candidate {
            id: r.id,
            name: r.display_name(),
            business_name: r.business_name,
            account_number: r.account_number,
            city: r.city,
            state: r.state,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------------------------
// Create, duplicate.

fn blank(kind: Kind, actor: &Actor, now: &str) -> Record {
    Record {
        id: RecordId(0),
        kind,
        stage: Stage::Converted,
        first_name: String::new(),
        last_name: String::new(),
        business_name: None,
        email: None,
        primary_phone: String::new(),
        address1: None,
        city: String::new(),
        state: String::new(),
        zip: None,
        office_location_id: None,
        source_id: None,
        campaign_id: None,
        disposition: None,
        rating: 0,
        tags: vec![],
        lead_rep_id: None,
        account_number: None,
        next_followup: None,
        created_at: now.to_owned(),
        created_by: actor.id().clone(),
        archived: false,
        version: 1,
        lead: LeadFields::default(),
    }
}

async fn next_id(svc: &Services, co: &CompanyId) -> Result<RecordId, AppError> {
    let id = svc.table.increment(&keys::record_sequence(co), 1).await?;
    Ok(RecordId(u64::try_from(id).map_err(|_| AppError::Internal("record sequence is negative".into()))?))
}

async fn insert(svc: &Services, actor: &Actor, mut record: Record, history: &str) -> Result<RecordId, AppError> {
    let co = actor.company();
    if record.id.0 == 0 {
        record.id = next_id(svc, co).await?;
    }
    let mut ops = vec![TxOp::Put { item: record_item(co, &record), cond: Some(Condition::NotExists) }];
    ops.extend(index_writes(co, None, Some(&record)));
    let created = FieldChange { field: "created".into(), before: Value::Null, after: json!(history) };
    ops.extend(history_ops(co, record.id, &record.created_at, actor.id().as_str(), &[created]));
    match svc.table.transact(ops).await {
        Ok(()) => Ok(record.id),
        Err(StoreError::ConditionFailed { .. }) => {
            Err(AppError::Conflict { message: "the new customer's ID was taken; try again".into(), current: None })
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/customers`: the required Personal Information fields (first and last name, primary phone, city,
/// state, account type) and an office location; anything else the cards hold may come along.
pub async fn create(svc: &Services, actor: &Actor, body: &Map<String, Value>) -> Result<Value, AppError> {
    actor.require_somewhere(Resource::Customers, Action::Create)?;
    let now = rfc3339(svc.clock.now());
    let base = blank(Kind::Customer, actor, &now);
    let mut errors = Vec::new();
    for f in ["first_name", "last_name", "primary_phone", "city", "state", "account_type", "office_location_id"] {
        if body.get(f).is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty())) {
            errors.push(FieldError::required(f));
        }
    }
    leads::finish(errors)?;
    let denied: Vec<String> = body
        .keys()
        .filter(|k| section_of(k).is_some_and(|s| actor.user.permissions.section(s) < SectionAccess::Modify))
        .cloned()
        .collect();
    if !denied.is_empty() {
        return Err(AppError::Forbidden(format!("you do not have permission to set: {}", denied.join(", "))));
    }
    let (record, _, _) = apply_body(svc, actor, &base, body).await?;
    custom_fields::require_on_create(svc, actor.company(), &record).await?;
    actor.require(Resource::Customers, Action::Create, target(&record))?;
    if record.lead.customer.parent_id.is_some() {
        return Err(Invalid::one("parent_id", "invalid", "link a parent after the customer is created").into());
    }
    // The ID comes first: the SSN is encrypted under it.
    let mut record = record;
    record.id = next_id(svc, actor.company()).await?;
    if body.get("ssn").and_then(Value::as_str).is_some() {
        let (again, _, _) = apply_body(svc, actor, &Record { id: record.id, ..base.clone() }, body).await?;
        record = again;
    }
    let id = insert(svc, actor, record.clone(), &record.display_name()).await?;
    tracing::info!(company = %actor.company(), customer = id.0, "customer created");
    get(svc, actor, id).await
}

/// `POST /api/v1/customers/{id}/duplicate`: a new customer that starts as a copy, without SSN, history, children,
/// parent, account number, tags or sub-records.
pub async fn duplicate(svc: &Services, actor: &Actor, id: RecordId) -> Result<Value, AppError> {
    let src = load_customer(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Create, target(&src))?;
    let now = rfc3339(svc.clock.now());
    let mut copy = src.clone();
    copy.id = RecordId(0);
    copy.created_at = now.clone();
    copy.created_by = actor.id().clone();
    copy.version = 1;
    copy.archived = false;
    copy.tags = vec![];
    copy.account_number = None;
    copy.lead.ssn_encrypted = None;
    copy.lead.ssn_last4_index = None;
    copy.lead.updated_at = None;
    copy.lead.updated_by = None;
    let c = &mut copy.lead.customer;
    c.parent_id = None;
    c.archived_at = None;
    c.converted_at = None;
    c.converted_by = None;
    crate::mmr::for_duplicate(svc, actor.company(), c).await?;
    let new_id = insert(svc, actor, copy, &format!("duplicated from #{id}")).await?;
    get(svc, actor, new_id).await
}

// ---------------------------------------------------------------------------------------------------------------
// Converting a lead.

#[derive(Debug, Clone, Deserialize)]
pub struct Convert {
    pub office_location_id: Option<Value>,
    pub sold_by_id: Option<String>,
    #[serde(default)]
    pub version: Option<u64>,
}

/// `POST /api/v1/leads/{id}/convert`: in one transaction the lead becomes a customer with the same ID; then a
/// confirmation email to the converting user is queued.
pub async fn convert(svc: &Services, actor: &Actor, id: RecordId, input: Convert) -> Result<Value, AppError> {
    let co = actor.company().clone();
    let lead = load(svc, actor, id).await?;
    if lead.kind != Kind::Lead || lead.stage == Stage::Converted {
        return Err(AppError::Conflict { message: "this record is a customer already".into(), current: None });
    }
    actor.require(Resource::Leads, Action::Modify, target(&lead))?;
    if let Some(v) = input.version {
        if v != lead.version {
            return Err(conflict(svc, actor, id).await);
        }
    }
    let mut errors = Vec::new();
    let location = match input.office_location_id.as_ref().map(location_of).transpose() {
        Ok(l) => l.flatten(),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    if errors.is_empty() {
        check_location(svc, &co, location, &mut errors).await?;
    }
    let sold_by = match input.sold_by_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::required("sold_by_id"));
            None
        }
        Some(s) => match UserId::parse(s) {
            Ok(u) => Some(u),
            Err(_) => {
                errors.push(FieldError::new("sold_by_id", "invalid", "must be a user ID"));
                None
            }
        },
    };
    check_user(svc, &co, "sold_by_id", sold_by.as_ref(), &mut errors).await?;
    leads::finish(errors)?;

    let now = rfc3339(svc.clock.now());
    let mut new = lead.clone();
    new.kind = Kind::Customer;
    new.stage = Stage::Converted;
    new.office_location_id = location;
    customer::clear_lead_only(&mut new);
    new.lead.customer.sold_by_id = sold_by;
    new.lead.customer.sale_date = Some(date(svc.clock.now()));
    new.lead.customer.converted_at = Some(now.clone());
    new.lead.customer.converted_by = Some(actor.id().clone());
    actor.require(Resource::Customers, Action::Create, target(&new))?;
    bump(&mut new, &lead, &now, actor.id());
    let change = FieldChange { field: "converted".into(), before: json!("lead"), after: json!("customer") };
    let mut ops = vec![TxOp::Put { item: record_item(&co, &new), cond: Some(Condition::VersionIs(lead.version)) }];
    ops.extend(index_writes(&co, Some(&lead), Some(&new)));
    ops.extend(leads::dup_ops(&co, Some(&lead), None));
    ops.extend(history_ops(&co, id, &now, actor.id().as_str(), &[change]));
    commit(svc, actor, id, ops).await?;
    let job = Job::SendEmail {
        company: co.clone(),
        to: actor.user.email.clone(),
        subject: format!("Lead #{id} is now a customer"),
        body: format!("You converted lead #{id} ({}, {} {}) to a customer.", new.display_name(), new.city, new.state),
    };
    jobs::enqueue(svc, format!("lead-converted:{co}:{id}"), job).await?;
    tracing::info!(company = %co, customer = id.0, "lead converted");
    get(svc, actor, id).await
}

// ---------------------------------------------------------------------------------------------------------------
// Archive and unarchive.

#[derive(Debug, Clone, Serialize)]
pub struct Affected {
    pub id: RecordId,
    pub name: String,
    pub recurring_invoices: Vec<SubRecord>,
    pub appointments: Vec<SubRecord>,
    pub scheduled_payments: Vec<SubRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArchivePreview {
    pub customer: Affected,
    /// Unarchived sub-customers, archived along with the parent.
    pub sub_customers: Vec<Affected>,
    /// Nothing will be cancelled and no sub-customer archived.
    pub nothing_affected: bool,
}

fn affected(r: &Record, part: &Partition, today: &str) -> Affected {
    let of = |c: customer_items::Collection| {
        part.items.iter().filter(|s| s.collection == c && s.cancelled_by_archive(today)).cloned().collect()
    };
    Affected {
        id: r.id,
        name: r.display_name(),
        recurring_invoices: of(customer_items::Collection::RecurringInvoices),
        appointments: of(customer_items::Collection::Appointments),
        scheduled_payments: of(customer_items::Collection::ScheduledPayments),
    }
}

impl Affected {
    fn is_empty(&self) -> bool {
        self.recurring_invoices.is_empty() && self.appointments.is_empty() && self.scheduled_payments.is_empty()
    }

    fn items(&self) -> impl Iterator<Item = &SubRecord> {
        self.recurring_invoices.iter().chain(&self.appointments).chain(&self.scheduled_payments)
    }
}

/// The customer, its unarchived sub-customers, and what archiving would cancel.
async fn plan_archive(svc: &Services, actor: &Actor, r: &Record) -> Result<(ArchivePreview, Vec<Record>), AppError> {
    let co = actor.company();
    let today = date(svc.clock.now());
    let part = customer_items::partition(svc, co, r.id).await?;
    let mut subs = Vec::new();
    let mut children = Vec::new();
    for link in &part.children {
        let Some(item) = svc.table.get(&keys::record(co, link.id)).await? else { continue };
        let child: Record = from_item(item)?;
        if child.archived || child.lead.customer.deleting {
            continue;
        }
        let cp = customer_items::partition(svc, co, child.id).await?;
        subs.push(affected(&child, &cp, &today));
        children.push(child);
    }
    let me = affected(r, &part, &today);
    let nothing = me.is_empty() && subs.is_empty();
    Ok((ArchivePreview { customer: me, sub_customers: subs, nothing_affected: nothing }, children))
}

/// `GET /api/v1/customers/{id}/archive-preview`.
pub async fn archive_preview(svc: &Services, actor: &Actor, id: RecordId) -> Result<ArchivePreview, AppError> {
    let r = load_customer(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Archive, target(&r))?;
    writable(&r)?;
    Ok(plan_archive(svc, actor, &r).await?.0)
}

#[derive(Debug, Clone, Deserialize)]
pub struct Confirm {
    #[serde(default)]
    pub confirm: bool,
    #[serde(default)]
    pub include_children: bool,
}

fn require_confirm(c: &Confirm) -> Result<(), AppError> {
    if c.confirm {
        Ok(())
    } else {
        Err(Invalid::one("confirm", "required", "check the confirmation box (confirm: true)").into())
    }
}

/// Transactions hold at most 100 operations.
const TX_MAX: usize = 100;

/// `POST /api/v1/customers/{id}/archive` `{"confirm": true}`: archives the customer and its unarchived
/// sub-customers and cancels what the preview lists, in one transaction.
pub async fn archive(svc: &Services, actor: &Actor, id: RecordId, input: Confirm) -> Result<Value, AppError> {
    require_confirm(&input)?;
    let r = load_customer(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Archive, target(&r))?;
    writable(&r)?;
    let co = actor.company().clone();
    let (plan, children) = plan_archive(svc, actor, &r).await?;
    let now = rfc3339(svc.clock.now());
    let mut ops = Vec::new();
    for (rec, aff) in std::iter::once((&r, &plan.customer)).chain(children.iter().zip(&plan.sub_customers)) {
        actor.require(Resource::Customers, Action::Archive, target(rec))?;
        let mut new = rec.clone();
        new.archived = true;
        new.lead.customer.archived_at = Some(now.clone());
        bump(&mut new, rec, &now, actor.id());
        let mut changes = vec![FieldChange { field: "archived".into(), before: json!(false), after: json!(true) }];
        if rec.id != r.id {
            changes.push(FieldChange { field: "archived_with_parent".into(), before: Value::Null, after: json!(r.id) });
        }
        let n = aff.items().count();
        if n > 0 {
            changes.push(FieldChange { field: "cancelled_by_archive".into(), before: json!(n), after: json!(0) });
        }
        ops.extend(save_ops(&co, rec, &new, &now, actor.id(), &changes));
        ops.extend(aff.items().map(|s| cancel_op(&co, s)));
    }
    let ops = crate::record_index::merge_counter_updates(ops);
    if ops.len() > TX_MAX {
        return Err(AppError::Conflict {
            message: format!("archiving this family touches {} items, more than one change can hold; archive some sub-customers first", ops.len()),
            current: None,
        });
    }
    commit(svc, actor, id, ops).await?;
    tracing::info!(company = %co, customer = id.0, sub_customers = children.len(), "customer archived");
    get(svc, actor, id).await
}

/// `POST /api/v1/customers/{id}/unarchive` `{"confirm": true, "include_children": bool}`. Nothing cancelled by
/// archiving comes back. A sub-customer whose parent is archived stays archived.
pub async fn unarchive(svc: &Services, actor: &Actor, id: RecordId, input: Confirm) -> Result<Value, AppError> {
    require_confirm(&input)?;
    let r = load_customer(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Unarchive, target(&r))?;
    if !r.archived {
        return Err(AppError::Conflict { message: "this customer is not archived".into(), current: None });
    }
    let co = actor.company().clone();
    let mut guard = Vec::new();
    if let Some(p) = r.lead.customer.parent_id {
        if let Some(item) = svc.table.get(&keys::record(&co, p)).await? {
            let parent: Record = from_item(item)?;
            if parent.archived {
                return Err(AppError::Conflict {
                    message: format!(
                        "the parent customer #{p} ({}) is archived; unarchive the parent first",
                        parent.display_name()
                    ),
                    current: None,
                });
            }
            guard.push(TxOp::Check { key: keys::record(&co, p), cond: Condition::VersionIs(parent.version) });
        }
    }
    let mut family = vec![r.clone()];
    if input.include_children {
        for link in customer_items::partition(svc, &co, id).await?.children {
            if let Some(item) = svc.table.get(&keys::record(&co, link.id)).await? {
                let child: Record = from_item(item)?;
                if child.archived && !child.lead.customer.deleting {
                    actor.require(Resource::Customers, Action::Unarchive, target(&child))?;
                    family.push(child);
                }
            }
        }
    }
    let now = rfc3339(svc.clock.now());
    let mut ops = Vec::new();
    for rec in &family {
        let mut new = rec.clone();
        new.archived = false;
        new.lead.customer.archived_at = None;
        bump(&mut new, rec, &now, actor.id());
        let changes = [FieldChange { field: "archived".into(), before: json!(true), after: json!(false) }];
        ops.extend(save_ops(&co, rec, &new, &now, actor.id(), &changes));
    }
    ops.extend(guard);
    commit(svc, actor, id, crate::record_index::merge_counter_updates(ops)).await?;
    get(svc, actor, id).await
}

// ---------------------------------------------------------------------------------------------------------------
// Delete.

/// Items removed per batch when clearing a deleted customer's partition.
const DELETE_BATCH: u32 = 100;

/// `DELETE /api/v1/customers/{id}` (Customers Delete; Leads Delete for a lead). First, in one transaction, the
/// profile is marked `deleting` (and leaves every list and index) and the sub-customer link under a parent goes;
/// then the partition is cleared in bounded batches and the profile removed last. Calling it again on a record a
/// crash left marked resumes the clearing.
pub async fn delete(svc: &Services, actor: &Actor, id: RecordId) -> Result<(), AppError> {
    let co = actor.company().clone();
    let item = svc.table.get(&keys::record(&co, id)).await?.ok_or(AppError::NotFound("customer"))?;
    let r: Record = from_item(item)?;
    actor.require(resource_of(r.kind), Action::View, target(&r))?;
    actor.require(resource_of(r.kind), Action::Delete, target(&r))?;
    if !r.lead.customer.deleting {
        let part = customer_items::partition(svc, &co, id).await?;
        if !part.children.is_empty() {
            return Err(AppError::Conflict {
                message: format!(
                    "this customer has {} sub-customers; unlink them before deleting it",
                    part.children.len()
                ),
                current: None,
            });
        }
        let mut marked = r.clone();
        marked.lead.customer.deleting = true;
        marked.version = r.version + 1;
        // The marker carries no index attributes, so it is in no list while the rest goes.
        let mut marker = item_of(&keys::record(&co, id), &marked, &[]);
        marker.retain(|k, _| !k.starts_with("GSI"));
        let mut ops = vec![TxOp::Put { item: marker, cond: Some(Condition::VersionIs(r.version)) }];
        ops.extend(index_writes(&co, Some(&r), None));
        if r.kind == Kind::Lead {
            ops.extend(leads::dup_ops(&co, Some(&r), None));
        }
        if let Some(p) = r.lead.customer.parent_id {
            ops.push(TxOp::Delete { key: keys::sub_customer_link(&co, p, id), cond: None });
        }
        match svc.table.transact(ops).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed { op: Some(0) | None, .. }) => {
                return Err(AppError::Conflict {
                    message: "the customer changed while it was being deleted; try again".into(),
                    current: None,
                })
            }
            Err(e) => return Err(e.into()),
        }
    }
    let profile = keys::record(&co, id);
    let pk = keys::record_pk(&co, id);
    loop {
        let page = svc.table.query(&Query::new(Index::Base, pk.clone()).limit(DELETE_BATCH)).await?;
        let batch: Vec<Key> = page.items.iter().filter_map(Key::of).filter(|k| *k != profile).collect();
        if batch.is_empty() {
            break;
        }
        svc.table.batch_delete(&batch).await?;
    }
    svc.table.delete(&profile, None).await?;
    tracing::info!(company = %co, customer = id.0, "customer deleted");
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// History.

#[derive(Debug, Clone, Serialize)]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/customers/{id}/history`: newest first, `per_page` (10, 25, 50) at a time, signed cursor.
pub async fn history(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    per_page: crate::records::PerPage,
    cursor: Option<&str>,
) -> Result<HistoryPage, AppError> {
    load(svc, actor, id).await?;
    let co = actor.company();
    let fingerprint = format!("{co}|history|{id}|{}", per_page.get());
    let start = match cursor {
        Some(c) if !c.is_empty() => Some(svc.cursors.open(&fingerprint, c)?),
        _ => None,
    };
    let q = Query::new(Index::Base, keys::record_pk(co, id))
        .sort(SortCond::BeginsWith("HIST#".into()))
        .backward()
        .limit(per_page.get())
        .start(start);
    let page = svc.table.query(&q).await?;
    let last = page.items.last().and_then(Key::of).map(|k| k.to_item());
    let full = page.items.len() as u32 == per_page.get();
    let items: Vec<HistoryEntry> = page.items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    let next_cursor = match (page.last_key.is_some() || full, last) {
        (true, Some(k)) => Some(svc.cursors.seal(&fingerprint, &k)),
        _ => None,
    };
    Ok(HistoryPage { items, next_cursor })
}
