//! Handlers of the customer record: the Home page read, form options, saving, create, convert, archive, parent
//! links, sub-records, delete, duplicate and history.

use super::{json, object, parse, record_id, Items};
use lambda_http::{Body, Request, RequestExt, Response};
use vigil_app::customer_items::{self, Collection};
use vigil_app::{customers, records, Actor, AppError, Services};
use vigil_domain::RecordId;

const FUNCTIONS: &[&str] = &[
    "get_customer",
    "customer_form_options",
    "create_customer",
    "update_customer",
    "delete_customer",
    "duplicate_customer",
    "customer_history",
    "convert_lead",
    "customer_archive_preview",
    "archive_customer",
    "unarchive_customer",
    "customer_parent_candidates",
    "list_customer_items",
    "create_customer_item",
    "set_customer_tags",
];

pub fn handles(function: &str) -> bool {
    FUNCTIONS.contains(&function)
}

/// The sub-record collection a `/api/v1/customers/{id}/<collection>` request names (its last path segment).
fn collection(req: &Request) -> Result<Collection, AppError> {
    let last = req.uri().path().trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_owned();
    Collection::from_segment(&last).ok_or_else(|| AppError::Internal(format!("no customer collection named {last}")))
}

pub async fn dispatch(
    svc: &Services,
    actor: &Actor,
    function: &str,
    req: &Request,
) -> Result<Response<Body>, AppError> {
    let q = req.query_string_parameters();
    match function {
        "get_customer" => json(200, &customers::get(svc, actor, record_id(req)?).await?),
        "customer_form_options" => json(200, &customers::form_options(svc, actor).await?),
        "create_customer" => json(201, &customers::create(svc, actor, &object(req)?).await?),
        "update_customer" => json(200, &customers::edit(svc, actor, record_id(req)?, &object(req)?).await?),
        "delete_customer" => {
            customers::delete(svc, actor, record_id(req)?).await?;
            Ok(Response::builder().status(204).body(Body::Empty).expect("static response"))
        }
        "duplicate_customer" => json(201, &customers::duplicate(svc, actor, record_id(req)?).await?),
        "customer_history" => {
            let per_page = records::PerPage::parse(q.first("per_page")).map_err(AppError::from_field)?;
            json(200, &customers::history(svc, actor, record_id(req)?, per_page, q.first("cursor")).await?)
        }
        "convert_lead" => json(200, &customers::convert(svc, actor, record_id(req)?, parse(req)?).await?),
        "customer_archive_preview" => json(200, &customers::archive_preview(svc, actor, record_id(req)?).await?),
        "archive_customer" => json(200, &customers::archive(svc, actor, record_id(req)?, parse(req)?).await?),
        "unarchive_customer" => json(200, &customers::unarchive(svc, actor, record_id(req)?, parse(req)?).await?),
        "customer_parent_candidates" => {
            let exclude = match q.first("exclude") {
                Some(s) if !s.is_empty() => Some(RecordId::parse(s).map_err(AppError::from_field)?),
                _ => None,
            };
            json(
                200,
                &Items {
                    items: customers::parent_candidates(svc, actor, q.first("q").unwrap_or_default(), exclude).await?,
                },
            )
        }
        "list_customer_items" => {
            json(200, &Items { items: customer_items::list(svc, actor, record_id(req)?, collection(req)?).await? })
        }
        "create_customer_item" => {
            json(201, &customer_items::create(svc, actor, record_id(req)?, collection(req)?, &object(req)?).await?)
        }
        "set_customer_tags" => json(200, &customers::set_tags(svc, actor, record_id(req)?, parse(req)?).await?),
        other => Err(AppError::Internal(format!("no customer handler named {other}"))),
    }
}
