//! The SSN keys (issue 9): data keys wrapped by KMS (moto) and kept in the table, shared by every container, rotated
//! by a resumable batch job; the embedded default's key file; and SSNs kept out of logs and output.

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use vigil_app::services::queues;
use vigil_app::ssn::keyring::KeyRing;
use vigil_app::ssn::{self, DataKeys};
use vigil_app::Services;
use vigil_domain::lead::Ssn;
use vigil_domain::record::Kind;
use vigil_domain::{CompanyId, RecordId};
use vigil_functions::env::{aws_services_with_kms, AwsSettings};
use vigil_local::seed::SeedSize;
use vigil_local::{Backend, Config};
use vigil_store::aws::{LazyKmsKeyWrapper, LazySdkConfig};
use vigil_store::{keys, DynamoTable, Item, Table};
use vigil_tests::moto::{moto, Moto};
use vigil_tests::runtime::{repo_root, LocalRuntime};

/// A new symmetric KMS key on moto, by its JSON API (the tests need no KMS client of their own for one call).
async fn kms_key(moto: &Moto) -> String {
    let resp = reqwest::Client::new()
        .post(moto.endpoint())
        .header("X-Amz-Target", "TrentService.CreateKey")
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(r#"{"Description":"vigil ssn test key"}"#)
        .send()
        .await
        .expect("moto answers CreateKey");
    let body: Value = resp.json().await.expect("CreateKey JSON");
    body["KeyMetadata"]["Arn"].as_str().unwrap_or_else(|| panic!("CreateKey returned no key: {body}")).to_owned()
}

fn settings(moto: &Moto, table: &DynamoTable) -> AwsSettings {
    AwsSettings {
        table: table.table_name().to_owned(),
        queue_urls: HashMap::from([(queues::JOBS.to_owned(), format!("{}/000000000000/unused", moto.endpoint()))]),
        endpoint: Some(moto.endpoint().to_owned()),
        cursor_secret: b"ssn-keys-test-cursor-secret-0123456789".to_vec(),
    }
}

/// A Lambda container's services: everything built lazily from the environment a function gets.
fn container(moto: &Moto, table: &DynamoTable, key: &str) -> Services {
    aws_services_with_kms(&settings(moto, table), Some(key.to_owned()))
}

/// The ring over the AWS table with the KMS key, as the rotation job builds it.
fn aws_ring(moto: &Moto, table: &DynamoTable, key: &str) -> KeyRing {
    let sdk = LazySdkConfig::new(Some(moto.endpoint().to_owned()));
    KeyRing::new(Arc::new(table.clone()), Arc::new(LazyKmsKeyWrapper::new(sdk, key)))
}

fn acme() -> CompanyId {
    CompanyId::parse("acme").unwrap()
}

fn ssn_of(n: u64) -> Ssn {
    Ssn::parse("ssn", &format!("{:03}-{:02}-{:04}", 100 + n % 800, 10 + n % 80, 1000 + n)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_first_data_key_is_made_once_when_containers_race_and_then_reused() {
    let moto = moto().await;
    let table = moto.create_table("ssn-race").await;
    let key = kms_key(moto).await;
    let co = acme();

    // Eight cold containers encrypt their first SSN at the same moment; each finds no key ring and makes one.
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let mut tasks = Vec::new();
    for n in 0..8u64 {
        let svc = container(moto, &table, &key);
        let (barrier, co) = (barrier.clone(), co.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let ct = ssn::encrypt(svc.data_keys.as_ref(), &co, RecordId(n), &ssn_of(n)).expect("encrypts");
            (svc, ct)
        }));
    }
    let mut written = Vec::new();
    for t in tasks {
        written.push(t.await.expect("task"));
    }

    let ring = aws_ring(moto, &table, &key).stored().await.unwrap().expect("a key ring");
    assert_eq!(ring.keys.len(), 1, "one data key, whoever won: {:?}", ring.keys.keys());
    assert_eq!((ring.current, ring.version), (ssn::FIRST_KEY, 1));
    assert!(written.iter().all(|(_, ct)| ssn::key_id_of(ct).unwrap() == ssn::FIRST_KEY));
    // Every container ended on the same key: each decrypts what every other wrote.
    for (svc, _) in &written {
        for (n, (_, ct)) in written.iter().enumerate() {
            let n = n as u64;
            assert_eq!(ssn::decrypt(svc.data_keys.as_ref(), &co, RecordId(n), ct).unwrap(), ssn_of(n).digits());
        }
    }
    // Reused: more writes, from old and new containers, add no key.
    let later = container(moto, &table, &key);
    for (svc, _) in written.iter().take(2).chain([(later, String::new())].iter()) {
        ssn::encrypt(svc.data_keys.as_ref(), &co, RecordId(99), &ssn_of(99)).unwrap();
    }
    let again = aws_ring(moto, &table, &key).stored().await.unwrap().unwrap();
    assert_eq!(again, ring);
    // The table holds the key wrapped by KMS, never the key itself.
    let item = table.get(&keys::ssn_key_ring()).await.unwrap().unwrap();
    assert_eq!(item["wrapped_by"], json!(key));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_container_decrypts_what_another_wrote() {
    let moto = moto().await;
    let table = moto.create_table("ssn-containers").await;
    let key = kms_key(moto).await;
    let co = acme();

    // A container that only reads finds nothing to decrypt and creates nothing before the first SSN is written.
    let reader = container(moto, &table, &key);
    assert!(reader.data_keys.blind_index_key().is_err());
    assert!(!vigil_app::ssn::keyring::ring_exists(&table).await.unwrap());

    // The KMS client is built by the first request that needs a key, not with the services (the cold start).
    let kms = Arc::new(LazyKmsKeyWrapper::new(LazySdkConfig::new(Some(moto.endpoint().to_owned())), key.clone()));
    let ring = KeyRing::new(Arc::new(table.clone()), kms.clone());
    assert!(ring.blind_index_key().is_err() && !kms.is_built(), "no ring yet: nothing to ask KMS");
    ssn::encrypt(&ring, &co, RecordId(7), &ssn_of(7)).unwrap();
    assert!(kms.is_built());

    let first = container(moto, &table, &key);
    let ct = ssn::encrypt(first.data_keys.as_ref(), &co, RecordId(42), &ssn_of(42)).unwrap();
    let index = ssn::ssn_last4_blind_index(&first.data_keys.blind_index_key().unwrap(), &co, "1042");

    let second = container(moto, &table, &key);
    assert_eq!(ssn::decrypt(second.data_keys.as_ref(), &co, RecordId(42), &ct).unwrap(), ssn_of(42).digits());
    assert_eq!(ssn::ssn_last4_blind_index(&second.data_keys.blind_index_key().unwrap(), &co, "1042"), index);
    // The reader built before the ring existed reads it now.
    assert_eq!(ssn::decrypt(reader.data_keys.as_ref(), &co, RecordId(42), &ct).unwrap(), ssn_of(42).digits());

    // A container whose KMS key is another one cannot unwrap the data key: an error naming KMS, no digits, no panic.
    let other_key = kms_key(moto).await;
    let stranger = container(moto, &table, &other_key);
    let err = ssn::decrypt(stranger.data_keys.as_ref(), &co, RecordId(42), &ct).unwrap_err().to_string();
    assert!(err.contains("KMS Decrypt failed"), "{err}");
    assert!(!err.contains("1042") && !err.contains(&ssn_of(42).digits()[..5]), "{err}");
}

/// Writes `count` leads and customers per company straight into the table as their profiles look to the rotation:
/// listed by ID in GSI2, every third without an SSN, some in the format from before key ids. Returns each record's
/// SSN digits.
async fn seed_records(
    table: &dyn Table,
    keys_now: &dyn DataKeys,
    companies: &[&str],
    count: u64,
) -> BTreeMap<(String, u64), Option<String>> {
    let mut out = BTreeMap::new();
    for name in companies {
        let co = CompanyId::parse(name).unwrap();
        let mut company = keys::company(&co).to_item();
        company.insert("GSI1PK".into(), json!(keys::COMPANIES_GSI1PK));
        company.insert("GSI1SK".into(), json!(name));
        company.insert("version".into(), json!(1));
        table.put(company, None).await.unwrap();
        for n in 1..=count {
            let id = RecordId(n);
            let kind = if n % 4 == 0 { Kind::Customer } else { Kind::Lead };
            let mut item: Item = keys::record(&co, id).to_item();
            let (g2pk, g2sk) = keys::records_by_id_gsi2(&co, kind, id);
            item.insert("GSI2PK".into(), json!(g2pk));
            item.insert("GSI2SK".into(), json!(g2sk));
            item.insert("version".into(), json!(3));
            let digits = if n % 3 == 0 {
                None
            } else {
                let s = ssn_of(n);
                let mut ct = ssn::encrypt(keys_now, &co, id, &s).unwrap();
                if n % 5 == 0 {
                    ct = ct.trim_start_matches("v2:1:").to_owned();
                }
                item.insert("ssn_encrypted".into(), json!(ct));
                Some(s.digits().to_owned())
            };
            table.put(item, None).await.unwrap();
            out.insert((name.to_string(), n), digits);
        }
    }
    out
}

async fn stored_ssns(
    table: &dyn Table,
    records: &BTreeMap<(String, u64), Option<String>>,
) -> BTreeMap<(String, u64), String> {
    let mut out = BTreeMap::new();
    for (co, n) in records.keys() {
        let item = table.get(&keys::record(&CompanyId::parse(co).unwrap(), RecordId(*n))).await.unwrap().unwrap();
        if let Some(ct) = item.get("ssn_encrypted").and_then(Value::as_str) {
            out.insert((co.clone(), *n), ct.to_owned());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_moves_every_ssn_to_a_new_key_and_resumes_after_an_interruption() {
    let moto = moto().await;
    let table = moto.create_table("ssn-rotation").await;
    let key = kms_key(moto).await;
    let before = container(moto, &table, &key);
    let records = seed_records(&table, before.data_keys.as_ref(), &["acme", "bluebird"], 12).await;
    let with_ssn = records.values().filter(|d| d.is_some()).count() as u64;
    let index_before = before.data_keys.blind_index_key().unwrap();

    // Interrupted after one batch of five.
    let job = aws_ring(moto, &table, &key);
    let first = job.rotate(5, Some(1)).await.unwrap();
    assert_eq!((first.target, first.batches, first.done), (2, 1, false));
    assert!(first.reencrypted > 0 && first.reencrypted <= 5, "{first:?}");
    let now = stored_ssns(&table, &records).await;
    let on_new = now.values().filter(|ct| ssn::key_id_of(ct).unwrap() == 2).count() as u64;
    assert_eq!(on_new, first.reencrypted);
    let ring = job.stored().await.unwrap().unwrap();
    assert_eq!(ring.current, 2, "new SSNs go to the new key from the start of the rotation");

    // A container that cached the ring before the rotation reads SSNs on the new key (it re-reads the ring for a
    // key it does not hold) and the old ones alike.
    for ((co, n), ct) in &now {
        let co = CompanyId::parse(co).unwrap();
        let digits = ssn::decrypt(before.data_keys.as_ref(), &co, RecordId(*n), ct).unwrap();
        assert_eq!(Some(digits), records[&(co.to_string(), *n)]);
    }

    // Run again (another process, as a re-run of the command is): it continues and finishes.
    let rerun = aws_ring(moto, &table, &key);
    let rest = rerun.rotate(5, None).await.unwrap();
    assert!(rest.done, "{rest:?}");
    assert_eq!(rest.target, 2);
    assert_eq!(first.reencrypted + rest.reencrypted, with_ssn, "nothing was re-encrypted twice, nothing left out");

    // Every SSN is on the new key, decrypts to what was written, and the old key is retired.
    let after = stored_ssns(&table, &records).await;
    assert_eq!(after.len() as u64, with_ssn);
    let fresh = container(moto, &table, &key);
    for ((co, n), ct) in &after {
        assert_eq!(ssn::key_id_of(ct).unwrap(), 2, "{co}/{n} still names the old key");
        let company = CompanyId::parse(co).unwrap();
        let digits = ssn::decrypt(fresh.data_keys.as_ref(), &company, RecordId(*n), ct).unwrap();
        assert_eq!(Some(digits), records[&(co.clone(), *n)]);
    }
    let ring = rerun.stored().await.unwrap().unwrap();
    assert_eq!(ring.current, 2);
    assert!(ring.keys[&1].retired && !ring.keys[&2].retired, "{ring:?}");
    // New SSNs use the new key; the blind index stays what it was (it derives from the first key).
    let ct = ssn::encrypt(fresh.data_keys.as_ref(), &acme(), RecordId(500), &ssn_of(500)).unwrap();
    assert_eq!(ssn::key_id_of(&ct).unwrap(), 2);
    assert_eq!(fresh.data_keys.blind_index_key().unwrap(), index_before);

    // Records the rotation did not touch kept their version (an open edit form is not made stale by it).
    let item = table.get(&keys::record(&acme(), RecordId(1))).await.unwrap().unwrap();
    assert_eq!(item["version"], json!(3));

    // A further run starts the next rotation.
    let next = aws_ring(moto, &table, &key).rotate(100, None).await.unwrap();
    assert_eq!((next.target, next.reencrypted, next.done), (3, with_ssn, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stack_from_before_key_rings_imports_its_old_key_and_rotates_off_it() {
    let moto = moto().await;
    let table = moto.create_table("ssn-import").await;
    let key = kms_key(moto).await;
    // What the functions stored while they read the key from VIGIL_SSN_KEY.
    let old_secret = b"the old VIGIL_SSN_KEY, 32 characters or more";
    let old = ssn::LocalKeys::from_secret(old_secret);
    let records = seed_records(&table, &old, &["acme"], 10).await;
    let with_ssn = records.values().filter(|d| d.is_some()).count() as u64;
    let index = ssn::ssn_last4_blind_index(&old.blind_index_key().unwrap(), &acme(), "1001");

    let job = aws_ring(moto, &table, &key);
    assert!(job.import_first(old_secret).await.unwrap());
    assert!(!job.import_first(old_secret).await.unwrap(), "importing the same key again changes nothing");
    let other = aws_ring(moto, &table, &key).import_first(b"some other secret of 32 characters or more").await;
    assert!(other.is_err(), "a ring that starts with another key refuses the import");

    // A function container reads the old SSNs and finds them by the blind index they were stored with.
    let svc = container(moto, &table, &key);
    assert_eq!(ssn::ssn_last4_blind_index(&svc.data_keys.blind_index_key().unwrap(), &acme(), "1001"), index);
    for ((co, n), ct) in stored_ssns(&table, &records).await {
        let digits = ssn::decrypt(svc.data_keys.as_ref(), &acme(), RecordId(n), &ct).unwrap();
        assert_eq!(Some(digits), records[&(co, n)]);
    }

    // And the rotation moves them off the imported key.
    let report = job.rotate(4, None).await.unwrap();
    assert_eq!((report.target, report.reencrypted, report.done), (2, with_ssn, true));
    for ((co, n), ct) in stored_ssns(&table, &records).await {
        assert_eq!(ssn::key_id_of(&ct).unwrap(), 2);
        let digits = ssn::decrypt(svc.data_keys.as_ref(), &acme(), RecordId(n), &ct).unwrap();
        assert_eq!(Some(digits), records[&(co, n)]);
    }
}

fn embedded_config(dir: &Path) -> Config {
    let mut config = Config { data_dir: dir.to_path_buf(), web_dir: repo_root().join("web/dist"), ..Config::default() };
    config.addr.set_port(0);
    config.timer = Duration::from_secs(3600);
    config.backend = Backend::Embedded;
    config.seed = Some(SeedSize { leads: 10, customers: 4 });
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_default_refuses_to_start_without_its_key_file_when_ssns_exist() {
    let data = tempfile::tempdir().unwrap();
    let key_file = data.path().join("ssn.key");

    // No SSN stored yet: a lost key file is simply made again.
    let rt = LocalRuntime::start_with(|c| *c = embedded_config(data.path())).await;
    rt.stop().await;
    std::fs::remove_file(&key_file).unwrap();
    let rt = LocalRuntime::start_with(|c| *c = embedded_config(data.path())).await;
    assert!(key_file.exists());

    let admin = rt.sign_in("admin@acme.example").await;
    let (_, page) = rt.get(&admin, "/api/v1/leads?per_page=10").await;
    let id = page["items"][0]["id"].as_u64().unwrap_or_else(|| panic!("a seeded lead: {page}"));
    let path = format!("/api/v1/leads/{id}");
    let (_, lead) = rt.get(&admin, &path).await;
    let (status, saved) = rt.patch(&admin, &path, json!({"version": lead["version"], "ssn": "318-52-4607"})).await;
    assert_eq!(status, 200, "{saved}");
    rt.stop().await;

    let saved_key = std::fs::read(&key_file).unwrap();
    std::fs::remove_file(&key_file).unwrap();
    let err = match vigil_local::start(embedded_config(data.path())).await {
        Ok(running) => {
            running.stop().await;
            panic!("started without the SSN key file although an SSN is stored");
        }
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&key_file.display().to_string()), "the message names the file: {err}");
    assert!(err.contains("missing") && err.contains("encrypted SSNs"), "{err}");
    assert!(!key_file.exists(), "no new key was made");

    // Put back, the data is readable again.
    std::fs::write(&key_file, &saved_key).unwrap();
    let rt = LocalRuntime::start_with(|c| *c = embedded_config(data.path())).await;
    let admin = rt.sign_in("admin@acme.example").await;
    assert_eq!(rt.get(&admin, &path).await.1["ssn"], "318-52-4607");
    rt.stop().await;

    // Another key file is refused by name too, rather than decrypting nothing.
    std::fs::write(&key_file, [7u8; 32]).unwrap();
    let err = match vigil_local::start(embedded_config(data.path())).await {
        Ok(running) => {
            running.stop().await;
            panic!("started with a key file the key ring was not made with");
        }
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&key_file.display().to_string()) && err.contains("not the one"), "{err}");
}

/// The digits the log test stores; the search below looks for them (and their parts) in everything printed.
const LOGGED_SSN: &str = "531-74-2968";
const CHILD: &str = "VIGIL_SSN_KEYS_LOG_CHILD";

/// Runs the SSN flows (store, reveal, search, rotate, reveal again, a refused start) in a child process with debug
/// logging and asserts that nothing it logged or printed holds the SSN or the key file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssns_never_reach_logs_or_test_output() {
    if std::env::var_os(CHILD).is_some() {
        return ssn_flows_for_the_log_test().await;
    }
    let data = tempfile::tempdir().unwrap();
    let out = vigil_tests::run_logged_child(
        module_path!(),
        "ssns_never_reach_logs_or_test_output",
        CHILD,
        data.path().to_path_buf(),
    )
    .await;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the child's flows failed:\n{}", redact(&text));
    // The logs were captured: the key ring and the rotation announce themselves.
    assert!(text.contains("SSN key ring created"), "{}", redact(&text));
    assert!(text.contains("SSN key rotation finished"), "{}", redact(&text));
    let digits: String = LOGGED_SSN.chars().filter(char::is_ascii_digit).collect();
    let key = std::fs::read(data.path().join("ssn.key")).unwrap();
    let b64 = |b: &[u8]| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b);
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    for secret in [LOGGED_SSN.to_owned(), digits.clone(), digits[3..].to_owned(), "74-2968".into(), b64(&key), hex] {
        assert!(!text.contains(&secret), "the output holds a secret ({} characters long)", secret.len());
    }
}

/// What the log test's child runs.
async fn ssn_flows_for_the_log_test() {
    vigil_functions::telemetry::init();
    let dir = std::path::PathBuf::from(std::env::var_os(CHILD).unwrap());
    let rt = LocalRuntime::start_with(|c| *c = embedded_config(&dir)).await;
    let admin = rt.sign_in("admin@acme.example").await;
    let office = rt.sign_in("office@acme.example").await;
    let (_, page) = rt.get(&admin, "/api/v1/leads?per_page=10").await;
    let id = page["items"][0]["id"].as_u64().unwrap();
    let path = format!("/api/v1/leads/{id}");
    let (_, lead) = rt.get(&admin, &path).await;
    let (status, _) = rt.patch(&admin, &path, json!({"version": lead["version"], "ssn": LOGGED_SSN})).await;
    assert_eq!(status, 200);
    let (_, shown) = rt.get(&admin, &path).await;
    assert_eq!(shown["ssn"], LOGGED_SSN);
    let (_, masked) = rt.get(&office, &path).await;
    println!("office sees {}", masked["ssn"]);
    let (_, found) = rt.get(&admin, "/api/v1/leads?number=2968").await;
    println!("search found {} leads", found["items"].as_array().map_or(0, Vec::len));

    let table = rt.services().table.clone();
    let secret = std::fs::read(dir.join("ssn.key")).unwrap();
    let file = vigil_app::ssn::keyring::LocalKeyFile::new(secret, dir.join("ssn.key").display().to_string());
    let report = KeyRing::new(table, Arc::new(file)).rotate(50, None).await.unwrap();
    println!("{report:?}");
    let (_, shown) = rt.get(&admin, &path).await;
    assert_eq!(shown["ssn"], LOGGED_SSN);
    let (status, problem) = rt.patch(&admin, &path, json!({"version": shown["version"], "ssn": "531-74-296"})).await;
    println!("{status} {problem}");
    rt.stop().await;

    std::fs::rename(dir.join("ssn.key"), dir.join("ssn.key.bak")).unwrap();
    if let Err(e) = vigil_local::start(embedded_config(&dir)).await {
        println!("{e}");
    }
    std::fs::rename(dir.join("ssn.key.bak"), dir.join("ssn.key")).unwrap();
}

/// Failure output of the child with the SSN's digits blanked, so a failing assertion does not print them itself.
fn redact(text: &str) -> String {
    let digits: String = LOGGED_SSN.chars().filter(char::is_ascii_digit).collect();
    text.replace(LOGGED_SSN, "<ssn>").replace(&digits, "<ssn>").replace("74-2968", "<ssn>").replace("742968", "<ssn>")
}
