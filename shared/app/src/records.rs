//! Reading leads and customers: one record, its item, the page size and the Archive Status filter of the lists.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use vigil_domain::identity::Target;
use vigil_domain::record::{Kind, Record};
use vigil_domain::{Action, CompanyId, FieldError, RecordId, Resource};
use vigil_store::{keys, Item};

pub fn resource_of(kind: Kind) -> Resource {
    match kind {
        Kind::Lead => Resource::Leads,
        Kind::Customer => Resource::Customers,
    }
}

/// The profile item with every index attribute its access paths need.
pub fn record_item(co: &CompanyId, r: &Record) -> Item {
    let (g1pk, g1sk) = keys::records_by_name_gsi1(co, r.kind, &r.last_name, &r.first_name, r.id);
    let (g2pk, g2sk) = keys::records_by_id_gsi2(co, r.kind, r.id);
    let mut attrs = vec![("GSI1PK", g1pk), ("GSI1SK", g1sk), ("GSI2PK", g2pk), ("GSI2SK", g2sk)];
    if let Some(rep) = &r.lead_rep_id {
        let (pk, sk) = keys::records_by_rep_gsi3(co, r.kind, rep, r.id);
        attrs.extend([("GSI3PK", pk), ("GSI3SK", sk)]);
    }
    if let (Kind::Lead, Some(date)) = (r.kind, &r.next_followup) {
        let (pk, sk) = keys::followups_gsi4(co, date, r.id);
        attrs.extend([("GSI4PK", pk), ("GSI4SK", sk)]);
    }
    item_of(&keys::record(co, r.id), r, &attrs)
}

/// One lead or customer. Another company's ID is simply not found; a record the user may not view is 403.
pub async fn get(svc: &Services, actor: &Actor, id: RecordId) -> Result<Record, AppError> {
    let item = svc.table.get(&keys::record(actor.company(), id)).await?.ok_or(AppError::NotFound("record"))?;
    let record: Record = from_item(item)?;
    actor.require(
        resource_of(record.kind),
        Action::View,
        Target { location: record.office_location_id, owner: record.lead_rep_id.as_ref() },
    )?;
    Ok(record)
}

/// Page sizes the lists offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerPage(u32);

impl PerPage {
    pub fn parse(s: Option<&str>) -> Result<Self, FieldError> {
        match s {
            None | Some("") => Ok(Self(25)),
            Some("10") => Ok(Self(10)),
            Some("25") => Ok(Self(25)),
            Some("50") => Ok(Self(50)),
            Some(_) => Err(FieldError::new("per_page", "invalid", "per_page must be 10, 25 or 50")),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// The Customer List's Archive Status filter (`archived=all|archived_only|active_only`, all by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArchiveFilter {
    #[default]
    All,
    ArchivedOnly,
    ActiveOnly,
}

impl ArchiveFilter {
    pub fn parse(s: Option<&str>) -> Result<Self, FieldError> {
        match s {
            None | Some("") | Some("all") => Ok(Self::All),
            Some("archived_only") => Ok(Self::ArchivedOnly),
            Some("active_only") => Ok(Self::ActiveOnly),
            Some(_) => {
                Err(FieldError::new("archived", "invalid", "archived must be all, archived_only or active_only"))
            }
        }
    }

    pub fn keeps(self, archived: bool) -> bool {
        match self {
            Self::All => true,
            Self::ArchivedOnly => archived,
            Self::ActiveOnly => !archived,
        }
    }
}
