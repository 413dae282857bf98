//! Parent / sub-customer links: the link writes when a parent changes, and the parent picker's candidates.

use super::load::target;
use crate::customer_items::{self, ChildLink};
use crate::directory;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::Value;
pub use vigil_api::customers::Candidate;
use vigil_domain::record::{Kind, Record};
use vigil_domain::{Action, Invalid, RecordId, Resource};
use vigil_store::{keys, Condition, Index, Key, Query, SortCond, TxOp, Update};

/// The link writes for `child` moving from `old.parent_id` to `new.parent_id`, after checking the rules: the
/// company has families on, the parent is another top-level, unarchived customer, and the child has no children.
pub(super) async fn parent_link_ops(
    svc: &Services,
    actor: &Actor,
    old: &Record,
    new: &Record,
) -> Result<Vec<TxOp>, AppError> {
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
        // Bumped, not only checked: a save of the parent that read it before this link (and so saw no children)
        // then fails on its version instead of giving the parent a parent of its own, two levels deep.
        ops.push(TxOp::Update {
            key: keys::record(co, p),
            update: Update::default().add("version", 1),
            cond: Some(Condition::VersionIs(parent.version)),
        });
        let link = ChildLink { id: new.id, name: new.display_name() };
        ops.push(TxOp::Put { item: item_of(&keys::sub_customer_link(co, p, new.id), &link, &[]), cond: None });
    }
    Ok(ops)
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
