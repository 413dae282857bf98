//! The local runtime's demo sign-in (`/api/v1/dev/...`), standing in for Cognito's hosted sign-in. Never deployed.

use crate::tokens::TokenSigner;
use serde::{Deserialize, Serialize};
use vigil_app::directory::{all_companies, users};
use vigil_app::{AppError, Services};
use vigil_domain::{Claims, FieldError, Invalid, Role};

#[derive(Debug, Serialize)]
pub struct DemoUser {
    pub email: String,
    pub name: String,
    pub company: String,
    pub company_name: String,
    pub role: Role,
}

pub async fn list_users(svc: &Services) -> Result<Vec<DemoUser>, AppError> {
    let mut out = Vec::new();
    for company in all_companies(svc).await? {
        for u in users(svc, &company.id).await?.into_iter().filter(|u| u.active) {
            out.push(DemoUser {
                email: u.email,
                name: u.name,
                company: company.id.to_string(),
                company_name: company.name.clone(),
                role: u.role,
            });
        }
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
pub struct SignIn {
    pub email: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Token {
    pub token: String,
}

pub async fn sign_in(
    svc: &Services,
    signer: &TokenSigner,
    body: Option<&str>,
    session_secs: u64,
) -> Result<Token, AppError> {
    let req: SignIn = serde_json::from_str(body.unwrap_or("{}")).map_err(|_| {
        AppError::Invalid(Invalid::one("body", "invalid_json", "the body must be JSON like {\"email\": \"...\"}"))
    })?;
    let email = req
        .email
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| AppError::Invalid(FieldError::required("email").into()))?;
    let email = email.trim().to_ascii_lowercase();
    let mut found = None;
    for company in all_companies(svc).await? {
        if let Some(u) = users(svc, &company.id).await?.into_iter().find(|u| u.active && u.email == email) {
            found = Some(u);
            break;
        }
    }
    let user =
        found.ok_or_else(|| AppError::Invalid(Invalid::one("email", "unknown_user", "no demo user has that email")))?;
    let now = svc.clock.now().unix_timestamp().max(0) as u64;
    // A partner login's token names its partner company, as Cognito's `custom:partner` does in AWS.
    let partner = if user.role == Role::Partner { user.partner_id } else { None };
    let claims =
        Claims { sub: user.id, company: user.company, email: user.email, exp: now + session_secs, iat: now, partner };
    Ok(Token { token: signer.sign(&claims) })
}
