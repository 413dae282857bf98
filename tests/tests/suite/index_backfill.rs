//! The index backfill (`POST /api/v1/maintenance/reindex`) over HTTP through the local runtime: records stored the
//! way the code wrote them before the short-prefix partitions (no `IX#SHORT` item, email-word items of three-letter
//! prefixes only, no `FN`/`LN`/`EW` counters) are missed by one- and two-letter searches until the backfill has run,
//! then found with exact totals; a second run changes nothing; only an admin may start or read it, and each company
//! sees its own run; a run that died or failed does not block the next.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use vigil_app::record_index::{counters_of, email_words, index_items, prefix3, prefix_counters, slot_of};
use vigil_app::records::record_item;
use vigil_app::services::queues;
use vigil_app::Services;
use vigil_domain::record::{Kind, Record};
use vigil_domain::CompanyId;
use vigil_store::{keys, Index, Item, StoreError, TxOp, Update};
use vigil_tests::faults::{Call, Gated};
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, OFFICE, OTHER_ADMIN, SALES};

const REINDEX: &str = "/api/v1/maintenance/reindex";

fn co() -> CompanyId {
    CompanyId::parse("acme").unwrap()
}

fn record(id: u64, kind: Kind, first: &str, last: &str, email: &str) -> Record {
    let stage = if kind == Kind::Lead { "new" } else { "converted" };
    serde_json::from_value(json!({
        "id": id, "kind": kind, "stage": stage, "first_name": first, "last_name": last, "email": email,
        "primary_phone": format!("801555{:04}", id % 10_000), "city": "Provo", "state": "UT",
        "office_location_id": 1, "created_at": "2025-01-01T00:00:00Z", "created_by": "acme-admin", "version": 1
    }))
    .unwrap()
}

/// A record's index items as the code wrote them before the short prefixes: no `IX#SHORT`, and the email words'
/// three-letter prefixes only, packed four to an item as they still are.
fn old_index_items(co: &CompanyId, r: &Record) -> Vec<Item> {
    let items = index_items(co, r);
    let sk = |i: &Item| i["SK"].as_str().unwrap_or_default().to_owned();
    let mut entry = items.iter().find(|i| sk(i) == "IX#FACET").cloned().expect("a facet item");
    for index in Index::GSIS {
        entry.remove(index.pk_attr());
        entry.remove(index.sk_attr());
    }
    let mut out: Vec<Item> =
        items.iter().filter(|i| sk(i) != "IX#SHORT" && !sk(i).starts_with("IX#EMAIL#")).cloned().collect();
    let words: BTreeSet<String> =
        r.email.as_deref().map(email_words).unwrap_or_default().iter().map(|w| prefix3(w)).collect();
    let mut email: Vec<Item> = Vec::new();
    let mut used = [0usize; 4];
    for w in words {
        let s = slot_of(&w);
        let n = used[s];
        used[s] += 1;
        if email.len() <= n {
            let mut item = entry.clone();
            item.extend(keys::list_index_item(co, r.id, &format!("EMAIL#{n}")).to_item());
            email.push(item);
        }
        email[n].insert(Index::GSIS[s].pk_attr().into(), json!(keys::list_prefix_pk(co, r.kind, "EW", &w)));
        email[n].insert(Index::GSIS[s].sk_attr().into(), json!(keys::id_sk(r.id)));
    }
    out.extend(email);
    out
}

/// Stores `r` as the code did before the short prefixes: its profile, the old index items, and every counter but
/// the prefix counters.
async fn store_the_old_way(rt: &LocalRuntime, r: &Record) {
    let table = &rt.services().table;
    let mut items = vec![record_item(&co(), r)];
    items.extend(old_index_items(&co(), r));
    table.batch_put(&items).await.unwrap();
    let prefixes = prefix_counters(&co(), r);
    let counters: Vec<TxOp> = counters_of(&co(), r)
        .into_iter()
        .filter(|k| !prefixes.contains(k))
        .map(|key| TxOp::Update { key, update: Update::default().add("value", 1), cond: None })
        .collect();
    table.transact(counters).await.unwrap();
}

/// The total and the IDs of the first page of a list search (`list` is `leads` or `customers`).
async fn search(rt: &LocalRuntime, token: &str, list: &str, query: &str) -> (u64, BTreeSet<u64>) {
    let (status, page) = rt.get(token, &format!("/api/v1/{list}?per_page=50&{query}")).await;
    assert_eq!(status, 200, "{query}: {page}");
    assert_eq!(page["meta"]["total_exact"], true, "{query}: {page}");
    let ids = page["items"].as_array().unwrap().iter().filter_map(|i| i["id"].as_u64()).collect();
    (page["meta"]["total"].as_u64().expect("a total"), ids)
}

/// A counter's value as stored (0 when it was never written).
async fn counter(rt: &LocalRuntime, key: &vigil_store::Key) -> i64 {
    let item = rt.services().table.get(key).await.unwrap();
    item.and_then(|i| i.get("value").and_then(Value::as_i64)).unwrap_or(0)
}

/// The counter behind a one- to three-letter search (`last_name=q` → `LN` `q`).
fn prefix_counter(list: &str, q: &str) -> vigil_store::Key {
    let kind = if list == "leads" { Kind::Lead } else { Kind::Customer };
    let (field, prefix) = q.split_once('=').unwrap();
    let field = match field {
        "last_name" => "LN",
        "first_name" => "FN",
        _ => "EW",
    };
    keys::list_counter(&co(), kind, field, prefix)
}

/// Counters that were kept before the short prefixes: each kind's total and the leads' stage.
async fn kept_counters(rt: &LocalRuntime) -> Vec<i64> {
    let mut v = Vec::new();
    for key in [
        keys::record_total(&co(), Kind::Lead),
        keys::record_total(&co(), Kind::Customer),
        keys::list_counter(&co(), Kind::Lead, "STAGE", "new"),
    ] {
        v.push(counter(rt, &key).await);
    }
    v
}

/// Which of `records` a search matches (the list's own rule: a prefix of the name, or of an email word).
fn matching(records: &[&Record], list: &str, q: &str) -> BTreeSet<u64> {
    let (field, prefix) = q.split_once('=').unwrap();
    records
        .iter()
        .filter(|r| (list == "leads") == (r.kind == Kind::Lead))
        .filter(|r| match field {
            "last_name" => r.last_name.to_lowercase().starts_with(prefix),
            "first_name" => r.first_name.to_lowercase().starts_with(prefix),
            _ => email_words(r.email.as_deref().unwrap_or_default()).iter().any(|w| w.starts_with(prefix)),
        })
        .map(|r| r.id.0)
        .collect()
}

async fn run_to_done(rt: &LocalRuntime, token: &str) -> Value {
    let (status, started) = rt.post(token, REINDEX, json!({})).await;
    assert_eq!(status, 202, "{started}");
    assert_eq!(started["status"], "running", "{started}");
    assert_eq!(started["records_seen"], 0, "{started}");
    eventually("the backfill to finish", Duration::from_secs(60), || async {
        let (status, s) = rt.get(token, REINDEX).await;
        assert_eq!(status, 200, "{s}");
        (s["status"] == "done").then_some(s)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_stored_before_the_short_prefixes_are_found_with_exact_totals_after_the_backfill() {
    let rt = LocalRuntime::start_with(|c| c.seed = Some(vigil_local::seed::SeedSize { leads: 30, customers: 5 })).await;
    let admin = rt.sign_in(ADMIN).await;
    let (status, idle) = rt.get(&admin, REINDEX).await;
    assert_eq!((status, &idle["status"]), (200, &json!("idle")), "{idle}");

    // The searches, and their counters, before any of this test's records (the seed's names may share the letters).
    let searches = [
        ("leads", "last_name=q"),
        ("leads", "last_name=qx"),
        ("leads", "first_name=b"),
        ("leads", "first_name=be"),
        ("leads", "email=k"),
        ("leads", "email=ki"),
        ("customers", "last_name=q"),
        ("customers", "first_name=d"),
    ];
    let mut before = Vec::new();
    for (list, q) in searches {
        before.push((search(&rt, &admin, list, q).await.0, counter(&rt, &prefix_counter(list, q)).await));
    }

    // One lead written by the current code: the backfill must not count it again.
    let (_, opts) = rt.get(&admin, "/api/v1/leads/form-options").await;
    let body = json!({
        "source_id": opts["sources"][0]["id"], "disposition_id": opts["dispositions"][0]["id"],
        "first_name": "Bo", "last_name": "Qxcurrent", "primary_phone": "(801) 555-0177", "city": "Provo",
        "state": "UT", "zip": "84601", "email": "bo.kq@mail.test"
    });
    let (status, created) = rt.post(&admin, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{created}");
    let current = record(created["id"].as_u64().unwrap(), Kind::Lead, "Bo", "Qxcurrent", "bo.kq@mail.test");
    // Three leads and a customer stored the old way (IDs above the seed's).
    let old = [
        record(70_001, Kind::Lead, "Bea", "Qxold", "bea.kqx@backfill.test"),
        record(70_002, Kind::Lead, "Ben", "Qxolder", "ben@kiwi.test"),
        record(70_003, Kind::Lead, "Cy", "Quill", "cy.quill@backfill.test"),
        record(70_004, Kind::Customer, "Dee", "Qxcust", "dee@backfill.test"),
    ];
    for r in &old {
        store_the_old_way(&rt, r).await;
    }
    let everyone: Vec<&Record> = old.iter().chain([&current]).collect();
    let old_ones: Vec<&Record> = old.iter().collect();

    // Before the backfill the first-name and email searches, which read the short partitions, miss the old records
    // and leave them out of their totals; the current lead is found and counted. (A last-name search with a small
    // counted total is served from the profiles' name index, which older records have, so only its counter is
    // checked here.) Every prefix counter counts the current lead only.
    for ((list, q), (base, base_count)) in searches.iter().zip(&before) {
        let now = matching(&[&current], list, q).len() as i64;
        assert_eq!(counter(&rt, &prefix_counter(list, q)).await, base_count + now, "{list}?{q}'s counter before");
        if q.starts_with("last_name") {
            continue;
        }
        let (total, ids) = search(&rt, &admin, list, q).await;
        assert_eq!(total, base + now as u64, "{list}?{q} before the backfill");
        let old_ids = matching(&old_ones, list, q);
        assert!(!old_ids.is_empty(), "{list}?{q} matches no old record");
        assert!(ids.is_disjoint(&old_ids), "{list}?{q} found an old record before the backfill: {ids:?}");
    }

    // Non-admins may neither start nor read it.
    for user in [OFFICE, SALES] {
        let token = rt.sign_in(user).await;
        assert_eq!(rt.post(&token, REINDEX, json!({})).await.0, 403, "{user} started a backfill");
        assert_eq!(rt.get(&token, REINDEX).await.0, 403, "{user} read the backfill");
    }

    // The counters kept before the short prefixes (totals, stages) are right already and must stay as they are.
    let kept_before = kept_counters(&rt).await;
    let done = run_to_done(&rt, &admin).await;
    assert_eq!(done["records_updated"], 4, "exactly the four old records: {done}");
    assert!(done["records_seen"].as_u64().unwrap() >= 30 + 5 + 5, "{done}");
    assert!(done["finished_at"].is_string() && done["started_at"].is_string(), "{done}");
    // Found, and counted exactly: the API's totals and the counters behind them.
    let mut after_first = Vec::new();
    for ((list, q), (base, base_count)) in searches.iter().zip(&before) {
        let want = matching(&everyone, list, q);
        let (total, ids) = search(&rt, &admin, list, q).await;
        assert_eq!(total, base + want.len() as u64, "{list}?{q} after the backfill");
        assert!(want.is_subset(&ids), "{list}?{q}: {want:?} not all in {ids:?}");
        let count = counter(&rt, &prefix_counter(list, q)).await;
        assert_eq!(count, base_count + want.len() as i64, "{list}?{q}'s counter after the backfill");
        after_first.push((total, ids, count));
    }
    assert_eq!(kept_counters(&rt).await, kept_before, "the backfill moved a counter that was right already");
    // Another company sees its own state, never this one's.
    let other = rt.sign_in(OTHER_ADMIN).await;
    let (status, theirs) = rt.get(&other, REINDEX).await;
    assert_eq!((status, &theirs["status"]), (200, &json!("idle")), "{theirs}");

    // Run again: every record is current, nothing is counted twice.
    let again = run_to_done(&rt, &admin).await;
    assert_eq!(again["records_updated"], 0, "{again}");
    assert_eq!(again["records_seen"], done["records_seen"], "{again}");
    for ((list, q), first) in searches.iter().zip(&after_first) {
        let (total, ids) = search(&rt, &admin, list, q).await;
        let count = counter(&rt, &prefix_counter(list, q)).await;
        assert_eq!(&(total, ids, count), first, "{list}?{q} changed on the second run");
    }
    assert_eq!(kept_counters(&rt).await, kept_before, "the second run moved a counter that was right already");
    rt.stop().await;
}

/// Puts the company's run item as a run left it: `status` and times as given, its page job nowhere in the queue, so
/// no worker moves it on.
async fn put_run(rt: &LocalRuntime, run: Value) {
    let mut item: Item = serde_json::from_value(run).unwrap();
    item.extend(keys::setting(&co(), "REINDEX").to_item());
    rt.services().table.put(item, None).await.unwrap();
}

/// A run under way, waiting on the page `cursor`, started and last saving a page at the times given.
fn running(cursor: &str, seen: u64, started: String, progressed: Option<String>) -> Value {
    let mut run = json!({"status": "running", "records_seen": seen, "records_updated": 0,
        "started_at": started, "run": 1, "cursor": cursor, "version": 3});
    if let Some(p) = progressed {
        run["progressed_at"] = json!(p);
    }
    run
}

/// RFC 3339 of `ago` before now, as the runs store their times.
fn ago(ago: time::Duration) -> String {
    vigil_app::clock::rfc3339(time::OffsetDateTime::now_utc() - ago)
}

/// Starting a run while one is under way is refused, with the run in the answer; once it has saved no page for
/// longer than a worker can take on one, a new start replaces it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_while_a_run_is_under_way_is_a_conflict_until_it_saves_no_page_for_too_long() {
    let rt = LocalRuntime::start_with(|c| c.seed = Some(vigil_local::seed::SeedSize { leads: 5, customers: 1 })).await;
    let admin = rt.sign_in(ADMIN).await;
    let stale = vigil_app::reindex::STALE_AFTER;
    let run = |started, progressed| running("1:lead:100", 100, started, progressed);

    // Started just now; then started long ago but saving pages still.
    for live in [run(ago(time::Duration::ZERO), None), run(ago(stale * 4), Some(ago(stale / 2)))] {
        put_run(&rt, live).await;
        let (status, body) = rt.post(&admin, REINDEX, json!({})).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["current"]["status"], "running", "{body}");
        assert_eq!(body["current"]["records_seen"], 100, "{body}");
    }

    // No page saved for longer than a worker can take on one: the run is dead, and a new start replaces it and
    // walks every record.
    put_run(&rt, run(ago(stale * 4), Some(ago(stale + time::Duration::minutes(1))))).await;
    let done = run_to_done(&rt, &admin).await;
    assert_eq!(done["records_seen"], 6, "{done}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_failing_on_the_last_try_stops_the_run_as_failed_and_a_new_start_is_accepted() {
    let rt = LocalRuntime::start_with(|c| c.seed = Some(vigil_local::seed::SeedSize { leads: 5, customers: 1 })).await;
    let admin = rt.sign_in(ADMIN).await;
    put_run(&rt, running("1:lead:0", 0, ago(time::Duration::ZERO), None)).await;
    // Every query fails: the page's read of its records.
    let queries_fail = |call: Call<'_>| match call {
        Call::Query(_) => Err(StoreError::Backend("query timed out".into())),
        _ => Ok(()),
    };
    let failing = Gated { inner: rt.services().table.clone(), gate: queries_fail };
    let failing = Services { table: Arc::new(failing), ..rt.services().clone() };
    let acme = co();
    let page = |receives| vigil_app::reindex::run_page(&failing, &acme, 1, Kind::Lead, 0, receives);

    // Tries before the last: the error goes back to the queue for another, and the run waits on the same page.
    for receives in 1..queues::JOBS_MAX_RECEIVES {
        assert!(page(receives).await.is_err());
        let (_, state) = rt.get(&admin, REINDEX).await;
        assert_eq!(state["status"], "running", "after try {receives}: {state}");
    }
    // The last: still an error (the message goes to the dead-letter queue), and the run says it failed.
    assert!(page(queues::JOBS_MAX_RECEIVES).await.is_err());
    let (status, state) = rt.get(&admin, REINDEX).await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["status"], "failed", "{state}");
    assert!(state["finished_at"].is_string(), "{state}");

    let done = run_to_done(&rt, &admin).await;
    assert_eq!(done["records_seen"], 6, "{done}");
    rt.stop().await;
}

/// One record's transaction on the real store: an edit between the read and the write is read again (the items and
/// counters follow the edited record, never the stale copy), and a record without a name, guarded by its email
/// item, is counted once however often it is backfilled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_edited_meanwhile_is_read_again_and_a_nameless_one_is_counted_once() {
    use vigil_app::reindex::{backfill, Backfilled};
    let rt = LocalRuntime::start_with(|c| c.seed = Some(vigil_local::seed::SeedSize { leads: 5, customers: 1 })).await;
    let svc = rt.services();
    let stale = record(71_001, Kind::Lead, "Bea", "Qxraced", "bea@raced.test");
    store_the_old_way(&rt, &stale).await;
    // Another user's edit lands after the backfill read the record: a new first name and version.
    let mut edited = stale.clone();
    edited.first_name = "Zed".into();
    edited.version = 2;
    svc.table.put(record_item(&co(), &edited), None).await.unwrap();
    let (z, b) = (keys::list_counter(&co(), Kind::Lead, "FN", "z"), keys::list_counter(&co(), Kind::Lead, "FN", "b"));
    let (z0, b0) = (counter(&rt, &z).await, counter(&rt, &b).await);
    assert_eq!(backfill(svc, &co(), stale.clone()).await.unwrap(), Backfilled::Updated);
    let short = svc.table.get(&keys::list_index_item(&co(), stale.id, "SHORT")).await.unwrap().expect("IX#SHORT");
    assert_eq!(short["first_name"], "Zed", "the short item carries the edited record");
    assert!(short["GSI1PK"].as_str().unwrap().ends_with("FN#z"), "{}", short["GSI1PK"]);
    assert_eq!((counter(&rt, &z).await, counter(&rt, &b).await), (z0 + 1, b0), "counted as edited");
    assert_eq!(backfill(svc, &co(), edited).await.unwrap(), Backfilled::Current);
    assert_eq!(counter(&rt, &z).await, z0 + 1);

    // No name: no short item, so the email item whose layout changed is the marker.
    let nameless = record(71_002, Kind::Lead, "", "", "nobody.kx@nameless.test");
    store_the_old_way(&rt, &nameless).await;
    let kx = keys::list_counter(&co(), Kind::Lead, "EW", "kx");
    let before = counter(&rt, &kx).await;
    assert_eq!(backfill(svc, &co(), nameless.clone()).await.unwrap(), Backfilled::Updated);
    assert_eq!(backfill(svc, &co(), nameless.clone()).await.unwrap(), Backfilled::Current);
    assert_eq!(counter(&rt, &kx).await, before + 1, "counted once");
    // And one the current code wrote is never counted.
    let fresh = record(71_003, Kind::Lead, "", "", "fresh.kx@nameless.test");
    let mut items = vec![record_item(&co(), &fresh)];
    items.extend(index_items(&co(), &fresh));
    svc.table.batch_put(&items).await.unwrap();
    assert_eq!(backfill(svc, &co(), fresh).await.unwrap(), Backfilled::Current);
    assert_eq!(counter(&rt, &kx).await, before + 1);
    rt.stop().await;
}
