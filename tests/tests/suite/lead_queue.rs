//! The lead queue over HTTP (issue 11): concurrent requests get distinct leads, the request window in the lead's
//! local time, the requestable delay, the blacklist after a put-back, priority then age, Pending visible only with its
//! permission on every read path, and returns with and without call-center comments, each in its partner's returns
//! report.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, LEAD_REP, OFFICE, OTHER_ADMIN, PARTNER, SALES};

const ABC: u64 = 11;
const EXCHANGE: u64 = 13;
/// "HomeShield Leads", the partner whose login is the demo `partner` user.
const HOMESHIELD: u64 = 1;
const QUEUE_SETTINGS: &str = "/api/v1/settings/lead-queue";
const REQUEST: &str = "/api/v1/lead-queue/request";

async fn key_for(rt: &LocalRuntime, admin: &str, partner: Option<u64>) -> String {
    let (status, k) = rt.post(admin, "/api/v1/intake-keys", json!({"name": "queue test", "partner_id": partner})).await;
    assert_eq!(status, 201, "{k}");
    k["key"].as_str().unwrap().to_owned()
}

/// Posts leads with `key` and waits until each is created; their IDs in posting order.
async fn posted(rt: &LocalRuntime, key: &str, leads: Vec<Value>) -> Vec<u64> {
    let mut receipts = Vec::new();
    for body in leads {
        let resp = rt.http().post(rt.url("/api/v1/public/leads")).bearer_auth(key).json(&body).send().await.unwrap();
        assert_eq!(resp.status(), 202);
        let v: Value = resp.json().await.unwrap();
        receipts.push(v["receipt_id"].as_str().unwrap().to_owned());
    }
    let mut ids = Vec::new();
    for r in receipts {
        let id = eventually("a posted lead", Duration::from_secs(30), || async {
            let url = rt.url(&format!("/api/v1/public/receipts/{r}"));
            let v: Value = rt.http().get(url).bearer_auth(key).send().await.ok()?.json().await.ok()?;
            assert_ne!(v["status"], "rejected", "{v}");
            v["lead_id"].as_u64()
        })
        .await;
        ids.push(id);
    }
    ids
}

fn lead(last: &str, n: usize) -> Value {
    json!({"first_name": format!("Q{n}"), "last_name": last, "primary_phone": format!("80155{:05}", 10_000 + n),
           "city": "Provo", "state": "UT", "address1": format!("{n} Queue Rd")})
}

async fn open_all_day(rt: &LocalRuntime, admin: &str, extra: Value) -> Value {
    let (_, current) = rt.get(admin, QUEUE_SETTINGS).await;
    let mut body = json!({"request_hours_start": 0, "request_hours_end": 24, "requestable_after_minutes": 0,
                          "requested_status": null, "blacklist_minutes": 60, "version": current["version"]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, saved) = rt.put(admin, QUEUE_SETTINGS, body).await;
    assert_eq!(status, 200, "{saved}");
    saved
}

async fn request(rt: &LocalRuntime, token: &str) -> (u16, Value, Option<String>) {
    let resp = rt.http().post(rt.url(REQUEST)).bearer_auth(token).send().await.unwrap();
    let status = resp.status().as_u16();
    let next = resp.headers().get("next-requestable-at").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, resp.json().await.unwrap_or(Value::Null), next)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_requests_get_twenty_distinct_leads() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let rep = rt.sign_in(LEAD_REP).await;
    open_all_day(&rt, &admin, json!({})).await;
    let key = key_for(&rt, &admin, Some(ABC)).await;
    let ids = posted(&rt, &key, (0..20).map(|n| lead("Concurrent", n)).collect()).await;
    let (_, summary) = rt.get(&rep, "/api/v1/lead-queue").await;
    assert_eq!(summary["queued"], 20, "the nav's count");

    let mut tasks = Vec::new();
    for i in 0..20 {
        let token = if i % 2 == 0 { rep.clone() } else { admin.clone() };
        let http = rt.http().clone();
        let url = rt.url(REQUEST);
        tasks.push(tokio::spawn(async move {
            let resp = http.post(url).bearer_auth(token).send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<Value>().await.unwrap_or(Value::Null))
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        let (status, lead) = t.await.unwrap();
        assert_eq!(status, 200, "{lead}");
        assert_eq!(lead["location"], "assigned");
        got.push(lead["id"].as_u64().unwrap());
    }
    got.sort_unstable();
    let mut want = ids.clone();
    want.sort_unstable();
    assert_eq!(got, want, "every queued lead handed out exactly once");
    let (status, _, _) = request(&rt, &rep).await;
    assert_eq!(status, 204, "the queue is empty");
    let (_, summary) = rt.get(&rep, "/api/v1/lead-queue").await;
    assert_eq!(summary["queued"], 0);
    rt.stop().await;
}

#[tokio::test]
async fn priority_then_age_the_window_the_delay_and_the_blacklist() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let rep = rt.sign_in(LEAD_REP).await;
    open_all_day(&rt, &admin, json!({})).await;
    // Medium first (the oldest), then two high ones: high wins over age, then the older high one.
    let medium = posted(&rt, &key_for(&rt, &admin, Some(EXCHANGE)).await, vec![lead("Medium", 1)]).await;
    let abc = key_for(&rt, &admin, Some(ABC)).await;
    // One after the other: a lead's age is when its job created it, and jobs may run in any order.
    let mut high = posted(&rt, &abc, vec![lead("High", 2)]).await;
    high.extend(posted(&rt, &abc, vec![lead("High", 3)]).await);
    let order: Vec<u64> = [high[0], high[1], medium[0]].to_vec();
    let mut handed = Vec::new();
    for _ in 0..3 {
        let (status, l, _) = request(&rt, &admin).await;
        assert_eq!(status, 200, "{l}");
        handed.push(l["id"].as_u64().unwrap());
    }
    assert_eq!(handed, order);

    // The blacklist: the rep puts back a lead they hold; they cannot have it again for the set minutes, others can.
    let ids = posted(&rt, &abc, vec![lead("Back", 4)]).await;
    let (status, held, _) = request(&rt, &rep).await;
    assert_eq!((status, held["id"].as_u64()), (200, Some(ids[0])), "{held}");
    let (status, back) = rt
        .post(&rep, &format!("/api/v1/leads/{}/location", ids[0]), json!({"to": "queue", "reason": "not home"}))
        .await;
    assert_eq!(status, 200, "{back}");
    let (status, _, next) = request(&rt, &rep).await;
    assert_eq!(status, 204);
    assert!(next.is_some(), "says when the blacklist ends");
    let (status, l, _) = request(&rt, &admin).await;
    assert_eq!((status, l["id"].as_u64()), (200, Some(ids[0])));

    // The window, in the lead's local time (Utah): closed now, so nothing; then open again.
    let hour = vigil_app::lead_queue::local_hour("UT", time::OffsetDateTime::now_utc());
    let (start, end) = if hour < 23 { (hour + 1, 24) } else { (0, 23) };
    let saved = open_all_day(&rt, &admin, json!({"request_hours_start": start, "request_hours_end": end})).await;
    posted(&rt, &abc, vec![lead("Window", 5)]).await;
    let (status, _, next) = request(&rt, &admin).await;
    assert_eq!(status, 204, "outside the request hours");
    assert!(next.is_some());
    let (status, stale) = rt
        .put(
            &admin,
            QUEUE_SETTINGS,
            json!({"request_hours_start": 0, "request_hours_end": 24,
        "requestable_after_minutes": 0, "requested_status": null, "blacklist_minutes": 60, "version": 0}),
        )
        .await;
    assert_eq!(status, 409, "{stale}");
    let _ = saved;
    // The requestable delay: a lead that arrived just now waits; the answer says until when.
    open_all_day(&rt, &admin, json!({"requestable_after_minutes": 60, "requested_status": 2})).await;
    let (status, _, next) = request(&rt, &admin).await;
    assert_eq!(status, 204);
    let next =
        time::OffsetDateTime::parse(&next.expect("when"), &time::format_description::well_known::Rfc3339).unwrap();
    let wait = next - time::OffsetDateTime::now_utc();
    assert!(wait > time::Duration::minutes(55) && wait <= time::Duration::minutes(61), "{wait}");
    open_all_day(&rt, &admin, json!({"requested_status": 2})).await;
    let (status, l, _) = request(&rt, &admin).await;
    assert_eq!(status, 200);
    assert_eq!(l["disposition_id"], 2, "the requested status is set");
    rt.stop().await;
}

#[tokio::test]
async fn pending_leads_need_the_pending_permission_on_every_read_path() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let sales = rt.sign_in(SALES).await;
    let form_key = key_for(&rt, &admin, None).await;
    let mut body = lead("Pendingson", 7);
    body["source_id"] = json!("1");
    let id = posted(&rt, &form_key, vec![body]).await[0];
    let (status, l) = rt.get(&office, &format!("/api/v1/leads/{id}")).await;
    assert_eq!((status, l["location"].as_str()), (200, Some("pending")));

    // The sales rep may view leads at this office, but not Pending ones: not on the list, in search, get or preview.
    for path in [
        "/api/v1/leads?last_name=pendingson".to_owned(),
        "/api/v1/leads?last_name=pendingson&location=pending".to_owned(),
        format!("/api/v1/leads?number={id}"),
    ] {
        let (status, page) = rt.get(&sales, &path).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert!(page["items"].as_array().unwrap().iter().all(|r| r["id"] != id), "{path}: {page}");
        let (_, page) = rt.get(&office, &path).await;
        assert!(page["items"].as_array().unwrap().iter().any(|r| r["id"] == id), "office sees it: {path}: {page}");
    }
    for path in
        [format!("/api/v1/leads/{id}"), format!("/api/v1/leads/{id}/preview"), format!("/api/v1/leads/{id}/history")]
    {
        let (status, _) = rt.get(&sales, &path).await;
        assert_eq!(status, 404, "{path}");
    }
    // Moving it out of Pending takes the Pending permission; then everyone who may view leads sees it.
    let (status, _) =
        rt.post(&sales, &format!("/api/v1/leads/{id}/location"), json!({"to": "queue", "reason": "checked"})).await;
    assert_eq!(status, 404);
    let (status, moved) =
        rt.post(&office, &format!("/api/v1/leads/{id}/location"), json!({"to": "queue", "reason": "checked"})).await;
    assert_eq!((status, moved["location"].as_str()), (200, Some("queue")), "{moved}");
    assert!(moved.get("queue_sk").is_none(), "the queue item's key stays on the server: {moved}");
    let (status, _) = rt.get(&sales, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(status, 200);
    let (status, bad) = rt.post(&office, &format!("/api/v1/leads/{id}/location"), json!({"to": "assigned"})).await;
    assert_eq!(status, 422, "{bad}");
    rt.stop().await;
}

#[tokio::test]
async fn returns_notify_each_partner_once_with_comments_only_when_asked() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let from_abc =
        posted(&rt, &key_for(&rt, &admin, Some(ABC)).await, vec![lead("Returnee", 1), lead("Returnee", 2)]).await;
    let from_exchange = posted(&rt, &key_for(&rt, &admin, Some(EXCHANGE)).await, vec![lead("Returnee", 3)]).await;
    // A lead whose source does not sell leads (any more) cannot be returned: "Self-Generated" (15) stops selling them
    // after the lead was typed in.
    let (status, typed) = rt
        .post(&admin, "/api/v1/leads?allow_duplicates=true", json!({"source_id": 15, "first_name": "Kept",
            "last_name": "Returnee", "primary_phone": "8015550199", "disposition_id": 1, "city": "Provo", "state": "UT"}))
        .await;
    assert_eq!(status, 201, "{typed}");
    let typed = typed["id"].as_u64().unwrap();
    let (_, inside) = rt.get(&admin, "/api/v1/partners/15").await;
    let (status, inside) =
        rt.patch(&admin, "/api/v1/partners/15", json!({"sells_leads": false, "version": inside["version"]})).await;
    assert_eq!((status, inside["sells_leads"].as_bool()), (200, Some(false)), "{inside}");

    let mut ids = from_abc.clone();
    ids.extend(&from_exchange);
    ids.push(typed);
    let (status, report) = rt
        .post(
            &admin,
            "/api/v1/leads/return",
            json!({"lead_ids": ids, "reason": "Wrong number",
            "call_center_comments": "Nobody by that name at this number"}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["returned"].as_array().map(Vec::len), Some(3), "{report}");
    assert_eq!(report["not_returned"][0]["lead_id"], typed);

    // They leave the active list and are found with the Returned filter.
    let (_, active) = rt.get(&admin, "/api/v1/leads?last_name=returnee").await;
    let active: Vec<u64> = active["items"].as_array().unwrap().iter().filter_map(|r| r["id"].as_u64()).collect();
    assert_eq!(active, vec![typed]);
    let (_, returned) = rt.get(&admin, "/api/v1/leads?last_name=returnee&location=returned").await;
    assert_eq!(returned["items"].as_array().map(Vec::len), Some(3));

    // ABC asked for the comments and has a template; the exchange partner did not and has none. One email each.
    let mails = eventually("the return notifications", Duration::from_secs(20), || async {
        let (_, outbox) = rt.get(&admin, "/api/v1/outbox").await;
        let mails: Vec<Value> = outbox["items"]
            .as_array()?
            .iter()
            .filter(|m| m["to"] == "returns@abc-leads.example" || m["to"] == "admin@bluebird.example")
            .filter(|m| m["body"].as_str().unwrap_or_default().contains("Wrong number"))
            .cloned()
            .collect();
        (mails.len() >= 2).then_some(mails)
    })
    .await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    let abc = mails.iter().find(|m| m["to"] == "returns@abc-leads.example").unwrap();
    let body = abc["body"].as_str().unwrap();
    assert!(body.contains("Nobody by that name") && body.contains(&from_abc[1].to_string()), "{body}");
    assert!(abc["subject"].as_str().unwrap().starts_with(&format!("Lead {}", from_abc[0])), "from the template");
    let other = mails.iter().find(|m| m["to"] == "admin@bluebird.example").unwrap();
    assert!(!other["body"].as_str().unwrap().contains("Nobody by that name"), "{other}");

    // Each return is an entry of its partner's returns report, counted with it; the comments were sent to ABC only.
    let (status, abc) = rt.get(&admin, &format!("/api/v1/partners/{ABC}/returns?per_page=10")).await;
    assert_eq!(status, 200, "{abc}");
    assert_eq!(abc["counts"], json!({"returned": 2, "duplicate_rejected": 0}), "{abc}");
    let items = abc["items"].as_array().unwrap();
    let mut lead_ids: Vec<u64> = items.iter().filter_map(|e| e["lead_id"].as_u64()).collect();
    lead_ids.sort_unstable();
    let mut returned = from_abc.clone();
    returned.sort_unstable();
    assert_eq!(lead_ids, returned, "{abc}");
    assert!(items.iter().all(|e| e["kind"] == "returned" && e["reason"] == "Wrong number"), "{abc}");
    assert!(items.iter().all(|e| e["comments_sent"] == true && e.get("receipt_id").is_none()), "{abc}");
    assert!(!abc.to_string().contains("Returnee"), "the report names leads by ID only: {abc}");
    let (_, exchange) = rt.get(&admin, &format!("/api/v1/partners/{EXCHANGE}/returns")).await;
    assert_eq!(exchange["counts"]["returned"], 1, "{exchange}");
    assert_eq!(
        (&exchange["items"][0]["lead_id"], &exchange["items"][0]["comments_sent"]),
        (&json!(from_exchange[0]), &json!(false))
    );
    // Both fit one page: no cursor. Page sizes are those of the other lists.
    assert_eq!(abc["next_cursor"], Value::Null);
    let (status, _) = rt.get(&admin, &format!("/api/v1/partners/{ABC}/returns?per_page=7")).await;
    assert_eq!(status, 422);

    // Office staff may view partners, so they read it; a lead rep may not (403); another company's admin does not
    // find an Acme partner (404); a partner login reads its own report only.
    let office = rt.sign_in(OFFICE).await;
    assert_eq!(rt.get(&office, &format!("/api/v1/partners/{ABC}/returns")).await.0, 200);
    let rep = rt.sign_in(LEAD_REP).await;
    assert_eq!(rt.get(&rep, &format!("/api/v1/partners/{ABC}/returns")).await.0, 403);
    let (status, created) = rt
        .post(
            &admin,
            "/api/v1/partners",
            json!({"name": "Acme Only Leads", "kind": "outside", "sells_leads": true,
            "default_lead_location": "queue"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let other = rt.sign_in(OTHER_ADMIN).await;
    let acme_only = format!("/api/v1/partners/{}/returns", created["id"]);
    assert_eq!(rt.get(&other, &acme_only).await.0, 404);
    assert_eq!(rt.get(&admin, "/api/v1/partners/9999/returns").await.0, 404);
    let partner = rt.sign_in(PARTNER).await;
    let (status, own) = rt.get(&partner, &format!("/api/v1/partners/{HOMESHIELD}/returns")).await;
    assert_eq!((status, &own["counts"]), (200, &json!({"returned": 0, "duplicate_rejected": 0})), "{own}");
    assert_eq!(rt.get(&partner, &format!("/api/v1/partners/{ABC}/returns")).await.0, 403);
    rt.stop().await;
}
