//! Handlers of the customer record: the Home page read, form options, saving, create, convert, archive, parent
//! links, sub-records, delete, duplicate and history.

use super::{object, parse, record_id, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::{ops, Items};
use vigil_app::customer_items::{self, Collection};
use vigil_app::{customers, records, Actor, AppError, Services};
use vigil_domain::RecordId;

/// The sub-record collection a `/api/v1/customers/{id}/<collection>[/{item_id}]` request names.
fn collection(req: &Request) -> Result<Collection, AppError> {
    let path = req.uri().path().trim_end_matches('/');
    path.rsplit('/')
        .take(2)
        .find_map(Collection::from_segment)
        .ok_or_else(|| AppError::Internal(format!("no customer collection in {path}")))
}

pub async fn get(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::GetCustomer>(customers::get(svc, actor, record_id(req)?).await?)
}

pub async fn form_options(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::CustomerFormOptionsOp>(customers::form_options(svc, actor).await?)
}

pub async fn create(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let allow = super::leads::allow_duplicates(req)?;
    reply::<ops::CreateCustomer>(customers::create(svc, actor, &object(req)?, allow).await?)
}

pub async fn update(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateCustomer>(customers::edit(svc, actor, record_id(req)?, &object(req)?).await?)
}

pub async fn delete(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::DeleteCustomer>(customers::delete(svc, actor, record_id(req)?).await?)
}

pub async fn duplicate(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::DuplicateCustomer>(customers::duplicate(svc, actor, record_id(req)?).await?)
}

pub async fn history(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let q = req.query_string_parameters();
    let per_page = records::PerPage::parse(q.first("per_page")).map_err(AppError::from_field)?;
    reply::<ops::CustomerHistory>(customers::history(svc, actor, record_id(req)?, per_page, q.first("cursor")).await?)
}

pub async fn convert_lead(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ConvertLead>(customers::convert(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn archive_preview(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CustomerArchivePreview>(customers::archive_preview(svc, actor, record_id(req)?).await?)
}

pub async fn archive(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ArchiveCustomer>(customers::archive(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn unarchive(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UnarchiveCustomer>(customers::unarchive(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn parent_candidates(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let q = req.query_string_parameters();
    let exclude = match q.first("exclude") {
        Some(s) if !s.is_empty() => Some(RecordId::parse(s).map_err(AppError::from_field)?),
        _ => None,
    };
    let items = customers::parent_candidates(svc, actor, q.first("q").unwrap_or_default(), exclude).await?;
    reply::<ops::CustomerParentCandidates>(Items { items })
}

pub async fn list_items(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ListCustomerItems>(Items {
        items: customer_items::list(svc, actor, record_id(req)?, collection(req)?).await?,
    })
}

pub async fn create_item(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateCustomerItem>(
        customer_items::create(svc, actor, record_id(req)?, collection(req)?, &object(req)?).await?,
    )
}

pub async fn update_item(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    let raw = req.path_parameters_ref().and_then(|p| p.first("item_id")).unwrap_or_default();
    let item_id = match raw.parse::<u64>() {
        Ok(n) if n > 0 && raw.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => {
            return Err(AppError::from_field(vigil_domain::FieldError::new(
                "item_id",
                "invalid",
                "item_id must be a positive whole number",
            )))
        }
    };
    reply::<ops::UpdateCustomerItem>(
        customer_items::update(svc, actor, record_id(req)?, collection(req)?, item_id, &object(req)?).await?,
    )
}

pub async fn set_tags(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::SetCustomerTags>(customers::set_tags(svc, actor, record_id(req)?, parse(req)?).await?)
}
