//! The cloud rehearsal: `infra/template.yaml` deployed into moto's CloudFormation, the template's user pool created
//! in moto's Cognito, the local runtime started on the AWS backends against that stack's table and queues, and API
//! flows run through it over HTTP with the pool's ID tokens. Proves the template, the table design, the DynamoDB/SQS
//! adapters and the Cognito authorizer together.

use serde_json::Value;
use std::time::Duration;
use vigil_app::jobs::{self, Job};
use vigil_domain::CompanyId;
use vigil_local::seed::SeedSize;
use vigil_tests::cognito::rehearsal_runtime;
use vigil_tests::runtime::eventually;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_api_works_on_the_deployed_stack() {
    let (rt, pool) = rehearsal_runtime("vigil-rehearsal-flows", |c| {
        c.seed = Some(SeedSize { leads: 60, customers: 20 });
    })
    .await;

    // Sign-in through the user pool, and the authorizer.
    let office = pool.sign_in("office@acme.example").await;
    let (status, me) = rt.get(&office, "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["company_name"], "Acme Alarm Co.");
    assert_eq!(rt.get("forged.token.here", "/api/v1/me").await.0, 401);

    // Paging through a GSI on DynamoDB with signed cursors.
    let mut ids = Vec::new();
    let mut path = "/api/v1/leads?per_page=25".to_owned();
    loop {
        let (status, page) = rt.get(&office, &path).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["meta"]["total"], 60);
        ids.extend(page["items"].as_array().unwrap().iter().map(|i| i["id"].as_u64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/leads?per_page=25&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), 60);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");

    // Tenancy: bluebird reads its own record under the same number, and never acme's.
    let blue = pool.sign_in("admin@bluebird.example").await;
    let (_, a) = rt.get(&office, &format!("/api/v1/leads/{}", ids[0])).await;
    let (_, b) = rt.get(&blue, &format!("/api/v1/leads/{}", ids[0])).await;
    assert_ne!(a["primary_phone"], b["primary_phone"]);
    assert_eq!(rt.get(&blue, "/api/v1/customers/99999").await.0, 404);

    // A job through SQS (moto) to the worker and into the outbox (DynamoDB), once.
    let svc = rt.services().clone();
    let job = Job::SendEmail {
        company: CompanyId::parse("acme").unwrap(),
        to: "ops@acme.example".into(),
        subject: "Rehearsal".into(),
        body: "via SQS".into(),
    };
    jobs::enqueue(&svc, "rehearsal:1", job.clone()).await.unwrap();
    jobs::enqueue(&svc, "rehearsal:1", job).await.unwrap();
    let admin = pool.sign_in("admin@acme.example").await;
    let mails: Vec<Value> = eventually("the rehearsal email in the outbox", Duration::from_secs(30), || async {
        let (_, page) = rt.get(&admin, "/api/v1/outbox").await;
        let hits: Vec<Value> = page["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m["subject"] == "Rehearsal")
            .collect();
        (!hits.is_empty()).then_some(hits)
    })
    .await;
    assert_eq!(mails.len(), 1);
    rt.stop().await;
}
