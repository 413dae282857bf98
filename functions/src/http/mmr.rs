//! Handlers of the mmr routes.

use lambda_http::{Body, Request, Response};
use vigil_app::{Actor, AppError, Services};

const FUNCTIONS: &[&str] = &[
    "get_mmr_settings",
    "put_mmr_settings",
    "list_mmr_rates",
];

pub fn handles(function: &str) -> bool {
    FUNCTIONS.contains(&function)
}

pub async fn dispatch(_svc: &Services, _actor: &Actor, function: &str, _req: &Request) -> Result<Response<Body>, AppError> {
    Err(AppError::Internal(format!("{function} is not implemented yet")))
}
