//! The Cognito [`UserPool`]: AdminCreateUser (Cognito mails the invitation with a temporary password), and for an
//! account that exists already AdminUpdateUserAttributes plus AdminEnableUser; AdminDisableUser to lock one out.
//! The client is built on the first call, so only the jobs worker, and only when a login changes, pays for it.

use crate::aws::LazySdkConfig;
use crate::user_pool::{PoolUser, UserPool, UserPoolError};
use async_trait::async_trait;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, DeliveryMediumType};
use aws_sdk_cognitoidentityprovider::Client;
use std::sync::Arc;
use tokio::sync::OnceCell;

pub struct CognitoUserPool {
    config: Arc<LazySdkConfig>,
    pool_id: String,
    client: OnceCell<Client>,
}

impl CognitoUserPool {
    /// `pool_id` is the stack's user pool (`VIGIL_USER_POOL_ID`).
    pub fn new(config: Arc<LazySdkConfig>, pool_id: impl Into<String>) -> Self {
        Self { config, pool_id: pool_id.into(), client: OnceCell::new() }
    }

    async fn client(&self) -> &Client {
        self.client.get_or_init(|| async { Client::new(self.config.get().await) }).await
    }
}

fn code_of<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<String> {
    match e {
        SdkError::ServiceError(s) => s.err().code().map(str::to_owned),
        _ => None,
    }
}

fn unavailable<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> UserPoolError {
    UserPoolError::Unavailable(code_of(e).unwrap_or_else(|| "unreachable".into()))
}

fn attribute(name: &str, value: &str) -> Result<AttributeType, UserPoolError> {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .map_err(|_| UserPoolError::Unavailable("an attribute could not be built".into()))
}

/// What the API's tokens must carry for this account; the email counts as verified, since the invitation that
/// proves it goes to that address.
fn attributes(user: &PoolUser) -> Result<Vec<AttributeType>, UserPoolError> {
    let mut attrs = vec![
        attribute("email", &user.email)?,
        attribute("email_verified", "true")?,
        attribute("name", &user.name)?,
        attribute("custom:company", &user.company)?,
    ];
    if let Some(p) = &user.partner {
        attrs.push(attribute("custom:partner", p)?);
    }
    Ok(attrs)
}

#[async_trait]
impl UserPool for CognitoUserPool {
    async fn enable(&self, user: &PoolUser) -> Result<(), UserPoolError> {
        let client = self.client().await;
        let created = client
            .admin_create_user()
            .user_pool_id(&self.pool_id)
            .username(&user.email)
            .set_user_attributes(Some(attributes(user)?))
            .desired_delivery_mediums(DeliveryMediumType::Email)
            .send()
            .await;
        match created {
            Ok(_) => Ok(()),
            Err(e) if code_of(&e).as_deref() == Some("UsernameExistsException") => {
                client
                    .admin_update_user_attributes()
                    .user_pool_id(&self.pool_id)
                    .username(&user.email)
                    .set_user_attributes(Some(attributes(user)?))
                    .send()
                    .await
                    .map_err(|e| unavailable(&e))?;
                client
                    .admin_enable_user()
                    .user_pool_id(&self.pool_id)
                    .username(&user.email)
                    .send()
                    .await
                    .map_err(|e| unavailable(&e))?;
                Ok(())
            }
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn disable(&self, email: &str) -> Result<(), UserPoolError> {
        let result = self.client().await.admin_disable_user().user_pool_id(&self.pool_id).username(email).send().await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if code_of(&e).as_deref() == Some("UserNotFoundException") => Ok(()),
            Err(e) => Err(unavailable(&e)),
        }
    }
}
