//! The `Queue` port: SQS semantics (at-least-once, visibility timeout, redrive to a dead-letter queue after N
//! receives). Queues are named logically (`jobs`); each backend maps the name to its own queue.

use async_trait::async_trait;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSpec {
    pub name: String,
    /// Where a message goes once it has been received `max_receives` times without being deleted.
    pub dead_letter: Option<String>,
    pub max_receives: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub body: String,
    /// Not receivable before this many seconds (SQS allows up to 900).
    pub delay_seconds: u32,
    /// String message attributes.
    pub attributes: BTreeMap<String, String>,
}

impl OutgoingMessage {
    pub fn new(body: impl Into<String>) -> Self {
        Self { body: body.into(), ..Self::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    /// Changes with every receive; deleting needs the latest.
    pub receipt_handle: String,
    pub body: String,
    pub attributes: BTreeMap<String, String>,
    /// How many times it has been received, this time included (SQS `ApproximateReceiveCount`).
    pub receive_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("no queue named {0}")]
    UnknownQueue(String),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("queue backend failed: {0}")]
    Backend(String),
}

#[async_trait]
pub trait Queue: Send + Sync {
    /// Returns the message ID.
    async fn send(&self, queue: &str, message: OutgoingMessage) -> Result<String, QueueError>;

    /// Up to `max` (1..=10) visible messages, hidden for `visibility_timeout` seconds after. Waits at most
    /// `wait_seconds` (0..=20) for one to arrive. Messages past their queue's `max_receives` go to its dead-letter
    /// queue instead of being returned.
    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility_timeout: u32,
        wait_seconds: u32,
    ) -> Result<Vec<ReceivedMessage>, QueueError>;

    async fn delete(&self, queue: &str, receipt_handle: &str) -> Result<(), QueueError>;

    /// Makes a received message visible again after `seconds` (0 = now): how a worker backs off before a retry.
    async fn change_visibility(&self, queue: &str, receipt_handle: &str, seconds: u32) -> Result<(), QueueError>;
}
