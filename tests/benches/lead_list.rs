//! Leads list benchmark (not a test): seeds 100k and 1M leads into the embedded store and prints, for each filter of
//! the manual alone and five realistic combinations, items read per page and p50/p95 latency of the list operation.
//!
//! `cargo bench -p vigil-tests --bench lead_list`; `VIGIL_BENCH_SIZES=100000` runs only some sizes. The `true`
//! column counts the seeded leads that match (office user; `-` where the number or a rep's own view decides).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Instant;
use vigil_app::items::from_item;
use vigil_app::lead_list::{self, Conds, LeadFilter};
use vigil_app::record_index::{is_counter, seed_items, ListEntry};
use vigil_app::records::record_item;
use vigil_app::Actor;
use vigil_domain::record::Record;
use vigil_domain::{CompanyId, User, UserId};
use vigil_local::seed::SeedSize;
use vigil_store::{keys, Item, Key};
use vigil_tests::runtime::LocalRuntime;

const FIRST: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Maria", "Carlos", "Priya",
    "Ahmed", "Mei", "Joseph", "Sarah", "Thomas", "Karen", "Daniel", "Nancy", "Mark", "Emily", "Kevin", "Laura",
    "Jason", "Amy", "Eric", "Anna", "Scott", "Grace",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Lee",
    "Nguyen",
    "Patel",
    "Kim",
    "Chen",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Adams",
    "Baker",
    "Nelson",
    "Carter",
    "Mitchell",
    "Perez",
    "Roberts",
    "Turner",
    "Phillips",
    "Campbell",
    "Parker",
    "Evans",
    "Edwards",
    "Collins",
    "Stewart",
    "Sanchez",
    "Morris",
    "Rogers",
    "Reed",
];
const CITIES: &[(&str, &str)] = &[
    ("Salt Lake City", "UT"),
    ("Provo", "UT"),
    ("Boise", "ID"),
    ("Las Vegas", "NV"),
    ("Reno", "NV"),
    ("Dallas", "TX"),
    ("Houston", "TX"),
    ("Austin", "TX"),
    ("Tulsa", "OK"),
    ("Phoenix", "AZ"),
    ("Denver", "CO"),
    ("Albuquerque", "NM"),
];
const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Park Ave",
    "Ridge Rd",
    "River Rd",
    "Lincoln Ave",
];
const DOMAINS: &[&str] = &["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com"];
const REPS: &[&str] = &["acme-lead-rep", "acme-sales-rep"];

fn lead(rng: &mut StdRng, id: u64, today: &str) -> Record {
    let first = *FIRST.choose(rng).unwrap();
    let last = *LAST.choose(rng).unwrap();
    let (city, state) = *CITIES.choose(rng).unwrap();
    let source = rng.gen_range(1..=10u32);
    let tags: Vec<String> = (1..=10).filter(|_| rng.gen_bool(0.12)).map(|t: u32| t.to_string()).collect();
    let disposition = *["Hot", "Warm", "Cold"].choose(rng).unwrap();
    let stage = ["new", "new", "new", "contacted", "contacted", "qualified", "unqualified"].choose(rng).unwrap();
    serde_json::from_value(json!({
        "id": id, "kind": "lead", "stage": stage, "first_name": first, "last_name": last,
        "email": rng.gen_bool(0.85).then(|| format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), rng.gen_range(1..99), DOMAINS.choose(rng).unwrap())),
        "primary_phone": format!("801{}{:04}", rng.gen_range(200..999), rng.gen_range(0..10000)),
        "address1": format!("{} {}", rng.gen_range(100..9999), STREETS.choose(rng).unwrap()),
        "city": city, "state": state, "office_location_id": rng.gen_range(1..=3),
        "source_id": rng.gen_bool(0.9).then_some(source),
        "campaign_id": rng.gen_bool(0.7).then(|| (source - 1) * 3 + rng.gen_range(1..=3)),
        "disposition": disposition,
        "rating": rng.gen_range(0..=5), "tags": tags,
        "lead_rep_id": rng.gen_bool(0.7).then(|| *REPS.choose(rng).unwrap()),
        "next_followup": rng.gen_bool(0.02).then(|| today.to_owned()),
        "created_at": "2025-01-01T00:00:00Z", "created_by": "acme-admin", "version": 1
    }))
    .unwrap()
}

async fn seed(rt: &LocalRuntime, co: &CompanyId, n: u64) -> (f64, Record, Vec<ListEntry>) {
    let started = Instant::now();
    let today = vigil_app::clock::date(rt.services().clock.now());
    let mut rng = StdRng::seed_from_u64(42);
    let mut counters: BTreeMap<Key, i64> = BTreeMap::new();
    let mut sample = None;
    let mut entries = Vec::new();
    let chunk = 10_000;
    for start in (1..=n).step_by(chunk) {
        let records: Vec<Record> =
            (start..(start + chunk as u64).min(n + 1)).map(|id| lead(&mut rng, id, &today)).collect();
        if sample.is_none() {
            sample = records.get(records.len() / 2).cloned();
        }
        entries.extend(records.iter().map(ListEntry::from));
        let mut items: Vec<Item> = records.iter().map(|r| record_item(co, r)).collect();
        for item in seed_items(co, &records) {
            if is_counter(&item) {
                *counters.entry(Key::of(&item).unwrap()).or_default() += item["value"].as_i64().unwrap();
            } else {
                items.push(item);
            }
        }
        rt.services().table.batch_put(&items).await.unwrap();
    }
    let counter_items = counters.into_iter().map(|(k, v)| {
        let mut item = k.to_item();
        item.insert("value".into(), json!(v));
        item
    });
    rt.services().table.batch_put(&counter_items.collect::<Vec<_>>()).await.unwrap();
    (started.elapsed().as_secs_f64(), sample.unwrap(), entries)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sizes: Vec<u64> = std::env::var("VIGIL_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for n in sizes {
        let rt = LocalRuntime::start_with(|c| c.seed = Some(SeedSize { leads: 0, customers: 0 })).await;
        let co = CompanyId::parse("acme").unwrap();
        let (secs, sample, entries) = seed(&rt, &co, n).await;
        let today = vigil_app::clock::date(rt.services().clock.now());
        println!("\n## {n} leads (seeded in {secs:.0} s)\n");
        let office: User = from_item(
            rt.services().table.get(&keys::user(&co, &UserId::parse("acme-office").unwrap())).await.unwrap().unwrap(),
        )
        .unwrap();
        let rep: User = from_item(
            rt.services().table.get(&keys::user(&co, &UserId::parse("acme-lead-rep").unwrap())).await.unwrap().unwrap(),
        )
        .unwrap();
        let phone = sample.primary_phone.clone();
        let id = sample.id.0.to_string();
        let cases: Vec<(&str, String, &User)> = vec![
            ("none (newest first)", "".into(), &office),
            ("number = ID", format!("number={id}"), &office),
            ("number = phone", format!("number={phone}"), &office),
            ("number = SSN last 4", "number=1234".into(), &office),
            ("first_name=mar", "first_name=mar".into(), &office),
            ("last_name=smi", "last_name=smi".into(), &office),
            ("email=john", "email=john".into(), &office),
            ("last_name=sm", "last_name=sm".into(), &office),
            ("first_name=jo", "first_name=jo".into(), &office),
            ("email=a", "email=a".into(), &office),
            ("last_name=m (1 letter)", "last_name=m".into(), &office),
            ("first_name=j (1 letter)", "first_name=j".into(), &office),
            ("last_name=smith (5 letters)", "last_name=smith".into(), &office),
            ("first_name=john (4 letters)", "first_name=john".into(), &office),
            ("email=john (4 letters)", "email=john".into(), &office),
            ("email=gmai (4 letters)", "email=gmai".into(), &office),
            ("first_name=jo, sort=name", "first_name=jo&sort=name".into(), &office),
            ("last_name=sm, sort=email", "last_name=sm&sort=email".into(), &office),
            ("source=3", "source=3".into(), &office),
            ("source=3,7", "source=3,7".into(), &office),
            ("campaign=5", "campaign=5".into(), &office),
            ("tags=2 (any)", "tags=2".into(), &office),
            ("tags=2,5 all", "tags=2,5&tags_op=all".into(), &office),
            ("tags=2 none", "tags=2&tags_op=none".into(), &office),
            ("tags=2,5 not_all", "tags=2,5&tags_op=not_all".into(), &office),
            ("stage=qualified", "stage=qualified".into(), &office),
            ("disposition=hot", "disposition=hot".into(), &office),
            ("rep", "rep=acme-lead-rep".into(), &office),
            ("view=my_open (rep)", "view=my_open".into(), &rep),
            ("view=hot", "view=hot".into(), &office),
            ("view=todays_followups", "view=todays_followups".into(), &office),
            ("view=recent", "view=recent".into(), &office),
            ("view=my_assigned (rep)", "view=my_assigned".into(), &rep),
            ("sort=name", "sort=name".into(), &office),
            ("sort=address", "sort=address".into(), &office),
            ("sort=email desc", "sort=email&dir=desc".into(), &office),
            ("combo: source=3 & stage=new", "source=3&stage=new".into(), &office),
            ("combo: tags=2 & hot, by name", "tags=2&disposition=hot&sort=name".into(), &office),
            ("combo: last_name=smi & source=1", "last_name=smi&source=1".into(), &office),
            ("combo: my_open & tags=1,2", "view=my_open&tags=1,2".into(), &rep),
            ("combo: email=gma & contacted & campaign=4", "email=gma&stage=contacted&campaign=4".into(), &office),
        ];
        println!(
            "| filter | rows p1 | items read p1 | items read p2 | budget (3/row+50) | path | order | total | true | p50 ms | p95 ms |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        for (name, query, user) in cases {
            let actor = Actor { user: user.clone() };
            let mut params: BTreeMap<String, String> = query
                .split('&')
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let filter = LeadFilter::parse(&params).unwrap();
            let mut times = Vec::new();
            let mut first = None;
            for _ in 0..40 {
                let t = Instant::now();
                let page = lead_list::list(rt.services(), &actor, &filter).await.unwrap();
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                first.get_or_insert(page);
            }
            let first = first.unwrap();
            let p2 = match &first.next_cursor {
                Some(c) => {
                    params.insert("cursor".into(), c.clone());
                    let f2 = LeadFilter::parse(&params).unwrap();
                    let t = Instant::now();
                    let page = lead_list::list(rt.services(), &actor, &f2).await.unwrap();
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                    format!("{} ({} rows)", page.meta.items_read, page.items.len())
                }
                None => "-".into(),
            };
            let truth = if query.contains("number=") || user.id.as_str() != "acme-office" {
                "-".to_owned()
            } else {
                let conds = Conds::resolve(&filter, &user.id, false, &today);
                entries.iter().filter(|e| conds.matches(e)).count().to_string()
            };
            let rows = first.items.len();
            let page_read = first.meta.items_read - first.meta.items_read_for_total;
            let ok = if page_read as usize <= 3 * rows + 50 { "ok" } else { "OVER" };
            let read = match first.meta.items_read_for_total {
                0 => page_read.to_string(),
                extra => format!("{page_read} (+{extra} for the total)"),
            };
            println!(
                "| {name} | {rows} | {read} | {p2} | {} {ok} | {} | {} | {}{} | {truth} | {:.2} | {:.2} |",
                3 * rows + 50,
                first.meta.access_path,
                first.meta.order_served,
                if first.meta.total_exact { "" } else { "~" },
                first.meta.total,
                pct(&mut times.clone(), 0.5),
                pct(&mut times, 0.95)
            );
        }
        rt.stop().await;
    }
}
