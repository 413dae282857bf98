//! The portal's one HTTP client: every call to `/api/v1` goes through here, so the bearer token, the problem+json
//! error shape and the response types live in one place.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use vigil_domain::record::{Kind, Record, Stage};
use vigil_domain::{CampaignId, FieldError, LocationId, PartnerId, RecordId, Role};

const BASE: &str = "/api/v1";

/// What went wrong with a call, as the API describes it (problem+json) or as the browser saw it (status 0: the
/// request never got an answer).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub title: String,
    pub detail: Option<String>,
    pub errors: Vec<FieldError>,
    /// What a 409 carries beside the message: the record as it is now (stale version) or the duplicates found.
    pub current: Option<serde_json::Value>,
}

impl ApiError {
    fn network(detail: String) -> Self {
        Self {
            status: 0,
            title: "Could not reach the server".into(),
            detail: Some(detail),
            errors: vec![],
            current: None,
        }
    }

    fn unreadable(status: u16, detail: String) -> Self {
        Self {
            status,
            title: "The server sent a response the portal could not read".into(),
            detail: Some(detail),
            errors: vec![],
            current: None,
        }
    }

    pub fn is_conflict(&self) -> bool {
        self.status == 409
    }

    /// The message the server gave for `field`, if any.
    pub fn field_message(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
    }

    /// The token is missing, expired or revoked: the user has to sign in again.
    pub fn is_unauthorized(&self) -> bool {
        self.status == 401
    }

    pub fn is_not_found(&self) -> bool {
        self.status == 404
    }

    pub fn is_forbidden(&self) -> bool {
        self.status == 403
    }

    /// One line for a toast or an inline error box: the detail when the server gave one, else the title.
    pub fn message(&self) -> String {
        match &self.detail {
            Some(d) if !d.is_empty() => d.clone(),
            _ => self.title.clone(),
        }
    }
}

/// The body of an error response (`application/problem+json`).
#[derive(Debug, Deserialize)]
struct Problem {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    errors: Vec<FieldError>,
    #[serde(default)]
    current: Option<serde_json::Value>,
}

/// A demo user the local runtime can sign in without a password.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DevUser {
    pub email: String,
    pub name: String,
    pub company: String,
    pub company_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SignedIn {
    pub token: String,
}

/// Which sections the signed-in user may open; the server decides from their permissions.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
pub struct Nav {
    #[serde(default)]
    pub leads: bool,
    #[serde(default)]
    pub customers: bool,
    #[serde(default)]
    pub admin: bool,
}

/// The signed-in user (`GET /api/v1/me`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub name: String,
    pub company: String,
    pub company_name: String,
    pub role: Role,
    pub role_label: String,
    #[serde(default)]
    pub home_location_id: Option<LocationId>,
    #[serde(default)]
    pub partner_id: Option<PartnerId>,
    #[serde(default)]
    pub nav: Nav,
    /// What the user may do where; the portal hides what the server would refuse (the server still decides).
    #[serde(default)]
    pub permissions: vigil_domain::Permissions,
}

/// One row of the Leads or Customers list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordRow {
    pub id: RecordId,
    pub kind: Kind,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub primary_phone: String,
    #[serde(default)]
    pub email: Option<String>,
    pub stage: Stage,
    #[serde(default)]
    pub rating: u8,
    pub created_at: String,
    #[serde(default)]
    pub archived: bool,
}

/// How the server answered a list query: how many items it read, which access path it used, and the total from
/// its counters (exact, or an estimate when no counter covers the filter).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ListMeta {
    #[serde(default)]
    pub items_read: u64,
    #[serde(default)]
    pub access_path: String,
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default = "yes")]
    pub total_exact: bool,
    /// Search mode (the company's `do_not_show_customer_list`): no rows until a search is submitted.
    #[serde(default)]
    pub search_required: bool,
}

fn yes() -> bool {
    true
}

/// One page of a list and the opaque cursor of the next one.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub meta: Option<ListMeta>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OfficeLocation {
    pub id: LocationId,
    pub name: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    #[serde(default)]
    pub campaigns: Vec<Campaign>,
}

/// An email the local runtime "sent" into its sandbox outbox instead of SES.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OutboxEmail {
    pub id: String,
    pub to: String,
    pub subject: String,
    #[serde(default)]
    pub body: String,
    pub created_at: String,
}

// ---------------------------------------------------------------------------------------------------------------
// Leads.

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Named {
    pub id: u32,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StateOption {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What the New Lead form and the list filters offer (`GET /api/v1/leads/form-options`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct FormOptions {
    #[serde(default)]
    pub sources: Vec<Partner>,
    #[serde(default)]
    pub dispositions: Vec<Named>,
    #[serde(default)]
    pub states: Vec<StateOption>,
    #[serde(default)]
    pub account_types: Vec<Choice>,
    #[serde(default)]
    pub account_classes: Vec<Named>,
    #[serde(default)]
    pub languages: Vec<Choice>,
    #[serde(default)]
    pub industries: Vec<String>,
}

/// A row of the Leads list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LeadRow {
    pub id: RecordId,
    pub created_at: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub primary_phone: String,
    #[serde(default)]
    pub email: Option<String>,
    pub stage: Stage,
    /// The lead status (disposition), e.g. Hot.
    #[serde(default)]
    pub disposition: Option<String>,
    #[serde(default)]
    pub source: Option<NamedOpt>,
    #[serde(default)]
    pub campaign: Option<NamedOpt>,
    /// The callback date (next follow-up), `YYYY-MM-DD`.
    #[serde(default)]
    pub next_followup: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub rating: u8,
}

/// An ID with its name when the server knows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NamedOpt {
    pub id: u32,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NamedStr {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    #[serde(default)]
    pub by: String,
    pub field: String,
    #[serde(default)]
    pub before: serde_json::Value,
    #[serde(default)]
    pub after: serde_json::Value,
}

/// The list's side panel (`GET /api/v1/leads/{id}/preview`); sections the user may not see are absent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LeadPreview {
    pub id: RecordId,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub entered_at: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    pub stage: Stage,
    #[serde(default)]
    pub tags: Vec<Named>,
    #[serde(default)]
    pub warnings: Vec<String>,
    #[serde(default)]
    pub primary_phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub lead_status: Option<String>,
    #[serde(default)]
    pub lead_rep: Option<NamedStr>,
    #[serde(default)]
    pub source: Option<Named>,
    #[serde(default)]
    pub campaign: Option<Named>,
    #[serde(default)]
    pub callback_date: Option<String>,
    #[serde(default)]
    pub rating: u8,
    #[serde(default)]
    pub score: u8,
    #[serde(default)]
    pub latest_interaction: Option<HistoryEntry>,
}

/// A company tag (`GET /api/v1/tags`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tag {
    pub id: u32,
    pub name: String,
}

/// A lead the duplicate check found (in a 409's `current.duplicates`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DuplicateLead {
    pub id: RecordId,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub primary_phone: String,
    #[serde(default)]
    pub address1: Option<String>,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
}

impl ApiError {
    /// The leads a 409 on create names as duplicates (empty for other conflicts).
    pub fn duplicates(&self) -> Vec<DuplicateLead> {
        self.current
            .as_ref()
            .and_then(|c| c.get("duplicates"))
            .and_then(|d| serde_json::from_value(d.clone()).ok())
            .unwrap_or_default()
    }
}

/// `{items: [...]}` or a bare list: both read as the list.
#[derive(Deserialize)]
#[serde(untagged)]
enum ListOf<T> {
    Wrapped { items: Vec<T> },
    Bare(Vec<T>),
}

impl<T> ListOf<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            ListOf::Wrapped { items } | ListOf::Bare(items) => items,
        }
    }
}

#[derive(Serialize)]
struct StageBody<'a> {
    to: &'a str,
    version: u64,
}

#[derive(Serialize)]
struct TagsBody<'a> {
    tag_ids: &'a [u32],
    version: u64,
}

#[derive(Serialize)]
struct NewTagBody<'a> {
    name: &'a str,
}

/// A list response without paging (`{items: [...]}`).
#[derive(Debug, Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

#[derive(Serialize)]
struct SignInBody<'a> {
    email: &'a str,
}

/// How many rows a list page asks for.
pub const PER_PAGE: u32 = 25;

/// Lists the demo users of the local runtime. In production the route does not exist: a 404 means sign-in goes
/// through the company's identity provider.
pub async fn dev_users() -> Result<Vec<DevUser>, ApiError> {
    send(Request::get(&format!("{BASE}/dev/users"))).await
}

pub async fn dev_sign_in(email: &str) -> Result<SignedIn, ApiError> {
    let req = Request::post(&format!("{BASE}/dev/sign-in"))
        .json(&SignInBody { email })
        .map_err(|e| ApiError::network(e.to_string()))?;
    finish(req.send().await).await
}

/// Calls made on behalf of a signed-in user.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    token: String,
}

impl Client {
    pub fn new(token: impl Into<String>) -> Self {
        Self { token: token.into() }
    }

    fn get(&self, path: &str) -> RequestBuilder {
        Request::get(&format!("{BASE}{path}")).header("Authorization", &format!("Bearer {}", self.token))
    }

    pub async fn me(&self) -> Result<Me, ApiError> {
        send(self.get("/me")).await
    }

    /// A page of leads (`kind = Lead`) or customers (`kind = Customer`); `filter` is `&name=value` list parameters
    /// (a `per_page` in it replaces the default).
    pub async fn records(&self, kind: Kind, filter: &str, cursor: Option<&str>) -> Result<Page<RecordRow>, ApiError> {
        let mut q = if filter.contains("&per_page=") { String::new() } else { format!("&per_page={PER_PAGE}") };
        q.push_str(filter);
        q.push_str(&cursor_param(cursor));
        let path = format!("{}?{}", collection(kind), q.trim_start_matches('&'));
        send(self.get(&path)).await
    }

    pub async fn record(&self, kind: Kind, id: RecordId) -> Result<Record, ApiError> {
        send(self.get(&format!("{}/{id}", collection(kind)))).await
    }

    pub async fn office_locations(&self) -> Result<Vec<OfficeLocation>, ApiError> {
        send::<Items<OfficeLocation>>(self.get("/office-locations")).await.map(|p| p.items)
    }

    pub async fn partners(&self) -> Result<Vec<Partner>, ApiError> {
        send::<Items<Partner>>(self.get("/partners")).await.map(|p| p.items)
    }

    fn with_body(&self, method: &str, path: &str) -> RequestBuilder {
        let url = format!("{BASE}{path}");
        let req = match method {
            "POST" => Request::post(&url),
            "PUT" => Request::put(&url),
            "PATCH" => Request::patch(&url),
            _ => Request::delete(&url),
        };
        req.header("Authorization", &format!("Bearer {}", self.token))
    }

    async fn send_json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let req = self.with_body(method, path).json(body).map_err(|e| ApiError::network(e.to_string()))?;
        finish(req.send().await).await
    }

    pub async fn lead_form_options(&self) -> Result<FormOptions, ApiError> {
        send(self.get("/leads/form-options")).await
    }

    /// A page of the Leads list; `query` is the list's query string without `?` (see `lead_filter`).
    pub async fn leads(&self, query: &str, cursor: Option<&str>) -> Result<Page<LeadRow>, ApiError> {
        let mut path = format!("/leads?{query}");
        if let Some(c) = cursor {
            path.push_str(&format!(
                "{}cursor={}",
                if query.is_empty() { "" } else { "&" },
                js_sys::encode_uri_component(c)
            ));
        }
        send(self.get(&path)).await
    }

    pub async fn lead_preview(&self, id: RecordId) -> Result<LeadPreview, ApiError> {
        send(self.get(&format!("/leads/{id}/preview"))).await
    }

    /// `POST /api/v1/leads` with the New Lead form; `allow_duplicates` after the user chose "create anyway".
    pub async fn create_lead(
        &self,
        form: &serde_json::Map<String, serde_json::Value>,
        allow_duplicates: bool,
    ) -> Result<Record, ApiError> {
        let path = if allow_duplicates { "/leads?allow_duplicates=true" } else { "/leads" };
        self.send_json("POST", path, form).await
    }

    /// `PATCH /api/v1/leads/{id}` with the fields to change and the version they were read at.
    pub async fn edit_lead(&self, id: RecordId, fields: serde_json::Value) -> Result<Record, ApiError> {
        self.send_json("PATCH", &format!("/leads/{id}"), &fields).await
    }

    pub async fn move_lead_stage(&self, id: RecordId, to: Stage, version: u64) -> Result<Record, ApiError> {
        self.send_json("POST", &format!("/leads/{id}/stage"), &StageBody { to: to.as_str(), version }).await
    }

    pub async fn tags(&self) -> Result<Vec<Tag>, ApiError> {
        send::<ListOf<Tag>>(self.get("/tags")).await.map(ListOf::into_vec)
    }

    pub async fn create_tag(&self, name: &str) -> Result<Tag, ApiError> {
        self.send_json("POST", "/tags", &NewTagBody { name }).await
    }

    pub async fn set_lead_tags(&self, id: RecordId, tag_ids: &[u32], version: u64) -> Result<Record, ApiError> {
        self.send_json("PUT", &format!("/leads/{id}/tags"), &TagsBody { tag_ids, version }).await
    }

    pub async fn outbox(&self, cursor: Option<&str>) -> Result<Page<OutboxEmail>, ApiError> {
        let path = match cursor {
            Some(c) => format!("/outbox?cursor={}", js_sys::encode_uri_component(c)),
            None => "/outbox".to_owned(),
        };
        send(self.get(&path)).await
    }
}

fn collection(kind: Kind) -> &'static str {
    match kind {
        Kind::Lead => "/leads",
        Kind::Customer => "/customers",
    }
}

fn cursor_param(cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!("&cursor={}", js_sys::encode_uri_component(c)),
        None => String::new(),
    }
}

async fn send<T: DeserializeOwned>(req: RequestBuilder) -> Result<T, ApiError> {
    finish(req.send().await).await
}

async fn finish<T: DeserializeOwned>(sent: Result<Response, gloo_net::Error>) -> Result<T, ApiError> {
    let resp = sent.map_err(|e| ApiError::network(e.to_string()))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| ApiError::network(e.to_string()))?;
    if resp.ok() {
        return serde_json::from_str(&text).map_err(|e| ApiError::unreadable(status, e.to_string()));
    }
    Err(match serde_json::from_str::<Problem>(&text) {
        Ok(p) => ApiError {
            status,
            title: p.title.unwrap_or_else(|| fallback_title(status)),
            detail: p.detail,
            errors: p.errors,
            current: p.current,
        },
        Err(_) => ApiError { status, title: fallback_title(status), detail: None, errors: vec![], current: None },
    })
}

fn fallback_title(status: u16) -> String {
    match status {
        401 => "Please sign in again".into(),
        403 => "You do not have permission to do that".into(),
        404 => "Not found".into(),
        409 => "Someone else changed this record".into(),
        422 => "Some fields need attention".into(),
        429 => "Too many requests, try again shortly".into(),
        s if s >= 500 => format!("The server had a problem ({s})"),
        s => format!("The request failed ({s})"),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Customers: the Home page, its form options, saving, converting, archiving, the parent picker and sub-records.

/// `GET /api/v1/customers/{id}`: the record as the Home page shows it. The cards stay JSON objects: which fields a
/// card holds is the server's decision, and masked confidential values arrive as `"***"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerHome {
    pub id: RecordId,
    pub kind: Kind,
    pub version: u64,
    #[serde(default)]
    pub archived: bool,
    pub header: CustomerHeader,
    #[serde(default)]
    pub tabs: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub warnings: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub tag_list: Vec<Named>,
    #[serde(default)]
    pub cards: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    pub editable: CardsEditable,
    #[serde(default)]
    pub actions: CustomerActions,
    #[serde(default)]
    pub parent_child_billing: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerHeader {
    pub id: RecordId,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status_boxes: Vec<StatusBox>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub created_by: Option<NamedStr>,
    #[serde(default)]
    pub sale: Option<SaleBadge>,
    #[serde(default)]
    pub install: Option<InstallBadge>,
    #[serde(default)]
    pub location: Option<Named>,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub parent: Option<RecordLink>,
    #[serde(default)]
    pub children: Option<Vec<RecordLink>>,
    #[serde(default)]
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StatusBox {
    pub category: String,
    pub label: String,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SaleBadge {
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub sold_by: Option<NamedStr>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InstallBadge {
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub technician: Option<NamedStr>,
}

/// Another customer the header links to (parent or sub-customer).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RecordLink {
    pub id: RecordId,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
pub struct CardsEditable {
    #[serde(default)]
    pub personal: bool,
    #[serde(default)]
    pub sale: bool,
    #[serde(default)]
    pub installation: bool,
    #[serde(default)]
    pub custom_fields: bool,
}

/// What the signed-in user may do with this record now.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
pub struct CustomerActions {
    #[serde(default)]
    pub modify: bool,
    #[serde(default)]
    pub delete: bool,
    #[serde(default)]
    pub archive: bool,
    #[serde(default)]
    pub unarchive: bool,
    #[serde(default)]
    pub convert: bool,
    #[serde(default)]
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Priced {
    pub id: u32,
    pub name: String,
    #[serde(default)]
    pub amount_cents: u64,
}

/// `GET /api/v1/customers/form-options`: the select options of the customer cards and of Convert to Customer.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct CustomerFormOptions {
    #[serde(default)]
    pub office_locations: Vec<OfficeLocation>,
    #[serde(default)]
    pub sold_by: Vec<NamedStr>,
    #[serde(default)]
    pub lead_reps: Vec<NamedStr>,
    #[serde(default)]
    pub technicians: Vec<NamedStr>,
    #[serde(default)]
    pub account_classes: Vec<Named>,
    #[serde(default)]
    pub account_types: Vec<Choice>,
    #[serde(default)]
    pub monitoring_companies: Vec<Named>,
    #[serde(default)]
    pub contract_terms: Vec<u32>,
    #[serde(default)]
    pub activation_fees: Vec<Priced>,
    #[serde(default)]
    pub mmr_rates: Vec<Priced>,
    /// `simple` (the `mmr_rates` dropdown) or `breakout` (the rate picker).
    #[serde(default)]
    pub mmr_mode: String,
    #[serde(default)]
    pub monitoring_plans: Vec<String>,
    #[serde(default)]
    pub interactive_services_providers: Vec<String>,
    #[serde(default)]
    pub adt_system_types: Vec<String>,
    #[serde(default)]
    pub warranty_terms: Vec<String>,
    #[serde(default)]
    pub cancel_reasons: Vec<String>,
    #[serde(default)]
    pub states: Vec<StateOption>,
    #[serde(default)]
    pub languages: Vec<Choice>,
    #[serde(default)]
    pub parent_child_billing: bool,
}

/// What archiving would do (`GET /api/v1/customers/{id}/archive-preview`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArchivePreview {
    pub customer: ArchiveAffected,
    #[serde(default)]
    pub sub_customers: Vec<ArchiveAffected>,
    #[serde(default)]
    pub nothing_affected: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ArchiveAffected {
    pub id: RecordId,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub recurring_invoices: Vec<SubRecord>,
    #[serde(default)]
    pub appointments: Vec<SubRecord>,
    #[serde(default)]
    pub scheduled_payments: Vec<SubRecord>,
}

/// A top-level customer the parent picker offers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ParentCandidate {
    pub id: RecordId,
    pub name: String,
    #[serde(default)]
    pub business_name: Option<String>,
    #[serde(default)]
    pub account_number: Option<String>,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
}

/// One note, contact, equipment line, appointment, recurring invoice or scheduled payment of a customer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SubRecord {
    pub id: u64,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub data: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct ConvertBody<'a> {
    office_location_id: u32,
    sold_by_id: &'a str,
    version: u64,
}

#[derive(Serialize)]
struct ConfirmBody {
    confirm: bool,
    include_children: bool,
}

impl Client {
    pub async fn customer_home(&self, id: RecordId) -> Result<CustomerHome, ApiError> {
        send(self.get(&format!("/customers/{id}"))).await
    }

    pub async fn customer_form_options(&self) -> Result<CustomerFormOptions, ApiError> {
        send(self.get("/customers/form-options")).await
    }

    /// `PATCH /api/v1/customers/{id}` with the changed fields and `version`.
    pub async fn save_customer(
        &self,
        id: RecordId,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<CustomerHome, ApiError> {
        self.send_json("PATCH", &format!("/customers/{id}"), fields).await
    }

    /// `PUT /api/v1/customers/{id}/tags`: the Home page's tag widget.
    pub async fn set_customer_tags(
        &self,
        id: RecordId,
        tag_ids: &[u32],
        version: u64,
    ) -> Result<CustomerHome, ApiError> {
        self.send_json("PUT", &format!("/customers/{id}/tags"), &TagsBody { tag_ids, version }).await
    }

    pub async fn convert_lead(
        &self,
        id: RecordId,
        office_location_id: u32,
        sold_by_id: &str,
        version: u64,
    ) -> Result<CustomerHome, ApiError> {
        self.send_json(
            "POST",
            &format!("/leads/{id}/convert"),
            &ConvertBody { office_location_id, sold_by_id, version },
        )
        .await
    }

    pub async fn archive_preview(&self, id: RecordId) -> Result<ArchivePreview, ApiError> {
        send(self.get(&format!("/customers/{id}/archive-preview"))).await
    }

    pub async fn archive_customer(&self, id: RecordId) -> Result<CustomerHome, ApiError> {
        self.send_json(
            "POST",
            &format!("/customers/{id}/archive"),
            &ConfirmBody { confirm: true, include_children: false },
        )
        .await
    }

    pub async fn unarchive_customer(&self, id: RecordId, include_children: bool) -> Result<CustomerHome, ApiError> {
        self.send_json("POST", &format!("/customers/{id}/unarchive"), &ConfirmBody { confirm: true, include_children })
            .await
    }

    pub async fn parent_candidates(&self, q: &str, exclude: RecordId) -> Result<Vec<ParentCandidate>, ApiError> {
        let path = format!("/customers/parent-candidates?q={}&exclude={exclude}", js_sys::encode_uri_component(q));
        send::<ListOf<ParentCandidate>>(self.get(&path)).await.map(ListOf::into_vec)
    }

    pub async fn delete_customer(&self, id: RecordId) -> Result<(), ApiError> {
        let resp = self
            .with_body("DELETE", &format!("/customers/{id}"))
            .send()
            .await
            .map_err(|e| ApiError::network(e.to_string()))?;
        if resp.ok() {
            return Ok(());
        }
        finish::<serde_json::Value>(Ok(resp)).await.map(|_| ())
    }

    pub async fn duplicate_customer(&self, id: RecordId) -> Result<CustomerHome, ApiError> {
        self.send_json("POST", &format!("/customers/{id}/duplicate"), &serde_json::json!({})).await
    }

    /// The sub-records of one collection (`notes`, `contacts`, `equipment`, `appointments`, `recurring-invoices`,
    /// `scheduled-payments`).
    pub async fn customer_items(&self, id: RecordId, collection: &str) -> Result<Vec<SubRecord>, ApiError> {
        send::<ListOf<SubRecord>>(self.get(&format!("/customers/{id}/{collection}"))).await.map(ListOf::into_vec)
    }

    pub async fn create_customer_item(
        &self,
        id: RecordId,
        collection: &str,
        body: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<SubRecord, ApiError> {
        self.send_json("POST", &format!("/customers/{id}/{collection}"), body).await
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The lead page (edit, history, delete), the list's rep filter and the admin's lead settings.

/// A lead as `GET`/`PATCH /api/v1/leads/{id}` return it: the record plus `ssn` — absent when none is stored, the
/// number for users with the SSN grant, `***` for everyone else; the values of its custom fields are the record's `custom_fields`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LeadView {
    #[serde(flatten)]
    pub record: Record,
    #[serde(default)]
    pub ssn: Option<String>,
    /// `GET` only: the Custom Fields card rows (definitions with this record's values, as `cards.custom_fields` of
    /// the Home read); `null`/absent when the company has no active field.
    #[serde(default)]
    pub custom_fields_card: Option<serde_json::Value>,
}

/// A user a record can be assigned to (customers form-options `lead_reps`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UserChoice {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Default, Deserialize)]
struct LeadRepOptions {
    #[serde(default)]
    lead_reps: Vec<UserChoice>,
}

impl Client {
    pub async fn lead(&self, id: RecordId) -> Result<LeadView, ApiError> {
        send(self.get(&format!("/leads/{id}"))).await
    }

    /// `PATCH /api/v1/leads/{id}`: `fields` carries the changed fields and the `version` they were read at.
    pub async fn patch_lead(
        &self,
        id: RecordId,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<LeadView, ApiError> {
        self.send_json("PATCH", &format!("/leads/{id}"), fields).await
    }

    /// `DELETE /api/v1/leads/{id}` (204, no body).
    pub async fn delete_lead(&self, id: RecordId) -> Result<(), ApiError> {
        let sent = self.with_body("DELETE", &format!("/leads/{id}")).send().await;
        match sent {
            Ok(resp) if resp.ok() => Ok(()),
            other => finish::<serde_json::Value>(other).await.map(|_| ()),
        }
    }

    /// The lead's history, oldest first (the newest 100 entries).
    pub async fn lead_history(&self, id: RecordId) -> Result<Vec<HistoryEntry>, ApiError> {
        send::<ListOf<HistoryEntry>>(self.get(&format!("/leads/{id}/history"))).await.map(ListOf::into_vec)
    }

    /// The users leads can be assigned to; empty when the user may not read the customer form options.
    pub async fn lead_reps(&self) -> Result<Vec<UserChoice>, ApiError> {
        send::<LeadRepOptions>(self.get("/customers/form-options")).await.map(|o| o.lead_reps)
    }

    pub async fn lead_scoring(&self) -> Result<vigil_domain::lead::ScoringWeights, ApiError> {
        send(self.get("/settings/lead-scoring")).await
    }

    pub async fn set_lead_scoring(
        &self,
        w: &vigil_domain::lead::ScoringWeights,
    ) -> Result<vigil_domain::lead::ScoringWeights, ApiError> {
        self.send_json("PUT", "/settings/lead-scoring", w).await
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Custom fields (UDFs): the admin's definitions (`/api/v1/settings/custom-fields`) and the Home page card.

pub use vigil_domain::custom_field::{CardField as CustomFieldValue, CustomField, FieldType};

impl Client {
    pub async fn custom_fields(&self) -> Result<Vec<CustomField>, ApiError> {
        send::<ListOf<CustomField>>(self.get("/settings/custom-fields")).await.map(ListOf::into_vec)
    }

    /// `POST` with `{name, field_type, required, options}`.
    pub async fn create_custom_field(
        &self,
        body: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<CustomField, ApiError> {
        self.send_json("POST", "/settings/custom-fields", body).await
    }

    /// `PATCH` with the changed attributes and the definition's `version`.
    pub async fn update_custom_field(
        &self,
        id: u32,
        body: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<CustomField, ApiError> {
        self.send_json("PATCH", &format!("/settings/custom-fields/{id}"), body).await
    }

    pub async fn delete_custom_field(&self, id: u32) -> Result<(), ApiError> {
        let resp = self
            .with_body("DELETE", &format!("/settings/custom-fields/{id}"))
            .send()
            .await
            .map_err(|e| ApiError::network(e.to_string()))?;
        if resp.ok() {
            return Ok(());
        }
        finish::<serde_json::Value>(Ok(resp)).await.map(|_| ())
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Monthly monitoring rates (MMR): the breakout picker and the admin's configuration.

/// One line of a rate's breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MmrLine {
    pub item_id: u32,
    #[serde(default)]
    pub name: String,
    pub amount_cents: u64,
}

/// A rate as the picker and the settings show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MmrRate {
    pub id: u32,
    #[serde(default)]
    pub name: Option<String>,
    pub amount_cents: u64,
    #[serde(default)]
    pub line_items: Vec<MmrLine>,
    #[serde(default = "yes")]
    pub active: bool,
    /// The breakdown does not match the company's current MMR items.
    #[serde(default)]
    pub mismatch: bool,
    /// May be given to the customer asked about.
    #[serde(default = "yes")]
    pub assignable: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct MmrItemFilter {
    pub id: u32,
    pub name: String,
    #[serde(default)]
    pub amounts: Vec<u64>,
}

/// The values each picker filter can take.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct MmrFilters {
    #[serde(default)]
    pub total: Vec<u64>,
    #[serde(default)]
    pub items: Vec<MmrItemFilter>,
}

/// `GET /api/v1/customers/mmr-rates`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct MmrRateList {
    pub items: Vec<MmrRate>,
    #[serde(default)]
    pub filters: MmrFilters,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MmrItem {
    pub id: u32,
    pub name: String,
}

/// `GET/PUT /api/v1/settings/mmr`: the whole configuration (a PUT sends it back with its `version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MmrSettings {
    pub mode: String,
    pub version: u64,
    #[serde(default)]
    pub items: Vec<MmrItem>,
    #[serde(default)]
    pub rates: Vec<MmrRate>,
}

impl Client {
    /// The picker's rates for `customer` narrowed by `filter` (a `vigil_domain::mmr::RateFilter` query string).
    pub async fn mmr_rates(&self, customer: RecordId, filter: &str) -> Result<MmrRateList, ApiError> {
        let sep = if filter.is_empty() { "" } else { "&" };
        send(self.get(&format!("/customers/mmr-rates?customer_id={customer}{sep}{filter}"))).await
    }

    pub async fn mmr_settings(&self) -> Result<MmrSettings, ApiError> {
        send(self.get("/settings/mmr")).await
    }

    pub async fn put_mmr_settings(&self, s: &MmrSettings) -> Result<MmrSettings, ApiError> {
        self.send_json("PUT", "/settings/mmr", s).await
    }
}
