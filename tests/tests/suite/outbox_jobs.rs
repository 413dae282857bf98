//! The transactional outbox: a change and the job it triggers are written in one transaction, and a dispatcher moves
//! the job to the queue. A queue that is down when the change is saved neither loses the job nor fails the request.

use async_trait::async_trait;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use vigil_api::customers::Convert;
use vigil_app::Actor;
use vigil_domain::{CompanyId, RecordId};
use vigil_store::{keys, Index, OutgoingMessage, Query, Queue, QueueError, ReceivedMessage};
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, OFFICE};

/// A queue that is down.
struct DownQueue;

#[async_trait]
impl Queue for DownQueue {
    async fn send(&self, _: &str, _: OutgoingMessage) -> Result<String, QueueError> {
        Err(QueueError::Backend("the queue is down".into()))
    }
    async fn receive(&self, _: &str, _: u32, _: u32, _: u32) -> Result<Vec<ReceivedMessage>, QueueError> {
        Err(QueueError::Backend("the queue is down".into()))
    }
    async fn delete(&self, _: &str, _: &str) -> Result<(), QueueError> {
        Err(QueueError::Backend("the queue is down".into()))
    }
    async fn change_visibility(&self, _: &str, _: &str, _: u32) -> Result<(), QueueError> {
        Err(QueueError::Backend("the queue is down".into()))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversion_saved_while_the_queue_is_down_still_sends_its_email() {
    let rt = LocalRuntime::start_small().await;
    let office = rt.sign_in(OFFICE).await;
    let admin = rt.sign_in(ADMIN).await;
    let (status, options) = rt.get(&office, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{options}");
    let body = json!({
        "source_id": options["sources"][0]["id"], "campaign_id": options["sources"][0]["campaigns"][0]["id"],
        "first_name": "Quentin", "last_name": "Queue", "primary_phone": "(801) 555-0177",
        "disposition_id": options["dispositions"][0]["id"], "city": "Orem", "state": "UT", "address1": "9 Elm St"
    });
    let (status, lead) = rt.post(&office, "/api/v1/leads", body).await;
    assert_eq!(status, 201, "{lead}");
    let id = RecordId(lead["id"].as_u64().expect("lead id"));

    // The same use case the route runs, on services whose queue is down.
    let co = CompanyId::parse("acme").expect("company");
    let user =
        rt.services().table.get(&keys::user(&co, &vigil_domain::UserId::parse("acme-admin").expect("user id"))).await;
    let user = serde_json::from_value(serde_json::Value::Object(user.expect("read").expect("admin user")))
        .expect("a user item");
    let actor = Actor { user };
    let down = vigil_app::Services { queue: Arc::new(DownQueue), ..rt.services().clone() };
    let input = Convert {
        office_location_id: Some(json!(1)),
        sold_by_id: Some("acme-sales-rep".into()),
        version: Some(1),
        opportunity: None,
        ..Convert::default()
    };
    let home = vigil_app::customers::convert(&down, &actor, id, input).await.expect("the conversion is saved");
    assert_eq!(home.kind, vigil_domain::record::Kind::Customer);

    // The runtime's dispatcher (the stream in AWS) sends the job once the queue works; the email arrives once.
    let subject = format!("Lead #{} is now a customer", id.0);
    eventually("the conversion email", Duration::from_secs(20), || async {
        let (_, page) = rt.get(&admin, "/api/v1/outbox").await;
        let found = page["items"].as_array()?.iter().filter(|m| m["subject"] == subject.as_str()).count();
        (found == 1).then_some(())
    })
    .await;
    let pending = rt.services().table.query(&Query::new(Index::Base, keys::pending_jobs_pk(&co))).await.expect("query");
    assert!(pending.items.is_empty(), "dispatched jobs leave the outbox");
    rt.stop().await;
}

/// A message on the jobs queue that is not a job can never succeed: it lands in the dead-letter queue (where the DLQ
/// alarm sees it), not nowhere and not in an endless retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_that_is_not_a_job_goes_to_the_dead_letter_queue() {
    let rt = LocalRuntime::start_small().await;
    let q = rt.services().queue.clone();
    q.send(vigil_app::services::queues::JOBS, OutgoingMessage::new("{\"not\": \"a job\"}")).await.expect("send");
    let dead = eventually("the message in the DLQ", Duration::from_secs(20), || async {
        q.receive(vigil_app::services::queues::JOBS_DLQ, 10, 30, 0).await.ok()?.into_iter().next()
    })
    .await;
    assert_eq!(dead.body, "{\"not\": \"a job\"}");
    assert!(dead.attributes.get("dead_letter_reason").is_some_and(|r| !r.contains("a job\"")), "{:?}", dead.attributes);
    rt.stop().await;
}
