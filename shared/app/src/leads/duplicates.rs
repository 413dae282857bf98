//! The duplicate check's lookup item: one per lead, keyed by a hash of what makes two leads the same.

use crate::items::item_of;
use sha2::{Digest, Sha256};
pub use vigil_api::leads::DuplicateMatch;
use vigil_domain::lead::duplicate_key;
use vigil_domain::record::Record;
use vigil_domain::CompanyId;
use vigil_store::{keys, Item, TxOp};

pub(crate) fn dup_hash(r: &Record) -> String {
    let key = duplicate_key(&r.first_name, &r.last_name, &r.primary_phone, r.address1.as_deref());
    Sha256::digest(key.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn dup_item(co: &CompanyId, r: &Record) -> Item {
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
    item_of(&keys::lead_duplicate(co, &dup_hash(r), r.id), &m, &[])
}

pub(crate) fn dup_ops(co: &CompanyId, old: Option<&Record>, new: Option<&Record>) -> Vec<TxOp> {
    let same_key = matches!((old, new), (Some(o), Some(n)) if dup_hash(o) == dup_hash(n));
    let mut ops = Vec::new();
    if let (Some(o), false) = (old, same_key) {
        ops.push(TxOp::Delete { key: keys::lead_duplicate(co, &dup_hash(o), o.id), cond: None });
    }
    if let Some(n) = new {
        // Rewritten on every change so its summary stays current.
        ops.push(TxOp::Put { item: dup_item(co, n), cond: None });
    }
    ops
}
