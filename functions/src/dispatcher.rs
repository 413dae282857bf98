//! The transactional outbox's relay in AWS: the table's stream delivers each pending job the moment the change that
//! wrote it commits, and this moves it to the jobs queue (`vigil_app::jobs::dispatch`). The local runtime plays the
//! stream by polling the pending jobs instead.
//!
//! The stream event is read as plain JSON: only the new image's string attributes are needed, and that keeps the
//! DynamoDB event types (and their serde bridge) out of the binaries.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tracing::{info, warn};
use vigil_app::jobs;
use vigil_app::Services;
use vigil_store::{keys, Item, SK};

#[derive(Debug, Default, Deserialize)]
pub struct StreamEvent {
    #[serde(rename = "Records", default)]
    pub records: Vec<StreamRecord>,
}

#[derive(Debug, Deserialize)]
pub struct StreamRecord {
    #[serde(default)]
    pub dynamodb: StreamData,
}

#[derive(Debug, Default, Deserialize)]
pub struct StreamData {
    #[serde(rename = "SequenceNumber", default)]
    pub sequence_number: String,
    #[serde(rename = "NewImage", default)]
    pub new_image: Map<String, Value>,
}

/// `ReportBatchItemFailures` for a stream: the first record that failed; Lambda retries from there.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct StreamBatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// An image's string and number attributes as an item (`{"S": "x"}` → `"x"`); other types are not on a pending job.
fn plain(image: &Map<String, Value>) -> Item {
    image
        .iter()
        .filter_map(|(k, v)| match (v.get("S"), v.get("N").and_then(Value::as_str)) {
            (Some(s), _) => Some((k.clone(), s.clone())),
            (None, Some(n)) => {
                n.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(|n| (k.clone(), n.into()))
            }
            _ => None,
        })
        .collect()
}

/// Relays the batch's pending jobs in order, stopping at the first that cannot be sent (the ones after it come
/// again with the retry; a job sent twice runs once, by its idempotency key).
pub async fn outbox_dispatcher(svc: &Services, event: StreamEvent) -> StreamBatchResponse {
    let mut response = StreamBatchResponse::default();
    for record in event.records {
        let item = plain(&record.dynamodb.new_image);
        let is_job = item.get(SK).and_then(Value::as_str).is_some_and(|sk| sk.starts_with(keys::PENDING_JOB_PREFIX));
        if !is_job {
            continue;
        }
        match jobs::dispatch(svc, &item).await {
            Ok(()) => info!(sequence = record.dynamodb.sequence_number.as_str(), "pending job dispatched"),
            Err(e) => {
                warn!(sequence = record.dynamodb.sequence_number.as_str(), error = %e, "pending job not dispatched");
                response.batch_item_failures.push(ItemFailure { item_identifier: record.dynamodb.sequence_number });
                break;
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stream_image_reads_as_a_plain_item() {
        let event: StreamEvent = serde_json::from_value(json!({"Records": [{"eventName": "INSERT", "dynamodb": {
            "SequenceNumber": "42",
            "NewImage": {"PK": {"S": "C#acme#PENDINGJOBS"}, "SK": {"S": "JOB#k"}, "envelope": {"S": "{}"},
                         "n": {"N": "3"}, "l": {"L": []}}
        }}]}))
        .expect("a stream event");
        let item = plain(&event.records[0].dynamodb.new_image);
        assert_eq!(Value::Object(item), json!({"PK": "C#acme#PENDINGJOBS", "SK": "JOB#k", "envelope": "{}", "n": 3.0}));
        assert_eq!(event.records[0].dynamodb.sequence_number, "42");
    }

    #[test]
    fn the_response_names_the_failed_record() {
        let r = StreamBatchResponse { batch_item_failures: vec![ItemFailure { item_identifier: "7".into() }] };
        assert_eq!(
            serde_json::to_value(r).expect("serialises"),
            json!({"batchItemFailures": [{"itemIdentifier": "7"}]})
        );
    }
}
