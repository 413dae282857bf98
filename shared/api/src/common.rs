//! Shapes several operations share.

use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// A list response (`{"items": [...]}`).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(rename = "{T}List"))]
pub struct Items<T> {
    pub items: Vec<T>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// The `{id}` of a record route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordPath {
    pub id: vigil_domain::RecordId,
}

/// The `{id}` of a custom field route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldPath {
    pub id: u32,
}

/// A customer's sub-record collection route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemsPath {
    pub id: vigil_domain::RecordId,
    pub collection: crate::customers::Collection,
}

/// One sub-record of a customer's collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemPath {
    pub id: vigil_domain::RecordId,
    pub collection: crate::customers::Collection,
    pub item_id: u64,
}

/// No query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NoQuery {}

/// A delete's query: the version the caller read (a delete has no body), so a stale delete gets 409.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct VersionQuery {
    #[cfg_attr(feature = "openapi", schemars(range(min = 1)))]
    pub version: u64,
}

/// A paged read's query.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CursorQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
