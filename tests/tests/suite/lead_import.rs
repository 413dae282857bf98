//! CSV lead import over HTTP through the local runtime (issue 11, CSV import) and the bulk rep reassignment: the
//! upload URL (single use, size limit, nothing personal in it), the dry run's row and field errors and its CSV,
//! create and create-or-update by email and by phone, duplicates flagged per row, list totals exact afterwards,
//! cancel mid-run, revert, tenancy; reassigning reps with a refusal per row and history.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_local::seed::SeedSize;
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, LEAD_REP, OTHER_ADMIN, SALES};

const HEADER: &str = "First Name,Last Name,Phone,Email,Address,City,State,Zip\n";

async fn runtime() -> LocalRuntime {
    LocalRuntime::start_with(|c| c.seed = Some(SeedSize { leads: 30, customers: 5 })).await
}

/// Creates an import and PUTs `csv` to its upload URL; returns the import ID.
async fn upload(rt: &LocalRuntime, token: &str, csv: String) -> u64 {
    let (status, created) = rt.post(token, "/api/v1/imports", json!({"filename": "bought-list.csv"})).await;
    assert_eq!(status, 201, "{created}");
    let url = created["upload_url"].as_str().expect("upload_url");
    let put = rt.http().put(url).body(csv).send().await.expect("upload");
    assert_eq!(put.status(), 200);
    created["id"].as_u64().expect("id")
}

fn options(mode: &str, match_key: Option<&str>) -> Value {
    json!({
        "mapping": {"First Name": "first_name", "Last Name": "last_name", "Phone": "primary_phone", "Email": "email",
                    "Address": "address1", "City": "city", "State": "state", "Zip": "zip"},
        "mode": mode, "match_key": match_key,
        "defaults": {"source_id": 1, "tags": ["2"], "location": "queue"}
    })
}

async fn wait_finished(rt: &LocalRuntime, token: &str, id: u64) -> Value {
    eventually("the import to finish", Duration::from_secs(60), || async {
        let (_, s) = rt.get(token, &format!("/api/v1/imports/{id}")).await;
        matches!(s["status"].as_str(), Some("done" | "cancelled" | "failed" | "reverted")).then_some(s)
    })
    .await
}

async fn total(rt: &LocalRuntime, token: &str, query: &str) -> u64 {
    let (status, page) = rt.get(token, &format!("/api/v1/leads?per_page=10{query}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["meta"]["total_exact"], true, "{query}: {page}");
    page["meta"]["total"].as_u64().expect("total")
}

async fn find_by_email(rt: &LocalRuntime, token: &str, email: &str) -> Vec<Value> {
    let (_, page) = rt.get(token, &format!("/api/v1/leads?email={email}&per_page=50")).await;
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_reports_rows_and_fields_then_the_run_creates_with_exact_totals() {
    let rt = runtime().await;
    let token = rt.sign_in(ADMIN).await;
    let csv = format!(
        "{HEADER}Ada,Importa,801-555-7001,ada.importa@mail.test,1 Import Way,Provo,UT,84601\n\
         Ben,Importa,801-555-7002,ben.importa@mail.test,2 Import Way,Provo,UT,84601\n\
         Cy,Importa,801-555-7003,not-an-email,3 Import Way,Provo,UT,84601\n\
         Dee,,801-555-7004,dee.importa@mail.test,4 Import Way,Provo,UT,84601\n"
    );
    let id = upload(&rt, &token, csv).await;
    let (status, analysis) = rt.post(&token, &format!("/api/v1/imports/{id}/analyze"), json!({})).await;
    assert_eq!(status, 200, "{analysis}");
    assert_eq!(analysis["columns"][0], "First Name");
    assert_eq!(analysis["suggested_mapping"]["Phone"], "primary_phone");
    assert_eq!(analysis["suggested_mapping"]["Zip"], "zip");
    assert_eq!(analysis["sample"].as_array().map(Vec::len), Some(4));

    let (status, dry) = rt.post(&token, &format!("/api/v1/imports/{id}/dry-run"), options("create", None)).await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["rows_total"], 4);
    assert_eq!(dry["valid_rows"], 2);
    let errors = dry["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["row"] == 3 && e["field"] == "email"), "{dry}");
    assert!(errors.iter().any(|e| e["row"] == 4 && e["field"] == "last_name"), "{dry}");
    // The errors CSV is named by the import alone: no row's data in its URL, nor its values in the file.
    let path = dry["errors_csv_path"].as_str().expect("path");
    assert_eq!(path, format!("/api/v1/imports/{id}/errors.csv"));
    let resp = rt.http().get(rt.url(path)).bearer_auth(&token).send().await.expect("errors.csv");
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = resp.text().await.expect("csv");
    assert!(text.starts_with("row,field,message\n"), "{text}");
    assert!(text.contains("\n3,email,"), "{text}");
    assert!(text.contains("\n4,last_name,"), "{text}");
    assert!(!text.contains("not-an-email") && !text.contains("Importa"), "{text}");

    let before = total(&rt, &token, "").await;
    let source_before = total(&rt, &token, "&source=1").await;
    let tag_before = total(&rt, &token, "&tags=2").await;
    let (status, queued) = rt.post(&token, &format!("/api/v1/imports/{id}/run"), options("create", None)).await;
    assert_eq!(status, 202, "{queued}");
    assert_eq!(queued["status"], "queued");
    let done = wait_finished(&rt, &token, id).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!((done["rows_total"].as_u64(), done["rows_done"].as_u64()), (Some(4), Some(4)));
    assert_eq!((done["created"].as_u64(), done["errors"].as_u64()), (Some(2), Some(2)), "{done}");
    assert_eq!(total(&rt, &token, "").await, before + 2);
    assert_eq!(total(&rt, &token, "&source=1").await, source_before + 2);
    assert_eq!(total(&rt, &token, "&tags=2").await, tag_before + 2);
    let found = find_by_email(&rt, &token, "ada.importa").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let lead = found[0]["id"].as_u64().expect("id");
    let (_, history) = rt.get(&token, &format!("/api/v1/leads/{lead}/history")).await;
    assert!(history.to_string().contains("\"created\""), "{history}");
    // The run's own errors now, in the same place.
    let (status, _) = rt.post(&token, &format!("/api/v1/imports/{id}/run"), options("create", None)).await;
    assert_eq!(status, 409, "an import runs once");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_or_update_by_email_and_by_phone_then_revert_restores_and_deletes() {
    let rt = runtime().await;
    let token = rt.sign_in(ADMIN).await;
    let (status, existing) = rt
        .post(
            &token,
            "/api/v1/leads",
            json!({"first_name": "Eve", "last_name": "Existing", "primary_phone": "(801) 555-7100",
                   "email": "eve.existing@mail.test", "city": "Provo", "state": "UT", "zip": "84601",
                   "address1": "9 Old Rd", "source_id": 1, "disposition_id": 1}),
        )
        .await;
    assert_eq!(status, 201, "{existing}");
    let eve = existing["id"].as_u64().expect("id");
    let before = total(&rt, &token, "").await;

    // By email: Eve moves to Ogden; a new lead is created beside her.
    let csv = format!(
        "{HEADER}Eve,Existing,801-555-7100,eve.existing@mail.test,9 Old Rd,Ogden,UT,84401\n\
         Finn,Fresh,801-555-7101,finn.fresh@mail.test,1 New Rd,Provo,UT,84601\n"
    );
    let id = upload(&rt, &token, csv).await;
    let (status, run) =
        rt.post(&token, &format!("/api/v1/imports/{id}/run"), options("create_or_update", Some("email"))).await;
    assert_eq!(status, 202, "{run}");
    let done = wait_finished(&rt, &token, id).await;
    assert_eq!((done["created"].as_u64(), done["updated"].as_u64()), (Some(1), Some(1)), "{done}");
    let (_, lead) = rt.get(&token, &format!("/api/v1/leads/{eve}")).await;
    assert_eq!(lead["city"], "Ogden");
    assert_eq!(total(&rt, &token, "").await, before + 1);

    // By phone: the same phone in other punctuation finds Eve again.
    let csv = format!("{HEADER}Eve,Existing,(801) 555.7100,,9 Old Rd,Logan,UT,84321\n");
    let by_phone = upload(&rt, &token, csv).await;
    let (status, _) =
        rt.post(&token, &format!("/api/v1/imports/{by_phone}/run"), options("create_or_update", Some("phone"))).await;
    assert_eq!(status, 202);
    let done = wait_finished(&rt, &token, by_phone).await;
    assert_eq!((done["created"].as_u64(), done["updated"].as_u64()), (Some(0), Some(1)), "{done}");
    let (_, lead) = rt.get(&token, &format!("/api/v1/leads/{eve}")).await;
    assert_eq!(lead["city"], "Logan");

    // Reverting the first import puts Eve's city back to what it had before it and deletes Finn.
    let finn = find_by_email(&rt, &token, "finn.fresh").await[0]["id"].as_u64().expect("finn");
    let (status, reverting) = rt.post(&token, &format!("/api/v1/imports/{by_phone}/revert"), json!({})).await;
    assert_eq!(status, 202, "{reverting}");
    assert_eq!(wait_finished(&rt, &token, by_phone).await["status"], "reverted");
    let (_, lead) = rt.get(&token, &format!("/api/v1/leads/{eve}")).await;
    assert_eq!(lead["city"], "Ogden");
    let (status, _) = rt.post(&token, &format!("/api/v1/imports/{id}/revert"), json!({})).await;
    assert_eq!(status, 202);
    assert_eq!(wait_finished(&rt, &token, id).await["status"], "reverted");
    let (_, lead) = rt.get(&token, &format!("/api/v1/leads/{eve}")).await;
    assert_eq!(lead["city"], "Provo");
    let (status, _) = rt.get(&token, &format!("/api/v1/leads/{finn}")).await;
    assert_eq!(status, 404);
    assert_eq!(total(&rt, &token, "").await, before);
    let (_, history) = rt.get(&token, &format!("/api/v1/leads/{eve}/history")).await;
    assert!(history.to_string().contains("Logan"), "each change is in the history: {history}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_flagged_per_row_and_not_created() {
    let rt = runtime().await;
    let token = rt.sign_in(ADMIN).await;
    let (status, _) = rt
        .post(
            &token,
            "/api/v1/leads",
            json!({"first_name": "Gil", "last_name": "Twice", "primary_phone": "801-555-7200", "city": "Provo",
                   "state": "UT", "address1": "5 Same St", "source_id": 1, "disposition_id": 1}),
        )
        .await;
    assert_eq!(status, 201);
    let csv = format!(
        "{HEADER}GIL,twice,(801) 555-7200,,5 same st.,Provo,UT,84601\n\
         Hal,Once,801-555-7201,,6 Same St,Provo,UT,84601\n\
         Hal,Once,801-555-7201,,6 Same St,Provo,UT,84601\n"
    );
    let id = upload(&rt, &token, csv).await;
    let (_, dry) = rt.post(&token, &format!("/api/v1/imports/{id}/dry-run"), options("create", None)).await;
    assert_eq!(dry["duplicates_total"], 2, "{dry}");
    let dups = dry["duplicates"].as_array().expect("duplicates");
    assert!(dups.iter().any(|d| d["row"] == 1 && d["lead_id"].is_u64()), "{dry}");
    assert!(dups.iter().any(|d| d["row"] == 3 && d["lead_id"].is_null()), "{dry}");
    let before = total(&rt, &token, "").await;
    rt.post(&token, &format!("/api/v1/imports/{id}/run"), options("create", None)).await;
    let done = wait_finished(&rt, &token, id).await;
    assert_eq!((done["created"].as_u64(), done["duplicates"].as_u64()), (Some(1), Some(2)), "{done}");
    assert_eq!(total(&rt, &token, "").await, before + 1);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_the_run_and_the_totals_match_what_was_created() {
    let rt = runtime().await;
    let token = rt.sign_in(ADMIN).await;
    let mut csv = String::from(HEADER);
    for i in 0..20_000 {
        csv.push_str(&format!("Bulk{i},Cancel,801{:07},,{i} Bulk Rd,Provo,UT,84601\n", 5_000_000 + i));
    }
    let id = upload(&rt, &token, csv).await;
    let before = total(&rt, &token, "").await;
    let (status, _) = rt.post(&token, &format!("/api/v1/imports/{id}/run"), options("create", None)).await;
    assert_eq!(status, 202);
    let (status, cancelled) = rt.post(&token, &format!("/api/v1/imports/{id}/cancel"), json!({})).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    // A chunk that was running when the cancel came finishes; nothing after it starts.
    let settled = eventually("the running chunk to settle", Duration::from_secs(60), || async {
        let (_, s) = rt.get(&token, &format!("/api/v1/imports/{id}")).await;
        let now = total(&rt, &token, "").await;
        (now - before == s["created"].as_u64().unwrap_or(u64::MAX)).then_some(s)
    })
    .await;
    assert_eq!(settled["status"], "cancelled");
    assert!(settled["rows_done"].as_u64() < Some(20_000), "{settled}");
    let (status, _) = rt.post(&token, &format!("/api/v1/imports/{id}/cancel"), json!({})).await;
    assert_eq!(status, 409, "a cancelled import is not cancelled twice");
    rt.stop().await;
}

/// A row of the second chunk that repeats a lead of the first (its first row, and its last, written last) is flagged
/// with that lead's ID and not created: duplicates are looked up across chunks, not only within one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_repeating_a_lead_of_the_chunk_before_is_flagged_with_its_id() {
    let rt = runtime().await;
    let token = rt.sign_in(ADMIN).await;
    let phone = |i: usize| format!("801{:07}", 6_000_000 + i);
    let row = |i: usize| format!("Ahead{i},Chunky,{},,{i} Ahead Rd,Provo,UT,84601\n", phone(i));
    let first_chunk = vigil_app::imports::CHUNK_ROWS;
    let mut csv = String::from(HEADER);
    for i in 0..first_chunk {
        csv.push_str(&row(i));
    }
    csv.push_str(&row(0));
    csv.push_str(&row(first_chunk - 1));
    csv.push_str(&row(first_chunk));
    let id = upload(&rt, &token, csv).await;
    let before = total(&rt, &token, "").await;
    let (status, queued) = rt.post(&token, &format!("/api/v1/imports/{id}/run"), options("create", None)).await;
    assert_eq!(status, 202, "{queued}");
    let done = wait_finished(&rt, &token, id).await;
    assert_eq!(done["status"], "done", "{done}");
    let created = first_chunk as u64 + 1;
    assert_eq!((done["created"].as_u64(), done["duplicates"].as_u64()), (Some(created), Some(2)), "{done}");
    assert_eq!(total(&rt, &token, "").await, before + created);
    let co = vigil_domain::CompanyId::parse("acme").expect("company");
    for (dup_row, of) in [(first_chunk + 1, 0), (first_chunk + 2, first_chunk - 1)] {
        let (_, page) = rt.get(&token, &format!("/api/v1/leads?number={}&per_page=10", phone(of))).await;
        let leads: Vec<u64> = page["items"].as_array().into_iter().flatten().filter_map(|l| l["id"].as_u64()).collect();
        assert_eq!(leads.len(), 1, "row {} became one lead: {page}", of + 1);
        let key = vigil_store::keys::import_row(&co, id, "DUP#", dup_row as u64, 0);
        let flagged = rt.services().table.get(&key).await.expect("read").expect("the row is flagged");
        assert_eq!(flagged.get("lead_id").and_then(Value::as_u64), leads.first().copied(), "row {dup_row}");
    }
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upload_url_works_once_is_size_limited_and_names_nothing_personal() {
    let rt = runtime().await;
    let token = rt.sign_in(ADMIN).await;
    let (_, created) = rt.post(&token, "/api/v1/imports", json!({"filename": "Smith family leads.csv"})).await;
    let url = created["upload_url"].as_str().expect("url").to_owned();
    assert!(url.starts_with(&rt.url("/uploads/")), "{url}");
    assert!(!url.contains("Smith") && !url.contains("acme") && !url.contains("family"), "{url}");
    let first = rt.http().put(&url).body(format!("{HEADER}A,B,8015550000,,1 A St,Provo,UT,84601\n")).send().await;
    assert_eq!(first.expect("put").status(), 200);
    let again = rt.http().put(&url).body("x").send().await.expect("put");
    assert_eq!(again.status(), 403, "an upload URL works once");
    let guessed = rt.http().put(rt.url("/uploads/not-a-token")).body("x").send().await.expect("put");
    assert_eq!(guessed.status(), 403);

    // Over 100 MB is refused while streaming, even without a declared length, and nothing is kept.
    let (_, big) = rt.post(&token, "/api/v1/imports", json!({"filename": "big.csv"})).await;
    let big_id = big["id"].as_u64().expect("id");
    let status = chunked_put(&rt, big["upload_url"].as_str().expect("url"), 101).await;
    assert_eq!(status, 413);
    let (status, _) = rt.post(&token, &format!("/api/v1/imports/{big_id}/analyze"), json!({})).await;
    assert_eq!(status, 409, "no file was kept");
    rt.stop().await;
}

/// PUTs `mib` MiB with chunked transfer encoding (no declared length) and returns the answer's status; the server
/// may answer and close before the body is all sent.
async fn chunked_put(rt: &LocalRuntime, url: &str, mib: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let base = rt.base_url();
    let host = base.trim_start_matches("http://");
    let path = url.trim_start_matches(&base);
    let mut sock = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!("PUT {path} HTTP/1.1\r\nhost: {host}\r\ntransfer-encoding: chunked\r\n\r\n");
    let chunk = vec![b'a'; 1024 * 1024];
    let mut sent = sock.write_all(head.as_bytes()).await;
    for _ in 0..mib {
        if sent.is_err() {
            break;
        }
        sent = async {
            sock.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await?;
            sock.write_all(&chunk).await?;
            sock.write_all(b"\r\n").await
        }
        .await;
    }
    let _ = sock.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 64];
    let n = sock.read(&mut answer).await.unwrap_or(0);
    let line = String::from_utf8_lossy(&answer[..n]).to_string();
    line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_company_can_neither_read_nor_run_an_import() {
    let rt = runtime().await;
    let token = rt.sign_in(ADMIN).await;
    let other = rt.sign_in(OTHER_ADMIN).await;
    let id = upload(&rt, &token, format!("{HEADER}A,B,8015550000,,1 A St,Provo,UT,84601\n")).await;
    for (method, path, body) in [
        ("GET", format!("/api/v1/imports/{id}"), None),
        ("GET", format!("/api/v1/imports/{id}/errors.csv"), None),
        ("POST", format!("/api/v1/imports/{id}/analyze"), Some(json!({}))),
        ("POST", format!("/api/v1/imports/{id}/dry-run"), Some(options("create", None))),
        ("POST", format!("/api/v1/imports/{id}/run"), Some(options("create", None))),
        ("POST", format!("/api/v1/imports/{id}/cancel"), Some(json!({}))),
        ("POST", format!("/api/v1/imports/{id}/revert"), Some(json!({}))),
    ] {
        let (status, _) = vigil_tests::runtime::send(&rt, method, &other, &path, body).await;
        assert_eq!(status, 404, "{method} {path}");
    }
    let (_, mine) = rt.get(&token, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(mine["status"], "new");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reassigning_reps_refuses_per_row_and_writes_history() {
    let rt = runtime().await;
    let admin = rt.sign_in(ADMIN).await;
    let sales = rt.sign_in(SALES).await;
    let mut ids = vec![];
    for (office, first) in [(1, "Home"), (2, "Away")] {
        let (status, lead) = rt
            .post(
                &admin,
                "/api/v1/leads",
                json!({"first_name": first, "last_name": "Reassign", "primary_phone": format!("801555730{office}"),
                       "city": "Provo", "state": "UT", "source_id": 1, "disposition_id": 1}),
            )
            .await;
        assert_eq!(status, 201, "{lead}");
        ids.push(lead["id"].as_u64().expect("id"));
    }
    // The second lead moves to another office, where the sales rep (home office only) has no Leads grant.
    let (_, away) = rt.get(&admin, &format!("/api/v1/leads/{}", ids[1])).await;
    let acme = vigil_domain::CompanyId::parse("acme").unwrap();
    let moved = vigil_store::keys::record(&acme, vigil_domain::RecordId(ids[1]));
    let svc = rt.services();
    svc.table
        .update(&moved, vigil_store::Update::default().set("office_location_id", json!(2)), None)
        .await
        .expect("move");
    assert_eq!(away["office_location_id"], 1);

    let (status, report) = rt
        .post(
            &sales,
            "/api/v1/leads/reassign",
            json!({"lead_ids": [ids[0], ids[1], 999_999], "lead_rep_id": "acme-lead-rep", "sales_rep_id": "acme-sales-rep"}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["reassigned"], 1, "{report}");
    let row = |id: u64| report["rows"].as_array().unwrap().iter().find(|r| r["lead_id"] == id).cloned().unwrap();
    assert_eq!(row(ids[0])["ok"], true);
    assert_eq!(row(ids[1])["code"], "forbidden");
    assert_eq!(row(999_999)["code"], "not_found");
    let (_, lead) = rt.get(&admin, &format!("/api/v1/leads/{}", ids[0])).await;
    assert_eq!(lead["lead_rep_id"], "acme-lead-rep");
    // The sales rep is the Sale card's "Sold by": a customer field, kept on the record for the conversion.
    let stored =
        svc.table.get(&vigil_store::keys::record(&acme, vigil_domain::RecordId(ids[0]))).await.unwrap().unwrap();
    assert_eq!(stored["sold_by_id"], "acme-sales-rep");
    let (_, history) = rt.get(&admin, &format!("/api/v1/leads/{}/history", ids[0])).await;
    assert!(history.to_string().contains("\"field\":\"lead_rep_id\""), "{history}");
    let (_, other) = rt.get(&admin, &format!("/api/v1/leads/{}", ids[1])).await;
    assert!(other["lead_rep_id"].is_null(), "a refused lead is left as it was");

    let (status, refused) =
        rt.post(&admin, "/api/v1/leads/reassign", json!({"lead_ids": [ids[0]], "lead_rep_id": "nobody"})).await;
    assert_eq!(status, 422, "{refused}");
    rt.stop().await;
}

/// Where [`FailChunkCountersOnce`] makes the worker die, once.
#[derive(Clone, Copy)]
enum Fault {
    /// The first transaction that applies an import chunk's counters, after the chunk's leads were written.
    ChunkCounters,
    /// The first batch write of an import's leads, after its first half of the items landed: a lead has some of its
    /// items (its profile, say) and not the rest.
    MidBatch,
}

/// Fails one store call of an import chunk (see [`Fault`]): the job fails as if the worker died there, and the queue
/// hands it over again.
struct FailChunkCountersOnce {
    inner: std::sync::Arc<dyn vigil_store::Table>,
    /// Armed once the runtime has started (the demo seed writes in batches too).
    armed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    fault: Fault,
}

#[async_trait::async_trait]
impl vigil_store::Table for FailChunkCountersOnce {
    async fn get(&self, key: &vigil_store::Key) -> Result<Option<vigil_store::Item>, vigil_store::StoreError> {
        self.inner.get(key).await
    }
    async fn put(
        &self,
        item: vigil_store::Item,
        cond: Option<vigil_store::Condition>,
    ) -> Result<(), vigil_store::StoreError> {
        self.inner.put(item, cond).await
    }
    async fn update(
        &self,
        key: &vigil_store::Key,
        update: vigil_store::Update,
        cond: Option<vigil_store::Condition>,
    ) -> Result<vigil_store::Item, vigil_store::StoreError> {
        self.inner.update(key, update, cond).await
    }
    async fn delete(
        &self,
        key: &vigil_store::Key,
        cond: Option<vigil_store::Condition>,
    ) -> Result<Option<vigil_store::Item>, vigil_store::StoreError> {
        self.inner.delete(key, cond).await
    }
    async fn query(&self, q: &vigil_store::Query) -> Result<vigil_store::Page, vigil_store::StoreError> {
        self.inner.query(q).await
    }
    async fn batch_get(&self, keys: &[vigil_store::Key]) -> Result<Vec<vigil_store::Item>, vigil_store::StoreError> {
        self.inner.batch_get(keys).await
    }
    async fn batch_put(&self, items: &[vigil_store::Item]) -> Result<(), vigil_store::StoreError> {
        let leads = items.iter().any(|i| i.get("SK").and_then(serde_json::Value::as_str) == Some("PROFILE"));
        if matches!(self.fault, Fault::MidBatch) && leads && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            self.inner.batch_put(items.get(..items.len() / 2).unwrap_or_default()).await?;
            return Err(vigil_store::StoreError::Backend("injected: the worker died mid-batch".into()));
        }
        self.inner.batch_put(items).await
    }
    async fn batch_delete(&self, keys: &[vigil_store::Key]) -> Result<(), vigil_store::StoreError> {
        self.inner.batch_delete(keys).await
    }
    async fn transact(&self, ops: Vec<vigil_store::TxOp>) -> Result<(), vigil_store::StoreError> {
        let counts_a_chunk = ops.iter().any(
            |op| matches!(op, vigil_store::TxOp::Update { key, update, .. } if key.sk.starts_with("CHUNK#") && update.set.contains_key("counters_done")),
        );
        if matches!(self.fault, Fault::ChunkCounters)
            && counts_a_chunk
            && self.armed.swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(vigil_store::StoreError::Backend("injected: the worker died here".into()));
        }
        self.inner.transact(ops).await
    }
}

async fn handed_over_again(fault: Fault) {
    let armed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let layer_armed = armed.clone();
    let rt = LocalRuntime::start_with(move |c| {
        c.seed = Some(SeedSize { leads: 30, customers: 5 });
        c.table_layer = Some(vigil_local::TableLayer::new(move |inner| {
            std::sync::Arc::new(FailChunkCountersOnce { inner, armed: layer_armed.clone(), fault })
        }));
    })
    .await;
    armed.store(true, std::sync::atomic::Ordering::SeqCst);
    let token = rt.sign_in(ADMIN).await;
    let before = total(&rt, &token, "").await;
    let tag_before = total(&rt, &token, "&tags=2").await;
    let (_, queue_before) = rt.get(&token, "/api/v1/lead-queue").await;
    let csv = format!(
        "{HEADER}Ivy,Again,801-555-7401,,1 Retry Rd,Provo,UT,84601\n\
         Jon,Again,801-555-7402,,2 Retry Rd,Provo,UT,84601\n\
         Kai,Again,801-555-7403,,3 Retry Rd,Provo,UT,84601\n"
    );
    let id = upload(&rt, &token, csv).await;
    rt.post(&token, &format!("/api/v1/imports/{id}/run"), options("create", None)).await;
    let done = wait_finished(&rt, &token, id).await;
    assert_eq!((done["status"].as_str(), done["created"].as_u64()), (Some("done"), Some(3)), "{done}");
    assert!(!armed.load(std::sync::atomic::Ordering::SeqCst), "the worker died once");
    assert_eq!(total(&rt, &token, "").await, before + 3);
    assert_eq!(total(&rt, &token, "&tags=2").await, tag_before + 3);
    let (_, page) = rt.get(&token, "/api/v1/leads?last_name=again&per_page=50").await;
    let items = page["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 3, "{page}");
    // Every lead has every item: its profile, the index items the lists read, its history, its queue entry.
    for lead in &items {
        let id = lead["id"].as_u64().expect("id");
        let (status, got) = rt.get(&token, &format!("/api/v1/leads/{id}")).await;
        assert_eq!((status, got["location"].as_str()), (200, Some("queue")), "{got}");
        let (_, history) = rt.get(&token, &format!("/api/v1/leads/{id}/history")).await;
        assert!(history.to_string().contains("\"created\""), "{history}");
        let phone = got["primary_phone"].as_str().unwrap_or_default().replace(|c: char| !c.is_ascii_digit(), "");
        let (_, by_phone) = rt.get(&token, &format!("/api/v1/leads?number={phone}&per_page=10")).await;
        assert_eq!(by_phone["items"][0]["id"].as_u64(), Some(id), "{by_phone}");
    }
    let (_, queue) = rt.get(&token, "/api/v1/lead-queue").await;
    assert_eq!(queue["queued"].as_u64(), queue_before["queued"].as_u64().map(|n| n + 3), "{queue}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_handed_over_again_creates_nothing_twice() {
    handed_over_again(Fault::ChunkCounters).await;
}

/// A worker that dies inside a batch write leaves leads with only some of their items; the job handed over again
/// writes every planned lead whole, under the same IDs, and counts each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_that_died_mid_batch_leaves_no_lead_half_written() {
    handed_over_again(Fault::MidBatch).await;
}

/// `defaults.location`: a list imported to the queue waits there (the queue's count and index items, so a rep can
/// request its leads), one imported to Pending or Invalid is there, and reverting the import takes its leads out of
/// the queue again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn defaults_location_puts_the_created_leads_there_and_revert_takes_them_out() {
    let rt = runtime().await;
    let token = rt.sign_in(ADMIN).await;
    let queue_before = queued(&rt, &token).await;
    let pending_before = total(&rt, &token, "&location=pending").await;
    let (mut ids, mut queued_leads) = (Vec::new(), Vec::new());
    for (n, location) in ["queue", "pending", "invalid"].into_iter().enumerate() {
        let csv = format!(
            "{HEADER}Lou{n},Located,801-555-76{n}1,,{n}1 Spot St,Provo,UT,84601\n\
             Mo{n},Located,801-555-76{n}2,,{n}2 Spot St,Provo,UT,84601\n"
        );
        let id = upload(&rt, &token, csv).await;
        let mut body = options("create", None);
        body["defaults"]["location"] = json!(location);
        let (status, run) = rt.post(&token, &format!("/api/v1/imports/{id}/run"), body).await;
        assert_eq!(status, 202, "{run}");
        let done = wait_finished(&rt, &token, id).await;
        assert_eq!(done["created"].as_u64(), Some(2), "{done}");
        let (_, page) = rt.get(&token, &format!("/api/v1/leads?location={location}&last_name=located")).await;
        let found: Vec<u64> = page["items"].as_array().into_iter().flatten().filter_map(|l| l["id"].as_u64()).collect();
        assert_eq!(found.len(), 2, "{location}: {page}");
        for lead in &found {
            let (_, got) = rt.get(&token, &format!("/api/v1/leads/{lead}")).await;
            assert_eq!(got["location"], location, "{got}");
        }
        if location == "queue" {
            queued_leads = found;
        }
        ids.push(id);
    }
    assert_eq!(queued(&rt, &token).await, queue_before + 2, "only the queue import's leads wait in the queue");
    // Location views count exactly, and the nav's summary carries Pending's count.
    assert_eq!(total(&rt, &token, "&location=pending").await, pending_before + 2);
    let (_, summary) = rt.get(&token, "/api/v1/lead-queue").await;
    assert_eq!(summary["pending"].as_u64(), Some(pending_before + 2), "{summary}");

    // A lead rep requests from the queue as from any other: the queue's index items were written with the leads.
    let (_, current) = rt.get(&token, "/api/v1/settings/lead-queue").await;
    let open = json!({"request_hours_start": 0, "request_hours_end": 24, "requestable_after_minutes": 0,
                      "requested_status": null, "blacklist_minutes": 0, "version": current["version"]});
    let (status, saved) = rt.put(&token, "/api/v1/settings/lead-queue", open).await;
    assert_eq!(status, 200, "{saved}");
    let rep = rt.sign_in(LEAD_REP).await;
    let (status, got) = rt.post(&rep, "/api/v1/lead-queue/request", json!({})).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(queued(&rt, &token).await, queue_before + 1);
    let still_queued = queued_leads.iter().filter(|id| got["id"].as_u64() != Some(**id)).count() as u64;

    let (status, _) = rt.post(&token, &format!("/api/v1/imports/{}/revert", ids[0]), json!({})).await;
    assert_eq!(status, 202);
    assert_eq!(wait_finished(&rt, &token, ids[0]).await["status"], "reverted");
    assert_eq!(queued(&rt, &token).await, queue_before + 1 - still_queued, "reverted leads leave the queue");
    let (_, page) = rt.get(&token, "/api/v1/leads?location=queue&last_name=located").await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(0), "{page}");
    rt.stop().await;
}

async fn queued(rt: &LocalRuntime, token: &str) -> u64 {
    rt.get(token, "/api/v1/lead-queue").await.1["queued"].as_u64().expect("queued")
}
