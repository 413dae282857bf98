//! Contention is retried where it happens: at the one store call that another writer (or the backend's throttle)
//! refused, with capped exponential backoff and jitter.
//!
//! Why per store call and not by re-running the whole use case: a use case is not one atomic step. Creating a lead
//! takes its ID from the company's counter, then commits the record in a transaction, then reads it back; re-running
//! it after a refused transaction would take a second ID (a gap in the numbers users quote), and re-running it after
//! a refused read-back would create the lead twice. A call refused with [`StoreError::Busy`] applied nothing (a
//! cancelled transaction, a throttled request), so repeating exactly that call is always safe, never burns an ID and
//! never repeats a step that did commit. When the budget is spent the `Busy` reaches the caller, and the edge answers
//! 503 with `Retry-After`.

use async_trait::async_trait;
use rand::Rng;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use vigil_store::{Condition, Item, Key, Page, Query, StoreError, Table, TxOp, Update};

/// How often and how long a refused call is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Tries in all, the first included (at least one).
    pub attempts: u32,
    /// The wait before the first retry; it doubles with each retry…
    pub base: Duration,
    /// …up to this.
    pub cap: Duration,
}

impl Backoff {
    /// What the services use. Waits of 25, 50, 100 … ms up to 1 s, seven retries: at most about 2.6 s of waiting for
    /// one call, well inside API Gateway's 30 s, and past the bursts of conflicts that many writers to one company's
    /// counters cause (each conflict means another transaction committed).
    pub const STORE: Backoff = Backoff { attempts: 8, base: Duration::from_millis(25), cap: Duration::from_secs(1) };

    /// The wait before retry number `retry` (1 for the first): half of the capped exponential step fixed, half
    /// random, so writers that collided once spread out instead of colliding again in lockstep.
    pub fn delay(&self, retry: u32) -> Duration {
        let step =
            self.base.saturating_mul(1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX)).min(self.cap);
        let half = step / 2;
        let spread = u64::try_from(half.as_micros()).unwrap_or(u64::MAX);
        half + Duration::from_micros(rand::thread_rng().gen_range(0..=spread))
    }

    /// The most a call can wait in all (the random halves at their largest).
    pub fn worst_case(&self) -> Duration {
        (1..self.attempts.max(1))
            .map(|r| self.base.saturating_mul(1u32.checked_shl(r - 1).unwrap_or(u32::MAX)).min(self.cap))
            .sum()
    }
}

/// Runs `call` until it answers anything but [`StoreError::Busy`], or `backoff.attempts` tries have been made (then
/// the last `Busy` is returned). `what` names the call in the logs.
pub async fn on_busy<T, F, Fut>(backoff: &Backoff, what: &'static str, mut call: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut tries = 1;
    loop {
        match call().await {
            Err(StoreError::Busy) if tries < backoff.attempts => {
                let wait = backoff.delay(tries);
                tracing::debug!(what, tries, wait_ms = wait.as_millis() as u64, "store busy, retrying");
                tokio::time::sleep(wait).await;
                tries += 1;
            }
            Err(StoreError::Busy) => {
                tracing::warn!(what, tries, "store still busy, giving up");
                return Err(StoreError::Busy);
            }
            other => return other,
        }
    }
}

/// A [`Table`] whose every call is retried with [`on_busy`]. The services of the Lambdas and of the local runtime
/// wrap their backend in it.
pub struct RetryingTable {
    inner: Arc<dyn Table>,
    backoff: Backoff,
}

impl RetryingTable {
    pub fn new(inner: Arc<dyn Table>, backoff: Backoff) -> Self {
        Self { inner, backoff }
    }

    /// `inner` with the services' [`Backoff::STORE`], ready to go into [`crate::Services`].
    pub fn wrap(inner: Arc<dyn Table>) -> Arc<dyn Table> {
        Arc::new(Self::new(inner, Backoff::STORE))
    }
}

#[async_trait]
impl Table for RetryingTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        on_busy(&self.backoff, "get", || self.inner.get(key)).await
    }

    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError> {
        on_busy(&self.backoff, "put", || self.inner.put(item.clone(), cond.clone())).await
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError> {
        on_busy(&self.backoff, "update", || self.inner.update(key, update.clone(), cond.clone())).await
    }

    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError> {
        on_busy(&self.backoff, "delete", || self.inner.delete(key, cond.clone())).await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        on_busy(&self.backoff, "query", || self.inner.query(query)).await
    }

    // Forwarded, or the trait's default would ask the backend one query at a time (the embedded one answers a whole
    // call on one trip to its connection).
    async fn query_each(&self, queries: &[Query]) -> Result<Vec<Page>, StoreError> {
        on_busy(&self.backoff, "query_each", || self.inner.query_each(queries)).await
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        on_busy(&self.backoff, "batch_get", || self.inner.batch_get(keys)).await
    }

    // Batch writes are unconditional puts and deletes of whole items: writing them again is harmless.
    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError> {
        on_busy(&self.backoff, "batch_put", || self.inner.batch_put(items)).await
    }

    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        on_busy(&self.backoff, "batch_delete", || self.inner.batch_delete(keys)).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        on_busy(&self.backoff, "transact", || self.inner.transact(ops.clone())).await
    }

    // A refused increment added nothing, so trying it again takes exactly one number from the counter.
    async fn increment(&self, key: &Key, by: i64) -> Result<i64, StoreError> {
        on_busy(&self.backoff, "increment", || self.inner.increment(key, by)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    const FAST: Backoff = Backoff { attempts: 5, base: Duration::from_millis(1), cap: Duration::from_millis(4) };

    /// An operation that is refused as busy `busy` times, then answers `n`; counts its calls.
    async fn busy_then(calls: &AtomicU32, busy: u32, n: i64) -> Result<i64, StoreError> {
        if calls.fetch_add(1, Ordering::SeqCst) < busy {
            Err(StoreError::Busy)
        } else {
            Ok(n)
        }
    }

    #[tokio::test]
    async fn a_busy_call_is_tried_again_until_it_goes_through() {
        let calls = AtomicU32::new(0);
        assert_eq!(on_busy(&FAST, "op", || busy_then(&calls, 4, 7)).await, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 5, "four refusals, then the answer");
    }

    #[tokio::test]
    async fn the_budget_is_capped_and_busy_reaches_the_caller() {
        let calls = AtomicU32::new(0);
        assert_eq!(on_busy(&FAST, "op", || busy_then(&calls, 5, 7)).await, Err(StoreError::Busy));
        assert_eq!(calls.load(Ordering::SeqCst), FAST.attempts, "no call past the budget");
    }

    #[tokio::test]
    async fn other_failures_are_not_retried() {
        let calls = AtomicU32::new(0);
        let failed = on_busy(&FAST, "op", || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err::<(), _>(StoreError::ConditionFailed { op: None, current: None })
        })
        .await;
        assert_eq!(failed, Err(StoreError::ConditionFailed { op: None, current: None }));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waits_grow_to_the_cap_with_jitter_inside_each_step() {
        for _ in 0..200 {
            for (retry, step) in [(1, 25), (2, 50), (3, 100), (6, 800), (7, 1000), (40, 1000)] {
                let wait = Backoff::STORE.delay(retry).as_micros();
                assert!((step * 500..=step * 1000).contains(&wait), "retry {retry}: {wait}µs");
            }
        }
        assert_eq!(Backoff::STORE.worst_case(), Duration::from_millis(25 + 50 + 100 + 200 + 400 + 800 + 1000));
    }

    /// A counter whose increments are refused as busy a few times before each one applies; it also counts the
    /// queries it is asked one by one and in batches.
    #[derive(Default)]
    struct Contended {
        refusals: AtomicU32,
        value: std::sync::Mutex<i64>,
        single_queries: AtomicU32,
        batched_queries: AtomicU32,
    }

    #[async_trait]
    impl Table for Contended {
        async fn get(&self, _: &Key) -> Result<Option<Item>, StoreError> {
            Ok(None)
        }
        async fn put(&self, _: Item, _: Option<Condition>) -> Result<(), StoreError> {
            Ok(())
        }
        async fn update(&self, _: &Key, _: Update, _: Option<Condition>) -> Result<Item, StoreError> {
            Ok(Item::new())
        }
        async fn delete(&self, _: &Key, _: Option<Condition>) -> Result<Option<Item>, StoreError> {
            Ok(None)
        }
        async fn query(&self, _: &Query) -> Result<Page, StoreError> {
            self.single_queries.fetch_add(1, Ordering::SeqCst);
            Ok(Page::default())
        }
        async fn query_each(&self, queries: &[Query]) -> Result<Vec<Page>, StoreError> {
            self.batched_queries.fetch_add(1, Ordering::SeqCst);
            Ok(vec![Page::default(); queries.len()])
        }
        async fn batch_get(&self, _: &[Key]) -> Result<Vec<Item>, StoreError> {
            Ok(vec![])
        }
        async fn batch_put(&self, _: &[Item]) -> Result<(), StoreError> {
            Ok(())
        }
        async fn batch_delete(&self, _: &[Key]) -> Result<(), StoreError> {
            Ok(())
        }
        async fn transact(&self, _: Vec<TxOp>) -> Result<(), StoreError> {
            Ok(())
        }
        async fn increment(&self, _: &Key, by: i64) -> Result<i64, StoreError> {
            // Every other call is refused (and, as a refused call does, changes nothing).
            if self.refusals.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
                return Err(StoreError::Busy);
            }
            let mut v = self.value.lock().map_err(|_| StoreError::Backend("poisoned".into()))?;
            *v += by;
            Ok(*v)
        }
    }

    #[tokio::test]
    async fn retried_increments_hand_out_dense_numbers() {
        let inner = Arc::new(Contended::default());
        let table = RetryingTable::new(inner.clone(), FAST);
        let key = Key::new("C#acme", "SEQ");
        let mut got = Vec::new();
        for _ in 0..10 {
            got.push(table.increment(&key, 1).await.unwrap());
        }
        assert_eq!(got, (1..=10).collect::<Vec<_>>(), "one number per increment, none skipped");
        assert_eq!(inner.refusals.load(Ordering::SeqCst), 20);
    }

    #[tokio::test]
    async fn batched_queries_reach_the_backend_as_one_call() {
        let inner = Arc::new(Contended::default());
        let table = RetryingTable::new(inner.clone(), FAST);
        let queries: Vec<Query> =
            ["A", "B", "C"].into_iter().map(|pk| Query::new(vigil_store::Index::Base, pk)).collect();
        assert_eq!(table.query_each(&queries).await.unwrap().len(), 3);
        assert_eq!(inner.batched_queries.load(Ordering::SeqCst), 1, "one call for the three queries");
        assert_eq!(inner.single_queries.load(Ordering::SeqCst), 0, "none asked one by one");
    }
}
