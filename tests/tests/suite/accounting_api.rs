//! Accounting over HTTP through the local runtime (issue 12): invoices and quotes with tax and totals in integer
//! cents, quote → invoice, billing methods through the sandbox processor's own endpoint (a card number never
//! reaches Vigil: not stored, not logged), payments and Transactions with a running balance, parent/child billing,
//! and who may see it.

use serde_json::{json, Value};
use std::path::Path;
use vigil_tests::orders::{billing_method, fields, new_customer, tokenize};
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::{ADMIN, INSTALLER, OFFICE, OTHER_ADMIN};

/// The test card (Visa); written here only to be searched for.
const CARD: &str = "4242424242424242";
const CHILD: &str = "VIGIL_ACCOUNTING_LOG_CHILD";

async fn invoice(rt: &LocalRuntime, token: &str, id: u64, lines: Value, tax: u64) -> Value {
    let (status, inv) =
        rt.post(token, &format!("/api/v1/customers/{id}/invoices"), json!({"lines": lines, "tax_rate_bp": tax})).await;
    assert_eq!(status, 201, "{inv}");
    inv
}

async fn pay(rt: &LocalRuntime, token: &str, id: u64, body: Value) -> (u16, Value) {
    rt.post(token, &format!("/api/v1/customers/{id}/payments"), body).await
}

async fn accounting(rt: &LocalRuntime, token: &str, id: u64) -> Value {
    let (status, a) = rt.get(token, &format!("/api/v1/customers/{id}/accounting")).await;
    assert_eq!(status, 200, "{a}");
    a
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_and_quotes_total_in_cents_and_a_quote_becomes_an_invoice() {
    let rt = LocalRuntime::start_small().await;
    let office = rt.sign_in(OFFICE).await;
    let id = new_customer(&rt, &office, "Ivy").await["id"].as_u64().unwrap();
    let lines = json!([{"description": "Keypad", "quantity": 2, "unit_cents": 1999}, {"description": "Labor", "unit_cents": 500}]);
    let inv = invoice(&rt, &office, id, lines.clone(), 725).await;
    // $44.98 at 7.25 % is 326.105 cents of tax: 326.
    assert_eq!(
        (inv["subtotal_cents"].as_u64(), inv["tax_cents"].as_u64(), inv["total_cents"].as_u64()),
        (Some(4498), Some(326), Some(4824))
    );
    assert_eq!(inv["lines"][1]["quantity"], 1);
    let path = format!("/api/v1/customers/{id}/invoices");
    let bad = json!({"lines": [{"description": "ok", "unit_cents": 1}, {"description": "", "unit_cents": -1, "quantity": 0}], "tax_rate_bp": 10001});
    let (status, p) = rt.post(&office, &path, bad).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(fields(&p), ["lines[1].description", "lines[1].quantity", "lines[1].unit_cents", "tax_rate_bp"], "{p}");
    let (status, p) = rt.post(&office, &path, json!({"lines": []})).await;
    assert_eq!((status, fields(&p)), (422, vec!["lines".to_owned()]));

    let (status, quote) = rt.post(&office, &path, json!({"kind": "quote", "lines": lines, "tax_rate_bp": 0})).await;
    assert_eq!(status, 201, "{quote}");
    assert_eq!(quote["total_cents"], 4498);
    let convert = format!("/api/v1/customers/{id}/quote-to-invoice");
    let (status, p) = rt.post(&office, &convert, json!({"quote_id": quote["id"], "version": 9})).await;
    assert_eq!(status, 409, "{p}");
    let (status, made) = rt.post(&office, &convert, json!({"quote_id": quote["id"], "version": 1})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!((made["kind"].as_str(), made["from_quote"].as_u64()), (Some("invoice"), quote["id"].as_u64()));
    assert_eq!(made["total_cents"], 4498);
    let (status, _) = rt.post(&office, &convert, json!({"quote_id": quote["id"], "version": 2})).await;
    assert_eq!(status, 409, "a converted quote is not converted twice");
    let (status, p) = rt.post(&office, &convert, json!({"quote_id": inv["id"], "version": 1})).await;
    assert_eq!((status, fields(&p)), (422, vec!["quote_id".to_owned()]));

    let a = accounting(&rt, &office, id).await;
    assert_eq!(a["invoices"].as_array().unwrap().len(), 2);
    assert_eq!(
        (a["quotes"][0]["status"].as_str(), a["quotes"][0]["converted_to"].as_u64()),
        (Some("converted"), made["id"].as_u64())
    );
    assert_eq!(a["balance_cents"], 4824 + 4498);
    assert_eq!(a["banner"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_with_a_tokenized_card_settle_invoices_and_transactions_keep_a_running_balance() {
    let rt = LocalRuntime::start_small().await;
    let office = rt.sign_in(OFFICE).await;
    let id = new_customer(&rt, &office, "Paul").await["id"].as_u64().unwrap();
    let inv = invoice(&rt, &office, id, json!([{"description": "Install", "unit_cents": 10000}]), 0).await;
    let bm = billing_method(&rt, &office, id).await;
    assert_eq!(
        (bm["brand"].as_str(), bm["last4"].as_str(), bm["processor"].as_str()),
        (Some("Visa"), Some("4242"), Some("sandbox"))
    );
    assert!(bm.get("token").is_none(), "the token stays on the server: {bm}");

    // Vigil's API refuses what only the processor may see, by field name, whatever else is sent.
    let methods = format!("/api/v1/customers/{id}/billing-methods");
    for field in ["card_number", "number", "cvv", "cvc", "account_number"] {
        let mut body =
            json!({"kind": "card", "brand": "Visa", "last4": "4242", "exp_month": 1, "exp_year": 2031, "token": "x"});
        body[field] = json!(CARD);
        let (status, p) = rt.post(&office, &methods, body).await;
        assert_eq!((status, fields(&p)), (422, vec![field.to_owned()]), "{p}");
        assert!(!p.to_string().contains(CARD));
    }
    let (status, p) = rt
        .post(&office, &methods, json!({"kind": "card", "token": "tok_live_x", "brand": "Visa", "last4": "42", "exp_month": 13, "exp_year": 2031}))
        .await;
    assert_eq!(
        (status, fields(&p)),
        (422, vec!["token".to_owned(), "last4".to_owned(), "exp_month".to_owned()]),
        "{p}"
    );

    let body = |amount: Value| json!({"invoice_id": inv["id"], "billing_method_id": bm["id"], "amount_cents": amount, "date": "2030-01-02"});
    let (status, p) = pay(&rt, &office, id, body(json!(10001))).await;
    assert_eq!((status, fields(&p)), (422, vec!["amount_cents".to_owned()]), "more than the invoice owes: {p}");
    let (status, p) =
        pay(&rt, &office, id, json!({"invoice_id": inv["id"], "billing_method_id": 999, "amount_cents": 5})).await;
    assert_eq!((status, fields(&p)), (422, vec!["billing_method_id".to_owned()]), "{p}");
    let (status, p1) = pay(&rt, &office, id, body(json!(4000))).await;
    assert_eq!(status, 201, "{p1}");
    assert!(p1["processor_ref"].as_str().unwrap().starts_with("ch_sandbox_"));
    let a = accounting(&rt, &office, id).await;
    assert_eq!(
        (a["invoices"][0]["paid_cents"].as_u64(), a["invoices"][0]["status"].as_str()),
        (Some(4000), Some("open"))
    );
    let (status, _) = pay(&rt, &office, id, body(json!(6000))).await;
    assert_eq!(status, 201);
    let a = accounting(&rt, &office, id).await;
    assert_eq!(a["invoices"][0]["status"], "paid");
    let rows: Vec<(&str, i64)> = a["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["kind"].as_str().unwrap(), t["balance_cents"].as_i64().unwrap()))
        .collect();
    let today_first = rows.first().map(|r| r.0);
    assert_eq!(rows.len(), 3, "{a}");
    assert_eq!(a["balance_cents"], 0);
    // Payments were dated 2030: the invoice (today) comes first, then the payments bring the balance down.
    assert_eq!(today_first, Some("invoice"));
    assert_eq!(rows, [("invoice", 10000), ("payment", 6000), ("payment", 0)]);
    let (status, _) = pay(&rt, &office, id, body(json!(1))).await;
    assert_eq!(status, 422, "a paid invoice owes nothing");

    // The decline card tokenizes, but the sandbox declines its charges.
    let inv2 = invoice(&rt, &office, id, json!([{"description": "Service", "unit_cents": 2500}]), 0).await;
    let t = tokenize(&rt, "4000 0000 0000 0002").await;
    let (_, declined) = rt
        .post(&office, &methods, json!({"kind": "card", "token": t["token"], "brand": t["brand"], "last4": t["last4"], "exp_month": 12, "exp_year": 2031}))
        .await;
    let (status, p) = pay(
        &rt,
        &office,
        id,
        json!({"invoice_id": inv2["id"], "billing_method_id": declined["id"], "amount_cents": 2500}),
    )
    .await;
    assert_eq!((status, fields(&p)), (422, vec!["billing_method_id".to_owned()]), "{p}");
    assert_eq!(accounting(&rt, &office, id).await["payments"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sub_customer_bills_through_its_parent() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let parent = new_customer(&rt, &admin, "Parent").await;
    let pid = parent["id"].as_u64().unwrap();
    let child = new_customer(&rt, &admin, "Child").await;
    let cid = child["id"].as_u64().unwrap();
    let recurring = format!("/api/v1/customers/{cid}/recurring-invoices");
    let (status, before) = rt.post(&admin, &recurring, json!({"amount_cents": 3999, "start_date": "2030-01-01"})).await;
    assert_eq!(status, 201, "{before}");
    let early = invoice(&rt, &admin, cid, json!([{"description": "Before linking", "unit_cents": 700}]), 0).await;
    assert_eq!(early["bill_through"], Value::Null);

    let (status, linked) = rt
        .patch(&admin, &format!("/api/v1/customers/{cid}"), json!({"version": child["version"], "parent_id": pid}))
        .await;
    assert_eq!(status, 200, "{linked}");

    let a = accounting(&rt, &admin, cid).await;
    assert_eq!(
        a["banner"],
        "This is a sub-customer of Parent Homeowner — payments are received on the Parent Customer."
    );
    assert_eq!(a["parent"]["id"], pid);
    // New recurring invoices bill through the parent; the one made before keeps its setup.
    let (_, after) = rt.post(&admin, &recurring, json!({"amount_cents": 1999, "start_date": "2030-02-01"})).await;
    assert_eq!(after["data"]["bill_through"], pid);
    let (_, list) = rt.get(&admin, &recurring).await;
    let old = list["items"].as_array().unwrap().iter().find(|r| r["id"] == before["id"]).unwrap();
    assert!(old["data"].get("bill_through").is_none(), "{old}");

    let inv = invoice(&rt, &admin, cid, json!([{"description": "Monitoring", "unit_cents": 3000}]), 0).await;
    assert_eq!(inv["bill_through"], pid);
    // A payment on the sub-customer goes to the parent.
    let (status, p) =
        pay(&rt, &admin, cid, json!({"invoice_id": inv["id"], "billing_method_id": 1, "amount_cents": 100})).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!(p["current"]["parent_id"], pid);

    let own = invoice(&rt, &admin, pid, json!([{"description": "HQ", "unit_cents": 5000}]), 0).await;
    let a = accounting(&rt, &admin, pid).await;
    let rows: Vec<(u64, u64)> = a["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["customer_id"].as_u64().unwrap(), t["ref_id"].as_u64().unwrap()))
        .collect();
    assert!(
        rows.contains(&(cid, inv["id"].as_u64().unwrap())) && rows.contains(&(pid, own["id"].as_u64().unwrap())),
        "{a}"
    );
    assert!(
        !rows.contains(&(cid, early["id"].as_u64().unwrap())),
        "the invoice from before the link stays the child's"
    );
    assert_eq!(a["balance_cents"], 8000);

    // The parent takes the payment of the sub-customer's invoice.
    let bm = billing_method(&rt, &admin, pid).await;
    let (status, paid) = pay(
        &rt,
        &admin,
        pid,
        json!({"invoice_id": inv["id"], "invoice_customer_id": cid, "billing_method_id": bm["id"], "amount_cents": 3000}),
    )
    .await;
    assert_eq!(status, 201, "{paid}");
    assert_eq!(accounting(&rt, &admin, pid).await["balance_cents"], 5000);
    let child_view = accounting(&rt, &admin, cid).await;
    let paid_inv = child_view["invoices"].as_array().unwrap().iter().find(|i| i["id"] == inv["id"]).unwrap().clone();
    assert_eq!(paid_inv["status"], "paid");
    // It cannot pay an invoice that does not bill through it.
    let (status, p) = pay(
        &rt,
        &admin,
        pid,
        json!({"invoice_id": early["id"], "invoice_customer_id": cid, "billing_method_id": bm["id"], "amount_cents": 700}),
    )
    .await;
    assert_eq!((status, fields(&p)), (422, vec!["invoice_id".to_owned()]), "{p}");

    // Unlinking leaves past invoices as they were.
    let (_, now) = rt.get(&admin, &format!("/api/v1/customers/{cid}")).await;
    let (status, _) = rt
        .patch(&admin, &format!("/api/v1/customers/{cid}"), json!({"version": now["version"], "parent_id": null}))
        .await;
    assert_eq!(status, 200);
    let a = accounting(&rt, &admin, pid).await;
    assert!(a["transactions"].as_array().unwrap().iter().any(|t| t["customer_id"] == cid), "{a}");
    let c = accounting(&rt, &admin, cid).await;
    assert_eq!(c["banner"], Value::Null);
    assert!(c["invoices"].as_array().unwrap().iter().any(|i| i["id"] == inv["id"] && i["bill_through"] == pid));
    let later = invoice(&rt, &admin, cid, json!([{"description": "After", "unit_cents": 100}]), 0).await;
    assert_eq!(later["bill_through"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounting_needs_its_grant_and_stays_in_the_company() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let installer = rt.sign_in(INSTALLER).await;
    let other = rt.sign_in(OTHER_ADMIN).await;
    let id = new_customer(&rt, &admin, "Gina").await["id"].as_u64().unwrap();
    // The installer may view the customer, not its accounting.
    assert_eq!(rt.get(&installer, &format!("/api/v1/customers/{id}")).await.0, 200);
    assert_eq!(rt.get(&installer, &format!("/api/v1/customers/{id}/accounting")).await.0, 403);
    let lines = json!({"lines": [{"description": "x", "unit_cents": 1}]});
    assert_eq!(rt.post(&installer, &format!("/api/v1/customers/{id}/invoices"), lines.clone()).await.0, 403);
    // Another company's admin finds nothing there.
    assert_eq!(rt.get(&other, &format!("/api/v1/customers/{id}/accounting")).await.0, 404);
    assert_eq!(rt.post(&other, &format!("/api/v1/customers/{id}/invoices"), lines).await.0, 404);
    let (status, _) =
        rt.post(&other, &format!("/api/v1/customers/{id}/payments"), json!({"invoice_id": 1, "amount_cents": 1})).await;
    assert_eq!(status, 404);
}

/// Runs the card flows in a child process with debug logging; neither its output nor any file of its data
/// directory (the whole embedded table) holds the card number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_number_is_never_stored_or_logged() {
    if std::env::var_os(CHILD).is_some() {
        return card_flows_for_the_log_test().await;
    }
    let data = tempfile::tempdir().unwrap();
    let out = vigil_tests::run_logged_child(
        module_path!(),
        "a_card_number_is_never_stored_or_logged",
        CHILD,
        data.path().to_path_buf(),
    )
    .await;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let redacted = text.replace(CARD, "<card>");
    assert!(out.status.success(), "the child's flows failed:\n{redacted}");
    // The logs were captured: the requests and the saved billing method announce themselves.
    assert!(text.contains("billing method saved") && text.contains("payment taken"), "{redacted}");
    assert!(!text.contains(CARD) && !text.contains("4242 4242 4242 4242"), "the output holds the card number");
    let mut files = 0;
    for bytes in every_file(data.path()) {
        files += 1;
        let hay = String::from_utf8_lossy(&bytes);
        assert!(!hay.contains(CARD) && !hay.contains("4242 4242 4242 4242"), "a stored file holds the card number");
    }
    assert!(files > 0, "the table was dumped");
}

fn every_file(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(every_file(&p));
        } else {
            out.push(std::fs::read(&p).unwrap());
        }
    }
    out
}

async fn card_flows_for_the_log_test() {
    vigil_functions::telemetry::init();
    let dir = std::path::PathBuf::from(std::env::var_os(CHILD).unwrap());
    let rt = LocalRuntime::start_with(|c| {
        c.data_dir = dir.clone();
        c.seed = Some(vigil_local::seed::SeedSize { leads: 10, customers: 4 });
    })
    .await;
    let office = rt.sign_in(OFFICE).await;
    let id = new_customer(&rt, &office, "Carla").await["id"].as_u64().unwrap();
    let inv = invoice(&rt, &office, id, json!([{"description": "Install", "unit_cents": 9900}]), 0).await;
    let bm = billing_method(&rt, &office, id).await;
    let (status, p) =
        pay(&rt, &office, id, json!({"invoice_id": inv["id"], "billing_method_id": bm["id"], "amount_cents": 9900}))
            .await;
    assert_eq!(status, 201, "{p}");
    // A body that carries the number anyway is refused, and its refusal logged, without the number.
    let (status, _) = rt
        .post(&office, &format!("/api/v1/customers/{id}/billing-methods"), json!({"card_number": CARD, "cvv": "123"}))
        .await;
    assert_eq!(status, 422);
    println!("{}", accounting(&rt, &office, id).await);
    rt.stop().await;
}
