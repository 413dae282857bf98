//! A card charged for a payment whose write is then refused (another save of the invoice won, or contention) is
//! voided at the processor before the answer, and no payment is recorded; a write whose answer is lost stands when a
//! read finds it, and when no read can tell, the charge stands and the answer says the outcome is unknown. On the
//! embedded default, with a table that fails the payment's transaction in each of these ways.

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

/// How the runtime's table fails the payment's transaction.
#[derive(Clone, Copy, PartialEq)]
enum Fault {
    /// Refused as a lost race on its invoice (the third op): nothing applied.
    LosesTheRace,
    /// The write lands but its answer is lost (a timeout).
    AnswerLost,
    /// The write's answer is lost and every read of a payment fails too: the outcome cannot be known.
    Blind,
}

struct Faulty(Arc<dyn Table>, Fault);

#[async_trait]
impl Table for Faulty {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        if self.1 == Fault::Blind && key.sk.starts_with(vigil_app::accounting::PAYMENT_PREFIX) {
            return Err(StoreError::Backend("read timed out".into()));
        }
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
    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError> {
        self.0.batch_put(items).await
    }
    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        self.0.batch_delete(keys).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        match self.1 {
            Fault::LosesTheRace => Err(StoreError::ConditionFailed { op: Some(2), current: None }),
            Fault::AnswerLost => {
                self.0.transact(ops).await?;
                Err(StoreError::Backend("timed out".into()))
            }
            Fault::Blind => Err(StoreError::Backend("timed out".into())),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_charge_whose_payment_is_not_saved_is_voided() {
    // The sandbox's ledger of voids is the process's, and each runtime numbers its customers alike: the run that
    // voids goes last.
    for fault in [Fault::AnswerLost, Fault::Blind, Fault::LosesTheRace] {
        pay_through(fault).await;
    }
}

async fn pay_through(fault: Fault) {
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
    let racing = Services { table: Arc::new(Faulty(rt.services().table.clone(), fault)), ..rt.services().clone() };
    let payment = NewPayment {
        invoice_id: inv["id"].as_u64(),
        invoice_customer_id: None,
        billing_method_id: bm["id"].as_u64(),
        amount_cents: Some(json!(10_000)),
        date: None,
    };
    let answer = vigil_app::accounting::create_payment(&racing, &actor, RecordId(id), payment).await;
    let voided = || (1..=20).map(|seq| format!("ch_sandbox_acme-{id}-{seq}")).filter(|r| sandbox_voided(r)).count();
    let (_, books) = rt.get(&admin, &format!("/api/v1/customers/{id}/accounting")).await;
    match fault {
        Fault::LosesTheRace => {}
        // The read after the lost answer finds the payment: it stands, charge and all.
        Fault::AnswerLost => {
            assert!(answer.is_ok(), "{answer:?}");
            assert_eq!(books["payments"].as_array().map(Vec::len), Some(1), "{books}");
            assert_eq!(voided(), 0);
            return rt.stop().await;
        }
        // Nothing can tell whether it was stored: the charge stands for the office to reconcile, and the answer
        // says to look before paying again.
        Fault::Blind => {
            let Err(AppError::Conflict { message, .. }) = &answer else { panic!("{answer:?}") };
            assert!(message.contains("unknown"), "{message}");
            assert_eq!(voided(), 0);
            return rt.stop().await;
        }
    }
    assert!(matches!(answer, Err(AppError::Conflict { .. })), "{answer:?}");

    // The charge the processor made for it (its reference names company, customer and the number it took) is
    // voided, and the books hold no payment and an unpaid invoice.
    assert_eq!(books["payments"], json!([]), "{books}");
    assert_eq!(books["invoices"][0]["paid_cents"], 0);
    assert_eq!(voided(), 1, "exactly the one charge is voided");
    rt.stop().await;
}
