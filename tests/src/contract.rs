//! The backend-independent contract of the [`Table`] and [`Queue`] ports. Every backend (embedded SQLite,
//! DynamoDB/SQS on moto_server or AWS) must pass the same cases, so app code cannot tell them apart.
//!
//! Use it from an integration test file:
//!
//! ```ignore
//! async fn make_table() -> std::sync::Arc<dyn vigil_store::Table> { /* a fresh, empty table */ }
//! async fn make_queue() -> std::sync::Arc<dyn vigil_store::Queue> { /* fresh queues, see below */ }
//! vigil_tests::table_contract_tests!(make_table);
//! vigil_tests::queue_contract_tests!(make_queue);
//! ```
//!
//! Each case becomes its own `#[tokio::test]` (`table_*`, `queue_*`), so the calling crate needs `tokio` (with the
//! `macros` and `rt-multi-thread` features). The factory may return any `Arc<T>` with `T: Table`/`T: Queue`.
//! The queue factory must provide, empty:
//! - `contract-main`, dead letter `contract-dlq`, `max_receives` 2;
//! - `contract-dlq` (no dead letter);
//! - `contract-plain`, no dead letter, `max_receives` 1000.
//!
//! Where DynamoDB leaves a choice to the backend, the cases accept both answers:
//! - `Page::last_key` may be present on a page that happens to end the results (DynamoDB returns it whenever the
//!   limit was reached); the next page is then empty with no `last_key`.
//! - Items with equal GSI sort keys may come back in any order (DynamoDB does not define one).
//! - A failed transaction must name the failing operation; its `current` item may be left out, but when present it
//!   must be the stored item. Single writes must report `current` (DynamoDB `ALL_OLD` on condition failure).

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vigil_store::{
    Condition, Index, Item, Key, OutgoingMessage, Page, Query, QueueError, ReceivedMessage, SortCond, StoreError, TxOp,
    Update,
};

pub use vigil_store::{Queue, Table};

/// A case that hangs fails instead of stalling the suite.
const CASE_TIMEOUT: Duration = Duration::from_secs(90);

#[doc(hidden)]
pub async fn run_case(case: impl Future<Output = ()>) {
    if tokio::time::timeout(CASE_TIMEOUT, case).await.is_err() {
        panic!("contract case did not finish within {CASE_TIMEOUT:?}");
    }
}

/// Generates one `#[tokio::test]` per table contract case. `$make` is an `async fn() -> Arc<impl Table>` (or
/// `Arc<dyn Table>`) returning a fresh, empty table each time it is called.
#[macro_export]
macro_rules! table_contract_tests {
    ($make:expr) => {
        $crate::__contract_tests!(table, $make;
            table_get_put_overwrite => get_put_overwrite,
            table_put_requires_string_keys => put_requires_string_keys,
            table_condition_not_exists => condition_not_exists,
            table_condition_exists => condition_exists,
            table_condition_version_is => condition_version_is,
            table_condition_attr_equals => condition_attr_equals,
            table_condition_attr_exists => condition_attr_exists,
            table_condition_attr_not_exists => condition_attr_not_exists,
            table_condition_attr_less_than => condition_attr_less_than,
            table_condition_and => condition_and,
            table_condition_or => condition_or,
            table_optimistic_concurrency => optimistic_concurrency,
            table_update_set_remove_add => update_set_remove_add,
            table_update_creates_missing => update_creates_missing,
            table_update_cannot_change_key => update_cannot_change_key,
            table_delete_returns_old => delete_returns_old,
            table_query_base_sort_conditions => query_base_sort_conditions,
            table_query_gsi1_sort_conditions => query_gsi1_sort_conditions,
            table_query_gsi2_sort_conditions => query_gsi2_sort_conditions,
            table_query_gsi3_sort_conditions => query_gsi3_sort_conditions,
            table_query_gsi4_sort_conditions => query_gsi4_sort_conditions,
            table_query_pagination_exhausts => query_pagination_exhausts,
            table_query_all_reads_every_page => query_all_reads_every_page,
            table_gsi_pagination_with_ties => gsi_pagination_with_ties,
            table_gsi_sparse_and_follows_updates => gsi_sparse_and_follows_updates,
            table_batch_get_many => batch_get_many,
            table_batch_put_delete_many => batch_put_delete_many,
            table_transact_all_or_nothing => transact_all_or_nothing,
            table_transact_applies_all_ops => transact_applies_all_ops,
            table_transact_limits => transact_limits,
            table_key_size_limits => key_size_limits,
            table_increment_concurrent => increment_concurrent,
            table_tenancy_partition_isolation => tenancy_partition_isolation,
        );
    };
}

/// Generates one `#[tokio::test]` per queue contract case. `$make` is an `async fn() -> Arc<impl Queue>` (or
/// `Arc<dyn Queue>`) returning a fresh backend with the queues listed in the module documentation.
#[macro_export]
macro_rules! queue_contract_tests {
    ($make:expr) => {
        $crate::__contract_tests!(queue, $make;
            queue_send_receive_delete => send_receive_delete,
            queue_attributes_round_trip => attributes_round_trip,
            queue_receive_batches_up_to_max => receive_batches_up_to_max,
            queue_delay_seconds => delay_seconds,
            queue_visibility_timeout => visibility_timeout,
            queue_change_visibility_zero => change_visibility_zero,
            queue_redrive_to_dead_letter => redrive_to_dead_letter,
            queue_unknown_queue => unknown_queue,
            queue_invalid_requests => invalid_requests,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __contract_tests {
    ($kind:ident, $make:expr; $($test:ident => $case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let backend = ($make)().await;
                $crate::contract::run_case($crate::contract::$kind::$case(backend)).await;
            }
        )*
    };
}

/// An item from a JSON object literal.
fn item(v: Value) -> Item {
    match v {
        Value::Object(map) => map,
        other => panic!("test item must be an object, got {other}"),
    }
}

#[track_caller]
fn assert_condition_failed<T: std::fmt::Debug>(res: Result<T, StoreError>, op: Option<usize>, current: Option<&Item>) {
    match res {
        Err(StoreError::ConditionFailed { op: got_op, current: got_current }) => {
            assert_eq!(got_op, op, "failing operation index");
            assert_eq!(got_current.as_ref(), current, "current item reported with the condition failure");
        }
        other => panic!("expected ConditionFailed {{ op: {op:?} }}, got {other:?}"),
    }
}

#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(res: Result<T, StoreError>, what: &str) {
    match res {
        Err(StoreError::Invalid(_)) => {}
        other => panic!("{what}: expected StoreError::Invalid, got {other:?}"),
    }
}

pub mod table {
    use super::*;

    async fn must_get(t: &dyn Table, key: &Key) -> Item {
        match t.get(key).await {
            Ok(Some(item)) => item,
            other => panic!("expected {key:?} to exist, got {other:?}"),
        }
    }

    async fn must_be_gone(t: &dyn Table, key: &Key) {
        let got = t.get(key).await.expect("get");
        assert_eq!(got, None, "{key:?} must not exist");
    }

    pub async fn get_put_overwrite(t: Arc<dyn Table>) {
        let key = Key::new("C#acme#R#1", "PROFILE");
        assert_eq!(t.get(&key).await.expect("get missing"), None);

        let first = item(json!({
            "PK": "C#acme#R#1", "SK": "PROFILE", "version": 1, "name": "Ada", "score": 1.5,
            "tags": ["a", "b"], "nested": {"x": 1, "y": null}, "flag": true, "text": "é 日本 😀",
        }));
        t.put(first.clone(), None).await.expect("put");
        assert_eq!(must_get(&*t, &key).await, first, "an item reads back exactly as written");

        // A put replaces the whole item: attributes it leaves out are gone.
        let second = item(json!({"PK": "C#acme#R#1", "SK": "PROFILE", "version": 2, "other": "x"}));
        t.put(second.clone(), None).await.expect("overwrite");
        assert_eq!(must_get(&*t, &key).await, second);

        // Same PK, other SK, and same SK, other PK, are different items.
        must_be_gone(&*t, &Key::new("C#acme#R#1", "PROFILE2")).await;
        must_be_gone(&*t, &Key::new("C#acme#R#2", "PROFILE")).await;
    }

    pub async fn put_requires_string_keys(t: Arc<dyn Table>) {
        assert_invalid(t.put(item(json!({"SK": "X", "a": 1})), None).await, "put without PK");
        assert_invalid(t.put(item(json!({"PK": "P", "a": 1})), None).await, "put without SK");
        assert_invalid(t.put(item(json!({"PK": "P", "SK": 5})), None).await, "put with a numeric SK");
        assert_invalid(t.put(item(json!({"PK": 5, "SK": "S"})), None).await, "put with a numeric PK");
        let page = t.query(&Query::new(Index::Base, "P")).await.expect("query");
        assert!(page.items.is_empty(), "rejected puts must not write: {page:?}");
    }

    /// The condition holds on `ok_item` (or on a missing item when `None`) and fails on `bad_item` (or on a missing
    /// item when `None`); checked through put, update, delete and a transaction check.
    async fn check_condition(t: &dyn Table, cond: Condition, ok_item: Option<Item>, bad_item: Option<Item>) {
        let key = Key::new("C#acme#COND", "ITEM");
        let with_key = |mut i: Item| {
            i.extend(key.to_item());
            i
        };
        let reset = |state: Option<Item>| {
            let state = state.map(with_key);
            let key = key.clone();
            async move {
                match state {
                    Some(i) => t.put(i, None).await.expect("reset put"),
                    None => {
                        t.delete(&key, None).await.expect("reset delete");
                    }
                }
            }
        };
        let written = with_key(item(json!({"written": "yes", "version": 100})));

        // put
        reset(ok_item.clone()).await;
        t.put(written.clone(), Some(cond.clone()))
            .await
            .unwrap_or_else(|e| panic!("put with {cond:?} must succeed: {e:?}"));
        assert_eq!(must_get(t, &key).await, written);
        reset(bad_item.clone()).await;
        let bad_stored = bad_item.clone().map(with_key);
        assert_condition_failed(t.put(written.clone(), Some(cond.clone())).await, None, bad_stored.as_ref());
        assert_eq!(t.get(&key).await.expect("get"), bad_stored, "a failed put must not write");

        // update
        reset(ok_item.clone()).await;
        let after = t
            .update(&key, Update::default().set("touched", true), Some(cond.clone()))
            .await
            .unwrap_or_else(|e| panic!("update with {cond:?} must succeed: {e:?}"));
        assert_eq!(after.get("touched"), Some(&json!(true)));
        reset(bad_item.clone()).await;
        assert_condition_failed(
            t.update(&key, Update::default().set("touched", true), Some(cond.clone())).await,
            None,
            bad_stored.as_ref(),
        );
        assert_eq!(t.get(&key).await.expect("get"), bad_stored, "a failed update must not write");

        // delete
        reset(ok_item.clone()).await;
        let old = t
            .delete(&key, Some(cond.clone()))
            .await
            .unwrap_or_else(|e| panic!("delete with {cond:?} must succeed: {e:?}"));
        assert_eq!(old, ok_item.clone().map(with_key));
        must_be_gone(t, &key).await;
        reset(bad_item.clone()).await;
        assert_condition_failed(t.delete(&key, Some(cond.clone())).await, None, bad_stored.as_ref());
        assert_eq!(t.get(&key).await.expect("get"), bad_stored, "a failed delete must not delete");

        // transaction check, alongside a put that must only land when the check holds
        let side = Key::new("C#acme#COND", "SIDE");
        let side_item = side.to_item();
        reset(ok_item.clone()).await;
        t.transact(vec![
            TxOp::Put { item: side_item.clone(), cond: None },
            TxOp::Check { key: key.clone(), cond: cond.clone() },
        ])
        .await
        .unwrap_or_else(|e| panic!("transaction check with {cond:?} must succeed: {e:?}"));
        assert_eq!(must_get(t, &side).await, side_item);
        t.delete(&side, None).await.expect("delete side");
        reset(bad_item.clone()).await;
        match t
            .transact(vec![
                TxOp::Put { item: side_item, cond: None },
                TxOp::Check { key: key.clone(), cond: cond.clone() },
            ])
            .await
        {
            Err(StoreError::ConditionFailed { op: Some(1), current }) => {
                if current.is_some() {
                    assert_eq!(current, bad_stored, "current item of a failed transaction check");
                }
            }
            other => panic!("transaction check with {cond:?} must fail on op 1, got {other:?}"),
        }
        must_be_gone(t, &side).await;
        t.delete(&key, None).await.expect("cleanup");
    }

    pub async fn condition_not_exists(t: Arc<dyn Table>) {
        check_condition(&*t, Condition::NotExists, None, Some(item(json!({"a": 1})))).await;
    }

    pub async fn condition_exists(t: Arc<dyn Table>) {
        check_condition(&*t, Condition::Exists, Some(item(json!({"a": 1}))), None).await;
    }

    pub async fn condition_version_is(t: Arc<dyn Table>) {
        let cond = Condition::VersionIs(3);
        check_condition(&*t, cond.clone(), Some(item(json!({"version": 3}))), Some(item(json!({"version": 4})))).await;
        check_condition(&*t, cond.clone(), Some(item(json!({"version": 3}))), Some(item(json!({"a": 3})))).await;
        check_condition(&*t, cond, Some(item(json!({"version": 3}))), None).await;
    }

    pub async fn condition_attr_equals(t: Arc<dyn Table>) {
        let cond = Condition::AttrEquals("status".into(), json!("open"));
        check_condition(
            &*t,
            cond.clone(),
            Some(item(json!({"status": "open"}))),
            Some(item(json!({"status": "Open"}))),
        )
        .await;
        check_condition(&*t, cond, Some(item(json!({"status": "open"}))), Some(item(json!({"other": "open"})))).await;
        let num = Condition::AttrEquals("n".into(), json!(7));
        check_condition(&*t, num.clone(), Some(item(json!({"n": 7}))), Some(item(json!({"n": 8})))).await;
        check_condition(&*t, num, Some(item(json!({"n": 7}))), Some(item(json!({"n": "7"})))).await;
        let boolean = Condition::AttrEquals("b".into(), json!(true));
        check_condition(&*t, boolean, Some(item(json!({"b": true}))), None).await;
    }

    pub async fn condition_attr_exists(t: Arc<dyn Table>) {
        let cond = Condition::AttrExists("owner".into());
        check_condition(&*t, cond.clone(), Some(item(json!({"owner": "u1"}))), Some(item(json!({"other": 1})))).await;
        check_condition(&*t, cond, Some(item(json!({"owner": "u1"}))), None).await;
    }

    pub async fn condition_attr_not_exists(t: Arc<dyn Table>) {
        let cond = Condition::AttrNotExists("owner".into());
        check_condition(&*t, cond.clone(), Some(item(json!({"other": 1}))), Some(item(json!({"owner": "u1"})))).await;
        // On a missing item no attribute exists.
        check_condition(&*t, cond, None, Some(item(json!({"owner": "u1"})))).await;
    }

    pub async fn condition_attr_less_than(t: Arc<dyn Table>) {
        let cond = Condition::AttrLessThan("count".into(), 10.0);
        check_condition(&*t, cond.clone(), Some(item(json!({"count": 9}))), Some(item(json!({"count": 10})))).await;
        check_condition(&*t, cond.clone(), Some(item(json!({"count": -3.5}))), Some(item(json!({"count": 11.25}))))
            .await;
        check_condition(&*t, cond.clone(), Some(item(json!({"count": 9.99}))), Some(item(json!({"other": 1})))).await;
        check_condition(&*t, cond, Some(item(json!({"count": 0}))), None).await;
    }

    pub async fn condition_and(t: Arc<dyn Table>) {
        let cond = Condition::And(vec![Condition::VersionIs(2), Condition::AttrEquals("status".into(), json!("open"))]);
        check_condition(
            &*t,
            cond.clone(),
            Some(item(json!({"version": 2, "status": "open"}))),
            Some(item(json!({"version": 2, "status": "closed"}))),
        )
        .await;
        check_condition(
            &*t,
            cond,
            Some(item(json!({"version": 2, "status": "open"}))),
            Some(item(json!({"version": 1, "status": "open"}))),
        )
        .await;
    }

    pub async fn condition_or(t: Arc<dyn Table>) {
        let cond = Condition::Or(vec![Condition::NotExists, Condition::AttrLessThan("expires_at".into(), 1000.0)]);
        check_condition(&*t, cond.clone(), None, Some(item(json!({"expires_at": 5000})))).await;
        check_condition(&*t, cond, Some(item(json!({"expires_at": 999}))), Some(item(json!({"expires_at": 1000}))))
            .await;
    }

    pub async fn optimistic_concurrency(t: Arc<dyn Table>) {
        let key = Key::new("C#acme#R#7", "PROFILE");
        let mut v1 = key.to_item();
        v1.insert("version".into(), json!(1));
        v1.insert("name".into(), json!("Ada"));
        t.put(v1.clone(), Some(Condition::NotExists)).await.expect("create");
        // Creating it twice is a conflict that reports what is stored.
        assert_condition_failed(t.put(v1.clone(), Some(Condition::NotExists)).await, None, Some(&v1));

        // Two writers read version 1; the first wins, the second is told what won.
        let after = t
            .update(&key, Update::default().set("name", "Grace").add("version", 1), Some(Condition::VersionIs(1)))
            .await
            .expect("first writer");
        assert_eq!(after.get("version"), Some(&json!(2)));
        assert_eq!(after.get("name"), Some(&json!("Grace")));
        assert_condition_failed(
            t.update(&key, Update::default().set("name", "Linus").add("version", 1), Some(Condition::VersionIs(1)))
                .await,
            None,
            Some(&after),
        );
        assert_eq!(must_get(&*t, &key).await, after);

        let mut v3 = after.clone();
        v3.insert("version".into(), json!(3));
        v3.insert("name".into(), json!("Barbara"));
        assert_condition_failed(t.put(v3.clone(), Some(Condition::VersionIs(1))).await, None, Some(&after));
        t.put(v3.clone(), Some(Condition::VersionIs(2))).await.expect("put with the right version");
        assert_eq!(must_get(&*t, &key).await, v3);
        assert_condition_failed(t.delete(&key, Some(Condition::VersionIs(2))).await, None, Some(&v3));
        assert_eq!(t.delete(&key, Some(Condition::VersionIs(3))).await.expect("delete"), Some(v3));
    }

    pub async fn update_set_remove_add(t: Arc<dyn Table>) {
        let key = Key::new("C#acme#R#8", "PROFILE");
        let mut start = key.to_item();
        start.extend(item(json!({"version": 4, "name": "Ada", "city": "Oslo", "score": 2.5, "visits": 10})));
        t.put(start, None).await.expect("put");

        let after = t
            .update(
                &key,
                Update::default()
                    .set("name", "Grace")
                    .set("tags", json!(["x", "y"]))
                    .remove("city")
                    .remove("not_there")
                    .add("version", 1)
                    .add("visits", -3)
                    .add("fresh", 5),
                None,
            )
            .await
            .expect("update");
        let expected = item(json!({
            "PK": "C#acme#R#8", "SK": "PROFILE", "version": 5, "name": "Grace", "score": 2.5, "visits": 7, "fresh": 5,
            "tags": ["x", "y"],
        }));
        assert_eq!(after, expected, "update returns the whole item as it is afterwards");
        assert_eq!(must_get(&*t, &key).await, expected);

        // An empty update changes nothing and still returns the item.
        assert_eq!(t.update(&key, Update::default(), None).await.expect("empty update"), expected);
    }

    pub async fn update_creates_missing(t: Arc<dyn Table>) {
        let key = Key::new("C#acme#R#9", "PROFILE");
        let created = t
            .update(&key, Update::default().set("name", "Ada").add("version", 1).remove("nothing"), None)
            .await
            .expect("update creates");
        let expected = item(json!({"PK": "C#acme#R#9", "SK": "PROFILE", "name": "Ada", "version": 1}));
        assert_eq!(created, expected);
        assert_eq!(must_get(&*t, &key).await, expected);

        // A condition that needs the item keeps update from creating it.
        let other = Key::new("C#acme#R#10", "PROFILE");
        assert_condition_failed(
            t.update(&other, Update::default().set("name", "x"), Some(Condition::Exists)).await,
            None,
            None,
        );
        assert_condition_failed(
            t.update(&other, Update::default().set("name", "x"), Some(Condition::VersionIs(0))).await,
            None,
            None,
        );
        must_be_gone(&*t, &other).await;
        let made = t
            .update(&other, Update::default().set("name", "x"), Some(Condition::NotExists))
            .await
            .expect("create if absent");
        assert_eq!(made.get("name"), Some(&json!("x")));
    }

    pub async fn update_cannot_change_key(t: Arc<dyn Table>) {
        let key = Key::new("C#acme#R#11", "PROFILE");
        t.put(key.to_item(), None).await.expect("put");
        assert_invalid(t.update(&key, Update::default().set("PK", "C#other#R#11"), None).await, "update setting PK");
        assert_invalid(t.update(&key, Update::default().set("SK", "NOTPROFILE"), None).await, "update setting SK");
        assert_invalid(t.update(&key, Update::default().remove("SK"), None).await, "update removing SK");
        assert_eq!(must_get(&*t, &key).await, key.to_item());
        must_be_gone(&*t, &Key::new("C#other#R#11", "PROFILE")).await;
        must_be_gone(&*t, &Key::new("C#acme#R#11", "NOTPROFILE")).await;
    }

    pub async fn delete_returns_old(t: Arc<dyn Table>) {
        let key = Key::new("C#acme#R#12", "NOTE#1");
        assert_eq!(t.delete(&key, None).await.expect("delete missing"), None);
        let mut stored = key.to_item();
        stored.insert("text".into(), json!("hello"));
        t.put(stored.clone(), None).await.expect("put");
        assert_eq!(t.delete(&key, None).await.expect("delete"), Some(stored));
        must_be_gone(&*t, &key).await;
        assert_eq!(t.delete(&key, None).await.expect("delete again"), None);
    }

    /// Sort keys chosen to catch case-insensitive, UTF-16 and numeric comparisons: DynamoDB compares UTF-8 bytes.
    const SORT_KEYS: [&str; 16] = [
        "A", "A#01", "A#01#x", "A#02", "A#10", "A#2", "AB", "B#01", "Z", "a", "a#01", "b", "é#01", "\u{FF5E}", "😀",
        "😀#1",
    ];

    fn sort_conditions() -> Vec<SortCond> {
        use SortCond::*;
        vec![
            Eq("A#01".into()),
            Eq("a#01".into()),
            Eq("A#0".into()),
            BeginsWith("A#".into()),
            BeginsWith("A#0".into()),
            BeginsWith("A".into()),
            BeginsWith("a".into()),
            BeginsWith("é".into()),
            BeginsWith("😀".into()),
            BeginsWith("\u{FF5E}".into()),
            BeginsWith("C".into()),
            Between("A#02".into(), "B#01".into()),
            Between("A#2".into(), "A#2".into()),
            Between("Z".into(), "😀".into()),
            Lt("A#10".into()),
            Le("A#10".into()),
            Lt("A".into()),
            Gt("A#2".into()),
            Ge("A#2".into()),
            Gt("😀#1".into()),
            Ge("b".into()),
        ]
    }

    fn matches(cond: &SortCond, sk: &str) -> bool {
        match cond {
            SortCond::Eq(v) => sk == v,
            SortCond::BeginsWith(p) => sk.as_bytes().starts_with(p.as_bytes()),
            SortCond::Between(lo, hi) => sk.as_bytes() >= lo.as_bytes() && sk.as_bytes() <= hi.as_bytes(),
            SortCond::Lt(v) => sk.as_bytes() < v.as_bytes(),
            SortCond::Le(v) => sk.as_bytes() <= v.as_bytes(),
            SortCond::Gt(v) => sk.as_bytes() > v.as_bytes(),
            SortCond::Ge(v) => sk.as_bytes() >= v.as_bytes(),
        }
    }

    /// Runs `query` to exhaustion, following `last_key`, and returns every item in order.
    async fn collect_pages(t: &dyn Table, query: &Query) -> Vec<Item> {
        let mut all = Vec::new();
        let mut start = None;
        for round in 0.. {
            assert!(round < 1000, "pagination does not end for {query:?}");
            let page: Page =
                t.query(&query.clone().start(start.take())).await.unwrap_or_else(|e| panic!("{query:?}: {e:?}"));
            if let Some(limit) = query.limit {
                assert!(page.items.len() <= limit as usize, "page larger than limit {limit}: {}", page.items.len());
            }
            if page.last_key.is_some() {
                assert!(!page.items.is_empty(), "{query:?}: a page with a next-page key but no items");
            }
            if let (Some(lk), Some(last)) = (&page.last_key, page.items.last()) {
                check_last_key(query.index, lk, last);
            }
            all.extend(page.items);
            match page.last_key {
                Some(lk) => start = Some(lk),
                None => break,
            }
        }
        all
    }

    /// `last_key` holds the base keys and the queried index's keys of the last item (like `LastEvaluatedKey`).
    fn check_last_key(index: Index, last_key: &Item, last: &Item) {
        let mut attrs = vec!["PK", "SK"];
        if index != Index::Base {
            attrs.push(index.pk_attr());
            attrs.push(index.sk_attr());
        }
        for a in attrs {
            assert_eq!(last_key.get(a), last.get(a), "last_key attribute {a} must be the last item's");
        }
    }

    fn sk_of(index: Index, i: &Item) -> String {
        i.get(index.sk_attr())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("item without {}: {i:?}", index.sk_attr()))
            .to_string()
    }

    /// Checks every sort condition in both directions, unpaged and paged, against a model of the partition.
    async fn check_sort_conditions(t: &dyn Table, index: Index, pk: &str, stored: &[Item]) {
        for cond in sort_conditions() {
            let mut expected: Vec<Item> = stored.iter().filter(|i| matches(&cond, &sk_of(index, i))).cloned().collect();
            expected.sort_by(|a, b| sk_of(index, a).as_bytes().cmp(sk_of(index, b).as_bytes()));
            for forward in [true, false] {
                let mut want = expected.clone();
                if !forward {
                    want.reverse();
                }
                let mut q = Query::new(index, pk).sort(cond.clone());
                if !forward {
                    q = q.backward();
                }
                let page = t.query(&q).await.unwrap_or_else(|e| panic!("{q:?}: {e:?}"));
                assert_eq!(page.last_key, None, "{q:?}: an unlimited small query has no next page");
                let got: Vec<String> = page.items.iter().map(|i| sk_of(index, i)).collect();
                let want_sks: Vec<String> = want.iter().map(|i| sk_of(index, i)).collect();
                assert_eq!(got, want_sks, "{q:?}");
                assert_eq!(page.items, want, "{q:?}: whole items come back");
                for limit in [1, 3] {
                    let paged = collect_pages(t, &q.clone().limit(limit)).await;
                    let got: Vec<String> = paged.iter().map(|i| sk_of(index, i)).collect();
                    assert_eq!(got, want_sks, "{q:?} paged by {limit}");
                }
            }
        }
        // No sort condition: the whole partition.
        let all = t.query(&Query::new(index, pk)).await.expect("query all");
        assert_eq!(all.items.len(), stored.len(), "whole partition on {index:?}");
    }

    pub async fn query_base_sort_conditions(t: Arc<dyn Table>) {
        let pk = "C#acme#R#20";
        let stored: Vec<Item> =
            SORT_KEYS.iter().enumerate().map(|(n, sk)| item(json!({"PK": pk, "SK": sk, "n": n}))).collect();
        t.batch_put(&stored).await.expect("batch_put");
        // Neighbouring partitions must not leak in.
        for other in ["C#acme#R#2", "C#acme#R#200", "C#acme#R#20#", "c#acme#R#20"] {
            t.put(item(json!({"PK": other, "SK": "A#01"})), None).await.expect("put neighbour");
        }
        check_sort_conditions(&*t, Index::Base, pk, &stored).await;
    }

    async fn query_gsi_sort_conditions(t: Arc<dyn Table>, index: Index) {
        let gpk = "C#acme#GSI";
        let (pk_attr, sk_attr) = (index.pk_attr(), index.sk_attr());
        let stored: Vec<Item> = SORT_KEYS
            .iter()
            .enumerate()
            .map(|(n, sk)| {
                // Base keys in a different order than the index keys, spread over several partitions.
                let mut i =
                    item(json!({"PK": format!("C#acme#R#{}", n % 3), "SK": format!("ITEM#{:02}", 40 - n), "n": n}));
                i.insert(pk_attr.into(), json!(gpk));
                i.insert(sk_attr.into(), json!(sk));
                i
            })
            .collect();
        t.batch_put(&stored).await.expect("batch_put");
        // The same GSI partition value on the other indexes must not show up in this one.
        for other in Index::GSIS.into_iter().filter(|g| *g != index) {
            let mut i = item(json!({"PK": "C#acme#R#other", "SK": format!("{other:?}")}));
            i.insert(other.pk_attr().into(), json!(gpk));
            i.insert(other.sk_attr().into(), json!("A#01"));
            t.put(i, None).await.expect("put other gsi");
        }
        check_sort_conditions(&*t, index, gpk, &stored).await;
    }

    pub async fn query_gsi1_sort_conditions(t: Arc<dyn Table>) {
        query_gsi_sort_conditions(t, Index::Gsi1).await;
    }

    pub async fn query_gsi2_sort_conditions(t: Arc<dyn Table>) {
        query_gsi_sort_conditions(t, Index::Gsi2).await;
    }

    pub async fn query_gsi3_sort_conditions(t: Arc<dyn Table>) {
        query_gsi_sort_conditions(t, Index::Gsi3).await;
    }

    pub async fn query_gsi4_sort_conditions(t: Arc<dyn Table>) {
        query_gsi_sort_conditions(t, Index::Gsi4).await;
    }

    pub async fn query_pagination_exhausts(t: Arc<dyn Table>) {
        let pk = "C#acme#R#30";
        let stored: Vec<Item> =
            (0..57).map(|n| item(json!({"PK": pk, "SK": format!("HIST#{n:04}"), "n": n}))).collect();
        t.batch_put(&stored).await.expect("batch_put");
        let sks: Vec<String> = stored.iter().map(|i| sk_of(Index::Base, i)).collect();
        for limit in [1, 5, 10, 19, 56, 57, 58, 100] {
            for forward in [true, false] {
                let mut q = Query::new(Index::Base, pk).limit(limit);
                if !forward {
                    q = q.backward();
                }
                let first = t.query(&q).await.expect("first page");
                assert_eq!(first.items.len(), (limit as usize).min(57), "{q:?}: first page size");
                if limit < 57 {
                    assert!(first.last_key.is_some(), "{q:?}: more items follow, so last_key must be present");
                }
                if limit > 57 {
                    assert_eq!(first.last_key, None, "{q:?}: the limit was not reached");
                }
                let got: Vec<String> = collect_pages(&*t, &q).await.iter().map(|i| sk_of(Index::Base, i)).collect();
                let mut want = sks.clone();
                if !forward {
                    want.reverse();
                }
                assert_eq!(got, want, "{q:?}: all pages in order, none missing, none twice");
            }
        }
        // Pagination combined with a sort condition stays within the condition.
        let q = Query::new(Index::Base, pk).sort(SortCond::Between("HIST#0010".into(), "HIST#0029".into())).limit(7);
        let got: Vec<String> = collect_pages(&*t, &q).await.iter().map(|i| sk_of(Index::Base, i)).collect();
        assert_eq!(got, sks[10..30].to_vec());
        let q = q.backward();
        let got: Vec<String> = collect_pages(&*t, &q).await.iter().map(|i| sk_of(Index::Base, i)).collect();
        let mut want = sks[10..30].to_vec();
        want.reverse();
        assert_eq!(got, want);
    }

    /// `Table::query_all` (provided by the port on top of `query`) returns every page of a query in order: with and
    /// without a page size, both directions, within a sort condition, on a GSI, and on an empty partition.
    pub async fn query_all_reads_every_page(t: Arc<dyn Table>) {
        let pk = "C#acme#R#31";
        let stored: Vec<Item> = (0..57)
            .map(|n| {
                item(json!({
                    "PK": pk, "SK": format!("HIST#{n:04}"), "n": n,
                    "GSI3PK": "C#acme#ALL", "GSI3SK": format!("{:04}", 56 - n),
                }))
            })
            .collect();
        let mut seed = stored.clone();
        // Neighbours it must leave out: a partition whose key starts the same, and an item outside the prefix.
        seed.push(item(json!({"PK": "C#acme#R#310", "SK": "HIST#0000"})));
        seed.push(item(json!({"PK": pk, "SK": "PROFILE"})));
        t.batch_put(&seed).await.expect("batch_put");
        let sks: Vec<String> = stored.iter().map(|i| sk_of(Index::Base, i)).collect();
        let hist = Query::new(Index::Base, pk).sort(SortCond::BeginsWith("HIST#".into()));
        for limit in [None, Some(1), Some(10), Some(57), Some(100)] {
            for forward in [true, false] {
                let mut q = hist.clone();
                q.limit = limit;
                if !forward {
                    q = q.backward();
                }
                let got = t.query_all(&q).await.unwrap_or_else(|e| panic!("{q:?}: {e:?}"));
                let got: Vec<String> = got.iter().map(|i| sk_of(Index::Base, i)).collect();
                let mut want = sks.clone();
                if !forward {
                    want.reverse();
                }
                assert_eq!(got, want, "{q:?}: every item once, in order");
            }
        }
        let whole = t.query_all(&Query::new(Index::Base, pk).limit(8)).await.expect("whole partition");
        assert_eq!(whole.len(), 58, "the profile too, and nothing of the neighbouring partition");
        let by_gsi = t.query_all(&Query::new(Index::Gsi3, "C#acme#ALL").limit(6)).await.expect("gsi");
        let ns: Vec<i64> = by_gsi.iter().map(|i| i["n"].as_i64().unwrap_or(-1)).collect();
        assert_eq!(ns, (0..57).rev().collect::<Vec<i64>>(), "in the index's order");
        let none = t.query_all(&Query::new(Index::Base, "C#acme#R#32")).await.expect("empty partition");
        assert!(none.is_empty());
    }

    pub async fn gsi_pagination_with_ties(t: Arc<dyn Table>) {
        // Many items share a GSI sort key (e.g. same last name): pages must still neither skip nor repeat.
        let mut stored = Vec::new();
        for n in 0..23 {
            stored.push(item(json!({
                "PK": format!("C#acme#R#{:03}", (n * 7) % 23), "SK": "PROFILE",
                "GSI2PK": "C#acme#LEAD", "GSI2SK": format!("NAME#{}", ["jones", "smith", "smith", "lee"][n % 4]), "n": n,
            })));
        }
        t.batch_put(&stored).await.expect("batch_put");
        for forward in [true, false] {
            for limit in [1, 2, 4, 5, 22, 23] {
                let mut q = Query::new(Index::Gsi2, "C#acme#LEAD").limit(limit);
                if !forward {
                    q = q.backward();
                }
                let got = collect_pages(&*t, &q).await;
                let got_sks: Vec<String> = got.iter().map(|i| sk_of(Index::Gsi2, i)).collect();
                let mut sorted = got_sks.clone();
                sorted.sort();
                if !forward {
                    sorted.reverse();
                }
                assert_eq!(got_sks, sorted, "{q:?}: ordered by the index sort key");
                let keys: Vec<Key> = got.iter().map(|i| Key::of(i).expect("key")).collect();
                let unique: BTreeSet<Key> = keys.iter().cloned().collect();
                assert_eq!(unique.len(), keys.len(), "{q:?}: no item twice");
                let want: BTreeSet<Key> = stored.iter().map(|i| Key::of(i).expect("key")).collect();
                assert_eq!(unique, want, "{q:?}: no item missing");
            }
        }
        let smiths =
            t.query(&Query::new(Index::Gsi2, "C#acme#LEAD").sort(SortCond::Eq("NAME#smith".into()))).await.expect("eq");
        assert_eq!(smiths.items.len(), stored.iter().filter(|i| i["GSI2SK"] == "NAME#smith").count());
    }

    pub async fn gsi_sparse_and_follows_updates(t: Arc<dyn Table>) {
        let gpk = "C#acme#CITY";
        t.batch_put(&[
            item(json!({"PK": "C#acme#R#1", "SK": "PROFILE", "GSI1PK": gpk, "GSI1SK": "oslo#1"})),
            item(json!({"PK": "C#acme#R#2", "SK": "PROFILE", "GSI1PK": gpk})),
            item(json!({"PK": "C#acme#R#3", "SK": "PROFILE", "GSI1SK": "oslo#3"})),
            item(json!({"PK": "C#acme#R#4", "SK": "PROFILE", "GSI2PK": gpk, "GSI2SK": "oslo#4"})),
            item(json!({"PK": "C#acme#R#5", "SK": "PROFILE"})),
        ])
        .await
        .expect("batch_put");
        let keys_in = |page: Page| {
            page.items.iter().map(|i| i["PK"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>()
        };
        let q = Query::new(Index::Gsi1, gpk);
        assert_eq!(keys_in(t.query(&q).await.expect("q")), vec!["C#acme#R#1"], "only items with both GSI1 attributes");

        // Giving an item both attributes puts it in the index; its sort key places it.
        t.update(&Key::new("C#acme#R#2", "PROFILE"), Update::default().set("GSI1SK", "bergen#2"), None)
            .await
            .expect("update");
        assert_eq!(keys_in(t.query(&q).await.expect("q")), vec!["C#acme#R#2", "C#acme#R#1"]);
        // Changing the sort key moves it.
        t.update(&Key::new("C#acme#R#2", "PROFILE"), Update::default().set("GSI1SK", "trondheim#2"), None)
            .await
            .expect("update");
        assert_eq!(keys_in(t.query(&q).await.expect("q")), vec!["C#acme#R#1", "C#acme#R#2"]);
        // Removing an attribute takes it out; so does a put without it, or a delete.
        t.update(&Key::new("C#acme#R#1", "PROFILE"), Update::default().remove("GSI1PK"), None).await.expect("update");
        assert_eq!(keys_in(t.query(&q).await.expect("q")), vec!["C#acme#R#2"]);
        t.put(item(json!({"PK": "C#acme#R#2", "SK": "PROFILE", "GSI3PK": gpk, "GSI3SK": "x"})), None)
            .await
            .expect("put");
        assert!(t.query(&q).await.expect("q").items.is_empty());
        assert_eq!(keys_in(t.query(&Query::new(Index::Gsi3, gpk)).await.expect("q")), vec!["C#acme#R#2"]);
        t.delete(&Key::new("C#acme#R#2", "PROFILE"), None).await.expect("delete");
        assert!(t.query(&Query::new(Index::Gsi3, gpk)).await.expect("q").items.is_empty());
        assert_eq!(keys_in(t.query(&Query::new(Index::Gsi2, gpk)).await.expect("q")), vec!["C#acme#R#4"]);
    }

    pub async fn batch_get_many(t: Arc<dyn Table>) {
        assert!(t.batch_get(&[]).await.expect("empty batch_get").is_empty());
        let stored: Vec<Item> =
            (0..130).map(|n| item(json!({"PK": format!("C#acme#R#{n:04}"), "SK": "PROFILE", "n": n}))).collect();
        t.batch_put(&stored).await.expect("batch_put");
        // 130 present (every other key asked for) and 40 missing, interleaved.
        let mut keys: Vec<Key> = stored.iter().map(|i| Key::of(i).expect("key")).collect();
        for n in 0..40 {
            keys.insert(n * 3, Key::new(format!("C#acme#R#{n:04}"), "MISSING"));
        }
        let got = t.batch_get(&keys).await.expect("batch_get");
        assert_eq!(got.len(), 130, "every existing item once, missing ones left out");
        let by_key: BTreeMap<Key, Item> = got.into_iter().map(|i| (Key::of(&i).expect("key"), i)).collect();
        for s in &stored {
            assert_eq!(by_key.get(&Key::of(s).expect("key")), Some(s));
        }
    }

    pub async fn batch_put_delete_many(t: Arc<dyn Table>) {
        let pk = "C#acme#R#40";
        let stored: Vec<Item> = (0..60).map(|n| item(json!({"PK": pk, "SK": format!("TAG#{n:03}"), "n": n}))).collect();
        t.batch_put(&stored).await.expect("batch_put");
        assert_eq!(t.query(&Query::new(Index::Base, pk)).await.expect("query").items, stored);

        // Overwrites in bulk replace whole items.
        let replaced: Vec<Item> =
            stored.iter().take(30).map(|i| item(json!({"PK": pk, "SK": i["SK"], "new": true}))).collect();
        t.batch_put(&replaced).await.expect("batch_put overwrite");
        let now = t.query(&Query::new(Index::Base, pk)).await.expect("query").items;
        assert_eq!(now[..30], replaced[..]);
        assert_eq!(now[30..], stored[30..]);

        let doomed: Vec<Key> = stored.iter().skip(10).take(45).map(|i| Key::of(i).expect("key")).collect();
        t.batch_delete(&doomed).await.expect("batch_delete");
        let left = t.query(&Query::new(Index::Base, pk)).await.expect("query").items;
        let left_sks: Vec<String> = left.iter().map(|i| sk_of(Index::Base, i)).collect();
        let want: Vec<String> =
            stored.iter().take(10).chain(stored.iter().skip(55)).map(|i| sk_of(Index::Base, i)).collect();
        assert_eq!(left_sks, want);
        // Deleting keys that are not there is fine.
        t.batch_delete(&doomed).await.expect("batch_delete again");
        t.batch_put(&[]).await.expect("empty batch_put");
        t.batch_delete(&[]).await.expect("empty batch_delete");
    }

    pub async fn transact_all_or_nothing(t: Arc<dyn Table>) {
        let pk = "C#acme#R#50";
        let profile = item(json!({"PK": pk, "SK": "PROFILE", "version": 3, "stage": "lead"}));
        let note = item(json!({"PK": pk, "SK": "NOTE#1", "text": "call back"}));
        let guard = item(json!({"PK": "C#acme", "SK": "COUNTER#lead", "value": 9}));
        t.batch_put(&[profile.clone(), note.clone(), guard.clone()]).await.expect("seed");

        let ops = |check: Condition| {
            vec![
                TxOp::Put {
                    item: item(json!({"PK": pk, "SK": "HIST#1", "what": "converted"})),
                    cond: Some(Condition::NotExists),
                },
                TxOp::Update {
                    key: Key::new(pk, "PROFILE"),
                    update: Update::default().set("stage", "customer").add("version", 1),
                    cond: Some(Condition::VersionIs(3)),
                },
                TxOp::Delete { key: Key::new(pk, "NOTE#1"), cond: None },
                TxOp::Check { key: Key::new("C#acme", "COUNTER#lead"), cond: check },
                TxOp::Update {
                    key: Key::new("C#acme", "COUNTER#customer"),
                    update: Update::default().add("value", 1),
                    cond: None,
                },
            ]
        };
        let failing = t.transact(ops(Condition::AttrLessThan("value".into(), 5.0))).await;
        match failing {
            Err(StoreError::ConditionFailed { op: Some(3), current }) => {
                if current.is_some() {
                    assert_eq!(current.as_ref(), Some(&guard));
                }
            }
            other => panic!("expected ConditionFailed on op 3, got {other:?}"),
        }
        assert_eq!(must_get(&*t, &Key::new(pk, "PROFILE")).await, profile, "nothing written");
        assert_eq!(must_get(&*t, &Key::new(pk, "NOTE#1")).await, note, "nothing deleted");
        must_be_gone(&*t, &Key::new(pk, "HIST#1")).await;
        must_be_gone(&*t, &Key::new("C#acme", "COUNTER#customer")).await;

        // A failing first op and a failing update are reported with their own index.
        let mut first_fails = ops(Condition::Exists);
        first_fails[0] = TxOp::Put { item: note.clone(), cond: Some(Condition::NotExists) };
        first_fails.remove(2);
        match t.transact(first_fails).await {
            Err(StoreError::ConditionFailed { op: Some(0), current }) => {
                if current.is_some() {
                    assert_eq!(current.as_ref(), Some(&note));
                }
            }
            other => panic!("expected ConditionFailed on op 0, got {other:?}"),
        }
        let mut update_fails = ops(Condition::Exists);
        update_fails[1] = TxOp::Update {
            key: Key::new(pk, "PROFILE"),
            update: Update::default().set("stage", "x"),
            cond: Some(Condition::VersionIs(2)),
        };
        assert!(matches!(t.transact(update_fails).await, Err(StoreError::ConditionFailed { op: Some(1), .. })));
        assert_eq!(must_get(&*t, &Key::new(pk, "PROFILE")).await, profile, "still nothing written");
        must_be_gone(&*t, &Key::new(pk, "HIST#1")).await;
        assert_eq!(must_get(&*t, &Key::new(pk, "NOTE#1")).await, note);
    }

    pub async fn transact_applies_all_ops(t: Arc<dyn Table>) {
        let pk = "C#acme#R#51";
        t.batch_put(&[
            item(json!({"PK": pk, "SK": "PROFILE", "version": 3, "stage": "lead", "GSI1PK": "C#acme#LEADS", "GSI1SK": "x"})),
            item(json!({"PK": pk, "SK": "NOTE#1", "text": "call back"})),
            item(json!({"PK": "C#acme", "SK": "COUNTER#lead", "value": 9})),
        ])
        .await
        .expect("seed");
        t.transact(vec![
            TxOp::Put {
                item: item(json!({"PK": pk, "SK": "HIST#1", "what": "converted"})),
                cond: Some(Condition::NotExists),
            },
            TxOp::Update {
                key: Key::new(pk, "PROFILE"),
                update: Update::default().set("stage", "customer").remove("GSI1PK").add("version", 1),
                cond: Some(Condition::VersionIs(3)),
            },
            TxOp::Delete { key: Key::new(pk, "NOTE#1"), cond: Some(Condition::Exists) },
            TxOp::Check {
                key: Key::new("C#acme", "COUNTER#lead"),
                cond: Condition::AttrLessThan("value".into(), 10.0),
            },
            TxOp::Update {
                key: Key::new("C#acme", "COUNTER#customer"),
                update: Update::default().add("value", 1),
                cond: None,
            },
        ])
        .await
        .expect("transaction");
        assert_eq!(
            must_get(&*t, &Key::new(pk, "HIST#1")).await,
            item(json!({"PK": pk, "SK": "HIST#1", "what": "converted"}))
        );
        assert_eq!(
            must_get(&*t, &Key::new(pk, "PROFILE")).await,
            item(json!({"PK": pk, "SK": "PROFILE", "version": 4, "stage": "customer", "GSI1SK": "x"}))
        );
        must_be_gone(&*t, &Key::new(pk, "NOTE#1")).await;
        assert_eq!(
            must_get(&*t, &Key::new("C#acme", "COUNTER#lead")).await["value"],
            json!(9),
            "a check writes nothing"
        );
        assert_eq!(must_get(&*t, &Key::new("C#acme", "COUNTER#customer")).await["value"], json!(1));
        assert!(t.query(&Query::new(Index::Gsi1, "C#acme#LEADS")).await.expect("q").items.is_empty());
    }

    pub async fn transact_limits(t: Arc<dyn Table>) {
        let too_many: Vec<TxOp> = (0..101)
            .map(|n| TxOp::Put { item: item(json!({"PK": "C#acme#R#60", "SK": format!("N#{n:03}")})), cond: None })
            .collect();
        assert_invalid(t.transact(too_many).await, "a transaction of 101 operations");
        assert!(t.query(&Query::new(Index::Base, "C#acme#R#60")).await.expect("q").items.is_empty(), "nothing written");

        let exactly_100: Vec<TxOp> = (0..100)
            .map(|n| TxOp::Put { item: item(json!({"PK": "C#acme#R#60", "SK": format!("N#{n:03}")})), cond: None })
            .collect();
        t.transact(exactly_100).await.expect("100 operations are allowed");
        assert_eq!(t.query(&Query::new(Index::Base, "C#acme#R#60")).await.expect("q").items.len(), 100);

        let same_key = vec![
            TxOp::Put { item: item(json!({"PK": "C#acme#R#61", "SK": "PROFILE"})), cond: None },
            TxOp::Update { key: Key::new("C#acme#R#61", "PROFILE"), update: Update::default().set("a", 1), cond: None },
        ];
        assert_invalid(t.transact(same_key).await, "two operations on one key");
        must_be_gone(&*t, &Key::new("C#acme#R#61", "PROFILE")).await;
        let check_and_put = vec![
            TxOp::Check { key: Key::new("C#acme#R#61", "PROFILE"), cond: Condition::NotExists },
            TxOp::Put { item: item(json!({"PK": "C#acme#R#61", "SK": "PROFILE"})), cond: None },
        ];
        assert_invalid(t.transact(check_and_put).await, "a check and a put on one key");
        must_be_gone(&*t, &Key::new("C#acme#R#61", "PROFILE")).await;
    }

    /// DynamoDB's key size limits, in UTF-8 bytes, for the base table's keys and every GSI's: a longer value is
    /// refused as invalid (by a put or in a transaction) and nothing is written; a value at the limit is stored.
    pub async fn key_size_limits(t: Arc<dyn Table>) {
        use vigil_store::table::{MAX_PK_BYTES, MAX_SK_BYTES};
        // Two bytes a character: a limit counted in characters would let these through.
        let long = |bytes: usize| "é".repeat(bytes / 2);
        let with = |extra: Value| {
            let mut i = item(json!({"PK": "C#acme#R#70", "SK": "PROFILE"}));
            i.extend(item(extra));
            i
        };
        let cases = [
            ("a long PK", with(json!({"PK": format!("C#acme#{}", long(MAX_PK_BYTES))}))),
            ("a long SK", with(json!({"SK": long(MAX_SK_BYTES + 2)}))),
            ("a long GSI1PK", with(json!({"GSI1PK": long(MAX_PK_BYTES + 2), "GSI1SK": "x"}))),
            ("a long GSI4SK", with(json!({"GSI4PK": "C#acme#X", "GSI4SK": long(MAX_SK_BYTES + 2)}))),
        ];
        for (what, bad) in cases {
            assert_invalid(t.put(bad.clone(), None).await, what);
            let ok = item(json!({"PK": "C#acme#R#71", "SK": "PROFILE"}));
            assert_invalid(
                t.transact(vec![TxOp::Put { item: ok, cond: None }, TxOp::Put { item: bad, cond: None }]).await,
                what,
            );
            must_be_gone(&*t, &Key::new("C#acme#R#71", "PROFILE")).await;
        }
        assert!(t.query(&Query::new(Index::Base, "C#acme#R#70")).await.expect("q").items.is_empty(), "nothing written");
        let at_limit = with(json!({
            "SK": long(MAX_SK_BYTES),
            "GSI2PK": long(MAX_PK_BYTES),
            "GSI2SK": long(MAX_SK_BYTES),
        }));
        t.put(at_limit.clone(), None).await.expect("keys at the limit are stored");
        let page = t.query(&Query::new(Index::Gsi2, long(MAX_PK_BYTES))).await.expect("query at the limit");
        assert_eq!(page.items, vec![at_limit]);
    }

    pub async fn increment_concurrent(t: Arc<dyn Table>) {
        let key = Key::new("C#acme", "COUNTER#record");
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let t = t.clone();
            let key = key.clone();
            tasks.push(tokio::spawn(async move { t.increment(&key, 1).await }));
        }
        let mut values = Vec::new();
        for task in tasks {
            values.push(task.await.expect("task").expect("increment"));
        }
        values.sort();
        assert_eq!(values, (1..=50).collect::<Vec<i64>>(), "every increment gets its own value");
        assert_eq!(must_get(&*t, &key).await["value"], json!(50));

        let other = Key::new("C#acme", "COUNTER#other");
        assert_eq!(t.increment(&other, 5).await.expect("increment"), 5);
        assert_eq!(t.increment(&other, -2).await.expect("increment"), 3);
    }

    pub async fn tenancy_partition_isolation(t: Arc<dyn Table>) {
        let mut items = Vec::new();
        for co in ["acme", "acme-2", "acm", "acme#2"] {
            for n in 0..3 {
                items.push(item(json!({
                    "PK": format!("C#{co}"), "SK": format!("USER#{n}"), "co": co,
                    "GSI1PK": format!("C#{co}"), "GSI1SK": format!("USER#{n}"),
                })));
            }
        }
        t.batch_put(&items).await.expect("seed");
        for index in [Index::Base, Index::Gsi1] {
            for q in [
                Query::new(index, "C#acme"),
                Query::new(index, "C#acme").sort(SortCond::BeginsWith("USER#".into())),
                Query::new(index, "C#acme").backward().limit(2),
                Query::new(index, "C#acme").sort(SortCond::Ge("USER#".into())),
            ] {
                let got = collect_pages(&*t, &q).await;
                assert_eq!(got.len(), 3, "{q:?}");
                assert!(got.iter().all(|i| i["co"] == "acme"), "{q:?} leaked another company's items: {got:?}");
            }
        }
        // A start key from another partition must not lead into it.
        let foreign = item(json!({"PK": "C#acme-2", "SK": "USER#0"}));
        match t.query(&Query::new(Index::Base, "C#acme").start(Some(foreign))).await {
            Ok(page) => assert!(page.items.iter().all(|i| i["co"] == "acme"), "foreign start key leaked: {page:?}"),
            Err(StoreError::Invalid(_)) => {}
            Err(e) => panic!("foreign start key: {e:?}"),
        }
    }
}

pub mod queue {
    use super::*;

    pub const MAIN: &str = "contract-main";
    pub const DLQ: &str = "contract-dlq";
    pub const PLAIN: &str = "contract-plain";

    /// Receives from `queue` until at least one message arrives or `within` passes.
    async fn receive_within(q: &dyn Queue, queue: &str, visibility: u32, within: Duration) -> Vec<ReceivedMessage> {
        let deadline = Instant::now() + within;
        loop {
            let got =
                q.receive(queue, 10, visibility, 1).await.unwrap_or_else(|e| panic!("receive from {queue}: {e:?}"));
            if !got.is_empty() || Instant::now() >= deadline {
                return got;
            }
            // Some backends answer a long poll at once; keep the loop from spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn receive_one(q: &dyn Queue, queue: &str, visibility: u32, within: Duration) -> ReceivedMessage {
        let mut got = receive_within(q, queue, visibility, within).await;
        assert_eq!(got.len(), 1, "expected exactly one message from {queue}: {got:?}");
        got.remove(0)
    }

    async fn assert_empty_now(q: &dyn Queue, queue: &str) {
        let got = q.receive(queue, 10, 30, 0).await.unwrap_or_else(|e| panic!("receive from {queue}: {e:?}"));
        assert!(got.is_empty(), "{queue} must have no visible message: {got:?}");
    }

    pub async fn send_receive_delete(q: Arc<dyn Queue>) {
        let id = q.send(PLAIN, OutgoingMessage::new("hello")).await.expect("send");
        assert!(!id.is_empty());
        let m = receive_one(&*q, PLAIN, 30, Duration::from_secs(10)).await;
        assert_eq!(m.message_id, id);
        assert_eq!(m.body, "hello");
        assert_eq!(m.receive_count, 1);
        assert!(m.attributes.is_empty());
        assert_empty_now(&*q, PLAIN).await;
        q.delete(PLAIN, &m.receipt_handle).await.expect("delete");
        q.change_visibility(PLAIN, &m.receipt_handle, 0).await.ok();
        assert!(q.receive(PLAIN, 10, 30, 1).await.expect("receive").is_empty(), "a deleted message never comes back");
        // Queues are separate.
        q.send(MAIN, OutgoingMessage::new("elsewhere")).await.expect("send");
        assert!(q.receive(PLAIN, 10, 30, 1).await.expect("receive").is_empty());
        assert_eq!(receive_one(&*q, MAIN, 30, Duration::from_secs(10)).await.body, "elsewhere");
    }

    pub async fn attributes_round_trip(q: Arc<dyn Queue>) {
        let mut msg = OutgoingMessage::new(r#"{"job":"precheck","id":42,"text":"é 日本 😀"}"#);
        msg.attributes.insert("kind".into(), "precheck".into());
        msg.attributes.insert("company".into(), "acme".into());
        msg.attributes.insert("trace".into(), "Root=1-abc;Parent=def".into());
        let id = q.send(PLAIN, msg.clone()).await.expect("send");
        let m = receive_one(&*q, PLAIN, 30, Duration::from_secs(10)).await;
        assert_eq!(m.message_id, id);
        assert_eq!(m.body, msg.body);
        assert_eq!(m.attributes, msg.attributes);
        q.delete(PLAIN, &m.receipt_handle).await.expect("delete");
    }

    pub async fn receive_batches_up_to_max(q: Arc<dyn Queue>) {
        let mut sent = BTreeSet::new();
        for n in 0..15 {
            sent.insert(q.send(PLAIN, OutgoingMessage::new(format!("m{n}"))).await.expect("send"));
        }
        let mut seen = BTreeMap::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while seen.len() < 15 && Instant::now() < deadline {
            let got = q.receive(PLAIN, 4, 60, 1).await.expect("receive");
            assert!(got.len() <= 4, "at most max messages: {}", got.len());
            for m in got {
                assert_eq!(m.receive_count, 1, "nothing is received twice while invisible");
                assert!(
                    seen.insert(m.message_id.clone(), m.body.clone()).is_none(),
                    "message {} delivered twice",
                    m.message_id
                );
                q.delete(PLAIN, &m.receipt_handle).await.expect("delete");
            }
        }
        assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), sent);
        let bodies: BTreeSet<String> = seen.into_values().collect();
        assert_eq!(bodies, (0..15).map(|n| format!("m{n}")).collect::<BTreeSet<_>>());
    }

    pub async fn delay_seconds(q: Arc<dyn Queue>) {
        let sent_at = Instant::now();
        let mut msg = OutgoingMessage::new("later");
        msg.delay_seconds = 2;
        q.send(PLAIN, msg).await.expect("send");
        assert_empty_now(&*q, PLAIN).await;
        let m = receive_one(&*q, PLAIN, 30, Duration::from_secs(15)).await;
        assert_eq!(m.body, "later");
        assert!(
            sent_at.elapsed() >= Duration::from_millis(1000),
            "a delayed message came too soon: {:?}",
            sent_at.elapsed()
        );
    }

    pub async fn visibility_timeout(q: Arc<dyn Queue>) {
        q.send(PLAIN, OutgoingMessage::new("retry me")).await.expect("send");
        let first = receive_one(&*q, PLAIN, 1, Duration::from_secs(10)).await;
        let received_at = Instant::now();
        assert_eq!(first.receive_count, 1);
        assert_empty_now(&*q, PLAIN).await;
        // A short timeout again, so a delete that did not work would show below.
        let second = receive_one(&*q, PLAIN, 1, Duration::from_secs(15)).await;
        assert!(received_at.elapsed() >= Duration::from_millis(500), "reappeared before its visibility timeout");
        assert_eq!(second.message_id, first.message_id);
        assert_eq!(second.body, "retry me");
        assert_eq!(second.receive_count, 2);
        assert_ne!(second.receipt_handle, first.receipt_handle, "every receive issues a new receipt handle");
        q.delete(PLAIN, &second.receipt_handle).await.expect("delete with the latest handle");
        assert!(q.receive(PLAIN, 10, 30, 2).await.expect("receive").is_empty(), "deleted for good");
    }

    pub async fn change_visibility_zero(q: Arc<dyn Queue>) {
        q.send(PLAIN, OutgoingMessage::new("back off")).await.expect("send");
        let first = receive_one(&*q, PLAIN, 60, Duration::from_secs(10)).await;
        assert_empty_now(&*q, PLAIN).await;
        q.change_visibility(PLAIN, &first.receipt_handle, 0).await.expect("change_visibility");
        let again = receive_one(&*q, PLAIN, 60, Duration::from_secs(5)).await;
        assert_eq!(again.message_id, first.message_id);
        assert_eq!(again.receive_count, 2);
        // Extending the timeout keeps it hidden.
        q.change_visibility(PLAIN, &again.receipt_handle, 60).await.expect("extend");
        assert!(q.receive(PLAIN, 10, 60, 1).await.expect("receive").is_empty());
        q.delete(PLAIN, &again.receipt_handle).await.expect("delete");
    }

    pub async fn redrive_to_dead_letter(q: Arc<dyn Queue>) {
        let mut msg = OutgoingMessage::new("poison");
        msg.attributes.insert("kind".into(), "mail".into());
        q.send(MAIN, msg.clone()).await.expect("send");
        let first = receive_one(&*q, MAIN, 1, Duration::from_secs(10)).await;
        assert_eq!(first.receive_count, 1);
        let second = receive_one(&*q, MAIN, 1, Duration::from_secs(15)).await;
        assert_eq!(second.receive_count, 2);
        assert_eq!(second.message_id, first.message_id);

        // After max_receives (2) receives without a delete, the next receive moves it to the dead-letter queue.
        let deadline = Instant::now() + Duration::from_secs(20);
        let dead = loop {
            let from_main = q.receive(MAIN, 10, 1, 0).await.expect("receive main");
            assert!(from_main.is_empty(), "received more than max_receives times: {from_main:?}");
            let from_dlq = q.receive(DLQ, 10, 30, 0).await.expect("receive dlq");
            if let Some(m) = from_dlq.into_iter().next() {
                break m;
            }
            assert!(Instant::now() < deadline, "the message never reached the dead-letter queue");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(dead.body, "poison");
        assert_eq!(dead.attributes, msg.attributes);
        q.delete(DLQ, &dead.receipt_handle).await.expect("delete from dlq");
        assert!(q.receive(MAIN, 10, 30, 2).await.expect("receive").is_empty(), "gone from the main queue");
    }

    pub async fn unknown_queue(q: Arc<dyn Queue>) {
        match q.send("contract-nope", OutgoingMessage::new("x")).await {
            Err(QueueError::UnknownQueue(_)) => {}
            other => panic!("send to an unknown queue: {other:?}"),
        }
        match q.receive("contract-nope", 1, 30, 0).await {
            Err(QueueError::UnknownQueue(_)) => {}
            other => panic!("receive from an unknown queue: {other:?}"),
        }
    }

    pub async fn invalid_requests(q: Arc<dyn Queue>) {
        for max in [0, 11] {
            match q.receive(PLAIN, max, 30, 0).await {
                Err(QueueError::Invalid(_)) => {}
                other => panic!("receive of {max} messages: {other:?}"),
            }
        }
        let mut msg = OutgoingMessage::new("too late");
        msg.delay_seconds = 901;
        match q.send(PLAIN, msg).await {
            Err(QueueError::Invalid(_)) => {}
            other => panic!("a delay of 901 s: {other:?}"),
        }
        assert!(q.receive(PLAIN, 10, 30, 0).await.expect("receive").is_empty(), "an invalid send sends nothing");
    }
}
