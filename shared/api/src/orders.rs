//! Orders: the company's equipment catalog, wire types, equipment packages, order templates and sold-by list (admin),
//! the active templates the Apply Order Template dialog offers, and applying one to a customer. Money is integer US
//! cents throughout.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_domain::{RecordId, UserId};
use vigil_json::{FromJson, ToJson};

/// What a catalog entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CatalogKind {
    Equipment,
    WireType,
    Package,
    OrderTemplate,
    SoldBy,
}

impl CatalogKind {
    pub const ALL: [CatalogKind; 5] = [
        CatalogKind::Equipment,
        CatalogKind::WireType,
        CatalogKind::Package,
        CatalogKind::OrderTemplate,
        CatalogKind::SoldBy,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            CatalogKind::Equipment => "equipment",
            CatalogKind::WireType => "wire_type",
            CatalogKind::Package => "package",
            CatalogKind::OrderTemplate => "order_template",
            CatalogKind::SoldBy => "sold_by",
        }
    }
}

/// One equipment item of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PackageItem {
    pub equipment_id: u32,
    /// 1 or more.
    pub quantity: u32,
}

/// One catalog entry. The fields beyond `name` and `active` belong to one kind each: equipment
/// (`collection_item`, `default_charge_cents`), package (`items`), order template (`mmr_ids`, `package_ids`),
/// sold-by (`user_id`; its `name` is the user's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CatalogEntry {
    /// One sequence for every kind, from 1.
    pub id: u32,
    pub kind: CatalogKind,
    pub version: u64,
    pub name: String,
    pub active: bool,
    #[serde(default)]
    pub collection_item: bool,
    #[serde(default)]
    pub default_charge_cents: u64,
    #[serde(default)]
    pub items: Vec<PackageItem>,
    #[serde(default)]
    pub mmr_ids: Vec<u32>,
    #[serde(default)]
    pub package_ids: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
}

/// `GET /api/v1/settings/catalog`: every entry of every kind, inactive ones included, in ID order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Catalog {
    pub equipment: Vec<CatalogEntry>,
    pub wire_types: Vec<CatalogEntry>,
    pub packages: Vec<CatalogEntry>,
    pub order_templates: Vec<CatalogEntry>,
    pub sold_by: Vec<CatalogEntry>,
}

/// `POST /api/v1/settings/catalog` (create: `kind` required) and `PATCH /api/v1/settings/catalog/{id}` (edit:
/// `kind` and `version` required; fields left out stay). Values are checked one by one, so a wrong one is a 422
/// naming it rather than a refused body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CatalogSave {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CatalogKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// 1–100 characters, unique within the kind (not for sold-by entries: the user's name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_item: Option<bool>,
    /// Integer cents, 0 or more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u64>"))]
    pub default_charge_cents: Option<Value>,
    /// A package's equipment (at most 40 rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<PackageItem>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mmr_ids: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_ids: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

/// An MMR a template offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TemplateRate {
    pub id: u32,
    pub name: String,
    pub total_cents: u64,
}

/// A package's line as the dialog shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct PackageLine {
    pub equipment_id: u32,
    pub name: String,
    pub quantity: u32,
    pub charge_cents: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TemplatePackage {
    pub id: u32,
    pub name: String,
    pub lines: Vec<PackageLine>,
    pub total_cents: u64,
}

/// `GET /api/v1/order-templates`: one active template with its rates and active packages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OrderTemplate {
    pub id: u32,
    pub name: String,
    pub mmrs: Vec<TemplateRate>,
    pub packages: Vec<TemplatePackage>,
}

/// One Additional Equipment row. Values are read one by one so that each problem names its row and field
/// (`additional_equipment[2].charge`); a row with every value blank is skipped.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AdditionalEquipment {
    /// An active, non-collection equipment item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u32>"))]
    pub equipment_id: Option<Value>,
    /// 1 or more (1 when blank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u32>"))]
    pub quantity: Option<Value>,
    /// Integer cents, 0 or more; the catalog's default charge when blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u64>"))]
    pub charge: Option<Value>,
    /// An active wire type, or blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u32>"))]
    pub wire_type_id: Option<Value>,
}

/// What Pre-populate & Add creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Prepopulate {
    Invoice,
    Quote,
}

/// The most Additional Equipment rows one apply takes: everything is written in one transaction (DynamoDB holds at
/// most 100 writes), next to a package's rows (at most [`MAX_PACKAGE_ITEMS`]), the record, its history and the
/// invoice.
pub const MAX_ADDITIONAL_ROWS: usize = 20;
/// The most rows a package holds.
pub const MAX_PACKAGE_ITEMS: usize = 40;

/// `POST /api/v1/customers/{id}/apply-order-template`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ApplyOrderTemplate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_template_id: Option<u32>,
    /// Required when the template has rates; one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mmr_id: Option<u32>,
    /// One of the template's packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<u32>,
    /// At most 20 rows.
    #[serde(default)]
    pub additional_equipment: Vec<AdditionalEquipment>,
    /// A user on the sold-by list; required with a package or a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sold_by_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prepopulate: Option<Prepopulate>,
    /// The customer's version.
    #[cfg_attr(feature = "openapi", schemars(with = "u64", required))]
    #[serde(default)]
    pub version: Option<u64>,
}

/// What applying added.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AppliedOrder {
    pub customer_id: RecordId,
    /// The customer's version after the change.
    pub version: u64,
    pub mmr_id: Option<u32>,
    /// The equipment sub-records created (package rows, then additional rows).
    pub equipment: Vec<crate::customers::SubRecord>,
    /// The invoice or quote Pre-populate & Add created.
    pub document: Option<crate::accounting::Invoice>,
}

/// One equipment sub-record a work order covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WorkOrderItem {
    /// The customer's equipment sub-record.
    pub equipment_item_id: u64,
    pub name: String,
    pub quantity: u64,
}

/// The kinds of work order.
pub const WORK_ORDER_TYPES: &[&str] = &["installation", "service", "removal", "inspection"];
/// The statuses a work order moves through.
pub const WORK_ORDER_STATUSES: &[&str] = &["open", "scheduled", "in_progress", "completed", "cancelled"];

/// A work order on a customer (Work Orders tab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WorkOrder {
    /// Per customer, from 1.
    pub id: u64,
    pub customer_id: RecordId,
    /// One of `installation`, `service`, `removal`, `inspection`.
    #[serde(rename = "type")]
    pub kind: String,
    /// One of `open`, `scheduled`, `in_progress`, `completed`, `cancelled`.
    pub status: String,
    pub items: Vec<WorkOrderItem>,
    pub notes: String,
    pub version: u64,
    pub created_at: String,
    pub created_by: UserId,
}

/// `POST /api/v1/customers/{id}/work-orders` (create) and `PATCH` (edit: `id` and `version` required; fields left
/// out stay).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WorkOrderSave {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// IDs of the customer's equipment sub-records (at most 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equipment_item_ids: Option<Vec<u64>>,
    /// At most 4,000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// The `{id}` of a catalog entry route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogPath {
    pub id: u32,
}

impl crate::PathParams for CatalogPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}
