//! Customers: the Home page read, its form options, parent picker, archive preview, sub-records and history.

use crate::directory::{OfficeLocation, Partner};
use crate::leads::{AccountClass, Choice, HistoryEntry, Named, StateOption};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_domain::mmr::MmrMode;
use vigil_domain::record::Kind;
use vigil_domain::sorted::SortedMap;
use vigil_domain::{LocationId, RecordId, TagId, UserId};
use vigil_json::{FromJson, ToJson};

/// `GET /api/v1/customers/{id}` (and what every customer write answers): the whole Home page in one call. The
/// record's own fields sit at the top level (`record`, masked as the caller's grants say, without the cards the
/// caller may not view), beside the page's blocks.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerHome {
    pub id: RecordId,
    pub kind: Kind,
    /// The record's version, which every write sends back.
    pub version: u64,
    pub archived: bool,
    /// The rest of the record's fields.
    #[serde(flatten)]
    pub record: Map<String, Value>,
    pub header: CustomerHeader,
    /// Tab counts by collection (`notes`, `recurring_invoices`, …).
    pub tabs: SortedMap<String, u64>,
    /// Tabs that need attention (an overdue open note).
    pub warnings: SortedMap<String, bool>,
    pub tag_list: Vec<Named<TagId>>,
    /// The cards the caller may view (`personal`, `sale`, `installation`, `lead`, `custom_fields`), each field to
    /// its value; confidential values the caller may not see are `"***"`.
    pub cards: Map<String, Value>,
    pub editable: CardsEditable,
    /// Fields of an editable card the caller may not change now: `lead_rep_id` when the company locks it,
    /// `monitoring_company_id` while the customer is linked to a central station. A `PATCH` changing one is a 422.
    #[serde(default)]
    pub locked: Vec<String>,
    /// The customer's scheduled install appointments: Installation Appointment is a choice among them when there
    /// are several.
    #[serde(default)]
    pub install_appointments: Vec<IdName>,
    /// The caller may schedule an appointment on this customer (the card's Schedule link when there is none).
    #[serde(default)]
    pub may_schedule: bool,
    pub actions: CustomerActions,
    pub parent_child_billing: bool,
    /// A creation wizard's progress while the customer was created through one (`null` otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wizard: Option<crate::creation_workflows::WizardState>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerHeader {
    pub id: RecordId,
    pub kind: Kind,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub business_name: Option<String>,
    pub status_boxes: Vec<StatusBox>,
    pub created_at: String,
    pub created_by: Option<Named<String>>,
    pub sale: Option<SaleBadge>,
    pub install: Option<InstallBadge>,
    pub location: Option<Named<LocationId>>,
    pub city: String,
    pub state: String,
    pub parent: Option<RecordLink>,
    /// Sub-customers; `None` when the company has no families or this record has none.
    pub children: Option<Vec<RecordLink>>,
    pub archived: bool,
}

/// One status box of the sticky header (account, monitoring, billing, funding).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StatusBox {
    pub category: String,
    pub label: String,
    /// `green`, `yellow`, `red` or `gray`.
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SaleBadge {
    pub date: Option<String>,
    pub sold_by: Option<Named<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct InstallBadge {
    pub date: Option<String>,
    pub technician: Option<Named<String>>,
}

/// Another customer the header links to (parent or sub-customer).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RecordLink {
    pub id: RecordId,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_name: Option<Option<String>>,
}

/// Which cards the caller may save now.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CardsEditable {
    pub personal: bool,
    pub sale: bool,
    pub installation: bool,
    pub custom_fields: bool,
    #[serde(default)]
    pub lead_info: bool,
}

/// What the caller may do with this record now.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerActions {
    pub modify: bool,
    pub delete: bool,
    pub archive: bool,
    pub unarchive: bool,
    pub convert: bool,
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct IdName {
    pub id: u32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Priced {
    pub id: u32,
    pub name: String,
    pub amount_cents: u64,
}

/// The select options of the customer cards, stored as the company setting `customer_options`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerOptions {
    pub monitoring_companies: Vec<IdName>,
    pub contract_terms: Vec<u32>,
    pub activation_fees: Vec<Priced>,
    pub monitoring_plans: Vec<String>,
    pub interactive_services_providers: Vec<String>,
    pub adt_system_types: Vec<String>,
    pub warranty_terms: Vec<String>,
    pub dealer_numbers: Vec<String>,
    pub cancel_reasons: Vec<String>,
    pub discount_affiliates: Vec<String>,
    /// The ADC receiver phones the Installation card offers to fill the receiver number with.
    #[serde(default)]
    pub adc_receiver_phones: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct UserOption {
    pub id: UserId,
    pub name: String,
}

/// `GET /api/v1/customers/form-options`: the select options of the customer cards and of Convert to Customer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CustomerFormOptions {
    pub office_locations: Vec<OfficeLocation>,
    pub sold_by: Vec<UserOption>,
    pub lead_reps: Vec<UserOption>,
    pub technicians: Vec<UserOption>,
    pub account_classes: Vec<AccountClass>,
    pub account_types: Vec<Choice>,
    pub sources: Vec<Partner>,
    pub services: Vec<Choice>,
    pub states: Vec<StateOption>,
    pub languages: Vec<Choice>,
    /// Parent/sub-customer links are on for the company.
    pub parent_child_billing: bool,
    /// `simple` (a dropdown of `mmr_rates`) or `breakout` (the rate picker).
    pub mmr_mode: MmrMode,
    /// The rates a customer can be given now (active, matching the company's MMR items).
    pub mmr_rates: Vec<Priced>,
    /// The company's active lead dispositions (a customer's lead information).
    #[serde(default)]
    pub dispositions: Vec<IdName>,
    /// The active ADT monitoring companies: Pulse is a service only with one of them as Monitored By.
    #[serde(default)]
    pub adt_monitoring_company_ids: Vec<u32>,
    #[serde(flatten)]
    pub lists: CustomerOptions,
}

/// A top-level customer the parent picker offers.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Candidate {
    pub id: RecordId,
    pub name: String,
    pub business_name: Option<String>,
    pub account_number: Option<String>,
    pub city: String,
    pub state: String,
}

/// `POST /api/v1/leads/{id}/convert`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Convert {
    /// One of the company's office locations.
    #[cfg_attr(feature = "openapi", schemars(with = "vigil_domain::LocationId", required, extend("example" = 1)))]
    pub office_location_id: Option<Value>,
    /// The user who sold the system (an active user of the company).
    #[cfg_attr(feature = "openapi", schemars(with = "vigil_domain::UserId", required, extend("example" = "acme-sales-rep")))]
    pub sold_by_id: Option<String>,
    /// The lead's version the conversion is based on; a stale one answers 409.
    #[serde(default)]
    pub version: Option<u64>,
    /// Also open an opportunity (stage `prospecting`, closing 90 days out) on the new customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity: Option<crate::opportunities::NewOpportunity>,
    /// Converting through a lead-conversion workflow: its ID; each of its custom fields must have a value (sent in
    /// `custom_fields` or already on the lead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_workflow_id: Option<u32>,
    /// Custom field values captured by the workflow, by field ID (as `custom_fields` on a customer save).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Value>,
}

/// What archiving cancels of one customer.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Affected {
    pub id: RecordId,
    pub name: String,
    pub recurring_invoices: Vec<SubRecord>,
    pub appointments: Vec<SubRecord>,
    pub scheduled_payments: Vec<SubRecord>,
}

/// `GET /api/v1/customers/{id}/archive-preview`: what archiving would do.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ArchivePreview {
    pub customer: Affected,
    /// Unarchived sub-customers, archived along with the parent.
    pub sub_customers: Vec<Affected>,
    /// Nothing will be cancelled and no sub-customer archived.
    pub nothing_affected: bool,
}

/// The body of archive and unarchive.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Confirm {
    /// Must be `true`: the user confirmed what the archive preview listed.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = [true], "x-required" = true)))]
    pub confirm: bool,
    /// Unarchive only: also unarchive the archived sub-customers.
    #[serde(default)]
    pub include_children: bool,
}

/// `GET /api/v1/customers/{id}/history`: newest first, signed cursor.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    pub next_cursor: Option<String>,
}

/// A customer's sub-record collection (a tab of the Home page).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Notes,
    Contacts,
    Equipment,
    Appointments,
    RecurringInvoices,
    ScheduledPayments,
}

impl Collection {
    pub const ALL: [Collection; 6] = [
        Collection::Notes,
        Collection::Contacts,
        Collection::Equipment,
        Collection::Appointments,
        Collection::RecurringInvoices,
        Collection::ScheduledPayments,
    ];

    /// The path segment (`/api/v1/customers/{id}/<segment>`).
    pub const fn segment(self) -> &'static str {
        match self {
            Collection::Notes => "notes",
            Collection::Contacts => "contacts",
            Collection::Equipment => "equipment",
            Collection::Appointments => "appointments",
            Collection::RecurringInvoices => "recurring-invoices",
            Collection::ScheduledPayments => "scheduled-payments",
        }
    }

    pub fn from_segment(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.segment() == s)
    }

    /// The statuses a person may set on an item (the first is a new item's; archiving sets `cancelled`).
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            Collection::Notes => &["open", "closed"],
            Collection::Contacts | Collection::Equipment => &["active", "inactive"],
            Collection::RecurringInvoices => &["active", "cancelled"],
            Collection::Appointments => &["scheduled", "completed", "cancelled"],
            Collection::ScheduledPayments => &["scheduled", "cancelled"],
        }
    }
}

/// One sub-record. `data` holds the collection's own fields (validated on create).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SubRecord {
    pub id: u64,
    pub record_id: RecordId,
    pub collection: Collection,
    /// `open`/`closed` (notes), `active` (contacts, equipment, recurring invoices), `scheduled` (appointments,
    /// payments); archiving sets `cancelled`.
    pub status: String,
    pub created_at: String,
    pub created_by: UserId,
    #[serde(default)]
    pub data: Map<String, Value>,
    /// Raised by every change; a change sends the one it read. Items from before versions existed read 0.
    #[serde(default)]
    pub version: u64,
}
