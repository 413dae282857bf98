//! History items: one per changed field, written in the change's transaction, and the record's history read.

use super::view::load;
use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
pub use vigil_api::leads::HistoryEntry;
use vigil_domain::lead::FieldChange;
use vigil_domain::{CompanyId, RecordId};
use vigil_store::{keys, Index, Query, TxOp};

pub(crate) fn history_ops(co: &CompanyId, id: RecordId, at: &str, by: &str, changes: &[FieldChange]) -> Vec<TxOp> {
    changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let entry = HistoryEntry {
                at: at.into(),
                by: by.into(),
                field: c.field.clone(),
                before: c.before.clone(),
                after: c.after.clone(),
            };
            TxOp::Put { item: item_of(&keys::history(co, id, at, i as u32), &entry, &[]), cond: None }
        })
        .collect()
}

/// The record's history, oldest first (at most `limit` entries, newest ones).
pub async fn history(svc: &Services, actor: &Actor, id: RecordId, limit: u32) -> Result<Vec<HistoryEntry>, AppError> {
    let r = load(svc, actor, id).await?;
    let q = Query::new(Index::Base, keys::record_pk(actor.company(), id))
        .sort(vigil_store::SortCond::BeginsWith("HIST#".into()))
        .backward()
        .limit(limit);
    let mut out: Vec<HistoryEntry> =
        svc.table.query(&q).await?.items.into_iter().map(from_item).collect::<Result<_, _>>()?;
    out.reverse();
    Ok(crate::records::mask_history(out, r.kind, &actor.user.permissions))
}
