//! Handlers of public lead intake: the keys (admin, with a session) and the public routes, which take an intake key
//! instead of a session and answer CORS for the key's origins only.

use super::{body_bytes, json, no_content, object, parse, reply, Reply};
use crate::problem::{from_app_error, NO_STORE};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use vigil_api::intake::{IntakeAccepted, LeadIntakeSettings, NewIntakeKey};
use vigil_api::{ops, Function, Items};
use vigil_app::intake::{self, Credential, PublicPost};
use vigil_app::{Actor, AppError, Services};
use vigil_domain::FieldError;

pub async fn list(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::ListIntakeKeys>(Items { items: intake::list(svc, actor).await? })
}

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: NewIntakeKey = parse(req)?;
    reply::<ops::CreateIntakeKey>(intake::create(svc, actor, &body).await?)
}

pub async fn delete(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let id = req.path_parameters().first("id").and_then(|s| s.parse::<u32>().ok()).ok_or_else(|| {
        AppError::from_field(FieldError::new("id", "invalid", "must be an intake key ID (a positive whole number)"))
    })?;
    intake::revoke(svc, actor, id).await?;
    reply::<ops::DeleteIntakeKey>(())
}

pub async fn get_settings(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::GetLeadIntakeSettings>(intake::get_settings(svc, actor).await?)
}

pub async fn put_settings(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let body: LeadIntakeSettings = parse(req)?;
    reply::<ops::PutLeadIntakeSettings>(intake::put_settings(svc, actor, body).await?)
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn bearer(req: &Request) -> Credential {
    match header(req, "authorization").and_then(|h| h.strip_prefix("Bearer ")) {
        Some(k) => Credential::Bearer(k.trim().to_owned()),
        None => Credential::None,
    }
}

fn client_ip(req: &Request) -> String {
    match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.http.source_ip.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The CORS headers for an origin the key (or, for a preflight, some live key) allows; nothing for any other.
fn with_cors(mut resp: Response<Body>, origin: Option<&str>, preflight: bool) -> Response<Body> {
    let h = resp.headers_mut();
    // The answer differs by Origin, so no cache may hand one origin's answer to another.
    h.insert(http::header::VARY, http::HeaderValue::from_static("Origin"));
    h.insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static(NO_STORE));
    let Some(origin) = origin.and_then(|o| http::HeaderValue::from_str(o).ok()) else { return resp };
    h.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if preflight {
        h.insert(http::header::ACCESS_CONTROL_ALLOW_METHODS, http::HeaderValue::from_static("GET, POST, OPTIONS"));
        h.insert(
            http::header::ACCESS_CONTROL_ALLOW_HEADERS,
            http::HeaderValue::from_static("authorization, content-type, idempotency-key"),
        );
        h.insert(http::header::ACCESS_CONTROL_MAX_AGE, http::HeaderValue::from_static("600"));
    } else {
        h.insert(http::header::ACCESS_CONTROL_EXPOSE_HEADERS, http::HeaderValue::from_static("retry-after"));
    }
    resp
}

fn refused(e: &AppError, origin: Option<&str>) -> Response<Body> {
    let problem = from_app_error(e);
    if problem.status >= 500 {
        tracing::error!(status = problem.status, error = %e, "public request failed");
    } else {
        tracing::warn!(status = problem.status, reason = %e, "public request refused");
    }
    with_cors(problem.into_response(), origin, false)
}

/// The public routes. Every answer, a refusal too, is complete here (CORS included), so it is always `Ok`.
pub async fn public(svc: &Services, function: Function, req: &Request) -> Reply {
    match function {
        Function::PublicPreflight => {
            let allowed = match header(req, "origin") {
                Some(o) => intake::origin_is_allowed(svc, o).await?,
                None => None,
            };
            Ok(with_cors(no_content()?, allowed.as_deref(), true))
        }
        Function::PublicReceipt => {
            let origin = header(req, "origin");
            let result = async {
                let Credential::Bearer(k) = bearer(req) else { return Err(AppError::Unauthenticated) };
                let (co, key) = intake::authenticate(svc, &k).await?;
                let allowed = origin.filter(|o| key.allows_origin(o)).map(str::to_ascii_lowercase);
                let id = req.path_parameters().first("id").unwrap_or_default().to_owned();
                Ok((intake::receipt(svc, &co, &key, &id).await, allowed))
            }
            .await;
            Ok(match result {
                Ok((Ok(r), allowed)) => with_cors(json(200, &r)?, allowed.as_deref(), false),
                Ok((Err(e), allowed)) => refused(&e, allowed.as_deref()),
                Err(e) => refused(&e, None),
            })
        }
        _ => post(svc, req).await,
    }
}

async fn post(svc: &Services, req: &Request) -> Reply {
    let form_encoded = header(req, "content-type")
        .is_some_and(|c| c.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    let form = if form_encoded {
        intake::form_fields(body_bytes(req))
    } else {
        match object(req) {
            Ok(f) => f,
            Err(e) => return Ok(refused(&e, None)),
        }
    };
    let p = PublicPost {
        credential: bearer(req),
        origin: header(req, "origin").map(str::to_owned),
        client_ip: client_ip(req),
        idempotency_key: header(req, "idempotency-key").map(str::to_owned),
        form,
    };
    Ok(match intake::post(svc, p).await {
        Ok(posted) => {
            let resp = match &posted.redirect {
                Some(url) => Response::builder()
                    .status(303)
                    .header(http::header::LOCATION, url.as_str())
                    .body(Body::Empty)
                    .map_err(|e| AppError::Internal(e.to_string()))?,
                None => json(202, &IntakeAccepted { receipt_id: posted.receipt_id.clone() })?,
            };
            with_cors(resp, posted.cors_origin.as_deref(), false)
        }
        Err(r) => refused(&r.error, r.cors_origin.as_deref()),
    })
}
