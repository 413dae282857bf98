//! A table that can refuse calls, for tests of how the code above the store copes with failures: each call is first
//! shown to a [`Gate`], which lets it through to the real table or answers with an error in its place (applying
//! nothing, as a refused call does).

use async_trait::async_trait;
use std::sync::Arc;
use vigil_store::{Condition, Item, Key, Page, Query, StoreError, Table, TxOp, Update};

/// A call as the gate sees it: which method, and what it names when that is all a test needs to tell calls apart.
#[derive(Debug, Clone, Copy)]
pub enum Call<'a> {
    Get(&'a Key),
    Put,
    Update,
    Delete,
    Query(&'a Query),
    BatchGet,
    BatchPut,
    BatchDelete,
    Transact(&'a [TxOp]),
    Increment(&'a Key),
}

/// Decides, call by call, whether the table answers.
pub trait Gate: Send + Sync {
    /// `Err` refuses the call with that error; the real table is not called.
    fn check(&self, call: Call<'_>) -> Result<(), StoreError>;
}

impl<F: Fn(Call<'_>) -> Result<(), StoreError> + Send + Sync> Gate for F {
    fn check(&self, call: Call<'_>) -> Result<(), StoreError> {
        self(call)
    }
}

/// A gate the test keeps a handle on, to change or count what it refuses while the table is in use.
impl<G: Gate + ?Sized> Gate for Arc<G> {
    fn check(&self, call: Call<'_>) -> Result<(), StoreError> {
        (**self).check(call)
    }
}

/// `inner` behind `gate`.
pub struct Gated<G> {
    pub inner: Arc<dyn Table>,
    pub gate: G,
}

#[async_trait]
impl<G: Gate> Table for Gated<G> {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.gate.check(Call::Get(key))?;
        self.inner.get(key).await
    }
    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError> {
        self.gate.check(Call::Put)?;
        self.inner.put(item, cond).await
    }
    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError> {
        self.gate.check(Call::Update)?;
        self.inner.update(key, update, cond).await
    }
    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError> {
        self.gate.check(Call::Delete)?;
        self.inner.delete(key, cond).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.gate.check(Call::Query(query))?;
        self.inner.query(query).await
    }
    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.gate.check(Call::BatchGet)?;
        self.inner.batch_get(keys).await
    }
    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError> {
        self.gate.check(Call::BatchPut)?;
        self.inner.batch_put(items).await
    }
    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        self.gate.check(Call::BatchDelete)?;
        self.inner.batch_delete(keys).await
    }
    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.gate.check(Call::Transact(&ops))?;
        self.inner.transact(ops).await
    }
    async fn increment(&self, key: &Key, by: i64) -> Result<i64, StoreError> {
        self.gate.check(Call::Increment(key))?;
        self.inner.increment(key, by).await
    }
}
