//! The record's change history, newest first.

use super::load::load;
use crate::leads::HistoryEntry;
use crate::{Actor, AppError, Services};
pub use vigil_api::customers::HistoryPage;
use vigil_domain::RecordId;
use vigil_store::keys;

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
    let (items, next_cursor): (Vec<HistoryEntry>, _) =
        crate::records::newest_first(svc, &fingerprint, keys::record_pk(co, id), "HIST#", per_page, cursor).await?;
    // Filtered after the page is read, so the cursor still walks every entry; a page may come back short.
    let items = crate::records::mask_history(items, r.kind, &actor.user.permissions);
    Ok(HistoryPage { items, next_cursor })
}
