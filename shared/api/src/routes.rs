//! Every route of the API, declared once. The Lambda dispatch matches [`Function`] exhaustively (a function without
//! a handler does not compile); the local runtime's router, the SAM template test and the OpenAPI generator read
//! [`ROUTES`].

use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToJson, Deserialize, FromJson)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    /// Only the CORS preflight of the public routes.
    Options,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
        }
    }

    /// The method of an incoming request, whatever its case.
    pub fn parse(s: &str) -> Option<Self> {
        [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Options]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares an enum of names, each spelled once, with its `snake_case` spelling (the binary and template name).
macro_rules! names {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The name as the binary, the template and the logs spell it.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

names! {
    /// A Lambda function that serves routes: one binary in `functions/src/bin/` each.
    pub enum Function {
        Health = "health",
        Me = "me",
        ListOfficeLocations = "list_office_locations",
        ListPartners = "list_partners",
        ListLeads = "list_leads",
        GetLead = "get_lead",
        LeadFormOptions = "lead_form_options",
        CreateLead = "create_lead",
        UpdateLead = "update_lead",
        DeleteLead = "delete_lead",
        MoveLeadStage = "move_lead_stage",
        SetLeadTags = "set_lead_tags",
        PreviewLead = "preview_lead",
        LeadHistory = "lead_history",
        ListTags = "list_tags",
        CreateTag = "create_tag",
        GetLeadScoring = "get_lead_scoring",
        PutLeadScoring = "put_lead_scoring",
        ListCustomers = "list_customers",
        GetCustomer = "get_customer",
        CustomerFormOptions = "customer_form_options",
        CustomerParentCandidates = "customer_parent_candidates",
        CreateCustomer = "create_customer",
        UpdateCustomer = "update_customer",
        DeleteCustomer = "delete_customer",
        DuplicateCustomer = "duplicate_customer",
        CustomerHistory = "customer_history",
        ConvertLead = "convert_lead",
        CustomerArchivePreview = "customer_archive_preview",
        ArchiveCustomer = "archive_customer",
        UnarchiveCustomer = "unarchive_customer",
        ListCustomerItems = "list_customer_items",
        CreateCustomerItem = "create_customer_item",
        UpdateCustomerItem = "update_customer_item",
        ListCustomFields = "list_custom_fields",
        CreateCustomField = "create_custom_field",
        UpdateCustomField = "update_custom_field",
        DeleteCustomField = "delete_custom_field",
        GetMmrSettings = "get_mmr_settings",
        PutMmrSettings = "put_mmr_settings",
        ListMmrRates = "list_mmr_rates",
        SetCustomerTags = "set_customer_tags",
        ListOutbox = "list_outbox",
        CreatePartner = "create_partner",
        GetPartner = "get_partner",
        UpdatePartner = "update_partner",
        DeletePartner = "delete_partner",
        PartnerHistory = "partner_history",
        PartnerReturns = "partner_returns",
        ListCampaigns = "list_campaigns",
        CreateCampaign = "create_campaign",
        UpdateCampaign = "update_campaign",
        DeleteCampaign = "delete_campaign",
        ListMessageTemplates = "list_message_templates",
        CreateMessageTemplate = "create_message_template",
        GetMessageTemplate = "get_message_template",
        UpdateMessageTemplate = "update_message_template",
        DeleteMessageTemplate = "delete_message_template",
        PreviewMessageTemplate = "preview_message_template",
        ListCustomerWorkflows = "list_customer_workflows",
        CreateCustomerWorkflow = "create_customer_workflow",
        GetCustomerWorkflow = "get_customer_workflow",
        UpdateCustomerWorkflow = "update_customer_workflow",
        ListEnrollments = "list_enrollments",
        StartEnrollment = "start_enrollment",
        GetEnrollment = "get_enrollment",
        CompleteEnrollmentStep = "complete_enrollment_step",
        LeadCopilot = "lead_copilot",
        ListOpportunities = "list_opportunities",
        UpdateOpportunity = "update_opportunity",
        SellLeads = "sell_leads",
        SellCustomer = "sell_customer",
        ListSalesToPartners = "list_sales_to_partners",
        GetCatalog = "get_catalog",
        CreateCatalogEntry = "create_catalog_entry",
        UpdateCatalogEntry = "update_catalog_entry",
        ListOrderTemplates = "list_order_templates",
        ApplyOrderTemplate = "apply_order_template",
        GetAccounting = "get_accounting",
        CreateInvoice = "create_invoice",
        QuoteToInvoice = "quote_to_invoice",
        CreateBillingMethod = "create_billing_method",
        CreatePayment = "create_payment",
        ListWorkOrders = "list_work_orders",
        CreateWorkOrder = "create_work_order",
        UpdateWorkOrder = "update_work_order",
        GetCreditSettings = "get_credit_settings",
        PutCreditSettings = "put_credit_settings",
        RunCreditCheck = "run_credit_check",
        ListCreditChecks = "list_credit_checks",
        ApplyCreditCheck = "apply_credit_check",
        EnterCreditScore = "enter_credit_score",
        ListMonitoringCompanies = "list_monitoring_companies",
        CreateMonitoringCompany = "create_monitoring_company",
        GetMonitoringCompany = "get_monitoring_company",
        UpdateMonitoringCompany = "update_monitoring_company",
        GetAdtPrecheck = "get_adt_precheck",
        RefreshAdtPrecheck = "refresh_adt_precheck",
        ListIntakeKeys = "list_intake_keys",
        CreateIntakeKey = "create_intake_key",
        DeleteIntakeKey = "delete_intake_key",
        GetLeadIntakeSettings = "get_lead_intake_settings",
        PutLeadIntakeSettings = "put_lead_intake_settings",
        PublicIntake = "public_intake",
        PublicReceipt = "public_receipt",
        PublicPreflight = "public_preflight",
        GetLeadQueueSettings = "get_lead_queue_settings",
        PutLeadQueueSettings = "put_lead_queue_settings",
        RequestLead = "request_lead",
        MoveLeadLocation = "move_lead_location",
        ReturnLeads = "return_leads",
        LeadQueueSummary = "lead_queue_summary",
        CreateImport = "create_import",
        GetImport = "get_import",
        AnalyzeImport = "analyze_import",
        DryRunImport = "dry_run_import",
        RunImport = "run_import",
        CancelImport = "cancel_import",
        RevertImport = "revert_import",
        ImportErrorsCsv = "import_errors_csv",
        ReassignLeads = "reassign_leads",
        ListCreationWorkflows = "list_creation_workflows",
        CreateCreationWorkflow = "create_creation_workflow",
        GetCreationWorkflow = "get_creation_workflow",
        UpdateCreationWorkflow = "update_creation_workflow",
        AvailableCreationWorkflows = "available_creation_workflows",
        GetCustomerWizard = "get_customer_wizard",
        AdvanceCustomerWizard = "advance_customer_wizard",
        GetReindex = "get_reindex",
        StartReindex = "start_reindex",
    }
}

names! {
    /// A route the local runtime answers itself (the demo sign-in); never deployed.
    pub enum LocalFunction {
        DevUsers = "dev_users",
        DevSignIn = "dev_sign_in",
    }
}

names! {
    /// A function behind a queue.
    pub enum Worker {
        JobsWorker = "jobs_worker",
    }
}

names! {
    /// A function behind the table's stream: the pending-job dispatcher (the transactional outbox's relay).
    pub enum StreamWorker {
        OutboxDispatcher = "outbox_dispatcher",
    }
}

names! {
    /// A function run on a schedule.
    pub enum Scheduled {
        FollowupReminders = "followup_reminders",
    }
}

impl Scheduled {
    /// The EventBridge schedule expression.
    pub const fn schedule(self) -> &'static str {
        match self {
            Scheduled::FollowupReminders => "cron(0 13 * * ? *)",
        }
    }
}

/// One route: API Gateway's route key and what serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<F = Function> {
    pub method: Method,
    pub path: &'static str,
    pub function: F,
    /// False for the few routes that take no session (health, the demo sign-in).
    pub auth: bool,
}

impl<F> Route<F> {
    /// The path parameters (`{id}` → `id`), in order.
    pub fn params(&self) -> impl Iterator<Item = &'static str> {
        self.path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }
}

const fn route(method: Method, path: &'static str, function: Function) -> Route {
    Route { method, path, function, auth: true }
}

use Function as F;
use Method::{Delete, Get, Options, Patch, Post, Put};

/// Routes deployed to API Gateway.
pub const ROUTES: &[Route] = &[
    Route { method: Get, path: "/api/v1/health", function: F::Health, auth: false },
    route(Get, "/api/v1/me", F::Me),
    route(Get, "/api/v1/office-locations", F::ListOfficeLocations),
    route(Get, "/api/v1/partners", F::ListPartners),
    route(Get, "/api/v1/leads", F::ListLeads),
    route(Get, "/api/v1/leads/{id}", F::GetLead),
    route(Get, "/api/v1/leads/form-options", F::LeadFormOptions),
    route(Post, "/api/v1/leads", F::CreateLead),
    route(Patch, "/api/v1/leads/{id}", F::UpdateLead),
    route(Delete, "/api/v1/leads/{id}", F::DeleteLead),
    route(Post, "/api/v1/leads/{id}/stage", F::MoveLeadStage),
    route(Put, "/api/v1/leads/{id}/tags", F::SetLeadTags),
    route(Get, "/api/v1/leads/{id}/preview", F::PreviewLead),
    route(Get, "/api/v1/leads/{id}/history", F::LeadHistory),
    route(Get, "/api/v1/tags", F::ListTags),
    route(Post, "/api/v1/tags", F::CreateTag),
    route(Get, "/api/v1/settings/lead-scoring", F::GetLeadScoring),
    route(Put, "/api/v1/settings/lead-scoring", F::PutLeadScoring),
    route(Get, "/api/v1/customers", F::ListCustomers),
    route(Get, "/api/v1/customers/{id}", F::GetCustomer),
    route(Get, "/api/v1/customers/form-options", F::CustomerFormOptions),
    route(Get, "/api/v1/customers/parent-candidates", F::CustomerParentCandidates),
    route(Post, "/api/v1/customers", F::CreateCustomer),
    route(Patch, "/api/v1/customers/{id}", F::UpdateCustomer),
    route(Delete, "/api/v1/customers/{id}", F::DeleteCustomer),
    route(Post, "/api/v1/customers/{id}/duplicate", F::DuplicateCustomer),
    route(Get, "/api/v1/customers/{id}/history", F::CustomerHistory),
    route(Post, "/api/v1/leads/{id}/convert", F::ConvertLead),
    route(Get, "/api/v1/customers/{id}/archive-preview", F::CustomerArchivePreview),
    route(Post, "/api/v1/customers/{id}/archive", F::ArchiveCustomer),
    route(Post, "/api/v1/customers/{id}/unarchive", F::UnarchiveCustomer),
    // Sub-records: one list and one create function serve every collection (the path's last segment names it).
    route(Get, "/api/v1/customers/{id}/notes", F::ListCustomerItems),
    route(Post, "/api/v1/customers/{id}/notes", F::CreateCustomerItem),
    route(Patch, "/api/v1/customers/{id}/notes/{item_id}", F::UpdateCustomerItem),
    route(Get, "/api/v1/customers/{id}/contacts", F::ListCustomerItems),
    route(Post, "/api/v1/customers/{id}/contacts", F::CreateCustomerItem),
    route(Patch, "/api/v1/customers/{id}/contacts/{item_id}", F::UpdateCustomerItem),
    route(Get, "/api/v1/customers/{id}/equipment", F::ListCustomerItems),
    route(Post, "/api/v1/customers/{id}/equipment", F::CreateCustomerItem),
    route(Patch, "/api/v1/customers/{id}/equipment/{item_id}", F::UpdateCustomerItem),
    route(Get, "/api/v1/customers/{id}/appointments", F::ListCustomerItems),
    route(Post, "/api/v1/customers/{id}/appointments", F::CreateCustomerItem),
    route(Patch, "/api/v1/customers/{id}/appointments/{item_id}", F::UpdateCustomerItem),
    route(Get, "/api/v1/customers/{id}/recurring-invoices", F::ListCustomerItems),
    route(Post, "/api/v1/customers/{id}/recurring-invoices", F::CreateCustomerItem),
    route(Patch, "/api/v1/customers/{id}/recurring-invoices/{item_id}", F::UpdateCustomerItem),
    route(Get, "/api/v1/customers/{id}/scheduled-payments", F::ListCustomerItems),
    route(Post, "/api/v1/customers/{id}/scheduled-payments", F::CreateCustomerItem),
    route(Patch, "/api/v1/customers/{id}/scheduled-payments/{item_id}", F::UpdateCustomerItem),
    route(Get, "/api/v1/settings/custom-fields", F::ListCustomFields),
    route(Post, "/api/v1/settings/custom-fields", F::CreateCustomField),
    route(Patch, "/api/v1/settings/custom-fields/{id}", F::UpdateCustomField),
    route(Delete, "/api/v1/settings/custom-fields/{id}", F::DeleteCustomField),
    route(Get, "/api/v1/settings/mmr", F::GetMmrSettings),
    route(Put, "/api/v1/settings/mmr", F::PutMmrSettings),
    route(Get, "/api/v1/customers/mmr-rates", F::ListMmrRates),
    route(Put, "/api/v1/customers/{id}/tags", F::SetCustomerTags),
    route(Get, "/api/v1/outbox", F::ListOutbox),
    // Partner companies, their campaigns and message templates (admin).
    route(Post, "/api/v1/partners", F::CreatePartner),
    route(Get, "/api/v1/partners/{id}", F::GetPartner),
    route(Patch, "/api/v1/partners/{id}", F::UpdatePartner),
    route(Delete, "/api/v1/partners/{id}", F::DeletePartner),
    route(Get, "/api/v1/partners/{id}/history", F::PartnerHistory),
    route(Get, "/api/v1/partners/{id}/returns", F::PartnerReturns),
    route(Get, "/api/v1/partners/{id}/campaigns", F::ListCampaigns),
    route(Post, "/api/v1/partners/{id}/campaigns", F::CreateCampaign),
    route(Patch, "/api/v1/campaigns/{id}", F::UpdateCampaign),
    route(Delete, "/api/v1/campaigns/{id}", F::DeleteCampaign),
    route(Get, "/api/v1/message-templates", F::ListMessageTemplates),
    route(Post, "/api/v1/message-templates", F::CreateMessageTemplate),
    route(Get, "/api/v1/message-templates/{id}", F::GetMessageTemplate),
    route(Patch, "/api/v1/message-templates/{id}", F::UpdateMessageTemplate),
    route(Delete, "/api/v1/message-templates/{id}", F::DeleteMessageTemplate),
    route(Post, "/api/v1/message-templates/{id}/preview", F::PreviewMessageTemplate),
    // Customer workflows: definitions (admin), a customer's enrollments, one enrollment and its steps.
    route(Get, "/api/v1/settings/customer-workflows", F::ListCustomerWorkflows),
    route(Post, "/api/v1/settings/customer-workflows", F::CreateCustomerWorkflow),
    route(Get, "/api/v1/settings/customer-workflows/{id}", F::GetCustomerWorkflow),
    route(Patch, "/api/v1/settings/customer-workflows/{id}", F::UpdateCustomerWorkflow),
    route(Get, "/api/v1/customers/{id}/workflows", F::ListEnrollments),
    route(Post, "/api/v1/customers/{id}/workflows", F::StartEnrollment),
    route(Get, "/api/v1/enrollments/{id}", F::GetEnrollment),
    route(Post, "/api/v1/enrollments/{id}/steps/{step_id}/complete", F::CompleteEnrollmentStep),
    // The Sales Copilot on the lead page.
    route(Post, "/api/v1/leads/{id}/copilot", F::LeadCopilot),
    // Opportunities of a customer (opened by a conversion).
    route(Get, "/api/v1/customers/{id}/opportunities", F::ListOpportunities),
    route(Patch, "/api/v1/customers/{id}/opportunities", F::UpdateOpportunity),
    // Selling leads and customers to buying partners.
    route(Post, "/api/v1/leads/sell", F::SellLeads),
    route(Post, "/api/v1/customers/{id}/sell", F::SellCustomer),
    route(Get, "/api/v1/sales-to-partners", F::ListSalesToPartners),
    // Orders and accounting: the catalog (admin), order templates, work orders, invoices, billing methods, payments.
    route(Get, "/api/v1/settings/catalog", F::GetCatalog),
    route(Post, "/api/v1/settings/catalog", F::CreateCatalogEntry),
    route(Patch, "/api/v1/settings/catalog/{id}", F::UpdateCatalogEntry),
    route(Get, "/api/v1/order-templates", F::ListOrderTemplates),
    route(Post, "/api/v1/customers/{id}/apply-order-template", F::ApplyOrderTemplate),
    route(Get, "/api/v1/customers/{id}/accounting", F::GetAccounting),
    route(Post, "/api/v1/customers/{id}/invoices", F::CreateInvoice),
    route(Post, "/api/v1/customers/{id}/quote-to-invoice", F::QuoteToInvoice),
    route(Post, "/api/v1/customers/{id}/billing-methods", F::CreateBillingMethod),
    route(Post, "/api/v1/customers/{id}/payments", F::CreatePayment),
    route(Get, "/api/v1/customers/{id}/work-orders", F::ListWorkOrders),
    route(Post, "/api/v1/customers/{id}/work-orders", F::CreateWorkOrder),
    route(Patch, "/api/v1/customers/{id}/work-orders", F::UpdateWorkOrder),
    // Credit checks: the company's add-on settings, a customer's checks (each pull a job) and applying one.
    route(Get, "/api/v1/settings/credit", F::GetCreditSettings),
    route(Put, "/api/v1/settings/credit", F::PutCreditSettings),
    route(Post, "/api/v1/customers/{id}/credit-checks", F::RunCreditCheck),
    route(Get, "/api/v1/customers/{id}/credit-checks", F::ListCreditChecks),
    route(Post, "/api/v1/credit-checks/{id}/apply", F::ApplyCreditCheck),
    route(Post, "/api/v1/customers/{id}/credit-checks/manual", F::EnterCreditScore),
    // Monitoring companies (admin) and a customer's ADT PreCheck (run as a job).
    route(Get, "/api/v1/settings/monitoring-companies", F::ListMonitoringCompanies),
    route(Post, "/api/v1/settings/monitoring-companies", F::CreateMonitoringCompany),
    route(Get, "/api/v1/settings/monitoring-companies/{id}", F::GetMonitoringCompany),
    route(Patch, "/api/v1/settings/monitoring-companies/{id}", F::UpdateMonitoringCompany),
    route(Get, "/api/v1/customers/{id}/adt-precheck", F::GetAdtPrecheck),
    route(Post, "/api/v1/customers/{id}/adt-precheck", F::RefreshAdtPrecheck),
    // Public lead intake: keys (admin), and the routes web forms and partners' systems post to with a key instead of
    // a session.
    route(Get, "/api/v1/intake-keys", F::ListIntakeKeys),
    route(Post, "/api/v1/intake-keys", F::CreateIntakeKey),
    route(Delete, "/api/v1/intake-keys/{id}", F::DeleteIntakeKey),
    route(Get, "/api/v1/settings/lead-intake", F::GetLeadIntakeSettings),
    route(Put, "/api/v1/settings/lead-intake", F::PutLeadIntakeSettings),
    Route { method: Post, path: "/api/v1/public/leads", function: F::PublicIntake, auth: false },
    Route { method: Get, path: "/api/v1/public/receipts/{id}", function: F::PublicReceipt, auth: false },
    Route { method: Options, path: "/api/v1/public/leads", function: F::PublicPreflight, auth: false },
    Route { method: Options, path: "/api/v1/public/receipts/{id}", function: F::PublicPreflight, auth: false },
    // The lead queue (Pending and Queue) and returns to the partners that sold the leads.
    route(Get, "/api/v1/settings/lead-queue", F::GetLeadQueueSettings),
    route(Put, "/api/v1/settings/lead-queue", F::PutLeadQueueSettings),
    route(Post, "/api/v1/lead-queue/request", F::RequestLead),
    route(Post, "/api/v1/leads/{id}/location", F::MoveLeadLocation),
    route(Post, "/api/v1/leads/return", F::ReturnLeads),
    route(Get, "/api/v1/lead-queue", F::LeadQueueSummary),
    // CSV lead import (the file itself goes to the upload URL, never through the API) and bulk rep reassignment.
    route(Post, "/api/v1/imports", F::CreateImport),
    route(Get, "/api/v1/imports/{id}", F::GetImport),
    route(Post, "/api/v1/imports/{id}/analyze", F::AnalyzeImport),
    route(Post, "/api/v1/imports/{id}/dry-run", F::DryRunImport),
    route(Post, "/api/v1/imports/{id}/run", F::RunImport),
    route(Post, "/api/v1/imports/{id}/cancel", F::CancelImport),
    route(Post, "/api/v1/imports/{id}/revert", F::RevertImport),
    route(Get, "/api/v1/imports/{id}/errors.csv", F::ImportErrorsCsv),
    route(Post, "/api/v1/leads/reassign", F::ReassignLeads),
    // Creation workflows (admin: Catalogs), the split buttons' list, and a customer's wizard progress.
    route(Get, "/api/v1/settings/creation-workflows", F::ListCreationWorkflows),
    route(Post, "/api/v1/settings/creation-workflows", F::CreateCreationWorkflow),
    route(Get, "/api/v1/settings/creation-workflows/{id}", F::GetCreationWorkflow),
    route(Patch, "/api/v1/settings/creation-workflows/{id}", F::UpdateCreationWorkflow),
    route(Get, "/api/v1/creation-workflows", F::AvailableCreationWorkflows),
    route(Get, "/api/v1/customers/{id}/wizard", F::GetCustomerWizard),
    route(Post, "/api/v1/customers/{id}/wizard", F::AdvanceCustomerWizard),
    // Maintenance: the backfill of the list's short-prefix items and prefix counters (admins).
    route(Get, "/api/v1/maintenance/reindex", F::GetReindex),
    route(Post, "/api/v1/maintenance/reindex", F::StartReindex),
];

/// Routes that exist only in the local runtime (demo sign-in); never deployed.
pub const LOCAL_ONLY_ROUTES: &[Route<LocalFunction>] = &[
    Route { method: Get, path: "/api/v1/dev/users", function: LocalFunction::DevUsers, auth: false },
    Route { method: Post, path: "/api/v1/dev/sign-in", function: LocalFunction::DevSignIn, auth: false },
];

/// Every function the template deploys: the routes' functions, the workers and the scheduled jobs.
pub fn deployed_functions() -> impl Iterator<Item = &'static str> {
    Function::ALL
        .iter()
        .map(|f| f.name())
        .chain(Worker::ALL.iter().map(|w| w.name()))
        .chain(StreamWorker::ALL.iter().map(|w| w.name()))
        .chain(Scheduled::ALL.iter().map(|s| s.name()))
}

/// The routes a function serves.
pub fn routes_of(f: Function) -> impl Iterator<Item = &'static Route> {
    ROUTES.iter().filter(move |r| r.function == f)
}

/// The first route `f` serves. Out of line: called with a constant from every operation's `method` and
/// `path_template`, it would otherwise be specialised into a search of the table per operation (about 17 KB of the
/// portal's wasm).
#[inline(never)]
pub fn first_route(f: Function) -> Option<&'static Route> {
    routes_of(f).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_serves_a_route_and_names_round_trip() {
        for f in Function::ALL {
            assert!(routes_of(*f).next().is_some(), "{f} serves no route");
            assert_eq!(Function::from_name(f.name()), Some(*f));
        }
        assert_eq!(Function::from_name("nope"), None);
    }

    #[test]
    fn methods_parse_in_any_case() {
        assert_eq!(Method::parse("patch"), Some(Method::Patch));
        assert_eq!(Method::parse("TRACE"), None);
    }
}
