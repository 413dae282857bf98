//! Token buckets held in the table, so a limit holds across every Lambda container (and the local runtime's tasks).
//! A bucket holds up to one minute's allowance and refills continuously; each post takes one token. Tokens are
//! counted in thousandths so the refill needs no fractions.

use crate::{AppError, Services};
use serde_json::{json, Value};
use vigil_domain::CompanyId;
use vigil_store::{keys, Condition, StoreError, EXPIRES_AT};

const MILLI: i64 = 1000;
const MINUTE_MS: i64 = 60_000;
/// Writers racing on one bucket each re-read and try again; past this many the caller is told to come back.
const TRIES: usize = 8;

/// Takes one token from `bucket` (a minute holds `per_minute`), or says after how many seconds one will be there.
pub async fn take(svc: &Services, co: &CompanyId, bucket: &str, per_minute: u32) -> Result<(), AppError> {
    let key = keys::intake_rate_bucket(co, bucket);
    let capacity = i64::from(per_minute.max(1)) * MILLI;
    for _ in 0..TRIES {
        let now = svc.clock.now();
        let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let stored = svc.table.get(&key).await?;
        let num = |k: &str| stored.as_ref().and_then(|i| i.get(k)).and_then(Value::as_i64);
        let version = num("version").unwrap_or(0);
        let (tokens, at) = match (num("tokens"), num("at_ms")) {
            (Some(t), Some(a)) => (t, a),
            _ => (capacity, now_ms),
        };
        // A full minute refills the bucket, so a longer gap adds nothing more (and cannot overflow).
        let elapsed = if now_ms <= at { 0 } else { (now_ms - at).min(MINUTE_MS) };
        let tokens = (tokens + elapsed * capacity / MINUTE_MS).min(capacity);
        if tokens < MILLI {
            let missing_ms = (MILLI - tokens) * MINUTE_MS / capacity;
            let retry_after = u32::try_from(missing_ms / 1000 + 1).unwrap_or(60);
            return Err(AppError::RateLimited { retry_after });
        }
        let mut item = key.to_item();
        item.insert("tokens".into(), json!(tokens - MILLI));
        item.insert("at_ms".into(), json!(now_ms));
        item.insert("version".into(), json!(version + 1));
        item.insert(EXPIRES_AT.into(), json!(now.unix_timestamp() + 120));
        let cond =
            if version == 0 { Condition::NotExists } else { Condition::VersionIs(u64::try_from(version).unwrap_or(0)) };
        match svc.table.put(item, Some(cond)).await {
            Ok(()) => return Ok(()),
            Err(StoreError::ConditionFailed { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::RateLimited { retry_after: 1 })
}
