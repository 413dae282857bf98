//! The per-user allowance of Copilot asks: one counter item per user and window, incremented only while under the
//! limit (a conditional update, so concurrent asks cannot pass it), expiring with the table's TTL.

use crate::{Actor, AppError, Services};
use vigil_store::{keys, Condition, StoreError, Update};

pub const WINDOW_SECS: i64 = 60;
pub const ASKS_PER_WINDOW: u32 = 20;

pub(super) async fn take(svc: &Services, actor: &Actor) -> Result<(), AppError> {
    let now = svc.clock.now().unix_timestamp();
    let window = now - now.rem_euclid(WINDOW_SECS);
    let key = keys::copilot_window(actor.company(), actor.id(), window);
    let update = Update::default().add("count", 1).set("expires_at", window + 2 * WINDOW_SECS);
    let under =
        Condition::Or(vec![Condition::NotExists, Condition::AttrLessThan("count".into(), f64::from(ASKS_PER_WINDOW))]);
    match svc.table.update(&key, update, Some(under)).await {
        Ok(_) => Ok(()),
        Err(StoreError::ConditionFailed { .. }) => {
            let left = (window + WINDOW_SECS - now).max(1);
            Err(AppError::RateLimited { retry_after: u32::try_from(left).unwrap_or(1) })
        }
        Err(e) => Err(e.into()),
    }
}
