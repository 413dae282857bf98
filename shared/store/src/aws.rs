//! Loading the AWS SDK configuration shared by the DynamoDB and SQS backends.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::Credentials;

/// The region used against a local endpoint when none is configured.
pub const LOCAL_REGION: &str = "us-east-1";

/// The SDK configuration from the usual sources (environment, profile, instance/Lambda role).
///
/// With `endpoint` (a local emulator such as `moto_server`, e.g. `http://127.0.0.1:5000`), every client built from the
/// returned config talks to that endpoint; the region defaults to `us-east-1` and, unless access keys are set in the
/// environment, static test credentials are used so that no credential provider is consulted.
pub async fn aws_config(endpoint: Option<&str>) -> SdkConfig {
    let loader = aws_config::defaults(BehaviorVersion::latest());
    let Some(endpoint) = endpoint else {
        return loader.load().await;
    };
    let mut loader = loader.endpoint_url(endpoint);
    if !env_set("AWS_REGION") && !env_set("AWS_DEFAULT_REGION") {
        loader = loader.region(Region::new(LOCAL_REGION));
    }
    if !env_set("AWS_ACCESS_KEY_ID") {
        loader = loader.credentials_provider(Credentials::new("test", "test", None, None, "static"));
    }
    loader.load().await
}

fn env_set(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty())
}
