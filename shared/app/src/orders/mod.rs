//! Orders: the catalog (`catalog`), the active order templates, applying one to a customer, and work orders.
//!
//! Applying writes the customer (its MMR and version, with history), one equipment sub-record per package row and
//! per additional row (`customer_items`' `EQUIP#` collection, so the Equipment tab shows them), and the invoice or
//! quote of Pre-populate & Add, all in one transaction: any bad row is a 422 naming it and nothing is written.

pub mod catalog;
mod work_orders;

pub(crate) use catalog::whole;
pub use catalog::{Catalog, CatalogEntry, CatalogKind, CatalogSave};
pub use vigil_api::orders::{
    AdditionalEquipment, AppliedOrder, ApplyOrderTemplate, OrderTemplate, PackageLine, Prepopulate, TemplatePackage,
    TemplateRate, WorkOrder, WorkOrderSave, MAX_ADDITIONAL_ROWS,
};
pub use work_orders::{create_work_order, list_work_orders, update_work_order, WORK_ORDER_PREFIX};

use crate::accounting::{self, DocumentKind, LineItem};
use crate::clock::{date, rfc3339};
use crate::customer_items::{Collection, CollectionRules, SubRecord};
use crate::items::item_of;
use crate::{customers, Actor, AppError, Services};
use serde_json::{json, Map, Value};
use vigil_domain::lead::FieldChange;
use vigil_domain::{Action, FieldError, Invalid, RecordId, Resource};
use vigil_store::{keys, Condition, TxOp};

fn package_view(c: &Catalog, p: &CatalogEntry) -> TemplatePackage {
    let lines: Vec<PackageLine> = p
        .items
        .iter()
        .filter_map(|it| {
            let eq = catalog::find(c, CatalogKind::Equipment, it.equipment_id)?;
            Some(PackageLine {
                equipment_id: eq.id,
                name: eq.name.clone(),
                quantity: it.quantity,
                charge_cents: eq.default_charge_cents,
            })
        })
        .collect();
    let total_cents = lines
        .iter()
        .map(|l| accounting::line_amount(u64::from(l.quantity), l.charge_cents).unwrap_or(0))
        .fold(0u64, u64::saturating_add);
    TemplatePackage { id: p.id, name: p.name.clone(), lines, total_cents }
}

/// `GET /api/v1/order-templates`: the active templates, each with its active rates and active packages.
pub async fn list_templates(svc: &Services, actor: &Actor) -> Result<Vec<OrderTemplate>, AppError> {
    actor.require_somewhere(Resource::Customers, Action::View)?;
    let co = actor.company();
    let c = catalog::load_all(svc, co).await?;
    let rates = crate::mmr::settings(svc, co).await?;
    Ok(c.order_templates
        .iter()
        .filter(|t| t.active)
        .map(|t| OrderTemplate {
            id: t.id,
            name: t.name.clone(),
            mmrs: t
                .mmr_ids
                .iter()
                .filter_map(|id| rates.rate(*id).filter(|r| r.active))
                .map(|r| TemplateRate { id: r.id, name: r.label(), total_cents: r.amount_cents })
                .collect(),
            packages: t
                .package_ids
                .iter()
                .filter_map(|id| catalog::find(&c, CatalogKind::Package, *id).filter(|p| p.active))
                .map(|p| package_view(&c, p))
                .collect(),
        })
        .collect())
}

/// One row to write: the equipment sub-record's data and its invoice line.
struct Row {
    equipment: CatalogEntry,
    quantity: u64,
    charge: u64,
    wire_type_id: Option<u32>,
    package_id: Option<u32>,
}

fn id_of(v: &Option<Value>) -> Result<Option<u32>, ()> {
    match whole(v)? {
        None => Ok(None),
        Some(n) => u32::try_from(n).map(Some).map_err(|_| ()),
    }
}

fn blank(v: &Option<Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        _ => false,
    }
}

/// Checks the Additional Equipment rows; every problem is named `additional_equipment[i].field`.
fn rows_of(c: &Catalog, rows: &[AdditionalEquipment], e: &mut Vec<FieldError>) -> Vec<Row> {
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if blank(&row.equipment_id) && blank(&row.quantity) && blank(&row.charge) && blank(&row.wire_type_id) {
            continue;
        }
        let field = |f: &str| format!("additional_equipment[{i}].{f}");
        let equipment = match id_of(&row.equipment_id) {
            Ok(None) => {
                e.push(FieldError::new(field("equipment_id"), "required", "choose an equipment item"));
                None
            }
            Ok(Some(id)) => match catalog::find(c, CatalogKind::Equipment, id) {
                Some(eq) if eq.active && !eq.collection_item => Some(eq.clone()),
                Some(eq) if eq.collection_item => {
                    e.push(FieldError::new(
                        field("equipment_id"),
                        "collection_item",
                        "collection items cannot be added here",
                    ));
                    None
                }
                Some(_) => {
                    e.push(FieldError::new(field("equipment_id"), "inactive", "that equipment item is inactive"));
                    None
                }
                None => {
                    e.push(FieldError::new(field("equipment_id"), "not_found", "choose one of the catalog's items"));
                    None
                }
            },
            Err(()) => {
                e.push(FieldError::new(field("equipment_id"), "invalid", "choose one of the catalog's items"));
                None
            }
        };
        let quantity = match whole(&row.quantity) {
            Ok(None) => Some(1),
            Ok(Some(q)) if (1..=10_000).contains(&q) => Some(q),
            _ => {
                e.push(FieldError::new(field("quantity"), "invalid", "the quantity is a whole number, at least 1"));
                None
            }
        };
        let charge = match whole(&row.charge) {
            Ok(c) if c.is_none_or(|c| c <= catalog::CHARGE_MAX) => c,
            _ => {
                e.push(FieldError::new(field("charge"), "invalid", "the charge is a whole number of cents, 0 or more"));
                None
            }
        };
        let wire_type_id = match id_of(&row.wire_type_id) {
            Ok(None) => Some(None),
            Ok(Some(w)) if catalog::find(c, CatalogKind::WireType, w).is_some_and(|w| w.active) => Some(Some(w)),
            _ => {
                e.push(FieldError::new(
                    field("wire_type_id"),
                    "invalid",
                    "choose an active wire type, or leave it blank",
                ));
                None
            }
        };
        if let (Some(equipment), Some(quantity), Some(wire_type_id)) = (equipment, quantity, wire_type_id) {
            let charge = charge.unwrap_or(equipment.default_charge_cents);
            out.push(Row { equipment, quantity, charge, wire_type_id, package_id: None });
        }
    }
    out
}

/// `POST /api/v1/customers/{id}/apply-order-template`: Customers Modify with Sale Information access; the customer's
/// version. Everything or nothing.
pub async fn apply(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: ApplyOrderTemplate,
) -> Result<AppliedOrder, AppError> {
    let current = customers::load_customer(svc, actor, id).await?;
    actor.require(Resource::Customers, Action::Modify, customers::target(&current))?;
    if actor.user.permissions.section(vigil_domain::Section::SaleInformation) != vigil_domain::SectionAccess::Modify {
        return Err(AppError::Forbidden("you may not change Sale Information".into()));
    }
    customers::writable(&current)?;
    let Some(version) = body.version else { return Err(AppError::from_field(FieldError::required("version"))) };
    let co = actor.company();
    let c = catalog::load_all(svc, co).await?;
    let mut e = Vec::new();
    if body.additional_equipment.len() > MAX_ADDITIONAL_ROWS {
        return Err(Invalid::one(
            "additional_equipment",
            "too_many",
            format!(
                "at most {MAX_ADDITIONAL_ROWS} additional equipment rows at once (everything is saved in one \
                 transaction, which holds at most 100 writes)"
            ),
        )
        .into());
    }
    let template = match body.order_template_id {
        None => None,
        Some(t) => match catalog::find(&c, CatalogKind::OrderTemplate, t) {
            Some(t) if t.active => Some(t.clone()),
            _ => {
                e.push(FieldError::new("order_template_id", "invalid", "choose one of the active order templates"));
                None
            }
        },
    };
    let mut mmr = None;
    let mut package = None;
    match &template {
        Some(t) => {
            match body.mmr_id {
                Some(m) if t.mmr_ids.contains(&m) => mmr = Some(m),
                Some(_) => e.push(FieldError::new("mmr_id", "invalid", "choose one of the template's monthly rates")),
                None if !t.mmr_ids.is_empty() => {
                    e.push(FieldError::new("mmr_id", "required", "this template has monthly rates: choose one"))
                }
                None => {}
            }
            match body.package_id {
                Some(p) if t.package_ids.contains(&p) => match catalog::find(&c, CatalogKind::Package, p) {
                    Some(p) if p.active => package = Some(p.clone()),
                    _ => e.push(FieldError::new("package_id", "inactive", "that package is inactive")),
                },
                Some(_) => e.push(FieldError::new("package_id", "invalid", "choose one of the template's packages")),
                None => {}
            }
        }
        None if body.order_template_id.is_none() => {
            if body.mmr_id.is_some() {
                e.push(FieldError::new("mmr_id", "invalid", "choose an order template first"));
            }
            if body.package_id.is_some() {
                e.push(FieldError::new("package_id", "invalid", "choose an order template first"));
            }
        }
        None => {}
    }
    let mut rows: Vec<Row> = Vec::new();
    if let Some(p) = &package {
        for it in &p.items {
            if let Some(eq) = catalog::find(&c, CatalogKind::Equipment, it.equipment_id) {
                rows.push(Row {
                    equipment: eq.clone(),
                    quantity: u64::from(it.quantity),
                    charge: eq.default_charge_cents,
                    wire_type_id: None,
                    package_id: Some(p.id),
                });
            }
        }
    }
    rows.extend(rows_of(&c, &body.additional_equipment, &mut e));
    let wants_sold_by = package.is_some() || body.additional_equipment.iter().any(|r| !blank(&r.equipment_id));
    let sold_by = match body.sold_by_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => match c.sold_by.iter().find(|e| e.active && e.user_id.as_ref().is_some_and(|u| u.as_str() == s)) {
            Some(entry) => entry.user_id.clone(),
            None => {
                e.push(FieldError::new("sold_by_id", "invalid", "choose someone on the company's sold-by list"));
                None
            }
        },
        None if wants_sold_by => {
            e.push(FieldError::new(
                "sold_by_id",
                "required",
                "Sold By is required when a package or additional equipment is chosen",
            ));
            None
        }
        None => None,
    };
    if body.prepopulate.is_some() && rows.is_empty() && e.is_empty() {
        e.push(FieldError::new("prepopulate", "nothing_to_add", "choose a package or additional equipment to invoice"));
    }
    crate::mmr::check_choice(svc, co, current.lead.customer.mmr_id, mmr, &mut e).await?;
    if !e.is_empty() {
        return Err(Invalid { errors: e }.into());
    }
    if version != current.version {
        return Err(AppError::Conflict { message: customers::STALE.into(), current: None });
    }

    let now = svc.clock.now();
    let at = rfc3339(now);
    let mut new = current.clone();
    let mut changes = Vec::new();
    if let Some(m) = mmr.filter(|m| Some(*m) != current.lead.customer.mmr_id) {
        new.lead.customer.mmr_id = Some(m);
        changes.push(FieldChange {
            field: "mmr_id".into(),
            before: json!(current.lead.customer.mmr_id),
            after: json!(m),
        });
    }
    customers::bump(&mut new, &current, &at, actor.id());
    let mut ops = customers::save_ops(co, &current, &new, &at, actor.id(), &changes);

    // Numbers for every new item at once: the sequence moves past them, so a refused transaction only skips them.
    let docs = u64::from(body.prepopulate.is_some());
    let needed = rows.len() as u64 + docs;
    let last = if needed > 0 {
        let n = svc
            .table
            .increment(&keys::record_child_sequence(co, id), i64::try_from(needed).unwrap_or(i64::MAX))
            .await?;
        u64::try_from(n).map_err(|_| AppError::Internal("the sub-record sequence is negative".into()))?
    } else {
        0
    };
    let mut next = last.saturating_sub(needed);
    let mut equipment = Vec::new();
    let mut lines = Vec::new();
    for row in &rows {
        next += 1;
        let mut data = Map::new();
        data.insert("name".into(), json!(row.equipment.name));
        data.insert("quantity".into(), json!(row.quantity));
        data.insert("equipment_id".into(), json!(row.equipment.id));
        data.insert("charge_cents".into(), json!(row.charge));
        if let Some(w) = row.wire_type_id {
            data.insert("wire_type_id".into(), json!(w));
        }
        if let Some(p) = row.package_id {
            data.insert("package_id".into(), json!(p));
        }
        if let Some(s) = &sold_by {
            data.insert("sold_by_id".into(), json!(s));
        }
        if let Some(t) = &template {
            data.insert("order_template_id".into(), json!(t.id));
        }
        let sub = SubRecord {
            id: next,
            record_id: id,
            collection: Collection::Equipment,
            status: Collection::Equipment.initial_status().into(),
            created_at: at.clone(),
            created_by: actor.id().clone(),
            data,
            version: 1,
        };
        ops.push(TxOp::Put {
            item: item_of(&keys::record_child_item(co, id, Collection::Equipment.prefix(), sub.id), &sub, &[]),
            cond: Some(Condition::NotExists),
        });
        equipment.push(sub);
        let amount = accounting::line_amount(row.quantity, row.charge)
            .ok_or_else(|| Invalid::one("additional_equipment", "too_large", "a row's amount is too large"))?;
        lines.push(LineItem {
            description: row.equipment.name.clone(),
            quantity: row.quantity,
            unit_cents: row.charge,
            amount_cents: amount,
            equipment_id: Some(row.equipment.id),
        });
    }
    let document = match body.prepopulate {
        Some(kind) => {
            next += 1;
            let kind = match kind {
                Prepopulate::Invoice => DocumentKind::Invoice,
                Prepopulate::Quote => DocumentKind::Quote,
            };
            let inv = accounting::new_invoice(&current, next, kind, date(now), lines, 0, &at, actor.id())
                .ok_or_else(|| Invalid::one("additional_equipment", "too_large", "the invoice's total is too large"))?;
            ops.extend(accounting::invoice_ops(co, &inv));
            Some(inv)
        }
        None => None,
    };
    // The record's own index writes vary with it (tags, names); whatever they come to, a change too big for one
    // transaction is refused, never split.
    if ops.len() > vigil_store::table::MAX_TX_OPS {
        return Err(Invalid::one(
            "additional_equipment",
            "too_many",
            format!(
                "this order is too large to save at once (at most {} writes in one transaction): add fewer rows",
                vigil_store::table::MAX_TX_OPS
            ),
        )
        .into());
    }
    customers::commit(svc, actor, id, ops).await?;
    tracing::info!(
        customer = id.0,
        template = template.as_ref().map(|t| t.id),
        equipment = equipment.len(),
        document = document.is_some(),
        "order template applied"
    );
    Ok(AppliedOrder { customer_id: id, version: new.version, mmr_id: new.lead.customer.mmr_id, equipment, document })
}
