//! A card charged for a payment whose write is then refused (another save of the invoice won, or contention) is
//! voided at the processor before the answer, and no payment is recorded: on the embedded default, with a table
//! that refuses the payment's transaction as a version conflict would.

use async_trait::async_trait;
use serde_json::{json, Value};
use std::sync::Arc;
use vigil_api::accounting::NewPayment;
use vigil_app::accounting::processor::sandbox_voided;
use vigil_app::{Actor, AppError, Services};
use vigil_domain::{CompanyId, RecordId, UserId};
use vigil_store::{keys, Condition, Item, Key, Page, Query, StoreError, Table, TxOp, Update};
use vigil_tests::orders::{billing_method, new_customer};
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::ADMIN;

/// The runtime's table, except that every transaction is refused as a lost race on its invoice (the third op).
struct LosesTheRace(Arc<dyn Table>);

#[async_trait]
impl Table for LosesTheRace {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.0.get(key).await
    }
    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError> {
        self.0.put(item, cond).await
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError> {
        self.0.update(key, update, cond).await
    }
    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError> {
        self.0.delete(key, cond).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.0.query(query).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.0.batch_get(keys).await
    }
    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        self.0.batch_put(items).await
    }
    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        self.0.batch_delete(keys).await
    }
    async fn transact(&self, _: Vec<TxOp>) -> Result<(), StoreError> {
        Err(StoreError::ConditionFailed { op: Some(2), current: None })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charge_whose_payment_is_not_saved_is_voided() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let id = new_customer(&rt, &admin, "Vera").await["id"].as_u64().unwrap();
    let (status, inv) = rt
        .post(
            &admin,
            &format!("/api/v1/customers/{id}/invoices"),
            json!({"lines": [{"description": "Panel", "unit_cents": 10_000}], "tax_rate_bp": 0}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    let bm = billing_method(&rt, &admin, id).await;

    let co = CompanyId::parse("acme").unwrap();
    let item = rt.services().table.get(&keys::user(&co, &UserId::parse("acme-admin").unwrap())).await.unwrap();
    let actor = Actor { user: serde_json::from_value(Value::Object(item.expect("the admin"))).unwrap() };
    let racing = Services { table: Arc::new(LosesTheRace(rt.services().table.clone())), ..rt.services().clone() };
    let payment = NewPayment {
        invoice_id: inv["id"].as_u64(),
        invoice_customer_id: None,
        billing_method_id: bm["id"].as_u64(),
        amount_cents: Some(json!(10_000)),
        date: None,
    };
    let refused = vigil_app::accounting::create_payment(&racing, &actor, RecordId(id), payment).await;
    assert!(matches!(refused, Err(AppError::Conflict { .. })), "{refused:?}");

    // The charge the processor made for it (its reference names company, customer and the number it took) is
    // voided, and the books hold no payment and an unpaid invoice.
    let (_, books) = rt.get(&admin, &format!("/api/v1/customers/{id}/accounting")).await;
    assert_eq!(books["payments"], json!([]), "{books}");
    assert_eq!(books["invoices"][0]["paid_cents"], 0);
    let charged = (1..=20).map(|seq| format!("ch_sandbox_acme-{id}-{seq}")).filter(|r| sandbox_voided(r)).count();
    assert_eq!(charged, 1, "exactly the one charge is voided");
    rt.stop().await;
}
