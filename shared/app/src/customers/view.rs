//! The Home page read: the whole record, its header, tab counts and the cards the user may see, in one call.

use super::load::{load, target};
use crate::clock::date;
use crate::customer_items::SubRecordRules;
use crate::customer_items::{self, ChildLink, Partition};
use crate::directory::{self, OfficeLocation};
use crate::items::from_item;
use crate::leads::Named;
use crate::records::{self, resource_of};
use crate::{custom_fields, tags, Actor, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_api::customers::{
    CardsEditable, CustomerActions, CustomerHeader, CustomerHome, IdName, InstallBadge, RecordLink, SaleBadge,
    StatusBox,
};
use vigil_domain::customer::{credit_grade, months_remaining, LEAD_STATUS_WITH_REP};
use vigil_domain::fields::{card_fields, seen, Card, Seen, Store};
use vigil_domain::record::{Kind, Record, Stage};
use vigil_domain::sorted::SortedMap;
use vigil_domain::{Action, CompanyId, RecordId, Resource, Section, SectionAccess, User, UserId};
use vigil_store::keys;

/// A card's stored fields from the masked record (a field the reader may not see reads as null). The computed ones
/// are added by the caller.
fn card(flat: &Map<String, Value>, card: Card, kind: Kind) -> Map<String, Value> {
    card_fields(card)
        .filter(|s| s.store != Store::Computed && (kind == Kind::Customer || !s.customers_only))
        .map(|s| (s.name.to_owned(), flat.get(s.name).cloned().unwrap_or(Value::Null)))
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
pub async fn view(svc: &Services, actor: &Actor, r: &Record, part: &Partition) -> Result<CustomerHome, AppError> {
    let co = actor.company();
    let perms = &actor.user.permissions;
    let today = date(svc.clock.now());
    let company = directory::company(svc, co).await?;
    let families = company.settings.parent_child_billing;
    let personal_view = perms.section(Section::ContactInformation) >= SectionAccess::View;
    let sale_view = r.kind == Kind::Customer && perms.section(Section::SaleInformation) >= SectionAccess::View;
    let install_view = r.kind == Kind::Customer && perms.section(Section::InstallationEquipment) >= SectionAccess::View;
    let c = &r.lead.customer;
    // Everything below that shows a field of the record takes it from here or asks `shown`, so the cards, the flat
    // record and the header agree with every other read of the record.
    let flat = records::masked(svc, actor, r)?;
    let shown = |f: &str| seen(f, r.kind, perms) != Seen::Hidden;
    let location = match r.office_location_id {
        Some(l) => svc.table.get(&keys::location(co, l)).await?.map(from_item::<OfficeLocation>).transpose()?,
        None => None,
    };
    let parent = match (families, c.parent_id) {
        (true, Some(p)) => Some(match svc.table.get(&keys::record(co, p)).await? {
            Some(item) => {
                let pr: Record = from_item(item)?;
                RecordLink { id: p, name: pr.display_name(), business_name: Some(pr.business_name) }
            }
            None => RecordLink { id: p, name: format!("#{p}"), business_name: None },
        }),
        _ => None,
    };
    let mut status_boxes = Vec::new();
    if r.kind == Kind::Customer {
        let b = |category: &str, label: &str, color: &str| StatusBox {
            category: category.into(),
            label: label.into(),
            color: color.into(),
        };
        status_boxes.push(if r.archived { b("account", "Archived", "gray") } else { b("account", "Active", "green") });
        if shown("installed") {
            status_boxes.push(if c.installed {
                b("monitoring", "Monitored", "green")
            } else {
                b("monitoring", "Not installed", "yellow")
            });
        }
        if shown("canceled") {
            status_boxes.push(if c.canceled {
                b("billing", "Canceled", "red")
            } else {
                b("billing", "Billing", "green")
            });
        }
        if shown("funding_status") {
            status_boxes.push(b(
                "funding",
                c.funding_status.as_deref().unwrap_or("Not funded"),
                if c.funding_status.is_some() { "green" } else { "gray" },
            ));
        }
    }
    let sale_badge = if sale_view && (c.sale_date.is_some() || c.sold_by_id.is_some()) {
        Some(SaleBadge { date: c.sale_date.clone(), sold_by: user_named(svc, co, c.sold_by_id.as_ref()).await? })
    } else {
        None
    };
    let install_badge = if install_view && (c.install_date.is_some() || c.install_tech_id.is_some()) {
        let technician = user_named(svc, co, c.install_tech_id.as_ref()).await?;
        Some(InstallBadge { date: c.install_date.clone(), technician })
    } else {
        None
    };
    let children: Vec<RecordLink> = part
        .children
        .iter()
        .map(|l: &ChildLink| RecordLink { id: l.id, name: l.name.clone(), business_name: None })
        .collect();
    let header = CustomerHeader {
        id: r.id,
        kind: r.kind,
        name: r.display_name(),
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        business_name: r.business_name.clone(),
        status_boxes,
        created_at: r.created_at.clone(),
        created_by: user_named(svc, co, Some(&r.created_by)).await?,
        sale: sale_badge,
        install: install_badge,
        location: if r.kind == Kind::Customer {
            location.as_ref().map(|l| Named { id: l.id, name: l.name.clone() })
        } else {
            None
        },
        city: r.city.clone(),
        state: r.state.clone(),
        parent,
        children: (families && !children.is_empty()).then_some(children),
        archived: r.archived,
    };

    let mut tabs = SortedMap::new();
    let mut warnings = SortedMap::new();
    for col in customer_items::Collection::ALL {
        let n = part.items.iter().filter(|s| s.collection == col && s.counts()).count();
        tabs.insert(col.segment().replace('-', "_"), n as u64);
        let warn = match col {
            customer_items::Collection::Notes => part.items.iter().any(|s| {
                s.collection == col
                    && s.status == "open"
                    && s.data.get("due_date").and_then(Value::as_str).is_some_and(|d| *d < *today)
            }),
            _ => false,
        };
        warnings.insert(col.segment().replace('-', "_"), warn);
    }
    tabs.insert("workflows".into(), part.workflows.enrolled);
    tabs.insert("work_orders".into(), part.open_work_orders);
    tabs.insert("accounting".into(), part.open_invoices);
    warnings.insert("workflows".into(), part.workflows.warnings > 0);
    let tag_list = tags::named(svc, co, &r.tag_ids()).await?;

    let mut cards = Map::new();
    if personal_view {
        let mut personal = card(&flat, Card::Personal, r.kind);
        personal.insert("credit_grade".into(), json!(c.credit_score.map(credit_grade)));
        cards.insert("personal".into(), Value::Object(personal));
    }
    if sale_view {
        let mut sale = card(&flat, Card::Sale, r.kind);
        let start = c.sale_date.clone().unwrap_or_else(|| r.created_at.get(..10).unwrap_or_default().to_owned());
        sale.insert(
            "contract_months_remaining".into(),
            json!(c.contract_term_months.and_then(|t| months_remaining(&start, t, &today))),
        );
        sale.insert("mmr".into(), crate::mmr::summary(svc, co, c.mmr_id).await?);
        let call_center_rep = user_named(svc, co, c.call_center_rep_id.as_ref()).await?.map(|u| u.name);
        sale.insert("call_center_rep".into(), json!(call_center_rep));
        // Discount Affiliate shows only while the company offers affiliates or one is saved; a hidden field is not
        // in the card, so the portal never sends it and a save keeps what is stored.
        let affiliates = !super::options::options(svc, co).await?.discount_affiliates.is_empty();
        if !affiliates && c.discount_affiliate.is_none() && c.discount_affiliate_member_number.is_none() {
            sale.remove("discount_affiliate");
            sale.remove("discount_affiliate_member_number");
        }
        cards.insert("sale".into(), Value::Object(sale));
        let mut lead_info = card(&flat, Card::LeadInfo, r.kind);
        lead_info.insert("call_center_rep".into(), json!(call_center_rep));
        let contacts: Vec<Value> = part
            .items
            .iter()
            .filter(|s| s.collection == customer_items::Collection::Contacts && s.counts())
            .map(|s| json!({"id": s.id, "name": s.data.get("name"), "phone": s.data.get("phone"), "relation": s.data.get("relation")}))
            .collect();
        lead_info.insert("lead_contacts".into(), Value::Array(contacts));
        // The manual's rule: the lead rep shows here only at the assigned status, and only to lead admins (who may
        // work pending leads).
        let lead_admin = perms.allows_somewhere(Resource::PendingLeads, Action::Modify);
        if !(lead_admin && c.lead_status.as_deref() == Some(LEAD_STATUS_WITH_REP)) {
            lead_info.remove("lead_rep_id");
        }
        cards.insert("lead_info".into(), Value::Object(lead_info));
    }
    if install_view {
        cards.insert("installation".into(), Value::Object(card(&flat, Card::Installation, r.kind)));
    }
    if r.kind == Kind::Lead {
        cards.insert("lead".into(), Value::Object(card(&flat, Card::Lead, r.kind)));
    }
    // UDFs: their own card, seen by whoever sees the record (see `custom_fields`).
    let udf_card = custom_fields::card(svc, co, r).await?;
    let has_udfs = udf_card.is_some();
    if let Some(udfs) = udf_card {
        cards.insert("custom_fields".into(), json!(udfs));
    }
    let modify = perms.allows(actor.id(), resource_of(r.kind), Action::Modify, target(r)) && !r.archived;
    let editable = CardsEditable {
        personal: modify && personal_view && perms.section(Section::ContactInformation) >= SectionAccess::Modify,
        sale: modify && sale_view && perms.section(Section::SaleInformation) >= SectionAccess::Modify,
        installation: modify && install_view && perms.section(Section::InstallationEquipment) >= SectionAccess::Modify,
        // Customers save them through PATCH /customers (Customers Modify), leads through PATCH /leads (Leads Modify,
        // which `modify` is for a lead); no section grant. A converted lead is a customer, so `kind` covers the lock.
        custom_fields: modify && has_udfs && (r.kind == Kind::Customer || r.stage != Stage::Converted),
        lead_info: modify && sale_view && perms.section(Section::SaleInformation) >= SectionAccess::Modify,
    };
    let locked = locked(&company.settings, r);
    let install_appointments = install_appointments(part);
    let t = target(r);
    let customer = r.kind == Kind::Customer;
    let actions = CustomerActions {
        modify,
        delete: perms.allows(actor.id(), resource_of(r.kind), Action::Delete, t),
        archive: customer && !r.archived && perms.allows(actor.id(), Resource::Customers, Action::Archive, t),
        unarchive: customer && r.archived && perms.allows(actor.id(), Resource::Customers, Action::Unarchive, t),
        convert: r.kind == Kind::Lead && r.stage != Stage::Converted && modify,
        duplicate: customer && perms.allows_somewhere(Resource::Customers, Action::Create),
    };
    // The flat record (what `vigil_domain::record::Record` reads, as the lead read returns it), masked like the cards.
    let mut top = flat;
    // The contract carries these four beside the rest of the record.
    for f in ["id", "kind", "version", "archived"] {
        top.remove(f);
    }
    Ok(CustomerHome {
        id: r.id,
        kind: r.kind,
        version: r.version,
        archived: r.archived,
        record: top,
        header,
        tabs,
        warnings,
        tag_list,
        cards,
        editable,
        locked,
        install_appointments,
        may_schedule: modify && r.kind == Kind::Customer,
        actions,
        parent_child_billing: families,
        wizard: crate::creation_workflows::state(svc, co, r.id).await?,
    })
}

/// The fields of an editable card that cannot change now (the edit refuses them with the same list).
pub(super) fn locked(settings: &crate::directory::CompanySettings, r: &Record) -> Vec<String> {
    let mut locked = Vec::new();
    if settings.lock_lead_rep {
        locked.push("lead_rep_id".to_owned());
    }
    if r.lead.customer.central_station_account.is_some() {
        locked.push("monitoring_company_id".to_owned());
    }
    locked
}

/// The customer's scheduled install (`tech`) appointments, by date.
pub(super) fn install_appointments(part: &Partition) -> Vec<IdName> {
    let mut v: Vec<(String, IdName)> = part
        .items
        .iter()
        .filter(|s| {
            s.collection == customer_items::Collection::Appointments
                && s.status == "scheduled"
                && s.data.get("kind").and_then(Value::as_str) == Some("tech")
        })
        .filter_map(|s| {
            let date = s.data.get("date").and_then(Value::as_str).unwrap_or_default().to_owned();
            let note = s.data.get("note").and_then(Value::as_str).unwrap_or_default();
            let id = u32::try_from(s.id).ok()?;
            let name = if note.is_empty() { format!("{date} install") } else { format!("{date} install: {note}") };
            Some((date, IdName { id, name }))
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.into_iter().map(|(_, a)| a).collect()
}

/// `GET /api/v1/customers/{id}`: a customer or a lead, the whole Home page in one call.
pub async fn get(svc: &Services, actor: &Actor, id: RecordId) -> Result<CustomerHome, AppError> {
    let r = load(svc, actor, id).await?;
    let part = customer_items::partition(svc, actor.company(), id).await?;
    view(svc, actor, &r, &part).await
}
