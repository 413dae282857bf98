//! CSV lead import benchmark (not a test): generates a bought list of N rows, uploads it through the upload URL and
//! runs the import on the embedded default through the local runtime's job poller, as a dealer would. Prints rows/s,
//! the items and bytes written per lead (and what that costs in DynamoDB write units), and the Leads list's totals
//! afterwards against the generated count.
//!
//! `cargo bench -p vigil-tests --bench lead_import`; `VIGIL_BENCH_ROWS=100000` runs one size (default 100k then 1M).

use async_trait::async_trait;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use vigil_local::config::TableLayer;
use vigil_local::seed::SeedSize;
use vigil_store::{Condition, Item, Key, Page, Query, StoreError, Table, TxOp, Update};
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::users::ADMIN;

/// The allocator of the `vigil-local` binary, so the figures are the embedded runtime's as a dealer runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FIRST: &[&str] =
    &["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "Carlos", "Priya"];
const LAST: &[&str] = &["Smith", "Johnson", "Garcia", "Nguyen", "Patel", "Kim", "Chen", "Young", "King", "Wright"];
const CITIES: &[(&str, &str, &str)] =
    &[("Provo", "UT", "84601"), ("Boise", "ID", "83702"), ("Reno", "NV", "89501"), ("Austin", "TX", "78701")];

/// Counts what reaches the table: items written singly or in batches, items written in transactions (which cost
/// DynamoDB twice), and their JSON sizes in whole KB as DynamoDB rounds them.
#[derive(Default)]
struct Writes {
    items: AtomicU64,
    tx_items: AtomicU64,
    units: AtomicU64,
}

/// One batch-written item in this many is sized (see `batch_put`).
const SAMPLE: usize = 7;

fn kb(item: &Item) -> u64 {
    let bytes = serde_json::to_vec(item).map(|v| v.len() as u64).unwrap_or(0);
    bytes.div_ceil(1024).max(1)
}

struct Counting {
    inner: Arc<dyn Table>,
    w: Arc<Writes>,
}

impl Counting {
    fn plain(&self, units: u64) {
        self.w.items.fetch_add(1, Ordering::Relaxed);
        self.w.units.fetch_add(units, Ordering::Relaxed);
    }
}

#[async_trait]
impl Table for Counting {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError> {
        self.plain(kb(&item));
        self.inner.put(item, cond).await
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError> {
        let out = self.inner.update(key, update, cond).await?;
        self.plain(kb(&out));
        Ok(out)
    }
    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError> {
        self.plain(1);
        self.inner.delete(key, cond).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.inner.query(query).await
    }
    async fn query_each(&self, queries: &[Query]) -> Result<Vec<Page>, StoreError> {
        self.inner.query_each(queries).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.inner.batch_get(keys).await
    }
    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError> {
        // Sizing every item would encode each one a second time, a noticeable share of the import's own work: a
        // sample of one in SAMPLE (co-prime to the items per lead, so every kind of item is sampled alike) stands
        // for the rest.
        let n = items.len() as u64;
        let sampled: u64 = items.iter().step_by(SAMPLE).map(kb).sum();
        let taken = n.div_ceil(SAMPLE as u64).max(1);
        self.w.items.fetch_add(n, Ordering::Relaxed);
        self.w.units.fetch_add((sampled * n).div_ceil(taken), Ordering::Relaxed);
        self.inner.batch_put(items).await
    }
    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        self.w.items.fetch_add(keys.len() as u64, Ordering::Relaxed);
        self.inner.batch_delete(keys).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        for op in &ops {
            let units = match op {
                TxOp::Put { item, .. } => kb(item),
                _ => 1,
            };
            self.w.tx_items.fetch_add(1, Ordering::Relaxed);
            self.w.units.fetch_add(2 * units, Ordering::Relaxed);
        }
        self.inner.transact(ops).await
    }
}

fn csv(n: u64) -> String {
    let mut out = String::with_capacity(n as usize * 110);
    out.push_str("First Name,Last Name,Phone,Email,Address,City,State,Zip\n");
    for i in 0..n {
        let (f, l) = (FIRST[(i % 10) as usize], LAST[((i / 10) % 10) as usize]);
        let (city, state, zip) = CITIES[((i / 100) % 4) as usize];
        out.push_str(&format!(
            "{f},{l}{i},801{:07},{}.{}{i}@mail.test,{} Main St,{city},{state},{zip}\n",
            i % 10_000_000,
            f.to_lowercase(),
            l.to_lowercase(),
            100 + i % 9000
        ));
    }
    out
}

/// Short and longer name and email searches whose totals (maintained prefix counters) must be exact after import.
const PREFIXES: &[(&str, &str)] =
    &[("last_name", "sm"), ("first_name", "j"), ("first_name", "jo"), ("email", "ma"), ("email", "k")];

/// How many generated rows a name or email prefix search matches (word prefixes, as the list matches them).
fn prefix_matches(n: u64, field: &str, prefix: &str) -> u64 {
    (0..n)
        .filter(|&i| {
            let (f, l) = (FIRST[(i % 10) as usize].to_lowercase(), LAST[((i / 10) % 10) as usize].to_lowercase());
            match field {
                "first_name" => f.starts_with(prefix),
                "last_name" => l.starts_with(prefix),
                _ => [f.as_str(), &format!("{l}{i}"), "mail", "test"].iter().any(|w| w.starts_with(prefix)),
            }
        })
        .count() as u64
}

async fn total(rt: &LocalRuntime, token: &str, query: &str) -> (u64, bool) {
    let (status, page) = rt.get(token, &format!("/api/v1/leads?per_page=10{query}")).await;
    assert_eq!(status, 200, "{page}");
    (page["meta"]["total"].as_u64().unwrap_or(0), page["meta"]["total_exact"].as_bool().unwrap_or(false))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sizes: Vec<u64> = std::env::var("VIGIL_BENCH_ROWS")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for n in sizes {
        let writes = Arc::new(Writes::default());
        let w = writes.clone();
        let rt = LocalRuntime::start_with(move |c| {
            c.seed = Some(SeedSize { leads: 0, customers: 0 });
            c.table_layer = Some(TableLayer::new(move |inner| Arc::new(Counting { inner, w: w.clone() })));
        })
        .await;
        let token = rt.sign_in(ADMIN).await;
        let before = total(&rt, &token, "").await.0;
        let mut prefix_before = Vec::new();
        for (field, prefix) in PREFIXES {
            prefix_before.push(total(&rt, &token, &format!("&{field}={prefix}")).await.0);
        }
        let body = csv(n);
        let mb = body.len() as f64 / 1e6;
        let (_, created) = rt.post(&token, "/api/v1/imports", json!({"filename": "bench.csv"})).await;
        let id = created["id"].as_u64().expect("import id");
        let put = rt.http().put(created["upload_url"].as_str().expect("url")).body(body).send().await.expect("upload");
        assert_eq!(put.status(), 200);
        let options = json!({
            "mapping": {"First Name": "first_name", "Last Name": "last_name", "Phone": "primary_phone", "Email": "email",
                        "Address": "address1", "City": "city", "State": "state", "Zip": "zip"},
            "mode": "create", "defaults": {"source_id": 1, "campaign_id": 1, "tags": ["2"]}
        });
        let (items0, tx0, units0) = (
            writes.items.load(Ordering::Relaxed),
            writes.tx_items.load(Ordering::Relaxed),
            writes.units.load(Ordering::Relaxed),
        );
        let started = Instant::now();
        let (status, run) = rt.post(&token, &format!("/api/v1/imports/{id}/run"), options).await;
        assert_eq!(status, 202, "{run}");
        let mut last_print = Instant::now();
        let status: Value = loop {
            let (_, s) = rt.get(&token, &format!("/api/v1/imports/{id}")).await;
            if matches!(s["status"].as_str(), Some("done" | "failed" | "cancelled")) {
                break s;
            }
            if last_print.elapsed() > Duration::from_secs(30) {
                eprintln!("  … {} of {} rows after {:.0} s", s["rows_done"], n, started.elapsed().as_secs_f64());
                last_print = Instant::now();
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let secs = started.elapsed().as_secs_f64();
        let created = status["created"].as_u64().unwrap_or(0);
        let items = writes.items.load(Ordering::Relaxed) - items0;
        let tx_items = writes.tx_items.load(Ordering::Relaxed) - tx0;
        let units = writes.units.load(Ordering::Relaxed) - units0;
        let per = |v: u64| v as f64 / created.max(1) as f64;
        let (all, all_exact) = total(&rt, &token, "").await;
        let (by_source, _) = total(&rt, &token, "&source=1").await;
        let (by_campaign, _) = total(&rt, &token, "&campaign=1").await;
        let (by_tag, _) = total(&rt, &token, "&tags=2").await;
        let (by_stage, _) = total(&rt, &token, "&stage=new").await;
        println!("\n## {n} rows ({mb:.1} MB CSV)\n");
        println!("| figure | value |");
        println!("|---|---|");
        println!("| status | {} |", status["status"]);
        println!("| import time | {secs:.1} s |");
        println!("| rows/s | {:.0} |", n as f64 / secs);
        println!("| created / errors / duplicates | {created} / {} / {} |", status["errors"], status["duplicates"]);
        println!("| items written per lead (batch) | {:.2} |", per(items));
        println!("| items written in transactions per lead | {:.4} |", per(tx_items));
        println!("| DynamoDB write units per lead (1 KB each, transactions 2x) | {:.2} |", per(units));
        println!("| list total (all leads) | {all} (exact: {all_exact}; expected {}) |", before + n);
        println!("| list total source=1 / campaign=1 / tag 2 / stage new | {by_source} / {by_campaign} / {by_tag} / {by_stage} (expected {n} each) |");
        let mut prefixes = Vec::new();
        for ((field, prefix), was) in PREFIXES.iter().zip(&prefix_before) {
            let (got, exact) = total(&rt, &token, &format!("&{field}={prefix}")).await;
            let want = was + prefix_matches(n, field, prefix);
            prefixes.push(format!("{field}={prefix} {got}{} (expected {want})", if exact { "" } else { " ~" }));
            assert_eq!((got, exact), (want, true), "{field}={prefix}");
        }
        println!("| list total of prefix searches | {} |", prefixes.join(", "));
        assert_eq!(all, before + n, "the list total is exact");
        assert_eq!((by_source, by_campaign, by_tag, by_stage), (n, n, n, before + n));
        rt.stop().await;
    }
}
