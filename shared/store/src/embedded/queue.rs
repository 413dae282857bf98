//! [`Queue`] on SQLite: one row per message, hidden by a `visible_at` time, as SQS hides in-flight messages.
//!
//! Receipt handles: every receive issues a new one and forgets the old. Deleting with an outdated or unknown handle
//! is a no-op (the message stays and will be delivered again), as SQS answers such deletes with success too;
//! changing the visibility with one is an error, as in SQS.

use super::{now_millis, queue_err, random_id, Shared};
use crate::{OutgoingMessage, Queue, QueueError, QueueSpec, ReceivedMessage};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// SQS's limits, enforced so code that breaks them fails locally too.
const MAX_DELAY_SECONDS: u32 = 900;
const MAX_VISIBILITY_SECONDS: u32 = 12 * 60 * 60;
const MAX_WAIT_SECONDS: u32 = 20;
const MAX_BODY_BYTES: usize = 256 * 1024;
const MAX_ATTRIBUTES: usize = 10;
/// A long poll is woken by sends in this process; this bounds how late it notices a message another process sent.
const MAX_POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The [`Queue`] port on the embedded database. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedQueue {
    shared: Arc<Shared>,
    specs: Arc<HashMap<String, QueueSpec>>,
}

impl std::fmt::Debug for EmbeddedQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedQueue").field("queues", &self.specs.keys().collect::<Vec<_>>()).finish_non_exhaustive()
    }
}

fn invalid(msg: impl Into<String>) -> QueueError {
    QueueError::Invalid(msg.into())
}

impl EmbeddedQueue {
    pub(super) fn new(shared: Arc<Shared>, specs: Vec<QueueSpec>) -> Result<Self, QueueError> {
        let mut by_name = HashMap::new();
        for spec in specs {
            if spec.name.is_empty() {
                return Err(invalid("a queue needs a name"));
            }
            if spec.max_receives == 0 {
                return Err(invalid(format!("queue {}: max_receives must be at least 1", spec.name)));
            }
            if by_name.insert(spec.name.clone(), spec.clone()).is_some() {
                return Err(invalid(format!("queue {} is specified twice", spec.name)));
            }
        }
        for spec in by_name.values() {
            if let Some(dlq) = &spec.dead_letter {
                if !by_name.contains_key(dlq) || dlq == &spec.name {
                    return Err(invalid(format!(
                        "queue {}: dead-letter queue {dlq} is not among the queues",
                        spec.name
                    )));
                }
            }
        }
        // Recorded so the file says which queues its messages belong to; the specs in memory are what count.
        shared.with_conn(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(queue_err)?;
            for spec in by_name.values() {
                tx.execute(
                    "INSERT INTO queues (name, dead_letter, max_receives) VALUES (?1, ?2, ?3)
                     ON CONFLICT (name) DO UPDATE SET dead_letter = excluded.dead_letter, max_receives = excluded.max_receives",
                    params![spec.name, spec.dead_letter, spec.max_receives],
                )
                .map_err(queue_err)?;
            }
            tx.commit().map_err(queue_err)
        })?;
        Ok(Self { shared, specs: Arc::new(by_name) })
    }

    fn spec(&self, queue: &str) -> Result<&QueueSpec, QueueError> {
        self.specs.get(queue).ok_or_else(|| QueueError::UnknownQueue(queue.to_string()))
    }
}

struct Candidate {
    seq: i64,
    id: String,
    body: String,
    attributes: String,
    receive_count: i64,
}

/// One receive attempt: takes up to `max` visible messages, moving those past `max_receives` to the dead-letter
/// queue on the way, all in one transaction so two receivers never get the same message.
fn receive_now(
    conn: &mut Connection,
    spec: &QueueSpec,
    max: u32,
    visibility: u32,
) -> Result<Vec<ReceivedMessage>, QueueError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(queue_err)?;
    let now = now_millis();
    let hidden_until = now + i64::from(visibility) * 1000;
    let mut out = Vec::new();
    // A zero visibility timeout leaves a received message visible; never hand it out twice in one receive.
    let mut done = HashSet::new();
    while out.len() < max as usize {
        let want = (max as usize - out.len() + done.len()) as i64;
        let candidates: Vec<Candidate> = tx
            .prepare_cached(
                "SELECT seq, id, body, attributes, receive_count FROM messages
                 WHERE queue = ?1 AND visible_at <= ?2 ORDER BY visible_at, seq LIMIT ?3",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![spec.name, now, want], |r| {
                    Ok(Candidate {
                        seq: r.get(0)?,
                        id: r.get(1)?,
                        body: r.get(2)?,
                        attributes: r.get(3)?,
                        receive_count: r.get(4)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(queue_err)?;
        let fresh: Vec<Candidate> = candidates.into_iter().filter(|c| !done.contains(&c.seq)).collect();
        if fresh.is_empty() {
            break;
        }
        for c in fresh {
            if out.len() == max as usize {
                break;
            }
            done.insert(c.seq);
            let count = c.receive_count + 1;
            if let Some(dlq) = spec.dead_letter.as_ref().filter(|_| count > i64::from(spec.max_receives)) {
                // The dead-letter queue counts its own receives from zero.
                tx.execute(
                    "UPDATE messages SET queue = ?1, visible_at = ?2, receive_count = 0, receipt = NULL WHERE seq = ?3",
                    params![dlq, now, c.seq],
                )
                .map_err(queue_err)?;
                continue;
            }
            let receipt = random_id();
            tx.execute(
                "UPDATE messages SET receive_count = ?1, receipt = ?2, visible_at = ?3 WHERE seq = ?4",
                params![count, receipt, hidden_until, c.seq],
            )
            .map_err(queue_err)?;
            let attributes: BTreeMap<String, String> = serde_json::from_str(&c.attributes)
                .map_err(|e| QueueError::Backend(format!("stored message attributes are not valid JSON: {e}")))?;
            out.push(ReceivedMessage {
                message_id: c.id,
                receipt_handle: receipt,
                body: c.body,
                attributes,
                receive_count: u32::try_from(count).unwrap_or(u32::MAX),
            });
        }
    }
    tx.commit().map_err(queue_err)?;
    Ok(out)
}

/// When the next message of `queue` becomes visible (epoch ms), if it holds any.
fn next_visible(conn: &Connection, queue: &str) -> Result<Option<i64>, QueueError> {
    conn.prepare_cached("SELECT MIN(visible_at) FROM messages WHERE queue = ?1")
        .and_then(|mut stmt| stmt.query_row(params![queue], |r| r.get::<_, Option<i64>>(0)).optional())
        .map(Option::flatten)
        .map_err(queue_err)
}

#[async_trait]
impl Queue for EmbeddedQueue {
    async fn send(&self, queue: &str, message: OutgoingMessage) -> Result<String, QueueError> {
        let spec = self.spec(queue)?;
        if message.delay_seconds > MAX_DELAY_SECONDS {
            return Err(invalid(format!("delay of {} s is over {MAX_DELAY_SECONDS} s", message.delay_seconds)));
        }
        if message.body.is_empty() || message.body.len() > MAX_BODY_BYTES {
            return Err(invalid(format!("message body must be 1 byte to 256 KB, got {} bytes", message.body.len())));
        }
        if message.attributes.len() > MAX_ATTRIBUTES {
            return Err(invalid(format!(
                "at most {MAX_ATTRIBUTES} message attributes, got {}",
                message.attributes.len()
            )));
        }
        let attributes = serde_json::to_string(&message.attributes)
            .map_err(|e| QueueError::Backend(format!("cannot encode message attributes: {e}")))?;
        let id = random_id();
        let name = spec.name.clone();
        let row_id = id.clone();
        self.shared
            .run(move |conn| {
                let now = now_millis();
                conn.execute(
                    "INSERT INTO messages (queue, id, body, attributes, sent_at, visible_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![name, row_id, message.body, attributes, now, now + i64::from(message.delay_seconds) * 1000],
                )
                .map_err(queue_err)
            })
            .await?;
        self.shared.arrivals.notify_waiters();
        Ok(id)
    }

    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility_timeout: u32,
        wait_seconds: u32,
    ) -> Result<Vec<ReceivedMessage>, QueueError> {
        let spec = self.spec(queue)?.clone();
        if !(1..=10).contains(&max) {
            return Err(invalid(format!("receive takes 1 to 10 messages, not {max}")));
        }
        if visibility_timeout > MAX_VISIBILITY_SECONDS {
            return Err(invalid(format!("visibility timeout of {visibility_timeout} s is over 12 hours")));
        }
        if wait_seconds > MAX_WAIT_SECONDS {
            return Err(invalid(format!("wait of {wait_seconds} s is over {MAX_WAIT_SECONDS} s")));
        }
        let deadline = Instant::now() + Duration::from_secs(u64::from(wait_seconds));
        loop {
            // Registered before looking, so a send between the look and the wait still wakes us.
            let arrival = self.shared.arrivals.notified();
            tokio::pin!(arrival);
            arrival.as_mut().enable();

            let attempt_spec = spec.clone();
            let (got, next) = self
                .shared
                .run(move |conn| {
                    let got = receive_now(conn, &attempt_spec, max, visibility_timeout)?;
                    let next = if got.is_empty() { next_visible(conn, &attempt_spec.name)? } else { None };
                    Ok((got, next))
                })
                .await?;
            let now = Instant::now();
            if !got.is_empty() || now >= deadline {
                return Ok(got);
            }
            // Sleep until a message is due (delay or visibility ending), one arrives, or the wait is over.
            let mut nap = (deadline - now).min(MAX_POLL_INTERVAL);
            if let Some(at) = next {
                let due = u64::try_from(at.saturating_sub(now_millis())).unwrap_or(0);
                nap = nap.min(Duration::from_millis(due.max(1)));
            }
            let _ = tokio::time::timeout(nap, arrival).await;
        }
    }

    async fn delete(&self, queue: &str, receipt_handle: &str) -> Result<(), QueueError> {
        let name = self.spec(queue)?.name.clone();
        let receipt = receipt_handle.to_string();
        self.shared
            .run(move |conn| {
                conn.execute("DELETE FROM messages WHERE queue = ?1 AND receipt = ?2", params![name, receipt])
                    .map_err(queue_err)
            })
            .await?;
        Ok(())
    }

    async fn change_visibility(&self, queue: &str, receipt_handle: &str, seconds: u32) -> Result<(), QueueError> {
        let name = self.spec(queue)?.name.clone();
        if seconds > MAX_VISIBILITY_SECONDS {
            return Err(invalid(format!("visibility timeout of {seconds} s is over 12 hours")));
        }
        let receipt = receipt_handle.to_string();
        let changed = self
            .shared
            .run(move |conn| {
                conn.execute(
                    "UPDATE messages SET visible_at = ?1 WHERE queue = ?2 AND receipt = ?3",
                    params![now_millis() + i64::from(seconds) * 1000, name, receipt],
                )
                .map_err(queue_err)
            })
            .await?;
        if changed == 0 {
            return Err(invalid("receipt handle is not the latest of any message in this queue"));
        }
        if seconds == 0 {
            self.shared.arrivals.notify_waiters();
        }
        Ok(())
    }
}
