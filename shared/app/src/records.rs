//! Reading leads and customers: one record, and the newest-first list a page at a time.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
use serde::Serialize;
use serde_json::Value;
use vigil_domain::identity::Target;
use vigil_domain::record::{Kind, Record, Stage};
use vigil_domain::{Action, CompanyId, FieldError, RecordId, Resource};
use vigil_store::{keys, Index, Item, Query, PK, SK};

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

/// A row of the Leads or Customers list.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub id: RecordId,
    pub kind: Kind,
    pub first_name: String,
    pub last_name: String,
    pub city: String,
    pub state: String,
    pub primary_phone: String,
    pub email: Option<String>,
    pub stage: Stage,
    pub rating: u8,
    pub archived: bool,
    pub created_at: String,
}

impl From<Record> for Row {
    fn from(r: Record) -> Self {
        Row {
            id: r.id,
            kind: r.kind,
            first_name: r.first_name,
            last_name: r.last_name,
            city: r.city,
            state: r.state,
            primary_phone: r.primary_phone,
            email: r.email,
            stage: r.stage,
            rating: r.rating,
            archived: r.archived,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ListMeta {
    /// Stored items this request read.
    pub items_read: u32,
    /// The index the request used.
    pub access_path: &'static str,
    pub total: u64,
    /// False when `total` is an estimate (the user sees only part of the company's records).
    pub total_exact: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListPage {
    pub items: Vec<Row>,
    pub next_cursor: Option<String>,
    pub meta: ListMeta,
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
            Some(_) => Err(FieldError::new("archived", "invalid", "archived must be all, archived_only or active_only")),
        }
    }

    fn keeps(self, archived: bool) -> bool {
        match self {
            Self::All => true,
            Self::ArchivedOnly => archived,
            Self::ActiveOnly => !archived,
        }
    }
}

/// How many items one list request may read before it returns a short page with a cursor, so a user who can see
/// few of many records still gets a bounded request.
const READ_BUDGET_PAGES: u32 = 8;

/// Newest first. Users limited to their own records list through their own index; users limited to some locations
/// read the company index and skip what they may not see, within a read budget.
pub async fn list(svc: &Services, actor: &Actor, kind: Kind, per_page: PerPage, cursor: Option<&str>) -> Result<ListPage, AppError> {
    list_filtered(svc, actor, kind, per_page, cursor, ArchiveFilter::All).await
}

/// As [`list`], keeping only the rows the archive filter wants (skipped rows count against the read budget).
pub async fn list_filtered(
    svc: &Services,
    actor: &Actor,
    kind: Kind,
    per_page: PerPage,
    cursor: Option<&str>,
    archive: ArchiveFilter,
) -> Result<ListPage, AppError> {
    let resource = resource_of(kind);
    actor.require_somewhere(resource, Action::View)?;
    let co = actor.company();
    let perms = &actor.user.permissions;
    let own_only = perms.own_only(resource, Action::View);
    let (index, pk, access_path) = if own_only {
        let (pk, _) = keys::records_by_rep_gsi3(co, kind, actor.id(), RecordId(1));
        (Index::Gsi3, pk, "gsi3_rep_by_id")
    } else {
        let (pk, _) = keys::records_by_id_gsi2(co, kind, RecordId(1));
        (Index::Gsi2, pk, "gsi2_by_id")
    };
    let fingerprint = match archive {
        ArchiveFilter::All => format!("{co}|{}|{kind:?}|{access_path}|{}", actor.id(), per_page.get()),
        other => format!("{co}|{}|{kind:?}|{access_path}|{}|{other:?}", actor.id(), per_page.get()),
    };
    let mut start = match cursor {
        Some(c) if !c.is_empty() => Some(svc.cursors.open(&fingerprint, c)?),
        _ => None,
    };

    let want = per_page.get() as usize;
    let budget = per_page.get() * READ_BUDGET_PAGES;
    let mut rows = Vec::with_capacity(want);
    let mut items_read = 0u32;
    let mut last_seen: Option<Item> = None;
    let mut has_more = true;
    'pages: while items_read < budget {
        // One more than needed tells whether another page exists without a trailing empty page.
        let need = (want - rows.len()) as u32 + 1;
        let page = svc.table.query(&Query::new(index, pk.clone()).backward().limit(need).start(start.take())).await?;
        items_read += page.items.len() as u32;
        for item in page.items {
            if rows.len() == want {
                break 'pages; // the lookahead item exists: there is a next page after `last_seen`
            }
            let key_attrs = key_of(&item, index);
            let record: Record = from_item(item)?;
            let target = Target { location: record.office_location_id, owner: record.lead_rep_id.as_ref() };
            if perms.allows(actor.id(), resource, Action::View, target) && archive.keeps(record.archived) && !record.lead.customer.deleting {
                rows.push(Row::from(record));
            }
            last_seen = Some(key_attrs);
        }
        if page.last_key.is_none() {
            has_more = false;
            break;
        }
        start = last_seen.clone();
    }
    let next_cursor = match (&last_seen, has_more) {
        (Some(k), true) => Some(svc.cursors.seal(&fingerprint, k)),
        _ => None,
    };
    let total = svc.table.get(&keys::record_total(co, kind)).await?.and_then(|i| i.get("value").and_then(Value::as_u64)).unwrap_or(0);
    let restricted = own_only || !perms.grants.iter().any(|g| g.resource == resource && g.actions.contains(&Action::View) && g.locations == vigil_domain::LocationScope::All);
    Ok(ListPage {
        items: rows,
        next_cursor,
        meta: ListMeta {
            items_read: items_read + 1, // the counter item
            access_path,
            // A restricted user's count would need a counter per rep/location; the company total bounds it.
            total,
            total_exact: !restricted,
        },
    })
}

/// The attributes DynamoDB's `LastEvaluatedKey` holds for an item read through `index`.
fn key_of(item: &Item, index: Index) -> Item {
    let mut k = Item::new();
    for attr in [PK, SK, index.pk_attr(), index.sk_attr()] {
        if let Some(v) = item.get(attr) {
            k.insert(attr.to_owned(), v.clone());
        }
    }
    k
}
