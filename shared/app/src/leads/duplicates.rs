//! The duplicate check's lookup item: one per lead or customer, keyed by a hash of what makes two records the same
//! (leads and customers in separate partitions, so each create checks only its own kind).

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
pub use vigil_api::leads::DuplicateMatch;
use vigil_domain::fields::mask_record;
use vigil_domain::identity::Target;
use vigil_domain::lead::duplicate_key;
use vigil_domain::record::{Kind, Record};
use vigil_domain::{Action, CompanyId, Resource};
use vigil_store::{keys, Index, Item, Query, TxOp};

pub(crate) fn dup_hash(r: &Record) -> String {
    let key = duplicate_key(&r.first_name, &r.last_name, &r.primary_phone, r.address1.as_deref());
    Sha256::digest(key.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The lookup item of one record (the demo seed writes the customers' in bulk).
pub fn dup_item(co: &CompanyId, r: &Record) -> Item {
    let m = DuplicateMatch {
        id: r.id,
        first_name: r.first_name.clone(),
        last_name: r.last_name.clone(),
        primary_phone: r.primary_phone.clone(),
        address1: r.address1.clone(),
        city: r.city.clone(),
        state: r.state.clone(),
        office_location_id: r.office_location_id,
        lead_rep_id: r.lead_rep_id.clone(),
    };
    item_of(&keys::duplicate(co, r.kind, &dup_hash(r), r.id), &m, &[])
}

pub(crate) fn dup_ops(co: &CompanyId, old: Option<&Record>, new: Option<&Record>) -> Vec<TxOp> {
    let same_key = matches!((old, new), (Some(o), Some(n)) if o.kind == n.kind && dup_hash(o) == dup_hash(n));
    let mut ops = Vec::new();
    if let (Some(o), false) = (old, same_key) {
        ops.push(TxOp::Delete { key: keys::duplicate(co, o.kind, &dup_hash(o), o.id), cond: None });
    }
    if let Some(n) = new {
        // Rewritten on every change so its summary stays current.
        ops.push(TxOp::Put { item: dup_item(co, n), cond: None });
    }
    ops
}

/// The duplicate check before a create: a 409 listing the records of the same kind with the same name, phone and
/// address that the caller may open (masked as their grants say), and how many more they may not.
pub(crate) async fn refuse_duplicates(svc: &Services, actor: &Actor, record: &Record) -> Result<(), AppError> {
    let co = actor.company();
    let pk = keys::duplicates_pk(co, record.kind, &dup_hash(record));
    let page = svc.table.query(&Query::new(Index::Base, pk).limit(20)).await?;
    if page.items.is_empty() {
        return Ok(());
    }
    let resource = match record.kind {
        Kind::Lead => Resource::Leads,
        Kind::Customer => Resource::Customers,
    };
    let perms = &actor.user.permissions;
    let matches: Vec<DuplicateMatch> = page.items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    let (visible, hidden): (Vec<_>, Vec<_>) = matches.into_iter().partition(|m| {
        perms.allows(
            actor.id(),
            resource,
            Action::View,
            Target { location: m.office_location_id, owner: m.lead_rep_id.as_ref(), source: None },
        )
    });
    let listed: Vec<Value> = visible
        .iter()
        .map(|m| {
            let mut found = Map::new();
            found.insert("id".into(), json!(m.id));
            for (k, v) in [
                ("first_name", json!(m.first_name)),
                ("last_name", json!(m.last_name)),
                ("primary_phone", json!(m.primary_phone)),
                ("address1", json!(m.address1)),
                ("city", json!(m.city)),
                ("state", json!(m.state)),
            ] {
                found.insert(k.into(), v);
            }
            mask_record(&mut found, record.kind, perms);
            Value::Object(found)
        })
        .collect();
    let what = match record.kind {
        Kind::Lead => "a lead",
        Kind::Customer => "a customer",
    };
    Err(AppError::Conflict {
        message: format!(
            "this looks like {what} that exists already (same name, phone and address); send allow_duplicates=true to create it anyway{}",
            if hidden.is_empty() { String::new() } else { format!(" ({} more you cannot open)", hidden.len()) }
        ),
        current: Some(json!({ "duplicates": listed, "hidden_duplicates": hidden.len() })),
    })
}
