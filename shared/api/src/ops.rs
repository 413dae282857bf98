//! The operations: one type per function, naming its path, query, body and response types.

use crate::common::{CursorQuery, FieldPath, Health, Items, ItemsPath, NoQuery, RecordPath};
use crate::customers::{
    ArchivePreview, Candidate, Confirm, Convert, CustomerFormOptions, CustomerHome, HistoryPage, SubRecord,
};
use crate::directory::{Me, OfficeLocation, Partner};
use crate::leads::{HistoryEntry, LeadFormOptions, LeadListPage, LeadView, NewTag, Preview, SetTags, StageMove, Tag};
use crate::operation::{encode, Operation, PathParams};
use crate::outbox::OutboxPage;
use crate::routes::Function;
use crate::settings::{MmrSettingsView, RateList};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_domain::custom_field::CustomField;
use vigil_domain::lead::ScoringWeights;
use vigil_domain::RecordId;

/// A form body: the fields sent, by name. Creates and partial updates read only the fields present, and `null`
/// clears one, so the body is an object rather than a struct of options.
pub type Form = Map<String, Value>;

impl PathParams for RecordPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}

impl PathParams for FieldPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}

impl PathParams for ItemsPath {
    fn fill(&self, _template: &str) -> String {
        format!("/api/v1/customers/{}/{}", self.id, encode(self.collection.segment()))
    }
}

/// The filters, sort and paging of the Leads list and the Customer List (every one optional; values as the portal's
/// URL carries them: lists comma-separated).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ListQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags_op: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rep: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<String>,
}

impl ListQuery {
    /// The names of every parameter, as the server reads them.
    pub const PARAMS: [&'static str; 18] = [
        "number",
        "first_name",
        "last_name",
        "email",
        "source",
        "campaign",
        "tags",
        "tags_op",
        "stage",
        "disposition",
        "rep",
        "view",
        "sort",
        "dir",
        "per_page",
        "cursor",
        "submitted",
        "archived",
    ];
}

/// `POST /api/v1/leads?allow_duplicates=true` saves despite the duplicate check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CreateLeadQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_duplicates: Option<bool>,
}

/// `GET /api/v1/customers/{id}/history`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HistoryQuery {
    /// 10, 25 or 50.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `GET /api/v1/customers/parent-candidates`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CandidatesQuery {
    /// An ID, account number, last name, first name ("first last") or a word of the business name.
    pub q: String,
    /// The customer being linked, left out of the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<RecordId>,
}

/// `GET /api/v1/customers/mmr-rates`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RatesQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<RecordId>,
    /// A total in cents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    /// `item_id:cents` pairs, comma-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<String>,
}

/// Declares operation types: `Name = Function, status, Path, Query, Body => Response;`.
macro_rules! operations {
    ($($(#[$meta:meta])* $name:ident = $function:ident, $status:literal, $path:ty, $query:ty, $body:ty => $response:ty;)*) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct $name;

            impl Operation for $name {
                const FUNCTION: Function = Function::$function;
                const STATUS: u16 = $status;
                type Path = $path;
                type Query = $query;
                type Body = $body;
                type Response = $response;
            }
        )*

        /// Every operation's function, once each (a test checks they cover [`Function::ALL`]).
        pub const OPERATION_FUNCTIONS: &[Function] = &[$(Function::$function),*];
    };
}

operations! {
    GetHealth = Health, 200, (), NoQuery, () => Health;
    GetMe = Me, 200, (), NoQuery, () => Me;
    ListOfficeLocations = ListOfficeLocations, 200, (), NoQuery, () => Items<OfficeLocation>;
    ListPartners = ListPartners, 200, (), NoQuery, () => Items<Partner>;
    ListLeads = ListLeads, 200, (), ListQuery, () => LeadListPage;
    GetLead = GetLead, 200, RecordPath, NoQuery, () => LeadView;
    LeadFormOptionsOp = LeadFormOptions, 200, (), NoQuery, () => LeadFormOptions;
    CreateLead = CreateLead, 201, (), CreateLeadQuery, Form => LeadView;
    UpdateLead = UpdateLead, 200, RecordPath, NoQuery, Form => LeadView;
    DeleteLead = DeleteLead, 204, RecordPath, NoQuery, () => ();
    MoveLeadStage = MoveLeadStage, 200, RecordPath, NoQuery, StageMove => LeadView;
    SetLeadTags = SetLeadTags, 200, RecordPath, NoQuery, SetTags => LeadView;
    PreviewLead = PreviewLead, 200, RecordPath, NoQuery, () => Preview;
    LeadHistory = LeadHistory, 200, RecordPath, NoQuery, () => Items<HistoryEntry>;
    ListTags = ListTags, 200, (), NoQuery, () => Items<Tag>;
    CreateTag = CreateTag, 201, (), NoQuery, NewTag => Tag;
    GetLeadScoring = GetLeadScoring, 200, (), NoQuery, () => ScoringWeights;
    PutLeadScoring = PutLeadScoring, 200, (), NoQuery, ScoringWeights => ScoringWeights;
    ListCustomers = ListCustomers, 200, (), ListQuery, () => LeadListPage;
    GetCustomer = GetCustomer, 200, RecordPath, NoQuery, () => CustomerHome;
    CustomerFormOptionsOp = CustomerFormOptions, 200, (), NoQuery, () => CustomerFormOptions;
    CustomerParentCandidates = CustomerParentCandidates, 200, (), CandidatesQuery, () => Items<Candidate>;
    CreateCustomer = CreateCustomer, 201, (), NoQuery, Form => CustomerHome;
    UpdateCustomer = UpdateCustomer, 200, RecordPath, NoQuery, Form => CustomerHome;
    DeleteCustomer = DeleteCustomer, 204, RecordPath, NoQuery, () => ();
    DuplicateCustomer = DuplicateCustomer, 201, RecordPath, NoQuery, () => CustomerHome;
    CustomerHistory = CustomerHistory, 200, RecordPath, HistoryQuery, () => HistoryPage;
    ConvertLead = ConvertLead, 200, RecordPath, NoQuery, Convert => CustomerHome;
    CustomerArchivePreview = CustomerArchivePreview, 200, RecordPath, NoQuery, () => ArchivePreview;
    ArchiveCustomer = ArchiveCustomer, 200, RecordPath, NoQuery, Confirm => CustomerHome;
    UnarchiveCustomer = UnarchiveCustomer, 200, RecordPath, NoQuery, Confirm => CustomerHome;
    ListCustomerItems = ListCustomerItems, 200, ItemsPath, NoQuery, () => Items<SubRecord>;
    CreateCustomerItem = CreateCustomerItem, 201, ItemsPath, NoQuery, Form => SubRecord;
    SetCustomerTags = SetCustomerTags, 200, RecordPath, NoQuery, SetTags => CustomerHome;
    ListCustomFields = ListCustomFields, 200, (), NoQuery, () => Items<CustomField>;
    CreateCustomField = CreateCustomField, 201, (), NoQuery, Form => CustomField;
    UpdateCustomField = UpdateCustomField, 200, FieldPath, NoQuery, Form => CustomField;
    DeleteCustomField = DeleteCustomField, 204, FieldPath, NoQuery, () => ();
    GetMmrSettings = GetMmrSettings, 200, (), NoQuery, () => MmrSettingsView;
    PutMmrSettings = PutMmrSettings, 200, (), NoQuery, Value => MmrSettingsView;
    ListMmrRates = ListMmrRates, 200, (), RatesQuery, () => RateList;
    ListOutbox = ListOutbox, 200, (), CursorQuery, () => OutboxPage;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_has_exactly_one_operation() {
        let mut seen = OPERATION_FUNCTIONS.to_vec();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), OPERATION_FUNCTIONS.len(), "a function has two operations");
        assert_eq!(seen, Function::ALL.to_vec());
    }

    #[test]
    fn paths_fill_their_templates() {
        let id = RecordId::parse("42").unwrap();
        assert_eq!(GetCustomer::path(&RecordPath { id }), "/api/v1/customers/42");
        let items = ItemsPath { id, collection: crate::customers::Collection::RecurringInvoices };
        assert_eq!(ListCustomerItems::path(&items), "/api/v1/customers/42/recurring-invoices");
        assert_eq!(UpdateCustomField::path(&FieldPath { id: 3 }), "/api/v1/settings/custom-fields/3");
        assert_eq!(ListLeads::path(&()), "/api/v1/leads");
    }
}
