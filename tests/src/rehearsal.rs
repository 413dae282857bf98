//! The cloud rehearsal: deploy `infra/template.yaml` into moto_server's CloudFormation and hand back the stack's
//! outputs, so a test can run the real AWS adapters (VIGIL_BACKEND=aws) against what the template actually creates.
//!
//! moto does not apply the SAM transform and cannot host HttpApi, Cognito, CloudFront, WAF, SES, Secrets Manager or
//! Lambda code, so the stack is created with `DeployTarget=moto`: the template's `IsAws` condition leaves out those
//! resources and keeps the data plane (table, jobs queue and its DLQ, KMS key and alias, portal bucket). See the
//! header comment of the template. The user pool the template defines is created by [`crate::cognito`] through moto's
//! cognito-idp API from the template's own properties.
//!
//! moto does not check SigV4 signatures, so the CloudFormation query API is called with plain form POSTs and an
//! unsigned `Authorization` header that only names the service and region (moto_server routes on it).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The region every rehearsal resource lives in.
pub const REGION: &str = "us-east-1";

/// How long a stack may take to reach CREATE_COMPLETE (moto creates synchronously; this only guards a hang).
const DEPLOY_DEADLINE: Duration = Duration::from_secs(60);

/// What the rehearsal stack created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackOutputs {
    pub stack_name: String,
    pub region: String,
    /// Output `TableName`.
    pub table_name: String,
    /// Output `JobsQueueUrl` (moto answers `https://sqs.<region>.amazonaws.com/<account>/<name>`; SDK calls with an
    /// endpoint override accept it as is).
    pub jobs_queue_url: String,
    /// Output `JobsDeadLetterQueueUrl`.
    pub jobs_dlq_url: String,
    /// Output `DataKeyArn`.
    pub data_key_arn: String,
    /// Output `PortalBucket`.
    pub portal_bucket: String,
    /// Every output of the stack, by key.
    pub all: BTreeMap<String, String>,
}

/// The cursor secret the rehearsal uses: in AWS it comes from Secrets Manager, which the rehearsal does not create.
const CURSOR_SECRET: &str = "rehearsal-only-cursor-secret-0123456789";

impl StackOutputs {
    /// The AWS backend's settings for this stack on moto, for a local runtime with `Backend::Aws`.
    pub fn settings(&self, moto_endpoint: &str) -> vigil_functions::env::AwsSettings {
        use vigil_app::services::queues;
        vigil_functions::env::AwsSettings {
            table: self.table_name.clone(),
            queue_urls: [(queues::JOBS, &self.jobs_queue_url), (queues::JOBS_DLQ, &self.jobs_dlq_url)]
                .into_iter()
                .map(|(name, url)| (name.to_owned(), url.clone()))
                .collect(),
            endpoint: Some(moto_endpoint.to_owned()),
            cursor_secret: CURSOR_SECRET.as_bytes().to_vec(),
        }
    }

    /// The environment a function (or the local runtime with `VIGIL_BACKEND=aws`) needs to run against this stack
    /// on moto: the variable names the template sets in `Globals` (read by `functions/src/env.rs`), plus
    /// `VIGIL_AWS_ENDPOINT` and the region. In AWS the cursor secret comes from Secrets Manager, which the rehearsal
    /// does not create, so a fixed test-only value stands in for it.
    pub fn backend_env(&self, moto_endpoint: &str) -> Vec<(String, String)> {
        [
            ("VIGIL_BACKEND", "aws"),
            ("VIGIL_TABLE", self.table_name.as_str()),
            ("VIGIL_QUEUE_URL_JOBS", self.jobs_queue_url.as_str()),
            ("VIGIL_QUEUE_URL_JOBS_DLQ", self.jobs_dlq_url.as_str()),
            ("VIGIL_KMS_KEY_ID", self.data_key_arn.as_str()),
            ("VIGIL_CURSOR_SECRET", CURSOR_SECRET),
            ("VIGIL_AWS_ENDPOINT", moto_endpoint),
            ("AWS_REGION", self.region.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

/// The template file in the repository.
pub fn template_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("infra").join("template.yaml")
}

/// An `Authorization` header moto_server accepts: it reads the service and region from the credential scope and
/// ignores the signature.
pub fn fake_authorization(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=test/20260101/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0"
    )
}

/// Deploys `infra/template.yaml` with `DeployTarget=moto` as `stack_name` and waits for CREATE_COMPLETE. Deploying a
/// stack name that already exists returns that stack's outputs, so tests sharing one moto_server may call this more
/// than once.
pub async fn deploy_stack(moto_endpoint: &str, stack_name: &str) -> Result<StackOutputs, String> {
    // CloudFormation's rule, which moto does not enforce: a name that works here must work in AWS too.
    let valid_name = stack_name.len() <= 128
        && stack_name.starts_with(|c: char| c.is_ascii_alphabetic())
        && stack_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid_name {
        return Err(format!("invalid stack name {stack_name:?}: a letter, then letters, digits and hyphens (max 128)"));
    }
    let template =
        std::fs::read_to_string(template_path()).map_err(|e| format!("reading {}: {e}", template_path().display()))?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("http client: {e}"))?;
    let endpoint = moto_endpoint.trim_end_matches('/');

    let create = [
        ("Action", "CreateStack"),
        ("Version", "2010-05-15"),
        ("StackName", stack_name),
        ("TemplateBody", template.as_str()),
        ("Parameters.member.1.ParameterKey", "DeployTarget"),
        ("Parameters.member.1.ParameterValue", "moto"),
        ("Capabilities.member.1", "CAPABILITY_IAM"),
        ("Capabilities.member.2", "CAPABILITY_AUTO_EXPAND"),
    ];
    let (status, body) = cfn_call(&client, endpoint, &create).await?;
    if !status.is_success() {
        let code = first_text(&body, "Code").unwrap_or_default();
        if code != "AlreadyExistsException" {
            return Err(format!("CreateStack {stack_name}: HTTP {status}: {}", error_summary(&body)));
        }
    }

    let deadline = Instant::now() + DEPLOY_DEADLINE;
    loop {
        let describe = [("Action", "DescribeStacks"), ("Version", "2010-05-15"), ("StackName", stack_name)];
        let (status, body) = cfn_call(&client, endpoint, &describe).await?;
        if !status.is_success() {
            return Err(format!("DescribeStacks {stack_name}: HTTP {status}: {}", error_summary(&body)));
        }
        let stack_status = first_text(&body, "StackStatus").ok_or("DescribeStacks: no StackStatus in the answer")?;
        match stack_status.as_str() {
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" => return outputs_from(stack_name, &body),
            s if s.ends_with("_IN_PROGRESS") && !s.contains("ROLLBACK") => {}
            s => {
                let reason = first_text(&body, "StackStatusReason").unwrap_or_default();
                return Err(format!("stack {stack_name} ended in {s}: {reason}"));
            }
        }
        if Instant::now() >= deadline {
            return Err(format!("stack {stack_name} still {stack_status} after {DEPLOY_DEADLINE:?}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn cfn_call(
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> Result<(reqwest::StatusCode, String), String> {
    let response = client
        .post(format!("{endpoint}/"))
        .header("Authorization", fake_authorization("cloudformation"))
        .form(form)
        .send()
        .await
        .map_err(|e| format!("calling moto CloudFormation at {endpoint}: {e}"))?;
    let status = response.status();
    let body = response.text().await.map_err(|e| format!("reading moto's answer: {e}"))?;
    Ok((status, body))
}

fn outputs_from(stack_name: &str, describe_xml: &str) -> Result<StackOutputs, String> {
    let mut all = BTreeMap::new();
    if let Some(outputs) = section(describe_xml, "Outputs") {
        for member in sections(outputs, "member") {
            if let (Some(k), Some(v)) = (first_text(member, "OutputKey"), first_text(member, "OutputValue")) {
                all.insert(k, v);
            }
        }
    }
    let get = |key: &str| {
        all.get(key).cloned().ok_or_else(|| format!("stack {stack_name} has no output {key} (outputs: {all:?})"))
    };
    Ok(StackOutputs {
        stack_name: stack_name.to_string(),
        region: REGION.to_string(),
        table_name: get("TableName")?,
        jobs_queue_url: get("JobsQueueUrl")?,
        jobs_dlq_url: get("JobsDeadLetterQueueUrl")?,
        data_key_arn: get("DataKeyArn")?,
        portal_bucket: get("PortalBucket")?,
        all,
    })
}

fn error_summary(xml: &str) -> String {
    match (first_text(xml, "Code"), first_text(xml, "Message")) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (None, Some(m)) => m,
        _ => xml.chars().take(500).collect(),
    }
}

// Minimal XML reading: enough for the flat answers of the CloudFormation query API. Not a general parser.

/// The inner text of the first `<tag>…</tag>`.
fn section<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    sections(xml, tag).next()
}

/// The inner text of every non-nested `<tag>…</tag>`, in order.
fn sections<'a>(xml: &'a str, tag: &str) -> impl Iterator<Item = &'a str> + 'a {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut rest = xml;
    std::iter::from_fn(move || {
        let start = rest.find(&open)? + open.len();
        let len = rest[start..].find(&close)?;
        let inner = &rest[start..start + len];
        rest = &rest[start + len + close.len()..];
        Some(inner)
    })
}

/// The unescaped text of the first `<tag>…</tag>`.
fn first_text(xml: &str, tag: &str) -> Option<String> {
    section(xml, tag).map(unescape)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESCRIBE: &str = r#"<DescribeStacksResponse><DescribeStacksResult><Stacks><member>
        <StackName>s</StackName><StackStatus>CREATE_COMPLETE</StackStatus>
        <Outputs>
          <member><OutputKey>TableName</OutputKey><OutputValue>s-Table-1</OutputValue></member>
          <member><OutputKey>JobsQueueUrl</OutputKey><OutputValue>https://q/1?a=1&amp;b=2</OutputValue></member>
          <member><OutputKey>JobsDeadLetterQueueUrl</OutputKey><OutputValue>https://q/2</OutputValue></member>
          <member><OutputKey>DataKeyArn</OutputKey><OutputValue>arn:k</OutputValue></member>
          <member><OutputKey>PortalBucket</OutputKey><OutputValue>b</OutputValue></member>
        </Outputs></member></Stacks></DescribeStacksResult></DescribeStacksResponse>"#;

    #[test]
    fn reads_outputs_from_describe_stacks() {
        assert_eq!(first_text(DESCRIBE, "StackStatus").as_deref(), Some("CREATE_COMPLETE"));
        let out = outputs_from("s", DESCRIBE).unwrap();
        assert_eq!(out.table_name, "s-Table-1");
        assert_eq!(out.jobs_queue_url, "https://q/1?a=1&b=2");
        assert_eq!(out.all.len(), 5);
    }

    #[tokio::test]
    async fn stack_names_follow_cloudformation_rules() {
        for bad in ["", "9lives", "has_underscore", "has space"] {
            let err = deploy_stack("http://127.0.0.1:9", bad).await.unwrap_err();
            assert!(err.contains("invalid stack name"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_missing_output_is_an_error() {
        let err = outputs_from("s", "<Outputs></Outputs>").unwrap_err();
        assert!(err.contains("TableName"), "{err}");
    }
}
