//! The DynamoDB backend of the [`Table`] port (`aws-sdk-dynamodb`, items converted with `serde_dynamo`).
//!
//! Every port concept maps onto one DynamoDB request: conditions become `ConditionExpression`s with generated
//! `#n`/`:v` placeholders, updates become `UpdateExpression`s (`SET`/`REMOVE`/`ADD`), queries become
//! `KeyConditionExpression`s, and a condition that does not hold comes back with the stored item
//! (`ReturnValuesOnConditionCheckFailure = ALL_OLD`). Errors never carry item contents: only the operation and the
//! service's error code.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, DeleteRequest, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, KeysAndAttributes, Projection, ProjectionType, Put, PutRequest, ReturnValue,
    ReturnValuesOnConditionCheckFailure, ScalarAttributeType, TransactWriteItem, Update as DynamoUpdate, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use serde_dynamo::aws_sdk_dynamodb_1 as conv;
use serde_json::Value;

use crate::table::{
    Condition, Index, Item, Key, Page, Query, SortCond, StoreError, Table, TxOp, Update, PK, SK, VERSION,
};

type AvMap = HashMap<String, AttributeValue>;

/// DynamoDB's limits per request.
const BATCH_GET_MAX: usize = 100;
const BATCH_WRITE_MAX: usize = 25;
const TRANSACT_MAX: usize = 100;
/// Attempts at a batch's unprocessed keys/items before giving up with [`StoreError::Busy`].
const BATCH_ATTEMPTS: u32 = 10;

/// An attribute no item has: removing it is how an update with nothing to change is expressed (DynamoDB needs an
/// update expression in a transaction, and an empty update still creates a missing item).
const NOOP_ATTR: &str = "__vigil_noop";

/// The single table on DynamoDB.
#[derive(Debug, Clone)]
pub struct DynamoTable {
    client: Client,
    table: String,
    consistent_reads: bool,
}

impl DynamoTable {
    /// The table `table_name`, which must already exist with the key schema of [`DynamoTable::create`].
    /// Reads of the base table are strongly consistent (see [`DynamoTable::with_consistent_reads`]).
    pub fn new(client: Client, table_name: impl Into<String>) -> Self {
        Self { client, table: table_name.into(), consistent_reads: true }
    }

    /// Whether `get`, `batch_get` and base-table queries read strongly consistently (the default; GSI queries
    /// are always eventually consistent, as DynamoDB allows nothing else).
    pub fn with_consistent_reads(mut self, consistent: bool) -> Self {
        self.consistent_reads = consistent;
        self
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Creates the table with Vigil's schema: `PK`/`SK` (strings) and the global secondary indexes `GSI1`..`GSI4`
    /// keyed on `GSInPK`/`GSInSK` (strings), all projecting every attribute, billed per request. For emulators and
    /// tests; in AWS the table comes from the SAM template.
    pub async fn create(client: Client, table_name: impl Into<String>) -> Result<Self, StoreError> {
        let table_name = table_name.into();
        let mut request = client
            .create_table()
            .table_name(&table_name)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key_element(PK, KeyType::Hash)?)
            .key_schema(key_element(SK, KeyType::Range)?)
            .attribute_definitions(string_attr(PK)?)
            .attribute_definitions(string_attr(SK)?);
        for index in Index::GSIS {
            let name = index.name().unwrap_or_default();
            request = request
                .attribute_definitions(string_attr(index.pk_attr())?)
                .attribute_definitions(string_attr(index.sk_attr())?)
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(name)
                        .key_schema(key_element(index.pk_attr(), KeyType::Hash)?)
                        .key_schema(key_element(index.sk_attr(), KeyType::Range)?)
                        .projection(Projection::builder().projection_type(ProjectionType::All).build())
                        .build()
                        .map_err(build_error)?,
                );
        }
        request.send().await.map_err(|e| sdk_error("CreateTable", e))?;
        Ok(Self::new(client, table_name))
    }
}

fn key_element(name: &str, key_type: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder().attribute_name(name).key_type(key_type).build().map_err(build_error)
}

fn string_attr(name: &str) -> Result<AttributeDefinition, StoreError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(build_error)
}

// ---------------------------------------------------------------------------------------------------------------
// Conversions

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Invalid(format!("could not build DynamoDB request: {e}"))
}

fn to_av_map(item: &Item) -> Result<AvMap, StoreError> {
    conv::to_item(item).map_err(|_| StoreError::Invalid("item cannot be stored in DynamoDB".into()))
}

fn to_av(value: &Value) -> Result<AttributeValue, StoreError> {
    conv::to_attribute_value(value).map_err(|_| StoreError::Invalid("value cannot be stored in DynamoDB".into()))
}

fn key_map(key: &Key) -> AvMap {
    HashMap::from([
        (PK.to_string(), AttributeValue::S(key.pk.clone())),
        (SK.to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

/// Whether `serde_dynamo` can decode the value (it cannot decode attribute types newer than this SDK).
fn decodable(value: &AttributeValue) -> bool {
    match value {
        AttributeValue::S(_)
        | AttributeValue::N(_)
        | AttributeValue::B(_)
        | AttributeValue::Bool(_)
        | AttributeValue::Null(_)
        | AttributeValue::Ss(_)
        | AttributeValue::Ns(_)
        | AttributeValue::Bs(_) => true,
        AttributeValue::L(list) => list.iter().all(decodable),
        AttributeValue::M(map) => map.values().all(decodable),
        _ => false,
    }
}

fn from_av_map(map: AvMap) -> Result<Item, StoreError> {
    if !map.values().all(decodable) {
        return Err(StoreError::Backend("DynamoDB returned an attribute of an unknown type".into()));
    }
    conv::from_item(map).map_err(|_| StoreError::Backend("could not decode an item returned by DynamoDB".into()))
}

fn from_av_map_opt(map: Option<AvMap>) -> Result<Option<Item>, StoreError> {
    match map {
        Some(map) if !map.is_empty() => from_av_map(map).map(Some),
        _ => Ok(None),
    }
}

fn item_key(item: &Item) -> Result<Key, StoreError> {
    Key::of(item).ok_or_else(|| StoreError::Invalid("item lacks string PK and SK attributes".into()))
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

/// Error codes that mean "slow down / someone else is writing": safe to retry.
fn is_busy_code(code: &str) -> bool {
    matches!(
        code,
        "ThrottlingException"
            | "ProvisionedThroughputExceededException"
            | "RequestLimitExceeded"
            | "TransactionConflictException"
            | "TransactionInProgressException"
            | "ReplicatedWriteConflictException"
    )
}

/// Maps an SDK error that is not a condition failure. The message names the operation and the error code only:
/// service messages can quote request values, which may be personal data.
fn sdk_error<E: ProvideErrorMetadata>(
    op: &'static str,
    err: SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> StoreError {
    let what = match &err {
        SdkError::ServiceError(_) => err.code().unwrap_or("unknown service error").to_string(),
        SdkError::TimeoutError(_) => "timeout".to_string(),
        SdkError::DispatchFailure(f) if f.is_timeout() => "timeout".to_string(),
        SdkError::DispatchFailure(f) if f.is_io() => "connection failed".to_string(),
        SdkError::DispatchFailure(_) => "request could not be sent".to_string(),
        SdkError::ResponseError(_) => "unreadable response".to_string(),
        SdkError::ConstructionFailure(_) => "request could not be built".to_string(),
        _ => "unknown error".to_string(),
    };
    service_code_error(op, &what)
}

fn service_code_error(op: &'static str, code: &str) -> StoreError {
    if is_busy_code(code) {
        tracing::debug!(op, code, "DynamoDB busy");
        return StoreError::Busy;
    }
    if code == "ValidationException" {
        // A request DynamoDB refuses as malformed (a key past its size limit, …) is what the embedded backend reports
        // as `Invalid` too, so both backends fail the same way.
        tracing::warn!(op, code, "DynamoDB refused the request");
        return StoreError::Invalid(format!("DynamoDB {op} refused the request: {code}"));
    }
    tracing::warn!(op, code, "DynamoDB request failed");
    StoreError::Backend(format!("DynamoDB {op} failed: {code}"))
}

fn condition_failed(op: Option<usize>, item: Option<AvMap>) -> StoreError {
    // An undecodable stored item still means the condition failed; report it without the item.
    let current = from_av_map_opt(item).unwrap_or(None);
    StoreError::ConditionFailed { op, current }
}

// ---------------------------------------------------------------------------------------------------------------
// Expressions

/// Placeholders for one request's expressions: `#nK` for names, `:vK` for values.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    name_of: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    fn name(&mut self, attr: &str) -> String {
        if let Some(p) = self.name_of.get(attr) {
            return p.clone();
        }
        let p = format!("#n{}", self.name_of.len());
        self.name_of.insert(attr.to_string(), p.clone());
        self.names.insert(p.clone(), attr.to_string());
        p
    }

    fn value(&mut self, v: AttributeValue) -> String {
        let p = format!(":v{}", self.values.len());
        self.values.insert(p.clone(), v);
        p
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// `Some(b)` when the condition is constant (`And([])` is true, `Or([])` false, and what follows from them).
fn constant(cond: &Condition) -> Option<bool> {
    match cond {
        Condition::And(cs) => {
            let mut all_true = true;
            for c in cs {
                match constant(c) {
                    Some(false) => return Some(false),
                    Some(true) => {}
                    None => all_true = false,
                }
            }
            all_true.then_some(true)
        }
        Condition::Or(cs) => {
            let mut all_false = true;
            for c in cs {
                match constant(c) {
                    Some(true) => return Some(true),
                    Some(false) => {}
                    None => all_false = false,
                }
            }
            all_false.then_some(false)
        }
        _ => None,
    }
}

/// Renders a condition that is not constant.
fn render(cond: &Condition, e: &mut Expr) -> Result<String, StoreError> {
    Ok(match cond {
        Condition::NotExists => format!("attribute_not_exists({})", e.name(PK)),
        Condition::Exists => format!("attribute_exists({})", e.name(PK)),
        Condition::VersionIs(n) => {
            let name = e.name(VERSION);
            let value = e.value(AttributeValue::N(n.to_string()));
            format!("{name} = {value}")
        }
        Condition::AttrEquals(attr, v) => {
            let name = e.name(attr);
            let value = e.value(to_av(v)?);
            format!("{name} = {value}")
        }
        Condition::AttrExists(attr) => format!("attribute_exists({})", e.name(attr)),
        Condition::AttrNotExists(attr) => format!("attribute_not_exists({})", e.name(attr)),
        Condition::AttrLessThan(attr, n) => {
            if !n.is_finite() {
                return Err(StoreError::Invalid("condition compares with a non-finite number".into()));
            }
            let name = e.name(attr);
            let value = e.value(to_av(&Value::from(*n))?);
            format!("{name} < {value}")
        }
        Condition::And(cs) | Condition::Or(cs) => {
            let joiner = if matches!(cond, Condition::And(_)) { " AND " } else { " OR " };
            let mut parts = Vec::new();
            for c in cs {
                // In a non-constant And, constant children are true; in a non-constant Or, false: both drop out.
                if constant(c).is_none() {
                    parts.push(format!("({})", render(c, e)?));
                }
            }
            parts.join(joiner)
        }
    })
}

/// The `ConditionExpression` for `cond`, or `None` when it always holds.
fn condition_expr(cond: Option<&Condition>, e: &mut Expr) -> Result<Option<String>, StoreError> {
    let Some(cond) = cond else { return Ok(None) };
    match constant(cond) {
        Some(true) => Ok(None),
        Some(false) => {
            let pk = e.name(PK);
            Ok(Some(format!("attribute_exists({pk}) AND attribute_not_exists({pk})")))
        }
        None => render(cond, e).map(Some),
    }
}

/// A condition expression for a transaction's `ConditionCheck`, which must have one.
fn required_condition_expr(cond: &Condition, e: &mut Expr) -> Result<String, StoreError> {
    match condition_expr(Some(cond), e)? {
        Some(expr) => Ok(expr),
        None => {
            let pk = e.name(PK);
            Ok(format!("attribute_exists({pk}) OR attribute_not_exists({pk})"))
        }
    }
}

enum AttrOp {
    Set(Value),
    Remove,
    Add(i64),
}

/// The `UpdateExpression` for `update`. The port applies `set`, then `remove`, then `add`; DynamoDB does not allow
/// one attribute in two clauses, so the steps are first folded into one operation per attribute.
fn update_expr(update: &Update, e: &mut Expr) -> Result<String, StoreError> {
    let mut ops: BTreeMap<&str, AttrOp> = BTreeMap::new();
    for (attr, v) in &update.set {
        ops.insert(attr, AttrOp::Set(v.clone()));
    }
    for attr in &update.remove {
        ops.insert(attr, AttrOp::Remove);
    }
    for (attr, by) in &update.add {
        let overflow = || StoreError::Invalid(format!("adding to {attr} overflows"));
        let next = match ops.remove(attr.as_str()) {
            None => AttrOp::Add(*by),
            Some(AttrOp::Add(n)) => AttrOp::Add(n.checked_add(*by).ok_or_else(overflow)?),
            Some(AttrOp::Remove) => AttrOp::Set(Value::from(*by)),
            Some(AttrOp::Set(Value::Number(n))) => {
                if let Some(i) = n.as_i64() {
                    AttrOp::Set(Value::from(i.checked_add(*by).ok_or_else(overflow)?))
                } else if let Some(u) = n.as_u64() {
                    let sum = i128::from(u) + i128::from(*by);
                    AttrOp::Set(Value::from(u64::try_from(sum).map_err(|_| overflow())?))
                } else {
                    let f = n.as_f64().unwrap_or_default() + *by as f64;
                    AttrOp::Set(serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(overflow)?)
                }
            }
            Some(AttrOp::Set(_)) => return Err(StoreError::Invalid(format!("cannot add to non-numeric {attr}"))),
        };
        ops.insert(attr, next);
    }
    if let Some(key_attr) = [PK, SK].into_iter().find(|k| ops.contains_key(k)) {
        return Err(StoreError::Invalid(format!("cannot update key attribute {key_attr}")));
    }
    let (mut sets, mut removes, mut adds) = (Vec::new(), Vec::new(), Vec::new());
    for (attr, op) in ops {
        let name = e.name(attr);
        match op {
            AttrOp::Set(v) => {
                let value = e.value(to_av(&v)?);
                sets.push(format!("{name} = {value}"));
            }
            AttrOp::Remove => removes.push(name),
            AttrOp::Add(by) => {
                let value = e.value(AttributeValue::N(by.to_string()));
                adds.push(format!("{name} {value}"));
            }
        }
    }
    if sets.is_empty() && removes.is_empty() && adds.is_empty() {
        removes.push(e.name(NOOP_ATTR));
    }
    let mut clauses = Vec::new();
    if !sets.is_empty() {
        clauses.push(format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        clauses.push(format!("REMOVE {}", removes.join(", ")));
    }
    if !adds.is_empty() {
        clauses.push(format!("ADD {}", adds.join(", ")));
    }
    Ok(clauses.join(" "))
}

/// A start key must be a `last_key` of this query: string key attributes of the base table and the index, in the
/// queried partition. (DynamoDB answers anything else with a validation error, or, for another partition, may read
/// on from there.)
fn check_start_key(query: &Query, start: &Item) -> Result<(), StoreError> {
    let invalid = || StoreError::Invalid("query start key does not belong to this query".into());
    let mut attrs = vec![PK, SK];
    if query.index != Index::Base {
        attrs.extend([query.index.pk_attr(), query.index.sk_attr()]);
    }
    if attrs.iter().any(|a| !start.get(*a).is_some_and(Value::is_string)) {
        return Err(invalid());
    }
    if start.get(query.index.pk_attr()).and_then(Value::as_str) != Some(query.pk.as_str()) {
        return Err(invalid());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Batches

/// Waits before retry `attempt` (1-based) of a batch's leftovers: exponential from 25 ms, capped, with jitter.
async fn backoff(attempt: u32) {
    use rand::Rng;
    let base = 25u64.saturating_mul(1 << attempt.min(6)).min(1_000);
    let jitter = rand::thread_rng().gen_range(0..=base / 2);
    tokio::time::sleep(Duration::from_millis(base / 2 + jitter)).await;
}

impl DynamoTable {
    async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        for chunk in requests.chunks(BATCH_WRITE_MAX) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt > 0 {
                    if attempt >= BATCH_ATTEMPTS {
                        return Err(StoreError::Busy);
                    }
                    backoff(attempt).await;
                }
                attempt += 1;
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(|e| sdk_error("BatchWriteItem", e))?;
                pending = out.unprocessed_items.and_then(|mut m| m.remove(&self.table)).unwrap_or_default();
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The port

#[async_trait]
impl Table for DynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .consistent_read(self.consistent_reads)
            .send()
            .await
            .map_err(|e| sdk_error("GetItem", e))?;
        from_av_map_opt(out.item)
    }

    async fn put(&self, item: Item, cond: Option<Condition>) -> Result<(), StoreError> {
        item_key(&item)?;
        let mut e = Expr::default();
        let condition = condition_expr(cond.as_ref(), &mut e)?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_av_map(&item)?))
            .set_condition_expression(condition)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(ctx)) => match ctx.into_err() {
                PutItemError::ConditionalCheckFailedException(ex) => Err(condition_failed(None, ex.item)),
                other => Err(service_code_error("PutItem", other.code().unwrap_or("unknown service error"))),
            },
            Err(other) => Err(sdk_error("PutItem", other)),
        }
    }

    async fn update(&self, key: &Key, update: Update, cond: Option<Condition>) -> Result<Item, StoreError> {
        let mut e = Expr::default();
        let update_expression = update_expr(&update, &mut e)?;
        let condition = condition_expr(cond.as_ref(), &mut e)?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .update_expression(update_expression)
            .set_condition_expression(condition)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .return_values(ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => Ok(from_av_map_opt(out.attributes)?.unwrap_or_else(|| key.to_item())),
            Err(SdkError::ServiceError(ctx)) => match ctx.into_err() {
                UpdateItemError::ConditionalCheckFailedException(ex) => Err(condition_failed(None, ex.item)),
                other => Err(service_code_error("UpdateItem", other.code().unwrap_or("unknown service error"))),
            },
            Err(other) => Err(sdk_error("UpdateItem", other)),
        }
    }

    async fn delete(&self, key: &Key, cond: Option<Condition>) -> Result<Option<Item>, StoreError> {
        let mut e = Expr::default();
        let condition = condition_expr(cond.as_ref(), &mut e)?;
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_map(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => from_av_map_opt(out.attributes),
            Err(SdkError::ServiceError(ctx)) => match ctx.into_err() {
                DeleteItemError::ConditionalCheckFailedException(ex) => Err(condition_failed(None, ex.item)),
                other => Err(service_code_error("DeleteItem", other.code().unwrap_or("unknown service error"))),
            },
            Err(other) => Err(sdk_error("DeleteItem", other)),
        }
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        if query.limit == Some(0) {
            return Err(StoreError::Invalid("query limit must be at least 1".into()));
        }
        let mut e = Expr::default();
        let pk_name = e.name(query.index.pk_attr());
        let pk_value = e.value(AttributeValue::S(query.pk.clone()));
        let mut key_condition = format!("{pk_name} = {pk_value}");
        if let Some(sort) = &query.sort {
            let sk = e.name(query.index.sk_attr());
            let mut v = |s: &String| e.value(AttributeValue::S(s.clone()));
            let clause = match sort {
                SortCond::Eq(s) => format!("{sk} = {}", v(s)),
                SortCond::BeginsWith(s) => format!("begins_with({sk}, {})", v(s)),
                SortCond::Between(a, b) => {
                    if a.as_bytes() > b.as_bytes() {
                        // DynamoDB rejects an inverted range; nothing lies in it.
                        return Ok(Page::default());
                    }
                    let (a, b) = (v(a), v(b));
                    format!("{sk} BETWEEN {a} AND {b}")
                }
                SortCond::Lt(s) => format!("{sk} < {}", v(s)),
                SortCond::Le(s) => format!("{sk} <= {}", v(s)),
                SortCond::Gt(s) => format!("{sk} > {}", v(s)),
                SortCond::Ge(s) => format!("{sk} >= {}", v(s)),
            };
            key_condition = format!("{key_condition} AND {clause}");
        }
        let start = match &query.start {
            Some(start) => {
                check_start_key(query, start)?;
                Some(to_av_map(start)?)
            }
            None => None,
        };
        let limit = match query.limit {
            Some(n) => Some(i32::try_from(n).map_err(|_| StoreError::Invalid("query limit too large".into()))?),
            None => None,
        };
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.name().map(str::to_string))
            .key_condition_expression(key_condition)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .scan_index_forward(query.forward)
            .set_limit(limit)
            .set_exclusive_start_key(start)
            .set_consistent_read((query.index == Index::Base && self.consistent_reads).then_some(true))
            .send()
            .await
            .map_err(|e| sdk_error("Query", e))?;
        let items = out.items.unwrap_or_default().into_iter().map(from_av_map).collect::<Result<Vec<_>, _>>()?;
        let last_key = from_av_map_opt(out.last_evaluated_key)?;
        Ok(Page { items, last_key })
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let mut seen = HashSet::new();
        let keys: Vec<&Key> = keys.iter().filter(|k| seen.insert(*k)).collect();
        let mut found = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH_GET_MAX) {
            let mut pending: Vec<AvMap> = chunk.iter().map(|k| key_map(k)).collect();
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt > 0 {
                    if attempt >= BATCH_ATTEMPTS {
                        return Err(StoreError::Busy);
                    }
                    backoff(attempt).await;
                }
                attempt += 1;
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .consistent_read(self.consistent_reads)
                    .build()
                    .map_err(build_error)?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| sdk_error("BatchGetItem", e))?;
                for item in out.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default() {
                    found.push(from_av_map(item)?);
                }
                pending =
                    out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).map(|k| k.keys).unwrap_or_default();
            }
        }
        Ok(found)
    }

    async fn batch_put(&self, items: &[Item]) -> Result<(), StoreError> {
        // DynamoDB rejects a batch with two writes to one key: the last write of a key wins, as it would in order.
        let mut position: HashMap<Key, usize> = HashMap::new();
        let mut unique: Vec<Option<&Item>> = Vec::with_capacity(items.len());
        for item in items {
            let key = item_key(item)?;
            if let Some(i) = position.insert(key, unique.len()) {
                unique[i] = None;
            }
            unique.push(Some(item));
        }
        let mut requests = Vec::with_capacity(position.len());
        for item in unique.into_iter().flatten() {
            let put = PutRequest::builder().set_item(Some(to_av_map(item)?)).build().map_err(build_error)?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        self.batch_write(requests).await
    }

    async fn batch_delete(&self, keys: &[Key]) -> Result<(), StoreError> {
        let mut seen = HashSet::new();
        let mut requests = Vec::with_capacity(keys.len());
        for key in keys.iter().filter(|k| seen.insert(*k)) {
            let delete = DeleteRequest::builder().set_key(Some(key_map(key))).build().map_err(build_error)?;
            requests.push(WriteRequest::builder().delete_request(delete).build());
        }
        self.batch_write(requests).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> Result<(), StoreError> {
        if ops.is_empty() {
            return Ok(());
        }
        if ops.len() > TRANSACT_MAX {
            return Err(StoreError::Invalid(format!(
                "a transaction holds at most {TRANSACT_MAX} operations, not {}",
                ops.len()
            )));
        }
        let mut keys = HashSet::new();
        let mut items = Vec::with_capacity(ops.len());
        for op in &ops {
            let key = match op {
                TxOp::Put { item, .. } => item_key(item)?,
                TxOp::Update { key, .. } | TxOp::Delete { key, .. } | TxOp::Check { key, .. } => key.clone(),
            };
            if !keys.insert(key) {
                return Err(StoreError::Invalid("a transaction has two operations on one item".into()));
            }
            let mut e = Expr::default();
            let all_old = ReturnValuesOnConditionCheckFailure::AllOld;
            let item = match op {
                TxOp::Put { item, cond } => {
                    let condition = condition_expr(cond.as_ref(), &mut e)?;
                    let put = Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_av_map(item)?))
                        .set_condition_expression(condition)
                        .set_expression_attribute_names(e.names())
                        .set_expression_attribute_values(e.values())
                        .return_values_on_condition_check_failure(all_old)
                        .build()
                        .map_err(build_error)?;
                    TransactWriteItem::builder().put(put).build()
                }
                TxOp::Update { key, update, cond } => {
                    let update_expression = update_expr(update, &mut e)?;
                    let condition = condition_expr(cond.as_ref(), &mut e)?;
                    let update = DynamoUpdate::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .update_expression(update_expression)
                        .set_condition_expression(condition)
                        .set_expression_attribute_names(e.names())
                        .set_expression_attribute_values(e.values())
                        .return_values_on_condition_check_failure(all_old)
                        .build()
                        .map_err(build_error)?;
                    TransactWriteItem::builder().update(update).build()
                }
                TxOp::Delete { key, cond } => {
                    let condition = condition_expr(cond.as_ref(), &mut e)?;
                    let delete = Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .set_condition_expression(condition)
                        .set_expression_attribute_names(e.names())
                        .set_expression_attribute_values(e.values())
                        .return_values_on_condition_check_failure(all_old)
                        .build()
                        .map_err(build_error)?;
                    TransactWriteItem::builder().delete(delete).build()
                }
                TxOp::Check { key, cond } => {
                    let condition = required_condition_expr(cond, &mut e)?;
                    let check = ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_map(key)))
                        .condition_expression(condition)
                        .set_expression_attribute_names(e.names())
                        .set_expression_attribute_values(e.values())
                        .return_values_on_condition_check_failure(all_old)
                        .build()
                        .map_err(build_error)?;
                    TransactWriteItem::builder().condition_check(check).build()
                }
            };
            items.push(item);
        }
        // The SDK retries a request that timed out; with the same token DynamoDB treats the retry as the same
        // transaction (idempotent for ten minutes) instead of running it again, which would fail its own conditions
        // (a false 409) or write twice.
        let token = format!("{:032x}", rand::random::<u128>());
        let result =
            self.client.transact_write_items().set_transact_items(Some(items)).client_request_token(token).send().await;
        match result {
            Ok(_) => Ok(()),
            // The service failed on its side (500) through every retry the SDK made with the same idempotency
            // token. Trying the transaction again cannot apply it twice: it is all-or-nothing, and every transaction
            // here holds a condition (a version, an item that must not exist) that a second run of an applied one
            // fails. So it is contention-like, and retried as such. (moto answers concurrent transactions this way.)
            Err(e) if e.raw_response().is_some_and(|r| r.status().is_server_error()) => {
                tracing::debug!(
                    op = "TransactWriteItems",
                    status = e.raw_response().map(|r| r.status().as_u16()),
                    "DynamoDB failed on its side"
                );
                Err(StoreError::Busy)
            }
            Err(SdkError::ServiceError(ctx)) => match ctx.into_err() {
                TransactWriteItemsError::TransactionCanceledException(ex) => Err(cancellation(ex.cancellation_reasons)),
                other => Err(service_code_error("TransactWriteItems", other.code().unwrap_or("unknown service error"))),
            },
            Err(other) => Err(sdk_error("TransactWriteItems", other)),
        }
    }
}

/// Maps a cancelled transaction: the first failed condition wins, then conflicts and throttling (retry), then
/// anything else (reported by its codes).
fn cancellation(reasons: Option<Vec<aws_sdk_dynamodb::types::CancellationReason>>) -> StoreError {
    let reasons = reasons.unwrap_or_default();
    let code = |r: &aws_sdk_dynamodb::types::CancellationReason| r.code.clone().unwrap_or_default();
    if let Some(i) = reasons.iter().position(|r| code(r) == "ConditionalCheckFailed") {
        let item = reasons.into_iter().nth(i).and_then(|r| r.item);
        return condition_failed(Some(i), item);
    }
    if reasons.iter().any(|r| {
        matches!(code(r).as_str(), "TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded")
    }) {
        return StoreError::Busy;
    }
    let codes: Vec<String> = reasons.iter().map(code).filter(|c| !c.is_empty() && c != "None").collect();
    tracing::warn!(codes = ?codes, "DynamoDB transaction cancelled");
    StoreError::Backend(format!("DynamoDB TransactWriteItems cancelled: {}", codes.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_round_trip_through_attribute_values() {
        let item: Item = serde_json::from_value(json!({
            "PK": "C#1", "SK": "P", "version": 3, "neg": -7, "big": u64::MAX, "f": 2.5, "tiny": 0.001,
            "list": [1, "a", null, true], "map": {"x": 1.25}
        }))
        .unwrap();
        let back = from_av_map(to_av_map(&item).unwrap()).unwrap();
        assert_eq!(back, item);
    }

    #[test]
    fn constant_conditions() {
        assert_eq!(constant(&Condition::And(vec![])), Some(true));
        assert_eq!(constant(&Condition::Or(vec![])), Some(false));
        assert_eq!(constant(&Condition::Or(vec![Condition::Exists, Condition::And(vec![])])), Some(true));
        assert_eq!(constant(&Condition::And(vec![Condition::Exists, Condition::Or(vec![])])), Some(false));
        let mut e = Expr::default();
        let c = Condition::And(vec![
            Condition::And(vec![]),
            Condition::VersionIs(2),
            Condition::Or(vec![Condition::NotExists]),
        ]);
        assert_eq!(render(&c, &mut e).unwrap(), "(#n0 = :v0) AND ((attribute_not_exists(#n1)))");
        assert_eq!(e.names.len(), 2);
        assert_eq!(e.values.len(), 1);
    }

    #[test]
    fn updates_fold_per_attribute() {
        let mut e = Expr::default();
        let u = Update::default()
            .set("a", 1)
            .set("b", "x")
            .remove("b")
            .add("a", 2)
            .add("c", 1)
            .add("c", 1)
            .remove("d")
            .add("d", 5);
        let expr = update_expr(&u, &mut e).unwrap();
        assert_eq!(expr, "SET #n0 = :v0, #n3 = :v2 REMOVE #n1 ADD #n2 :v1");
        assert_eq!(e.values[":v0"], AttributeValue::N("3".into()));
        assert_eq!(e.values[":v1"], AttributeValue::N("2".into()));
        assert_eq!(e.values[":v2"], AttributeValue::N("5".into()));
        assert!(matches!(
            update_expr(&Update::default().set(PK, "x"), &mut Expr::default()),
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            update_expr(&Update::default().set("s", "x").add("s", 1), &mut Expr::default()),
            Err(StoreError::Invalid(_))
        ));
    }
}
