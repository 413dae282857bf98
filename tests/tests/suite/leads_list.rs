//! The Leads list through the local runtime over HTTP: every filter returns exactly the matching leads (the
//! expectation computed from the records this test inserts), each tags operator, sorts and directions, stable paging,
//! the read budget, cursor misuse, page sizes, and a lead rep seeing only their own leads.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use vigil_app::record_index::{index_writes, seed_items};
use vigil_app::records::record_item;
use vigil_domain::record::Record;
use vigil_domain::CompanyId;
use vigil_store::{keys, TxOp};
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::{LEAD_REP, OFFICE};

/// The test's leads get IDs above the seed's.
const BASE: u64 = 50_000;
const N: u64 = 90;

fn co() -> CompanyId {
    CompanyId::parse("acme").unwrap()
}

/// Varied leads, deterministic: every filter value occurs several times and in combination.
fn leads() -> Vec<Record> {
    let first = ["Mary", "Marco", "John", "Johanna", "Ann", "Li"];
    let last = ["Smith", "Smithers", "Jones", "Garcia", "Nguyen"];
    let stages = ["new", "contacted", "qualified", "unqualified"];
    (0..N)
        .map(|i| {
            let stage = stages[(i % 4) as usize];
            let city = ["Provo", "Boise", "Reno"][(i % 3) as usize];
            let disposition = ["Hot", "Warm", "Cold"][(i % 3) as usize];
            let domain = ["zmail.test", "qmail.test"][(i % 2) as usize];
            let (f, l) = (first[(i % 6) as usize], last[(i % 5) as usize]);
            let tags: Vec<String> = (1..=4u64).filter(|t| (i / t) % 2 == 1).map(|t| (900 + t).to_string()).collect();
            serde_json::from_value(json!({
                "id": BASE + i, "kind": "lead", "stage": stage,
                "first_name": f, "last_name": l,
                "email": (i % 7 != 0).then(|| format!("{}.{}{}@{}", f.to_lowercase(), l.to_lowercase(), i, domain)),
                "primary_phone": format!("555{:07}", 1_000_000 + i),
                "address1": format!("{} Main St", 100 + i), "city": city, "state": "UT",
                "office_location_id": 1 + i % 3,
                "source_id": 901 + i % 3, "campaign_id": (i % 4 != 0).then_some(950 + i % 5),
                "disposition": disposition, "rating": i % 6, "tags": tags,
                "lead_rep_id": (i % 3 == 0).then_some("acme-lead-rep"),
                "account_number": (i == 5).then_some("7700123"),
                "created_at": "2025-01-01T00:00:00Z", "created_by": "acme-admin", "version": 1
            }))
            .unwrap()
        })
        .collect()
}

async fn start() -> (LocalRuntime, Vec<Record>) {
    let rt = LocalRuntime::start_small().await;
    let records = leads();
    store(&rt, &records).await;
    (rt, records)
}

/// Stores leads with their index items and counters, as the write operations leave them.
async fn store(rt: &LocalRuntime, records: &[Record]) {
    let mut items: Vec<_> = records.iter().map(|r| record_item(&co(), r)).collect();
    // Only the index items: the counters must add to the seed's (transactions, as the write operations do).
    items.extend(seed_items(&co(), records).into_iter().filter(|i| !vigil_app::record_index::is_counter(i)));
    rt.services().table.batch_put(&items).await.unwrap();
    for r in records {
        let counters: Vec<TxOp> =
            index_writes(&co(), None, Some(r)).into_iter().filter(|op| matches!(op, TxOp::Update { .. })).collect();
        rt.services().table.transact(counters).await.unwrap();
    }
}

/// Every page of a query; checks each page's read budget and that no ID repeats.
async fn all_pages(rt: &LocalRuntime, token: &str, query: &str) -> (Vec<Value>, Value) {
    let mut rows = Vec::new();
    let mut path = format!("/api/v1/leads?per_page=10&{query}");
    let mut first_meta = None;
    for _ in 0..400 {
        let (status, page) = rt.get(token, &path).await;
        assert_eq!(status, 200, "{query}: {page}");
        let items = page["items"].as_array().unwrap().clone();
        let read = page_reads(&page["meta"]);
        assert!(read <= 3 * items.len() as u64 + 50, "{query}: read {read} for {} rows", items.len());
        first_meta.get_or_insert(page["meta"].clone());
        rows.extend(items);
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/leads?per_page=10&{query}&cursor={c}"),
            None => break,
        }
    }
    let ids: Vec<u64> = rows.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "{query}: no duplicates across pages");
    (rows, first_meta.unwrap())
}

/// Items read to fill the page, without those read past it to measure a long search's total.
fn page_reads(meta: &Value) -> u64 {
    meta["items_read"].as_u64().unwrap() - meta["items_read_for_total"].as_u64().unwrap_or(0)
}

fn ids(rows: &[Value]) -> BTreeSet<u64> {
    rows.iter().map(|r| r["id"].as_u64().unwrap()).filter(|id| *id >= BASE).collect()
}

fn expect(records: &[Record], pred: impl Fn(&Record) -> bool) -> BTreeSet<u64> {
    records.iter().filter(|r| pred(r)).map(|r| r.id.0).collect()
}

fn has(r: &Record, t: u64) -> bool {
    r.tags.contains(&(900 + t).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_filter_returns_exactly_the_matching_leads() {
    let (rt, recs) = start().await;
    let token = rt.sign_in(OFFICE).await;
    let s = |r: &Record| r.stage.as_str().to_owned();
    let cases: Vec<(&str, BTreeSet<u64>)> = vec![
        ("source=902", expect(&recs, |r| r.source_id.map(|s| s.0) == Some(902))),
        ("source=901,903", expect(&recs, |r| matches!(r.source_id.map(|s| s.0), Some(901 | 903)))),
        ("campaign=951,953", expect(&recs, |r| matches!(r.campaign_id.map(|s| s.0), Some(951 | 953)))),
        ("stage=qualified", expect(&recs, |r| s(r) == "qualified")),
        ("disposition=Hot", expect(&recs, |r| r.disposition.as_deref() == Some("Hot"))),
        ("first_name=mar", expect(&recs, |r| r.first_name.to_lowercase().starts_with("mar"))),
        ("first_name=jo", expect(&recs, |r| r.first_name.to_lowercase().starts_with("jo"))),
        ("last_name=smith", expect(&recs, |r| r.last_name.to_lowercase().starts_with("smith"))),
        ("email=nguy", expect(&recs, |r| r.email.as_deref().is_some_and(|e| e.contains("nguy")))),
        ("email=qmail", expect(&recs, |r| r.email.as_deref().is_some_and(|e| e.contains("qmail")))),
        ("tags=901,902&tags_op=any", expect(&recs, |r| has(r, 1) || has(r, 2))),
        ("tags=901,902&tags_op=all", expect(&recs, |r| has(r, 1) && has(r, 2))),
        ("tags=901,902&tags_op=none", expect(&recs, |r| !has(r, 1) && !has(r, 2))),
        ("tags=901,902&tags_op=not_all", expect(&recs, |r| !(has(r, 1) && has(r, 2)))),
        ("number=5551000007", expect(&recs, |r| r.id.0 == BASE + 7)),
        ("number=7700123", expect(&recs, |r| r.id.0 == BASE + 5)),
        (&*format!("number={}", BASE + 11).leak(), expect(&recs, |r| r.id.0 == BASE + 11)),
        ("rep=acme-lead-rep", expect(&recs, |r| r.lead_rep_id.as_ref().is_some_and(|u| u.as_str() == "acme-lead-rep"))),
        (
            "source=902&stage=new&tags=903",
            expect(&recs, |r| r.source_id.map(|s| s.0) == Some(902) && s(r) == "new" && has(r, 3)),
        ),
        (
            "last_name=jon&disposition=cold&sort=name",
            expect(&recs, |r| r.last_name == "Jones" && r.disposition.as_deref() == Some("Cold")),
        ),
    ];
    for (query, want) in cases {
        let (rows, meta) = all_pages(&rt, &token, query).await;
        assert_eq!(ids(&rows), want, "{query} via {}", meta["access_path"]);
        // The seed's own leads may match too (they share the company); ours are all there and nothing else of ours.
        if meta["total_exact"] == true
            && !query.contains("first_name")
            && !query.contains("email")
            && !query.contains("last_name")
            && !query.starts_with("number")
        {
            assert_eq!(meta["total"].as_u64().unwrap(), rows.len() as u64, "{query}: exact total");
        }
    }
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorts_directions_and_paging_are_stable() {
    let (rt, _) = start().await;
    let token = rt.sign_in(OFFICE).await;
    for (sort, key) in [("id", "id"), ("created", "id"), ("name", "last_name"), ("address", "city"), ("email", "email")]
    {
        for dir in ["asc", "desc"] {
            let (rows, _) = all_pages(&rt, &token, &format!("sort={sort}&dir={dir}&source=901,902,903")).await;
            assert_eq!(ids(&rows).len() as u64, N, "{sort} {dir}");
            let vals: Vec<String> = rows
                .iter()
                .map(|r| match key {
                    "id" => format!("{:014}", r["id"].as_u64().unwrap()),
                    k => r[k].as_str().unwrap_or("").to_lowercase(),
                })
                .collect();
            let mut sorted = vals.clone();
            sorted.sort();
            if dir == "desc" {
                sorted.reverse();
            }
            assert_eq!(vals, sorted, "{sort} {dir}");
        }
    }
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misuse_is_refused_and_reps_see_their_own() {
    let (rt, recs) = start().await;
    let token = rt.sign_in(OFFICE).await;
    let (status, body) = rt.get(&token, "/api/v1/leads?per_page=7").await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("per_page")));
    let (status, body) = rt.get(&token, "/api/v1/leads?tags_op=maybe&source=x").await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    let (_, page) = rt.get(&token, "/api/v1/leads?per_page=10&source=901").await;
    let cursor = page["next_cursor"].as_str().unwrap();
    assert_eq!(
        rt.get(&token, &format!("/api/v1/leads?per_page=10&source=902&cursor={cursor}")).await.0,
        400,
        "another filter"
    );
    let rep = rt.sign_in(LEAD_REP).await;
    assert_eq!(
        rt.get(&rep, &format!("/api/v1/leads?per_page=10&source=901&cursor={cursor}")).await.0,
        400,
        "another user"
    );
    assert_eq!(rt.get(&token, "/api/v1/leads?cursor=nope").await.0, 400);

    let (rows, meta) = all_pages(&rt, &rep, "source=901,902,903").await;
    assert_eq!(ids(&rows), expect(&recs, |r| r.lead_rep_id.as_ref().is_some_and(|u| u.as_str() == "acme-lead-rep")));
    assert!(rows.iter().all(|r| r["lead_rep_id"] == "acme-lead-rep"), "{meta}");
    let (rows, _) = all_pages(&rt, &rep, "rep=acme-sales-rep").await;
    assert!(rows.is_empty(), "a rep cannot list another rep's leads");
    rt.stop().await;
}

/// Searching SSN last-4 digits is for those who may see SSNs: for anyone else, trying 0000–9999 would reveal them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_staff_cannot_find_a_lead_by_ssn_last4() {
    let (rt, recs) = start().await;
    let token = rt.sign_in(OFFICE).await;
    // SSN saved through the API (encrypted, with its blind index).
    let target = &recs[20];
    let admin = rt.sign_in("admin@acme.example").await;
    let path = rt.url(&format!("/api/v1/leads/{}", target.id));
    let lead: Value = rt.http().get(&path).bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    let resp = rt
        .http()
        .patch(&path)
        .bearer_auth(&admin)
        .json(&json!({"version": lead["version"], "ssn": "123-45-4321"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (rows, meta) = all_pages(&rt, &token, "number=4321").await;
    assert_eq!(ids(&rows), BTreeSet::new(), "office staff do not see SSNs, so they cannot search them");
    assert_eq!(meta["total"].as_u64(), Some(rows.len() as u64), "nor does the total: {meta}");
    let (rows, _) = all_pages(&rt, &admin, "number=4321").await;
    assert_eq!(ids(&rows), BTreeSet::from([target.id.0]), "an admin sees SSNs and finds the lead by its last 4");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_mode_waits_for_a_submit() {
    let rt = LocalRuntime::start_small().await;
    let key = keys::company(&co());
    let mut company = rt.services().table.get(&key).await.unwrap().unwrap();
    company["settings"]["do_not_show_customer_list"] = json!(true);
    rt.services().table.put(company, None).await.unwrap();
    let token = rt.sign_in(OFFICE).await;
    let (status, page) = rt.get(&token, "/api/v1/leads").await;
    assert_eq!(status, 200);
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
    assert_eq!(page["meta"]["search_required"], true);
    let (_, page) = rt.get(&token, "/api/v1/leads?submitted=true").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 25);
    let (_, page) = rt.get(&token, "/api/v1/leads?stage=new").await;
    assert!(!page["items"].as_array().unwrap().is_empty());
    rt.stop().await;
}

/// One- and two-letter name and email searches fill page one (25 rows when at least 25 match) within the read
/// budget, and their total is the true count (exact, or an estimate within 10% that says so). The true count is what
/// paging through every row finds; the rows are the ones the masked single-row search returns for the same lead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_prefix_searches_fill_page_one_with_honest_totals() {
    let (rt, _) = start().await;
    let token = rt.sign_in(OFFICE).await;
    for query in [
        "last_name=sm",
        "last_name=s",
        "first_name=jo",
        "first_name=m",
        "email=zm",
        "email=z",
        "last_name=smit",
        "first_name=jo&sort=name",
        "last_name=sm&sort=email",
    ] {
        let (status, page) = rt.get(&token, &format!("/api/v1/leads?{query}")).await;
        assert_eq!(status, 200, "{query}: {page}");
        let meta = &page["meta"];
        let items = page["items"].as_array().unwrap();
        let (all, _) = all_pages(&rt, &token, query).await;
        let truth = all.len() as u64;
        assert!(truth >= 25, "{query}: the test's leads match at least 25 ({truth})");
        assert_eq!(items.len(), 25, "{query}: a full first page: {meta}");
        let read = page_reads(meta);
        assert!(read <= 3 * 25 + 50, "{query}: read {read}");
        let total = meta["total"].as_u64().unwrap();
        if meta["total_exact"] == true {
            assert_eq!(total, truth, "{query}: an exact total is the true count: {meta}");
        } else {
            assert!(total.abs_diff(truth) * 10 <= truth, "{query}: estimate {total} within 10% of {truth}: {meta}");
        }
        if query.len() <= "last_name=sm".len() {
            assert_eq!(meta["total_exact"], true, "{query}: one and two letters are counted exactly: {meta}");
        }
        let served = meta["order_served"].as_str().unwrap();
        if let Some((_, asked)) = query.split_once("sort=") {
            // A set small enough is read whole and sorted as asked; a larger one may come in name order instead.
            assert!([asked, "name", "first_name", "id"].contains(&served), "{query}: {meta}");
            assert_eq!(served != asked, meta["order_note"].is_string(), "{query}: another order is said: {meta}");
        } else {
            assert_eq!(served, "id", "{query}: served newest first as asked: {meta}");
            let ids: Vec<u64> = items.iter().map(|r| r["id"].as_u64().unwrap()).collect();
            assert!(ids.windows(2).all(|w| w[0] > w[1]), "{query}: newest first");
        }
        // Rows are masked as every list row is: the same as the lead found alone by its ID.
        let first = &items[0];
        let (_, alone) = rt.get(&token, &format!("/api/v1/leads?number={}", first["id"])).await;
        assert_eq!(&alone["items"][0], first, "{query}");
    }
    rt.stop().await;
}

/// A search longer than three letters reads its three-letter partition, which its counter sizes; what share of it
/// matches is measured. Here the newest leads are all Johns and the older ones mostly Johannas, so the page's own
/// reads (newest first) would say every lead of the partition is a John: the name-sorted range is counted instead,
/// exactly. An email word has no such range: the partition is read on until the estimate is within a tenth.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_searches_count_or_measure_their_total_within_a_tenth() {
    let rt = LocalRuntime::start_small().await;
    let records: Vec<Record> = (1..=400u64)
        .map(|i| {
            let first = if i > 300 || i % 10 == 0 { "John" } else { "Johanna" };
            let word = if i % 2 == 0 { "kate" } else { "kathy" };
            serde_json::from_value(json!({
                "id": BASE + 1_000 + i, "kind": "lead", "stage": "new", "first_name": first, "last_name": "Quill",
                "email": format!("{word}{i}@zmail.test"), "primary_phone": format!("555{:07}", 2_000_000 + i),
                "city": "Provo", "state": "UT", "created_at": "2025-01-01T00:00:00Z", "created_by": "acme-admin",
                "version": 1
            }))
            .unwrap()
        })
        .collect();
    store(&rt, &records).await;
    let token = rt.sign_in(OFFICE).await;
    for (query, truth, exact) in [("first_name=john", 130, true), ("email=kate", 200, false)] {
        let (status, page) = rt.get(&token, &format!("/api/v1/leads?{query}")).await;
        assert_eq!(status, 200, "{query}: {page}");
        let meta = &page["meta"];
        assert_eq!(page["items"].as_array().unwrap().len(), 25, "{query}: {meta}");
        assert!(page_reads(meta) <= 3 * 25 + 50, "{query}: {meta}");
        let total = meta["total"].as_u64().unwrap();
        assert_eq!(meta["total_exact"], exact, "{query}: {meta}");
        assert!(total.abs_diff(truth) * 10 <= truth, "{query}: {total} within a tenth of {truth}: {meta}");
        if exact {
            assert_eq!(total, truth, "{query}: {meta}");
        }
        assert!(meta["items_read_for_total"].as_u64().unwrap() > 0, "{query}: read on to measure: {meta}");
        // A later page keeps the first page's total and reads no more than its rows need.
        let cursor = page["next_cursor"].as_str().unwrap();
        let (_, next) = rt.get(&token, &format!("/api/v1/leads?{query}&cursor={cursor}")).await;
        assert_eq!(next["meta"]["total"], meta["total"], "{query}");
        assert!(next["meta"].get("items_read_for_total").is_none(), "{query}: {}", next["meta"]);
    }
    rt.stop().await;
}

/// By Source: one group per source with its count from the counters (no lead is read), the rest as "no source",
/// largest first; each group's count is what the list filtered to that source finds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_source_groups_leads_with_counts_from_counters() {
    let (rt, _) = start().await;
    let token = rt.sign_in(OFFICE).await;
    let (status, page) = rt.get(&token, "/api/v1/leads?view=by_source").await;
    assert_eq!(status, 200, "{page}");
    assert!(page["items"].as_array().unwrap().is_empty());
    let groups = page["groups"].as_array().unwrap();
    let counts: Vec<u64> = groups.iter().map(|g| g["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "largest first: {counts:?}");
    assert_eq!(counts.iter().sum::<u64>(), page["meta"]["total"].as_u64().unwrap(), "{page}");
    let sourced: Vec<&Value> = groups.iter().filter(|g| !g["source"].is_null()).collect();
    assert!(sourced.len() >= 2, "the demo's sources have leads: {page}");
    // Partners and one counter each, never the leads.
    assert!(page["meta"]["items_read"].as_u64().unwrap() <= 2 * 40, "{}", page["meta"]);
    for g in sourced {
        let id = &g["source"]["id"];
        assert!(g["source"]["name"].is_string());
        let (rows, meta) = all_pages(&rt, &token, &format!("source={id}")).await;
        assert_eq!(g["count"].as_u64(), Some(rows.len() as u64), "source {id}: {meta}");
    }
    let (status, body) = rt.get(&token, "/api/v1/leads?view=by_sauce").await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("view")));
    rt.stop().await;
}
