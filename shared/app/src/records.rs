//! Reading leads and customers: a record's item, what a reader may see of it (the masking every read path goes
//! through), the page size and the Archive Status filter of the lists.

use crate::items::item_of;
use crate::{ssn, Actor, AppError, Services};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use vigil_api::leads::{HistoryEntry, LeadRow};
use vigil_domain::fields::{apply_seen, mask_record, seen, Seen};
use vigil_domain::lead;
use vigil_domain::record::{Kind, Record};
use vigil_domain::{CompanyId, ConfidentialField, FieldError, Permissions, Resource};
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

/// The record's fields as `actor` may read them (`vigil_domain::fields::mask_record`), with `ssn` the full number
/// for a holder of the SSN grant, `***` for everyone else, `null` when none is stored. Every read of a record's
/// fields starts here.
pub fn masked(svc: &Services, actor: &Actor, r: &Record) -> Result<Map<String, Value>, AppError> {
    let mut flat = match serde_json::to_value(r) {
        Ok(Value::Object(m)) => m,
        _ => return Err(AppError::Internal("a record does not serialise as an object".into())),
    };
    flat.insert("ssn".into(), ssn_value(svc, actor, r));
    mask_record(&mut flat, r.kind, &actor.user.permissions);
    Ok(flat)
}

/// The SSN as the reader sees it.
fn ssn_value(svc: &Services, actor: &Actor, r: &Record) -> Value {
    match &r.lead.ssn_encrypted {
        None => Value::Null,
        Some(_) if !actor.user.permissions.sees_confidential(ConfidentialField::Ssn) => json!(lead::mask_ssn(None)),
        Some(stored) => json!(ssn::reveal(svc.data_keys.as_ref(), actor.company(), r.id, stored)),
    }
}

/// A masked record (or row) back in its contract type. A hidden field is absent from the masked map; the types
/// that require it get it blank.
pub fn typed<T: DeserializeOwned>(mut flat: Map<String, Value>) -> Result<T, AppError> {
    flat.entry("primary_phone").or_insert_with(|| json!(""));
    // serde's message may quote the offending value, which can be personal data: the error names the type only.
    serde_json::from_value(Value::Object(flat)).map_err(|_| {
        AppError::Internal(format!("a masked record does not read back as {}", std::any::type_name::<T>()))
    })
}

/// A row of the Leads list or the Customer List as the reader may see it.
pub fn mask_row(row: LeadRow, perms: &Permissions) -> Result<LeadRow, AppError> {
    let mut flat = match serde_json::to_value(&row) {
        Ok(Value::Object(m)) => m,
        _ => return Err(AppError::Internal("a list row does not serialise as an object".into())),
    };
    mask_record(&mut flat, row.kind, perms);
    typed(flat)
}

/// History entries as the reader may see them: a change to a field the reader may not see is left out, one to a
/// confidential field reads as `***` either side.
pub fn mask_history(entries: Vec<HistoryEntry>, kind: Kind, perms: &Permissions) -> Vec<HistoryEntry> {
    entries
        .into_iter()
        .filter_map(|mut e| match seen(&e.field, kind, perms) {
            Seen::Hidden => None,
            how => {
                e.before = apply_seen(how, e.before);
                e.after = apply_seen(how, e.after);
                Some(e)
            }
        })
        .collect()
}

/// One page, newest first, of the items of partition `pk` whose sort keys start with `prefix`, parsed as `T`, and
/// the signed cursor of the next page (sealed to `fingerprint`, which names the caller's company, the list and the
/// page size, so a cursor cannot be replayed against another list).
pub async fn newest_first<T: DeserializeOwned>(
    svc: &Services,
    fingerprint: &str,
    pk: String,
    prefix: &str,
    per_page: PerPage,
    cursor: Option<&str>,
) -> Result<(Vec<T>, Option<String>), AppError> {
    let start = match cursor {
        Some(c) if !c.is_empty() => Some(svc.cursors.open(fingerprint, c)?),
        _ => None,
    };
    let q = vigil_store::Query::new(vigil_store::Index::Base, pk)
        .sort(vigil_store::SortCond::BeginsWith(prefix.into()))
        .backward()
        .limit(per_page.get())
        .start(start);
    let page = svc.table.query(&q).await?;
    let last = page.items.last().and_then(vigil_store::Key::of).map(|k| k.to_item());
    let full = page.items.len() as u32 == per_page.get();
    let items = page.items.into_iter().map(crate::items::from_item).collect::<Result<Vec<T>, _>>()?;
    let next_cursor = match (page.last_key.is_some() || full, last) {
        (true, Some(k)) => Some(svc.cursors.seal(fingerprint, &k)),
        _ => None,
    };
    Ok((items, next_cursor))
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
