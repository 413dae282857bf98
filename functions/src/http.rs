//! HTTP handlers: one function per route (named as in `routes.rs`), all funnelled through [`handle`] so every
//! request gets the same authentication, logging and error mapping.

use crate::problem::{from_app_error, Problem, NO_STORE};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use std::time::Instant;
use tracing::{error, info, info_span, warn, Instrument};
use vigil_api::common::Health;
use vigil_api::{ops, Function, Items, Operation};
use vigil_app::{auth, directory, lead_list, outbox, Actor, AppError, Services};
use vigil_domain::record::Kind;
use vigil_domain::{Claims, CompanyId, PartnerId, RecordId, UserId};

mod accounting;
mod copilot;
mod creation_workflows;
mod credit;
mod custom_fields;
mod customers;
mod imports;
mod intake;
mod lead_queue;
mod leads;
mod maintenance;
mod mmr;
mod monitoring;
mod orders;
mod partners;
mod selling;
mod workflows;

/// The largest request body any operation takes (the biggest real ones, a customer with every card filled in, are a
/// few KiB); anything larger is refused with 413 before a handler parses it.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// The version reported by health checks.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Serves one API Gateway request with the handler named `function` (a binary's name). Never fails: every error is a
/// response; a name the contract does not know is a 404.
pub async fn handle(svc: &Services, function: &str, req: Request) -> Response<Body> {
    match Function::from_name(function) {
        Some(f) => serve(svc, f, req).await,
        None => no_route(req.method().as_str(), req.uri().path()),
    }
}

/// Serves one API Gateway request with `function`'s handler. Never fails: every error is a response.
pub async fn serve(svc: &Services, function: Function, req: Request) -> Response<Body> {
    let started = Instant::now();
    let request_id = request_id(&req);
    let claims = claims_of(&req);
    let company = claims.as_ref().map(|c| c.company.to_string()).unwrap_or_default();
    let user = claims.as_ref().map(|c| c.sub.to_string()).unwrap_or_default();
    // Every line a use case logs while serving this request carries the span's fields.
    let span = info_span!("request", request_id, company, user, operation = function.name());
    let result = if body_len(&req) > MAX_BODY_BYTES {
        Err(too_large())
    } else {
        dispatch(svc, function, &req, claims.as_ref()).instrument(span.clone()).await
    };
    let _entered = span.enter();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(mut resp) => {
            info!(status = resp.status().as_u16(), latency_ms, "request");
            resp.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static(NO_STORE));
            resp
        }
        Err(e) => {
            let problem = from_app_error(&e);
            if problem.status >= 500 {
                error!(status = problem.status, latency_ms, error = %e, "request failed");
            } else {
                warn!(status = problem.status, latency_ms, reason = %e, "request refused");
            }
            problem.into_response()
        }
    }
}

fn request_id(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.request_id.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The JWT authorizer's claims, as API Gateway (or the local runtime playing it) passes them on.
pub fn claims_of(req: &Request) -> Option<Claims> {
    let Some(RequestContext::ApiGatewayV2(ctx)) = req.request_context_ref() else { return None };
    let claims = &ctx.authorizer.as_ref()?.jwt.as_ref()?.claims;
    Some(Claims {
        sub: UserId::parse(claims.get("sub")?).ok()?,
        company: CompanyId::parse(claims.get("custom:company")?).ok()?,
        email: claims.get("email").cloned().unwrap_or_default(),
        exp: claims.get("exp")?.parse().ok()?,
        iat: claims.get("iat").and_then(|v| v.parse().ok()).unwrap_or(0),
        // A partner ID that does not parse is refused, not read as "no partner" (staff).
        partner: match claims.get("custom:partner") {
            None => None,
            Some(p) => Some(PartnerId::parse(p).ok()?),
        },
    })
}

async fn dispatch(svc: &Services, function: Function, req: &Request, claims: Option<&Claims>) -> Reply {
    use Function as F;
    if function == F::Health {
        return health();
    }
    // The public routes take an intake key, never a session.
    if matches!(function, F::PublicIntake | F::PublicReceipt | F::PublicPreflight) {
        return intake::public(svc, function, req).await;
    }
    let actor = &auth::authenticate(svc, claims.ok_or(AppError::Unauthenticated)?).await?;
    actor.admit(function)?;
    // Exhaustive on purpose: a function added to the contract without a handler here does not compile.
    match function {
        F::Health => health(),
        F::Me => reply::<ops::GetMe>(directory::me(svc, actor).await?),
        F::ListOfficeLocations => {
            reply::<ops::ListOfficeLocations>(Items { items: directory::office_locations(svc, actor).await? })
        }
        F::ListPartners => reply::<ops::ListPartners>(Items { items: vigil_app::partners::list(svc, actor).await? }),
        F::ListLeads => reply::<ops::ListLeads>(list_records(svc, actor, Kind::Lead, req).await?),
        F::ListCustomers => reply::<ops::ListCustomers>(list_records(svc, actor, Kind::Customer, req).await?),
        F::GetLead => leads::get(svc, actor, req).await,
        F::LeadFormOptions => leads::form_options(svc, actor).await,
        F::CreateLead => leads::create(svc, actor, req).await,
        F::UpdateLead => leads::update(svc, actor, req).await,
        F::DeleteLead => leads::delete(svc, actor, req).await,
        F::MoveLeadStage => leads::move_stage(svc, actor, req).await,
        F::SetLeadTags => leads::set_tags(svc, actor, req).await,
        F::PreviewLead => leads::preview(svc, actor, req).await,
        F::LeadHistory => leads::history(svc, actor, req).await,
        F::ListTags => leads::list_tags(svc, actor).await,
        F::CreateTag => leads::create_tag(svc, actor, req).await,
        F::GetLeadScoring => leads::get_scoring(svc, actor).await,
        F::PutLeadScoring => leads::put_scoring(svc, actor, req).await,
        F::GetCustomer => customers::get(svc, actor, req).await,
        F::CustomerFormOptions => customers::form_options(svc, actor).await,
        F::CustomerParentCandidates => customers::parent_candidates(svc, actor, req).await,
        F::CreateCustomer => customers::create(svc, actor, req).await,
        F::UpdateCustomer => customers::update(svc, actor, req).await,
        F::DeleteCustomer => customers::delete(svc, actor, req).await,
        F::DuplicateCustomer => customers::duplicate(svc, actor, req).await,
        F::CustomerHistory => customers::history(svc, actor, req).await,
        F::ConvertLead => customers::convert_lead(svc, actor, req).await,
        F::CustomerArchivePreview => customers::archive_preview(svc, actor, req).await,
        F::ArchiveCustomer => customers::archive(svc, actor, req).await,
        F::UnarchiveCustomer => customers::unarchive(svc, actor, req).await,
        F::ListCustomerItems => customers::list_items(svc, actor, req).await,
        F::CreateCustomerItem => customers::create_item(svc, actor, req).await,
        F::UpdateCustomerItem => customers::update_item(svc, actor, req).await,
        F::SetCustomerTags => customers::set_tags(svc, actor, req).await,
        F::ListCustomFields => custom_fields::list(svc, actor).await,
        F::CreateCustomField => custom_fields::create(svc, actor, req).await,
        F::UpdateCustomField => custom_fields::update(svc, actor, req).await,
        F::DeleteCustomField => custom_fields::delete(svc, actor, req).await,
        F::GetMmrSettings => mmr::get_settings(svc, actor).await,
        F::PutMmrSettings => mmr::put_settings(svc, actor, req).await,
        F::ListMmrRates => mmr::list_rates(svc, actor, req).await,
        F::ListOutbox => {
            reply::<ops::ListOutbox>(outbox::list(svc, actor, req.query_string_parameters().first("cursor")).await?)
        }
        F::CreatePartner => partners::create(svc, actor, req).await,
        F::GetPartner => partners::get(svc, actor, req).await,
        F::UpdatePartner => partners::update(svc, actor, req).await,
        F::DeletePartner => partners::delete(svc, actor, req).await,
        F::PartnerHistory => partners::history(svc, actor, req).await,
        F::PartnerReturns => partners::returns(svc, actor, req).await,
        F::ListCampaigns => partners::list_campaigns(svc, actor, req).await,
        F::CreateCampaign => partners::create_campaign(svc, actor, req).await,
        F::UpdateCampaign => partners::update_campaign(svc, actor, req).await,
        F::DeleteCampaign => partners::delete_campaign(svc, actor, req).await,
        F::ListMessageTemplates => partners::list_templates(svc, actor).await,
        F::CreateMessageTemplate => partners::create_template(svc, actor, req).await,
        F::GetMessageTemplate => partners::get_template(svc, actor, req).await,
        F::UpdateMessageTemplate => partners::update_template(svc, actor, req).await,
        F::DeleteMessageTemplate => partners::delete_template(svc, actor, req).await,
        F::PreviewMessageTemplate => partners::preview_template(svc, actor, req).await,
        F::ListCustomerWorkflows => workflows::list(svc, actor).await,
        F::CreateCustomerWorkflow => workflows::create(svc, actor, req).await,
        F::GetCustomerWorkflow => workflows::get(svc, actor, req).await,
        F::UpdateCustomerWorkflow => workflows::update(svc, actor, req).await,
        F::ListEnrollments => workflows::list_enrollments(svc, actor, req).await,
        F::StartEnrollment => workflows::start(svc, actor, req).await,
        F::GetEnrollment => workflows::get_enrollment(svc, actor, req).await,
        F::CompleteEnrollmentStep => workflows::complete(svc, actor, req).await,
        F::LeadCopilot => copilot::ask(svc, actor, req).await,
        F::ListOpportunities => copilot::list_opportunities(svc, actor, req).await,
        F::UpdateOpportunity => copilot::update_opportunity(svc, actor, req).await,
        F::SellLeads => selling::sell_leads(svc, actor, req).await,
        F::SellCustomer => selling::sell_customer(svc, actor, req).await,
        F::ListSalesToPartners => selling::list(svc, actor, req).await,
        F::GetCatalog => orders::get_catalog(svc, actor).await,
        F::CreateCatalogEntry => orders::create_catalog_entry(svc, actor, req).await,
        F::UpdateCatalogEntry => orders::update_catalog_entry(svc, actor, req).await,
        F::ListOrderTemplates => orders::list_order_templates(svc, actor).await,
        F::ApplyOrderTemplate => orders::apply_order_template(svc, actor, req).await,
        F::GetAccounting => accounting::get(svc, actor, req).await,
        F::CreateInvoice => accounting::create_invoice(svc, actor, req).await,
        F::QuoteToInvoice => accounting::quote_to_invoice(svc, actor, req).await,
        F::CreateBillingMethod => accounting::create_billing_method(svc, actor, req).await,
        F::CreatePayment => accounting::create_payment(svc, actor, req).await,
        F::ListWorkOrders => orders::list_work_orders(svc, actor, req).await,
        F::CreateWorkOrder => orders::create_work_order(svc, actor, req).await,
        F::UpdateWorkOrder => orders::update_work_order(svc, actor, req).await,
        F::GetCreditSettings => credit::get_settings(svc, actor).await,
        F::PutCreditSettings => credit::put_settings(svc, actor, req).await,
        F::RunCreditCheck => credit::run(svc, actor, req).await,
        F::ListCreditChecks => credit::list(svc, actor, req).await,
        F::ApplyCreditCheck => credit::apply(svc, actor, req).await,
        F::EnterCreditScore => credit::enter_manual(svc, actor, req).await,
        F::ListMonitoringCompanies => monitoring::list(svc, actor).await,
        F::CreateMonitoringCompany => monitoring::create(svc, actor, req).await,
        F::GetMonitoringCompany => monitoring::get(svc, actor, req).await,
        F::UpdateMonitoringCompany => monitoring::update(svc, actor, req).await,
        F::GetAdtPrecheck => monitoring::get_precheck(svc, actor, req).await,
        F::RefreshAdtPrecheck => monitoring::refresh_precheck(svc, actor, req).await,
        F::ListIntakeKeys => intake::list(svc, actor).await,
        F::CreateIntakeKey => intake::create(svc, actor, req).await,
        F::DeleteIntakeKey => intake::delete(svc, actor, req).await,
        F::GetLeadIntakeSettings => intake::get_settings(svc, actor).await,
        F::PutLeadIntakeSettings => intake::put_settings(svc, actor, req).await,
        F::PublicIntake | F::PublicReceipt | F::PublicPreflight => intake::public(svc, function, req).await,
        F::GetLeadQueueSettings => lead_queue::get_settings(svc, actor).await,
        F::PutLeadQueueSettings => lead_queue::put_settings(svc, actor, req).await,
        F::RequestLead => lead_queue::request(svc, actor).await,
        F::MoveLeadLocation => lead_queue::move_location(svc, actor, req).await,
        F::ReturnLeads => lead_queue::return_leads(svc, actor, req).await,
        F::LeadQueueSummary => reply::<ops::LeadQueueSummary>(vigil_app::lead_queue::summary(svc, actor).await?),
        F::CreateImport => imports::create(svc, actor, req).await,
        F::GetImport => imports::get(svc, actor, req).await,
        F::AnalyzeImport => imports::analyze(svc, actor, req).await,
        F::DryRunImport => imports::dry_run(svc, actor, req).await,
        F::RunImport => imports::run(svc, actor, req).await,
        F::CancelImport => imports::cancel(svc, actor, req).await,
        F::RevertImport => imports::revert(svc, actor, req).await,
        F::ImportErrorsCsv => imports::errors_csv(svc, actor, req).await,
        F::ReassignLeads => imports::reassign(svc, actor, req).await,
        F::ListCreationWorkflows => creation_workflows::list(svc, actor).await,
        F::CreateCreationWorkflow => creation_workflows::create(svc, actor, req).await,
        F::GetCreationWorkflow => creation_workflows::get(svc, actor, req).await,
        F::UpdateCreationWorkflow => creation_workflows::update(svc, actor, req).await,
        F::AvailableCreationWorkflows => creation_workflows::available(svc, actor).await,
        F::GetCustomerWizard => creation_workflows::get_wizard(svc, actor, req).await,
        F::AdvanceCustomerWizard => creation_workflows::advance(svc, actor, req).await,
        F::GetReindex => maintenance::get_reindex(svc, actor).await,
        F::StartReindex => maintenance::start_reindex(svc, actor).await,
    }
}

/// What a handler answers: a response, or the failure the edge maps to problem+json.
pub(crate) type Reply = Result<Response<Body>, AppError>;

fn health() -> Reply {
    reply::<ops::GetHealth>(Health { status: "ok".into(), version: VERSION.into() })
}

/// The success response of operation `O`: its status, and its response type, so a handler whose use case
/// returns anything else does not compile.
pub(crate) fn reply<O: Operation>(value: O::Response) -> Reply {
    if O::STATUS == 204 {
        return no_content();
    }
    #[cfg(feature = "json-check")]
    json_check::<O>(&value)?;
    json(O::STATUS, &value)
}

/// With the `json-check` feature (the tests turn it on), every answer is also written by `vigil_json`, the portal's
/// JSON layer, which must write the JSON serde writes, and read back by it, which must read what serde reads
/// (compared as serde writes the two readings: a type need not read back what it writes). Every API test then
/// checks that layer on real answers of every operation it calls. Only the operation is logged, not the values
/// (they hold personal data).
#[cfg(feature = "json-check")]
fn json_check<O: Operation>(value: &O::Response) -> Result<(), AppError> {
    use vigil_json::{FromJson, ToJson};
    let written = |v: &O::Response| serde_json::to_value(v).ok();
    let serde = written(value);
    let same_writing = serde.as_ref() == Some(&value.to_json());
    let (serde_read, ours_read) = match serde {
        Some(json) => (
            serde_json::from_value::<O::Response>(json.clone()).ok().and_then(|v| written(&v)),
            O::Response::from_json(json).ok().and_then(|v| written(&v)),
        ),
        None => (None, None),
    };
    if same_writing && serde_read.is_some() && serde_read == ours_read {
        return Ok(());
    }
    let side = if same_writing { "reads" } else { "writes" };
    tracing::error!(operation = %O::FUNCTION, side, "vigil_json and serde disagree on an answer");
    Err(AppError::Internal(format!("vigil_json {side} {} answers differently from serde", O::FUNCTION)))
}

/// The Leads list and the Customer List share one engine and one set of filters.
async fn list_records(
    svc: &Services,
    actor: &Actor,
    kind: Kind,
    req: &Request,
) -> Result<vigil_api::leads::LeadListPage, AppError> {
    let q = req.query_string_parameters();
    let params =
        lead_list::LeadFilter::PARAMS.iter().filter_map(|p| Some(((*p).to_owned(), q.first(p)?.to_owned()))).collect();
    let filter = lead_list::LeadFilter::parse_for(kind, &params)?;
    lead_list::list(svc, actor, &filter).await
}

pub(crate) fn no_content() -> Reply {
    Ok(Response::builder().status(204).body(Body::Empty).expect("static response"))
}

pub(crate) fn record_id(req: &Request) -> Result<RecordId, AppError> {
    let params = req.path_parameters();
    RecordId::parse(params.first("id").unwrap_or_default()).map_err(AppError::from_field)
}

fn bad_body(message: String) -> AppError {
    AppError::Invalid(vigil_domain::Invalid::one("body", "invalid_json", message))
}

pub(crate) fn body_bytes(req: &Request) -> &[u8] {
    match req.body() {
        Body::Text(s) => s.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    }
}

fn body_len(req: &Request) -> usize {
    body_bytes(req).len()
}

fn too_large() -> AppError {
    AppError::TooLarge { limit: MAX_BODY_BYTES }
}

/// The request body as a JSON object (422 naming `body` otherwise; never echoes the body).
pub(crate) fn object(req: &Request) -> Result<serde_json::Map<String, serde_json::Value>, AppError> {
    match serde_json::from_slice::<serde_json::Value>(body_bytes(req)) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad_body("the body must be a JSON object".into())),
        Err(e) => Err(bad_body(format!("the body is not JSON: {}", vigil_app::error::serde_problem(&e)))),
    }
}

/// The request body as `T` (422 naming the problem otherwise; never echoes the body).
pub(crate) fn parse<T: serde::de::DeserializeOwned>(req: &Request) -> Result<T, AppError> {
    serde_json::from_value(serde_json::Value::Object(object(req)?))
        .map_err(|e| bad_body(format!("the body does not fit this request: {}", vigil_app::error::serde_problem(&e))))
}

pub(crate) fn json<T: Serialize>(status: u16, value: &T) -> Result<Response<Body>, AppError> {
    let body = serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(body))
        .expect("static headers are valid"))
}

/// A response for requests no route matched (the local runtime uses it too, so both 404s look alike).
pub fn no_route(method: &str, path: &str) -> Response<Body> {
    Problem::new(404, "not-found", "Not found", format!("no route for {method} {path}")).into_response()
}

/// A response for a path that exists, asked with a method it does not answer to; `allow` lists those it does.
pub fn method_not_allowed(method: &str, path: &str, allow: &[&str]) -> Response<Body> {
    let mut p = Problem::new(
        405,
        "method-not-allowed",
        "Method not allowed",
        format!("{path} does not answer to {method}; it answers to {}", allow.join(", ")),
    );
    p.allow = Some(allow.join(", "));
    p.into_response()
}

/// A response for a body over [`MAX_BODY_BYTES`] (the local runtime refuses before reading it all).
pub fn body_too_large() -> Response<Body> {
    from_app_error(&too_large()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Services whose clients are never built: the requests below are answered before any store call.
    fn services() -> Services {
        crate::env::aws_services(&crate::env::AwsSettings {
            table: "unused".into(),
            queue_urls: Default::default(),
            endpoint: Some("http://127.0.0.1:9".into()),
            cursor_secret: vec![7; 32],
        })
    }

    fn event(method: &str, path: &str, body: Option<String>) -> Request {
        let mut event = serde_json::json!({
            "version": "2.0", "routeKey": format!("{method} {path}"), "rawPath": path, "rawQueryString": "",
            "headers": {}, "isBase64Encoded": false,
            "requestContext": {
                "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": ""},
                "requestId": "r", "routeKey": format!("{method} {path}"), "stage": "$default", "accountId": "0",
                "apiId": "a", "domainName": "d", "domainPrefix": "d", "time": "", "timeEpoch": 0
            },
        });
        if let Some(b) = body {
            event["body"] = b.into();
        }
        lambda_http::request::from_str(&event.to_string()).expect("an API Gateway v2 event")
    }

    fn cache_control(resp: &Response<Body>) -> Option<&str> {
        resp.headers().get("cache-control").and_then(|v| v.to_str().ok())
    }

    /// In Lambda nothing but the handler sets headers, so the handler must say no-store on every answer.
    #[tokio::test]
    async fn every_answer_is_no_store() {
        let svc = services();
        let ok = serve(&svc, Function::Health, event("GET", "/api/v1/health", None)).await;
        assert_eq!(ok.status(), 200);
        assert_eq!(cache_control(&ok), Some("no-store"));
        let refused = serve(&svc, Function::Me, event("GET", "/api/v1/me", None)).await;
        assert_eq!(refused.status(), 401);
        assert_eq!(cache_control(&refused), Some("no-store"));
        let unknown = handle(&svc, "no_such_function", event("GET", "/api/v1/x", None)).await;
        assert_eq!(unknown.status(), 404);
        assert_eq!(cache_control(&unknown), Some("no-store"));
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_413_before_anything_else() {
        let svc = services();
        let big = "x".repeat(MAX_BODY_BYTES + 1);
        let resp = serve(&svc, Function::CreateLead, event("POST", "/api/v1/leads", Some(big))).await;
        assert_eq!(resp.status(), 413);
        assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
        assert_eq!(cache_control(&resp), Some("no-store"));
    }

    #[test]
    fn busy_is_503_with_retry_after_and_other_store_failures_stay_500() {
        let busy = from_app_error(&AppError::Store(vigil_store::StoreError::Busy)).into_response();
        assert_eq!(busy.status(), 503);
        assert_eq!(busy.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("2"));
        let broken = from_app_error(&AppError::Store(vigil_store::StoreError::Backend("x".into()))).into_response();
        assert_eq!(broken.status(), 500);
        assert!(broken.headers().get("retry-after").is_none());
    }
}
