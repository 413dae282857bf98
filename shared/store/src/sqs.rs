//! The SQS backend of the [`Queue`] port (`aws-sdk-sqs`). Logical queue names map to queue URLs; redrive to a
//! dead-letter queue is SQS's own (`RedrivePolicy` on the queue, set up by the SAM template in AWS or by
//! [`SqsQueue::create`] against an emulator).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::{MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName};
use aws_sdk_sqs::Client;

use crate::queue::{OutgoingMessage, Queue, QueueError, QueueSpec, ReceivedMessage};

/// SQS's limits.
const MAX_DELAY_SECONDS: u32 = 900;
const MAX_VISIBILITY_SECONDS: u32 = 43_200;
const MAX_WAIT_SECONDS: u32 = 20;

/// Queues on SQS, addressed by logical name.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Client,
    urls: HashMap<String, String>,
}

impl SqsQueue {
    /// `urls` maps each logical queue name (`jobs`) to its queue URL.
    pub fn new(client: Client, urls: HashMap<String, String>) -> Self {
        Self { client, urls }
    }

    /// Looks up the URLs of existing queues: `names` maps each logical name to the queue's SQS name.
    pub async fn from_names(client: Client, names: HashMap<String, String>) -> Result<Self, QueueError> {
        let mut urls = HashMap::with_capacity(names.len());
        for (logical, physical) in names {
            let out =
                client.get_queue_url().queue_name(physical).send().await.map_err(|e| sdk_error("GetQueueUrl", e))?;
            let url = out.queue_url.ok_or_else(|| QueueError::Backend("SQS GetQueueUrl returned no URL".into()))?;
            urls.insert(logical, url);
        }
        Ok(Self::new(client, urls))
    }

    /// Creates (or finds, if they exist with the same attributes) one queue per spec, named `{prefix}{name}`, and
    /// sets each one's `RedrivePolicy` to its dead-letter queue, which must be one of `specs`. For emulators and
    /// tests; in AWS the queues come from the SAM template.
    pub async fn create(client: Client, prefix: &str, specs: &[QueueSpec]) -> Result<Self, QueueError> {
        let mut urls = HashMap::with_capacity(specs.len());
        for spec in specs {
            let out = client
                .create_queue()
                .queue_name(format!("{prefix}{}", spec.name))
                .send()
                .await
                .map_err(|e| sdk_error("CreateQueue", e))?;
            let url = out.queue_url.ok_or_else(|| QueueError::Backend("SQS CreateQueue returned no URL".into()))?;
            urls.insert(spec.name.clone(), url);
        }
        for spec in specs {
            let Some(dead_letter) = &spec.dead_letter else { continue };
            let dlq_url = urls.get(dead_letter).ok_or_else(|| QueueError::UnknownQueue(dead_letter.clone()))?;
            let out = client
                .get_queue_attributes()
                .queue_url(dlq_url)
                .attribute_names(QueueAttributeName::QueueArn)
                .send()
                .await
                .map_err(|e| sdk_error("GetQueueAttributes", e))?;
            let arn = out
                .attributes
                .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
                .ok_or_else(|| QueueError::Backend("SQS GetQueueAttributes returned no QueueArn".into()))?;
            let policy = serde_json::json!({ "deadLetterTargetArn": arn, "maxReceiveCount": spec.max_receives.max(1) });
            client
                .set_queue_attributes()
                .queue_url(&urls[&spec.name])
                .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
                .send()
                .await
                .map_err(|e| sdk_error("SetQueueAttributes", e))?;
        }
        Ok(Self::new(client, urls))
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The URL behind a logical name.
    pub fn url(&self, queue: &str) -> Result<&str, QueueError> {
        self.urls.get(queue).map(String::as_str).ok_or_else(|| QueueError::UnknownQueue(queue.to_string()))
    }
}

/// Maps an SDK error by operation and error code only (service messages may quote message contents).
fn sdk_error<E: ProvideErrorMetadata>(
    op: &'static str,
    err: SdkError<E, aws_sdk_sqs::config::http::HttpResponse>,
) -> QueueError {
    let code = match &err {
        SdkError::ServiceError(_) => err.code().unwrap_or("unknown service error").to_string(),
        SdkError::TimeoutError(_) => "timeout".to_string(),
        SdkError::DispatchFailure(f) if f.is_timeout() => "timeout".to_string(),
        SdkError::DispatchFailure(f) if f.is_io() => "connection failed".to_string(),
        SdkError::DispatchFailure(_) => "request could not be sent".to_string(),
        SdkError::ResponseError(_) => "unreadable response".to_string(),
        SdkError::ConstructionFailure(_) => "request could not be built".to_string(),
        _ => "unknown error".to_string(),
    };
    let invalid = matches!(err, SdkError::ServiceError(_))
        && (code.contains("Invalid") || code.contains("MessageTooLong") || code.contains("MessageNotInflight"));
    tracing::warn!(op, code = code.as_str(), "SQS request failed");
    if invalid {
        QueueError::Invalid(format!("SQS {op} rejected the request: {code}"))
    } else {
        QueueError::Backend(format!("SQS {op} failed: {code}"))
    }
}

fn to_i32(n: u32, what: &str) -> Result<i32, QueueError> {
    i32::try_from(n).map_err(|_| QueueError::Invalid(format!("{what} out of range")))
}

#[async_trait]
impl Queue for SqsQueue {
    async fn send(&self, queue: &str, message: OutgoingMessage) -> Result<String, QueueError> {
        let url = self.url(queue)?;
        if message.delay_seconds > MAX_DELAY_SECONDS {
            return Err(QueueError::Invalid(format!("delay must be at most {MAX_DELAY_SECONDS} seconds")));
        }
        let mut attributes = HashMap::with_capacity(message.attributes.len());
        for (name, value) in message.attributes {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| QueueError::Invalid(format!("message attribute {name}: {e}")))?;
            attributes.insert(name, value);
        }
        let out = self
            .client
            .send_message()
            .queue_url(url)
            .message_body(message.body)
            .delay_seconds(to_i32(message.delay_seconds, "delay")?)
            .set_message_attributes((!attributes.is_empty()).then_some(attributes))
            .send()
            .await
            .map_err(|e| sdk_error("SendMessage", e))?;
        out.message_id.ok_or_else(|| QueueError::Backend("SQS SendMessage returned no message ID".into()))
    }

    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility_timeout: u32,
        wait_seconds: u32,
    ) -> Result<Vec<ReceivedMessage>, QueueError> {
        let url = self.url(queue)?;
        if !(1..=10).contains(&max) {
            return Err(QueueError::Invalid(format!("can receive 1 to 10 messages at once, not {max}")));
        }
        if visibility_timeout > MAX_VISIBILITY_SECONDS {
            return Err(QueueError::Invalid(format!(
                "visibility timeout must be at most {MAX_VISIBILITY_SECONDS} seconds"
            )));
        }
        if wait_seconds > MAX_WAIT_SECONDS {
            return Err(QueueError::Invalid(format!("wait must be at most {MAX_WAIT_SECONDS} seconds")));
        }
        let out = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(to_i32(max, "max")?)
            .visibility_timeout(to_i32(visibility_timeout, "visibility timeout")?)
            .wait_time_seconds(to_i32(wait_seconds, "wait")?)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .message_attribute_names("All")
            .send()
            .await
            .map_err(|e| sdk_error("ReceiveMessage", e))?;
        let mut received = Vec::new();
        for m in out.messages.unwrap_or_default() {
            let (Some(message_id), Some(receipt_handle)) = (m.message_id, m.receipt_handle) else {
                return Err(QueueError::Backend(
                    "SQS ReceiveMessage returned a message without ID or receipt handle".into(),
                ));
            };
            let receive_count = m
                .attributes
                .as_ref()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                .and_then(|c| c.parse().ok())
                .unwrap_or(1);
            let attributes: BTreeMap<String, String> = m
                .message_attributes
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(name, value)| value.string_value.map(|v| (name, v)))
                .collect();
            received.push(ReceivedMessage {
                message_id,
                receipt_handle,
                body: m.body.unwrap_or_default(),
                attributes,
                receive_count,
            });
        }
        Ok(received)
    }

    async fn delete(&self, queue: &str, receipt_handle: &str) -> Result<(), QueueError> {
        let url = self.url(queue)?;
        self.client
            .delete_message()
            .queue_url(url)
            .receipt_handle(receipt_handle)
            .send()
            .await
            .map_err(|e| sdk_error("DeleteMessage", e))?;
        Ok(())
    }

    async fn change_visibility(&self, queue: &str, receipt_handle: &str, seconds: u32) -> Result<(), QueueError> {
        let url = self.url(queue)?;
        if seconds > MAX_VISIBILITY_SECONDS {
            return Err(QueueError::Invalid(format!(
                "visibility timeout must be at most {MAX_VISIBILITY_SECONDS} seconds"
            )));
        }
        self.client
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(receipt_handle)
            .visibility_timeout(to_i32(seconds, "visibility timeout")?)
            .send()
            .await
            .map_err(|e| sdk_error("ChangeMessageVisibility", e))?;
        Ok(())
    }
}
