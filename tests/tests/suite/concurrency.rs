//! Contention and edge hygiene over HTTP: many writers at once are served (retried inside, never a 500), an exhausted
//! retry budget is a 503 with `Retry-After`, and the edge's own refusals (413, 405) and `Cache-Control: no-store`.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use vigil_app::retry::Backoff;
use vigil_local::seed::SeedSize;
use vigil_local::TableLayer;
use vigil_store::StoreError;
use vigil_tests::cognito::rehearsal_runtime;
use vigil_tests::faults::{Call, Gate, Gated};
use vigil_tests::runtime::LocalRuntime;

const OFFICE: &str = "office@acme.example";
const CREATES: usize = 100;

/// The first source, its first campaign and the Warm status, from the form options.
async fn lead_options(rt: &LocalRuntime, token: &str) -> (u64, u64, u64) {
    let (status, opts) = rt.get(token, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{opts}");
    let source = &opts["sources"][0];
    let warm = opts["dispositions"].as_array().and_then(|d| d.iter().find(|d| d["name"] == "Warm")).cloned();
    (
        source["id"].as_u64().expect("a source"),
        source["campaigns"][0]["id"].as_u64().expect("a campaign"),
        warm.and_then(|d| d["id"].as_u64()).expect("the Warm status"),
    )
}

async fn total(rt: &LocalRuntime, token: &str, query: &str) -> u64 {
    let (status, page) = rt.get(token, &format!("/api/v1/leads?{query}")).await;
    assert_eq!(status, 200, "{query}: {page}");
    assert_eq!(page["meta"]["total_exact"], true, "{query}: {page}");
    page["meta"]["total"].as_u64().expect("a total")
}

/// `CREATES` New Leads for one company at once: every one is created (no 5xx, no 409), each with its own ID, the IDs
/// continue the company's sequence without gaps, and the list's counters moved by exactly that many.
async fn hundred_concurrent_creates(rt: &LocalRuntime, token: &str) {
    let token = token.to_owned();
    let (source, campaign, warm) = lead_options(rt, &token).await;
    let queries = ["", "stage=new", &format!("source={source}"), &format!("campaign={campaign}")];
    let mut before = Vec::new();
    for q in queries {
        before.push(total(rt, &token, q).await);
    }
    let (_, newest) = rt.get(&token, "/api/v1/leads?per_page=10").await;
    let highest_before = newest["items"][0]["id"].as_u64().expect("seeded leads");

    let mut calls = tokio::task::JoinSet::new();
    for i in 0..CREATES {
        let body = json!({
            "source_id": source, "campaign_id": campaign, "disposition_id": warm,
            "first_name": format!("Racer{i:03}"), "last_name": "Concurrent", "primary_phone": format!("(801) 555-{i:04}"),
            "city": "Provo", "state": "UT", "zip": "84601",
        });
        let req = rt.http().post(rt.url("/api/v1/leads")).bearer_auth(&token).json(&body);
        calls.spawn(async move {
            let resp = req.send().await.expect("the runtime answers");
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let answers = calls.join_all().await;
    let mut ids = BTreeSet::new();
    for (status, body) in &answers {
        assert_eq!(*status, 201, "{body}");
        ids.insert(body["id"].as_u64().expect("an id"));
    }
    assert_eq!(ids.len(), CREATES, "every create got its own ID");
    let expected: BTreeSet<u64> = (highest_before + 1..=highest_before + CREATES as u64).collect();
    assert_eq!(ids, expected, "the IDs continue the sequence without gaps");
    for (q, was) in queries.iter().zip(before) {
        assert_eq!(total(rt, &token, q).await, was + CREATES as u64, "total of ?{q}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_creates_embedded() {
    let rt = LocalRuntime::start_small().await;
    hundred_concurrent_creates(&rt, &rt.sign_in(OFFICE).await).await;
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_creates_on_moto() {
    // Signed in through the rehearsal's user pool: the AWS backend accepts only its tokens.
    let (rt, pool) = rehearsal_runtime("vigil-concurrency", |c| {
        // The companies, users and lists, and a lead to continue from: moto copies the whole table for every transaction, so every record
        // seeded makes each of the creates slower.
        c.seed = Some(SeedSize { leads: 2, customers: 0 });
        // moto also fails the copies a concurrent write overtakes (HTTP 500, retried as contention); one handler at a
        // time keeps the run short, while the hundred clients still arrive at once over HTTP.
        c.concurrency = 1;
    })
    .await;
    hundred_concurrent_creates(&rt, &pool.sign_in(OFFICE).await).await;
    rt.stop().await;
}

/// The store calls a [`Flaky`] table refuses as busy: how many more of each kind, before it lets them through.
#[derive(Default)]
struct Refusals {
    /// Reads of one item (what a signed-in request's user lookup does).
    gets: u32,
    /// When set, only reads of the item with this sort key are refused: the runtime's background work (the job
    /// worker running what the seed queued) reads items too, and must neither use the refusals up nor add to the count.
    get_sk: Option<String>,
    increments: u32,
    transactions: u32,
}

/// Contention injected into the embedded table: calls are refused with `StoreError::Busy` while `Refusals` says so.
/// Counts every refusal.
struct Flaky {
    refuse: Mutex<Refusals>,
    refused: AtomicU32,
}

impl Gate for Flaky {
    fn check(&self, call: Call<'_>) -> Result<(), StoreError> {
        let mut r = self.refuse.lock().map_err(|_| StoreError::Backend("poisoned".into()))?;
        let get_matches = matches!(call, Call::Get(k) if r.get_sk.as_ref().is_none_or(|sk| *sk == k.sk));
        let counter = if get_matches && r.gets > 0 {
            &mut r.gets
        } else if matches!(call, Call::Increment(_)) && r.increments > 0 {
            &mut r.increments
        } else if matches!(call, Call::Transact(_)) && r.transactions > 0 {
            &mut r.transactions
        } else {
            return Ok(());
        };
        *counter -= 1;
        self.refused.fetch_add(1, Ordering::SeqCst);
        Err(StoreError::Busy)
    }
}

impl Flaky {
    fn set(&self, refusals: Refusals) {
        *self.refuse.lock().expect("lock") = refusals;
    }
}

/// The local runtime on the embedded default, its table behind a [`Flaky`] (and the store retries above that).
async fn flaky_runtime() -> (LocalRuntime, Arc<Flaky>) {
    let flaky: Arc<Mutex<Option<Arc<Flaky>>>> = Arc::default();
    let slot = flaky.clone();
    let rt = LocalRuntime::start_with(|c| {
        c.seed = Some(SeedSize { leads: 20, customers: 5 });
        c.table_layer = Some(TableLayer::new(move |inner| {
            let f = Arc::new(Flaky { refuse: Mutex::default(), refused: AtomicU32::new(0) });
            *slot.lock().expect("lock") = Some(f.clone());
            Arc::new(Gated { inner, gate: f })
        }));
    })
    .await;
    let flaky = flaky.lock().expect("lock").clone().expect("the runtime used the layer");
    (rt, flaky)
}

async fn new_lead(rt: &LocalRuntime, token: &str, first: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let (source, campaign, warm) = lead_options(rt, token).await;
    let body = json!({
        "source_id": source, "campaign_id": campaign, "disposition_id": warm, "first_name": first,
        "last_name": "Flaky", "primary_phone": "(801) 555-0142", "city": "Provo", "state": "UT",
    });
    let resp = rt.http().post(rt.url("/api/v1/leads")).bearer_auth(token).json(&body).send().await.expect("answer");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, resp.json().await.unwrap_or(Value::Null), headers)
}

async fn highest_lead_id(rt: &LocalRuntime, token: &str) -> u64 {
    let (status, page) = rt.get(token, "/api/v1/leads?per_page=10").await;
    assert_eq!(status, 200, "{page}");
    page["items"][0]["id"].as_u64().expect("a lead")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_exhausted_is_503_with_retry_after() {
    let (rt, flaky) = flaky_runtime().await;
    let token = rt.sign_in(OFFICE).await;
    let highest = highest_lead_id(&rt, &token).await;
    let (status, me) = rt.get(&token, "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    let user_sk = format!("USER#{}", me["id"].as_str().expect("the user's id"));

    // Refused as long as the retries last: the caller is told to come back, not that the server broke.
    flaky.set(Refusals { gets: 1000, get_sk: Some(user_sk), ..Refusals::default() });
    let resp = rt.http().get(rt.url("/api/v1/me")).bearer_auth(&token).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 503);
    let headers = resp.headers().clone();
    assert_eq!(headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("2"));
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let problem: Value = resp.json().await.expect("problem+json");
    assert_eq!(problem["status"], 503, "{problem}");
    assert_eq!(problem["type"], "https://vigil.example/problems/busy", "{problem}");
    assert!(problem["errors"].is_array(), "{problem}");
    assert_eq!(flaky.refused.load(Ordering::SeqCst), Backoff::STORE.attempts, "the budget is capped");

    // The same while creating a lead whose counter is contended: 503, and no number was taken.
    flaky.set(Refusals { increments: 1000, ..Refusals::default() });
    let (status, problem, headers) = new_lead(&rt, &token, "Refused").await;
    assert_eq!(status, 503, "{problem}");
    assert!(headers.contains_key("retry-after"));
    flaky.set(Refusals::default());
    let (status, lead, _) = new_lead(&rt, &token, "Accepted").await;
    assert_eq!(status, 201, "{lead}");
    assert_eq!(lead["id"].as_u64(), Some(highest + 1), "the refused create took no ID");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contention_within_the_budget_is_absorbed_without_gaps() {
    let (rt, flaky) = flaky_runtime().await;
    let token = rt.sign_in(OFFICE).await;
    let highest = highest_lead_id(&rt, &token).await;
    let spare = Backoff::STORE.attempts - 1;
    for (i, refusals) in [
        Refusals { increments: spare, ..Refusals::default() },
        Refusals { transactions: spare, ..Refusals::default() },
        Refusals { increments: spare, transactions: spare, ..Refusals::default() },
    ]
    .into_iter()
    .enumerate()
    {
        flaky.set(refusals);
        let (status, lead, _) = new_lead(&rt, &token, &format!("Retried{i}")).await;
        assert_eq!(status, 201, "{lead}");
        assert_eq!(lead["id"].as_u64(), Some(highest + 1 + i as u64), "retries neither skip nor reuse an ID");
    }
    assert_eq!(flaky.refused.load(Ordering::SeqCst), 4 * spare);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_over_256_kib_is_413() {
    let rt = LocalRuntime::start_with(|c| c.seed = Some(SeedSize { leads: 5, customers: 2 })).await;
    let token = rt.sign_in(OFFICE).await;
    let big = json!({ "first_name": "x".repeat(256 * 1024) }).to_string();
    let resp = rt
        .http()
        .post(rt.url("/api/v1/leads"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let problem: Value = resp.json().await.expect("problem+json");
    assert_eq!(problem["status"], 413, "{problem}");
    // Just under the limit is read and judged on its content (here: a New Lead missing most fields).
    let fits = json!({ "first_name": "x".repeat(200 * 1024) });
    let resp = rt.http().post(rt.url("/api/v1/leads")).bearer_auth(&token).json(&fits).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 422);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_no_store() {
    let rt = LocalRuntime::start_with(|c| c.seed = Some(SeedSize { leads: 5, customers: 2 })).await;
    let token = rt.sign_in(OFFICE).await;
    let no_store =
        |resp: &reqwest::Response| resp.headers().get("cache-control").and_then(|v| v.to_str().ok()).map(str::to_owned);
    for (method, path, body) in [
        ("GET", "/api/v1/health", None),
        ("GET", "/api/v1/me", None),
        ("GET", "/api/v1/leads?per_page=10", None),
        ("GET", "/api/v1/leads/999999", None),
        ("POST", "/api/v1/leads", Some(json!({}))),
        ("GET", "/api/v1/nothing-here", None),
    ] {
        let mut req = rt.http().request(method.parse().expect("method"), rt.url(path)).bearer_auth(&token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("answer");
        assert_eq!(no_store(&resp).as_deref(), Some("no-store"), "{method} {path}: {}", resp.status());
    }

    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_method_is_405() {
    let rt = LocalRuntime::start_with(|c| c.seed = Some(SeedSize { leads: 5, customers: 2 })).await;
    let token = rt.sign_in(OFFICE).await;
    let resp = rt.http().delete(rt.url("/api/v1/leads")).bearer_auth(&token).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers().get("allow").and_then(|v| v.to_str().ok()), Some("GET, POST"));
    assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let problem: Value = resp.json().await.expect("problem+json");
    assert_eq!(problem["status"], 405, "{problem}");
    let resp = rt.http().put(rt.url("/api/v1/health")).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers().get("allow").and_then(|v| v.to_str().ok()), Some("GET"));
    // A path no route has is still not found, whatever the method.
    assert_eq!(rt.http().delete(rt.url("/api/v1/nothing-here")).send().await.expect("answer").status().as_u16(), 404);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_are_refused_without_echoing_them() {
    let rt = LocalRuntime::start_with(|c| c.seed = Some(SeedSize { leads: 5, customers: 2 })).await;
    let token = rt.sign_in("admin@acme.example").await;
    let secret = "987-65-4329";
    // A typed body (the lead scoring weights) with a value of the wrong type, and a body that is not JSON.
    for (path, method, body) in [
        (
            "/api/v1/settings/lead-scoring",
            "PUT",
            json!({ "company_size": secret, "industry_fit": 1, "title_seniority": 1, "engagement": 1 }).to_string(),
        ),
        ("/api/v1/leads", "POST", format!("{{\"first_name\": \"{secret}\" oops")),
    ] {
        let resp = rt
            .http()
            .request(method.parse().expect("method"), rt.url(path))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("answer");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        assert!((400..500).contains(&status), "{path}: {status} {text}");
        assert!(!text.contains(secret) && !text.contains("987"), "{path}: {text}");
    }
    rt.stop().await;
}
