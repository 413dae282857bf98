//! API flows through the local runtime over real HTTP: sign-in, the authorizer, tenancy, permissions, paging and the
//! jobs queue.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_app::jobs::{self, Job, Outcome};
use vigil_app::records::record_item;
use vigil_domain::record::{Kind, Record, Stage};
use vigil_domain::{CompanyId, LocationId, RecordId, UserId};
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, OFFICE, OTHER_ADMIN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_needs_no_session_and_unknown_routes_are_problem_json() {
    let rt = LocalRuntime::start_small().await;
    let resp = rt.http().get(rt.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<Value>().await.unwrap()["status"], "ok");

    let resp = rt.http().get(rt.url("/api/v1/no-such-thing")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_users_cover_every_role_of_both_companies() {
    let rt = LocalRuntime::start_small().await;
    let users: Vec<Value> = rt.http().get(rt.url("/api/v1/dev/users")).send().await.unwrap().json().await.unwrap();
    for company in ["acme", "bluebird"] {
        for role in ["admin", "office", "lead_rep", "sales_rep", "installer", "partner"] {
            assert!(
                users.iter().any(|u| u["company"] == company
                    && u["role"] == role
                    && u["email"].as_str().is_some_and(|e| e.contains('@'))),
                "{company} has a {role}"
            );
        }
    }
    let resp = rt
        .http()
        .post(rt.url("/api/v1/dev/sign-in"))
        .json(&json!({"email": "nobody@acme.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "email");
    let resp = rt.http().post(rt.url("/api/v1/dev/sign-in")).body("not json").send().await.unwrap();
    assert_eq!(resp.status(), 422);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_expired_and_forged_tokens_are_401() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let (status, me) = rt.get(&token, "/api/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["company"], "acme");
    assert_eq!(me["role"], "office");
    assert_eq!(me["nav"]["leads"], true);

    let resp = rt.http().get(rt.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(resp.status(), 401);

    // Same claims, signed with another key.
    let claims = vigil_domain::Claims {
        sub: UserId::parse("acme-admin").unwrap(),
        company: CompanyId::parse("acme").unwrap(),
        email: ADMIN.into(),
        exp: u64::MAX / 2,
        iat: 0,
        partner: None,
    };
    let forged = vigil_local::tokens::TokenSigner::new(b"not the runtime's key".to_vec()).sign(&claims);
    assert_eq!(rt.get(&forged, "/api/v1/me").await.0, 401);

    // A token whose payload was edited to another company keeps its old signature.
    let mut parts: Vec<&str> = token.split('.').collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut payload: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    payload["custom:company"] = json!("bluebird");
    let edited = b64.encode(payload.to_string());
    parts[1] = &edited;
    assert_eq!(rt.get(&parts.join("."), "/api/v1/me").await.0, 401);

    let mut expired_claims = claims.clone();
    expired_claims.exp = 1;
    let (status, body) = rt.get(&forged.replace('.', "x"), "/api/v1/me").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(rt.get("", "/api/v1/leads").await.0, 401);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_are_401() {
    let rt = LocalRuntime::start_with(|c| {
        c.seed = Some(vigil_local::seed::SeedSize { leads: 5, customers: 5 });
        // Expiry is counted in whole seconds, so a 1 s session can lapse before its first request: 3 s leaves at
        // least 2.
        c.session = Duration::from_secs(3);
    })
    .await;
    let token = rt.sign_in(OFFICE).await;
    assert_eq!(rt.get(&token, "/api/v1/me").await.0, 200);
    eventually("the session to expire", Duration::from_secs(10), || async {
        (rt.get(&token, "/api/v1/me").await.0 == 401).then_some(())
    })
    .await;
    rt.stop().await;
}

fn record(id: u64, kind: Kind, first: &str) -> Record {
    Record {
        id: RecordId(id),
        kind,
        stage: if kind == Kind::Lead { Stage::New } else { Stage::Converted },
        first_name: first.into(),
        last_name: "Tenantson".into(),
        business_name: None,
        email: Some("t@example.com".into()),
        primary_phone: "8015550100".into(),
        address1: None,
        city: "Provo".into(),
        state: "UT".into(),
        zip: None,
        office_location_id: Some(LocationId(1)),
        source_id: None,
        campaign_id: None,
        disposition: None,
        rating: 0,
        tags: vec![],
        lead_rep_id: None,
        account_number: None,
        next_followup: None,
        created_at: "2026-01-01T00:00:00.000Z".into(),
        created_by: UserId::parse("acme-admin").unwrap(),
        archived: false,
        version: 1,
        lead: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_companys_records_are_404_whatever_ids_are_sent() {
    let rt = LocalRuntime::start_small().await;
    let acme = CompanyId::parse("acme").unwrap();
    // Records only acme has: IDs bluebird never issued.
    for (id, kind) in [(90_001, Kind::Lead), (90_002, Kind::Customer)] {
        rt.services().table.put(record_item(&acme, &record(id, kind, "Secret")), None).await.unwrap();
    }
    let acme_token = rt.sign_in(ADMIN).await;
    let blue_token = rt.sign_in(OTHER_ADMIN).await;
    // A customer is read through its own route only: the leads route does not find it, for its own company either.
    for (path, own) in [
        ("/api/v1/leads/90001", 200),
        ("/api/v1/customers/90001", 200),
        ("/api/v1/leads/90002", 404),
        ("/api/v1/customers/90002", 200),
    ] {
        assert_eq!(rt.get(&acme_token, path).await.0, own, "acme reading its own {path}");
        let (status, body) = rt.get(&blue_token, path).await;
        assert_eq!(status, 404, "bluebird must not see {path}: {body}");
        assert!(!body.to_string().contains("Secret"));
    }
    // IDs both companies issued: each company reads only its own record under that number.
    for id in 1..=160 {
        let (a_status, a) = rt.get(&acme_token, &format!("/api/v1/customers/{id}")).await;
        let (b_status, b) = rt.get(&blue_token, &format!("/api/v1/customers/{id}")).await;
        assert_eq!((a_status, b_status), (200, 200), "record {id}");
        assert_eq!(a["id"], id);
        assert_ne!(
            (&a["first_name"], &a["last_name"], &a["primary_phone"]),
            (&b["first_name"], &b["last_name"], &b["primary_phone"]),
            "record {id}"
        );
    }
    // Lists never mix companies, and a cursor from one company's list is refused by the other's.
    let (_, a_page) = rt.get(&acme_token, "/api/v1/leads?per_page=10").await;
    let cursor = a_page["next_cursor"].as_str().expect("acme has more than 10 leads").to_owned();
    let (status, body) = rt.get(&blue_token, &format!("/api/v1/leads?per_page=10&cursor={cursor}")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["errors"][0]["field"], "cursor");
    // Malformed IDs are a clear 422, not a 500.
    let (status, body) = rt.get(&acme_token, "/api/v1/leads/abc").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "id");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_with_signed_cursors_and_counted_totals() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/leads?per_page=50".to_owned();
    loop {
        let (status, page) = rt.get(&token, &path).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["meta"]["total"], 120);
        assert_eq!(page["meta"]["total_exact"], true);
        assert_eq!(page["meta"]["access_path"], "gsi2_by_id");
        let items = page["items"].as_array().unwrap();
        // The page, its lookahead, the counter, the company's settings and the page's source/campaign names.
        assert!(
            page["meta"]["items_read"].as_u64().unwrap() <= 3 * items.len() as u64 + 50,
            "reads in proportion to the page"
        );
        for item in items {
            assert_eq!(item["kind"], "lead");
            seen.push(item["id"].as_u64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/leads?per_page=50&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 120);
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted, "newest first, each once");

    let (status, body) = rt.get(&token, "/api/v1/leads?per_page=7").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "per_page");
    let (_, first) = rt.get(&token, "/api/v1/leads?per_page=10").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (status, _) = rt.get(&token, &format!("/api/v1/leads?per_page=25&cursor={cursor}")).await;
    assert_eq!(status, 400, "a cursor belongs to its query (page size included)");
    let (status, _) = rt.get(&token, &format!("/api/v1/customers?per_page=10&cursor={cursor}")).await;
    assert_eq!(status, 400, "a leads cursor does not page customers");
    let (status, _) = rt.get(&token, "/api/v1/leads?cursor=garbage").await;
    assert_eq!(status, 400);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_are_enforced_on_the_server() {
    let rt = LocalRuntime::start_small().await;
    // A lead rep lists only their own leads, through their own index.
    let rep = rt.sign_in("lead.rep@acme.example").await;
    let (status, page) = rt.get(&rep, "/api/v1/leads?per_page=50").await;
    assert_eq!(status, 200);
    assert_eq!(page["meta"]["access_path"], "gsi3_rep_by_id");
    assert_eq!(page["meta"]["total_exact"], true, "a per-rep counter is maintained");
    let mine: Vec<u64> = page["items"].as_array().unwrap().iter().map(|i| i["id"].as_u64().unwrap()).collect();
    assert!(!mine.is_empty(), "the demo lead rep owns some leads");
    for id in &mine {
        let (status, lead) = rt.get(&rep, &format!("/api/v1/leads/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(lead["lead_rep_id"], "acme-lead-rep");
    }
    // Someone else's lead is forbidden, and customers are not theirs to see at all.
    let office = rt.sign_in(OFFICE).await;
    let (_, all) = rt.get(&office, "/api/v1/leads?per_page=50").await;
    let other = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_u64().unwrap())
        .find(|id| !mine.contains(id))
        .unwrap();
    assert_eq!(rt.get(&rep, &format!("/api/v1/leads/{other}")).await.0, 403);
    assert_eq!(rt.get(&rep, "/api/v1/customers").await.0, 403);
    // An installer sees no leads; only admins read the outbox.
    let installer = rt.sign_in("installer@acme.example").await;
    assert_eq!(rt.get(&installer, "/api/v1/leads").await.0, 403);
    assert_eq!(rt.get(&office, "/api/v1/outbox").await.0, 403);
    // A sales rep works their home office only: every customer they list is there.
    let sales = rt.sign_in("sales.rep@acme.example").await;
    let (status, page) = rt.get(&sales, "/api/v1/customers?per_page=10").await;
    assert_eq!(status, 200);
    for item in page["items"].as_array().unwrap() {
        let (_, c) = rt.get(&sales, &format!("/api/v1/customers/{}", item["id"])).await;
        assert_eq!(c["office_location_id"], 1);
    }
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_email_reaches_the_outbox_once_however_often_it_is_delivered() {
    let rt = LocalRuntime::start_small().await;
    let svc = rt.services().clone();
    let acme = CompanyId::parse("acme").unwrap();
    let job = Job::SendEmail {
        company: acme.clone(),
        to: "ann@example.com".into(),
        subject: "Welcome aboard".into(),
        body: "Hi Ann".into(),
    };
    // Queued twice under one key (a retried enqueue): delivered once.
    jobs::enqueue(&svc, "test:welcome:ann", job.clone()).await.unwrap();
    jobs::enqueue(&svc, "test:welcome:ann", job.clone()).await.unwrap();
    let admin = rt.sign_in(ADMIN).await;
    let outbox = eventually("the email in the outbox", Duration::from_secs(20), || async {
        let (_, page) = rt.get(&admin, "/api/v1/outbox").await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        items.iter().any(|m| m["subject"] == "Welcome aboard").then_some(items)
    })
    .await;
    assert_eq!(outbox.iter().filter(|m| m["subject"] == "Welcome aboard").count(), 1);
    // A redelivery of the same message is recognised and skipped.
    let body = serde_json::to_string(&jobs::Envelope { idempotency_key: "test:welcome:ann".into(), job }).unwrap();
    assert_eq!(jobs::handle_message(&svc, &body).await.unwrap(), Outcome::Duplicate);
    // The scheduled follow-up reminder emails the rep of a lead due today, once however often it runs.
    let mut due = record(90_010, Kind::Lead, "Duetoday");
    due.lead_rep_id = Some(UserId::parse("acme-lead-rep").unwrap());
    due.next_followup = Some(vigil_app::clock::date(svc.clock.now()));
    svc.table.put(record_item(&acme, &due), None).await.unwrap();
    assert!(vigil_functions::worker::followup_reminders(&svc).await.unwrap() >= 1);
    vigil_functions::worker::followup_reminders(&svc).await.unwrap();
    let reminders = eventually("the follow-up reminder", Duration::from_secs(20), || async {
        let (_, page) = rt.get(&admin, "/api/v1/outbox").await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        let r: Vec<Value> = items
            .into_iter()
            .filter(|m| {
                m["to"] == "lead.rep@acme.example" && m["body"].as_str().is_some_and(|b| b.contains("Duetoday"))
            })
            .collect();
        (!r.is_empty()).then_some(r)
    })
    .await;
    assert_eq!(reminders.len(), 1);
    // Another company's outbox is its own.
    let blue = rt.sign_in(OTHER_ADMIN).await;
    let (_, page) = rt.get(&blue, "/api/v1/outbox").await;
    assert!(page["items"].as_array().unwrap().iter().all(|m| m["subject"] != "Welcome aboard"));
    rt.stop().await;
}

/// Deep links into the portal (`/customers/12`) get `index.html` with 200, as CloudFront serves them; files are
/// files, and an unknown API path stays a JSON 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_answers_its_own_routes_with_index_html() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>Vigil portal</title>").unwrap();
    std::fs::write(web.path().join("app.js"), "console.log(1)").unwrap();
    let dir = web.path().to_path_buf();
    let rt = LocalRuntime::start_with(move |c| {
        c.web_dir = dir;
        c.seed = None;
    })
    .await;
    for path in ["/", "/customers", "/customers/12/notes", "/admin"] {
        let resp = rt.http().get(rt.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(resp.text().await.unwrap().contains("Vigil portal"), "{path} serves index.html");
    }
    let js = rt.http().get(rt.url("/app.js")).send().await.unwrap();
    assert_eq!((js.status().as_u16(), js.text().await.unwrap()), (200, "console.log(1)".to_owned()));
    let api = rt.http().get(rt.url("/api/v1/no-such-thing")).send().await.unwrap();
    assert_eq!(api.status(), 404);
    assert!(api.headers()["content-type"].to_str().unwrap().contains("json"));
    // The portal's Content-Security-Policy, the same one CloudFront sends.
    let page = rt.http().get(rt.url("/")).send().await.unwrap();
    let csp = page.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(csp.as_deref(), Some(vigil_api::CONTENT_SECURITY_POLICY));
    rt.stop().await;
}

/// The build leaves `x.wasm.br` and `x.wasm.gz` beside the wasm; a browser is sent the one it accepts, brotli first,
/// with the wasm's own content type, and a client that accepts neither gets the file itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_sends_the_precompressed_wasm_a_browser_accepts() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>Vigil portal</title>").unwrap();
    for (name, body) in [("app.wasm", "plain"), ("app.wasm.br", "as brotli"), ("app.wasm.gz", "as gzip")] {
        std::fs::write(web.path().join(name), body).unwrap();
    }
    let dir = web.path().to_path_buf();
    let rt = LocalRuntime::start_with(move |c| {
        c.web_dir = dir;
        c.seed = None;
    })
    .await;
    for (accepts, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), Some("br"), "as brotli"),
        (Some("gzip, deflate"), Some("gzip"), "as gzip"),
        (Some("identity"), None, "plain"),
        (None, None, "plain"),
    ] {
        let mut req = rt.http().get(rt.url("/app.wasm"));
        if let Some(accepts) = accepts {
            req = req.header("accept-encoding", accepts);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{accepts:?}");
        let header = |name: &str| resp.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header("content-encoding").as_deref(), encoding, "{accepts:?}");
        assert_eq!(header("content-type").as_deref(), Some("application/wasm"), "{accepts:?}");
        assert_eq!(resp.text().await.unwrap(), body, "{accepts:?}");
    }
    rt.stop().await;
}

/// A page on another name that resolves to this machine (DNS rebinding) cannot use the local API: requests must name
/// the runtime's own address or localhost as their Host. And the demo sign-in is not served off loopback.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_api_answers_only_requests_addressed_to_it() {
    let rt = LocalRuntime::start_with(|c| c.seed = None).await;
    let port = rt.base_url().rsplit(':').next().unwrap().to_owned();
    let users = |host: String| rt.http().get(rt.url("/api/v1/dev/users")).header("host", host).send();
    assert_eq!(users(format!("127.0.0.1:{port}")).await.unwrap().status(), 200);
    assert_eq!(users(format!("localhost:{port}")).await.unwrap().status(), 200);
    let rebound = users(format!("attacker.example:{port}")).await.unwrap();
    assert_eq!(rebound.status(), 421);
    rt.stop().await;

    let everyone = LocalRuntime::start_with(|c| {
        c.seed = None;
        c.addr.set_ip(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    })
    .await;
    assert_eq!(everyone.http().get(everyone.url("/api/v1/dev/users")).send().await.unwrap().status(), 404);
    let (status, _) = everyone.get("no token", "/api/v1/health").await;
    assert_eq!(status, 200, "the rest of the API is served");
    everyone.stop().await;
}
