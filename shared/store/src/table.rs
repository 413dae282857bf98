//! The `Table` port: DynamoDB's single-table operations, expressed as Rust types instead of expression strings, so
//! both backends interpret exactly the same requests.

use async_trait::async_trait;
use serde_json::Value;

/// One stored item: attribute name to value. `PK` and `SK` (and any `GSInPK`/`GSInSK`) are strings; numbers are
/// JSON numbers (DynamoDB `N`); every mutable item carries a numeric `version`; `expires_at` (epoch seconds) is the
/// TTL attribute.
pub type Item = serde_json::Map<String, Value>;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const VERSION: &str = "version";
pub const EXPIRES_AT: &str = "expires_at";

/// A base-table primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self { pk: pk.into(), sk: sk.into() }
    }

    /// The key attributes as an item, the start of a new item.
    pub fn to_item(&self) -> Item {
        let mut item = Item::new();
        item.insert(PK.into(), Value::String(self.pk.clone()));
        item.insert(SK.into(), Value::String(self.sk.clone()));
        item
    }

    /// The key of a stored item; `None` when the item lacks string `PK`/`SK`.
    pub fn of(item: &Item) -> Option<Self> {
        Some(Self::new(item.get(PK)?.as_str()?, item.get(SK)?.as_str()?))
    }
}

/// The base table or one of the overloaded global secondary indexes. Every index projects all attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Index {
    Base,
    Gsi1,
    Gsi2,
    Gsi3,
    Gsi4,
}

impl Index {
    pub const GSIS: [Index; 4] = [Index::Gsi1, Index::Gsi2, Index::Gsi3, Index::Gsi4];

    /// The DynamoDB index name (`None` for the base table).
    pub fn name(self) -> Option<&'static str> {
        match self {
            Index::Base => None,
            Index::Gsi1 => Some("GSI1"),
            Index::Gsi2 => Some("GSI2"),
            Index::Gsi3 => Some("GSI3"),
            Index::Gsi4 => Some("GSI4"),
        }
    }

    pub fn pk_attr(self) -> &'static str {
        match self {
            Index::Base => PK,
            Index::Gsi1 => "GSI1PK",
            Index::Gsi2 => "GSI2PK",
            Index::Gsi3 => "GSI3PK",
            Index::Gsi4 => "GSI4PK",
        }
    }

    pub fn sk_attr(self) -> &'static str {
        match self {
            Index::Base => SK,
            Index::Gsi1 => "GSI1SK",
            Index::Gsi2 => "GSI2SK",
            Index::Gsi3 => "GSI3SK",
            Index::Gsi4 => "GSI4SK",
        }
    }
}

/// A condition on the sort key of a query (string comparison, as DynamoDB compares `S` keys: by UTF-8 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortCond {
    Eq(String),
    BeginsWith(String),
    /// Inclusive on both ends.
    Between(String, String),
    Lt(String),
    Le(String),
    Gt(String),
    Ge(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub index: Index,
    /// Equality on the index's partition key.
    pub pk: String,
    pub sort: Option<SortCond>,
    /// Ascending by sort key when true.
    pub forward: bool,
    /// At most this many items (DynamoDB `Limit`). `None` reads to the end of the partition (1 MB pages in AWS).
    pub limit: Option<u32>,
    /// Exclusive start: the `last_key` of the previous page.
    pub start: Option<Item>,
}

impl Query {
    pub fn new(index: Index, pk: impl Into<String>) -> Self {
        Self { index, pk: pk.into(), sort: None, forward: true, limit: None, start: None }
    }

    pub fn sort(mut self, cond: SortCond) -> Self {
        self.sort = Some(cond);
        self
    }

    pub fn backward(mut self) -> Self {
        self.forward = false;
        self
    }

    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    pub fn start(mut self, last_key: Option<Item>) -> Self {
        self.start = last_key;
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    /// Present when more items may follow: pass it as the next query's `start`. Holds the base key attributes and,
    /// for a GSI query, that index's key attributes (as DynamoDB's `LastEvaluatedKey`).
    pub last_key: Option<Item>,
}

/// A condition on the item as stored. `attribute_not_exists(PK)` is how "must not exist" is said.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The item does not exist.
    NotExists,
    /// The item exists.
    Exists,
    /// The item exists and its `version` equals this.
    VersionIs(u64),
    AttrEquals(String, Value),
    AttrExists(String),
    AttrNotExists(String),
    /// The attribute exists and is a number less than this.
    AttrLessThan(String, f64),
    And(Vec<Condition>),
    Or(Vec<Condition>),
}

/// An update of some attributes. Applied in order: `set`, then `remove`, then `add` (numeric add; a missing
/// attribute counts as 0). Updating a missing item creates it (as DynamoDB does) unless a condition says otherwise.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Item,
    pub remove: Vec<String>,
    pub add: Vec<(String, i64)>,
}

impl Update {
    pub fn set(mut self, attr: impl Into<String>, v: impl Into<Value>) -> Self {
        self.set.insert(attr.into(), v.into());
        self
    }

    pub fn remove(mut self, attr: impl Into<String>) -> Self {
        self.remove.push(attr.into());
        self
    }

    pub fn add(mut self, attr: impl Into<String>, by: i64) -> Self {
        self.add.push((attr.into(), by));
        self
    }
}

/// One operation of an all-or-nothing transaction (at most 100, no two on the same key).
#[derive(Debug, Clone, PartialEq)]
pub enum TxOp {
    Put { item: Item, cond: Option<Condition> },
    Update { key: Key, update: Update, cond: Option<Condition> },
    Delete { key: Key, cond: Option<Condition> },
    Check { key: Key, cond: Condition },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// A condition did not hold. `op` is the index of the failing operation within a transaction (`None` for a
    /// single write); `current` is the item as stored when the backend reports it (`None` if it does not exist).
    #[error("condition failed{}", .op.map(|i| format!(" on transaction operation {i}")).unwrap_or_default())]
    ConditionFailed { op: Option<usize>, current: Option<Item> },
    /// Another writer got in the way (a transaction conflict, throttling); safe to retry.
    #[error("conflicting write in progress, retry")]
    Busy,
    /// The request itself is malformed (missing key attributes, too many transaction operations, …). A bug, not bad
    /// user input.
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("storage backend failed: {0}")]
    Backend(String),
}

/// DynamoDB's limits, which both backends enforce (the embedded one itself, so code that breaks them fails on a
/// laptop, not only in AWS). Key values are measured in UTF-8 bytes, for the base table's keys and every GSI's alike;
/// a query's key condition is held to them too.
pub const MAX_PK_BYTES: usize = 2048;
pub const MAX_SK_BYTES: usize = 1024;
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// Operations in one [`Table::transact`].
pub const MAX_TX_OPS: usize = 100;

/// The most items [`Table::query_all`] returns. It is meant for partitions that stay small by nature (a record's
/// partition, a company's tags or dispositions), read whole because the caller needs every item. A partition past
/// this bound is one that grows with the business; reading it whole would make a request's cost (and memory, and
/// latency) grow with the table, so the read fails instead and such a list must be paged with a cursor.
pub const QUERY_ALL_MAX: usize = 10_000;

#[async_trait]
pub trait Table: Send + Sync {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Writes the whole item (replacing any item with its key) if `cond` holds.
    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError>;

    /// Applies `update` if `cond` holds; returns the item as it is afterwards.
    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError>;

    /// Deletes the item if `cond` holds; returns it as it was (`None` if there was none).
    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError>;

    async fn query(&self, query: &Query) -> Result<Page, StoreError>;

    /// Every item of `query`, all pages read in order (`limit`, if set, is the size of each page read). Fails with
    /// [`StoreError::Invalid`] once more than [`QUERY_ALL_MAX`] items have been read, rather than read on.
    async fn query_all(&self, query: &Query) -> Result<Vec<Item>, StoreError> {
        let mut q = query.clone();
        let mut out = Vec::new();
        loop {
            // Never ask for more than one item past the bound, so a backend without a page size of its own (the
            // embedded one) stops there too.
            let room = u32::try_from(QUERY_ALL_MAX + 1 - out.len()).unwrap_or(u32::MAX);
            q.limit = Some(query.limit.map_or(room, |l| l.min(room)));
            let page = self.query(&q).await?;
            out.extend(page.items);
            if out.len() > QUERY_ALL_MAX {
                return Err(StoreError::Invalid(format!(
                    "query_all on {:?} partition {} passed {QUERY_ALL_MAX} items; page it with a cursor instead",
                    q.index, q.pk
                )));
            }
            match page.last_key {
                Some(k) => q.start = Some(k),
                None => return Ok(out),
            }
        }
    }

    /// One page of each query, in the order asked: for bulk jobs that would otherwise query row by row (an import's
    /// duplicate check). DynamoDB has no batched query, so this is one query after another (callers keep a few such
    /// calls in flight); the embedded backend answers them all in one call on its connection.
    async fn query_each(&self, queries: &[Query]) -> Result<Vec<Page>, StoreError> {
        let mut pages = Vec::with_capacity(queries.len());
        for q in queries {
            pages.push(self.query(q).await?);
        }
        Ok(pages)
    }

    /// Reads many items by key; missing ones are left out. Order is not kept. Any number of keys.
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError>;

    /// Writes many items unconditionally, in chunks (not atomic as a whole). For seeding and bulk moves. Borrowed,
    /// so a wrapper that retries the call needs no copy of the items.
    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError>;

    /// Deletes many items unconditionally, in chunks (not atomic as a whole).
    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError>;

    /// All operations or none.
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError>;

    /// Atomically adds `by` to the counter item's `value` (creating it at 0) and returns the new value. Per-company
    /// sequential IDs come from here.
    async fn increment(&self, key: &Key, by: i64) -> Result<i64, StoreError> {
        let item = self.update(key, Update::default().add("value", by), None).await?;
        item.get("value")
            .and_then(Value::as_i64)
            .ok_or_else(|| StoreError::Backend("counter has no numeric value".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A partition that never ends: every query returns a full page and a `last_key`.
    #[derive(Default)]
    struct Endless {
        served: AtomicUsize,
    }

    #[async_trait]
    impl Table for Endless {
        async fn get(&self, _: &Key) -> Result<Option<Item>, StoreError> {
            Ok(None)
        }
        async fn put(&self, _: Item, _: Option<Condition>) -> Result<(), StoreError> {
            Ok(())
        }
        async fn update(&self, _: &Key, _: Update, _: Option<Condition>) -> Result<Item, StoreError> {
            Ok(Item::new())
        }
        async fn delete(&self, _: &Key, _: Option<Condition>) -> Result<Option<Item>, StoreError> {
            Ok(None)
        }
        async fn query(&self, q: &Query) -> Result<Page, StoreError> {
            let n = q.limit.map_or(5000, |l| l as usize);
            let first = self.served.fetch_add(n, Ordering::SeqCst);
            let items: Vec<Item> = (first..first + n).map(|i| Key::new(&q.pk, format!("{i:08}")).to_item()).collect();
            let last_key = items.last().cloned();
            Ok(Page { items, last_key })
        }
        async fn batch_get(&self, _: &[Key]) -> Result<Vec<Item>, StoreError> {
            Ok(vec![])
        }
        async fn batch_put(&self, _: &[Item]) -> Result<(), StoreError> {
            Ok(())
        }
        async fn batch_delete(&self, _: &[Key]) -> Result<(), StoreError> {
            Ok(())
        }
        async fn transact(&self, _: Vec<TxOp>) -> Result<(), StoreError> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn query_all_stops_one_item_past_the_bound() {
        for limit in [None, Some(7), Some(3000), Some(u32::MAX)] {
            let t = Endless::default();
            let mut q = Query::new(Index::Base, "C#acme#TAGS");
            q.limit = limit;
            match t.query_all(&q).await {
                Err(StoreError::Invalid(msg)) => assert!(msg.contains("C#acme#TAGS"), "{msg}"),
                other => panic!("{limit:?}: {:?}", other.map(|v| v.len())),
            }
            assert_eq!(t.served.load(Ordering::SeqCst), QUERY_ALL_MAX + 1, "{limit:?}: read no further than the bound");
        }
    }
}
