//! The SSN key ring: data keys generated once, stored wrapped in the table (`keys::ssn_key_ring`), unwrapped at most
//! once per process, and rotated by a resumable batch job.
//!
//! The ring item holds every data key by id, each wrapped by a [`KeyWrapper`] (the stack's KMS key in AWS, the local
//! key file in the embedded default), and which id is current. The first process that needs to encrypt an SSN and
//! finds no ring creates it with a conditional put; when two race, the loser's key is dropped before it encrypted
//! anything and the loser reads the winner's ring, so every process ends on one first key.
//!
//! [`DataKeys`] is a synchronous port (the use cases call it inside plain functions), and reading the ring is not:
//! a process reads it on first use by blocking its worker thread on the read (`block_in_place`, multi-threaded
//! runtimes only: every binary's `#[tokio::main]` is one), or ahead of time with [`KeyRing::refresh`], as the local
//! runtime does at start. After that the keys are served from memory. Which key is current is re-read after
//! [`REFRESH_AFTER`], so a rotation started elsewhere reaches every process; a ciphertext naming a key this process
//! has not unwrapped makes it re-read the ring at once. Only encryption creates the ring: a function that only
//! reads SSNs (or searches by their last digits) finds no ring, and so nothing to decrypt, when none was written.
//!
//! Rotation ([`KeyRing::rotate`]): the job records its target key and progress (company, kind, last record ID) in
//! `keys::ssn_key_rotation`, makes the target key current, then walks every company's leads and customers in ID order
//! in batches, re-encrypting each SSN that is not on the target key with a write conditional on the ciphertext it
//! read (a concurrent edit wins; the job re-reads and goes again). Each batch saves the progress, so an interrupted
//! run continues where it stopped, and records already on the target key are skipped. When the walk is done the
//! older keys are marked retired. They stay in the ring, wrapped: a retired key is unwrapped only if some ciphertext
//! still names it (a write from a process that had not yet re-read the ring), and the first key stays in use for the
//! blind index (see the parent module).

use super::{decrypt, encrypt_with, key_id_of, DataKeys, DerivedKeys, KeyId, FIRST_KEY};
use crate::AppError;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use vigil_domain::record::Kind;
use vigil_domain::{CompanyId, RecordId};
use vigil_store::kms::KeyWrapper;
use vigil_store::{keys, Condition, Index, Item, Query, SortCond, StoreError, Table, Update, VERSION};

/// How long a process serves new encryptions from its cached ring before re-reading which key is current.
pub const REFRESH_AFTER: Duration = Duration::from_secs(300);

/// The ring as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRing {
    pub current: KeyId,
    /// Each data key's wrapped form, and whether it is retired.
    pub keys: BTreeMap<KeyId, StoredKey>,
    pub version: u64,
    pub wrapped_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredKey {
    pub wrapped: Vec<u8>,
    pub retired: bool,
}

/// What a process holds: the ring it read and the keys it unwrapped.
struct Cache {
    ring: StoredRing,
    keys: BTreeMap<KeyId, DerivedKeys>,
    read_at: Instant,
}

/// The [`DataKeys`] of both runtimes.
pub struct KeyRing {
    table: Arc<dyn Table>,
    wrapper: Arc<dyn KeyWrapper>,
    cache: RwLock<Option<Arc<Cache>>>,
    /// One ring read at a time per process, so a burst of first requests unwraps each key once.
    reading: tokio::sync::Mutex<()>,
}

/// What one run of the rotation job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    /// The key every SSN is being moved to.
    pub target: KeyId,
    /// SSNs re-encrypted by this run.
    pub reencrypted: u64,
    /// Batches this run read.
    pub batches: u32,
    /// Every record is on the target key and the older keys are retired.
    pub done: bool,
}

impl KeyRing {
    pub fn new(table: Arc<dyn Table>, wrapper: Arc<dyn KeyWrapper>) -> Self {
        Self { table, wrapper, cache: RwLock::new(None), reading: tokio::sync::Mutex::new(()) }
    }

    /// The ring as stored now (`None` before the first SSN was encrypted).
    pub async fn stored(&self) -> Result<Option<StoredRing>, AppError> {
        read_ring(self.table.as_ref()).await
    }

    /// Reads the ring (creating it with its first key when `create` and there is none) and unwraps the current and
    /// first keys and those in `need` that this process does not hold yet. `None`: there is no ring.
    pub async fn refresh(&self, create: bool, need: &[KeyId]) -> Result<Option<KeyId>, AppError> {
        Ok(self.reread(create, need).await?.map(|c| c.ring.current))
    }

    async fn reread(&self, create: bool, need: &[KeyId]) -> Result<Option<Arc<Cache>>, AppError> {
        let _one_at_a_time = self.reading.lock().await;
        let ring = match read_ring(self.table.as_ref()).await? {
            Some(r) => r,
            None if create => self.create().await?,
            None => return Ok(None),
        };
        let held = self.cached();
        let mut keys = BTreeMap::new();
        let wanted: BTreeSet<KeyId> = [FIRST_KEY, ring.current].into_iter().chain(need.iter().copied()).collect();
        let already: BTreeSet<KeyId> = held.as_ref().map(|c| c.keys.keys().copied().collect()).unwrap_or_default();
        for id in wanted.union(&already) {
            // A key's wrapped form never changes under its id, so what this process unwrapped stays valid.
            if let Some(k) = held.as_ref().and_then(|c| c.keys.get(id)) {
                keys.insert(*id, k.clone());
            } else if let Some(stored) = ring.keys.get(id) {
                let secret = self.wrapper.unwrap_key(&stored.wrapped).await?;
                keys.insert(*id, DerivedKeys::from_secret(&secret));
            }
        }
        let cache = Arc::new(Cache { ring, keys, read_at: Instant::now() });
        if let Ok(mut slot) = self.cache.write() {
            *slot = Some(cache.clone());
        }
        Ok(Some(cache))
    }

    async fn create(&self) -> Result<StoredRing, AppError> {
        let first = self.wrapper.first().await?;
        let ring = StoredRing {
            current: FIRST_KEY,
            keys: BTreeMap::from([(FIRST_KEY, StoredKey { wrapped: first.wrapped, retired: false })]),
            version: 1,
            wrapped_by: self.wrapper.wrapping_key(),
        };
        match self.table.put(ring_item(&ring), Some(Condition::NotExists)).await {
            Ok(()) => {
                tracing::info!(wrapped_by = %ring.wrapped_by, "SSN key ring created");
                Ok(ring)
            }
            // Another process created it first: its key is the one, ours was never used.
            Err(StoreError::ConditionFailed { .. }) => read_ring(self.table.as_ref())
                .await?
                .ok_or_else(|| AppError::Internal("the SSN key ring vanished while it was created".into())),
            Err(e) => Err(e.into()),
        }
    }

    /// Makes `secret` the ring's first key: what SSNs were encrypted under before key rings (a stack's old
    /// `VIGIL_SSN_KEY`), so its ciphertexts and blind indexes stay readable and a rotation can move them off it.
    /// `false` when the ring already starts with this key; an error when it starts with another one.
    pub async fn import_first(&self, secret: &[u8]) -> Result<bool, AppError> {
        if read_ring(self.table.as_ref()).await?.is_none() {
            let ring = StoredRing {
                current: FIRST_KEY,
                keys: BTreeMap::from([(
                    FIRST_KEY,
                    StoredKey { wrapped: self.wrapper.wrap_key(secret).await?, retired: false },
                )]),
                version: 1,
                wrapped_by: self.wrapper.wrapping_key(),
            };
            match self.table.put(ring_item(&ring), Some(Condition::NotExists)).await {
                Ok(()) => {
                    tracing::info!(wrapped_by = %ring.wrapped_by, "SSN key ring created with an imported first key");
                    return Ok(true);
                }
                Err(StoreError::ConditionFailed { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let first = self.key(FIRST_KEY).await?;
        let given = DerivedKeys::from_secret(secret);
        if first.enc == given.enc {
            Ok(false)
        } else {
            Err(AppError::Conflict {
                message: "the SSN key ring already starts with another key; SSNs written under the old key cannot be \
                          imported into it"
                    .into(),
                current: None,
            })
        }
    }

    fn cached(&self) -> Option<Arc<Cache>> {
        self.cache.read().ok().and_then(|c| c.clone())
    }

    /// `pick` from the held ring when it answers (and is fresh, when `fresh`), else from the ring read again.
    fn with_ring<T>(
        &self,
        create: bool,
        fresh: bool,
        need: Option<KeyId>,
        pick: impl Fn(&Cache) -> Option<T>,
        missing: impl Fn() -> AppError,
    ) -> Result<T, AppError> {
        let held = self.cached();
        if let Some(c) = &held {
            if !fresh || c.read_at.elapsed() < REFRESH_AFTER {
                if let Some(v) = pick(c) {
                    return Ok(v);
                }
            }
        }
        let need: Vec<KeyId> = need.into_iter().collect();
        match block_on(self.reread(create, &need)).and_then(|r| r) {
            Ok(Some(c)) => pick(&c).ok_or_else(missing),
            Ok(None) => Err(missing()),
            Err(e) => match held.as_ref().and_then(|c| pick(c)) {
                // Keys never change under an id: a failed re-read leaves what this process holds valid.
                Some(v) => {
                    tracing::warn!(error = %e, "re-reading the SSN key ring failed; using the ring held");
                    Ok(v)
                }
                None => Err(e),
            },
        }
    }

    /// The key with this id, unwrapped (read again from the ring when this process does not hold it yet).
    async fn key(&self, id: KeyId) -> Result<DerivedKeys, AppError> {
        if let Some(k) = self.cached().and_then(|c| c.keys.get(&id).cloned()) {
            return Ok(k);
        }
        self.reread(false, &[id])
            .await?
            .and_then(|c| c.keys.get(&id).cloned())
            .ok_or_else(|| AppError::Internal(format!("SSN data key {id} is not in the key ring")))
    }

    /// Moves every SSN to a new data key, `batch` records at a time; stops after `max_batches` batches when given
    /// (the next run continues from there). A run after a finished rotation starts the next one.
    pub async fn rotate(&self, batch: u32, max_batches: Option<u32>) -> Result<RotationReport, AppError> {
        let batch = batch.max(1);
        self.reread(true, &[]).await?;
        let mut progress = match read_progress(self.table.as_ref()).await? {
            Some(p) if !p.done => p,
            previous => {
                let ring = self.stored().await?.ok_or_else(|| AppError::Internal("no SSN key ring".into()))?;
                let target = ring.keys.keys().next_back().copied().unwrap_or(FIRST_KEY) + 1;
                let p = Progress {
                    target,
                    company: None,
                    kind: 0,
                    after: 0,
                    reencrypted: 0,
                    done: false,
                    version: previous.map_or(0, |p| p.version) + 1,
                };
                save_progress(self.table.as_ref(), &p).await?;
                tracing::info!(target, "SSN key rotation started");
                p
            }
        };
        self.make_current(progress.target).await?;
        let target_keys = self.key(progress.target).await?;
        let mut report = RotationReport { target: progress.target, reencrypted: 0, batches: 0, done: false };
        for co in companies(self.table.as_ref()).await? {
            if progress.company.as_ref().is_some_and(|c| co.as_str() < c.as_str()) {
                continue;
            }
            if progress.company.as_ref() != Some(&co) {
                progress.company = Some(co.clone());
                progress.kind = 0;
                progress.after = 0;
            }
            while let Some(kind) = KINDS.get(progress.kind).copied() {
                loop {
                    if max_batches.is_some_and(|m| report.batches >= m) {
                        return Ok(report);
                    }
                    let pk = keys::records_by_id_gsi2(&co, kind, RecordId(0)).0;
                    let q =
                        Query::new(Index::Gsi2, pk).sort(SortCond::Gt(format!("{:014}", progress.after))).limit(batch);
                    let page = self.table.query(&q).await?;
                    for item in &page.items {
                        let Some(id) = record_id_of(item) else { continue };
                        if self.reencrypt(&co, id, item, progress.target, &target_keys).await? {
                            report.reencrypted += 1;
                            progress.reencrypted += 1;
                        }
                        progress.after = id.0;
                    }
                    report.batches += 1;
                    let last_page = page.last_key.is_none() || page.items.is_empty();
                    if last_page {
                        progress.kind += 1;
                        progress.after = 0;
                    }
                    progress.version += 1;
                    save_progress(self.table.as_ref(), &progress).await?;
                    if last_page {
                        break;
                    }
                }
            }
        }
        self.retire_all_but(progress.target).await?;
        progress.done = true;
        progress.version += 1;
        save_progress(self.table.as_ref(), &progress).await?;
        tracing::info!(target = progress.target, reencrypted = progress.reencrypted, "SSN key rotation finished");
        report.done = true;
        Ok(report)
    }

    /// Adds the key `target` to the ring if the ring lacks it, and makes it current.
    async fn make_current(&self, target: KeyId) -> Result<(), AppError> {
        for _ in 0..5 {
            let mut ring = self.stored().await?.ok_or_else(|| AppError::Internal("no SSN key ring".into()))?;
            if ring.current == target {
                self.reread(false, &[target]).await?;
                return Ok(());
            }
            if let std::collections::btree_map::Entry::Vacant(slot) = ring.keys.entry(target) {
                let new = self.wrapper.generate().await?;
                slot.insert(StoredKey { wrapped: new.wrapped, retired: false });
            }
            ring.current = target;
            let expected = ring.version;
            ring.version += 1;
            match self.table.put(ring_item(&ring), Some(Condition::VersionIs(expected))).await {
                Ok(()) => {
                    self.reread(false, &[target]).await?;
                    return Ok(());
                }
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Internal("the SSN key ring kept changing while the rotation set its key".into()))
    }

    async fn retire_all_but(&self, target: KeyId) -> Result<(), AppError> {
        for _ in 0..5 {
            let mut ring = self.stored().await?.ok_or_else(|| AppError::Internal("no SSN key ring".into()))?;
            for (id, k) in ring.keys.iter_mut() {
                k.retired = *id != target;
            }
            let expected = ring.version;
            ring.version += 1;
            match self.table.put(ring_item(&ring), Some(Condition::VersionIs(expected))).await {
                Ok(()) => return Ok(()),
                Err(StoreError::ConditionFailed { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Internal("the SSN key ring kept changing while the rotation retired keys".into()))
    }

    /// Re-encrypts one record's SSN under `target` unless it is on it already; `true` when it wrote.
    async fn reencrypt(
        &self,
        co: &CompanyId,
        id: RecordId,
        listed: &Item,
        target: KeyId,
        target_keys: &DerivedKeys,
    ) -> Result<bool, AppError> {
        let key = keys::record(co, id);
        let mut item = listed.clone();
        // The list index is read eventually consistently, and an edit may land between the read and the write; the
        // write is conditional on the ciphertext read, and a failed condition means reading the record again.
        for _ in 0..5 {
            let Some(stored) = item.get("ssn_encrypted").and_then(Value::as_str).map(str::to_owned) else {
                return Ok(false);
            };
            let from = key_id_of(&stored)?;
            if from == target {
                return Ok(false);
            }
            let old = self.key(from).await?;
            let digits = decrypt(&Single(old), co, id, &stored)?;
            let fresh = encrypt_with(target, &target_keys.enc, co, id, &digits)?;
            let cond = Condition::AttrEquals("ssn_encrypted".into(), Value::String(stored));
            match self.table.update(&key, Update::default().set("ssn_encrypted", fresh), Some(cond)).await {
                Ok(_) => return Ok(true),
                Err(StoreError::ConditionFailed { .. }) => match self.table.get(&key).await? {
                    Some(now) => item = now,
                    None => return Ok(false),
                },
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Internal(format!("record {} kept changing while its SSN was re-encrypted", id.0)))
    }
}

impl DataKeys for KeyRing {
    fn encryption_key(&self) -> Result<(KeyId, [u8; 32]), AppError> {
        self.with_ring(
            true,
            true,
            None,
            |c| c.keys.get(&c.ring.current).map(|k| (c.ring.current, k.enc)),
            || AppError::Internal("the SSN key ring has no current key".into()),
        )
    }

    fn decryption_key(&self, id: KeyId) -> Result<[u8; 32], AppError> {
        self.with_ring(
            false,
            false,
            Some(id),
            |c| c.keys.get(&id).map(|k| k.enc),
            || AppError::Internal(format!("SSN data key {id} is not in the key ring")),
        )
    }

    fn blind_index_key(&self) -> Result<[u8; 32], AppError> {
        self.with_ring(
            false,
            false,
            None,
            |c| c.keys.get(&FIRST_KEY).map(|k| k.idx),
            || AppError::Internal("no SSN key ring yet".into()),
        )
    }
}

/// One unwrapped key as [`DataKeys`], for decrypting what names it.
struct Single(DerivedKeys);

impl DataKeys for Single {
    fn encryption_key(&self) -> Result<(KeyId, [u8; 32]), AppError> {
        Err(AppError::Internal("not for encryption".into()))
    }
    fn decryption_key(&self, _: KeyId) -> Result<[u8; 32], AppError> {
        Ok(self.0.enc)
    }
    fn blind_index_key(&self) -> Result<[u8; 32], AppError> {
        Ok(self.0.idx)
    }
}

/// Runs `f` to completion from synchronous code inside the runtime, by handing this worker's other tasks to the
/// other workers while it waits.
fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, AppError> {
    let handle = tokio::runtime::Handle::try_current()
        .map_err(|_| AppError::Internal("the SSN key ring is read inside a Tokio runtime only".into()))?;
    match handle.runtime_flavor() {
        tokio::runtime::RuntimeFlavor::MultiThread => Ok(tokio::task::block_in_place(|| handle.block_on(f))),
        _ => Err(AppError::Internal(
            "the SSN key ring is read on demand on a multi-threaded runtime only (call KeyRing::refresh first)".into(),
        )),
    }
}

const KINDS: [Kind; 2] = [Kind::Lead, Kind::Customer];

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn ring_item(ring: &StoredRing) -> Item {
    let mut item = keys::ssn_key_ring().to_item();
    let stored: serde_json::Map<String, Value> = ring
        .keys
        .iter()
        .map(|(id, k)| (id.to_string(), json!({ "wrapped": b64().encode(&k.wrapped), "retired": k.retired })))
        .collect();
    item.insert("current".into(), json!(ring.current));
    item.insert("keys".into(), Value::Object(stored));
    item.insert("wrapped_by".into(), json!(ring.wrapped_by));
    item.insert(VERSION.into(), json!(ring.version));
    item
}

async fn read_ring(table: &dyn Table) -> Result<Option<StoredRing>, AppError> {
    let Some(item) = table.get(&keys::ssn_key_ring()).await? else { return Ok(None) };
    let bad = || AppError::Internal("the SSN key ring item is malformed".into());
    let current = item.get("current").and_then(Value::as_u64).and_then(|v| KeyId::try_from(v).ok()).ok_or_else(bad)?;
    let mut keys = BTreeMap::new();
    for (id, k) in item.get("keys").and_then(Value::as_object).ok_or_else(bad)? {
        let id: KeyId = id.parse().map_err(|_| bad())?;
        let wrapped = k.get("wrapped").and_then(Value::as_str).and_then(|w| b64().decode(w).ok()).ok_or_else(bad)?;
        let retired = k.get("retired").and_then(Value::as_bool).unwrap_or(false);
        keys.insert(id, StoredKey { wrapped, retired });
    }
    let version = item.get(VERSION).and_then(Value::as_u64).ok_or_else(bad)?;
    let wrapped_by = item.get("wrapped_by").and_then(Value::as_str).unwrap_or_default().to_owned();
    Ok(Some(StoredRing { current, keys, version, wrapped_by }))
}

/// Where the rotation job is.
#[derive(Debug, Clone)]
struct Progress {
    target: KeyId,
    /// The company being walked (`None` before the first).
    company: Option<CompanyId>,
    /// Index into [`KINDS`].
    kind: usize,
    /// The last record ID done in that company and kind.
    after: u64,
    reencrypted: u64,
    done: bool,
    /// The version this progress is saved as.
    version: u64,
}

async fn read_progress(table: &dyn Table) -> Result<Option<Progress>, AppError> {
    let Some(item) = table.get(&keys::ssn_key_rotation()).await? else { return Ok(None) };
    let bad = || AppError::Internal("the SSN key rotation item is malformed".into());
    let num = |name: &str| item.get(name).and_then(Value::as_u64);
    Ok(Some(Progress {
        target: num("target").and_then(|v| KeyId::try_from(v).ok()).ok_or_else(bad)?,
        company: item.get("company").and_then(Value::as_str).and_then(|c| CompanyId::parse(c).ok()),
        kind: num("kind").and_then(|v| usize::try_from(v).ok()).unwrap_or(0),
        after: num("after").unwrap_or(0),
        reencrypted: num("reencrypted").unwrap_or(0),
        done: item.get("done").and_then(Value::as_bool).unwrap_or(false),
        version: num(VERSION).ok_or_else(bad)?,
    }))
}

/// Writes `p` as version `p.version` over the version before it, so of two runs at once one stops here.
async fn save_progress(table: &dyn Table, p: &Progress) -> Result<(), AppError> {
    let mut item = keys::ssn_key_rotation().to_item();
    item.insert("target".into(), json!(p.target));
    item.insert("company".into(), json!(p.company.as_ref().map(|c| c.as_str())));
    item.insert("kind".into(), json!(p.kind));
    item.insert("after".into(), json!(p.after));
    item.insert("reencrypted".into(), json!(p.reencrypted));
    item.insert("done".into(), json!(p.done));
    item.insert(VERSION.into(), json!(p.version));
    let cond = if p.version <= 1 { Condition::NotExists } else { Condition::VersionIs(p.version - 1) };
    match table.put(item, Some(cond)).await {
        Ok(()) => Ok(()),
        Err(StoreError::ConditionFailed { .. }) => Err(AppError::Conflict {
            message: "another SSN key rotation run moved on; run it again to continue from there".into(),
            current: None,
        }),
        Err(e) => Err(e.into()),
    }
}

/// Every company, in ID order (the order the rotation's progress assumes).
async fn companies(table: &dyn Table) -> Result<Vec<CompanyId>, AppError> {
    let items = table.query_all(&Query::new(Index::Gsi1, keys::COMPANIES_GSI1PK)).await?;
    let mut out: Vec<CompanyId> = items
        .iter()
        .filter_map(|i| i.get("GSI1SK").and_then(Value::as_str))
        .filter_map(|c| CompanyId::parse(c).ok())
        .collect();
    out.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    out.dedup();
    Ok(out)
}

fn record_id_of(item: &Item) -> Option<RecordId> {
    item.get(Index::Gsi2.sk_attr()).and_then(Value::as_str).and_then(|s| s.parse().ok()).map(RecordId)
}

/// Whether the key ring exists (it does from the first SSN encryption on, or once a process read it ahead of time).
pub async fn ring_exists(table: &dyn Table) -> Result<bool, AppError> {
    Ok(table.get(&keys::ssn_key_ring()).await?.is_some())
}

/// Deletes the key ring (conditional on the version read). Only for a ring nothing is encrypted under: the embedded
/// default drops the ring of a lost key file when no record holds an SSN.
pub async fn forget_key_ring(table: &dyn Table) -> Result<(), AppError> {
    if let Some(ring) = read_ring(table).await? {
        table.delete(&keys::ssn_key_ring(), Some(Condition::VersionIs(ring.version))).await?;
        tracing::warn!("SSN key ring of a lost key file dropped (no record held an SSN)");
    }
    Ok(())
}

/// Whether any record stores an encrypted SSN (what the embedded default checks before it would make a new key:
/// data written before key rings existed has SSNs and no ring item).
pub async fn any_encrypted_ssn(table: &dyn Table) -> Result<bool, AppError> {
    for co in companies(table).await? {
        for kind in KINDS {
            let pk = keys::records_by_id_gsi2(&co, kind, RecordId(0)).0;
            let mut q = Query::new(Index::Gsi2, pk).limit(500);
            loop {
                let page = table.query(&q).await?;
                if page.items.iter().any(|i| i.get("ssn_encrypted").is_some_and(Value::is_string)) {
                    return Ok(true);
                }
                match page.last_key {
                    Some(k) if !page.items.is_empty() => q.start = Some(k),
                    _ => break,
                }
            }
        }
    }
    Ok(false)
}

/// The embedded default's [`KeyWrapper`]: the local key file (`ssn.key`). Its first data key is the file itself (so
/// what was encrypted before key rings existed stays readable); later keys are random and stored wrapped under a key
/// derived from the file (AES-256-GCM).
pub struct LocalKeyFile {
    secret: Vec<u8>,
    name: String,
}

/// The wrapped form recorded for the first key: a check value of the file, so a different file is refused by name
/// instead of decrypting nothing.
const FILE_MARK: &[u8] = b"file:";

impl LocalKeyFile {
    /// `name` is how errors name the file (its path).
    pub fn new(secret: Vec<u8>, name: impl Into<String>) -> Self {
        Self { secret, name: name.into() }
    }

    fn derive(&self, label: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(label);
        mac.finalize().into_bytes().into()
    }

    fn file_mark(&self) -> Vec<u8> {
        let check = self.derive(b"vigil ssn key file check v1");
        let mut mark = FILE_MARK.to_vec();
        mark.extend(check.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>().into_bytes());
        mark
    }

    fn cipher(&self) -> aes_gcm::Aes256Gcm {
        use aes_gcm::KeyInit;
        aes_gcm::Aes256Gcm::new(&self.derive(b"vigil ssn key wrapping v1").into())
    }

    fn mismatch(&self) -> StoreError {
        StoreError::Backend(format!(
            "the SSN key file {} is not the one this data's key ring was made with; restore the original file",
            self.name
        ))
    }
}

#[async_trait::async_trait]
impl KeyWrapper for LocalKeyFile {
    fn wrapping_key(&self) -> String {
        format!("local key file {}", self.name)
    }

    async fn first(&self) -> Result<vigil_store::kms::NewDataKey, StoreError> {
        Ok(vigil_store::kms::NewDataKey { plaintext: self.secret.clone(), wrapped: self.file_mark() })
    }

    async fn generate(&self) -> Result<vigil_store::kms::NewDataKey, StoreError> {
        use rand::RngCore;
        let mut plaintext = vec![0u8; 32];
        rand::thread_rng().fill_bytes(&mut plaintext);
        let wrapped = self.wrap_key(&plaintext).await?;
        Ok(vigil_store::kms::NewDataKey { plaintext, wrapped })
    }

    async fn wrap_key(&self, plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        use aes_gcm::aead::Aead;
        use rand::RngCore;
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher()
            .encrypt(aes_gcm::Nonce::from_slice(&nonce), plaintext)
            .map_err(|_| StoreError::Backend("wrapping an SSN data key failed".into()))?;
        let mut wrapped = nonce.to_vec();
        wrapped.extend(ct);
        Ok(wrapped)
    }

    async fn unwrap_key(&self, wrapped: &[u8]) -> Result<Vec<u8>, StoreError> {
        use aes_gcm::aead::Aead;
        if wrapped.starts_with(FILE_MARK) {
            return if wrapped == self.file_mark().as_slice() { Ok(self.secret.clone()) } else { Err(self.mismatch()) };
        }
        let Some((nonce, ct)) = wrapped.split_at_checked(12) else { return Err(self.mismatch()) };
        self.cipher().decrypt(aes_gcm::Nonce::from_slice(nonce), ct).map_err(|_| self.mismatch())
    }
}
