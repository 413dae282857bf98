//! Selling leads and customers to a buying partner over HTTP through the local runtime (issue 10, second half): the
//! buyer flag and campaign checks, delivery by a post to the buyer (its key, the sale's idempotency key, the
//! attribution fields, nothing a partner may not see), delivery by email, `retrying` then `failed` when the buyer
//! keeps failing, and the SSRF guard refusing loopback when the allowance is off.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_app::selling::{guard, PostPolicy};
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::stub::{Reply, Stub};
use vigil_tests::users::{ADMIN, LEAD_REP};

const PARTNERS: &str = "/api/v1/partners";
const POST_KEY: &str = "bluebird-issued-intake-key-8842";

/// A buyer's intake on loopback: records each post and answers `status` with `answer`.
async fn fake_buyer(status: u16, answer: Value) -> (String, Stub) {
    let stub = Stub::start(move |_| Reply::json(status, &answer)).await;
    (format!("{}/api/v1/public/leads", stub.url), stub)
}

async fn create_partner(rt: &LocalRuntime, token: &str, body: Value) -> Value {
    let (status, p) = rt.post(token, PARTNERS, body).await;
    assert_eq!(status, 201, "{p}");
    p
}

async fn vigil_buyer(rt: &LocalRuntime, token: &str, name: &str, url: &str) -> Value {
    create_partner(
        rt,
        token,
        json!({
            "name": name, "buys_leads": true, "lead_delivery_method": "vigil", "lead_post_url": url,
            "lead_source_id": "ACME-17", "lead_post_key": POST_KEY,
            "buys_customers": true, "customer_delivery_method": "vigil", "customer_post_url": url,
            "customer_source_id": "ACME-C17", "customer_post_key": POST_KEY
        }),
    )
    .await
}

async fn outbound_campaign(rt: &LocalRuntime, token: &str, partner: u64, name: &str, ext: &str) -> u64 {
    let (status, c) = rt
        .post(
            token,
            &format!("{PARTNERS}/{partner}/campaigns"),
            json!({"name": name, "direction": "outbound", "external_partner_id": format!("{ext}-P"),
                   "external_campaign_id": format!("{ext}-C")}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c["id"].as_u64().expect("campaign id")
}

async fn new_lead(rt: &LocalRuntime, token: &str, first: &str) -> u64 {
    let (_, opts) = rt.get(token, "/api/v1/leads/form-options").await;
    let body = json!({
        "source_id": opts["sources"][0]["id"], "first_name": first, "last_name": "Soldier",
        "primary_phone": "(801) 555-0199", "disposition_id": opts["dispositions"][0]["id"], "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "9 Sale St", "email": "sold@example.com"
    });
    let (status, lead) = rt.post(token, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    lead["id"].as_u64().expect("lead id")
}

/// The deliveries of one sale, once every one of them has reached `status`.
async fn deliveries(
    rt: &LocalRuntime,
    token: &str,
    partner: u64,
    sale: u64,
    status: &str,
    wait: Duration,
) -> Vec<Value> {
    eventually(&format!("sale {sale} to be {status}"), wait, || async {
        let (code, list) = rt.get(token, &format!("/api/v1/sales-to-partners?partner_id={partner}")).await;
        assert_eq!(code, 200, "{list}");
        let mine: Vec<Value> = list["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|d| d["sale_id"] == sale)
            .collect();
        (!mine.is_empty() && mine.iter().all(|d| d["status"] == status)).then_some(mine)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_sold_by_post_reach_the_buyer_once_each_with_its_key_attribution_and_nothing_private() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (url, seen) = fake_buyer(201, json!({"lead_id": "9001"})).await;
    let buyer = vigil_buyer(&rt, &admin, "Post Buyer", &url).await;
    let pid = buyer["id"].as_u64().expect("id");
    let campaign = outbound_campaign(&rt, &admin, pid, "Resale", "BB").await;
    let a = new_lead(&rt, &admin, "Ann").await;
    let b = new_lead(&rt, &admin, "Bo").await;
    // An SSN on the record: the post is built from the partner's masked view, so it never carries it.
    let (status, saved) =
        rt.patch(&admin, &format!("/api/v1/leads/{a}"), json!({"version": 1, "ssn": "123-45-6789"})).await;
    assert_eq!(status, 200, "{saved}");

    let (status, sale) = rt
        .post(&admin, "/api/v1/leads/sell", json!({"lead_ids": [a, b], "partner_id": pid, "campaign_id": campaign}))
        .await;
    assert_eq!(status, 202, "{sale}");
    let sale_id = sale["sale_id"].as_u64().expect("sale id");
    let done = deliveries(&rt, &admin, pid, sale_id, "delivered", Duration::from_secs(30)).await;
    assert_eq!(done.len(), 2);
    for d in &done {
        assert_eq!(d["buyer_record_id"], "9001");
        assert_eq!(d["campaign_id"], campaign);
        assert!(d["sold_by"].as_str().is_some_and(|s| !s.is_empty()), "{d}");
        assert!(d["sold_at"].as_str().is_some_and(|s| !s.is_empty()), "{d}");
    }

    let got = seen.requests();
    assert_eq!(got.len(), 2, "one post per lead, never a second: {got:?}");
    let mut keys: Vec<&str> = got.iter().filter_map(|r| r.header("idempotency-key")).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 2, "each lead's post has its own idempotency key");
    for r in &got {
        let body = r.json();
        assert_eq!(r.header("authorization"), Some(format!("Bearer {POST_KEY}").as_str()));
        assert!(r.header("idempotency-key").is_some_and(|k| k.contains(&sale_id.to_string())));
        assert_eq!(body["source_id"], "ACME-17");
        assert_eq!(body["external_partner_id"], "BB-P");
        assert_eq!(body["external_campaign_id"], "BB-C");
        assert_eq!(body["last_name"], "Soldier");
        // Masked as a partner may see it: the New Lead fields and the attribution, nothing else.
        let allowed = [
            "first_name",
            "last_name",
            "primary_phone",
            "city",
            "state",
            "zip",
            "address1",
            "email",
            "source_id",
            "external_partner_id",
            "external_campaign_id",
        ];
        for k in body.as_object().expect("object").keys() {
            assert!(allowed.contains(&k.as_str()), "the post carries {k}");
        }
        assert!(!body.to_string().contains("6789"), "the post carries no SSN: {body}");
    }
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_active_buyers_and_their_outbound_campaigns_are_accepted() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let lead = new_lead(&rt, &admin, "Cy").await;
    let seller = create_partner(
        &rt,
        &admin,
        json!({"name": "Only Sells", "sells_leads": true, "default_lead_location": "queue"}),
    )
    .await;
    let (status, p) =
        rt.post(&admin, "/api/v1/leads/sell", json!({"lead_ids": [lead], "partner_id": seller["id"]})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "partner_id", "{p}");

    let buyer = vigil_buyer(&rt, &admin, "Inactive Later", "http://127.0.0.1:9/x").await;
    let pid = buyer["id"].as_u64().expect("id");
    let (status, c) = rt
        .post(&admin, &format!("{PARTNERS}/{pid}/campaigns"), json!({"name": "Inbound one", "direction": "inbound"}))
        .await;
    assert_eq!(status, 201, "{c}");
    let (status, p) = rt
        .post(&admin, "/api/v1/leads/sell", json!({"lead_ids": [lead], "partner_id": pid, "campaign_id": c["id"]}))
        .await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "campaign_id", "{p}");

    let (status, off) = rt.patch(&admin, &format!("{PARTNERS}/{pid}"), json!({"active": false, "version": 1})).await;
    assert_eq!(status, 200, "{off}");
    let (status, p) = rt.post(&admin, "/api/v1/leads/sell", json!({"lead_ids": [lead], "partner_id": pid})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "partner_id", "{p}");

    // A customer sold to a partner that buys leads only is refused the same way.
    let lead_only = create_partner(
        &rt,
        &admin,
        json!({"name": "Leads Only", "buys_leads": true, "lead_delivery_method": "email",
               "lead_sale_emails": ["x@buyer.test"]}),
    )
    .await;
    let (status, p) =
        rt.post(&admin, &format!("/api/v1/customers/{lead}/sell"), json!({"partner_id": lead_only["id"]})).await;
    assert!(status == 422 || status == 404, "{status} {p}");

    // A lead rep may not see the sales list (partner companies are admin).
    let rep = rt.sign_in(LEAD_REP).await;
    let (status, _) = rt.get(&rep, "/api/v1/sales-to-partners").await;
    assert_eq!(status, 403);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_by_email_sends_the_sale_notification_with_the_records_details_once() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let buyer = create_partner(
        &rt,
        &admin,
        json!({"name": "Mail Buyer", "buys_leads": true, "lead_delivery_method": "email",
               "lead_sale_emails": ["sales@mailbuyer.test", "ops@mailbuyer.test"]}),
    )
    .await;
    let pid = buyer["id"].as_u64().expect("id");
    let lead = new_lead(&rt, &admin, "Dee").await;
    let (status, sale) = rt.post(&admin, "/api/v1/leads/sell", json!({"lead_ids": [lead], "partner_id": pid})).await;
    assert_eq!(status, 202, "{sale}");
    let sale_id = sale["sale_id"].as_u64().expect("sale id");
    deliveries(&rt, &admin, pid, sale_id, "delivered", Duration::from_secs(30)).await;
    let (_, outbox) = rt.get(&admin, "/api/v1/outbox").await;
    let mails: Vec<&Value> = outbox["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["subject"].as_str().is_some_and(|s| s.contains("sold you a lead: Dee Soldier")))
        .collect();
    let mut to: Vec<&str> = mails.iter().filter_map(|m| m["to"].as_str()).collect();
    to.sort();
    assert_eq!(to, ["ops@mailbuyer.test", "sales@mailbuyer.test"], "{outbox}");
    let body = mails[0]["body"].as_str().expect("body");
    assert!(body.contains("(801) 555-0199") || body.contains("8015550199"), "{body}");
    assert!(!body.to_lowercase().contains("ssn") && !body.to_lowercase().contains("birth"), "{body}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_that_keeps_failing_is_retrying_then_failed_with_the_reason() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (url, seen) = fake_buyer(500, json!({"error": "down"})).await;
    let buyer = vigil_buyer(&rt, &admin, "Broken Buyer", &url).await;
    let pid = buyer["id"].as_u64().expect("id");
    let lead = new_lead(&rt, &admin, "Eve").await;
    let (status, sale) = rt.post(&admin, "/api/v1/leads/sell", json!({"lead_ids": [lead], "partner_id": pid})).await;
    assert_eq!(status, 202, "{sale}");
    let sale_id = sale["sale_id"].as_u64().expect("sale id");
    let retrying = deliveries(&rt, &admin, pid, sale_id, "retrying", Duration::from_secs(30)).await;
    assert_eq!(retrying[0]["reason"], "the buyer answered HTTP 500");
    // Backoff doubles from 2 s: the fifth try comes about 30 s after the first.
    let failed = deliveries(&rt, &admin, pid, sale_id, "failed", Duration::from_secs(90)).await;
    assert_eq!(failed[0]["reason"], "the buyer answered HTTP 500");
    assert_eq!(seen.requests().len(), 5, "five tries, then the dead-letter queue");
    rt.stop().await;
}

/// The guard at connect time: a name that resolves to 127.0.0.1 is refused when loopback is not allowed (as in the
/// Lambdas), even over plain http and whatever the URL looked like when it was saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_url_resolving_to_loopback_is_refused_without_the_allowance() {
    let (url, seen) = fake_buyer(201, json!({"lead_id": "1"})).await;
    let by_name = url.replace("127.0.0.1", "localhost");
    let strict = PostPolicy { allow_loopback: false, allow_http: true };
    let client = guard::client(strict).expect("client");
    let err = client.post(&by_name).json(&json!({})).send().await.expect_err("refused");
    let chain = {
        let mut s = err.to_string();
        let mut src = std::error::Error::source(&err);
        while let Some(e) = src {
            s.push_str(&format!(" / {e}"));
            src = e.source();
        }
        s
    };
    assert!(chain.contains("loopback"), "{chain}");
    assert!(guard::check_url(strict, &url).is_err(), "an IP-literal loopback URL is refused before connecting");
    assert!(seen.requests().is_empty(), "nothing reached the server");

    // The same request goes through with the local runtime's allowance: the refusal above was the guard's.
    let local = guard::client(PostPolicy::LOCAL).expect("client");
    let ok = local.post(&by_name).json(&json!({})).send().await.expect("posted");
    assert_eq!(ok.status().as_u16(), 201);
}

/// A source a save newly gives a record must be an active partner that sells that kind (422 naming `source_id`);
/// a record keeps a source deactivated since. A partner with records attributed is not deleted (the delete checks its
/// counters in the same transaction), and is once none are left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_must_be_active_sellers_and_a_partner_with_records_is_not_deleted() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let lead = new_lead(&rt, &admin, "Sol").await;
    let path = format!("/api/v1/leads/{lead}");
    let buyer_only = create_partner(
        &rt,
        &admin,
        json!({"name": "Buys Only", "buys_leads": true, "lead_delivery_method": "email",
               "lead_sale_emails": ["b@buyer.test"]}),
    )
    .await;
    let (status, p) = rt.patch(&admin, &path, json!({"version": 1, "source_id": buyer_only["id"]})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("source_id"), Some("not_a_seller"))
    );

    let seller = create_partner(
        &rt,
        &admin,
        json!({"name": "Fading Seller", "sells_leads": true, "default_lead_location": "queue"}),
    )
    .await;
    let sid = seller["id"].as_u64().expect("id");
    let (status, moved) = rt.patch(&admin, &path, json!({"version": 1, "source_id": sid})).await;
    assert_eq!(status, 200, "{moved}");
    let partner_path = format!("{PARTNERS}/{sid}");
    let (status, refused) = rt.delete(&admin, &format!("{partner_path}?version=1")).await;
    assert_eq!(status, 409, "a partner with a lead attributed is not deleted: {refused}");

    let (status, off) = rt.patch(&admin, &partner_path, json!({"version": 1, "active": false})).await;
    assert_eq!(status, 200, "{off}");
    // The lead keeps its (now inactive) source through an unrelated edit.
    let (status, kept) = rt.patch(&admin, &path, json!({"version": 2, "first_name": "Solly"})).await;
    assert_eq!(status, 200, "{kept}");
    // Another lead may not take it.
    let other = new_lead(&rt, &admin, "Tam").await;
    let (status, p) =
        rt.patch(&admin, &format!("/api/v1/leads/{other}"), json!({"version": 1, "source_id": sid})).await;
    assert_eq!(status, 422, "{p}");
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("source_id"), Some("inactive"))
    );

    // Once the lead moves to another source, nothing is attributed and the partner goes.
    let (status, back) = rt.patch(&admin, &path, json!({"version": 3, "source_id": 1})).await;
    assert_eq!(status, 200, "{back}");
    let (status, gone) = rt.delete(&admin, &format!("{partner_path}?version=2")).await;
    assert_eq!(status, 204, "{gone}");
    rt.stop().await;
}
