//! The portal's one HTTP client: every call to `/api/v1` goes through here, so the bearer token, the problem+json
//! error shape and the response types live in one place.

use gloo_net::http::{Request, Response};
use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use vigil_api::common::{CursorQuery, FieldPath, ItemPath, Items, ItemsPath, NoQuery, RecordPath, VersionQuery};
use vigil_api::customers::{Confirm, Convert};
use vigil_api::leads::{SetTags, StageMove};
use vigil_api::operation::query_string;
use vigil_api::ops::{self, CandidatesQuery, CreateLeadQuery, ListQuery, RatesQuery};
use vigil_api::Operation;
use vigil_domain::record::{Kind, Stage};
use vigil_domain::{FieldError, RecordId, Role};
use vigil_json::{FromJson, ToJson};

// The contract's types, under the names the pages use.
pub use vigil_api::customers::{
    Affected as ArchiveAffected, ArchivePreview, Candidate as ParentCandidate, CardsEditable, Collection,
    CustomerActions, CustomerFormOptions, CustomerHeader, CustomerHome, InstallBadge, Priced, RecordLink, SaleBadge,
    StatusBox, SubRecord, UserOption,
};
pub use vigil_api::directory::{Campaign, Me, Nav, OfficeLocation, Partner};
pub use vigil_api::leads::{
    AccountClass, Choice, Disposition, DuplicateMatch, HistoryEntry, LeadFormOptions, LeadListMeta, LeadListPage,
    LeadRow, LeadView, Named, NamedOpt, Preview as LeadPreview, StateOption, Tag,
};
pub use vigil_api::outbox::{Mail as OutboxEmail, OutboxPage};
pub use vigil_api::partners::{CampaignView, MessageTemplate, PartnerView};
pub use vigil_api::settings::{MmrSettingsView as MmrSettings, RateList as MmrRateList};
pub use vigil_domain::custom_field::{CardField as CustomFieldValue, CustomField, FieldType};
pub use vigil_domain::mmr::{FilterChoices as MmrFilters, ItemChoices as MmrItemFilter, LineItem as MmrLine, MmrItem};
pub use vigil_domain::mmr::{MmrMode, RateView as MmrRate};

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
    pub current: Option<Value>,
}

/// What went wrong with a request the browser could not make or answer, as text. Matched by hand rather than by the
/// error's `Display`, which formats its JSON variant (never made here: answers are read by `vigil_json`) and with it
/// serde_json's and std's I/O error messages: 0.8 KiB gzipped of text and code.
pub fn fetch_problem(e: gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => js.to_string(),
        gloo_net::Error::GlooError(text) => text,
        _ => "the answer could not be read".into(),
    }
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
#[derive(Debug, FromJson)]
struct Problem {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    errors: Vec<FieldError>,
    #[serde(default)]
    current: Option<Value>,
}

/// A demo user the local runtime can sign in without a password.
#[derive(Debug, Clone, PartialEq, FromJson)]
pub struct DevUser {
    pub email: String,
    pub name: String,
    pub company: String,
    pub company_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, FromJson)]
pub struct SignedIn {
    pub token: String,
}

impl ApiError {
    /// The leads a 409 on create names as duplicates (empty for other conflicts).
    pub fn duplicates(&self) -> Vec<DuplicateMatch> {
        self.current
            .as_ref()
            .and_then(|c| c.get("duplicates"))
            .and_then(|d| vigil_json::from_value(d.clone()).ok())
            .unwrap_or_default()
    }
}

#[derive(ToJson)]
struct SignInBody<'a> {
    email: &'a str,
}

/// How many rows a list page asks for.
pub const PER_PAGE: u32 = 25;

/// Lists the demo users of the local runtime. In production the route does not exist: a 404 means sign-in goes
/// through the company's identity provider.
pub async fn dev_users() -> Result<Vec<DevUser>, ApiError> {
    let (status, answer) = finish(Request::get(&format!("{BASE}/dev/users")).send().await).await?;
    decode(status, answer)
}

pub async fn dev_sign_in(email: &str) -> Result<SignedIn, ApiError> {
    let req = Request::post(&format!("{BASE}/dev/sign-in"));
    let req = with_json(req, &SignInBody { email }.to_json())?;
    let (status, answer) = finish(req.send().await).await?;
    decode(status, answer)
}

/// The rows of a list answer.
fn items<T: 'static>(list: Task<'static, Result<Items<T>, ApiError>>) -> Task<'static, Result<Vec<T>, ApiError>> {
    then(list, |list| list.map(|p| p.items))
}

/// `task`'s output passed through `f` once it is ready. A plain future rather than an async block, whose state
/// machine (its states, their drop code, and a panic for a poll after the end) was compiled for every response type:
/// 11 KiB less raw over the portal's calls (the same gzipped: those copies were alike).
fn then<A: 'static, B: 'static>(task: Task<'static, A>, f: fn(A) -> B) -> Task<'static, B> {
    Box::pin(Then { task, f })
}

struct Then<A, B> {
    task: Task<'static, A>,
    f: fn(A) -> B,
}

impl<A, B> Future for Then<A, B> {
    type Output = B;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<B> {
        let this = self.get_mut();
        this.task.as_mut().poll(cx).map(this.f)
    }
}

/// A request on its way: the status and JSON of its answer, or why there is none.
type Exchange<'a> = Task<'a, Result<(u16, Value), ApiError>>;

/// A call's answer to come. Boxed, so that a page's task awaiting it holds a pointer rather than the call's whole
/// state, and the call's polling is compiled once, not into every page's task (6.5 KiB less gzipped for `call`). A
/// call below that only prepares its arguments returns `call`'s task; one that reads the answer further boxes its
/// own.
pub type Task<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Calls made on behalf of a signed-in user.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    token: String,
}

impl Client {
    pub fn new(token: impl Into<String>) -> Self {
        Self { token: token.into() }
    }

    /// Calls operation `O` of the contract: its route filled with `path`, `query` and `body`, its answer parsed as
    /// `O::Response` (the types the server answers with). The request is prepared at once; what is awaited is the
    /// one boxed exchange every call shares and the answer's decoding, so each operation's future stays small.
    pub fn call<O: Operation>(
        &self,
        path: &O::Path,
        query: &O::Query,
        body: &O::Body,
    ) -> Task<'static, Result<O::Response, ApiError>>
    where
        O::Response: 'static,
    {
        let sent = self.send(O::method(), format!("{}{}", O::path(path), query_string(query)), body.to_json());
        then(sent, |sent| sent.and_then(|(status, answer)| decode(status, answer)))
    }

    /// The part of every call that does not depend on the operation's types, compiled once rather than once per
    /// operation. The request is built at once, so the task holds the request rather than a borrow of the client
    /// (1.3 KiB less gzipped than building it on the first poll).
    fn send(&self, method: vigil_api::Method, url: String, body: Value) -> Exchange<'static> {
        let url = url.as_str();
        let req = match method {
            vigil_api::Method::Get => Request::get(url),
            vigil_api::Method::Post => Request::post(url),
            vigil_api::Method::Put => Request::put(url),
            vigil_api::Method::Patch => Request::patch(url),
            vigil_api::Method::Delete => Request::delete(url),
            vigil_api::Method::Options => {
                gloo_net::http::RequestBuilder::new(url).method(gloo_net::http::Method::OPTIONS)
            }
        }
        .header("Authorization", &format!("Bearer {}", self.token));
        let req = if body.is_null() {
            req.build().map_err(|e| ApiError::network(fetch_problem(e)))
        } else {
            with_json(req, &body)
        };
        Box::pin(async move {
            let req = req?;
            finish(req.send().await).await
        })
    }

    fn get<O: Operation<Path = (), Query = NoQuery, Body = ()>>(&self) -> Task<'static, Result<O::Response, ApiError>>
    where
        O::Response: 'static,
    {
        self.call::<O>(&(), &NoQuery {}, &())
    }

    pub fn me(&self) -> impl Future<Output = Result<Me, ApiError>> + '_ {
        self.get::<ops::GetMe>()
    }

    /// An import's errors as CSV text: the one answer that is not JSON.
    pub fn import_errors_csv(&self, id: u32) -> Task<'_, Result<String, ApiError>> {
        Box::pin(async move {
            let url = ops::ImportErrorsCsv::path(&FieldPath { id });
            let resp = Request::get(&url)
                .header("Authorization", &format!("Bearer {}", self.token))
                .send()
                .await
                .map_err(|e| ApiError::network(fetch_problem(e)))?;
            if !resp.ok() {
                return Err(ApiError::unreadable(resp.status(), "the errors could not be downloaded".into()));
            }
            resp.text().await.map_err(|e| ApiError::network(fetch_problem(e)))
        })
    }

    /// A page of leads (`kind = Lead`) or customers (`kind = Customer`); `filter` is `&name=value` list parameters
    /// (a `per_page` in it replaces the default).
    pub fn records(
        &self,
        kind: Kind,
        filter: &str,
        cursor: Option<&str>,
    ) -> Task<'static, Result<LeadListPage, ApiError>> {
        let mut q = list_query(filter);
        q.per_page.get_or_insert_with(|| PER_PAGE.to_string());
        q.cursor = cursor.map(str::to_owned);
        match kind {
            Kind::Lead => self.call::<ops::ListLeads>(&(), &q, &()),
            Kind::Customer => self.call::<ops::ListCustomers>(&(), &q, &()),
        }
    }

    pub fn office_locations(&self) -> Task<'_, Result<Vec<OfficeLocation>, ApiError>> {
        items(self.get::<ops::ListOfficeLocations>())
    }

    /// Partner companies as lead sources (name and campaigns).
    pub fn partners(&self) -> Task<'_, Result<Vec<Partner>, ApiError>> {
        then(self.get::<ops::ListPartners>(), |p| p.map(|p| p.items.iter().map(PartnerView::as_source).collect()))
    }

    /// Partner companies with every setting (Admin › Partner Companies).
    pub fn partner_views(&self) -> Task<'_, Result<Vec<PartnerView>, ApiError>> {
        items(self.get::<ops::ListPartners>())
    }

    pub fn partner(&self, id: u32) -> impl Future<Output = Result<PartnerView, ApiError>> + '_ {
        self.call::<ops::GetPartner>(&FieldPath { id }, &NoQuery {}, &())
    }

    pub fn create_partner(
        &self,
        body: &Map<String, Value>,
    ) -> impl Future<Output = Result<PartnerView, ApiError>> + '_ {
        self.call::<ops::CreatePartner>(&(), &NoQuery {}, body)
    }

    /// `PATCH` with the form's fields and the partner's `version`.
    pub fn update_partner(
        &self,
        id: u32,
        body: &Map<String, Value>,
    ) -> impl Future<Output = Result<PartnerView, ApiError>> + '_ {
        self.call::<ops::UpdatePartner>(&FieldPath { id }, &NoQuery {}, body)
    }

    pub fn delete_partner(&self, id: u32, version: u64) -> impl Future<Output = Result<(), ApiError>> + '_ {
        self.call::<ops::DeletePartner>(&FieldPath { id }, &VersionQuery { version }, &())
    }

    pub fn campaigns(&self, partner: u32) -> Task<'_, Result<Vec<CampaignView>, ApiError>> {
        items(self.call::<ops::ListCampaigns>(&FieldPath { id: partner }, &NoQuery {}, &()))
    }

    pub fn create_campaign(
        &self,
        partner: u32,
        body: &Map<String, Value>,
    ) -> impl Future<Output = Result<CampaignView, ApiError>> + '_ {
        self.call::<ops::CreateCampaign>(&FieldPath { id: partner }, &NoQuery {}, body)
    }

    pub fn update_campaign(
        &self,
        id: u32,
        body: &Map<String, Value>,
    ) -> impl Future<Output = Result<CampaignView, ApiError>> + '_ {
        self.call::<ops::UpdateCampaign>(&FieldPath { id }, &NoQuery {}, body)
    }

    pub fn delete_campaign(&self, id: u32, version: u64) -> impl Future<Output = Result<(), ApiError>> + '_ {
        self.call::<ops::DeleteCampaign>(&FieldPath { id }, &VersionQuery { version }, &())
    }

    pub fn message_templates(&self) -> Task<'_, Result<Vec<MessageTemplate>, ApiError>> {
        items(self.get::<ops::ListMessageTemplates>())
    }

    pub fn create_message_template(
        &self,
        body: &Map<String, Value>,
    ) -> impl Future<Output = Result<MessageTemplate, ApiError>> + '_ {
        self.call::<ops::CreateMessageTemplate>(&(), &NoQuery {}, body)
    }

    pub fn update_message_template(
        &self,
        id: u32,
        body: &Map<String, Value>,
    ) -> Task<'_, Result<MessageTemplate, ApiError>> {
        self.call::<ops::UpdateMessageTemplate>(&FieldPath { id }, &NoQuery {}, body)
    }

    pub fn delete_message_template(&self, id: u32, version: u64) -> impl Future<Output = Result<(), ApiError>> + '_ {
        self.call::<ops::DeleteMessageTemplate>(&FieldPath { id }, &VersionQuery { version }, &())
    }

    pub fn lead_form_options(&self) -> impl Future<Output = Result<LeadFormOptions, ApiError>> + '_ {
        self.get::<ops::LeadFormOptionsOp>()
    }

    /// A page of the Leads list; `query` is the list's query string without `?` (see `lead_filter`).
    pub fn leads(&self, query: &str, cursor: Option<&str>) -> Task<'_, Result<LeadListPage, ApiError>> {
        let mut q = list_query(query);
        q.cursor = cursor.map(str::to_owned);
        self.call::<ops::ListLeads>(&(), &q, &())
    }

    pub fn lead_preview(&self, id: RecordId) -> impl Future<Output = Result<LeadPreview, ApiError>> + '_ {
        self.call::<ops::PreviewLead>(&RecordPath { id }, &NoQuery {}, &())
    }

    /// `POST /api/v1/leads` with the New Lead form; `allow_duplicates` after the user chose "create anyway".
    pub fn create_lead(
        &self,
        form: &Map<String, Value>,
        allow_duplicates: bool,
    ) -> Task<'_, Result<LeadView, ApiError>> {
        let q = CreateLeadQuery { allow_duplicates: allow_duplicates.then_some(true) };
        self.call::<ops::CreateLead>(&(), &q, form)
    }

    pub fn move_lead_stage(&self, id: RecordId, to: Stage, version: u64) -> Task<'_, Result<LeadView, ApiError>> {
        let body = StageMove { to: to.as_str().to_owned(), version: Some(version) };
        self.call::<ops::MoveLeadStage>(&RecordPath { id }, &NoQuery {}, &body)
    }

    pub fn tags(&self) -> Task<'_, Result<Vec<Tag>, ApiError>> {
        items(self.get::<ops::ListTags>())
    }

    pub fn create_tag(&self, name: &str) -> Task<'_, Result<Tag, ApiError>> {
        let body = vigil_api::leads::NewTag { name: name.to_owned() };
        self.call::<ops::CreateTag>(&(), &NoQuery {}, &body)
    }

    pub fn set_lead_tags(
        &self,
        id: RecordId,
        tag_ids: &[u32],
        version: u64,
    ) -> impl Future<Output = Result<LeadView, ApiError>> + '_ {
        self.call::<ops::SetLeadTags>(&RecordPath { id }, &NoQuery {}, &tags_body(tag_ids, version))
    }

    pub fn outbox(&self, cursor: Option<&str>) -> Task<'_, Result<OutboxPage, ApiError>> {
        let q = CursorQuery { cursor: cursor.map(str::to_owned) };
        self.call::<ops::ListOutbox>(&(), &q, &())
    }

    pub fn customer_home(&self, id: RecordId) -> impl Future<Output = Result<CustomerHome, ApiError>> + '_ {
        self.call::<ops::GetCustomer>(&RecordPath { id }, &NoQuery {}, &())
    }

    pub fn customer_form_options(&self) -> impl Future<Output = Result<CustomerFormOptions, ApiError>> + '_ {
        self.get::<ops::CustomerFormOptionsOp>()
    }

    /// `POST /api/v1/customers` (New Customer); a 409 lists possible duplicates unless `allow_duplicates`.
    pub fn create_customer(
        &self,
        form: &Map<String, Value>,
        allow_duplicates: bool,
    ) -> Task<'_, Result<CustomerHome, ApiError>> {
        let q = CreateLeadQuery { allow_duplicates: allow_duplicates.then_some(true) };
        self.call::<ops::CreateCustomer>(&(), &q, form)
    }

    // Credit checks, monitoring companies and ADT PreCheck.

    pub fn credit_settings(
        &self,
    ) -> impl Future<Output = Result<vigil_api::credit::CreditSettingsView, ApiError>> + '_ {
        self.get::<ops::GetCreditSettings>()
    }

    /// `POST /api/v1/customers/{id}/credit-checks` with the click's `Idempotency-Key`, so a click sent twice (a
    /// retry, a double click) is one pull.
    pub fn run_credit<'a>(
        &'a self,
        id: RecordId,
        body: &'a vigil_api::credit::RunCredit,
        click: &'a str,
    ) -> Task<'a, Result<vigil_api::credit::CreditCheck, ApiError>> {
        Box::pin(async move {
            let url = ops::RunCreditCheck::path(&RecordPath { id });
            let req = Request::post(&url)
                .header("Authorization", &format!("Bearer {}", self.token))
                .header("Idempotency-Key", click);
            let req = with_json(req, &body.to_json())?;
            let (status, answer) = finish(req.send().await).await?;
            decode(status, answer)
        })
    }

    pub fn credit_checks(&self, id: RecordId) -> Task<'_, Result<Vec<vigil_api::credit::CreditCheck>, ApiError>> {
        items(self.call::<ops::ListCreditChecks>(&RecordPath { id }, &NoQuery {}, &()))
    }

    pub fn apply_credit(&self, check: u64, version: u64) -> Task<'_, Result<CustomerHome, ApiError>> {
        let path = vigil_api::credit::CreditCheckPath { id: check };
        self.call::<ops::ApplyCreditCheck>(
            &path,
            &NoQuery {},
            &vigil_api::credit::ApplyCredit { version: Some(version) },
        )
    }

    pub fn put_credit_settings(
        &self,
        body: &vigil_api::credit::CreditSettings,
    ) -> Task<'_, Result<vigil_api::credit::CreditSettingsView, ApiError>> {
        self.call::<ops::PutCreditSettings>(&(), &NoQuery {}, body)
    }

    /// A score entered by hand, applied to the customer at once.
    pub fn enter_credit_score(
        &self,
        id: RecordId,
        score: u32,
        transaction_id: Option<String>,
        version: u64,
    ) -> Task<'_, Result<CustomerHome, ApiError>> {
        let body = vigil_api::credit::ManualCredit { score: Some(score), transaction_id, version: Some(version) };
        self.call::<ops::EnterCreditScore>(&RecordPath { id }, &NoQuery {}, &body)
    }

    pub fn monitoring_companies(&self) -> Task<'_, Result<Vec<vigil_api::monitoring::MonitoringCompany>, ApiError>> {
        items(self.get::<ops::ListMonitoringCompanies>())
    }

    pub fn create_monitoring_company(
        &self,
        form: &vigil_api::monitoring::MonitoringCompanyForm,
    ) -> Task<'_, Result<vigil_api::monitoring::MonitoringCompany, ApiError>> {
        self.call::<ops::CreateMonitoringCompany>(&(), &NoQuery {}, form)
    }

    pub fn update_monitoring_company(
        &self,
        id: u32,
        form: &vigil_api::monitoring::MonitoringCompanyForm,
    ) -> Task<'_, Result<vigil_api::monitoring::MonitoringCompany, ApiError>> {
        let path = vigil_api::monitoring::MonitoringCompanyPath { id };
        self.call::<ops::UpdateMonitoringCompany>(&path, &NoQuery {}, form)
    }

    pub fn adt_precheck(
        &self,
        id: RecordId,
    ) -> impl Future<Output = Result<vigil_api::monitoring::PrecheckView, ApiError>> + '_ {
        self.call::<ops::GetAdtPrecheck>(&RecordPath { id }, &NoQuery {}, &())
    }

    pub fn refresh_adt_precheck(
        &self,
        id: RecordId,
    ) -> Task<'_, Result<vigil_api::monitoring::PrecheckView, ApiError>> {
        let body = vigil_api::monitoring::RefreshPrecheck {};
        self.call::<ops::RefreshAdtPrecheck>(&RecordPath { id }, &NoQuery {}, &body)
    }

    /// `PATCH /api/v1/customers/{id}` with the changed fields and `version`.
    pub fn save_customer(
        &self,
        id: RecordId,
        fields: &Map<String, Value>,
    ) -> impl Future<Output = Result<CustomerHome, ApiError>> + '_ {
        self.call::<ops::UpdateCustomer>(&RecordPath { id }, &NoQuery {}, fields)
    }

    /// `PUT /api/v1/customers/{id}/tags`: the Home page's tag widget.
    pub fn set_customer_tags(
        &self,
        id: RecordId,
        tag_ids: &[u32],
        version: u64,
    ) -> Task<'_, Result<CustomerHome, ApiError>> {
        self.call::<ops::SetCustomerTags>(&RecordPath { id }, &NoQuery {}, &tags_body(tag_ids, version))
    }

    pub fn convert_lead(
        &self,
        id: RecordId,
        office_location_id: u32,
        sold_by_id: &str,
        version: u64,
    ) -> Task<'_, Result<CustomerHome, ApiError>> {
        let body = Convert {
            office_location_id: Some(office_location_id.to_json()),
            sold_by_id: Some(sold_by_id.to_owned()),
            version: Some(version),
            opportunity: None,
            ..Convert::default()
        };
        self.call::<ops::ConvertLead>(&RecordPath { id }, &NoQuery {}, &body)
    }

    pub fn archive_preview(&self, id: RecordId) -> impl Future<Output = Result<ArchivePreview, ApiError>> + '_ {
        self.call::<ops::CustomerArchivePreview>(&RecordPath { id }, &NoQuery {}, &())
    }

    pub fn archive_customer(&self, id: RecordId) -> Task<'_, Result<CustomerHome, ApiError>> {
        let body = Confirm { confirm: true, include_children: false };
        self.call::<ops::ArchiveCustomer>(&RecordPath { id }, &NoQuery {}, &body)
    }

    pub fn unarchive_customer(&self, id: RecordId, include_children: bool) -> Task<'_, Result<CustomerHome, ApiError>> {
        let body = Confirm { confirm: true, include_children };
        self.call::<ops::UnarchiveCustomer>(&RecordPath { id }, &NoQuery {}, &body)
    }

    pub fn parent_candidates(
        &self,
        q: &str,
        exclude: RecordId,
    ) -> Task<'static, Result<Vec<ParentCandidate>, ApiError>> {
        let query = CandidatesQuery { q: q.to_owned(), exclude: Some(exclude) };
        items(self.call::<ops::CustomerParentCandidates>(&(), &query, &()))
    }

    pub fn delete_customer(&self, id: RecordId) -> impl Future<Output = Result<(), ApiError>> + '_ {
        self.call::<ops::DeleteCustomer>(&RecordPath { id }, &NoQuery {}, &())
    }

    pub fn duplicate_customer(&self, id: RecordId) -> impl Future<Output = Result<CustomerHome, ApiError>> + '_ {
        self.call::<ops::DuplicateCustomer>(&RecordPath { id }, &NoQuery {}, &())
    }

    /// The sub-records of one collection, named by its path segment (`notes`, `recurring-invoices`, …).
    pub fn customer_items<'a>(&'a self, id: RecordId, segment: &'a str) -> Task<'a, Result<Vec<SubRecord>, ApiError>> {
        Box::pin(async move {
            let path = ItemsPath { id, collection: collection_of(segment)? };
            self.call::<ops::ListCustomerItems>(&path, &NoQuery {}, &()).await.map(|p| p.items)
        })
    }

    pub fn create_customer_item<'a>(
        &'a self,
        id: RecordId,
        segment: &'a str,
        body: &'a Map<String, Value>,
    ) -> Task<'a, Result<SubRecord, ApiError>> {
        Box::pin(async move {
            let path = ItemsPath { id, collection: collection_of(segment)? };
            self.call::<ops::CreateCustomerItem>(&path, &NoQuery {}, body).await
        })
    }

    /// `PATCH /api/v1/customers/{id}/<collection>/{item_id}`: the fields changed, `status`, and the `version` read.
    pub fn update_customer_item<'a>(
        &'a self,
        id: RecordId,
        segment: &'a str,
        item_id: u64,
        body: &'a Map<String, Value>,
    ) -> Task<'a, Result<SubRecord, ApiError>> {
        Box::pin(async move {
            let path = ItemPath { id, collection: collection_of(segment)?, item_id };
            self.call::<ops::UpdateCustomerItem>(&path, &NoQuery {}, body).await
        })
    }

    pub fn lead(&self, id: RecordId) -> impl Future<Output = Result<LeadView, ApiError>> + '_ {
        self.call::<ops::GetLead>(&RecordPath { id }, &NoQuery {}, &())
    }

    /// `PATCH /api/v1/leads/{id}`: `fields` carries the changed fields and the `version` they were read at.
    pub fn patch_lead(
        &self,
        id: RecordId,
        fields: &Map<String, Value>,
    ) -> impl Future<Output = Result<LeadView, ApiError>> + '_ {
        self.call::<ops::UpdateLead>(&RecordPath { id }, &NoQuery {}, fields)
    }

    /// `DELETE /api/v1/leads/{id}` (204, no body).
    pub fn delete_lead(&self, id: RecordId) -> impl Future<Output = Result<(), ApiError>> + '_ {
        self.call::<ops::DeleteLead>(&RecordPath { id }, &NoQuery {}, &())
    }

    /// The lead's history, oldest first (the newest 100 entries).
    pub fn lead_history(&self, id: RecordId) -> Task<'static, Result<Vec<HistoryEntry>, ApiError>> {
        items(self.call::<ops::LeadHistory>(&RecordPath { id }, &NoQuery {}, &()))
    }

    /// The users leads can be assigned to (the customer form options' `lead_reps`).
    pub fn lead_reps(&self) -> Task<'_, Result<Vec<UserOption>, ApiError>> {
        then(self.get::<ops::CustomerFormOptionsOp>(), |o| o.map(|o| o.lead_reps))
    }

    pub fn lead_scoring(&self) -> impl Future<Output = Result<vigil_domain::lead::ScoringWeights, ApiError>> + '_ {
        self.get::<ops::GetLeadScoring>()
    }

    pub fn set_lead_scoring(
        &self,
        w: &vigil_domain::lead::ScoringWeights,
    ) -> Task<'_, Result<vigil_domain::lead::ScoringWeights, ApiError>> {
        self.call::<ops::PutLeadScoring>(&(), &NoQuery {}, w)
    }

    pub fn custom_fields(&self) -> Task<'_, Result<Vec<CustomField>, ApiError>> {
        items(self.get::<ops::ListCustomFields>())
    }

    /// `POST` with `{name, field_type, required, options}`.
    pub fn create_custom_field(
        &self,
        body: &Map<String, Value>,
    ) -> impl Future<Output = Result<CustomField, ApiError>> + '_ {
        self.call::<ops::CreateCustomField>(&(), &NoQuery {}, body)
    }

    /// `PATCH` with the changed attributes and the definition's `version`.
    pub fn update_custom_field(
        &self,
        id: u32,
        body: &Map<String, Value>,
    ) -> impl Future<Output = Result<CustomField, ApiError>> + '_ {
        self.call::<ops::UpdateCustomField>(&FieldPath { id }, &NoQuery {}, body)
    }

    pub fn delete_custom_field(&self, id: u32, version: u64) -> impl Future<Output = Result<(), ApiError>> + '_ {
        self.call::<ops::DeleteCustomField>(&FieldPath { id }, &VersionQuery { version }, &())
    }

    /// The picker's rates for `customer` narrowed by `filter` (a `vigil_domain::mmr::RateFilter` query string).
    pub fn mmr_rates(&self, customer: RecordId, filter: &str) -> Task<'_, Result<MmrRateList, ApiError>> {
        let mut q = RatesQuery { customer_id: Some(customer), ..Default::default() };
        for (k, v) in crate::router::query_pairs(filter) {
            match k.as_str() {
                "total" => q.total = Some(v),
                "items" => q.items = Some(v),
                _ => {}
            }
        }
        self.call::<ops::ListMmrRates>(&(), &q, &())
    }

    pub fn mmr_settings(&self) -> impl Future<Output = Result<MmrSettings, ApiError>> + '_ {
        self.get::<ops::GetMmrSettings>()
    }

    /// `PUT /api/v1/settings/mmr`: the whole configuration with the `version` it was read at.
    pub fn put_mmr_settings(&self, s: &MmrSettings) -> impl Future<Output = Result<MmrSettings, ApiError>> + '_ {
        self.call::<ops::PutMmrSettings>(&(), &NoQuery {}, &s.to_json())
    }
}

fn collection_of(segment: &str) -> Result<Collection, ApiError> {
    Collection::from_segment(segment).ok_or_else(|| ApiError::network(format!("no collection named {segment}")))
}

fn tags_body(tag_ids: &[u32], version: u64) -> SetTags {
    SetTags { tag_ids: tag_ids.iter().map(ToJson::to_json).collect(), version: Some(version) }
}

/// A list query string as the contract's query type (names it does not know are dropped; the server ignores them).
fn list_query(query: &str) -> ListQuery {
    let mut map = Map::new();
    for (k, v) in crate::router::query_pairs(query) {
        if ListQuery::PARAMS.contains(&k.as_str()) {
            map.insert(k, Value::String(v));
        }
    }
    vigil_json::from_value(Value::Object(map)).unwrap_or_default()
}

/// A request with `body` as its JSON, written by [`vigil_json::to_text`]: gloo's own `json` writes through serde's
/// serializer, a second JSON writer in the wasm.
pub fn with_json(req: gloo_net::http::RequestBuilder, body: &Value) -> Result<Request, ApiError> {
    req.header("Content-Type", "application/json")
        .body(vigil_json::to_text(body))
        .map_err(|e| ApiError::network(fetch_problem(e)))
}

/// A successful answer as JSON (`null` for a 204), or the error it describes. Parsing into a `Value` first, and
/// from there into the caller's type (`decode`), keeps one JSON parser in the portal: the typed deserialisers only
/// walk a parsed tree, which is much less code per response type than parsing text for each.
async fn finish(sent: Result<Response, gloo_net::Error>) -> Result<(u16, Value), ApiError> {
    let resp = sent.map_err(|e| ApiError::network(fetch_problem(e)))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| ApiError::network(fetch_problem(e)))?;
    if resp.ok() {
        if text.is_empty() {
            return Ok((status, Value::Null));
        }
        return vigil_json::parse(&text).map(|v| (status, v)).map_err(|e| ApiError::unreadable(status, e.to_string()));
    }
    let problem = vigil_json::parse(&text).ok().and_then(|v| vigil_json::from_value::<Problem>(v).ok());
    Err(match problem {
        Some(p) => ApiError {
            status,
            title: p.title.unwrap_or_else(|| fallback_title(status)),
            detail: p.detail,
            errors: p.errors,
            current: p.current,
        },
        None => ApiError { status, title: fallback_title(status), detail: None, errors: vec![], current: None },
    })
}

fn decode<T: FromJson>(status: u16, answer: Value) -> Result<T, ApiError> {
    vigil_json::from_value(answer).map_err(|e| ApiError::unreadable(status, e.to_string()))
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

impl Client {
    /// A lead or a customer as a plain record (the customer's as its Home read shows it: masked, without the cards
    /// the caller may not view).
    pub fn record(&self, kind: Kind, id: RecordId) -> Task<'_, Result<vigil_domain::record::Record, ApiError>> {
        Box::pin(async move {
            match kind {
                Kind::Lead => self.lead(id).await.map(|v| v.record),
                Kind::Customer => {
                    let home = self.customer_home(id).await?;
                    let mut record = home.record;
                    record.insert("id".into(), home.id.to_json());
                    record.insert("kind".into(), home.kind.to_json());
                    record.insert("version".into(), home.version.to_json());
                    record.insert("archived".into(), home.archived.to_json());
                    // Read as a lead's view is: the same deserialiser as `lead`, so the wasm has one copy of the
                    // record's (large) one rather than two.
                    decode::<LeadView>(200, Value::Object(record)).map(|v| v.record)
                }
            }
        })
    }
}
