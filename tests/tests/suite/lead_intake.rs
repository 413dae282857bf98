//! Public lead intake over HTTP through the local runtime (issue 11, first part; issue 10's buyer side): intake keys,
//! the post with its honeypot, idempotency, rate limits, validation, campaign auto-assignment, Pending vs Queue, the
//! duplicate window, CORS, redirects, form-encoded posts, receipts, and the two demo companies selling to each other.

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use std::time::Duration;
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, LEAD_REP, OTHER_ADMIN};

const KEYS: &str = "/api/v1/intake-keys";
const PUBLIC: &str = "/api/v1/public/leads";
/// "ABC Leads, Inc.": sells leads, forces Queue, purchase emails from its template, campaigns by external pair.
const ABC: u64 = 11;
/// One of the ten demo sources: sells leads, defaults to Pending without forcing it.
const PENDING_SOURCE: u64 = 1;

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

async fn issue(rt: &LocalRuntime, token: &str, body: Value) -> (u64, String) {
    let (status, k) = rt.post(token, KEYS, body).await;
    assert_eq!(status, 201, "{k}");
    (k["id"].as_u64().expect("id"), k["key"].as_str().expect("key").to_owned())
}

async fn answer(resp: reqwest::Response) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    Answer { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

async fn post(rt: &LocalRuntime, key: &str, body: Value, idempotency: Option<&str>) -> Answer {
    let mut req = rt.http().post(rt.url(PUBLIC)).bearer_auth(key).json(&body);
    if let Some(k) = idempotency {
        req = req.header("Idempotency-Key", k);
    }
    answer(req.send().await.expect("post")).await
}

fn encode(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

async fn post_form(
    client: &reqwest::Client,
    rt: &LocalRuntime,
    origin: Option<&str>,
    fields: &[(&str, &str)],
) -> Answer {
    let mut req =
        client.post(rt.url(PUBLIC)).header("content-type", "application/x-www-form-urlencoded").body(encode(fields));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    answer(req.send().await.expect("form post")).await
}

fn lead(first: &str, last: &str, phone: &str) -> Value {
    json!({"first_name": first, "last_name": last, "primary_phone": phone, "city": "Provo", "state": "UT",
           "zip": "84601", "address1": "12 Main St", "email": "lead@example.com"})
}

async fn receipt(rt: &LocalRuntime, key: &str, id: &str) -> Answer {
    let url = rt.url(&format!("/api/v1/public/receipts/{id}"));
    answer(rt.http().get(url).bearer_auth(key).send().await.expect("receipt")).await
}

/// The receipt once the job has settled it.
async fn settled(rt: &LocalRuntime, key: &str, id: &str) -> Value {
    eventually("the receipt to settle", Duration::from_secs(20), || async {
        let r = receipt(rt, key, id).await;
        assert_eq!(r.status, 200, "{}", r.body);
        (r.body["status"] != "accepted").then_some(r.body)
    })
    .await
}

async fn created_lead(rt: &LocalRuntime, token: &str, key: &str, id: &str) -> Value {
    let r = settled(rt, key, id).await;
    assert_eq!(r["status"], "created", "{r}");
    let (status, lead) = rt.get(token, &format!("/api/v1/leads/{}", r["lead_id"])).await;
    assert_eq!(status, 200, "{lead}");
    lead
}

fn receipt_id(a: &Answer) -> String {
    assert_eq!(a.status, 202, "{}", a.body);
    a.body["receipt_id"].as_str().expect("receipt_id").to_owned()
}

#[tokio::test]
async fn keys_are_admin_only_shown_once_and_revocable() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let rep = rt.sign_in(LEAD_REP).await;
    let (status, _) = rt.post(&rep, KEYS, json!({"name": "Mine"})).await;
    assert_eq!(status, 403);
    let (status, bad) = rt
        .post(&admin, KEYS, json!({"name": "", "allowed_origins": ["https://x.example/form"], "partner_id": 999}))
        .await;
    assert_eq!(status, 422, "{bad}");
    let fields: Vec<&str> = bad["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert!(fields.contains(&"name") && fields.contains(&"allowed_origins"), "{bad}");

    let (id, key) = issue(&rt, &admin, json!({"name": "ABC's system", "partner_id": ABC})).await;
    let (status, list) = rt.get(&admin, KEYS).await;
    assert_eq!(status, 200);
    let listed = list["items"].as_array().unwrap().iter().find(|k| k["id"] == id).expect("listed").clone();
    assert!(listed.get("key").is_none() && !list.to_string().contains(&key), "the secret is never listed again");
    assert_eq!(listed["last_used_at"], Value::Null);

    let ok = post(&rt, &key, lead("Una", "Used", "8015550140"), None).await;
    receipt_id(&ok);
    let (_, list) = rt.get(&admin, KEYS).await;
    let listed = list["items"].as_array().unwrap().iter().find(|k| k["id"] == id).expect("listed").clone();
    assert!(listed["last_used_at"].is_string(), "{listed}");

    // A key of another company, a forged one and a missing one are all 401.
    let last = if key.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &key[..key.len() - 1]);
    assert_eq!(post(&rt, &forged, lead("A", "B", "8015550141"), None).await.status, 401);
    let none = answer(rt.http().post(rt.url(PUBLIC)).json(&lead("A", "B", "8015550141")).send().await.unwrap()).await;
    assert_eq!(none.status, 401);

    let (status, _) = rt.delete(&admin, &format!("{KEYS}/{id}")).await;
    assert_eq!(status, 204);
    assert_eq!(post(&rt, &key, lead("A", "B", "8015550142"), None).await.status, 401, "revoked");
    let (status, _) = rt.delete(&admin, &format!("{KEYS}/{id}")).await;
    assert_eq!(status, 404);
    rt.stop().await;
}

#[tokio::test]
async fn a_partner_post_is_validated_attributed_queued_and_notified() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (_, key) = issue(&rt, &admin, json!({"name": "ABC's system", "partner_id": ABC})).await;

    // Every bad field at once, in the New Lead form's words.
    let bad = post(
        &rt,
        &key,
        json!({"first_name": "", "last_name": "Lee", "primary_phone": "12", "city": "Provo", "state": "ZZ",
               "email": "not-an-email", "favourite_colour": "blue"}),
        None,
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let fields: Vec<&str> = bad.body["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    for f in ["first_name", "primary_phone", "state", "email", "favourite_colour"] {
        assert!(fields.contains(&f), "{f} missing from {}", bad.body);
    }
    // A partner's key speaks for its partner only.
    let mut other_source = lead("Sam", "Source", "8015550150");
    other_source["source_id"] = json!("2");
    let refused = post(&rt, &key, other_source, None).await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["errors"][0]["field"], "source_id");

    // The campaign named by ABC's own IDs is assigned; ABC forces Queue whatever the post asks for.
    let (_, campaigns) = rt.get(&admin, &format!("/api/v1/partners/{ABC}/campaigns")).await;
    let door_knock = campaigns["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["external_campaign_id"] == "2")
        .expect("ABC's campaign 2")["id"]
        .clone();
    let mut body = lead("Ann", "Assigned", "8015550151");
    body["external_partner_id"] = json!("abc-leads");
    body["external_campaign_id"] = json!("2");
    body["location"] = json!("pending");
    let id = receipt_id(&post(&rt, &key, body, None).await);
    let created = created_lead(&rt, &admin, &key, &id).await;
    assert_eq!(created["source_id"], ABC);
    assert_eq!(created["campaign_id"], door_knock);
    assert_eq!(created["location"], "queue", "{created}");

    // The purchase notification went to ABC's purchase address, from its template.
    let lead_id = created["id"].as_u64().unwrap();
    let mail = eventually("the purchase email", Duration::from_secs(20), || async {
        let (_, outbox) = rt.get(&admin, "/api/v1/outbox").await;
        outbox["items"]
            .as_array()?
            .iter()
            .find(|m| {
                m["to"] == "purchases@abc-leads.example"
                    && m["subject"].as_str().unwrap_or_default().contains(&lead_id.to_string())
            })
            .cloned()
    })
    .await;
    assert!(mail["subject"].as_str().unwrap().contains("Acme Alarm Co."), "{mail}");

    // Posted again by ABC inside the duplicate window: refused on the receipt, and an entry of ABC's returns report
    // naming the existing lead and the receipt, never the key or the lead's personal data.
    let again = lead("Ann", "Assigned", "8015550151");
    let dup = receipt_id(&post(&rt, &key, again, None).await);
    assert_eq!(settled(&rt, &key, &dup).await["status"], "duplicate");
    let (status, report) = rt.get(&admin, &format!("/api/v1/partners/{ABC}/returns")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["counts"], json!({"returned": 0, "duplicate_rejected": 1}), "{report}");
    let entry = &report["items"][0];
    assert_eq!((entry["kind"].as_str(), entry["lead_id"].as_u64()), (Some("duplicate_rejected"), Some(lead_id)));
    assert_eq!(entry["receipt_id"], dup.as_str());
    assert!(entry["reason"].as_str().is_some_and(|r| r.contains("30 days")), "{entry}");
    let text = report.to_string();
    assert!(!text.contains(&key) && !text.contains("Assigned") && !text.contains("8015550151"), "{report}");
    rt.stop().await;
}

#[tokio::test]
async fn pending_or_queue_honeypot_idempotency_and_the_duplicate_window() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (_, key) = issue(&rt, &admin, json!({"name": "Website"})).await;
    let with_source = |mut v: Value| {
        v["source_id"] = json!(PENDING_SOURCE.to_string());
        v
    };

    // A web form's lead from a source that defaults to Pending (not forced): Pending, unless the post says Queue.
    let id = receipt_id(&post(&rt, &key, with_source(lead("Pat", "Pending", "8015550160")), None).await);
    assert_eq!(created_lead(&rt, &admin, &key, &id).await["location"], "pending");
    let mut queued = with_source(lead("Quinn", "Queued", "8015550161"));
    queued["location"] = json!("queue");
    let id = receipt_id(&post(&rt, &key, queued, None).await);
    assert_eq!(created_lead(&rt, &admin, &key, &id).await["location"], "queue");
    // Without a source (no partner key, no source_id, no campaign) the post cannot be attributed.
    let unsourced = post(&rt, &key, lead("Nora", "Nosource", "8015550162"), None).await;
    assert_eq!(unsourced.status, 422);
    assert_eq!(unsourced.body["errors"][0]["field"], "source_id");

    // The honeypot: answered like a success, and nothing is stored (the receipt leads nowhere).
    let mut bot = with_source(lead("Bot", "Filled", "8015550163"));
    bot["website_url"] = json!("http://spam.example");
    let fake = receipt_id(&post(&rt, &key, bot, None).await);
    assert_eq!(receipt(&rt, &key, &fake).await.status, 404);

    // The same Idempotency-Key and body: the same receipt, one lead; a different body with it: 422.
    let body = with_source(lead("Ida", "Idem", "8015550164"));
    let first = receipt_id(&post(&rt, &key, body.clone(), Some("order-77")).await);
    let again = receipt_id(&post(&rt, &key, body.clone(), Some("order-77")).await);
    assert_eq!(first, again);
    let ida = created_lead(&rt, &admin, &key, &first).await;
    let changed = post(&rt, &key, with_source(lead("Ida", "Other", "8015550165")), Some("order-77")).await;
    assert_eq!(changed.status, 422, "{}", changed.body);
    assert_eq!(changed.body["errors"][0]["field"], "Idempotency-Key");

    // Posted again without the key: a duplicate inside the default window (30 days) is refused on its receipt.
    let dup = receipt_id(&post(&rt, &key, body.clone(), None).await);
    let r = settled(&rt, &key, &dup).await;
    assert_eq!(r["status"], "duplicate", "{r}");
    assert_eq!(r["lead_id"], ida["id"]);
    // A window of 0 days stores every duplicate.
    let (status, s) = rt.get(&admin, "/api/v1/settings/lead-intake").await;
    assert_eq!((status, s["duplicate_window_days"].as_u64()), (200, Some(30)));
    let (status, s) =
        rt.put(&admin, "/api/v1/settings/lead-intake", json!({"duplicate_window_days": 0, "version": 0})).await;
    assert_eq!(status, 200, "{s}");
    let (status, _) =
        rt.put(&admin, "/api/v1/settings/lead-intake", json!({"duplicate_window_days": 0, "version": 0})).await;
    assert_eq!(status, 409, "a stale version");
    let stored = receipt_id(&post(&rt, &key, body.clone(), None).await);
    let twin = created_lead(&rt, &admin, &key, &stored).await;
    assert_ne!(twin["id"], ida["id"]);
    // Never: any duplicate is refused.
    let (status, _) =
        rt.put(&admin, "/api/v1/settings/lead-intake", json!({"duplicate_window_days": null, "version": 1})).await;
    assert_eq!(status, 200);
    let never = receipt_id(&post(&rt, &key, body, None).await);
    assert_eq!(settled(&rt, &key, &never).await["status"], "duplicate");
    // A web form's key has no partner: its rejected duplicates are in no partner's returns report, not even the
    // lead's source's.
    let (status, report) = rt.get(&admin, &format!("/api/v1/partners/{PENDING_SOURCE}/returns")).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((&report["items"], &report["counts"]["duplicate_rejected"]), (&json!([]), &json!(0)), "{report}");

    // A receipt is the posting key's: another key of the company does not find it.
    let (_, other) = issue(&rt, &admin, json!({"name": "Other form"})).await;
    assert_eq!(receipt(&rt, &other, &first).await.status, 404);
    rt.stop().await;
}

#[tokio::test]
async fn browser_forms_cors_redirects_and_rate_limits() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let site = "https://www.acme-alarm.example";
    let (_, key) =
        issue(&rt, &admin, json!({"name": "Site form", "allowed_origins": [site], "per_ip_per_minute": 3})).await;
    let client = no_redirects();
    let source = PENDING_SOURCE.to_string();
    let form = |first: &'static str, redirect: Option<&'static str>| {
        let mut f = vec![
            ("intake_key", key.clone()),
            ("source_id", source.clone()),
            ("first_name", first.to_owned()),
            ("last_name", "Former".to_owned()),
            ("primary_phone", "(801) 555-0170".to_owned()),
            ("city", "Provo".to_owned()),
            ("state", "UT".to_owned()),
            ("zip", String::new()),
            ("website_url", String::new()),
        ];
        if let Some(r) = redirect {
            f.push(("redirect", r.to_owned()));
        }
        f
    };
    let fields = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let send = |f: Vec<(&'static str, String)>, origin: Option<&'static str>| {
        let client = client.clone();
        let rt = &rt;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(&client, rt, origin, &pairs).await
        }
    };

    // The preflight answers only an origin some key allows.
    let preflight = |origin: &'static str| {
        let rt = &rt;
        async move {
            let req = rt
                .http()
                .request(reqwest::Method::OPTIONS, rt.url(PUBLIC))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type, idempotency-key");
            answer(req.send().await.expect("preflight")).await
        }
    };
    let ok = preflight(site).await;
    assert_eq!(ok.status, 204);
    assert_eq!(ok.header("access-control-allow-origin"), Some(site));
    assert!(ok.header("access-control-allow-headers").unwrap_or_default().contains("idempotency-key"));
    let evil = preflight("https://evil.example").await;
    assert_eq!(evil.status, 204);
    assert_eq!(evil.header("access-control-allow-origin"), None);

    // A form from another origin, or from none, is refused; from the site it is accepted, form-encoded, with CORS.
    assert_eq!(send(fields(&form("Eve", None)), Some("https://evil.example")).await.status, 403);
    assert_eq!(send(fields(&form("Nobody", None)), None).await.status, 403);
    let accepted = send(fields(&form("Fran", None)), Some(site)).await;
    let id = receipt_id(&accepted);
    assert_eq!(accepted.header("access-control-allow-origin"), Some(site));
    let fran = created_lead(&rt, &admin, &key, &id).await;
    assert_eq!((fran["first_name"].as_str(), fran["zip"].is_null()), (Some("Fran"), true), "{fran}");

    // The redirect: only to an allowed origin (no open redirect), then 303 there with the receipt.
    let open = send(fields(&form("Otto", Some("https://evil.example/thanks"))), Some(site)).await;
    assert_eq!(open.status, 422);
    assert_eq!(open.body["errors"][0]["field"], "redirect");
    let thanks = send(fields(&form("Tia", Some("https://www.acme-alarm.example/thanks"))), Some(site)).await;
    assert_eq!(thanks.status, 303, "{}", thanks.body);
    let location = thanks.header("location").unwrap_or_default();
    assert!(location.starts_with("https://www.acme-alarm.example/thanks?receipt_id="), "{location}");

    // Three form posts a minute from one address were allowed; the next is 429 with Retry-After. (The refused ones
    // above were turned away before they took a token.)
    let limited = send(fields(&form("Lim", None)), Some(site)).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    let retry: u32 = limited.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(limited.header("access-control-allow-origin"), Some(site), "a browser may read the refusal");

    // The per-key limit holds for a server too.
    let (_, server_key) = issue(&rt, &admin, json!({"name": "Tight", "partner_id": ABC, "per_minute": 2})).await;
    for (i, phone) in ["8015550180", "8015550181"].iter().enumerate() {
        let a = post(&rt, &server_key, lead("Kay", &format!("Limit{i}"), phone), None).await;
        assert_eq!(a.status, 202, "{}", a.body);
    }
    let over = post(&rt, &server_key, lead("Kay", "Over", "8015550182"), None).await;
    assert_eq!(over.status, 429);
    assert!(over.header("retry-after").is_some());
    rt.stop().await;
}

/// Issue 10's test, from the buyer's side: Acme sells a lead to its partner "Bluebird Security", which posts it to
/// Bluebird's intake with the key Bluebird issued; the lead appears at Bluebird attributed to Bluebird's partner
/// "Acme Alarm Co." with the exchange campaign, and the same sale posted twice is one lead.
#[tokio::test]
async fn the_demo_companies_sell_leads_to_each_other() {
    let rt = LocalRuntime::start_small().await;
    let acme = rt.sign_in(ADMIN).await;
    let bluebird = rt.sign_in(OTHER_ADMIN).await;
    let exchange = 13;
    let (_, campaigns) = rt.get(&acme, &format!("/api/v1/partners/{exchange}/campaigns")).await;
    let outbound =
        campaigns["items"].as_array().unwrap().iter().find(|c| c["direction"] == "outbound").expect("o")["id"].clone();
    let (_, theirs) = rt.get(&bluebird, &format!("/api/v1/partners/{exchange}/campaigns")).await;
    let inbound = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["direction"] == "inbound" && c["external_partner_id"] == "acme")
        .expect("Bluebird's campaign for Acme's leads")["id"]
        .clone();

    let (status, created) = rt
        .post(
            &acme,
            "/api/v1/leads?allow_duplicates=true",
            json!({"source_id": 1, "first_name": "Sold",
        "last_name": "Across", "primary_phone": "8015550190", "disposition_id": 1, "city": "Provo", "state": "UT"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let lead_id = created["id"].as_u64().unwrap();
    let (status, sale) = rt
        .post(
            &acme,
            "/api/v1/leads/sell",
            json!({"lead_ids": [lead_id], "partner_id": exchange, "campaign_id": outbound}),
        )
        .await;
    assert_eq!(status, 202, "{sale}");

    let find = || async {
        let (_, page) = rt.get(&bluebird, &format!("/api/v1/leads?source={exchange}&last_name=across")).await;
        page["items"].as_array().cloned().unwrap_or_default()
    };
    let rows = eventually("the lead at Bluebird", Duration::from_secs(30), || async {
        let rows = find().await;
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert_eq!(rows.len(), 1);
    let (_, theirs) = rt.get(&bluebird, &format!("/api/v1/leads/{}", rows[0]["id"])).await;
    assert_eq!(theirs["source_id"], exchange);
    assert_eq!(theirs["campaign_id"], inbound, "{theirs}");
    assert_eq!(theirs["location"], "queue");
    // Acme's delivery is recorded as delivered.
    let delivered = eventually("the delivery to be recorded", Duration::from_secs(20), || async {
        let (_, sales) = rt.get(&acme, &format!("/api/v1/sales-to-partners?partner_id={exchange}")).await;
        let s = sales["items"].as_array()?.iter().find(|s| s["record_id"] == lead_id)?.clone();
        (s["status"] == "delivered").then_some(s)
    })
    .await;
    assert_eq!(delivered["status"], "delivered");

    // The same sale posted again (a retried delivery carries the same Idempotency-Key): still one lead.
    let svc = rt.services();
    let acme_co = vigil_domain::CompanyId::parse("acme").unwrap();
    let item = svc
        .table
        .get(&vigil_store::keys::partner(&acme_co, vigil_domain::PartnerId(exchange as u32)))
        .await
        .unwrap()
        .unwrap();
    let sealed = item["lead_post_key_encrypted"].as_str().unwrap();
    let key = vigil_app::partners::open_post_key(
        svc.data_keys.as_ref(),
        &acme_co,
        vigil_domain::PartnerId(exchange as u32),
        vigil_app::partners::PostKeyKind::Lead,
        sealed,
    )
    .unwrap();
    let body = json!({"first_name": "Twice", "last_name": "Posted", "primary_phone": "8015550191", "city": "Provo",
                      "state": "UT", "source_id": "13", "external_partner_id": "acme", "external_campaign_id": "exchange"});
    let a = receipt_id(&post(&rt, &key, body.clone(), Some("acme:sale:9:1")).await);
    let b = receipt_id(&post(&rt, &key, body, Some("acme:sale:9:1")).await);
    assert_eq!(a, b);
    settled(&rt, &key, &a).await;
    let (_, page) = rt.get(&bluebird, "/api/v1/leads?last_name=posted").await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1), "{page}");
    rt.stop().await;
}
