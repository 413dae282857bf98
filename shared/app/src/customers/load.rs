//! Reading a customer (or lead) for an operation, and the guards every write starts with.

use super::ARCHIVED;
use crate::items::from_item;
use crate::records::resource_of;
use crate::{Actor, AppError, Services};
use vigil_domain::identity::Target;
use vigil_domain::record::{Kind, Record};
use vigil_domain::{Action, RecordId};
use vigil_store::keys;

pub(crate) fn target(r: &Record) -> Target<'_> {
    Target::of(r)
}

/// A lead or customer of the actor's company that the actor may view. Records being deleted are gone.
pub async fn load(svc: &Services, actor: &Actor, id: RecordId) -> Result<Record, AppError> {
    let item = svc.table.get(&keys::record(actor.company(), id)).await?.ok_or(AppError::NotFound("customer"))?;
    let r: Record = from_item(item)?;
    if r.lead.customer.deleting {
        return Err(AppError::NotFound("customer"));
    }
    actor.require(resource_of(r.kind), Action::View, target(&r))?;
    Ok(r)
}

pub(crate) async fn load_customer(svc: &Services, actor: &Actor, id: RecordId) -> Result<Record, AppError> {
    let r = load(svc, actor, id).await?;
    if r.kind != Kind::Customer {
        return Err(AppError::Conflict {
            message: "this record is a lead; convert it to a customer first".into(),
            current: None,
        });
    }
    Ok(r)
}

/// Archived records take no writes.
pub fn writable(r: &Record) -> Result<(), AppError> {
    if r.archived {
        return Err(AppError::Conflict { message: ARCHIVED.into(), current: None });
    }
    Ok(())
}
