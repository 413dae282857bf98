//! Reading a record's partition: its sub-records and sub-customer links, or one collection.

use super::collection::{Collection, SubRecord};
use crate::items::from_item;
use crate::{AppError, Services};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_domain::RecordId;
use vigil_store::{keys, Index, Query, SortCond};

/// What one Query of a record's partition holds besides the profile: its sub-records and, for a parent, the links
/// to its sub-customers.
#[derive(Debug, Clone, Default)]
pub struct Partition {
    pub items: Vec<SubRecord>,
    pub children: Vec<ChildLink>,
}

/// A parent's link item to one sub-customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildLink {
    pub id: RecordId,
    pub name: String,
}

/// Reads the record's partition in one Query (paged to the end).
pub async fn partition(svc: &Services, co: &vigil_domain::CompanyId, id: RecordId) -> Result<Partition, AppError> {
    let mut out = Partition::default();
    for item in svc.table.query_all(&Query::new(Index::Base, keys::record_pk(co, id))).await? {
        let sk = item.get(vigil_store::SK).and_then(Value::as_str).unwrap_or_default().to_owned();
        if sk.starts_with(keys::SUB_CUSTOMER_PREFIX) {
            out.children.push(from_item(item)?);
        } else if Collection::of_sk(&sk).is_some() {
            out.items.push(from_item(item)?);
        }
    }
    Ok(out)
}

pub(super) async fn of_collection(
    svc: &Services,
    co: &vigil_domain::CompanyId,
    id: RecordId,
    c: Collection,
) -> Result<Vec<SubRecord>, AppError> {
    let q = Query::new(Index::Base, keys::record_pk(co, id)).sort(SortCond::BeginsWith(format!("{}#", c.prefix())));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}
