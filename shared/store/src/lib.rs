//! Storage for Vigil: the single-table key design ([`keys`]), the [`Table`], [`Queue`] and [`Mailer`] ports the app
//! layer talks to, and their backends: DynamoDB/SQS/SES ([`dynamo`], [`sqs`], [`ses`]) for AWS and one embedded
//! SQLite file (`embedded`, behind the `embedded` feature, which Lambda builds leave off) for a laptop, where mail is
//! not sent ([`mail::OutboxOnly`]). No business rule lives here.

pub mod aws;
pub mod bedrock;
pub mod cognito;
pub mod cursor;
pub mod dynamo;
#[cfg(feature = "embedded")]
pub mod embedded;
pub mod keys;
pub mod kms;
pub mod mail;
pub mod model;
pub mod objects;
pub mod queue;
pub mod s3;
pub mod ses;
pub mod sqs;
pub mod table;
pub mod user_pool;

pub use cursor::{CursorError, CursorSigner};
pub use dynamo::DynamoTable;
pub use mail::{MailError, Mailer, OutgoingMail};
pub use model::{Model, ModelError};
pub use objects::ObjectStore;
pub use queue::{OutgoingMessage, Queue, QueueError, QueueSpec, ReceivedMessage};
pub use sqs::SqsQueue;
pub use table::{
    Condition, Index, Item, Key, Page, Query, SortCond, StoreError, Table, TxOp, Update, EXPIRES_AT, PK, SK, VERSION,
};
pub use user_pool::{PoolUser, UserPool, UserPoolError};
