//! Deleting a lead: the same resumable delete as a customer's (marked first, then cleared in batches), reached through
//! the leads route, which serves leads only.

use crate::items::from_item;
use crate::{Actor, AppError, Services};
use vigil_domain::record::{Kind, Record};
use vigil_domain::RecordId;
use vigil_store::keys;

/// `DELETE /api/v1/leads/{id}` with Leads Delete. A lead a crash left marked `deleting` is hidden from every read
/// and save, and calling this again finishes the clearing.
pub async fn delete(svc: &Services, actor: &Actor, id: RecordId) -> Result<(), AppError> {
    let item = svc.table.get(&keys::record(actor.company(), id)).await?.ok_or(AppError::NotFound("lead"))?;
    let r: Record = from_item(item)?;
    if r.kind != Kind::Lead {
        return Err(AppError::NotFound("lead"));
    }
    crate::customers::delete_record(svc, actor, r).await
}
