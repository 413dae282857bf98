//! Loading the AWS SDK configuration shared by the DynamoDB, SQS, KMS and SES backends, and the lazily built backends
//! a Lambda uses ([`LazyDynamoTable`], [`LazySqsQueue`], [`LazyKmsKeyWrapper`], [`LazySesMailer`],
//! [`LazyBedrockModel`]).
//!
//! Why lazily: building an SDK client loads and parses the platform's root certificates and builds a TLS
//! configuration (the SDK does this in `Client::new` on purpose), and loading the configuration walks the provider
//! chains. A Lambda paid all of that before asking for its first event, even `health`, which never calls AWS, and
//! a function that only reads the table built the SQS client too. Now each client is built on its first call.

use crate::bedrock::BedrockModel;
use crate::dynamo::DynamoTable;
use crate::kms::{KeyWrapper, KmsKeyWrapper, NewDataKey};
use crate::mail::{MailError, Mailer, OutgoingMail};
use crate::model::{Model, ModelError};
use crate::queue::{OutgoingMessage, Queue, QueueError, ReceivedMessage};
use crate::ses::SesMailer;
use crate::sqs::SqsQueue;
use crate::table::{Condition, Item, Key, Page, Query, StoreError, Table, TxOp, Update};
use async_trait::async_trait;
use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The region used against a local endpoint when none is configured.
pub const LOCAL_REGION: &str = "us-east-1";

/// The SDK configuration from the usual sources (environment, profile, instance/Lambda role).
///
/// Where the environment holds the region and access keys, as Lambda's always does, those are used directly: the
/// default chains would pick the same values first, after building every other provider (profile files, SSO, web
/// identity, ECS, IMDS) that they could fall back to. Without them, the default chains decide.
///
/// With `endpoint` (a local emulator such as `moto_server`, e.g. `http://127.0.0.1:5000`), every client built from the
/// returned config talks to that endpoint; the region defaults to `us-east-1` and, unless access keys are set in the
/// environment, static test credentials are used so that no credential provider is consulted.
pub async fn aws_config(endpoint: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    let region = env_value("AWS_REGION").or_else(|| env_value("AWS_DEFAULT_REGION"));
    let env_keys = env_value("AWS_ACCESS_KEY_ID").is_some() && env_value("AWS_SECRET_ACCESS_KEY").is_some();
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
        if region.is_none() {
            loader = loader.region(Region::new(LOCAL_REGION));
        }
        if !env_keys {
            loader = loader.credentials_provider(Credentials::new("test", "test", None, None, "static"));
        }
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region));
    }
    if env_keys {
        loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
    }
    loader.load().await
}

fn env_value(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// An [`SdkConfig`] loaded by [`aws_config`] on first use, shared by the lazy backends of one process.
#[derive(Debug)]
pub struct LazySdkConfig {
    endpoint: Option<String>,
    config: OnceCell<SdkConfig>,
}

impl LazySdkConfig {
    pub fn new(endpoint: Option<String>) -> Arc<Self> {
        Arc::new(Self { endpoint, config: OnceCell::new() })
    }

    pub async fn get(&self) -> &SdkConfig {
        self.config.get_or_init(|| aws_config(self.endpoint.as_deref())).await
    }
}

/// A [`DynamoTable`] whose client is built on the first call.
#[derive(Debug)]
pub struct LazyDynamoTable {
    config: Arc<LazySdkConfig>,
    table_name: String,
    table: OnceCell<DynamoTable>,
}

impl LazyDynamoTable {
    pub fn new(config: Arc<LazySdkConfig>, table_name: impl Into<String>) -> Self {
        Self { config, table_name: table_name.into(), table: OnceCell::new() }
    }

    /// Whether the client has been built (it is, after the first call).
    pub fn is_built(&self) -> bool {
        self.table.initialized()
    }

    async fn table(&self) -> &DynamoTable {
        self.table
            .get_or_init(|| async {
                let client = aws_sdk_dynamodb::Client::new(self.config.get().await);
                DynamoTable::new(client, self.table_name.clone())
            })
            .await
    }
}

#[async_trait]
impl Table for LazyDynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.table().await.get(key).await
    }

    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError> {
        self.table().await.put(item, cond).await
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError> {
        self.table().await.update(key, update, cond).await
    }

    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError> {
        self.table().await.delete(key, cond).await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.table().await.query(query).await
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        self.table().await.batch_get(keys).await
    }

    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError> {
        self.table().await.batch_put(items).await
    }

    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        self.table().await.batch_delete(keys).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        self.table().await.transact(ops).await
    }

    async fn increment(&self, key: &Key, by: i64) -> Result<i64, StoreError> {
        self.table().await.increment(key, by).await
    }
}

/// An [`SqsQueue`] whose client is built on the first call.
#[derive(Debug)]
pub struct LazySqsQueue {
    config: Arc<LazySdkConfig>,
    urls: HashMap<String, String>,
    queue: OnceCell<SqsQueue>,
}

impl LazySqsQueue {
    /// `urls` maps each logical queue name (`jobs`) to its queue URL.
    pub fn new(config: Arc<LazySdkConfig>, urls: HashMap<String, String>) -> Self {
        Self { config, urls, queue: OnceCell::new() }
    }

    /// Whether the client has been built (it is, after the first call).
    pub fn is_built(&self) -> bool {
        self.queue.initialized()
    }

    async fn queue(&self) -> &SqsQueue {
        self.queue
            .get_or_init(|| async {
                SqsQueue::new(aws_sdk_sqs::Client::new(self.config.get().await), self.urls.clone())
            })
            .await
    }
}

#[async_trait]
impl Queue for LazySqsQueue {
    async fn send(&self, queue: &str, message: OutgoingMessage) -> Result<String, QueueError> {
        self.queue().await.send(queue, message).await
    }

    async fn receive(
        &self,
        queue: &str,
        max: u32,
        visibility_timeout: u32,
        wait_seconds: u32,
    ) -> Result<Vec<ReceivedMessage>, QueueError> {
        self.queue().await.receive(queue, max, visibility_timeout, wait_seconds).await
    }

    async fn delete(&self, queue: &str, receipt_handle: &str) -> Result<(), QueueError> {
        self.queue().await.delete(queue, receipt_handle).await
    }

    async fn change_visibility(&self, queue: &str, receipt_handle: &str, seconds: u32) -> Result<(), QueueError> {
        self.queue().await.change_visibility(queue, receipt_handle, seconds).await
    }
}

/// A [`KmsKeyWrapper`] whose client is built on the first call, so only a request that needs an SSN key pays for
/// it (and a function whose requests never do never builds it).
#[derive(Debug)]
pub struct LazyKmsKeyWrapper {
    config: Arc<LazySdkConfig>,
    key_id: String,
    wrapper: OnceCell<KmsKeyWrapper>,
}

impl LazyKmsKeyWrapper {
    pub fn new(config: Arc<LazySdkConfig>, key_id: impl Into<String>) -> Self {
        Self { config, key_id: key_id.into(), wrapper: OnceCell::new() }
    }

    /// Whether the client has been built (it is, after the first call).
    pub fn is_built(&self) -> bool {
        self.wrapper.initialized()
    }

    async fn wrapper(&self) -> &KmsKeyWrapper {
        self.wrapper
            .get_or_init(|| async {
                KmsKeyWrapper::new(aws_sdk_kms::Client::new(self.config.get().await), self.key_id.clone())
            })
            .await
    }
}

#[async_trait]
impl KeyWrapper for LazyKmsKeyWrapper {
    fn wrapping_key(&self) -> String {
        self.key_id.clone()
    }

    async fn generate(&self) -> Result<NewDataKey, StoreError> {
        self.wrapper().await.generate().await
    }

    async fn unwrap_key(&self, wrapped: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.wrapper().await.unwrap_key(wrapped).await
    }

    async fn wrap_key(&self, plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.wrapper().await.wrap_key(plaintext).await
    }
}

/// An [`SesMailer`] whose client is built on the first mail, so only the jobs worker, and only when it has mail to
/// send, pays for it.
#[derive(Debug)]
pub struct LazySesMailer {
    config: Arc<LazySdkConfig>,
    sender: String,
    mailer: OnceCell<SesMailer>,
}

impl LazySesMailer {
    /// `sender` is the verified identity mail is sent from (`VIGIL_SES_SENDER`).
    pub fn new(config: Arc<LazySdkConfig>, sender: impl Into<String>) -> Self {
        Self { config, sender: sender.into(), mailer: OnceCell::new() }
    }

    /// Whether the client has been built (it is, after the first mail).
    pub fn is_built(&self) -> bool {
        self.mailer.initialized()
    }

    async fn mailer(&self) -> &SesMailer {
        self.mailer
            .get_or_init(|| async {
                SesMailer::new(aws_sdk_sesv2::Client::new(self.config.get().await), self.sender.clone())
            })
            .await
    }
}

#[async_trait]
impl Mailer for LazySesMailer {
    fn delivers(&self) -> bool {
        true
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<String, MailError> {
        self.mailer().await.send(mail).await
    }
}

/// A [`BedrockModel`] whose client is built on the first ask.
pub struct LazyBedrockModel {
    config: Arc<LazySdkConfig>,
    model_id: String,
    model: OnceCell<BedrockModel>,
}

impl LazyBedrockModel {
    pub fn new(config: Arc<LazySdkConfig>, model_id: impl Into<String>) -> Self {
        Self { config, model_id: model_id.into(), model: OnceCell::new() }
    }
}

#[async_trait]
impl Model for LazyBedrockModel {
    async fn converse(&self, system: &str, user: &str) -> Result<String, ModelError> {
        let model = self
            .model
            .get_or_init(|| async {
                BedrockModel::new(self.config.get().await, self.model_id.clone(), crate::bedrock::TIMEOUT)
            })
            .await;
        model.converse(system, user).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::collections::HashSet;
    use std::sync::Mutex;

    /// A stand-in for DynamoDB's TransactWriteItems that behaves as the service does with `ClientRequestToken`: a
    /// token it has applied is answered with success again, without running the transaction a second time. It
    /// applies the first request and then answers 500, as a response lost after the commit looks to the caller.
    #[derive(Default)]
    struct FakeDynamo {
        /// The token of every request, in order.
        seen: Mutex<Vec<Option<String>>>,
        applied_tokens: Mutex<HashSet<String>>,
        /// The keys (`PK`) written, once each.
        records: Mutex<Vec<String>>,
    }

    impl FakeDynamo {
        fn answer(&self, body: &Value) -> (u16, Value) {
            let token = body["ClientRequestToken"].as_str().map(str::to_owned);
            let first = {
                let mut seen = self.seen.lock().unwrap();
                seen.push(token.clone());
                seen.len() == 1
            };
            if let Some(t) = &token {
                if self.applied_tokens.lock().unwrap().contains(t) {
                    return (200, json!({}));
                }
            }
            let pk = body["TransactItems"][0]["Put"]["Item"]["PK"]["S"].as_str().unwrap_or_default().to_owned();
            let mut records = self.records.lock().unwrap();
            // Every Put here is conditional on the item not existing, as the app's creates are.
            if records.contains(&pk) {
                return (
                    400,
                    json!({
                        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                        "message": "Transaction cancelled, please refer cancellation reasons for specific reasons",
                        "CancellationReasons": [{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}],
                    }),
                );
            }
            records.push(pk);
            if let Some(t) = token {
                self.applied_tokens.lock().unwrap().insert(t);
            }
            if first {
                (500, json!({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": "lost"}))
            } else {
                (200, json!({}))
            }
        }
    }

    /// Serves HTTP/1.1 requests on `listener` (a thread per connection), every body answered by `fake`.
    fn serve(listener: std::net::TcpListener, fake: Arc<FakeDynamo>) {
        use std::io::{BufRead, BufReader, Read, Write};
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut write) = stream else { return };
                let fake = fake.clone();
                std::thread::spawn(move || {
                    let Ok(read) = write.try_clone() else { return };
                    let mut read = BufReader::new(read);
                    loop {
                        let mut length = 0usize;
                        let mut line = String::new();
                        loop {
                            line.clear();
                            if read.read_line(&mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            if line == "\r\n" {
                                break;
                            }
                            if let Some((name, value)) = line.split_once(':') {
                                if name.eq_ignore_ascii_case("content-length") {
                                    length = value.trim().parse().unwrap_or(0);
                                }
                            }
                        }
                        let mut body = vec![0; length];
                        if read.read_exact(&mut body).is_err() {
                            return;
                        }
                        let (status, answer) = fake.answer(&serde_json::from_slice(&body).unwrap_or(Value::Null));
                        let answer = answer.to_string();
                        let reply = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n{answer}",
                            answer.len()
                        );
                        if write.write_all(reply.as_bytes()).is_err() {
                            return;
                        }
                    }
                });
            }
        });
    }

    fn create(pk: &str) -> Vec<TxOp> {
        let mut item = Item::new();
        item.insert("PK".into(), json!(pk));
        item.insert("SK".into(), json!("PROFILE"));
        vec![TxOp::Put { item, cond: Some(Condition::NotExists) }]
    }

    // The token travels on the request the SDK builds once; the SDK's own retries resend that request. (The SDK
    // would fill the field itself if `DynamoTable::transact` left it out, so this checks the property end to end: a
    // retry after a lost answer is recognised, rather than that one line.)
    #[tokio::test]
    async fn a_transaction_retried_after_an_ambiguous_failure_is_the_same_transaction() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let fake = Arc::new(FakeDynamo::default());
        serve(listener, fake.clone());
        let table = LazyDynamoTable::new(LazySdkConfig::new(Some(endpoint)), "t");

        // The first attempt commits but its answer is a 500; the SDK's retry must be recognised as the same
        // transaction: no 409 (its own condition would now fail) and no second record.
        table.transact(create("C#acme#L#1")).await.expect("the retried transaction succeeds");
        let seen = fake.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "one retry after the 500");
        let token = seen[0].clone().expect("TransactWriteItems carries a ClientRequestToken");
        assert_eq!(seen[1].as_deref(), Some(token.as_str()), "the retry sends the same token");
        assert_eq!(*fake.records.lock().unwrap(), ["C#acme#L#1"]);

        // A different write is a different transaction, with its own token.
        table.transact(create("C#acme#L#2")).await.expect("a second create");
        let seen = fake.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 3);
        assert_ne!(seen[2].as_deref(), Some(token.as_str()), "each transaction has its own token");
        // And the same write made again as a new call is refused by its condition, as it must be.
        let again = table.transact(create("C#acme#L#2")).await.unwrap_err();
        assert!(matches!(again, StoreError::ConditionFailed { .. }), "{again:?}");
        assert_eq!(fake.records.lock().unwrap().len(), 2);
    }
}
