//! The guard that keeps a redelivered message from being handled twice (as Powertools for AWS Lambda does it): a
//! worker claims the message's idempotency key with a conditional put before doing anything, marks it done after,
//! and releases it if the work failed so a retry can claim it again. A claim whose worker died expires after its
//! lease.

use crate::AppError;
use serde_json::{json, Value};
use vigil_store::{keys, Condition, Key, StoreError, Table, Update, EXPIRES_AT};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This worker owns the key now: do the work, then `complete` or `release`.
    Acquired,
    /// The work was done before: skip it and report success.
    AlreadyDone,
    /// Another worker holds a live lease: report failure so the message comes back later.
    InProgress,
}

/// How long a finished key is remembered (SQS redelivers within the retention period; 4 days by default).
pub const REMEMBER_SECS: i64 = 7 * 24 * 3600;

pub async fn claim(table: &dyn Table, scope: &str, key: &str, now: i64, lease_secs: i64) -> Result<Claim, AppError> {
    let k = keys::idempotency(scope, key);
    let mut item = k.to_item();
    item.insert("status".into(), json!("in_progress"));
    item.insert(EXPIRES_AT.into(), json!(now + lease_secs));
    let free = Condition::Or(vec![
        Condition::NotExists,
        Condition::And(vec![
            Condition::AttrEquals("status".into(), json!("in_progress")),
            Condition::AttrLessThan(EXPIRES_AT.into(), now as f64),
        ]),
    ]);
    match table.put(item, Some(free)).await {
        Ok(()) => Ok(Claim::Acquired),
        Err(StoreError::ConditionFailed { current, .. }) => {
            let done = current.as_ref().and_then(|c| c.get("status")).and_then(Value::as_str) == Some("done");
            Ok(if done { Claim::AlreadyDone } else { Claim::InProgress })
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn complete(table: &dyn Table, scope: &str, key: &str, now: i64) -> Result<(), AppError> {
    let update = Update::default().set("status", "done").set(EXPIRES_AT, now + REMEMBER_SECS);
    table.update(&keys::idempotency(scope, key), update, None).await?;
    Ok(())
}

pub async fn release(table: &dyn Table, scope: &str, key: &str) -> Result<(), AppError> {
    let k: Key = keys::idempotency(scope, key);
    table.delete(&k, Some(Condition::AttrEquals("status".into(), json!("in_progress")))).await.or_else(
        |e| match e {
            StoreError::ConditionFailed { .. } => Ok(None),
            e => Err(e),
        },
    )?;
    Ok(())
}
