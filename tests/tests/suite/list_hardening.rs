//! Security review (issue 9) of the Leads list and the writes that feed it, over HTTP through the local runtime: the
//! list cannot panic and reads in proportion to the page whatever it is asked, its parameters are bounded, text that
//! must become part of a key is refused with a 422 naming the field (never a 500 from the store), and a tag change too
//! big for one transaction is refused the same way.

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use vigil_local::seed::SeedSize;
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::{ADMIN, LEAD_REP, OFFICE};

fn fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Percent-encodes a query value (the generated ones hold commas, spaces and non-ASCII text).
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn ids_list(n: u32) -> String {
    (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_20_tags_is_422_naming_the_field() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    for field in ["tags", "source", "campaign", "disposition", "stage"] {
        let (many, twenty) = if field == "stage" {
            (["new"; 21].join(","), ["new"; 20].join(","))
        } else {
            (ids_list(21), ids_list(20))
        };
        let (status, body) = rt.get(&token, &format!("/api/v1/leads?{field}={}", enc(&many))).await;
        assert_eq!(status, 422, "{field}: {body}");
        assert_eq!(fields(&body), [(field.to_owned(), "too_many".to_owned())], "{field}");
        let (status, body) = rt.get(&token, &format!("/api/v1/leads?{field}={}", enc(&twenty))).await;
        assert_eq!(status, 200, "{field}: 20 values are allowed: {body}");
    }
    // The customer list shares the parser.
    let (status, body) = rt.get(&token, &format!("/api/v1/customers?tags={}", enc(&ids_list(21)))).await;
    assert_eq!((status, fields(&body)), (422, vec![("tags".to_owned(), "too_many".to_owned())]));
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_non_ascii_name_filter_is_422() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    // 600 characters, 1200 bytes: past the 1024 bytes of a DynamoDB sort key, which AWS would refuse with a 500.
    let long = "Ж".repeat(600);
    for field in ["first_name", "last_name", "email", "disposition", "tags"] {
        for sort in ["id", "name"] {
            let (status, body) = rt.get(&token, &format!("/api/v1/leads?sort={sort}&{field}={}", enc(&long))).await;
            assert_eq!(status, 422, "{field}: {body}");
            assert_eq!(fields(&body), [(field.to_owned(), "too_long".to_owned())], "{field}");
        }
    }
    // A long name that fits is searched (nothing matches it).
    let (status, page) = rt.get(&token, &format!("/api/v1/leads?last_name={}", enc(&"Ж".repeat(200)))).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"], json!([]));
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_non_ascii_address_is_422_not_500() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let (_, opts) = rt.get(&token, "/api/v1/leads/form-options").await;
    let source = &opts["sources"][0];
    let disposition = opts["dispositions"][0]["id"].clone();
    // 200 characters each (under the 255 allowed), 800 bytes each: together past the 1024-byte sort key of the
    // address order.
    let long = "𝔸".repeat(200);
    let body = |city: &str, address1: &str| {
        json!({
            "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": "Wide",
            "last_name": "Address", "primary_phone": "(801) 555-0142", "disposition_id": disposition,
            "city": city, "state": "UT", "address1": address1,
        })
    };
    let (status, problem) = rt.post(&token, "/api/v1/leads?allow_duplicates=true", body(&long, &long)).await;
    assert_eq!(status, 422, "{problem}");
    let named: BTreeSet<String> = fields(&problem).into_iter().map(|(f, _)| f).collect();
    assert_eq!(named, BTreeSet::from(["address1".to_owned(), "city".to_owned()]));

    let (status, lead) = rt.post(&token, "/api/v1/leads?allow_duplicates=true", body("Provo", "12 Main")).await;
    assert_eq!(status, 201, "{lead}");
    let path = format!("/api/v1/leads/{}", lead["id"]);
    let (status, problem) = rt.patch(&token, &path, json!({"version": lead["version"], "city": long})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), [("city".to_owned(), "too_long".to_owned())]);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_50_tags_with_50_others_is_not_a_500() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let mut tag_ids = Vec::new();
    for n in 0..100 {
        let (status, tag) = rt.post(&admin, "/api/v1/tags", json!({"name": format!("Bulk {n}")})).await;
        assert_eq!(status, 201, "{tag}");
        tag_ids.push(tag["id"].as_u64().unwrap());
    }
    let (first, second) = tag_ids.split_at(50);
    let (_, page) = rt.get(&admin, "/api/v1/leads?per_page=10&stage=new").await;
    let id = page["items"][0]["id"].as_u64().unwrap();
    let lead_path = format!("/api/v1/leads/{id}");
    let path = format!("{lead_path}/tags");
    // Every tag write names the version it is based on (the Home page's requires it).
    let set_tags = |route: String, ids: Vec<u64>| {
        let rt = &rt;
        let admin = &admin;
        let lead_path = &lead_path;
        async move {
            let (_, current) = rt.get(admin, lead_path).await;
            rt.put(admin, &route, json!({"tag_ids": ids, "version": current["version"]})).await
        }
    };
    let (status, lead) = set_tags(path.clone(), first.to_vec()).await;
    assert_eq!(status, 200, "fifty tags on a lead with few fit one write: {lead}");

    for route in [path.clone(), format!("/api/v1/customers/{id}/tags")] {
        let (status, problem) = set_tags(route.clone(), second.to_vec()).await;
        assert_eq!(status, 422, "{route}: {problem}");
        assert_eq!(fields(&problem), [("tag_ids".to_owned(), "too_many_changes".to_owned())], "{route}");
    }
    // Nothing changed, and the same replacement in two steps goes through.
    let (_, lead) = rt.get(&admin, &lead_path).await;
    let want: BTreeSet<String> = first.iter().map(u64::to_string).collect();
    let have: BTreeSet<String> =
        lead["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
    assert_eq!(have, want);
    let half: Vec<u64> = first[25..].iter().chain(&second[..25]).copied().collect();
    assert_eq!(set_tags(path.clone(), half).await.0, 200);
    assert_eq!(set_tags(path.clone(), second.to_vec()).await.0, 200);

    // Converting moves every counter of the lead to the customer's: with 50 tags that is past 100 operations too.
    let convert = format!("{lead_path}/convert");
    let body = json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep"});
    let (status, problem) = rt.post(&admin, &convert, body.clone()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), [("tags".to_owned(), "too_many".to_owned())]);
    assert_eq!(set_tags(path.clone(), second[..10].to_vec()).await.0, 200);
    let (status, customer) = rt.post(&admin, &convert, body).await;
    assert_eq!(status, 200, "{customer}");
    rt.stop().await;
}

// ------------------------------------------------------------------------------------------------ property test

/// One list request as a user could shape it.
#[derive(Debug, Clone)]
struct ListCase {
    user: &'static str,
    customers: bool,
    params: Vec<(&'static str, String)>,
    per_page: u32,
    cursor: CursorUse,
}

#[derive(Debug, Clone, Copy)]
enum CursorUse {
    /// Follow `next_cursor` for up to this many pages.
    Follow(usize),
    /// Send the first page's cursor with another query (must be a 400).
    Foreign,
    /// Send a made-up cursor (must be a 400).
    Garbage,
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        prop::sample::select(vec!["a", "ma", "jo", "smi", "Smith", "ann", "gmail", "o'b", "z", "Ж", "İ", "1"])
            .prop_map(str::to_owned),
        "[a-zA-Z0-9 .@'-]{1,6}",
        "\\PC{1,4}",
    ]
}

fn id_values(max: u32) -> impl Strategy<Value = String> {
    prop::collection::vec(0..=max, 0..=4).prop_map(|v| v.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
}

fn subset(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(options.to_vec()), 0..=3).prop_map(|v| v.join(","))
}

/// How often each filter is given: rarely enough that combinations still match rows and pages follow each other.
const SOME: f64 = 0.2;

fn list_case() -> impl Strategy<Value = ListCase> {
    let filters = (
        prop::option::weighted(
            SOME,
            prop_oneof!["[0-9]{1,4}", "[0-9]{7,12}", Just("4321".to_owned()), Just("(801) 555-01".to_owned())],
        ),
        prop::option::weighted(SOME, text_value()),
        prop::option::weighted(SOME, text_value()),
        prop::option::weighted(SOME, text_value()),
        prop::option::weighted(SOME, id_values(8)),
        prop::option::weighted(SOME, id_values(12)),
        prop::option::weighted(SOME, id_values(14)),
        prop::option::weighted(SOME, prop::sample::select(vec!["any", "all", "none", "not_all"])),
        prop::option::weighted(SOME, subset(&["new", "contacted", "qualified", "unqualified", "converted"])),
        prop::option::weighted(SOME, subset(&["Hot", "warm", "COLD", "Lost"])),
        prop::option::weighted(
            SOME,
            prop::sample::select(vec!["acme-lead-rep", "acme-sales-rep", "acme-admin", "nobody"]),
        ),
    );
    let shape = (
        prop::option::weighted(
            SOME,
            prop::sample::select(vec!["my_open", "hot", "todays_followups", "recent", "my_assigned"]),
        ),
        prop::option::of(prop::sample::select(vec!["id", "name", "address", "email", "created"])),
        prop::option::of(prop::sample::select(vec!["asc", "desc"])),
        prop::sample::select(vec![10u32, 25, 50]),
        prop::option::weighted(SOME, prop::sample::select(vec!["all", "archived_only", "active_only"])),
        any::<bool>(),
        prop::sample::select(vec![OFFICE, ADMIN, LEAD_REP]),
        any::<bool>(),
        prop_oneof![
            6 => (1usize..=4).prop_map(CursorUse::Follow),
            1 => Just(CursorUse::Foreign),
            1 => Just(CursorUse::Garbage),
        ],
    );
    (filters, shape).prop_map(
        |(
            (number, first, last, email, source, campaign, tags, tags_op, stage, disposition, rep),
            (view, sort, dir, per_page, archived, submitted, user, customers, cursor),
        )| {
            let mut params: Vec<(&'static str, String)> = Vec::new();
            let mut put = |k: &'static str, v: Option<String>| {
                if let Some(v) = v {
                    params.push((k, v));
                }
            };
            put("number", number);
            put("first_name", first);
            put("last_name", last);
            put("email", email);
            put("source", source);
            put("campaign", campaign);
            put("tags", tags);
            put("tags_op", tags_op.map(str::to_owned));
            put("stage", stage);
            put("disposition", disposition);
            put("rep", rep.map(str::to_owned));
            put("view", view.map(str::to_owned));
            put("sort", sort.map(str::to_owned));
            put("dir", dir.map(str::to_owned));
            put("archived", archived.map(str::to_owned));
            put("submitted", submitted.then(|| "true".to_owned()));
            // A lead rep has no View Customers grant (a 403 there is right, and not what this test is about).
            ListCase { user, customers: customers && user != LEAD_REP, params, per_page, cursor }
        },
    )
}

/// The most items a page may read, from what the engine promises: its counter reads (one per filter value, plus the
/// kind's total and what a view or an own-leads restriction adds), then either the scan (40 plus two per row) or a
/// small counted candidate set read whole (at most twice the page plus 30, and the number search's record), then at
/// most two names (source, campaign) per row. None of it grows with the company's table.
fn budget(case: &ListCase, rows: u64) -> u64 {
    let values: u64 = case
        .params
        .iter()
        .filter(|(k, _)| matches!(*k, "source" | "campaign" | "tags" | "stage" | "disposition"))
        .map(|(_, v)| v.split(',').filter(|s| !s.trim().is_empty()).count() as u64)
        .sum();
    let counters = 1 + values + 3 + 1 + 1 + 1 + 1; // total; values; a view's stages, rep, follow-up day; archived; company
    let read = (40 + 2 * rows).max(2 * u64::from(case.per_page) + 31);
    counters + read + 2 * rows
}

fn path(case: &ListCase, cursor: Option<&str>) -> String {
    let base = if case.customers { "/api/v1/customers" } else { "/api/v1/leads" };
    let mut q = format!("{base}?per_page={}", case.per_page);
    for (k, v) in &case.params {
        q.push_str(&format!("&{k}={}", enc(v)));
    }
    if let Some(c) = cursor {
        q.push_str(&format!("&cursor={}", enc(c)));
    }
    q
}

async fn check_case(rt: &LocalRuntime, tokens: &[(&str, String)], case: &ListCase) -> Result<(), TestCaseError> {
    let token = &tokens.iter().find(|(u, _)| *u == case.user).expect("signed in").1;
    let mut cursor: Option<String> = None;
    let mut seen = BTreeSet::new();
    let pages = match case.cursor {
        CursorUse::Follow(n) => n,
        CursorUse::Foreign | CursorUse::Garbage => 1,
    };
    for page_no in 0..pages {
        let (status, page) = rt.get(token, &path(case, cursor.as_deref())).await;
        // Every generated parameter is well-formed: anything but a 200 is a bug (a 5xx above all).
        prop_assert_eq!(status, 200, "{:?} page {}: {}", case, page_no, page);
        let items = page["items"].as_array().cloned().unwrap_or_default();
        let rows = items.len() as u64;
        prop_assert!(rows <= u64::from(case.per_page), "{case:?}: {rows} rows");
        let read = page["meta"]["items_read"].as_u64().unwrap_or(u64::MAX);
        prop_assert!(
            read <= budget(case, rows),
            "{case:?} page {page_no}: read {read} for {rows} rows via {}",
            page["meta"]
        );
        for item in &items {
            let id = item["id"].as_u64().unwrap_or(0);
            prop_assert!(seen.insert(id), "{case:?}: {id} on two pages");
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    match (case.cursor, &cursor) {
        (CursorUse::Foreign, Some(c)) => {
            // The same cursor with another page size: it belongs to another query.
            let other = ListCase { per_page: if case.per_page == 10 { 25 } else { 10 }, ..case.clone() };
            let (status, body) = rt.get(token, &path(&other, Some(c))).await;
            prop_assert_eq!(status, 400, "{:?}: {}", case, body);
        }
        (CursorUse::Garbage, _) => {
            let (status, body) = rt.get(token, &path(case, Some("eyJhZnRlciI6IjEifQ.bm9wZQ"))).await;
            prop_assert_eq!(status, 400, "{:?}: {}", case, body);
        }
        _ => {}
    }
    Ok(())
}

/// Random combinations of every filter, sort, direction, page size, view, archive status, user and cursor use on the
/// seeded demo company: no request panics or answers 5xx, no page passes the items-read budget or its page size, and
/// following the cursor never repeats a row.
#[test]
fn list_never_panics_and_stays_in_budget() {
    let tokio_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (rt, tokens) = tokio_rt.block_on(async {
        // More leads than any page's budget, so a read in proportion to the table would show.
        let rt = LocalRuntime::start_with(|c| c.seed = Some(SeedSize { leads: 600, customers: 150 })).await;
        let mut tokens = Vec::new();
        for user in [OFFICE, ADMIN, LEAD_REP] {
            tokens.push((user, rt.sign_in(user).await));
        }
        (rt, tokens)
    });
    let config = ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() };
    // A fixed seed: the same cases on every run and machine, so a failure is reproducible from the log.
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[9; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let result = runner.run(&list_case(), |case| tokio_rt.block_on(check_case(&rt, &tokens, &case)));
    tokio_rt.block_on(rt.stop());
    if let Err(e) = result {
        panic!("{e}");
    }
}
