//! A lead as a client sees it: loading it for the actor, the masked view, and the single-lead read.

use super::STALE;
use crate::items::from_item;
use crate::{custom_fields, records, Actor, AppError, Services};
use vigil_domain::identity::Target;
use vigil_domain::record::{Kind, Record};
use vigil_domain::{Action, RecordId, Resource};
use vigil_store::keys;

pub(crate) fn target(r: &Record) -> Target<'_> {
    Target::of(r)
}

/// A lead of the actor's company the actor may view. A customer (its own route serves it) or a record being deleted
/// is not found, exactly like another company's ID, and before any permission check, so the answer says nothing
/// about what the ID is.
pub(crate) async fn load(svc: &Services, actor: &Actor, id: RecordId) -> Result<Record, AppError> {
    let item = svc.table.get(&keys::record(actor.company(), id)).await?.ok_or(AppError::NotFound("lead"))?;
    let record: Record = from_item(item)?;
    if record.kind != Kind::Lead || record.lead.customer.deleting {
        return Err(AppError::NotFound("lead"));
    }
    actor.require(Resource::Leads, Action::View, target(&record))?;
    // A pending lead does not exist for a user without the Pending permission (as on the list).
    if record.location() == vigil_domain::record::LeadLocation::Pending
        && !actor.user.permissions.allows_somewhere(Resource::PendingLeads, Action::View)
    {
        return Err(AppError::NotFound("lead"));
    }
    Ok(record)
}

// ---------------------------------------------------------------------------------------------------------------
// What a client sees of a lead.

pub use vigil_api::leads::LeadView;

/// A lead as the API returns it: the record as the actor may read it (`records::masked`: hidden fields blank,
/// confidential ones `***`, never the SSN ciphertext or blind index), plus `ssn` — `None` when none is stored, the
/// full number for users holding the SSN grant, `***` for everyone else.
pub fn view(svc: &Services, actor: &Actor, r: &Record) -> Result<LeadView, AppError> {
    records::typed(records::masked(svc, actor, r)?)
}

/// `GET /api/v1/leads/{id}`: leads only; a customer is read through `GET /api/v1/customers/{id}`.
///
/// The lead page's read also carries `custom_fields_card`: the Custom Fields card rows (active definitions in order
/// with this record's values, exactly `cards.custom_fields` of the customer Home read; `null` when the company has
/// none). Added here rather than having the lead page call `GET /api/v1/customers/{id}`, which reads the whole
/// partition for tab counts the lead page does not show. Only this read carries it: the writes return the record,
/// whose `custom_fields` holds the values, and the definitions do not change with a lead save.
pub async fn get(svc: &Services, actor: &Actor, id: RecordId) -> Result<LeadView, AppError> {
    let r = load(svc, actor, id).await?;
    let mut v = view(svc, actor, &r)?;
    v.custom_fields_card = Some(custom_fields::card(svc, actor.company(), &r).await?);
    Ok(v)
}

pub(super) fn conflict(svc: &Services, actor: &Actor, current: &Record) -> AppError {
    AppError::Conflict {
        message: STALE.into(),
        current: view(svc, actor, current).ok().and_then(|v| serde_json::to_value(v).ok()),
    }
}
