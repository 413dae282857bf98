//! The company's tags. Records store tag IDs; admins create tags; anyone with Tags View lists them.

use crate::items::{from_item, item_of};
use crate::{Actor, AppError, Services};
pub use vigil_api::leads::{NewTag, Tag};
use vigil_domain::record::Record;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, Resource, TagId};
use vigil_store::table::MAX_TX_OPS;
use vigil_store::{keys, Condition, Index, Query, SortCond, StoreError, TxOp};

pub fn tag_item(co: &CompanyId, t: &Tag) -> vigil_store::Item {
    item_of(&keys::tag(co, t.id), t, &[])
}

/// Every tag of the company, in ID order (a company has tens of tags, not thousands).
pub async fn all(svc: &Services, co: &CompanyId) -> Result<Vec<Tag>, AppError> {
    let q = Query::new(Index::Base, keys::company_pk(co)).sort(SortCond::BeginsWith(keys::TAG_PREFIX.into()));
    svc.table.query_all(&q).await?.into_iter().map(from_item).collect()
}

/// The record's tags with their names, for reads that show them; a tag since deleted shows as `#<id>`.
pub async fn named(
    svc: &Services,
    co: &CompanyId,
    ids: &[TagId],
) -> Result<Vec<vigil_api::leads::Named<TagId>>, AppError> {
    let all_tags = all(svc, co).await?;
    Ok(ids
        .iter()
        .map(|t| vigil_api::leads::Named {
            id: *t,
            name: all_tags.iter().find(|k| k.id == *t).map(|k| k.name.clone()).unwrap_or_else(|| format!("#{t}")),
        })
        .collect())
}

/// Parses `tag_ids` of a request into company tags: positive whole numbers, at most 50, each an existing tag.
pub async fn check_ids(svc: &Services, co: &CompanyId, raw: &[serde_json::Value]) -> Result<Vec<TagId>, AppError> {
    let mut ids = Vec::new();
    for v in raw {
        match v.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0) {
            Some(n) => ids.push(TagId(n)),
            None => {
                return Err(
                    Invalid::one("tag_ids", "invalid", "tag_ids must be tag IDs (positive whole numbers)").into()
                )
            }
        }
    }
    if ids.len() > 50 {
        return Err(Invalid::one("tag_ids", "too_many", "a record may have at most 50 tags").into());
    }
    let known = all(svc, co).await?;
    let unknown: Vec<String> =
        ids.iter().filter(|t| !known.iter().any(|k| k.id == **t)).map(|t| t.to_string()).collect();
    if !unknown.is_empty() {
        return Err(Invalid::one("tag_ids", "not_found", format!("no such tag: {}", unknown.join(", "))).into());
    }
    Ok(ids)
}

/// Writes a record change makes besides its index items and counters: the profile, one history entry, and a lead's
/// duplicate lookup item.
const RECORD_OPS: usize = 3;

/// Refuses (422 on `tag_ids`) a tag change whose one transaction would pass DynamoDB's 100 operations: every tag
/// added or removed moves a counter, and the record's index items are rewritten, so replacing many tags with as many
/// others cannot be written atomically. Splitting it would leave the record half-changed if the second write failed.
pub fn check_change(co: &CompanyId, old: &Record, new: &Record) -> Result<(), AppError> {
    let ops = RECORD_OPS + crate::record_index::index_writes(co, Some(old), Some(new)).len();
    if ops > MAX_TX_OPS {
        let added = new.tags.iter().filter(|t| !old.tags.contains(t)).count();
        let removed = old.tags.iter().filter(|t| !new.tags.contains(t)).count();
        return Err(Invalid::one(
            "tag_ids",
            "too_many_changes",
            format!(
                "this adds {added} and removes {removed} tags at once, more than one save can write; \
                 change fewer tags at a time"
            ),
        )
        .into());
    }
    Ok(())
}

/// Refuses (422 on `tags`) a write of `record` whose one transaction (`ops`) would pass DynamoDB's 100 operations.
/// Tags are what makes a record's write grow (a counter each, moved twice when the record changes kind), so a
/// conversion of a lead with many tags is asked to drop some first rather than fail in the store.
pub fn check_write(ops: &[TxOp], record: &Record) -> Result<(), AppError> {
    if ops.len() > MAX_TX_OPS {
        return Err(Invalid::one(
            "tags",
            "too_many",
            format!(
                "with {} tags this record is too big to change in one write; remove some tags first",
                record.tags.len()
            ),
        )
        .into());
    }
    Ok(())
}

pub async fn list(svc: &Services, actor: &Actor) -> Result<Vec<Tag>, AppError> {
    actor.require_somewhere(Resource::Tags, Action::View)?;
    all(svc, actor.company()).await
}

/// Admins (Tags Create) add a tag; names are 1–50 characters and unique ignoring case.
pub async fn create(svc: &Services, actor: &Actor, input: NewTag) -> Result<Tag, AppError> {
    actor.require_somewhere(Resource::Tags, Action::Create)?;
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        return Err(Invalid::from(FieldError::required("name")).into());
    }
    if name.chars().count() > 50 {
        return Err(Invalid::one("name", "too_long", "tag names are at most 50 characters").into());
    }
    let co = actor.company();
    if all(svc, co).await?.iter().any(|t| t.name.eq_ignore_ascii_case(&name)) {
        return Err(Invalid::one("name", "taken", "a tag with this name exists already").into());
    }
    let id = TagId(
        u32::try_from(svc.table.increment(&keys::tag_sequence(co), 1).await?)
            .map_err(|_| AppError::Internal("tag sequence overflow".into()))?,
    );
    let tag = Tag { id, name };
    // The read above answers the common case clearly; the name item's condition decides a race (two admins adding
    // "VIP" at once end with one tag).
    let ops = vec![
        TxOp::Put { item: tag_item(co, &tag), cond: Some(Condition::NotExists) },
        TxOp::Put { item: keys::tag_name(co, &tag.name).to_item(), cond: Some(Condition::NotExists) },
    ];
    match svc.table.transact(ops).await {
        Ok(()) => Ok(tag),
        Err(StoreError::ConditionFailed { op: Some(1), .. }) => {
            Err(Invalid::one("name", "taken", "a tag with this name exists already").into())
        }
        Err(StoreError::ConditionFailed { .. }) => {
            Err(AppError::Conflict { message: "tag ID was taken; try again".into(), current: None })
        }
        Err(e) => Err(e.into()),
    }
}
