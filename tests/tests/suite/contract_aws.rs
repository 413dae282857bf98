//! The Table and Queue contract suites (`vigil_tests::contract`) against the DynamoDB and SQS backends, on one
//! `moto_server` per test process (`vigil_tests::moto`). Every case gets a fresh table or fresh queues.
//!
//! Note to the contract suite's authors: every case passes on moto 5.2.1 as written; no case is skipped or weakened
//! here. Cases below the macros cover what only the AWS adapters do (placeholders, chunking, error mapping).
//!
//! Where moto 5.2.1 differs from documented DynamoDB behaviour (none of it changes a contract result):
//! - a query whose `Limit` is reached exactly at the end of the results has no `LastEvaluatedKey` on moto; AWS returns
//!   one whenever the limit is reached (the contract accepts both);
//! - numbers come back as written (`1.50`); AWS trims them (`1.5`): the same JSON number either way;
//! - an inverted `BETWEEN` and an `ExclusiveStartKey` from another partition return nothing on moto; AWS rejects both
//!   with a ValidationException. The adapter answers them itself (empty page; `StoreError::Invalid`), so it behaves
//!   the same on both.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::json;
use vigil_store::{Condition, Index, Item, Key, Query, Queue, QueueError, QueueSpec, StoreError, Table, TxOp, Update};
use vigil_tests::moto::moto;

async fn make_table() -> Arc<dyn Table> {
    Arc::new(moto().await.create_table("contract").await)
}

fn contract_queue_specs() -> Vec<QueueSpec> {
    vec![
        QueueSpec { name: "contract-dlq".into(), dead_letter: None, max_receives: 1000 },
        QueueSpec { name: "contract-main".into(), dead_letter: Some("contract-dlq".into()), max_receives: 2 },
        QueueSpec { name: "contract-plain".into(), dead_letter: None, max_receives: 1000 },
    ]
}

async fn make_queue() -> Arc<dyn Queue> {
    Arc::new(moto().await.create_queues("contract", &contract_queue_specs()).await)
}

vigil_tests::table_contract_tests!(make_table);
vigil_tests::queue_contract_tests!(make_queue);

fn item(v: serde_json::Value) -> Item {
    match v {
        serde_json::Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_reserved_words_and_odd_attribute_names() {
    let t = make_table().await;
    // Reserved words (`name`, `status`, `count`, `value`), dots, dashes, spaces and `#`/`:` in attribute names all go
    // through placeholders.
    let key = Key::new("C#acme#R#1", "PROFILE");
    let mut stored = key.to_item();
    stored.extend(item(
        json!({"name": "Ada", "status": "open", "a.b": 1, "with-dash": 2, "with space": 3, "#x": 4, ":y": 5}),
    ));
    t.put(stored.clone(), Some(Condition::NotExists)).await.expect("put");
    let cond = Condition::And(vec![
        Condition::AttrEquals("status".into(), json!("open")),
        Condition::AttrEquals("a.b".into(), json!(1)),
        Condition::AttrExists("with space".into()),
        Condition::AttrLessThan("#x".into(), 5.0),
        Condition::AttrNotExists("count".into()),
        Condition::Or(vec![]),
    ]);
    // `Or([])` never holds, so neither does the And.
    assert!(matches!(
        t.update(&key, Update::default().set("value", 1), Some(cond.clone())).await,
        Err(StoreError::ConditionFailed { .. })
    ));
    let Condition::And(mut parts) = cond else { unreachable!() };
    parts.pop();
    parts.push(Condition::And(vec![]));
    let after = t
        .update(
            &key,
            Update::default().set("value", 1).set(":y", 6).remove("with-dash").add("count", 2).add("count", 3),
            Some(Condition::And(parts)),
        )
        .await
        .expect("update");
    assert_eq!(after["value"], json!(1));
    assert_eq!(after[":y"], json!(6));
    assert_eq!(after["count"], json!(5));
    assert!(!after.contains_key("with-dash"));
    assert_eq!(t.get(&key).await.expect("get"), Some(after));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_numbers_round_trip() {
    let t = make_table().await;
    let stored = item(json!({
        "PK": "C#acme#N", "SK": "N", "zero": 0, "neg": -42, "i64max": i64::MAX, "i64min": i64::MIN, "u64max": u64::MAX,
        "half": 0.5, "frac": 1.2345678901234567, "small": 1.0e-7, "big": 12345678901234.5,
        "list": [1, -2, 2.5, {"n": 7}], "null": null
    }));
    t.put(stored.clone(), None).await.expect("put");
    assert_eq!(t.get(&Key::new("C#acme#N", "N")).await.expect("get"), Some(stored.clone()));
    let page = t.query(&Query::new(Index::Base, "C#acme#N")).await.expect("query");
    assert_eq!(page.items, vec![stored]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_batches_dedupe_and_chunk() {
    let t = make_table().await;
    // Duplicate keys within a batch: DynamoDB would reject the request; the last write wins.
    let mut items: Vec<Item> =
        (0..60).map(|n| item(json!({"PK": "C#acme#B", "SK": format!("{n:03}"), "v": 1}))).collect();
    items.push(item(json!({"PK": "C#acme#B", "SK": "000", "v": 2})));
    t.batch_put(&items).await.expect("batch_put");
    assert_eq!(t.get(&Key::new("C#acme#B", "000")).await.expect("get").expect("item")["v"], json!(2));
    let mut keys: Vec<Key> = (0..60).map(|n| Key::new("C#acme#B", format!("{n:03}"))).collect();
    keys.extend(keys.clone());
    assert_eq!(t.batch_get(&keys).await.expect("batch_get").len(), 60);
    t.batch_delete(&keys).await.expect("batch_delete");
    assert!(t.batch_get(&keys).await.expect("batch_get").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_transaction_failure_reports_stored_item() {
    let t = make_table().await;
    let guard = item(json!({"PK": "C#acme", "SK": "G", "version": 4}));
    t.put(guard.clone(), None).await.expect("put");
    let res = t
        .transact(vec![
            TxOp::Put { item: item(json!({"PK": "C#acme", "SK": "A"})), cond: None },
            TxOp::Update {
                key: Key::new("C#acme", "G"),
                update: Update::default(),
                cond: Some(Condition::VersionIs(3)),
            },
        ])
        .await;
    match res {
        Err(StoreError::ConditionFailed { op: Some(1), current }) => assert_eq!(current, Some(guard)),
        other => panic!("expected ConditionFailed on op 1, got {other:?}"),
    }
    assert_eq!(t.get(&Key::new("C#acme", "A")).await.expect("get"), None);
    // An empty update in a transaction still upserts.
    t.transact(vec![TxOp::Update { key: Key::new("C#acme", "E"), update: Update::default(), cond: None }])
        .await
        .expect("tx");
    assert_eq!(t.get(&Key::new("C#acme", "E")).await.expect("get"), Some(Key::new("C#acme", "E").to_item()));
    t.transact(Vec::new()).await.expect("empty transaction");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_backend_errors_carry_no_item_contents() {
    // A table that does not exist: every call fails with a Backend error naming the operation, not the data.
    let m = moto().await;
    let t = vigil_store::DynamoTable::new(m.dynamo_client().await, "no-such-table");
    let secret = "123-45-6789";
    let err = t.put(item(json!({"PK": "C#acme", "SK": "S", "ssn": secret})), None).await.expect_err("put");
    match &err {
        StoreError::Backend(msg) => assert!(!msg.contains(secret) && msg.contains("PutItem"), "{msg}"),
        other => panic!("expected Backend, got {other:?}"),
    }
    let q = vigil_store::SqsQueue::new(
        m.sqs_client().await,
        HashMap::from([("x".to_string(), format!("{}/000000000000/nope", m.endpoint()))]),
    );
    match q.receive("x", 1, 1, 0).await {
        Err(QueueError::Backend(msg)) => assert!(msg.contains("ReceiveMessage"), "{msg}"),
        other => panic!("expected Backend, got {other:?}"),
    }
    match q.receive("y", 1, 1, 0).await {
        Err(QueueError::UnknownQueue(name)) => assert_eq!(name, "y"),
        other => panic!("expected UnknownQueue, got {other:?}"),
    }
}
