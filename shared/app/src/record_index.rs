//! Everything a change to a lead or customer must also write so the lists stay fast and their totals exact: the
//! lookup items of its access paths and the maintained counters. Create, edit, stage, tag, convert and delete
//! operations add these to their transaction, so an index never disagrees with its record.

use serde_json::json;
use std::collections::BTreeMap;
use vigil_domain::record::Record;
use vigil_domain::CompanyId;
use vigil_store::{keys, Item, Key, TxOp, Update};

/// The extra transaction operations for a record going from `old` to `new` (`None` = does not exist), beyond the
/// profile item itself (written with [`crate::records::record_item`]).
pub fn index_writes(co: &CompanyId, old: Option<&Record>, new: Option<&Record>) -> Vec<TxOp> {
    let mut ops = Vec::new();
    let mut count = |kind, by: i64| {
        ops.push(TxOp::Update { key: keys::record_total(co, kind), update: Update::default().add("value", by), cond: None });
    };
    match (old, new) {
        (None, Some(n)) => count(n.kind, 1),
        (Some(o), None) => count(o.kind, -1),
        (Some(o), Some(n)) if o.kind != n.kind => {
            count(o.kind, -1);
            count(n.kind, 1);
        }
        _ => {}
    }
    ops
}

/// The index items and counters for records written in bulk (the demo seed and benchmarks), equal to what
/// [`index_writes`] would have written creating them one by one.
pub fn seed_items(co: &CompanyId, records: &[Record]) -> Vec<Item> {
    let mut counters: BTreeMap<Key, i64> = BTreeMap::new();
    for r in records {
        *counters.entry(keys::record_total(co, r.kind)).or_default() += 1;
    }
    counters
        .into_iter()
        .map(|(key, value)| {
            let mut item = key.to_item();
            item.insert("value".into(), json!(value));
            item
        })
        .collect()
}
