//! The OpenAPI description (`infra/openapi.yaml`), generated from the contract: the routes come from [`ROUTES`] and
//! [`LOCAL_ONLY_ROUTES`], each operation's parameters, body and answer from its [`Operation`] type, and the schemas
//! from the types themselves (with the constraints the domain enforces), so the description cannot drift from what
//! the server and the portal compile against. `cargo xtask openapi` writes the file; a test fails when the committed
//! one differs.
//!
//! Response schemas follow what the types serialize (a field skipped when empty is optional), request schemas what
//! they accept (a field with a default is optional); where the two differ the request's is named `…Input`. Form
//! bodies (`ops::Form`), which the server reads field by field, are described here field by field from the same
//! rules the domain applies.

use crate::customers::Collection;
use crate::operation::Operation;
use crate::routes::{Function, LocalFunction, Method, Route, LOCAL_ONLY_ROUTES, ROUTES};
use crate::{common, ops};
use schemars::generate::{Contract, SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{json, Map, Value};
use serde_yaml::{Mapping, Value as Yaml};
use std::any::TypeId;
use std::collections::BTreeMap;

/// Where the description lives, from the repository root.
pub const PATH: &str = "infra/openapi.yaml";

/// The description as the committed file holds it.
pub fn yaml() -> String {
    let body = serde_yaml::to_string(&document()).expect("the description is plain data");
    format!("# Generated from the contract (shared/api) by `cargo xtask openapi`; do not edit by hand.\n{body}")
}

const SCHEMAS: &str = "#/components/schemas/";
/// Where request schemas point until they are merged with the response schemas (see [`Builder::finish`]).
const REQUEST_SCHEMAS: &str = "#/components/x-request/";

/// The whole document.
pub fn document() -> Yaml {
    let mut b = Builder::new();
    let mut paths: Vec<(&'static str, Mapping)> = Vec::new();
    let mut add = |path: &'static str, method: Method, op: Yaml| {
        let i = match paths.iter().position(|(p, _)| *p == path) {
            Some(i) => i,
            None => {
                paths.push((path, Mapping::new()));
                paths.len() - 1
            }
        };
        paths[i].1.insert(method.as_str().to_ascii_lowercase().into(), op);
    };
    for r in ROUTES {
        let op = b.operation(r);
        add(r.path, r.method, op);
    }
    for r in LOCAL_ONLY_ROUTES {
        let op = b.local_operation(r);
        add(r.path, r.method, op);
    }
    let schemas = b.finish();
    // Inline request bodies were written before the request schemas got their final names.
    let paths: Vec<(&'static str, Mapping)> = paths
        .into_iter()
        .map(|(p, m)| {
            let json = serde_json::to_value(&m).expect("the paths are plain data");
            let json = rename_refs(rewrite_refs(json, &b.renamed), &primitive_renames());
            let Yaml::Mapping(m) = to_yaml(&json) else { unreachable!("a mapping stays a mapping") };
            (p, m)
        })
        .collect();

    let mut doc = Mapping::new();
    doc.insert("openapi".into(), "3.0.3".into());
    doc.insert("info".into(), to_yaml(&info()));
    doc.insert("servers".into(), to_yaml(&json!([{"url": "/", "description": "The portal's own origin (CloudFront sends /api/* to the HTTP API; locally the embedded runtime)."}])));
    doc.insert("security".into(), to_yaml(&json!([{"bearer": []}])));
    doc.insert("tags".into(), to_yaml(&tags()));
    doc.insert("paths".into(), Yaml::Mapping(paths.into_iter().map(|(p, m)| (p.into(), Yaml::Mapping(m))).collect()));
    let mut components = Mapping::new();
    components.insert("securitySchemes".into(), to_yaml(&security_schemes()));
    components.insert("parameters".into(), to_yaml(&parameters()));
    components.insert("responses".into(), to_yaml(&responses()));
    components.insert("schemas".into(), to_yaml(&Value::Object(schemas.into_iter().collect())));
    doc.insert("components".into(), Yaml::Mapping(components));
    Yaml::Mapping(doc)
}

fn to_yaml(v: &Value) -> Yaml {
    serde_yaml::to_value(v).expect("JSON is YAML")
}

fn info() -> Value {
    json!({
        "title": "Vigil API",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Leads, customers, partner companies and jobs for a security-alarm dealer. JSON over HTTPS under `/api/v1`.\n\n\
    * Every operation takes the Cognito ID token of a signed-in user as a bearer token, except where `security: []` says \
    otherwise. The token's `custom:company` claim is the tenant: no request can reach another company's items, whatever \
    IDs it sends (they answer 404).\n\
    * Errors are `application/problem+json` (see `Problem`), with one entry in `errors` per offending field.\n\
    * Lists take and return an opaque, signed `cursor`; a cursor from another query is rejected with 400.\n\
    * Writes take the record's `version`; a stale version answers 409 with the current record where visible.\n\
    * Operations marked `x-local-only: true` exist only in the local runtime (the demo sign-in); they are never deployed.\n\n\
    Generated from the typed contract (`shared/api`) by `cargo xtask openapi`.\n",
    })
}

fn tags() -> Value {
    json!([
        {"name": "system"},
        {"name": "session"},
        {"name": "directory"},
        {"name": "records", "description": "The Leads list and the Customer List (one engine, the same filters)."},
        {"name": "leads", "description": "The lead write side, single-lead reads, tags and lead scoring."},
        {"name": "customers", "description": "The customer record (Home page), conversion, parent/sub-customers, archive, delete, sub-records."},
        {"name": "settings", "description": "Company settings - user-defined fields and monthly monitoring rates."},
        {"name": "jobs"},
        {"name": "credit", "description": "Credit checks - the add-on's settings, a customer's checks (each pull a job behind a bureau adapter) and applying one."},
        {"name": "imports", "description": "CSV lead import - upload, mapping, dry run, run in chunks with progress, cancel, revert."},
        {"name": "workflows", "description": "Customer workflows - versioned definitions, enrollments, steps and their completion."},
        {"name": "orders", "description": "The equipment catalog, order templates and applying them, work orders."},
        {"name": "accounting", "description": "Invoices, quotes, billing methods (processor tokens only), payments and Transactions; parent/child billing."},
        {"name": "creation", "description": "Creation workflows - the guided New Customer, New Lead and Convert to Customer paths, and a customer's wizard progress."},
        {"name": "maintenance", "description": "Admin runs over the company's own data - the backfill of the list's short-prefix items and prefix counters."},
        {"name": "intake", "description": "Public lead intake - keys, the post web forms and partners' systems make without a session, receipts, the duplicate window."},
        {"name": "local", "description": "Demo sign-in of the local runtime. Never deployed."},
    ])
}

fn security_schemes() -> Value {
    json!({"bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Cognito ID token (it carries `custom:company`), checked by API Gateway's JWT authorizer; locally a token the runtime signs for a demo user with the same claims.",
    }})
}

fn parameters() -> Value {
    json!({
        "RecordId": {
            "name": "id", "in": "path", "required": true,
            "description": "The record's number (per company; a lead keeps it when it becomes a customer)",
            "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": u64::MAX},
            "example": 1,
        },
        "FieldId": {
            "name": "id", "in": "path", "required": true,
            "description": "The number of the user-defined field, partner company, campaign or message template the path names",
            "schema": {"type": "integer", "format": "int64", "minimum": 1, "maximum": u32::MAX},
            "example": 1,
        },
    })
}

/// The problem responses, by status.
const PROBLEMS: &[(u16, &str, &str)] = &[
    (400, "BadRequest", "A request-level problem, e.g. a cursor that does not belong to this query"),
    (401, "Unauthenticated", "No valid session"),
    (403, "Forbidden", "Signed in, but the caller's permissions do not allow this"),
    (404, "NotFound", "No such item for this caller (another company's IDs answer the same)"),
    (409, "Conflict", "Stale `version` or a state that forbids the change; `current` holds the stored item where the caller may see it"),
    (413, "TooLarge", "The body is over 256 KiB"),
    (422, "Invalid", "Invalid input; `errors` names every offending field"),
    (500, "Internal", "The server failed"),
    (503, "Busy", "Contention outlasted the retries; try again after `Retry-After` seconds"),
];

fn responses() -> Value {
    let mut out = Map::new();
    for (_, name, description) in PROBLEMS {
        out.insert((*name).into(), problem_response(description));
    }
    Value::Object(out)
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": format!("{SCHEMAS}Problem")}}},
    })
}

// ------------------------------------------------------------------------------------------------------ operations

/// What the description says of one operation beyond its types.
struct Meta {
    tag: &'static str,
    summary: String,
    description: Option<&'static str>,
    /// The success response's description.
    ok: &'static str,
    /// Problem statuses besides the ones the route's shape implies (see [`Builder::operation`]).
    extra: &'static [u16],
    /// A problem status described more precisely than the shared response.
    notes: &'static [(u16, &'static str)],
}

fn meta(f: Function, path: &str) -> Meta {
    use Function as F;
    let m =
        |tag, summary: &str, ok| Meta { tag, summary: summary.into(), description: None, ok, extra: &[], notes: &[] };
    match f {
        F::Health => m("system", "Liveness; no session needed", "The service answers"),
        F::Me => m("session", "The signed-in user, their company, role, permissions and navigation", "The caller"),
        F::ListOfficeLocations => m("directory", "The company's office locations", "All office locations of the caller's company"),
        F::ListPartners => m("directory", "Partner companies (lead sources) with their campaigns", "The company's partner companies"),
        F::ListLeads => m("records", "One page of the Leads list - filters, saved views, sort and signed cursors; reads in proportion to the page", "A page of leads the caller may see"),
        F::ListCustomers => m("records", "One page of the Customer List - the same filters, sort and cursors as the Leads list, plus Archive Status", "A page of customers the caller may see"),
        F::GetLead => m("records", "One lead", "The lead (confidential fields masked unless the caller holds the grant)"),
        F::LeadFormOptions => m("leads", "What the New Lead form offers", "Sources with campaigns, statuses, states, account types and classes, languages, industries"),
        F::CreateLead => Meta {
            notes: &[(409, "Possible duplicates; `current.duplicates` lists the matching leads the caller may open (send `allow_duplicates=true` to save anyway)")],
            description: Some("Every bad field is reported at once (422). The source, campaign (of that source), status and account class must be the company's."),
            ..m("leads", "Create a lead (New Lead form)", "The new lead")
        },
        F::UpdateLead => Meta {
            description: Some("Send the fields changed and the `version` read; `null` clears an optional field. A stale version answers 409 with the stored lead."),
            ..m("leads", "Edit the fields sent (personal information, SSN, qualification, rating) with the record's version", "The lead as saved (score recomputed)")
        },
        F::DeleteLead => m("leads", "Delete the lead and everything under it (Leads Delete permission)", "Deleted"),
        F::MoveLeadStage => Meta {
            notes: &[(422, "Not an allowed move; the message names the allowed next stages")],
            ..m("leads", "Move the lead one pipeline step (New → Contacted → Qualified | Unqualified; Unqualified → New)", "The lead after the move")
        },
        F::SetLeadTags => m("leads", "Replace the lead's tags", "The lead with its new tags"),
        F::PreviewLead => m("leads", "The list's side panel for one lead", "The preview fields the caller may see"),
        F::LeadHistory => m("leads", "The lead's change history (newest 100, oldest first)", "History entries (SSN changes carry no values)"),
        F::ListTags => m("leads", "The company's tags", "Tags in ID order"),
        F::CreateTag => m("leads", "Create a tag (Tags Create; admins)", "The new tag"),
        F::GetLeadScoring => m("leads", "The lead-score weights", "The weights in force"),
        F::PutLeadScoring => Meta {
            description: Some("Each weight 0-100, together at most 100; best industries from the form options' industries."),
            ..m("leads", "Change the lead-score weights (Company Settings Modify; admins)", "The weights saved")
        },
        F::GetCustomer => Meta {
            description: Some("Header (ID, name, status boxes, created date and by whom, sale and install badges, location, city/state, parent or sub-customers), tab counts and warning flags (one Query of the record's partition), tags, and every card the caller may see. Cards whose section grant the caller lacks are left out; SSN, birthdate, confirmation number, receiver number and abort code are `***` without the confidential grant."),
            ..m("customers", "The whole Home page of a customer or a lead (same ID) in one call", "The record")
        },
        F::CustomerFormOptions => m("customers", "What the customer cards offer - office locations, Sold By / Lead Rep / technician users, account classes, monitoring companies, contract terms, activation fees, MMR rates and other select lists", "The options"),
        F::CustomerParentCandidates => m("customers", "Parent picker search - top-level customers by name, business name, account number or ID (sub-customers excluded)", "Up to 20 candidates"),
        F::CreateCustomer => Meta {
            notes: &[(409, "Possible duplicates; `current.duplicates` lists the matching customers the caller may open (send `allow_duplicates=true` to save anyway)")],
            description: Some("Any card field may come along; fields outside the caller's section grants are refused with 403 naming them. A parent is linked after the customer exists (PATCH `parent_id`). With `run_adt_precheck: true` (offered while the company has an active ADT monitoring company) the 422 names each missing one of `monitored_by_id` (an active ADT company; it becomes `monitoring_company_id`), `dealer_number` (when that company requires one), `birthdate`, `ssn`, `email`, `business_name` and `business_contact` (commercial accounts), `address1`, `zip` and `county`; with PreCheck Order Enabled the PreCheck then runs as a job (`GET /api/v1/customers/{id}/adt-precheck`)."),
            ..m("customers", "New customer (plain form); first and last name, primary phone, city, state, account type and office location are required", "The new customer, as the Home page reads it")
        },
        F::UpdateCustomer => Meta {
            description: Some("Fields outside the caller's section grants are refused with 403 naming them; an SSN (or another confidential field) may be entered where none exists by whoever may modify its card, and changed only with the confidential grant. A stale version is 409 \"another user changed this customer\" with the current record. Archived customers refuse every write (409). `parent_id` links to a parent customer (null unlinks)."),
            ..m("customers", "Save changed fields with the record's version", "The record after the save")
        },
        F::DeleteCustomer => Meta {
            description: Some("Marks the record as being deleted (it leaves every list at once), then clears its partition in bounded batches; calling it again resumes a delete a crash interrupted. A parent with sub-customers is refused (409)."),
            ..m("customers", "Delete the record and everything under it (Customers Delete; Leads Delete for a lead)", "Deleted")
        },
        F::DuplicateCustomer => m("customers", "New customer that starts as a copy of this one (no SSN, history, children, parent, tags or sub-records)", "The new customer"),
        F::CustomerHistory => m("customers", "Every change to the record, newest first, paged", "A page of history entries"),
        F::UpdateOpportunity => m("customers", "Change one of the customer's opportunities (named in the body) with its version", "The opportunity saved"),
        F::ListOpportunities => m("customers", "The customer's opportunities, oldest first (amounts in integer US cents)", "Opportunities"),
        F::GetCatalog => m("orders", "The equipment catalog, wire types, packages, order templates and sold-by list (inactive included)", "The catalog"),
        F::CreateCatalogEntry => m("orders", "Add an equipment item, wire type, package, order template or sold-by entry (admins; names unique per kind)", "The new entry"),
        F::UpdateCatalogEntry => m("orders", "Change a catalog entry with its version (admins); entries are deactivated, never deleted", "The entry saved"),
        F::ListOrderTemplates => m("orders", "The active order templates with their monthly rates and active packages", "Active templates"),
        F::ApplyOrderTemplate => m("orders", "Apply an order template: the MMR, the package's and additional equipment, and optionally an invoice or quote, all in one transaction (at most 20 additional rows)", "What was added"),
        F::GetAccounting => m("accounting", "The Accounting tab: invoices, quotes, payments, billing methods and Transactions with a running balance (integer US cents)", "The customer's accounting"),
        F::CreateInvoice => m("accounting", "Create an invoice or a quote with line items and a tax rate in basis points", "The invoice or quote"),
        F::QuoteToInvoice => m("accounting", "Turn an open quote into an invoice (the quote's version)", "The new invoice"),
        F::CreateBillingMethod => m("accounting", "Keep a card or ACH account as the payment processor's token with brand, last 4 and expiry; never a card number or CVV", "The billing method"),
        F::CreatePayment => m("accounting", "Take a payment against an invoice with a billing method; a sub-customer's payments are received on its parent", "The payment"),
        F::ListWorkOrders => m("orders", "The customer's work orders, oldest first", "Work orders"),
        F::CreateWorkOrder => m("orders", "Create a work order from the customer's equipment", "The work order"),
        F::UpdateWorkOrder => m("orders", "Change a work order (named in the body) with its version", "The work order saved"),
        F::ConvertLead => Meta {
            description: Some("In the same transaction the lead's person becomes the customer's primary contact and, with `opportunity`, an opportunity opens in stage prospecting closing 90 days out. `opportunity.amount` is in integer US cents (0 or more); `opportunity.name` 1–200 characters; either wrong is 422 naming `opportunity.name` or `opportunity.amount`. The confirmation email lists what was created."),
            ..m("customers", "Convert the lead into a customer with the same ID (one transaction), then email the converting user", "The record, now a customer")
        },
        F::CustomerArchivePreview => Meta { extra: &[409], ..m("customers", "What archiving would affect - active recurring invoices, future appointments, future scheduled payments, unarchived sub-customers with theirs", "The preview") },
        F::ArchiveCustomer => m("customers", "Archive the customer and its unarchived sub-customers, cancelling what the preview lists, in one transaction", "The archived record"),
        F::UnarchiveCustomer => m("customers", "Unarchive the customer, optionally with its archived sub-customers; nothing cancelled is restored; blocked while the parent is archived", "The unarchived record"),
        F::ListCustomerItems => Meta {
            summary: format!("{} of the record, newest first", collection_label(path)),
            ..m("customers", "", "The items")
        },
        F::CreateCustomerItem => Meta {
            summary: format!("Add to the record's {} (Modify on the record; archived records take nothing)", collection_label(path).to_lowercase()),
            ..m("customers", "", "The new item")
        },
        F::UpdateCustomerItem => Meta {
            summary: format!("Change one of the record's {} and its status, with the version read (Modify on the record; archived records refuse)", collection_label(path).to_lowercase()),
            description: Some("Fields sent replace the stored ones, `null` clears an optional one, and the result is validated as a new item is. The change and its line of the customer's history land in one transaction. A stale `version`, or a change made meanwhile (another user's edit, archiving's cancellation), is 409 with the item as stored."),
            extra: &[409],
            ..m("customers", "", "The item as saved")
        },
        F::SetCustomerTags => m("customers", "Replace the customer's tags (archived customers refuse)", "The customer record with its new tags"),
        F::ListCustomFields => m("settings", "The company's user-defined fields (UDFs), in display order", "Every definition, active and inactive"),
        F::CreateCustomField => m("settings", "Define a user-defined field (Company Settings Modify; admins)", "The new definition"),
        F::UpdateCustomField => m("settings", "Change a user-defined field's name, required flag, options, order or active flag (with its version)", "The definition saved"),
        F::DeleteCustomField => m("settings", "Remove a user-defined field definition (values already saved on records are no longer shown)", "Removed"),
        F::GetMmrSettings => m("settings", "Monthly monitoring rates - the mode (simple or breakout), the line-item configuration and the rates", "The company's MMR configuration"),
        F::PutMmrSettings => Meta {
            description: Some("The whole configuration, sent back with the version it read (stale is 409; the version goes up by one on every save). Validation errors (422) name the field by path, e.g. rates[2].line_items[0].item_id. Rates are never removed, only deactivated (active false); new items and rates may omit their id and get the next free one (item ids are never reused). In breakout mode a rate's amount_cents must equal the sum of its line items, and a line must name a configured item (a legacy line the stored rate already has may stay)."),
            ..m("settings", "Replace the MMR configuration (Company Settings Modify; admins) with its version", "The configuration saved")
        },
        F::ListMmrRates => Meta { extra: &[404], ..m("customers", "The breakout rate picker - rates matching the filters, each with its line items and mismatch flag", "Matching rates and the filter choices") },
        F::ListOutbox => m("jobs", "Emails the company's jobs have sent (locally the outbox replaces SES), newest first", "A page of sent emails"),
        F::CreatePartner => Meta {
            description: Some("Every bad field is reported at once (422): email lists item by item, a post URL must be https (plain http only to a loopback host), a partner that sells customers needs an office location of this company, auto-response templates must exist. `lead_post_key` / `customer_post_key` are stored encrypted and never returned (reads say `lead_post_key_set`)."),
            ..m("partners", "Create a partner company (Partner Companies Create; admins); the name is unique in the company", "The new partner company")
        },
        F::GetPartner => m("partners", "One partner company with every setting and its campaigns", "The partner company (post keys only as set or not)"),
        F::UpdatePartner => Meta {
            description: Some("Send the fields changed and the `version` read; `null` clears a field (a post key included). A stale version answers 409 with the stored partner."),
            ..m("partners", "Change a partner company's settings with its version", "The partner company saved")
        },
        F::DeletePartner => Meta {
            notes: &[(409, "A stale version, or leads or customers are attributed to the partner (deactivate it instead)")],
            ..m("partners", "Delete a partner company no lead or customer is attributed to, with its campaigns", "Deleted")
        },
        F::PartnerHistory => m("partners", "Every change of the partner company and its campaigns (newest 200, oldest first)", "History entries (post keys only as set or removed)"),
        F::PartnerReturns => Meta {
            description: Some("Whoever may view partner companies reads any partner's report; a partner login reads only its own (any other ID is 403, whether or not it exists). Entries name the lead by ID only. `counts` are maintained with the entries, not counted."),
            ..m("partners", "The partner's returns report: leads returned to it and its posted leads rejected as duplicates, newest first, paged", "A page of report entries and the counts by kind")
        },
        F::ListCampaigns => m("partners", "The partner company's campaigns in ID order", "The campaigns"),
        F::CreateCampaign => m("partners", "Add a campaign to the partner company (name unique within the partner; the external partner and campaign IDs unique in the company)", "The new campaign"),
        F::UpdateCampaign => m("partners", "Change a campaign with its version", "The campaign saved"),
        F::DeleteCampaign => Meta {
            notes: &[(409, "A stale version, or leads or customers carry the campaign")],
            ..m("partners", "Delete a campaign no lead or customer carries", "Deleted")
        },
        F::ListMessageTemplates => m("settings", "The company's message templates (partner emails and auto-responses)", "Templates in ID order"),
        F::CreateMessageTemplate => Meta {
            description: Some("An unknown merge field in the subject or body is 422 naming the field and the merge field."),
            ..m("settings", "Create a message template (Company Settings Modify; admins)", "The new template")
        },
        F::GetMessageTemplate => m("settings", "One message template", "The template"),
        F::UpdateMessageTemplate => m("settings", "Change a message template with its version", "The template saved"),
        F::DeleteMessageTemplate => m("settings", "Delete a message template", "Deleted"),
        F::PreviewMessageTemplate => m("settings", "Render a template for a lead or customer the caller may read (its fields as the caller may see them)", "The rendered subject and body"),
        F::ListCustomerWorkflows => m("workflows", "The company's customer workflow definitions (admins see inactive ones too; others the active ones New Workflow offers)", "The definitions, current versions"),
        F::CreateCustomerWorkflow => Meta {
            description: Some("Every step needs its title and content in every language of the workflow; merge fields must be customer fields ({{customer.first_name}}) or {{company.name}}; confirm_fields needs fields; automatic steps need a type with a requirement. Errors (422) name the field by path, e.g. steps[2].title.es."),
            ..m("workflows", "Define a customer workflow (Company Settings Modify; admins)", "The new definition, version 1")
        },
        F::GetCustomerWorkflow => m("workflows", "One workflow definition, the current version or an older one (?version=)", "The definition"),
        F::UpdateCustomerWorkflow => Meta {
            description: Some("Send the fields changed and the version read (stale is 409). Every edit is a new version; enrollments keep the version they started with. There is no delete: active false hides it from New Workflow."),
            ..m("workflows", "Edit a customer workflow (Company Settings Modify; admins)", "The new version")
        },
        F::ListEnrollments => m("workflows", "The customer's workflow enrollments (Workflows tab), ordered by status: pending, in progress, completed, failed", "The enrollments"),
        F::StartEnrollment => Meta {
            notes: &[(409, "The customer already has an open enrollment in this workflow (`current` is it), or the customer is archived")],
            ..m("workflows", "Enroll the customer in an active workflow (Customer Workflows Create on the customer's location)", "The new enrollment")
        },
        F::GetEnrollment => m("workflows", "One enrollment: header, progress and every step with its content filled in from the customer (masked per the caller's grants)", "The enrollment"),
        F::CompleteEnrollmentStep => Meta {
            description: Some("pass_fail steps take passed or failed, acknowledge steps acknowledged; automatic steps complete themselves. A stale version or an already completed step is 409 with the enrollment as stored; a ticket or appointment the step generates is created in the same transaction."),
            ..m("workflows", "Complete a step (Customer Workflows Create on the customer's location)", "The enrollment after the completion")
        },
        F::LeadCopilot => Meta {
            description: Some("Answers from the lead's fields as the caller may see them (masked fields never reach an engine). Each ask is recorded in the lead's history (the ask and the engine, not the text) and counts against the caller's per-minute limit: over it, 429 with Retry-After."),
            ..m("leads", "Ask the Sales Copilot about a lead: qualify (BANT), hot, intro_email or a question", "The answer, with the recommended next action")
        },
        F::SellLeads => Meta {
            description: Some("Only an active partner that buys leads (422 naming `partner_id` otherwise); the campaign, if any, must be one of its outbound campaigns. The sale and its deliveries (one per lead, by the partner's delivery method) are saved together; `GET /api/v1/sales-to-partners` follows them."),
            ..m("partners", "Sell leads to a buying partner company", "The sale is accepted and its deliveries queued")
        },
        F::SellCustomer => m("partners", "Sell a customer to an active partner company that buys customers", "The sale is accepted and its delivery queued"),
        F::ListSalesToPartners => m("partners", "What was sold to partner companies: when, by whom, and each delivery's status (`queued`, `delivered`, `retrying`, `failed` with the reason), newest first", "Deliveries"),
        F::GetCreditSettings => m("credit", "The Credit Checks add-on: on or off, the bureaus offered, and every bureau there is", "The settings"),
        F::PutCreditSettings => Meta {
            description: Some("Company Settings Modify. Bureaus must be known ones (`sandbox`), at least one while enabled; a stale `version` is 409."),
            ..m("credit", "Turn the Credit Checks add-on on or off and choose its bureaus", "The settings as saved")
        },
        F::RunCreditCheck => Meta {
            notes: &[(422, "The add-on is off (`bureau`, code `disabled`), the bureau is not offered, or the customer has no SSN (`ssn`)")],
            description: Some("Credit Reports Create on the customer's location. The check is saved `pending` with its job in one transaction; the job opens the customer's SSN, pulls from the bureau once and records the outcome (`completed` with score, grade, transaction ID and time; `declined`; `no_hit`; `error`). Send an `Idempotency-Key` header per click: a repeat with the same key answers the same check. The sandbox bureau's outcome follows the SSN's last digit (see the README)."),
            ..m("credit", "Run credit for a customer (one bureau pull, as a job)", "The pending check")
        },
        F::ListCreditChecks => m("credit", "A customer's credit checks, newest first (Credit Reports View on the customer's location)", "The checks"),
        F::ApplyCreditCheck => Meta {
            notes: &[(409, "The customer changed since `version` was read"), (422, "Only a completed check can be applied")],
            description: Some("Sets the customer's `credit_score` and `credit_tracking_number` from the check and makes it the only applied one, in one transaction with the customer's version."),
            ..m("credit", "Apply a completed check to its customer (the active credit check)", "The customer after the apply")
        },
        F::EnterCreditScore => m("credit", "Enter a score by hand: a completed `manual` check, applied to the customer at once", "The customer after the apply"),
        F::ListMonitoringCompanies => m("settings", "The company's monitoring companies (whoever may view customers; the create form reads it for ADT PreCheck)", "Every monitoring company"),
        F::CreateMonitoringCompany => m("settings", "Add a monitoring company (Company Settings Create): name, kind (`adt` or `other`), active, dealer number required, PreCheck Order Enabled", "The new monitoring company"),
        F::GetMonitoringCompany => m("settings", "One monitoring company", "The monitoring company"),
        F::UpdateMonitoringCompany => Meta {
            notes: &[(409, "A stale `version`")],
            ..m("settings", "Change a monitoring company with its version (Company Settings Modify)", "The monitoring company as saved")
        },
        F::GetAdtPrecheck => m("customers", "The customer's ADT PreCheck: `status` (`none`, `pending`, `approved`, `needs_review`, `declined`, `unavailable`) and ADT's `result`", "The PreCheck"),
        F::RefreshAdtPrecheck => Meta {
            notes: &[(422, "The customer has no active ADT monitoring company (`monitoring_company_id`)")],
            description: Some("Runs the PreCheck again as a job (Customers Modify on the customer's location); the SSN is opened inside the job only. The sandbox's outcome follows the zip's last digit (see the README)."),
            ..m("customers", "Refresh the customer's ADT PreCheck", "The PreCheck, pending")
        },
        F::ListIntakeKeys => m("intake", "The company's intake keys with when each was created and last used (never the secret; admin)", "The intake keys"),
        F::CreateIntakeKey => Meta {
            description: Some("The secret is in this answer only; the table keeps its SHA-256 hash. `partner_id` null means a web form. Allowed origins are `scheme://host[:port]`, at most 20."),
            ..m("intake", "Issue an intake key (admin)", "The key, with its secret shown this once")
        },
        F::DeleteIntakeKey => m("intake", "Revoke an intake key (admin): posts with it are refused from now on", "Revoked"),
        F::GetLeadIntakeSettings => m("intake", "The company's duplicate window for posted leads", "The setting (defaults until saved)"),
        F::PutLeadIntakeSettings => m("intake", "Change the duplicate window (Company Settings Modify) with the version read", "The setting as saved"),
        F::PublicIntake => Meta {
            description: Some("No session: the intake key travels as `Authorization: Bearer <key>` (servers) or the form field `intake_key` from a page on one of the key's allowed origins. JSON or `application/x-www-form-urlencoded`. The New Lead fields are checked as New Lead checks them (422 with every bad field); `external_partner_id` + `external_campaign_id` assign the campaign; a filled `website_url` (the honeypot) is answered 202 and nothing is stored; `redirect` (a URL on an allowed origin) answers a form post with 303 to it. `Idempotency-Key`: the same key and body give the same receipt, a different body is 422. Rate limited per key and per client address (429 with Retry-After)."),
            extra: &[303, 401, 403, 429],
            notes: &[(303, "A browser form's `redirect` (on one of the key's allowed origins), with `receipt_id` added to its query"), (401, "No intake key, or one that is unknown or revoked"), (403, "A browser form from an origin the key does not allow"), (429, "Over the key's or the client address's limit; try again after `Retry-After` seconds")],
            ..m("intake", "Post a lead from a web form or a partner's system", "Accepted: the lead is created by a job; the receipt says what became of it")
        },
        F::PublicReceipt => Meta {
            extra: &[401],
            notes: &[(401, "No intake key, or one that is unknown or revoked")],
            ..m("intake", "What became of a posted lead (the key that posted it): accepted, created, duplicate or rejected", "The receipt")
        },
        F::GetLeadQueueSettings => m("leads", "The lead queue's settings: request hours (the lead's local time), requestable delay, requested status, blacklist minutes", "The settings (defaults until saved)"),
        F::PutLeadQueueSettings => m("leads", "Change the lead queue's settings (Company Settings Modify) with the version read", "The settings as saved"),
        F::RequestLead => Meta {
            description: Some("Hands the caller exactly one queued lead: the best by its partner's priority (high, medium, normal), then the oldest; only leads past the requestable delay, inside the request hours in their own local time, and not blacklisted for the caller. Claimed with a conditional write, so two requests never get the same lead; reads in proportion to the leads considered, never the queue. 204 when none is requestable, with `Next-Requestable-At` when one will be."),
            ..m("leads", "Request a lead from the queue (Lead Queue Create)", "The lead, now assigned to the caller")
        },
        F::MoveLeadLocation => m("leads", "Move a lead to pending, queue or invalid with a reason (Leads Modify; Pending Modify into or out of Pending); a rep putting back a lead they hold is blocked from it for the blacklist minutes", "The lead after the move"),
        F::ReturnLeads => m("leads", "Return leads to the partners that sold them: each leaves the active list (location returned) and each partner gets one notification", "What was returned, and per lead what was not"),
        F::LeadQueueSummary => m("leads", "How many leads wait in the queue (a maintained count; the nav shows it)", "The count"),
        F::PublicPreflight => m("intake", "CORS preflight of the public routes: allowed only for an origin some live intake key allows", "The CORS answer"),
        F::CreateImport => Meta {
            description: Some("The CSV does not pass through the API: PUT it (at most 100 MB) to `upload_url`, which works once (an S3 presigned URL in AWS, the local runtime's upload route on a laptop). Needs Leads Create."),
            ..m("imports", "Start a CSV lead import", "The import and where to upload its file")
        },
        F::GetImport => m("imports", "Where an import stands: status (`new`, `queued`, `running`, `done`, `cancelled`, `failed`, `reverting`, `reverted`) and its row counts", "The import"),
        F::AnalyzeImport => m("imports", "Read the uploaded file's header and first rows, with the column mapping its header suggests", "Columns, suggested mapping and sample rows"),
        F::DryRunImport => Meta {
            description: Some("Every row goes through the New Lead form's validation with the mapping and defaults; nothing is created. Duplicates (same name, phone and address as an existing lead or an earlier row) are reported per row."),
            ..m("imports", "Check every row of an import without writing a lead", "Valid rows, the first errors by row and field, and duplicates")
        },
        F::RunImport => Meta {
            description: Some("Runs as jobs in chunks; `GET /api/v1/imports/{id}` follows its progress. Each chunk writes its leads in batches, with the list counters summed per chunk, and saves its progress, so a redelivered job never creates a lead twice."),
            ..m("imports", "Run an import", "The import, queued")
        },
        F::CancelImport => m("imports", "Stop a queued or running import after the chunk in progress (what was imported stays; revert removes it)", "The import"),
        F::RevertImport => m("imports", "Undo a finished or cancelled import: delete the leads it created and restore the fields it updated", "The import, reverting"),
        F::ImportErrorsCsv => m("imports", "The import's row errors as CSV (`row,field,message`): the run's once it ran, the last dry run's before", "The errors, text/csv"),
        F::ReassignLeads => Meta {
            description: Some("Needs Leads Modify on each lead's location; a lead the caller may not modify, a converted one or one changed meanwhile is reported in its row and left as it is. Every change is in the lead's history."),
            ..m("leads", "Give up to 100 leads a new lead rep", "One row per lead")
        },
        F::ListCreationWorkflows => m("creation", "Every creation workflow of the company (Company Settings View), active or not", "The creation workflows"),
        F::CreateCreationWorkflow => Meta {
            description: Some("`kind` is `customer_create` (with `type`: `standard`, `single_page`, `simple_sales`, `smart_sales` or `adt`; `adt` only while the company has an active ADT monitoring company), `lead_create` (at least one custom field) or `lead_conversion`. The steps follow from the type."),
            ..m("creation", "Add a creation workflow (Company Settings Create)", "The new creation workflow")
        },
        F::GetCreationWorkflow => m("creation", "One creation workflow", "The creation workflow"),
        F::UpdateCreationWorkflow => Meta {
            notes: &[(409, "The workflow changed since it was read")],
            ..m("creation", "Change a creation workflow with its version (Company Settings Modify); `active: false` retires it", "The creation workflow as saved")
        },
        F::AvailableCreationWorkflows => m("creation", "The active creation workflows the caller may start (the split buttons' menus); a lead-create one only while one of its custom fields is active and the caller's role may use it", "The workflows the caller may start"),
        F::GetCustomerWizard => m("creation", "A customer's creation wizard: the workflow, the progress stored with the record, each step's availability for the caller, and the customer as the caller may read it", "The wizard"),
        F::AdvanceCustomerWizard => Meta {
            description: Some("Completes or skips the current step with the customer's version. A step outside the workflow or out of order is a 422 naming `step`; completing a step the caller may not use is a 422 with the reason (skip it instead). Finishing the last step marks the wizard finished."),
            notes: &[(409, "The customer changed since it was read")],
            ..m("creation", "Complete or skip the current wizard step", "The wizard after the step")
        },
        F::GetReindex => m("maintenance", "Where the company's index backfill stands (Company Settings Modify): status, records seen and updated", "The latest run (`idle` before the first)"),
        F::StartReindex => Meta {
            description: Some("Walks every lead and customer of the company in jobs of 100 records; each record stored before the one- and two-character prefix items gets them and its name and email prefix counters, in one transaction conditional on its version, once however often the run is repeated."),
            notes: &[(409, "A run is under way")],
            ..m("maintenance", "Start the backfill of the list's short-prefix items and prefix counters (Company Settings Modify)", "The run, started")
        },
    }
}

fn collection_label(path: &str) -> &'static str {
    match collection_of(path) {
        Collection::Notes => "Notes and tickets",
        Collection::Contacts => "Emergency contacts",
        Collection::Equipment => "Equipment",
        Collection::Appointments => "Appointments (tech and sale)",
        Collection::RecurringInvoices => "Recurring invoices",
        Collection::ScheduledPayments => "Scheduled payments",
    }
}

fn collection_of(path: &str) -> Collection {
    path.rsplit('/').find_map(Collection::from_segment).unwrap_or_else(|| panic!("{path} names no customer collection"))
}

/// `list_office_locations` → `listOfficeLocations`.
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut up = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            up = true;
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Operation IDs are the function's name, except where one function serves several routes (the sub-record
/// collections), which take the collection's name.
fn operation_id(f: Function, path: &str) -> String {
    match f {
        Function::ListCustomerItems => camel(&format!("list_{}", collection_of(path).segment())),
        Function::CreateCustomerItem => camel(&format!("create_{}", collection_of(path).segment())),
        Function::UpdateCustomerItem => camel(&format!("update_{}", collection_of(path).segment())),
        Function::PublicPreflight if path.contains("receipts") => camel("public_receipt_preflight"),
        Function::PublicPreflight => camel("public_intake_preflight"),
        f => camel(f.name()),
    }
}

/// An operation's inputs and answer, from its type.
struct Types {
    path: PathKind,
    query: Vec<Value>,
    body: Option<Value>,
    response: Option<Value>,
    status: u16,
}

#[derive(PartialEq)]
enum PathKind {
    None,
    Record,
    Field,
    /// Numeric path parameters described inline: name and description.
    Ids(&'static [(&'static str, &'static str)]),
    /// Text path parameters described inline: name and description.
    Text(&'static [(&'static str, &'static str)]),
}

struct Builder {
    response: SchemaGenerator,
    request: SchemaGenerator,
    /// Request schema name → its final name (see [`Builder::finish`]).
    renamed: BTreeMap<String, String>,
}

fn settings(contract: Contract, definitions: &str) -> SchemaSettings {
    SchemaSettings::openapi3().with(|s| {
        s.contract = contract;
        s.definitions_path = definitions.trim_start_matches('#').to_owned().into();
        s.meta_schema = None;
    })
}

impl Builder {
    fn new() -> Self {
        Builder {
            response: settings(Contract::Serialize, SCHEMAS).into_generator(),
            request: settings(Contract::Deserialize, REQUEST_SCHEMAS).into_generator(),
            renamed: BTreeMap::new(),
        }
    }

    fn types<O: Operation>(&mut self) -> Types
    where
        O::Path: 'static,
        O::Query: JsonSchema,
        O::Body: JsonSchema + 'static,
        O::Response: JsonSchema + 'static,
    {
        let path = match TypeId::of::<O::Path>() {
            t if t == TypeId::of::<()>() => PathKind::None,
            t if t == TypeId::of::<common::RecordPath>() || t == TypeId::of::<common::ItemsPath>() => PathKind::Record,
            t if t == TypeId::of::<common::FieldPath>() => PathKind::Field,
            t if t == TypeId::of::<common::ItemPath>() => {
                PathKind::Ids(&[("id", "The customer's ID"), ("item_id", "The item's ID in its collection")])
            }
            t if t == TypeId::of::<crate::intake::IntakeKeyPath>() => PathKind::Ids(&[("id", "The intake key's ID")]),
            t if t == TypeId::of::<crate::intake::ReceiptPath>() => PathKind::Text(&[("id", "The receipt's ID")]),
            t if t == TypeId::of::<crate::workflows::WorkflowPath>() => {
                PathKind::Ids(&[("id", "The workflow definition's ID")])
            }
            t if t == TypeId::of::<crate::workflows::EnrollmentPath>() => {
                PathKind::Ids(&[("id", "The enrollment's ID")])
            }
            t if t == TypeId::of::<crate::orders::CatalogPath>() => PathKind::Ids(&[("id", "The catalog entry's ID")]),
            t if t == TypeId::of::<crate::credit::CreditCheckPath>() => {
                PathKind::Ids(&[("id", "The credit check's ID")])
            }
            t if t == TypeId::of::<crate::creation_workflows::CreationWorkflowPath>() => {
                PathKind::Ids(&[("id", "The creation workflow's ID")])
            }
            t if t == TypeId::of::<crate::monitoring::MonitoringCompanyPath>() => {
                PathKind::Ids(&[("id", "The monitoring company's ID")])
            }
            t if t == TypeId::of::<crate::workflows::StepPath>() => PathKind::Ids(&[
                ("id", "The enrollment's ID"),
                ("step_id", "The step's position in the workflow, from 1"),
            ]),
            _ => panic!("{}: describe its path parameters", std::any::type_name::<O::Path>()),
        };
        let body = TypeId::of::<O::Body>();
        let body = if body == TypeId::of::<()>() {
            None
        } else if body == TypeId::of::<ops::Form>() || body == TypeId::of::<Value>() {
            // Read field by field: `form_body` describes it.
            Some(Value::Null)
        } else {
            let schema = self.request.subschema_for::<O::Body>();
            Some(self.finish_inline(Side::Request, schema))
        };
        let response = if TypeId::of::<O::Response>() == TypeId::of::<()>() {
            None
        } else {
            let schema = self.response.subschema_for::<O::Response>();
            Some(self.finish_inline(Side::Response, schema))
        };
        Types { path, query: query_parameters::<O::Query>(), body, response, status: O::STATUS }
    }

    /// Applies the generator's transforms to a schema it handed out (definitions get them in [`Builder::finish`]).
    fn finish_inline(&mut self, side: Side, mut schema: Schema) -> Value {
        let g = match side {
            Side::Request => &mut self.request,
            Side::Response => &mut self.response,
        };
        for t in g.transforms_mut() {
            t.transform(&mut schema);
        }
        schema.to_value()
    }

    fn types_of(&mut self, f: Function) -> Types {
        use crate::ops::*;
        use Function as F;
        match f {
            F::Health => self.types::<GetHealth>(),
            F::Me => self.types::<GetMe>(),
            F::ListOfficeLocations => self.types::<ops::ListOfficeLocations>(),
            F::ListPartners => self.types::<ops::ListPartners>(),
            F::ListLeads => self.types::<ops::ListLeads>(),
            F::GetLead => self.types::<ops::GetLead>(),
            F::LeadFormOptions => self.types::<LeadFormOptionsOp>(),
            F::CreateLead => self.types::<ops::CreateLead>(),
            F::UpdateLead => self.types::<ops::UpdateLead>(),
            F::DeleteLead => self.types::<ops::DeleteLead>(),
            F::MoveLeadStage => self.types::<ops::MoveLeadStage>(),
            F::SetLeadTags => self.types::<ops::SetLeadTags>(),
            F::PreviewLead => self.types::<ops::PreviewLead>(),
            F::LeadHistory => self.types::<ops::LeadHistory>(),
            F::ListTags => self.types::<ops::ListTags>(),
            F::CreateTag => self.types::<ops::CreateTag>(),
            F::GetLeadScoring => self.types::<ops::GetLeadScoring>(),
            F::PutLeadScoring => self.types::<ops::PutLeadScoring>(),
            F::ListCustomers => self.types::<ops::ListCustomers>(),
            F::GetCustomer => self.types::<ops::GetCustomer>(),
            F::CustomerFormOptions => self.types::<CustomerFormOptionsOp>(),
            F::CustomerParentCandidates => self.types::<ops::CustomerParentCandidates>(),
            F::CreateCustomer => self.types::<ops::CreateCustomer>(),
            F::UpdateCustomer => self.types::<ops::UpdateCustomer>(),
            F::DeleteCustomer => self.types::<ops::DeleteCustomer>(),
            F::DuplicateCustomer => self.types::<ops::DuplicateCustomer>(),
            F::CustomerHistory => self.types::<ops::CustomerHistory>(),
            F::ConvertLead => self.types::<ops::ConvertLead>(),
            F::CustomerArchivePreview => self.types::<ops::CustomerArchivePreview>(),
            F::ArchiveCustomer => self.types::<ops::ArchiveCustomer>(),
            F::UnarchiveCustomer => self.types::<ops::UnarchiveCustomer>(),
            F::ListCustomerItems => self.types::<ops::ListCustomerItems>(),
            F::CreateCustomerItem => self.types::<ops::CreateCustomerItem>(),
            F::UpdateCustomerItem => self.types::<ops::UpdateCustomerItem>(),
            F::SetCustomerTags => self.types::<ops::SetCustomerTags>(),
            F::ListCustomFields => self.types::<ops::ListCustomFields>(),
            F::CreateCustomField => self.types::<ops::CreateCustomField>(),
            F::UpdateCustomField => self.types::<ops::UpdateCustomField>(),
            F::DeleteCustomField => self.types::<ops::DeleteCustomField>(),
            F::GetMmrSettings => self.types::<ops::GetMmrSettings>(),
            F::PutMmrSettings => self.types::<ops::PutMmrSettings>(),
            F::ListMmrRates => self.types::<ops::ListMmrRates>(),
            F::ListOutbox => self.types::<ops::ListOutbox>(),
            F::CreatePartner => self.types::<ops::CreatePartner>(),
            F::GetPartner => self.types::<ops::GetPartner>(),
            F::UpdatePartner => self.types::<ops::UpdatePartner>(),
            F::DeletePartner => self.types::<ops::DeletePartner>(),
            F::PartnerHistory => self.types::<ops::PartnerHistory>(),
            F::PartnerReturns => self.types::<ops::PartnerReturns>(),
            F::ListCampaigns => self.types::<ops::ListCampaigns>(),
            F::CreateCampaign => self.types::<ops::CreateCampaign>(),
            F::UpdateCampaign => self.types::<ops::UpdateCampaign>(),
            F::DeleteCampaign => self.types::<ops::DeleteCampaign>(),
            F::ListMessageTemplates => self.types::<ops::ListMessageTemplates>(),
            F::CreateMessageTemplate => self.types::<ops::CreateMessageTemplate>(),
            F::GetMessageTemplate => self.types::<ops::GetMessageTemplate>(),
            F::UpdateMessageTemplate => self.types::<ops::UpdateMessageTemplate>(),
            F::DeleteMessageTemplate => self.types::<ops::DeleteMessageTemplate>(),
            F::PreviewMessageTemplate => self.types::<ops::PreviewMessageTemplate>(),
            F::ListCustomerWorkflows => self.types::<ops::ListCustomerWorkflows>(),
            F::CreateCustomerWorkflow => self.types::<ops::CreateCustomerWorkflow>(),
            F::GetCustomerWorkflow => self.types::<ops::GetCustomerWorkflow>(),
            F::UpdateCustomerWorkflow => self.types::<ops::UpdateCustomerWorkflow>(),
            F::ListEnrollments => self.types::<ops::ListEnrollments>(),
            F::StartEnrollment => self.types::<ops::StartEnrollment>(),
            F::GetEnrollment => self.types::<ops::GetEnrollment>(),
            F::CompleteEnrollmentStep => self.types::<ops::CompleteEnrollmentStep>(),
            F::LeadCopilot => self.types::<ops::LeadCopilot>(),
            F::ListOpportunities => self.types::<ops::ListOpportunities>(),
            F::UpdateOpportunity => self.types::<ops::UpdateOpportunity>(),
            F::SellLeads => self.types::<ops::SellLeads>(),
            F::SellCustomer => self.types::<ops::SellCustomer>(),
            F::ListSalesToPartners => self.types::<ops::ListSalesToPartners>(),
            F::GetCatalog => self.types::<ops::GetCatalog>(),
            F::CreateCatalogEntry => self.types::<ops::CreateCatalogEntry>(),
            F::UpdateCatalogEntry => self.types::<ops::UpdateCatalogEntry>(),
            F::ListOrderTemplates => self.types::<ops::ListOrderTemplates>(),
            F::ApplyOrderTemplate => self.types::<ops::ApplyOrderTemplate>(),
            F::GetAccounting => self.types::<ops::GetAccounting>(),
            F::CreateInvoice => self.types::<ops::CreateInvoice>(),
            F::QuoteToInvoice => self.types::<ops::QuoteToInvoice>(),
            F::CreateBillingMethod => self.types::<ops::CreateBillingMethod>(),
            F::CreatePayment => self.types::<ops::CreatePayment>(),
            F::ListWorkOrders => self.types::<ops::ListWorkOrders>(),
            F::CreateWorkOrder => self.types::<ops::CreateWorkOrder>(),
            F::UpdateWorkOrder => self.types::<ops::UpdateWorkOrder>(),
            F::GetCreditSettings => self.types::<ops::GetCreditSettings>(),
            F::PutCreditSettings => self.types::<ops::PutCreditSettings>(),
            F::RunCreditCheck => self.types::<ops::RunCreditCheck>(),
            F::ListCreditChecks => self.types::<ops::ListCreditChecks>(),
            F::ApplyCreditCheck => self.types::<ops::ApplyCreditCheck>(),
            F::EnterCreditScore => self.types::<ops::EnterCreditScore>(),
            F::ListMonitoringCompanies => self.types::<ops::ListMonitoringCompanies>(),
            F::CreateMonitoringCompany => self.types::<ops::CreateMonitoringCompany>(),
            F::GetMonitoringCompany => self.types::<ops::GetMonitoringCompany>(),
            F::UpdateMonitoringCompany => self.types::<ops::UpdateMonitoringCompany>(),
            F::GetAdtPrecheck => self.types::<ops::GetAdtPrecheck>(),
            F::RefreshAdtPrecheck => self.types::<ops::RefreshAdtPrecheck>(),
            F::ListIntakeKeys => self.types::<ops::ListIntakeKeys>(),
            F::CreateIntakeKey => self.types::<ops::CreateIntakeKey>(),
            F::DeleteIntakeKey => self.types::<ops::DeleteIntakeKey>(),
            F::GetLeadIntakeSettings => self.types::<ops::GetLeadIntakeSettings>(),
            F::PutLeadIntakeSettings => self.types::<ops::PutLeadIntakeSettings>(),
            F::PublicIntake => self.types::<ops::PublicIntake>(),
            F::PublicReceipt => self.types::<ops::PublicReceipt>(),
            F::PublicPreflight => self.types::<ops::PublicPreflight>(),
            F::GetLeadQueueSettings => self.types::<ops::GetLeadQueueSettings>(),
            F::PutLeadQueueSettings => self.types::<ops::PutLeadQueueSettings>(),
            F::RequestLead => self.types::<ops::RequestLead>(),
            F::MoveLeadLocation => self.types::<ops::MoveLeadLocation>(),
            F::ReturnLeads => self.types::<ops::ReturnLeads>(),
            F::LeadQueueSummary => self.types::<ops::LeadQueueSummary>(),
            F::CreateImport => self.types::<ops::CreateImport>(),
            F::GetImport => self.types::<ops::GetImport>(),
            F::AnalyzeImport => self.types::<ops::AnalyzeImport>(),
            F::DryRunImport => self.types::<ops::DryRunImport>(),
            F::RunImport => self.types::<ops::RunImport>(),
            F::CancelImport => self.types::<ops::CancelImport>(),
            F::RevertImport => self.types::<ops::RevertImport>(),
            F::ImportErrorsCsv => self.types::<ops::ImportErrorsCsv>(),
            F::ReassignLeads => self.types::<ops::ReassignLeads>(),
            F::ListCreationWorkflows => self.types::<ops::ListCreationWorkflows>(),
            F::CreateCreationWorkflow => self.types::<ops::CreateCreationWorkflow>(),
            F::GetCreationWorkflow => self.types::<ops::GetCreationWorkflow>(),
            F::UpdateCreationWorkflow => self.types::<ops::UpdateCreationWorkflow>(),
            F::AvailableCreationWorkflows => self.types::<ops::AvailableCreationWorkflows>(),
            F::GetCustomerWizard => self.types::<ops::GetCustomerWizard>(),
            F::AdvanceCustomerWizard => self.types::<ops::AdvanceCustomerWizard>(),
            F::GetReindex => self.types::<ops::GetReindex>(),
            F::StartReindex => self.types::<ops::StartReindex>(),
        }
    }

    fn operation(&mut self, r: &Route) -> Yaml {
        let f = r.function;
        let t = self.types_of(f);
        let meta = meta(f, r.path);
        let mut op = Mapping::new();
        let id = operation_id(f, r.path);
        op.insert("operationId".into(), id.as_str().into());
        op.insert("tags".into(), to_yaml(&json!([meta.tag])));
        op.insert("summary".into(), meta.summary.as_str().into());
        if let Some(d) = meta.description {
            op.insert("description".into(), d.into());
        }

        let mut params: Vec<Value> = Vec::new();
        match t.path {
            PathKind::None => {}
            PathKind::Record => params.push(json!({"$ref": "#/components/parameters/RecordId"})),
            PathKind::Field => params.push(json!({"$ref": "#/components/parameters/FieldId"})),
            PathKind::Ids(ids) => params.extend(ids.iter().map(|(name, description)| {
                json!({"name": name, "in": "path", "required": true, "description": description,
                       "schema": {"type": "integer", "minimum": 1}})
            })),
            PathKind::Text(ids) => params.extend(ids.iter().map(|(name, description)| {
                json!({"name": name, "in": "path", "required": true, "description": description,
                       "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}})
            })),
        }
        // One preflight function answers both public paths; the receipt's carries its ID.
        if f == Function::PublicPreflight && r.path.contains("{id}") {
            params.push(json!({"name": "id", "in": "path", "required": true, "description": "The receipt's ID",
                               "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}));
        }
        params.extend(t.query.iter().cloned());
        if !params.is_empty() {
            op.insert("parameters".into(), to_yaml(&Value::Array(params)));
        }

        let body = match &t.body {
            None => None,
            Some(Value::Null) => Some(form_body(f, r.path)),
            // The Home page's tag widget sends the record's version, as every Home page write does.
            Some(schema) if f == Function::SetCustomerTags => Some(body_of(
                json!({"allOf": [schema, {"type": "object", "required": ["version"], "properties": {"version": version()}}]}),
                None,
            )),
            Some(schema) => Some(body_of(schema.clone(), None)),
        };
        if let Some(b) = &body {
            op.insert("requestBody".into(), to_yaml(b));
        }

        // The problems the route's shape implies: a session (401, 403), a path parameter (404, and 422 for a
        // malformed one), inputs (422), a cursor (400), a body (413), a write (409), and always 500 and 503.
        let mut statuses: Vec<u16> = meta.extra.to_vec();
        if r.auth {
            statuses.extend([401, 403]);
        }
        if t.path != PathKind::None {
            statuses.extend([404, 422]);
        }
        if !t.query.is_empty() || body.is_some() {
            statuses.push(422);
        }
        // A body that is not UTF-8 is refused before it is read.
        if body.is_some() {
            statuses.push(400);
        }
        if t.query.iter().any(|p| p["name"] == "cursor") {
            statuses.push(400);
        }
        if body.is_some() {
            statuses.push(413);
        }
        if r.method != Method::Get {
            statuses.push(409);
        }
        statuses.extend([500, 503]);
        statuses.sort_unstable();
        statuses.dedup();

        let mut responses = Mapping::new();
        let mut ok = json!({"description": meta.ok});
        if let Some(schema) = &t.response {
            ok["content"] = json!({"application/json": {"schema": schema}});
        }
        if let Some(links) = links(f) {
            ok["links"] = links;
        }
        responses.insert(t.status.to_string().into(), to_yaml(&ok));
        for s in statuses {
            let response = match meta.notes.iter().find(|(n, _)| *n == s) {
                Some((_, description)) => problem_response(description),
                None => {
                    let (_, name, _) = PROBLEMS.iter().find(|(n, _, _)| *n == s).expect("a known problem status");
                    json!({"$ref": format!("#/components/responses/{name}")})
                }
            };
            responses.insert(s.to_string().into(), to_yaml(&response));
        }
        op.insert("responses".into(), Yaml::Mapping(responses));
        let security = if r.auth { json!([{"bearer": []}]) } else { json!([]) };
        op.insert("security".into(), to_yaml(&security));
        Yaml::Mapping(op)
    }

    fn local_operation(&mut self, r: &Route<LocalFunction>) -> Yaml {
        let op = match r.function {
            LocalFunction::DevUsers => json!({
                "operationId": camel(r.function.name()),
                "tags": ["local"],
                "summary": "Demo users the local runtime can sign in as",
                "x-local-only": true,
                "responses": {
                    "200": {
                        "description": "Every active seeded user of every company",
                        "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": format!("{SCHEMAS}DevUser")}}}},
                    },
                    "500": {"$ref": "#/components/responses/Internal"},
                },
                "security": [],
            }),
            LocalFunction::DevSignIn => json!({
                "operationId": camel(r.function.name()),
                "tags": ["local"],
                "summary": "Sign in as a demo user; returns a token the local runtime accepts",
                "description": "The email must be one of `GET /api/v1/dev/users` (else 422 `unknown_user`).",
                "x-local-only": true,
                "requestBody": body_of(json!({"$ref": format!("{SCHEMAS}SignInRequest")}), Some(json!({"email": "admin@acme.example"}))),
                "responses": {
                    "200": {
                        "description": "A bearer token with the same claims Cognito would issue",
                        "content": {"application/json": {"schema": {"$ref": format!("{SCHEMAS}SignInResponse")}}},
                    },
                    "422": {"$ref": "#/components/responses/Invalid"},
                    "500": {"$ref": "#/components/responses/Internal"},
                },
                "security": [],
            }),
        };
        to_yaml(&op)
    }

    /// Every named schema: the response side's, the request side's (renamed `…Input` where they differ from the
    /// response type of the same name), and the ones written here.
    fn finish(&mut self) -> BTreeMap<String, Value> {
        // The hand-written schemas refer to these.
        self.response.subschema_for::<vigil_domain::FieldError>();
        self.response.subschema_for::<vigil_domain::Role>();
        let mut out: BTreeMap<String, Value> = BTreeMap::new();
        for (name, schema) in self.response.take_definitions(true) {
            out.insert(name, schema);
        }
        let requests: Vec<(String, Value)> = self.request.take_definitions(true).into_iter().collect();
        // Request names first, so references can be rewritten in one pass.
        let mut renamed = BTreeMap::new();
        for (name, schema) in &requests {
            let target = match out.get(name) {
                Some(existing) if *existing != rewrite_refs(schema.clone(), &BTreeMap::new()) => format!("{name}Input"),
                _ => name.clone(),
            };
            renamed.insert(name.clone(), target);
        }
        for (name, schema) in requests {
            out.insert(renamed[&name].clone(), rewrite_refs(schema, &renamed));
        }
        self.renamed = renamed;
        for (name, schema) in handwritten() {
            assert!(out.insert(name.to_owned(), schema).is_none(), "{name} is both derived and written by hand");
        }
        refine(&mut out);
        let names = primitive_renames();
        out.into_iter().map(|(k, v)| (names.get(&k).cloned().unwrap_or(k), tidy(rename_refs(v, &names)))).collect()
    }
}

#[derive(Clone, Copy)]
enum Side {
    Request,
    Response,
}

/// Points request-side references at their final names.
fn rewrite_refs(v: Value, renamed: &BTreeMap<String, String>) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| match (k.as_str(), &v) {
                    ("$ref", Value::String(r)) if r.starts_with(REQUEST_SCHEMAS) => {
                        let name = &r[REQUEST_SCHEMAS.len()..];
                        let name = renamed.get(name).map(String::as_str).unwrap_or(name);
                        (k, Value::String(format!("{SCHEMAS}{name}")))
                    }
                    _ => (k, rewrite_refs(v, renamed)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| rewrite_refs(v, renamed)).collect()),
        other => other,
    }
}

/// Generic schemas named after a primitive parameter (`Named<String>`).
const RENAMED: &[(&str, &str)] = &[("Namedstring", "NamedString")];

fn primitive_renames() -> BTreeMap<String, String> {
    RENAMED.iter().map(|(from, to)| ((*from).to_owned(), (*to).to_owned())).collect()
}

fn rename_refs(v: Value, names: &BTreeMap<String, String>) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| match (k.as_str(), &v) {
                    ("$ref", Value::String(r)) if r.starts_with(SCHEMAS) => match names.get(&r[SCHEMAS.len()..]) {
                        Some(to) => (k, Value::String(format!("{SCHEMAS}{to}"))),
                        None => (k, v),
                    },
                    _ => (k, rename_refs(v, names)),
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| rename_refs(v, names)).collect()),
        other => other,
    }
}

/// Constraints that come from the domain's tables rather than from a type.
fn refine(schemas: &mut BTreeMap<String, Value>) {
    // The Home read flattens the record (a map, masked per caller); its identity and version are always there, and
    // the writes' links read them.
    if let Some(home) = schemas.get_mut("CustomerHome") {
        home["properties"]["id"] = schema_ref("RecordId");
        home["properties"]["kind"] = schema_ref("Kind");
        home["properties"]["version"] = json!({"type": "integer", "format": "int64", "minimum": 0});
        if let Some(required) = home["required"].as_array_mut() {
            required.extend([json!("id"), json!("kind"), json!("version")]);
        }
    }
    for name in ["ScoringWeights", "ScoringWeightsInput"] {
        if let Some(s) = schemas.get_mut(name) {
            s["properties"]["best_industries"]["items"] =
                json!({"type": "string", "enum": vigil_domain::lead::INDUSTRIES});
        }
    }
}

/// A request field the server insists on although the type has a default (it answers 422 `required`): the type
/// marks it with this extension, and it joins its object's `required` list.
const REQUIRED: &str = "x-required";

/// Makes the schemas OpenAPI 3.0: unsigned formats become `int32`/`int64` (their bounds kept), a tuple's item list
/// becomes `anyOf` (3.0 has no positional items), and [`REQUIRED`] fields join `required`.
fn tidy(v: Value) -> Value {
    match v {
        Value::Object(mut m) => {
            // OpenAPI 3.0.3: a nullable enum lists null among its values.
            if m.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::Array(values)) = m.get_mut("enum") {
                    if !values.contains(&Value::Null) {
                        values.push(Value::Null);
                    }
                }
            }
            if let Some(Value::Array(items)) = m.get("items") {
                let items = json!({"anyOf": items});
                m.insert("items".into(), items);
            }
            let insisted: Vec<String> = m
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.iter().filter(|(_, v)| v.get(REQUIRED).is_some()).map(|(k, _)| k.clone()).collect())
                .unwrap_or_default();
            if !insisted.is_empty() {
                let mut required: Vec<Value> = m.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
                for k in &insisted {
                    if !required.iter().any(|r| r == k.as_str()) {
                        required.push(Value::String(k.clone()));
                    }
                    if let Some(p) = m.get_mut("properties").and_then(|p| p.get_mut(k)).and_then(Value::as_object_mut) {
                        p.remove(REQUIRED);
                        p.remove("default");
                    }
                }
                m.insert("required".into(), Value::Array(required));
            }
            Value::Object(m.into_iter().map(|(k, v)| (k, tidy(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(tidy).collect()),
        other => other,
    }
}

/// The query parameters of a query type: one per field, required unless optional, with the field's doc comment as
/// the description.
fn query_parameters<Q: JsonSchema>() -> Vec<Value> {
    let settings = settings(Contract::Deserialize, SCHEMAS).with(|s| s.inline_subschemas = true);
    let root = settings.into_generator().into_root_schema_for::<Q>().to_value();
    let required: Vec<&str> =
        root["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let Some(props) = root["properties"].as_object() else { return vec![] };
    let mut out = Vec::new();
    for (name, schema) in props {
        let mut schema = schema.as_object().cloned().unwrap_or_default();
        // A query parameter is absent or a value; "null" is not a thing a query string can say.
        schema.remove("nullable");
        let description = schema.remove("description");
        let example = schema.remove("example");
        let mut p = json!({"name": name, "in": "query", "required": required.contains(&name.as_str())});
        if let Some(d) = description {
            p["description"] = Value::String(d.as_str().unwrap_or_default().replace('\n', " "));
        }
        p["schema"] = tidy(Value::Object(schema));
        if let Some(e) = example {
            p["example"] = e;
        }
        out.push(p);
    }
    out
}

fn body_of(schema: Value, example: Option<Value>) -> Value {
    let mut media = json!({"schema": schema});
    if let Some(e) = example {
        media["example"] = e;
    }
    json!({"required": true, "content": {"application/json": media}})
}

fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("{SCHEMAS}{name}")})
}

/// The bodies the server reads field by field, with an example that the demo data accepts.
fn form_body(f: Function, path: &str) -> Value {
    use Function as F;
    let (name, example) = match f {
        F::CreateLead => (
            "NewLead",
            json!({"source_id": 1, "first_name": "Ann", "last_name": "Lee", "primary_phone": "(801) 555-0101",
                   "disposition_id": 1, "city": "Provo", "state": "UT", "zip": "84601", "email": "ann.lee@example.com"}),
        ),
        F::UpdateLead => ("LeadPatch", json!({"version": 1, "rating": 4, "job_title": "Owner"})),
        F::CreateCustomer => (
            "NewCustomer",
            json!({"first_name": "Ann", "last_name": "Lee", "primary_phone": "801-555-0101", "city": "Provo",
                   "state": "UT", "account_type": "residential", "office_location_id": 1}),
        ),
        F::UpdateCustomer => ("CustomerPatch", json!({"version": 1, "spouse": "Sam Lee", "installed": true})),
        F::CreateCustomerItem => item_body(collection_of(path)),
        F::UpdateCustomerItem => {
            let c = collection_of(path);
            let status = c.statuses().last().copied().unwrap_or_default();
            (patch_name(c), json!({"version": 1, "status": status}))
        }
        F::CreateCustomField => {
            ("NewCustomField", json!({"name": "Gate code", "field_type": "text", "required": false}))
        }
        F::UpdateCustomField => ("CustomFieldPatch", json!({"version": 1, "required": true})),
        F::PutMmrSettings => (
            "MmrSettingsInput",
            json!({"version": 0, "mode": "simple", "items": [], "rates": [{"id": 1, "name": "Basic", "amount_cents": 2999}]}),
        ),
        F::CreatePartner => (
            "NewPartner",
            json!({"name": "ABC Leads, Inc.", "kind": "outside", "sells_leads": true, "default_lead_location": "queue",
                   "lead_purchase_emails": ["leads@abc-leads.com"], "lead_queue_priority": "high"}),
        ),
        F::UpdatePartner => ("PartnerPatch", json!({"version": 1, "active": false})),
        F::CreateCampaign => (
            "NewCampaign",
            json!({"name": "Door Knock", "direction": "inbound", "external_partner_id": "77", "external_campaign_id": "3"}),
        ),
        F::UpdateCampaign => ("CampaignPatch", json!({"version": 1, "description": "Summer door knocking"})),
        F::CreateMessageTemplate => (
            "NewMessageTemplate",
            json!({"name": "Lead returned", "subject": "Lead {{lead_id}} returned",
                   "body": "{{first_name}} {{last_name}} was returned by {{company_name}}: {{return_reason}}"}),
        ),
        F::UpdateMessageTemplate => ("MessageTemplatePatch", json!({"version": 1, "subject": "Returned: {{lead_id}}"})),
        F::PublicIntake => (
            "PublicLead",
            json!({"first_name": "Ann", "last_name": "Lee", "primary_phone": "(801) 555-0101", "city": "Provo",
                   "state": "UT", "zip": "84601", "email": "ann.lee@example.com",
                   "external_partner_id": "abc-leads", "external_campaign_id": "2"}),
        ),
        other => panic!("{other} takes a form body that the description does not describe"),
    };
    body_of(schema_ref(name), Some(example))
}

/// A new sub-record's body schema name, with an example the demo data accepts.
fn item_body(c: Collection) -> (&'static str, Value) {
    match c {
        Collection::Notes => ("NewNote", json!({"text": "Call back about the keypad", "ticket": false})),
        Collection::Contacts => {
            ("NewContact", json!({"name": "Sam Lee", "phone": "801-555-0102", "relation": "Spouse"}))
        }
        Collection::Equipment => ("NewEquipment", json!({"name": "Door sensor", "quantity": 2, "zone": "Front"})),
        Collection::Appointments => ("NewAppointment", json!({"date": "2030-01-15", "kind": "tech"})),
        Collection::RecurringInvoices => {
            ("NewRecurringInvoice", json!({"amount_cents": 3999, "start_date": "2030-01-01", "frequency": "monthly"}))
        }
        Collection::ScheduledPayments => ("NewScheduledPayment", json!({"amount_cents": 19900, "date": "2030-01-01"})),
    }
}

fn patch_name(c: Collection) -> &'static str {
    match c {
        Collection::Notes => "NotePatch",
        Collection::Contacts => "ContactPatch",
        Collection::Equipment => "EquipmentPatch",
        Collection::Appointments => "AppointmentPatch",
        Collection::RecurringInvoices => "RecurringInvoicePatch",
        Collection::ScheduledPayments => "ScheduledPaymentPatch",
    }
}

/// Links a stateful client can follow from an operation's success: the new or returned record's ID feeds the
/// operations on it, and its version the writes.
fn links(f: Function) -> Option<Value> {
    use Function as F;
    let id = "$response.body#/id";
    let version = json!({"version": "$response.body#/version"});
    let link = |op: &str, body: Option<&Value>| {
        let mut l = json!({"operationId": op, "parameters": {"id": id}});
        if let Some(b) = body {
            l["requestBody"] = b.clone();
        }
        l
    };
    let lead = || {
        json!({
            "GetLead": link("getLead", None),
            "UpdateLead": link("updateLead", Some(&version)),
            "MoveLeadStage": link("moveLeadStage", Some(&version)),
            "SetLeadTags": link("setLeadTags", Some(&version)),
            "PreviewLead": link("previewLead", None),
            "LeadHistory": link("leadHistory", None),
            "ConvertLead": link("convertLead", Some(&version)),
            "DeleteLead": link("deleteLead", None),
        })
    };
    let customer = || {
        json!({
            "GetCustomer": link("getCustomer", None),
            "UpdateCustomer": link("updateCustomer", Some(&version)),
            "SetCustomerTags": link("setCustomerTags", Some(&version)),
            "CustomerHistory": link("customerHistory", None),
            "DuplicateCustomer": link("duplicateCustomer", None),
            "CustomerArchivePreview": link("customerArchivePreview", None),
            "ArchiveCustomer": link("archiveCustomer", None),
            "ListNotes": link("listNotes", None),
            "CreateNotes": link("createNotes", None),
            "DeleteCustomer": link("deleteCustomer", None),
        })
    };
    let field = || {
        json!({
            "UpdateCustomField": link("updateCustomField", Some(&version)),
            "DeleteCustomField": link("deleteCustomField", None),
        })
    };
    match f {
        F::CreateLead | F::UpdateLead | F::MoveLeadStage | F::SetLeadTags | F::GetLead => Some(lead()),
        F::CreateCustomer | F::DuplicateCustomer | F::ConvertLead | F::GetCustomer | F::UpdateCustomer => {
            Some(customer())
        }
        F::CreateCustomField | F::UpdateCustomField => Some(field()),
        F::CreatePartner | F::UpdatePartner | F::GetPartner => Some(json!({
            "GetPartner": link("getPartner", None),
            "UpdatePartner": link("updatePartner", Some(&version)),
            "PartnerHistory": link("partnerHistory", None),
            "PartnerReturns": link("partnerReturns", None),
            "ListCampaigns": link("listCampaigns", None),
            "CreateCampaign": link("createCampaign", None),
        })),
        F::CreateCampaign | F::UpdateCampaign => Some(json!({
            "UpdateCampaign": link("updateCampaign", Some(&version)),
        })),
        F::CreateMessageTemplate | F::UpdateMessageTemplate | F::GetMessageTemplate => Some(json!({
            "GetMessageTemplate": link("getMessageTemplate", None),
            "UpdateMessageTemplate": link("updateMessageTemplate", Some(&version)),
            "PreviewMessageTemplate": link("previewMessageTemplate", None),
        })),
        _ => None,
    }
}

// ----------------------------------------------------------------------------------------- hand-written schemas

fn emails_list() -> Value {
    json!({"type": "array", "maxItems": 20, "items": {"type": "string", "format": "email"}, "nullable": true})
}

fn partner_form(required: &[&str], description: &str) -> Value {
    let choice = |values: &[&str]| json!({"type": "string", "enum": values, "nullable": true});
    let url = json!({"type": "string", "maxLength": 2000, "nullable": true, "description": "https://… (plain http only to a loopback host)"});
    let key = json!({"type": "string", "maxLength": 500, "nullable": true, "writeOnly": true, "description": "Stored encrypted; never returned"});
    object(
        required,
        vec![
            ("version", version()),
            ("name", text(100)),
            ("contact_person", opt_text(200)),
            ("phone", opt_text(40)),
            ("email", opt_text(254)),
            ("address1", opt_text(200)),
            ("city", opt_text(200)),
            ("state", opt_text(200)),
            ("zip", opt_text(20)),
            ("notes", opt_text(4000)),
            ("kind", choice(&["outside", "inside"])),
            ("active", boolean()),
            ("sells_leads", boolean()),
            ("default_lead_location", choice(&["pending", "queue"])),
            ("force_default_lead_location", boolean()),
            ("lead_purchase_emails", emails_list()),
            ("lead_return_emails", emails_list()),
            ("include_call_center_comments_with_return", boolean()),
            ("lead_auto_response_template_id", opt_id()),
            ("lead_queue_priority", choice(&["normal", "medium", "high"])),
            ("sells_customers", boolean()),
            ("default_office_location_id", opt_id()),
            ("customer_purchase_emails", emails_list()),
            ("customer_return_emails", emails_list()),
            ("customer_auto_response_template_id", opt_id()),
            ("buys_leads", boolean()),
            ("lead_delivery_method", choice(&["vigil", "email"])),
            ("lead_sale_emails", emails_list()),
            ("lead_post_url", url.clone()),
            ("lead_source_id", opt_text(64)),
            ("buys_customers", boolean()),
            ("customer_delivery_method", choice(&["vigil", "email"])),
            ("customer_sale_emails", emails_list()),
            ("customer_post_url", url),
            ("customer_source_id", opt_text(64)),
            ("lead_post_key", key.clone()),
            ("customer_post_key", key),
            ("allow_login", boolean()),
            ("login_username", opt_pattern("^[A-Za-z0-9._@-]*$", 64)),
        ],
        description,
    )
}

fn campaign_form(required: &[&str], description: &str) -> Value {
    object(
        required,
        vec![
            ("version", version()),
            ("name", text(100)),
            ("description", opt_text(1000)),
            ("direction", json!({"type": "string", "enum": ["inbound", "outbound"]})),
            ("external_partner_id", opt_text(64)),
            ("external_campaign_id", opt_text(64)),
        ],
        description,
    )
}

fn template_form(required: &[&str], description: &str) -> Value {
    object(
        required,
        vec![("version", version()), ("name", text(100)), ("subject", text(200)), ("body", text(20_000))],
        description,
    )
}

/// A calendar date `YYYY-MM-DD` from 1900 on (`vigil_domain::lead::date`), leap days included.
const DATE: &str = r"^(((19|[2-9][0-9])[0-9]{2})-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))|((19|[2-9][0-9])(0[48]|[2468][048]|[13579][26])|([2468][048]|[3579][26])00)-02-29)$";
/// 10 digits, or 11 starting with 1, among spaces and `( ) - . +` (`vigil_domain::text::phone_digits`).
const PHONE: &str = r"^[ ()+.-]*(1[ ()+.-]*)?([0-9][ ()+.-]*){10}$";
/// One `@`, a dotted domain, no spaces (`vigil_domain::text::email`); blank means none.
const EMAIL: &str = r"^\s*$|^\s*[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]\s*$";
/// A host with a dot and a letters-only top-level domain, an optional scheme, port and path
/// (`vigil_domain::text::website`); blank means none.
const WEBSITE: &str = r"^\s*$|^\s*([Hh][Tt][Tt][Pp][Ss]?://)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(:[0-9]*)?([/?#]\S*)?\s*$";
/// A US ZIP or ZIP+4, or a Canadian postal code (`vigil_domain::lead::Zip`); blank means none.
const US_ZIP: &str = r"^\s*$|^\s*[0-9]{5}(-[0-9]{4})?\s*$";
const CA_POSTAL: &str = r"^\s*$|^\s*[ABCEGHJ-NPRSTVXYabceghj-nprstvxy][0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z] ?[0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z][0-9]\s*$";
const ZIP: &str = r"^\s*$|^\s*([0-9]{5}(-[0-9]{4})?|[ABCEGHJ-NPRSTVXYabceghj-nprstvxy][0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z] ?[0-9][ABCEGHJ-NPRSTV-Zabceghj-nprstv-z][0-9])\s*$";
/// Nine digits as `###-##-####` (dashes optional) that the SSA issues (`vigil_domain::lead::Ssn`); blank means none.
const SSN: &str = r"^\s*$|^\s*(?!000|666|9)[0-9]{3}-?(?!00)[0-9]{2}-?(?!0000)[0-9]{4}\s*$";
const USER_ID: &str = "^[A-Za-z0-9_-]{1,64}$";

fn text(max: usize) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": r"\S"})
}

fn opt_text(max: usize) -> Value {
    json!({"type": "string", "maxLength": max, "nullable": true})
}

fn id() -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": u32::MAX})
}

fn opt_id() -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": u32::MAX, "nullable": true})
}

fn count(max: u64) -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": max, "nullable": true})
}

fn date() -> Value {
    json!({"type": "string", "format": "date", "pattern": DATE})
}

fn opt_date() -> Value {
    json!({"type": "string", "format": "date", "pattern": DATE, "nullable": true})
}

fn opt_pattern(pattern: &str, max: usize) -> Value {
    json!({"type": "string", "maxLength": max, "pattern": pattern, "nullable": true})
}

/// Blank reads as none, whatever its length, so only the pattern bounds it.
fn zip() -> Value {
    json!({"type": "string", "pattern": ZIP, "nullable": true})
}

fn user() -> Value {
    json!({"type": "string", "pattern": USER_ID, "nullable": true, "description": "An active user of the company"})
}

fn boolean() -> Value {
    json!({"type": "boolean"})
}

fn with(mut v: Value, description: &str) -> Value {
    v["description"] = description.into();
    v
}

fn states() -> Value {
    let codes: Vec<&str> = vigil_domain::lead::STATES.iter().map(|(c, _, _)| *c).collect();
    json!({"type": "string", "enum": codes, "description": "A US state or territory or a Canadian province code"})
}

fn languages() -> Value {
    let codes: Vec<&str> = vigil_domain::lead::LANGUAGES.iter().map(|(c, _)| *c).collect();
    json!({"type": "string", "enum": codes, "nullable": true, "description": "A language code of the form options"})
}

fn account_type() -> Value {
    let types: Vec<&str> = vigil_domain::lead::AccountType::ALL.iter().map(|t| t.as_str()).collect();
    json!({"type": "string", "enum": types})
}

fn custom_field_values() -> Value {
    json!({
        "type": "object",
        "description": "User-defined field values by definition ID (`{\"3\": \"Garage\", \"4\": 2}`); only the keys sent change, null clears. Per type - text (at most 500 characters), number (a JSON number), date (YYYY-MM-DD), checkbox (boolean), select (one of the options). Unknown or inactive IDs, bad values and clearing a required field are 422 naming `custom_fields.<id>`; on create every required field (checkboxes excepted) must be given.",
        "additionalProperties": true,
    })
}

fn object(required: &[&str], properties: Vec<(&str, Value)>, description: &str) -> Value {
    let props: Map<String, Value> = properties.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    for r in required {
        assert!(props.contains_key(*r), "{r} is required but not a property");
    }
    let mut o =
        json!({"type": "object", "description": description, "properties": props, "additionalProperties": false});
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

/// The New Lead form's fields (`vigil_domain::lead::NEW_LEAD_FIELDS`) as `NewLead::parse` reads them.
fn new_lead_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("source_id", with(id(), "The partner company the lead came from")),
        ("campaign_id", with(opt_id(), "A campaign of that source")),
        ("first_name", text(100)),
        ("last_name", text(100)),
        ("language", languages()),
        (
            "primary_phone",
            json!({"type": "string", "maxLength": 32, "pattern": PHONE, "description": "10 digits; formatting ignored", "example": "(801) 555-0101"}),
        ),
        (
            "account_type",
            json!({"type": "string", "enum": ["residential", "commercial", "other"], "nullable": true, "default": "residential"}),
        ),
        ("account_class_id", with(opt_id(), "One of the company's active account classes")),
        ("disposition_id", with(id(), "The lead status (Hot / Warm / Cold ...), one of the company's")),
        ("city", text(255)),
        ("state", states()),
        ("zip", with(zip(), "US ZIP or ZIP+4 for US states and territories, Canadian postal code for provinces")),
        ("address1", opt_text(255)),
        ("address2", opt_text(255)),
        ("county", opt_text(255)),
        ("cross_street", opt_text(255)),
        ("email", opt_pattern(EMAIL, 254)),
    ]
}

/// The New Lead form: the ZIP must be of the state's country, which `anyOf` over the two countries says.
fn new_lead_schema(fields: Vec<(&'static str, Value)>) -> Value {
    let required = ["source_id", "first_name", "last_name", "primary_phone", "disposition_id", "city", "state"];
    let mut schema = object(&required, fields, "The New Lead form. Unknown fields are refused (422).");
    let country = |country: vigil_domain::lead::Country, zip: &str| {
        let codes: Vec<&str> =
            vigil_domain::lead::STATES.iter().filter(|(_, _, c)| *c == country).map(|(code, _, _)| *code).collect();
        json!({"properties": {"state": {"enum": codes}, "zip": {"type": "string", "pattern": zip, "nullable": true}}})
    };
    schema["anyOf"] =
        json!([country(vigil_domain::lead::Country::Us, US_ZIP), country(vigil_domain::lead::Country::Ca, CA_POSTAL),]);
    schema
}

/// The personal-information fields the lead editor (`vigil_domain::lead::edit_lead`) reads, for leads and customers.
fn personal_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("first_name", text(100)),
        ("last_name", text(100)),
        ("business_name", opt_text(255)),
        ("email", opt_pattern(EMAIL, 254)),
        ("primary_phone", json!({"type": "string", "maxLength": 32, "pattern": PHONE})),
        ("address1", opt_text(255)),
        ("address2", opt_text(255)),
        ("city", text(255)),
        ("state", states()),
        ("zip", with(zip(), "Checked against the state as it will be: a US ZIP for US states and territories, a Canadian postal code for provinces")),
        ("county", opt_text(255)),
        ("cross_street", opt_text(255)),
        ("language", languages()),
        ("account_type", account_type()),
        ("account_class_id", with(opt_id(), "One of the company's active account classes")),
        ("ssn", with(opt_pattern(SSN, 32), "Nine digits; stored encrypted. Changing a stored SSN takes the confidential grant")),
        ("source_id", with(id(), "The partner company the record came from")),
        ("campaign_id", with(opt_id(), "A campaign of that source")),
    ]
}

/// The customer cards' own fields (`vigil_domain::customer::apply_field`).
fn customer_fields() -> Vec<(&'static str, Value)> {
    let phone = || opt_pattern(PHONE, 32);
    let services: Vec<&str> = vigil_domain::customer::SERVICES.iter().map(|(c, _)| *c).collect();
    vec![
        ("birthdate", with(opt_date(), "Confidential")),
        ("work_phone", phone()),
        ("cell_phone", phone()),
        ("other_phone", phone()),
        ("best_time_to_contact", opt_text(200)),
        ("spouse", opt_text(200)),
        ("credit_score", count(900)),
        ("credit_tracking_number", opt_text(64)),
        ("business_contact", opt_text(200)),
        ("sale_date", opt_date()),
        ("sold_by_id", user()),
        ("trainee_id", user()),
        ("lead_rep_id", user()),
        ("adt_number", opt_text(64)),
        ("adt_serial", opt_text(64)),
        ("account_number", opt_text(32)),
        (
            "mmr_id",
            with(opt_id(), "One of the company's MMR rates the customer may be given (form options' `mmr_rates`)"),
        ),
        ("mmr_a_la_carte", boolean()),
        ("monitoring_plan", opt_text(200)),
        ("canceled", boolean()),
        ("cancel_date", with(opt_date(), "Only on a canceled account")),
        ("cancel_reason", with(opt_text(200), "Only on a canceled account")),
        ("discount_affiliate", opt_text(200)),
        ("discount_affiliate_member_number", opt_text(64)),
        ("monitoring_company_id", with(opt_id(), "One of the form options' monitoring companies")),
        ("interactive_services_provider", opt_text(200)),
        ("adt_system_type", opt_text(200)),
        ("contract_term_months", with(count(240), "One of the form options' contract terms")),
        ("activation_fee_id", with(opt_id(), "One of the form options' activation fees")),
        ("warranty_term", opt_text(200)),
        ("dealer_number", opt_text(64)),
        ("collections_date", opt_date()),
        ("install_date", opt_date()),
        ("install_tech_id", user()),
        ("confirmation_number", with(opt_text(64), "Confidential")),
        ("receiver_number", with(opt_text(64), "Confidential")),
        ("installed", boolean()),
        ("abort_code", with(opt_text(64), "Confidential")),
        ("services", json!({"type": "array", "items": {"type": "string", "enum": services}})),
        ("install_tech_reports_to_id", user()),
        ("office_location_id", with(id(), "One of the company's office locations")),
        ("custom_fields", custom_field_values()),
    ]
}

fn version() -> Value {
    json!({"type": "integer", "format": "int64", "minimum": 0, "description": "The version read; a stale one answers 409"})
}

fn handwritten() -> Vec<(&'static str, Value)> {
    let mut new_lead = new_lead_fields();
    new_lead.push(("custom_fields", custom_field_values()));

    let mut lead_patch = personal_fields();
    lead_patch.retain(|(k, _)| *k != "source_id");
    lead_patch.extend([
        ("version", version()),
        ("source_id", with(id(), "The partner company the lead came from")),
        ("disposition_id", with(id(), "The lead status, one of the company's")),
        ("job_title", opt_text(255)),
        ("industry", json!({"type": "string", "enum": vigil_domain::lead::INDUSTRIES, "nullable": true})),
        ("annual_revenue", with(count(1_000_000_000_000), "US dollars a year")),
        ("employees", count(10_000_000)),
        ("website", opt_pattern(WEBSITE, 255)),
        ("budget", with(count(1_000_000_000_000), "US dollars")),
        ("timeline", opt_text(255)),
        ("next_followup", opt_date()),
        ("email_opt_out", boolean()),
        ("do_not_call", boolean()),
        ("web_visits", count(1_000_000)),
        ("webinars_attended", count(10_000)),
        ("rating", json!({"type": "integer", "minimum": 0, "maximum": 5, "description": "4 or more marks the lead hot and sets the follow-up to today; 5 emails the owner"})),
        ("custom_fields", custom_field_values()),
    ]);

    let mut new_customer = personal_fields();
    new_customer.extend(customer_fields());
    let mut customer_patch = new_customer.clone();
    customer_patch.push(("version", version()));
    customer_patch.push((
        "parent_id",
        json!({"type": "integer", "format": "int64", "minimum": 1, "nullable": true, "description": "A top-level customer to bill through (parent/child billing on); null unlinks"}),
    ));

    let options = json!({"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"\S"}});
    let non_select = json!(["text", "number", "date", "checkbox"]);
    let mmr_item = json!({"type": "object", "required": ["name"], "additionalProperties": true, "properties": {
        "id": with(opt_id(), "Absent for a new item (it gets the next free ID)"),
        "name": text(60),
    }});
    let line = json!({"type": "object", "required": ["item_id", "amount_cents"], "additionalProperties": true, "properties": {
        "item_id": with(id(), "A configured item (or one the stored rate already had)"),
        "amount_cents": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 10_000_000},
    }});
    let rate = json!({"type": "object", "required": ["amount_cents"], "additionalProperties": true, "properties": {
        "id": with(opt_id(), "Absent for a new rate"),
        "name": opt_text(60),
        "amount_cents": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 10_000_000, "description": "The total (the sum of the line items in breakout mode)"},
        "line_items": {"type": "array", "maxItems": 100, "items": line, "nullable": true},
        "active": {"type": "boolean", "nullable": true, "default": true},
    }});

    let mut public_lead = new_lead_fields();
    public_lead.retain(|(k, _)| *k != "source_id" && *k != "disposition_id");
    public_lead.extend([
        ("source_id", json!({"type": "string", "maxLength": 20, "description": "The source (partner company ID) in this company; a partner's key attributes its leads to its partner, and a different ID is refused"})),
        ("disposition_id", with(opt_id(), "The lead status; the company's first when absent")),
        ("external_partner_id", opt_text(100)),
        ("external_campaign_id", opt_text(100)),
        ("location", json!({"type": "string", "enum": ["pending", "queue"], "nullable": true, "description": "Where the lead goes; the partner's default when absent, and always that when the partner forces it"})),
        ("website_url", with(opt_text(2000), "The honeypot: leave it empty (a filled one is answered 202 and nothing is stored)")),
        ("redirect", with(opt_text(2000), "Form posts: where to send the browser after (on one of the key's allowed origins)")),
        ("intake_key", with(opt_text(200), "Form posts: the key (servers send it as `Authorization: Bearer`)")),
    ]);
    let public_lead = {
        let mut schema = new_lead_schema(public_lead);
        schema["required"] = json!(["first_name", "last_name", "primary_phone", "city", "state"]);
        schema["description"] = json!("The New Lead form as a web form or a partner's system posts it, JSON or form-encoded. Unknown fields are refused (422).");
        schema
    };

    let mut schemas = vec![
        ("PublicLead", public_lead),
        ("NewLead", new_lead_schema(new_lead)),
        ("LeadPatch", object(&["version"], lead_patch, "Any editable field of the lead plus the version the edit is based on; `null` clears an optional field. Contact fields need the Contact Information section.")),
        ("NewCustomer", object(&["first_name", "last_name", "primary_phone", "city", "state", "account_type", "office_location_id"], new_customer, "The customer's card fields (Personal Information, Sale Information, Installation & Equipment, custom fields); no version, no parent.")),
        ("CustomerPatch", object(&["version"], customer_patch, "The card fields changed and the version read.")),
        ("NewNote", json!({"type": "object", "required": ["text"], "additionalProperties": true, "description": "A note or ticket; other fields are ignored.", "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 4000, "pattern": r"\S"},
            "ticket": {"type": "boolean", "default": false},
            "assignee_id": opt_text(128),
            "due_date": opt_date(),
        }})),
        ("NewContact", json!({"type": "object", "required": ["name", "phone"], "additionalProperties": true, "description": "An emergency contact; other fields are ignored.", "properties": {
            "name": text(200),
            "phone": {"type": "string", "maxLength": 32, "pattern": PHONE},
            "relation": opt_text(100),
        }})),
        ("NewEquipment", json!({"type": "object", "required": ["name"], "additionalProperties": true, "description": "A piece of equipment; other fields are ignored.", "properties": {
            "name": text(200),
            "quantity": {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1},
            "zone": opt_text(100),
        }})),
        ("NewAppointment", json!({"type": "object", "required": ["date"], "additionalProperties": true, "description": "A tech or sale appointment; other fields are ignored.", "properties": {
            "date": date(),
            "kind": {"type": "string", "enum": ["tech", "sale"], "nullable": true, "default": "tech"},
            "note": opt_text(1000),
        }})),
        ("NewRecurringInvoice", json!({"type": "object", "required": ["amount_cents", "start_date"], "additionalProperties": true, "description": "A recurring invoice; other fields are ignored.", "properties": {
            "amount_cents": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 100_000_000},
            "frequency": {"type": "string", "enum": ["monthly", "quarterly", "yearly"], "nullable": true, "default": "monthly"},
            "start_date": date(),
            "description": opt_text(200),
        }})),
        ("NewScheduledPayment", json!({"type": "object", "required": ["amount_cents", "date"], "additionalProperties": true, "description": "A scheduled payment; other fields are ignored.", "properties": {
            "amount_cents": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 100_000_000},
            "date": date(),
        }})),
        ("NewCustomField", json!({
            "description": "A user-defined field: a select takes 1-50 distinct options, every other type none. Names are unique ignoring case.",
            "oneOf": [
                {"type": "object", "required": ["name", "field_type"], "additionalProperties": false, "properties": {
                    "name": text(60),
                    "field_type": {"type": "string", "enum": non_select},
                    "required": boolean(),
                    "options": {"type": "array", "maxItems": 0, "items": {"type": "string"}, "nullable": true},
                }},
                {"type": "object", "required": ["name", "field_type", "options"], "additionalProperties": false, "properties": {
                    "name": text(60),
                    "field_type": {"type": "string", "enum": ["select"]},
                    "required": boolean(),
                    "options": {"minItems": 1, "uniqueItems": true, "allOf": [options.clone()]},
                }},
            ],
        })),
        ("CustomFieldPatch", object(&["version"], vec![
            ("version", version()),
            ("name", text(60)),
            ("required", boolean()),
            ("active", boolean()),
            ("options", with(options, "A select field's options (1-50 distinct); other types take none")),
            ("position", json!({"type": "integer", "minimum": 0, "maximum": 10_000, "description": "Display order (ties by id)"})),
            ("id", json!({"description": "Ignored"})),
        ], "The attributes changed and the definition's version. The type cannot change: a `field_type` other than the field's is refused (422), and only a select field takes options.")),
        ("NewPartner", partner_form(&["name"], "A partner company. Conditional requirements: `sells_leads` needs `default_lead_location`; `sells_customers` needs `default_office_location_id`; `buys_leads`/`buys_customers` need a delivery method, and `vigil` delivery a post URL, `email` delivery sale emails; `allow_login` needs `login_username`. Unknown fields are refused.")),
        ("PartnerPatch", partner_form(&["version"], "The settings changed and the partner's version; `null` clears a field (a post key included).")),
        ("NewCampaign", campaign_form(&["name"], "A campaign of the partner company; the external IDs come together or not at all.")),
        ("CampaignPatch", campaign_form(&["version"], "The campaign's fields changed and its version.")),
        ("NewMessageTemplate", template_form(&["name", "subject", "body"], "A message template; `{{…}}` must name a known merge field.")),
        ("MessageTemplatePatch", template_form(&["version"], "The template's fields changed and its version.")),
        ("MmrSettingsInput", json!({"type": "object", "required": ["version", "mode"], "additionalProperties": true,
            "description": "The whole MMR configuration. Response-only fields (mismatch, assignable, line item names) are ignored. Every stored rate must be sent again (deactivate instead of removing).",
            "properties": {
                "version": version(),
                "mode": {"type": "string", "enum": ["simple", "breakout"]},
                "items": {"type": "array", "maxItems": 50, "items": mmr_item, "nullable": true, "description": "The line items a breakout rate is made of; breakout mode needs one at least"},
                "rates": {"type": "array", "maxItems": 500, "items": rate, "nullable": true},
            }})),
        ("Problem", json!({"type": "object", "description": "RFC 9457 problem details with Vigil's field errors", "required": ["type", "title", "status", "detail", "errors"], "properties": {
            "type": {"type": "string", "description": "A URI naming the kind of problem", "example": "https://vigil.example/problems/validation"},
            "title": {"type": "string", "example": "Some fields need attention"},
            "status": {"type": "integer", "example": 422},
            "detail": {"type": "string", "example": "invalid input: per_page"},
            "errors": {"type": "array", "items": schema_ref("FieldError")},
            "current": {"description": "For 409, the item as stored now (when the caller may see it)", "type": "object", "additionalProperties": true},
        }})),
        ("DevUser", json!({"type": "object", "required": ["email", "name", "company", "company_name", "role"], "properties": {
            "email": {"type": "string"},
            "name": {"type": "string"},
            "company": {"type": "string"},
            "company_name": {"type": "string"},
            "role": schema_ref("Role"),
        }})),
        ("SignInRequest", json!({"type": "object", "required": ["email"], "properties": {
            "email": {"type": "string", "minLength": 1, "pattern": r"\S", "description": "A demo user's email (any case)", "example": "admin@acme.example"},
        }})),
        ("SignInResponse", json!({"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}})),
    ];
    for c in Collection::ALL {
        schemas.push((patch_name(c), item_patch(c, &schemas)));
    }
    schemas
}

/// A sub-record's change: its new-item schema with every field optional (`null` clears an optional one), plus the
/// status and the version read.
fn item_patch(c: Collection, schemas: &[(&'static str, Value)]) -> Value {
    let (new, _) = item_body(c);
    let mut schema = schemas.iter().find(|(n, _)| *n == new).map(|(_, s)| s.clone()).unwrap_or_default();
    schema["required"] = json!(["version"]);
    schema["description"] = json!("The fields changed, the status and the version read; other fields are ignored.");
    schema["properties"]["version"] = version();
    schema["properties"]["status"] = json!({"type": "string", "enum": c.statuses()});
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_described_once_with_unique_operation_ids() {
        let doc = serde_json::to_value(document()).unwrap();
        let mut ids: Vec<String> = Vec::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                ids.push(op["operationId"].as_str().unwrap().to_owned());
            }
        }
        assert_eq!(ids.len(), ROUTES.len() + LOCAL_ONLY_ROUTES.len());
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "operation IDs repeat: {ids:?}");
    }

    #[test]
    fn every_reference_resolves() {
        let doc = serde_json::to_value(document()).unwrap();
        fn walk(v: &Value, doc: &Value) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        let pointer = r.trim_start_matches('#');
                        assert!(doc.pointer(pointer).is_some(), "dangling {r}");
                    }
                    m.values().for_each(|v| walk(v, doc));
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, doc)),
                _ => {}
            }
        }
        walk(&doc, &doc);
    }

    #[test]
    fn links_name_existing_operations() {
        let doc = serde_json::to_value(document()).unwrap();
        let ids: Vec<String> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| {
                item.as_object().unwrap().values().map(|op| op["operationId"].as_str().unwrap().to_owned())
            })
            .collect();
        let text = doc.to_string();
        let mut found = 0;
        for part in text.split("\"operationId\":\"").skip(1) {
            let id = part.split('"').next().unwrap();
            assert!(ids.iter().any(|i| i == id), "a link names {id}, which is no operation");
            found += 1;
        }
        assert!(found > ids.len(), "links add operation IDs");
    }

    #[test]
    fn list_filters_carry_the_servers_constraints() {
        let params = query_parameters::<ops::ListQuery>();
        let by_name = |n: &str| params.iter().find(|p| p["name"] == n).unwrap_or_else(|| panic!("no {n}"));
        assert_eq!(by_name("per_page")["schema"]["enum"], json!([10, 25, 50]));
        // A blank value reads as absent.
        assert_eq!(by_name("dir")["schema"]["enum"], json!(["asc", "desc", ""]));
        assert_eq!(by_name("tags_op")["schema"]["enum"], json!(["any", "all", "none", "not_all", ""]));
        assert_eq!(params.len(), ops::ListQuery::PARAMS.len());
        assert!(params.iter().all(|p| p["required"] == false && p["schema"].get("nullable").is_none()));
    }
}
