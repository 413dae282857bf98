//! [`Table`] on SQLite: one row per item (the JSON body plus its key columns), one partial index per GSI.

use super::{store_err, Shared};
use crate::table::{EXPIRES_AT, PK, SK, VERSION};
use crate::{Condition, Index, Item, Key, Page, Query, SortCond, StoreError, Table, TxOp, Update};
use async_trait::async_trait;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{Number, Value};
use std::collections::HashSet;
use std::sync::Arc;

// DynamoDB's limits, enforced here so code that breaks them fails on a laptop, not only in AWS.
use crate::table::{MAX_ITEM_BYTES, MAX_PK_BYTES, MAX_SK_BYTES, MAX_TX_OPS};
/// Bulk writes commit in chunks: big enough to amortise the commit, small enough not to hold the lock for long.
const BULK_CHUNK: usize = 500;

/// The [`Table`] port on the embedded database. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedTable {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EmbeddedTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedTable").finish_non_exhaustive()
    }
}

impl EmbeddedTable {
    pub(super) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }

    /// Deletes every item whose `expires_at` is before `now_epoch_secs`; returns how many. The local runtime calls
    /// this on a timer, playing DynamoDB's TTL sweeper.
    pub async fn sweep_expired(&self, now_epoch_secs: i64) -> Result<usize, StoreError> {
        self.shared
            .run(move |conn| {
                conn.execute(
                    "DELETE FROM items WHERE expires_at IS NOT NULL AND expires_at < ?1",
                    params![now_epoch_secs],
                )
                .map_err(store_err)
            })
            .await
    }
}

/// An item ready to store: the columns SQLite indexes, derived from the item so they never disagree with it.
struct Row {
    key: Key,
    gsi: [Option<(String, String)>; 4],
    expires_at: Option<i64>,
    body: String,
}

fn invalid(msg: impl Into<String>) -> StoreError {
    StoreError::Invalid(msg.into())
}

fn check_key(key: &Key) -> Result<(), StoreError> {
    if key.pk.is_empty() || key.sk.is_empty() {
        return Err(invalid(format!("key attributes must not be empty: {key:?}")));
    }
    check_key_len(PK, &key.pk, MAX_PK_BYTES)?;
    check_key_len(SK, &key.sk, MAX_SK_BYTES)
}

/// DynamoDB's size limit of a key value (base table or GSI, stored or queried). The message names the attribute and
/// the size only: key values carry names and emails, which must not reach logs.
fn check_key_len(attr: &str, value: &str, max: usize) -> Result<(), StoreError> {
    if value.len() > max {
        return Err(invalid(format!("key attribute {attr} is {} bytes, over the {max}-byte limit", value.len())));
    }
    Ok(())
}

fn key_of(item: &Item) -> Result<Key, StoreError> {
    let key = Key::of(item).ok_or_else(|| invalid("an item needs string PK and SK attributes"))?;
    check_key(&key)?;
    Ok(key)
}

/// A GSI key attribute: absent is fine (the item is just not in that index); present must be a non-empty string,
/// because DynamoDB rejects any other value for an index key.
fn gsi_attr<'a>(item: &'a Item, attr: &str) -> Result<Option<&'a str>, StoreError> {
    match item.get(attr) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => {
            let max = if attr.ends_with("PK") { MAX_PK_BYTES } else { MAX_SK_BYTES };
            check_key_len(attr, s, max)?;
            Ok(Some(s))
        }
        Some(other) => Err(invalid(format!("index key attribute {attr} must be a non-empty string, got {other}"))),
    }
}

fn row_of(item: &Item) -> Result<Row, StoreError> {
    let key = key_of(item)?;
    let mut gsi: [Option<(String, String)>; 4] = Default::default();
    for (slot, index) in gsi.iter_mut().zip(Index::GSIS) {
        let pk = gsi_attr(item, index.pk_attr())?;
        let sk = gsi_attr(item, index.sk_attr())?;
        if let (Some(pk), Some(sk)) = (pk, sk) {
            *slot = Some((pk.to_string(), sk.to_string()));
        }
    }
    // DynamoDB's TTL ignores an `expires_at` that is not a number, so this does too.
    let expires_at = item.get(EXPIRES_AT).and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)));
    let body = serde_json::to_string(item).map_err(|e| StoreError::Backend(format!("cannot encode item: {e}")))?;
    if body.len() > MAX_ITEM_BYTES {
        return Err(invalid(format!("item {key:?} is {} bytes, over the 400 KB limit", body.len())));
    }
    Ok(Row { key, gsi, expires_at, body })
}

fn decode(body: &str) -> Result<Item, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Backend(format!("stored item is not valid JSON: {e}")))
}

fn load(conn: &Connection, key: &Key) -> Result<Option<Item>, StoreError> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut stmt| stmt.query_row(params![key.pk, key.sk], |r| r.get(0)).optional())
        .map_err(store_err)?;
    body.as_deref().map(decode).transpose()
}

const UPSERT: &str = "INSERT INTO items (pk, sk, g1pk, g1sk, g2pk, g2sk, g3pk, g3sk, g4pk, g4sk, expires_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (pk, sk) DO UPDATE SET
            g1pk = excluded.g1pk, g1sk = excluded.g1sk, g2pk = excluded.g2pk, g2sk = excluded.g2sk,
            g3pk = excluded.g3pk, g3sk = excluded.g3sk, g4pk = excluded.g4pk, g4sk = excluded.g4sk,
            expires_at = excluded.expires_at, body = excluded.body";

fn upsert(stmt: &mut rusqlite::CachedStatement<'_>, row: &Row) -> Result<(), StoreError> {
    let g = |n: usize| row.gsi[n].as_ref();
    stmt.execute(params![
        row.key.pk,
        row.key.sk,
        g(0).map(|k| &k.0),
        g(0).map(|k| &k.1),
        g(1).map(|k| &k.0),
        g(1).map(|k| &k.1),
        g(2).map(|k| &k.0),
        g(2).map(|k| &k.1),
        g(3).map(|k| &k.0),
        g(3).map(|k| &k.1),
        row.expires_at,
        row.body,
    ])
    .map_err(store_err)?;
    Ok(())
}

fn store(conn: &Connection, row: &Row) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(UPSERT).map_err(store_err)?;
    upsert(&mut stmt, row)
}

fn remove(conn: &Connection, key: &Key) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
        .and_then(|mut stmt| stmt.execute(params![key.pk, key.sk]))
        .map_err(store_err)?;
    Ok(())
}

/// Numbers compare by value (DynamoDB `N`: `1` equals `1.0`); everything else structurally.
fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
            (Some(x), Some(y), _, _) => x == y,
            (_, _, Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

fn holds(cond: &Condition, current: Option<&Item>) -> bool {
    let attr = |name: &str| current.and_then(|i| i.get(name));
    match cond {
        Condition::NotExists => current.is_none(),
        Condition::Exists => current.is_some(),
        Condition::VersionIs(v) => attr(VERSION).is_some_and(|got| values_equal(got, &Value::from(*v))),
        Condition::AttrEquals(name, want) => attr(name).is_some_and(|got| values_equal(got, want)),
        Condition::AttrExists(name) => attr(name).is_some(),
        Condition::AttrNotExists(name) => attr(name).is_none(),
        Condition::AttrLessThan(name, bound) => attr(name).and_then(Value::as_f64).is_some_and(|got| got < *bound),
        Condition::And(all) => all.iter().all(|c| holds(c, current)),
        Condition::Or(any) => any.iter().any(|c| holds(c, current)),
    }
}

/// Rejects what DynamoDB's UpdateItem rejects: touching a key attribute, or naming one attribute twice.
fn check_update(update: &Update) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    let names = update.set.keys().chain(update.remove.iter()).chain(update.add.iter().map(|(name, _)| name));
    for name in names {
        if name == PK || name == SK {
            return Err(invalid(format!("an update cannot change the key attribute {name}")));
        }
        if name.is_empty() {
            return Err(invalid("an update names an empty attribute"));
        }
        if !seen.insert(name.as_str()) {
            return Err(invalid(format!("an update names attribute {name} twice")));
        }
    }
    Ok(())
}

/// The item after `update`, starting from `current` or, when there is none, from the bare key.
fn apply(key: &Key, current: Option<Item>, update: &Update) -> Result<Item, StoreError> {
    let mut item = current.unwrap_or_else(|| key.to_item());
    for (name, value) in &update.set {
        item.insert(name.clone(), value.clone());
    }
    for name in &update.remove {
        item.remove(name);
    }
    for (name, by) in &update.add {
        let sum = match item.get(name) {
            None => Value::from(*by),
            Some(Value::Number(n)) => match n.as_i64() {
                Some(i) => {
                    Value::from(i.checked_add(*by).ok_or_else(|| invalid(format!("adding {by} to {name} overflows")))?)
                }
                None => {
                    let f = n.as_f64().unwrap_or(0.0) + *by as f64;
                    Value::Number(
                        Number::from_f64(f).ok_or_else(|| invalid(format!("adding {by} to {name} is not a number")))?,
                    )
                }
            },
            Some(other) => return Err(invalid(format!("cannot add to {name}, which is not a number: {other}"))),
        };
        item.insert(name.clone(), sum);
    }
    Ok(item)
}

fn condition_failed(op: Option<usize>, current: Option<Item>) -> StoreError {
    StoreError::ConditionFailed { op, current }
}

/// The operation's key, with everything DynamoDB would reject before running the transaction checked.
fn check_tx_op(op: &TxOp) -> Result<Key, StoreError> {
    match op {
        TxOp::Put { item, .. } => Ok(row_of(item)?.key),
        TxOp::Update { key, update, .. } => {
            check_key(key)?;
            check_update(update)?;
            Ok(key.clone())
        }
        TxOp::Delete { key, .. } | TxOp::Check { key, .. } => {
            check_key(key)?;
            Ok(key.clone())
        }
    }
}

fn transact(conn: &mut Connection, ops: &[TxOp]) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store_err)?;
    // Keys are distinct, so no operation sees another's write: checking each against the stored state as we go is
    // the same as checking all first. An early return drops `tx`, which rolls everything back.
    for (n, op) in ops.iter().enumerate() {
        match op {
            TxOp::Put { item, cond } => {
                let row = row_of(item)?;
                if let Some(cond) = cond {
                    let current = load(&tx, &row.key)?;
                    if !holds(cond, current.as_ref()) {
                        return Err(condition_failed(Some(n), current));
                    }
                }
                store(&tx, &row)?;
            }
            TxOp::Update { key, update, cond } => {
                let current = load(&tx, key)?;
                if let Some(cond) = cond {
                    if !holds(cond, current.as_ref()) {
                        return Err(condition_failed(Some(n), current));
                    }
                }
                store(&tx, &row_of(&apply(key, current, update)?)?)?;
            }
            TxOp::Delete { key, cond } => {
                if let Some(cond) = cond {
                    let current = load(&tx, key)?;
                    if !holds(cond, current.as_ref()) {
                        return Err(condition_failed(Some(n), current));
                    }
                }
                remove(&tx, key)?;
            }
            TxOp::Check { key, cond } => {
                let current = load(&tx, key)?;
                if !holds(cond, current.as_ref()) {
                    return Err(condition_failed(Some(n), current));
                }
            }
        }
    }
    tx.commit().map_err(store_err)
}

/// Column names of an index: (partition, sort). The base table's rows are ordered by `sk` alone within a
/// partition; a GSI's by its sort key, then the base key, which makes the order total and pagination exact.
fn columns(index: Index) -> (&'static str, &'static str) {
    match index {
        Index::Base => ("pk", "sk"),
        Index::Gsi1 => ("g1pk", "g1sk"),
        Index::Gsi2 => ("g2pk", "g2sk"),
        Index::Gsi3 => ("g3pk", "g3sk"),
        Index::Gsi4 => ("g4pk", "g4sk"),
    }
}

/// The smallest string greater than every string starting with `prefix` (`None` if there is none). UTF-8 byte
/// order is code point order, so bumping the last code point (carrying past U+10FFFF) gives the exclusive bound
/// of a `begins_with` range scan; LIKE and GLOB would not be byte-wise and case-sensitive both.
fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let mut next = last as u32 + 1;
        if next == 0xD800 {
            next = 0xE000;
        }
        if let Some(c) = char::from_u32(next) {
            chars.push(c);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn start_attr<'a>(start: &'a Item, attr: &str) -> Result<&'a str, StoreError> {
    start.get(attr).and_then(Value::as_str).ok_or_else(|| invalid(format!("start key lacks string attribute {attr}")))
}

/// The SQL of `query` and its arguments; it reads at most one row past the limit, to know whether more follow.
fn query_sql(query: &Query) -> Result<(String, Vec<SqlValue>), StoreError> {
    if query.limit == Some(0) {
        return Err(invalid("query limit must be at least 1"));
    }
    if query.pk.is_empty() {
        return Err(invalid("query partition key must not be empty"));
    }
    // DynamoDB holds a key condition to the key size limits too (a value no key can have is a ValidationException,
    // not an empty page).
    check_key_len(query.index.pk_attr(), &query.pk, MAX_PK_BYTES)?;
    let sort_values: Vec<&String> = match &query.sort {
        None => vec![],
        Some(SortCond::Between(lo, hi)) => vec![lo, hi],
        Some(
            SortCond::Eq(v)
            | SortCond::BeginsWith(v)
            | SortCond::Lt(v)
            | SortCond::Le(v)
            | SortCond::Gt(v)
            | SortCond::Ge(v),
        ) => vec![v],
    };
    for v in sort_values {
        check_key_len(query.index.sk_attr(), v, MAX_SK_BYTES)?;
    }
    let (pk_col, sk_col) = columns(query.index);
    let mut sql = format!("SELECT body FROM items WHERE {pk_col} = ?");
    let mut args: Vec<SqlValue> = vec![SqlValue::Text(query.pk.clone())];
    let mut bound = |sql: &mut String, op: &str, value: &str| {
        sql.push_str(&format!(" AND {sk_col} {op} ?"));
        args.push(SqlValue::Text(value.to_string()));
    };
    match &query.sort {
        None => {}
        Some(SortCond::Eq(v)) => bound(&mut sql, "=", v),
        Some(SortCond::BeginsWith(prefix)) => {
            bound(&mut sql, ">=", prefix);
            if let Some(end) = prefix_successor(prefix) {
                bound(&mut sql, "<", &end);
            }
        }
        Some(SortCond::Between(lo, hi)) => {
            bound(&mut sql, ">=", lo);
            bound(&mut sql, "<=", hi);
        }
        Some(SortCond::Lt(v)) => bound(&mut sql, "<", v),
        Some(SortCond::Le(v)) => bound(&mut sql, "<=", v),
        Some(SortCond::Gt(v)) => bound(&mut sql, ">", v),
        Some(SortCond::Ge(v)) => bound(&mut sql, ">=", v),
    }
    let (cmp, dir) = if query.forward { (">", "ASC") } else { ("<", "DESC") };
    if let Some(start) = &query.start {
        // The start key must belong to the partition queried, or a cursor could walk into another tenant's items.
        if start_attr(start, query.index.pk_attr())? != query.pk {
            return Err(invalid("start key belongs to another partition"));
        }
        let start_sk = start_attr(start, query.index.sk_attr())?.to_string();
        if query.index == Index::Base {
            bound(&mut sql, cmp, &start_sk);
        } else {
            let (pk, sk) = (start_attr(start, PK)?.to_string(), start_attr(start, SK)?.to_string());
            // The plain bound on the sort key keeps the index range tight; the row value finishes the tie-break.
            let inclusive = format!("{cmp}=");
            bound(&mut sql, &inclusive, &start_sk);
            sql.push_str(&format!(" AND ({sk_col}, pk, sk) {cmp} (?, ?, ?)"));
            args.extend([SqlValue::Text(start_sk), SqlValue::Text(pk), SqlValue::Text(sk)]);
        }
    }
    if query.index == Index::Base {
        sql.push_str(&format!(" ORDER BY sk {dir}"));
    } else {
        sql.push_str(&format!(" ORDER BY {sk_col} {dir}, pk {dir}, sk {dir}"));
    }
    let fetch = query.limit.map(|l| i64::from(l) + 1).unwrap_or(-1);
    sql.push_str(" LIMIT ?");
    args.push(SqlValue::Integer(fetch));
    Ok((sql, args))
}

fn query(conn: &Connection, query: &Query) -> Result<Page, StoreError> {
    let (sql, args) = query_sql(query)?;
    let mut stmt = conn.prepare_cached(&sql).map_err(store_err)?;
    let mut bodies = stmt
        .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(store_err)?;
    let more = match query.limit.map(|l| l as usize) {
        Some(limit) if bodies.len() > limit => {
            bodies.truncate(limit);
            true
        }
        _ => false,
    };
    let items = bodies.iter().map(|b| decode(b)).collect::<Result<Vec<_>, _>>()?;
    let last_key = if more { items.last().map(|last| last_key_of(query.index, last)) } else { None };
    Ok(Page { items, last_key })
}

/// DynamoDB's `LastEvaluatedKey`: the base key plus, for a GSI, that index's key.
fn last_key_of(index: Index, item: &Item) -> Item {
    let mut attrs = vec![PK, SK];
    if index != Index::Base {
        attrs.extend([index.pk_attr(), index.sk_attr()]);
    }
    attrs.into_iter().filter_map(|a| item.get(a).map(|v| (a.to_string(), v.clone()))).collect()
}

#[async_trait]
impl Table for EmbeddedTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        check_key(key)?;
        let key = key.clone();
        self.shared.run(move |conn| load(conn, &key)).await
    }

    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError> {
        let row = row_of(&item)?;
        self.shared
            .run(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store_err)?;
                if let Some(cond) = cond {
                    let current = load(&tx, &row.key)?;
                    if !holds(&cond, current.as_ref()) {
                        return Err(condition_failed(None, current));
                    }
                }
                store(&tx, &row)?;
                tx.commit().map_err(store_err)
            })
            .await
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError> {
        check_key(key)?;
        check_update(&update)?;
        let key = key.clone();
        self.shared
            .run(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store_err)?;
                let current = load(&tx, &key)?;
                if let Some(cond) = cond {
                    if !holds(&cond, current.as_ref()) {
                        return Err(condition_failed(None, current));
                    }
                }
                let after = apply(&key, current, &update)?;
                store(&tx, &row_of(&after)?)?;
                tx.commit().map_err(store_err)?;
                Ok(after)
            })
            .await
    }

    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError> {
        check_key(key)?;
        let key = key.clone();
        self.shared
            .run(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store_err)?;
                let current = load(&tx, &key)?;
                if let Some(cond) = cond {
                    if !holds(&cond, current.as_ref()) {
                        return Err(condition_failed(None, current));
                    }
                }
                if current.is_some() {
                    remove(&tx, &key)?;
                }
                tx.commit().map_err(store_err)?;
                Ok(current)
            })
            .await
    }

    async fn query(&self, q: &Query) -> Result<Page, StoreError> {
        let q = q.clone();
        self.shared.run(move |conn| query(conn, &q)).await
    }

    async fn query_each(&self, queries: &[Query]) -> Result<Vec<Page>, StoreError> {
        // One trip to the blocking pool and the lock for all of them, instead of one per query.
        let queries = queries.to_vec();
        self.shared.run(move |conn| queries.iter().map(|q| query(conn, q)).collect()).await
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        for key in keys {
            check_key(key)?;
        }
        // Asking twice for one key returns it once (DynamoDB would reject the duplicate outright).
        let mut seen = HashSet::new();
        let keys: Vec<Key> = keys.iter().filter(|k| seen.insert(*k)).cloned().collect();
        self.shared
            .run(move |conn| {
                let mut found = Vec::with_capacity(keys.len());
                for key in &keys {
                    found.extend(load(conn, key)?);
                }
                Ok(found)
            })
            .await
    }

    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError> {
        // Encoded (and checked) before the lock is taken, so other callers wait only for the SQLite work. One
        // transaction for the whole call: a commit per few hundred rows was a large share of a bulk import's time,
        // and callers size their calls (an import writes about 4,500 items at a time).
        let rows = items.iter().map(row_of).collect::<Result<Vec<_>, _>>()?;
        if rows.is_empty() {
            return Ok(());
        }
        let bytes = rows.iter().map(|r| r.body.len() as u64).sum();
        self.shared
            .run(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store_err)?;
                {
                    let mut stmt = tx.prepare_cached(UPSERT).map_err(store_err)?;
                    for row in &rows {
                        upsert(&mut stmt, row)?;
                    }
                }
                tx.commit().map_err(store_err)
            })
            .await?;
        self.shared.after_bulk_write(bytes);
        Ok(())
    }

    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        for key in keys {
            check_key(key)?;
        }
        for chunk in keys.chunks(BULK_CHUNK) {
            let chunk = chunk.to_vec();
            self.shared
                .run(move |conn| {
                    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store_err)?;
                    for key in &chunk {
                        remove(&tx, key)?;
                    }
                    tx.commit().map_err(store_err)
                })
                .await?;
        }
        Ok(())
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        if ops.is_empty() {
            return Err(invalid("a transaction needs at least one operation"));
        }
        if ops.len() > MAX_TX_OPS {
            return Err(invalid(format!("a transaction takes at most {MAX_TX_OPS} operations, got {}", ops.len())));
        }
        let mut keys = HashSet::new();
        for op in &ops {
            let key = check_tx_op(op)?;
            if !keys.insert(key.clone()) {
                return Err(invalid(format!("a transaction names {key:?} more than once")));
            }
        }
        self.shared.run(move |conn| transact(conn, &ops)).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::EmbeddedDb;
    use super::*;
    use serde_json::json;

    fn item(v: Value) -> Item {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn prefix_successor_bounds_exactly_the_prefixed_strings() {
        assert_eq!(prefix_successor("A#").as_deref(), Some("A$"));
        assert_eq!(prefix_successor("a\u{D7FF}").as_deref(), Some("a\u{E000}"));
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{10FFFF}"), None);
        assert_eq!(prefix_successor(""), None);
    }

    #[tokio::test]
    async fn begins_with_is_case_sensitive_and_bytewise() {
        let t = EmbeddedDb::in_memory().expect("db").table();
        for sk in ["ab", "AB", "Ab", "a", "a\u{10FFFF}x", "b", "aé"] {
            t.put(item(json!({"PK": "P", "SK": sk})), None).await.expect("put");
        }
        let page = t.query(&Query::new(Index::Base, "P").sort(SortCond::BeginsWith("a".into()))).await.expect("query");
        let sks: Vec<&str> = page.items.iter().filter_map(|i| i["SK"].as_str()).collect();
        assert_eq!(sks, ["a", "ab", "aé", "a\u{10FFFF}x"]);
    }

    /// Queries answered in one call give each the page it gets alone, in the order asked; a bad one fails the call.
    #[tokio::test]
    async fn query_each_answers_as_single_queries_do() {
        let t = EmbeddedDb::in_memory().expect("db").table();
        for (pk, sk) in [("A", "1"), ("A", "2"), ("A", "3"), ("C", "1")] {
            t.put(item(json!({"PK": pk, "SK": sk})), None).await.expect("put");
        }
        let queries = [
            Query::new(Index::Base, "C"),
            Query::new(Index::Base, "B"),
            Query::new(Index::Base, "A").limit(2),
            Query::new(Index::Base, "A").backward().limit(5),
        ];
        let mut alone = Vec::new();
        for q in &queries {
            alone.push(t.query(q).await.expect("query"));
        }
        assert_eq!(t.query_each(&queries).await.expect("query_each"), alone);
        assert!(alone[2].last_key.is_some() && alone[1].items.is_empty());
        let bad = [Query::new(Index::Base, "A"), Query::new(Index::Base, "A").limit(0)];
        assert!(matches!(t.query_each(&bad).await, Err(StoreError::Invalid(_))));
    }

    /// DynamoDB's key size limits hold for every key a write stores (base table and GSIs, measured in UTF-8 bytes)
    /// and for a query's key condition; the limit itself is allowed.
    #[tokio::test]
    async fn key_values_past_dynamodbs_limits_are_refused() {
        let t = EmbeddedDb::in_memory().expect("db").table();
        let long = |bytes: usize| "é".repeat(bytes / 2); // two UTF-8 bytes a character: the limit is not in chars
        let base = |extra: Value| {
            let mut i = item(json!({"PK": "P", "SK": "S"}));
            i.extend(item(extra));
            i
        };
        for (what, bad) in [
            ("PK", base(json!({"PK": long(MAX_PK_BYTES + 2)}))),
            ("SK", base(json!({"SK": long(MAX_SK_BYTES + 2)}))),
            ("GSI2PK", base(json!({"GSI2PK": long(MAX_PK_BYTES + 2), "GSI2SK": "x"}))),
            ("GSI3SK", base(json!({"GSI3PK": "G", "GSI3SK": long(MAX_SK_BYTES + 2)}))),
        ] {
            match t.put(bad.clone(), None).await {
                Err(StoreError::Invalid(msg)) => assert!(msg.contains(what) && !msg.contains('é'), "{what}: {msg}"),
                other => panic!("{what}: {other:?}"),
            }
            assert!(matches!(t.transact(vec![TxOp::Put { item: bad, cond: None }]).await, Err(StoreError::Invalid(_))));
        }
        t.put(
            base(json!({"SK": long(MAX_SK_BYTES), "GSI1PK": long(MAX_PK_BYTES), "GSI1SK": long(MAX_SK_BYTES)})),
            None,
        )
        .await
        .expect("keys at the limit");
        for q in [
            Query::new(Index::Gsi1, long(MAX_PK_BYTES + 2)),
            Query::new(Index::Gsi1, "G").sort(SortCond::BeginsWith(long(MAX_SK_BYTES + 2))),
            Query::new(Index::Base, "P").sort(SortCond::Between("a".into(), long(MAX_SK_BYTES + 2))),
        ] {
            assert!(matches!(t.query(&q).await, Err(StoreError::Invalid(_))), "{q:?}");
        }
        let q = Query::new(Index::Gsi1, long(MAX_PK_BYTES)).sort(SortCond::BeginsWith(long(MAX_SK_BYTES)));
        assert_eq!(t.query(&q).await.expect("a query at the limit").items.len(), 1);
    }

    /// Every query shape must search an index (a range scan in proportion to the page), never scan the table.
    #[test]
    fn queries_use_indexes() {
        let db = EmbeddedDb::in_memory().expect("db");
        let start = |index: Index| {
            let mut s = item(json!({"PK": "P", "SK": "S"}));
            s.insert(index.pk_attr().into(), json!("P"));
            s.insert(index.sk_attr().into(), json!("S"));
            s
        };
        let mut queries = Vec::new();
        for index in [Index::Base, Index::Gsi1, Index::Gsi2, Index::Gsi3, Index::Gsi4] {
            for forward in [true, false] {
                for sort in
                    [None, Some(SortCond::BeginsWith("x".into())), Some(SortCond::Between("a".into(), "b".into()))]
                {
                    let mut q = Query::new(index, "P").limit(10).start(Some(start(index)));
                    q.sort = sort;
                    q.forward = forward;
                    queries.push(q);
                }
            }
        }
        db.shared
            .with_conn(|conn| {
                for q in &queries {
                    let (sql, args) = query_sql(q)?;
                    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).map_err(store_err)?;
                    let plan: Vec<String> = stmt
                        .query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(3))
                        .and_then(|rows| rows.collect())
                        .map_err(store_err)?;
                    let plan = plan.join(" | ");
                    let (pk_col, sk_col) = columns(q.index);
                    assert!(plan.starts_with("SEARCH items USING INDEX") && !plan.contains("SCAN"), "{q:?}: {plan}");
                    assert!(plan.contains(&format!("({pk_col}=? AND {sk_col}")), "{q:?} does not range-scan: {plan}");
                    assert!(!plan.contains("TEMP B-TREE"), "{q:?} sorts instead of reading in index order: {plan}");
                }
                Ok::<_, StoreError>(())
            })
            .expect("plans");
    }
}
