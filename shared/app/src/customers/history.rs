//! The record's change history, newest first.

use super::load::load;
use crate::items::from_item;
use crate::leads::HistoryEntry;
use crate::{Actor, AppError, Services};
pub use vigil_api::customers::HistoryPage;
use vigil_domain::RecordId;
use vigil_store::{keys, Index, Key, Query, SortCond};

/// `GET /api/v1/customers/{id}/history`: newest first, `per_page` (10, 25, 50) at a time, signed cursor.
pub async fn history(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    per_page: crate::records::PerPage,
    cursor: Option<&str>,
) -> Result<HistoryPage, AppError> {
    let r = load(svc, actor, id).await?;
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
    // Filtered after the page is read, so the cursor still walks every entry; a page may come back short.
    let items = crate::records::mask_history(items, r.kind, &actor.user.permissions);
    let next_cursor = match (page.last_key.is_some() || full, last) {
        (true, Some(k)) => Some(svc.cursors.seal(&fingerprint, &k)),
        _ => None,
    };
    Ok(HistoryPage { items, next_cursor })
}
