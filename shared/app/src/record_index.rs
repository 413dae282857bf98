//! Everything a change to a lead or customer must also write so the lists stay fast and their totals exact: the
//! lookup items of its access paths and the maintained counters. Create, edit, stage, tag, convert and delete
//! operations add these to their transaction, so an index never disagrees with its record.

use vigil_domain::record::Record;
use vigil_domain::CompanyId;
use vigil_store::{keys, TxOp, Update};

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
