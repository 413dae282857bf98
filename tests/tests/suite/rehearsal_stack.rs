//! The cloud rehearsal: `infra/template.yaml` deploys into moto_server's CloudFormation (DeployTarget=moto) and the
//! data plane it creates is the one the code expects: the single table with its four GSIs, and the jobs queue with a
//! redrive policy to its dead-letter queue.
//!
//! Needs Python with `moto[server]` (`vigil_tests::moto` installs it with pip when missing). moto applies no SAM
//! transform, so `aws-sam-translator` is not needed for this test (cfn-lint, which does apply it, brings its own).

use serde_json::{json, Value};
use std::time::{SystemTime, UNIX_EPOCH};
use vigil_tests::rehearsal::{deploy_stack, fake_authorization, StackOutputs};

fn unique_stack_name() -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("vigil-rehearsal-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

/// One call of an AWS JSON-protocol API (DynamoDB, SQS, KMS) on moto.
async fn aws_json(endpoint: &str, service: &str, target: &str, body: Value) -> Value {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{endpoint}/"))
        .header("Authorization", fake_authorization(service))
        .header("X-Amz-Target", target)
        .header("Content-Type", "application/x-amz-json-1.0")
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{target}: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{target}: HTTP {status}: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{target}: {e}: {text}"))
}

#[tokio::test]
async fn the_template_deploys_into_moto_with_the_expected_data_plane() {
    let moto = vigil_tests::moto::moto().await;
    let endpoint = moto.endpoint();
    let stack = unique_stack_name();

    let started = std::time::Instant::now();
    let out: StackOutputs = deploy_stack(endpoint, &stack).await.expect("rehearsal stack deploys");
    eprintln!("deployed {stack} in {:?}: {:#?}", started.elapsed(), out.all);

    // The AWS-only resources stay out of the rehearsal, and say so by their missing outputs.
    for aws_only in ["ApiUrl", "UserPoolId", "UserPoolClientId", "PortalUrl"] {
        assert!(!out.all.contains_key(aws_only), "{aws_only} should not exist in the moto rehearsal");
    }

    // The table: PK/SK and four overloaded GSIs projecting everything.
    let table =
        aws_json(endpoint, "dynamodb", "DynamoDB_20120810.DescribeTable", json!({"TableName": out.table_name})).await;
    let table = &table["Table"];
    assert_eq!(table["TableStatus"], "ACTIVE");
    assert_eq!(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        table["KeySchema"],
        json!([{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}])
    );
    let mut gsis: Vec<&Value> = table["GlobalSecondaryIndexes"].as_array().expect("GSIs").iter().collect();
    gsis.sort_by_key(|g| g["IndexName"].as_str().unwrap_or_default().to_string());
    let names: Vec<_> = gsis.iter().map(|g| g["IndexName"].as_str().unwrap()).collect();
    assert_eq!(names, ["GSI1", "GSI2", "GSI3", "GSI4"]);
    for g in gsis {
        let n = g["IndexName"].as_str().unwrap();
        assert_eq!(
            g["KeySchema"],
            json!([{"AttributeName": format!("{n}PK"), "KeyType": "HASH"}, {"AttributeName": format!("{n}SK"), "KeyType": "RANGE"}]),
            "{n} key schema"
        );
        assert_eq!(g["Projection"]["ProjectionType"], "ALL", "{n} projection");
    }

    // The jobs queue redrives to its DLQ after at least 5 receives.
    let attrs = |url: String| {
        aws_json(endpoint, "sqs", "AmazonSQS.GetQueueAttributes", json!({"QueueUrl": url, "AttributeNames": ["All"]}))
    };
    let jobs = attrs(out.jobs_queue_url.clone()).await;
    let dlq = attrs(out.jobs_dlq_url.clone()).await;
    let redrive: Value =
        serde_json::from_str(jobs["Attributes"]["RedrivePolicy"].as_str().expect("jobs queue has a RedrivePolicy"))
            .unwrap();
    assert_eq!(redrive["deadLetterTargetArn"], dlq["Attributes"]["QueueArn"], "jobs queue redrives to the DLQ output");
    let max_receive = redrive["maxReceiveCount"].as_u64().or_else(|| redrive["maxReceiveCount"].as_str()?.parse().ok());
    assert!(max_receive.expect("maxReceiveCount") >= 5, "maxReceiveCount {redrive}");
    let visibility: u64 = jobs["Attributes"]["VisibilityTimeout"].as_str().unwrap().parse().unwrap();
    assert!(visibility >= 181, "VisibilityTimeout {visibility}");

    // The queue URL the stack hands out works as is through the endpoint override (what the SDK will do).
    aws_json(endpoint, "sqs", "AmazonSQS.SendMessage", json!({"QueueUrl": out.jobs_queue_url, "MessageBody": "{}"}))
        .await;

    // The KMS key does what SSN envelope encryption asks of it: a fresh data key, and its ciphertext decrypts back.
    // (Not DescribeKey: moto 5.2.1 answers 500 for keys created by CloudFormation, whose policy it stores as a map.)
    let data_key = aws_json(
        endpoint,
        "kms",
        "TrentService.GenerateDataKey",
        json!({"KeyId": out.data_key_arn, "KeySpec": "AES_256"}),
    )
    .await;
    let decrypted = aws_json(
        endpoint,
        "kms",
        "TrentService.Decrypt",
        json!({"CiphertextBlob": data_key["CiphertextBlob"], "KeyId": out.data_key_arn}),
    )
    .await;
    assert_eq!(decrypted["Plaintext"], data_key["Plaintext"], "the data key round-trips through the stack's key");

    // Deploying the same name again hands back the same stack (tests sharing one moto may each ask for it).
    let again = deploy_stack(endpoint, &stack).await.expect("redeploy returns the existing stack");
    assert_eq!(again, out);

    // A name AWS would refuse is refused here too, though moto itself would take it.
    let err = deploy_stack(endpoint, "9-not-a-valid-stack-name").await.unwrap_err();
    assert!(err.contains("invalid stack name"), "{err}");
}
