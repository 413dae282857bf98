//! The operations: one type per function, naming its path, query, body and response types.

use crate::common::{CursorQuery, FieldPath, Health, ItemPath, Items, ItemsPath, NoQuery, RecordPath, VersionQuery};
use crate::customers::{
    ArchivePreview, Candidate, Confirm, Convert, CustomerFormOptions, CustomerHome, HistoryPage, SubRecord,
};
use crate::directory::{Me, OfficeLocation};
use crate::leads::{HistoryEntry, LeadFormOptions, LeadListPage, LeadView, NewTag, Preview, SetTags, StageMove, Tag};
use crate::operation::{encode, Operation, PathParams};
use crate::outbox::OutboxPage;
use crate::partners::{
    CampaignView, MessageTemplate, PartnerChange, PartnerReturnsPage, PartnerView, PreviewRequest, RenderedMessage,
};
use crate::routes::Function;
use crate::settings::{MmrSettingsView, RateList};
use crate::workflows::{
    CompleteStep, CustomerWorkflows, EnrollmentPath, EnrollmentQuery, EnrollmentSummary, EnrollmentView, NewEnrollment,
    NewWorkflow, StepPath, WorkflowDefinition, WorkflowPatch, WorkflowPath, WorkflowVersionQuery,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_domain::custom_field::CustomField;
use vigil_domain::lead::ScoringWeights;
use vigil_domain::RecordId;
use vigil_json::{FromJson, ToJson};

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

impl PathParams for ItemPath {
    fn fill(&self, _template: &str) -> String {
        format!("/api/v1/customers/{}/{}/{}", self.id, encode(self.collection.segment()), self.item_id)
    }
}

/// The filters, sort and paging of the Leads list and the Customer List (every one optional; values as the portal's
/// URL carries them: lists comma-separated).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ListQuery {
    /// Digits of a record ID, account number, phone or SSN last 4 (spaces, dashes, dots, parentheses and `+` are ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = r"^\s*$|^[ ().+-]*([0-9][ ().+-]*){1,20}$"), extend("example" = "8015550101")))]
    pub number: Option<String>,
    /// First-name prefix (at most 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(length(max = 200), extend("example" = "ann")))]
    pub first_name: Option<String>,
    /// Last-name prefix (at most 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(length(max = 200), extend("example" = "lee")))]
    pub last_name: Option<String>,
    /// Email (or email word) prefix (at most 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(length(max = 200), extend("example" = "ann")))]
    pub email: Option<String>,
    /// Source (partner company) IDs, comma-separated (at most 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = r"^( *([0-9]{1,9})? *)(,( *([0-9]{1,9})? *))*$"), extend("example" = "1,2")))]
    pub source: Option<String>,
    /// Campaign IDs, comma-separated (at most 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = r"^( *([0-9]{1,9})? *)(,( *([0-9]{1,9})? *))*$"), extend("example" = "1")))]
    pub campaign: Option<String>,
    /// Tag IDs, comma-separated (at most 20, each at most 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("example" = "1,3")))]
    pub tags: Option<String>,
    /// How the tags combine (default `any`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = ["any", "all", "none", "not_all", ""])))]
    pub tags_op: Option<String>,
    /// Pipeline stages, comma-separated (at most 20).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = r"^( *(new|contacted|qualified|unqualified|converted)? *)(,( *(new|contacted|qualified|unqualified|converted)? *))*$"), extend("example" = "new,contacted")))]
    pub stage: Option<String>,
    /// Statuses (dispositions) by name, comma-separated (at most 20, each at most 200 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("example" = "Hot")))]
    pub disposition: Option<String>,
    /// Lead rep user ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = r"^\s*$|^[A-Za-z0-9_-]{1,64}$"), extend("example" = "acme-lead-rep")))]
    pub rep: Option<String>,
    /// A saved view.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = ["my_open", "hot", "todays_followups", "recent", "my_assigned", "by_source", ""])))]
    pub view: Option<String>,
    /// Sort column (default `id`; `created` for the `recent` view).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = ["id", "name", "address", "email", "created", ""])))]
    pub sort: Option<String>,
    /// Sort direction (default `desc` by ID and created date, `asc` otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = ["asc", "desc", ""])))]
    pub dir: Option<String>,
    /// Page size (default 25).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u32>", extend("enum" = [10, 25, 50], "default" = 25)))]
    pub per_page: Option<String>,
    /// The `next_cursor` of the previous page of the same query; omit for the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// `true` when the filter was submitted (search mode shows rows only then); any other value reads as false.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("example" = "true")))]
    pub submitted: Option<String>,
    /// Archive Status filter (default `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = ["all", "archived_only", "active_only", ""])))]
    pub archived: Option<String>,
    /// Lead queue location (`pending` needs the Pending permission); without it the list leaves returned leads out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = ["pending", "queue", "assigned", "returned", "invalid", ""])))]
    pub location: Option<String>,
}

impl ListQuery {
    /// The most values of a comma-separated filter (`source`, `campaign`, `tags`, `stage`, `disposition`): each one
    /// is an index partition the list reads.
    pub const MAX_VALUES: usize = 20;
    /// The longest text filter value, in characters (a name, email or tag prefix, a status name).
    pub const MAX_TEXT_CHARS: usize = 200;

    /// The names of every parameter, as the server reads them.
    pub const PARAMS: [&'static str; 19] = [
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
        "location",
    ];
}

/// `POST /api/v1/leads?allow_duplicates=true` (and `POST /api/v1/customers?…`) saves despite the duplicate check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreateLeadQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Create it even when a record of the same kind with the same name, phone and address exists (default false).
    pub allow_duplicates: Option<bool>,
}

/// `GET /api/v1/customers/{id}/history` and `GET /api/v1/partners/{id}/returns`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryQuery {
    /// Page size: 10, 25 or 50 (default 25).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = [10, 25, 50], "default" = 25)))]
    pub per_page: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `GET /api/v1/customers/parent-candidates`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CandidatesQuery {
    /// An ID, account number, last name, first name ("first last") or a word of the business name: two characters
    /// or more, or a number.
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = r"^\s*([0-9]+|\S.*\S)\s*$"), extend("example" = "lee")))]
    pub q: String,
    /// The customer being linked, left out of the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<RecordId>,
}

/// `GET /api/v1/customers/mmr-rates`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct RatesQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<RecordId>,
    /// Only rates with this total, in cents.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u64>", extend("maximum" = 18446744073709551615u64)))]
    pub total: Option<String>,
    /// Line-item filters: `item_id:cents` pairs, comma-separated (e.g. `1:2999,3:500`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(regex(pattern = r"^\s*$|^[1-9][0-9]{0,8}:[0-9]{1,12}(,[1-9][0-9]{0,8}:[0-9]{1,12})*$"), extend("example" = "1:2999")))]
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
    ListPartners = ListPartners, 200, (), NoQuery, () => Items<PartnerView>;
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
    CreateCustomer = CreateCustomer, 201, (), CreateLeadQuery, Form => CustomerHome;
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
    UpdateCustomerItem = UpdateCustomerItem, 200, ItemPath, NoQuery, Form => SubRecord;
    SetCustomerTags = SetCustomerTags, 200, RecordPath, NoQuery, SetTags => CustomerHome;
    ListCustomFields = ListCustomFields, 200, (), NoQuery, () => Items<CustomField>;
    CreateCustomField = CreateCustomField, 201, (), NoQuery, Form => CustomField;
    UpdateCustomField = UpdateCustomField, 200, FieldPath, NoQuery, Form => CustomField;
    DeleteCustomField = DeleteCustomField, 204, FieldPath, VersionQuery, () => ();
    GetMmrSettings = GetMmrSettings, 200, (), NoQuery, () => MmrSettingsView;
    PutMmrSettings = PutMmrSettings, 200, (), NoQuery, Value => MmrSettingsView;
    ListMmrRates = ListMmrRates, 200, (), RatesQuery, () => RateList;
    ListOutbox = ListOutbox, 200, (), CursorQuery, () => OutboxPage;
    CreatePartner = CreatePartner, 201, (), NoQuery, Form => PartnerView;
    GetPartner = GetPartner, 200, FieldPath, NoQuery, () => PartnerView;
    UpdatePartner = UpdatePartner, 200, FieldPath, NoQuery, Form => PartnerView;
    DeletePartner = DeletePartner, 204, FieldPath, VersionQuery, () => ();
    PartnerHistory = PartnerHistory, 200, FieldPath, NoQuery, () => Items<PartnerChange>;
    PartnerReturns = PartnerReturns, 200, FieldPath, HistoryQuery, () => PartnerReturnsPage;
    ListCampaigns = ListCampaigns, 200, FieldPath, NoQuery, () => Items<CampaignView>;
    CreateCampaign = CreateCampaign, 201, FieldPath, NoQuery, Form => CampaignView;
    UpdateCampaign = UpdateCampaign, 200, FieldPath, NoQuery, Form => CampaignView;
    DeleteCampaign = DeleteCampaign, 204, FieldPath, VersionQuery, () => ();
    ListMessageTemplates = ListMessageTemplates, 200, (), NoQuery, () => Items<MessageTemplate>;
    CreateMessageTemplate = CreateMessageTemplate, 201, (), NoQuery, Form => MessageTemplate;
    GetMessageTemplate = GetMessageTemplate, 200, FieldPath, NoQuery, () => MessageTemplate;
    UpdateMessageTemplate = UpdateMessageTemplate, 200, FieldPath, NoQuery, Form => MessageTemplate;
    DeleteMessageTemplate = DeleteMessageTemplate, 204, FieldPath, VersionQuery, () => ();
    PreviewMessageTemplate = PreviewMessageTemplate, 200, FieldPath, NoQuery, PreviewRequest => RenderedMessage;
    ListCustomerWorkflows = ListCustomerWorkflows, 200, (), NoQuery, () => Items<WorkflowDefinition>;
    CreateCustomerWorkflow = CreateCustomerWorkflow, 201, (), NoQuery, NewWorkflow => WorkflowDefinition;
    GetCustomerWorkflow = GetCustomerWorkflow, 200, WorkflowPath, WorkflowVersionQuery, () => WorkflowDefinition;
    UpdateCustomerWorkflow = UpdateCustomerWorkflow, 200, WorkflowPath, NoQuery, WorkflowPatch => WorkflowDefinition;
    ListEnrollments = ListEnrollments, 200, RecordPath, NoQuery, () => CustomerWorkflows;
    StartEnrollment = StartEnrollment, 201, RecordPath, NoQuery, NewEnrollment => EnrollmentSummary;
    GetEnrollment = GetEnrollment, 200, EnrollmentPath, EnrollmentQuery, () => EnrollmentView;
    CompleteEnrollmentStep = CompleteEnrollmentStep, 200, StepPath, NoQuery, CompleteStep => EnrollmentView;
    LeadCopilot = LeadCopilot, 200, RecordPath, NoQuery, crate::copilot::CopilotAsk => crate::copilot::CopilotAnswer;
    ListOpportunities = ListOpportunities, 200, RecordPath, NoQuery, () => Items<crate::opportunities::Opportunity>;
    UpdateOpportunity = UpdateOpportunity, 200, RecordPath, NoQuery, crate::opportunities::OpportunityEdit => crate::opportunities::Opportunity;
    SellLeads = SellLeads, 202, (), NoQuery, crate::selling::SellLeads => crate::selling::SaleAccepted;
    SellCustomer = SellCustomer, 202, RecordPath, NoQuery, crate::selling::SellCustomer => crate::selling::SaleAccepted;
    ListSalesToPartners = ListSalesToPartners, 200, (), crate::selling::SalesQuery, () => Items<crate::selling::SaleToPartner>;
    GetCatalog = GetCatalog, 200, (), NoQuery, () => crate::orders::Catalog;
    CreateCatalogEntry = CreateCatalogEntry, 201, (), NoQuery, crate::orders::CatalogSave => crate::orders::CatalogEntry;
    UpdateCatalogEntry = UpdateCatalogEntry, 200, crate::orders::CatalogPath, NoQuery, crate::orders::CatalogSave => crate::orders::CatalogEntry;
    ListOrderTemplates = ListOrderTemplates, 200, (), NoQuery, () => Items<crate::orders::OrderTemplate>;
    ApplyOrderTemplate = ApplyOrderTemplate, 200, RecordPath, NoQuery, crate::orders::ApplyOrderTemplate => crate::orders::AppliedOrder;
    GetAccounting = GetAccounting, 200, RecordPath, NoQuery, () => crate::accounting::Accounting;
    CreateInvoice = CreateInvoice, 201, RecordPath, NoQuery, crate::accounting::NewInvoice => crate::accounting::Invoice;
    QuoteToInvoice = QuoteToInvoice, 201, RecordPath, NoQuery, crate::accounting::QuoteToInvoice => crate::accounting::Invoice;
    CreateBillingMethod = CreateBillingMethod, 201, RecordPath, NoQuery, crate::accounting::NewBillingMethod => crate::accounting::BillingMethod;
    CreatePayment = CreatePayment, 201, RecordPath, NoQuery, crate::accounting::NewPayment => crate::accounting::Payment;
    ListWorkOrders = ListWorkOrders, 200, RecordPath, NoQuery, () => Items<crate::orders::WorkOrder>;
    CreateWorkOrder = CreateWorkOrder, 201, RecordPath, NoQuery, crate::orders::WorkOrderSave => crate::orders::WorkOrder;
    UpdateWorkOrder = UpdateWorkOrder, 200, RecordPath, NoQuery, crate::orders::WorkOrderSave => crate::orders::WorkOrder;
    GetCreditSettings = GetCreditSettings, 200, (), NoQuery, () => crate::credit::CreditSettingsView;
    PutCreditSettings = PutCreditSettings, 200, (), NoQuery, crate::credit::CreditSettings => crate::credit::CreditSettingsView;
    RunCreditCheck = RunCreditCheck, 202, RecordPath, NoQuery, crate::credit::RunCredit => crate::credit::CreditCheck;
    ListCreditChecks = ListCreditChecks, 200, RecordPath, NoQuery, () => Items<crate::credit::CreditCheck>;
    ApplyCreditCheck = ApplyCreditCheck, 200, crate::credit::CreditCheckPath, NoQuery, crate::credit::ApplyCredit => CustomerHome;
    EnterCreditScore = EnterCreditScore, 201, RecordPath, NoQuery, crate::credit::ManualCredit => CustomerHome;
    ListMonitoringCompanies = ListMonitoringCompanies, 200, (), NoQuery, () => Items<crate::monitoring::MonitoringCompany>;
    CreateMonitoringCompany = CreateMonitoringCompany, 201, (), NoQuery, crate::monitoring::MonitoringCompanyForm => crate::monitoring::MonitoringCompany;
    GetMonitoringCompany = GetMonitoringCompany, 200, crate::monitoring::MonitoringCompanyPath, NoQuery, () => crate::monitoring::MonitoringCompany;
    UpdateMonitoringCompany = UpdateMonitoringCompany, 200, crate::monitoring::MonitoringCompanyPath, NoQuery, crate::monitoring::MonitoringCompanyForm => crate::monitoring::MonitoringCompany;
    GetAdtPrecheck = GetAdtPrecheck, 200, RecordPath, NoQuery, () => crate::monitoring::PrecheckView;
    RefreshAdtPrecheck = RefreshAdtPrecheck, 202, RecordPath, NoQuery, crate::monitoring::RefreshPrecheck => crate::monitoring::PrecheckView;
    ListIntakeKeys = ListIntakeKeys, 200, (), NoQuery, () => Items<crate::intake::IntakeKeyView>;
    CreateIntakeKey = CreateIntakeKey, 201, (), NoQuery, crate::intake::NewIntakeKey => crate::intake::CreatedIntakeKey;
    DeleteIntakeKey = DeleteIntakeKey, 204, crate::intake::IntakeKeyPath, NoQuery, () => ();
    GetLeadIntakeSettings = GetLeadIntakeSettings, 200, (), NoQuery, () => crate::intake::LeadIntakeSettings;
    PutLeadIntakeSettings = PutLeadIntakeSettings, 200, (), NoQuery, crate::intake::LeadIntakeSettings => crate::intake::LeadIntakeSettings;
    /// The body is a form (JSON or `application/x-www-form-urlencoded`), read field by field.
    PublicIntake = PublicIntake, 202, (), NoQuery, Form => crate::intake::IntakeAccepted;
    PublicReceipt = PublicReceipt, 200, crate::intake::ReceiptPath, NoQuery, () => crate::intake::Receipt;
    PublicPreflight = PublicPreflight, 204, (), NoQuery, () => ();
    GetLeadQueueSettings = GetLeadQueueSettings, 200, (), NoQuery, () => crate::lead_queue::LeadQueueSettings;
    PutLeadQueueSettings = PutLeadQueueSettings, 200, (), NoQuery, crate::lead_queue::LeadQueueSettings => crate::lead_queue::LeadQueueSettings;
    /// 204 (no lead requestable now) carries `Next-Requestable-At` when a lead will be.
    RequestLead = RequestLead, 200, (), NoQuery, () => LeadView;
    MoveLeadLocation = MoveLeadLocation, 200, RecordPath, NoQuery, crate::lead_queue::LocationMove => LeadView;
    ReturnLeads = ReturnLeads, 200, (), NoQuery, crate::lead_queue::ReturnLeads => crate::lead_queue::ReturnReport;
    LeadQueueSummary = LeadQueueSummary, 200, (), NoQuery, () => crate::lead_queue::QueueSummary;
    CreateImport = CreateImport, 201, (), NoQuery, crate::imports::NewImport => crate::imports::ImportCreated;
    GetImport = GetImport, 200, FieldPath, NoQuery, () => crate::imports::ImportStatus;
    AnalyzeImport = AnalyzeImport, 200, FieldPath, NoQuery, () => crate::imports::ImportAnalysis;
    DryRunImport = DryRunImport, 200, FieldPath, NoQuery, crate::imports::ImportOptions => crate::imports::DryRunReport;
    RunImport = RunImport, 202, FieldPath, NoQuery, crate::imports::ImportOptions => crate::imports::ImportStatus;
    CancelImport = CancelImport, 200, FieldPath, NoQuery, () => crate::imports::ImportStatus;
    RevertImport = RevertImport, 202, FieldPath, NoQuery, () => crate::imports::ImportStatus;
    /// The errors as CSV (`row,field,message`), `text/csv`.
    ImportErrorsCsv = ImportErrorsCsv, 200, FieldPath, NoQuery, () => String;
    ReassignLeads = ReassignLeads, 200, (), NoQuery, crate::imports::Reassign => crate::imports::ReassignReport;
    ListCreationWorkflows = ListCreationWorkflows, 200, (), NoQuery, () => Items<crate::creation_workflows::CreationWorkflow>;
    CreateCreationWorkflow = CreateCreationWorkflow, 201, (), NoQuery, crate::creation_workflows::CreationWorkflowForm => crate::creation_workflows::CreationWorkflow;
    GetCreationWorkflow = GetCreationWorkflow, 200, crate::creation_workflows::CreationWorkflowPath, NoQuery, () => crate::creation_workflows::CreationWorkflow;
    UpdateCreationWorkflow = UpdateCreationWorkflow, 200, crate::creation_workflows::CreationWorkflowPath, NoQuery, crate::creation_workflows::CreationWorkflowForm => crate::creation_workflows::CreationWorkflow;
    AvailableCreationWorkflows = AvailableCreationWorkflows, 200, (), NoQuery, () => Items<crate::creation_workflows::CreationWorkflow>;
    GetCustomerWizard = GetCustomerWizard, 200, RecordPath, NoQuery, () => crate::creation_workflows::WizardView;
    AdvanceCustomerWizard = AdvanceCustomerWizard, 200, RecordPath, NoQuery, crate::creation_workflows::WizardAdvance => crate::creation_workflows::WizardView;
    GetReindex = GetReindex, 200, (), NoQuery, () => crate::maintenance::ReindexState;
    /// 409 while a run is under way.
    StartReindex = StartReindex, 202, (), NoQuery, () => crate::maintenance::ReindexState;
}

impl PathParams for crate::intake::IntakeKeyPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}

impl PathParams for crate::intake::ReceiptPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &encode(&self.id))
    }
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
