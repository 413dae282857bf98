//! The handlers of orders: the catalog, order templates, applying one, and work orders.

use super::{parse, record_id, reply, Reply};
use lambda_http::{Request, RequestExt};
use vigil_api::{ops, Items};
use vigil_app::{orders, Actor, AppError, Services};

fn catalog_id(req: &Request) -> Result<u32, AppError> {
    let params = req.path_parameters();
    params.first("id").and_then(|s| s.parse::<u32>().ok()).filter(|n| *n > 0).ok_or_else(|| {
        AppError::from_field(vigil_domain::FieldError::new("id", "invalid", "the catalog entry's ID is a number"))
    })
}

pub async fn get_catalog(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::GetCatalog>(orders::catalog::get(svc, actor).await?)
}

pub async fn create_catalog_entry(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateCatalogEntry>(orders::catalog::create(svc, actor, parse(req)?).await?)
}

pub async fn update_catalog_entry(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateCatalogEntry>(orders::catalog::update(svc, actor, catalog_id(req)?, parse(req)?).await?)
}

pub async fn list_order_templates(svc: &Services, actor: &Actor) -> Reply {
    reply::<ops::ListOrderTemplates>(Items { items: orders::list_templates(svc, actor).await? })
}

pub async fn apply_order_template(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ApplyOrderTemplate>(orders::apply(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn list_work_orders(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::ListWorkOrders>(Items { items: orders::list_work_orders(svc, actor, record_id(req)?).await? })
}

pub async fn create_work_order(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::CreateWorkOrder>(orders::create_work_order(svc, actor, record_id(req)?, parse(req)?).await?)
}

pub async fn update_work_order(svc: &Services, actor: &Actor, req: &Request) -> Reply {
    reply::<ops::UpdateWorkOrder>(orders::update_work_order(svc, actor, record_id(req)?, parse(req)?).await?)
}
