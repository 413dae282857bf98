//! Archiving a customer with its sub-customers (and what that cancels), and unarchiving.

use super::load::{load_customer, target, writable};
use super::save::{bump, commit, save_ops};
use super::view::get;
use crate::clock::{date, rfc3339};
use crate::customer_items::{self, cancel_op, Partition, SubRecord, SubRecordRules};
use crate::items::from_item;
use crate::{Actor, AppError, Services};
use serde_json::{json, Value};
use vigil_api::customers::CustomerHome;
pub use vigil_api::customers::{Affected, ArchivePreview, Confirm};
use vigil_domain::lead::FieldChange;
use vigil_domain::record::Record;
use vigil_domain::{Action, Invalid, RecordId, Resource};
use vigil_store::{keys, Condition, TxOp};

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

/// What archiving cancels of one customer, as one list.
trait Cancels {
    fn is_empty(&self) -> bool;
    fn items(&self) -> impl Iterator<Item = &SubRecord>;
}

impl Cancels for Affected {
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
pub async fn archive(svc: &Services, actor: &Actor, id: RecordId, input: Confirm) -> Result<CustomerHome, AppError> {
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
pub async fn unarchive(svc: &Services, actor: &Actor, id: RecordId, input: Confirm) -> Result<CustomerHome, AppError> {
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
