//! Email that is really sent (issue 9): in AWS the jobs worker sends through SES (moto here) from the stack's
//! sender identity, once per job however often its message comes back, and records each mail in the outbox; an
//! address that can only bounce is refused when the job is made, or (a reserved example domain) recorded as not
//! sent; the embedded default sends nothing and its outbox page is the mail viewer.

use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use vigil_api::customers::Convert;
use vigil_app::jobs::{self, Job};
use vigil_app::outbox::{DELIVERY_ATTR, MESSAGE_ID_ATTR, NOT_SENT_REASON_ATTR};
use vigil_app::services::queues;
use vigil_app::ssn::keyring::{KeyRing, LocalKeyFile};
use vigil_app::{Actor, AppError, Services};
use vigil_domain::{CompanyId, RecordId, UserId};
use vigil_functions::env::{aws_services_with, AwsSettings};
use vigil_local::seed::SeedSize;
use vigil_store::aws::{LazySdkConfig, LazySesMailer};
use vigil_store::{keys, Index, Item, MailError, Mailer, OutgoingMail, Query, QueueSpec};
use vigil_tests::moto::{moto, Moto};
use vigil_tests::rehearsal::fake_authorization;
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::ADMIN;

static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// A name no other test of this process uses (they share one moto_server and its SES mailbox).
fn unique(prefix: &str) -> String {
    format!("{prefix}-{}-{}", std::process::id(), UNIQUE.fetch_add(1, Ordering::Relaxed))
}

fn acme() -> CompanyId {
    CompanyId::parse("acme").expect("company id")
}

/// A verified SES sender identity on moto (moto, like SES, refuses mail from an unverified one). Called with the
/// SES v2 JSON API directly: the tests need no SES client of their own for one call.
async fn verified_sender(moto: &Moto) -> String {
    let sender = format!("{}@mail.vigil-tests.net", unique("sender"));
    let resp = reqwest::Client::new()
        .post(format!("{}/v2/email/identities", moto.endpoint()))
        .header("Authorization", fake_authorization("ses"))
        .json(&json!({ "EmailIdentity": sender }))
        .send()
        .await
        .expect("moto answers CreateEmailIdentity");
    assert!(resp.status().is_success(), "CreateEmailIdentity: {}", resp.status());
    sender
}

/// What moto's SES accepted for `to`: (message ID, subject, sender), read from moto's model dump.
async fn sent_to(moto: &Moto, to: &str) -> Vec<(String, String, String)> {
    let data: Value = reqwest::get(format!("{}/moto-api/data.json", moto.endpoint()))
        .await
        .expect("moto answers data.json")
        .json()
        .await
        .expect("data.json is JSON");
    data["ses"]["Message"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|m| m["destinations"]["ToAddresses"].as_array().is_some_and(|a| a.iter().any(|t| t == to)))
        .map(|m| {
            let text = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
            (text("id"), text("subject"), text("source"))
        })
        .collect()
}

/// A jobs worker's services on moto, built the way `functions/src/env.rs` builds a Lambda's (lazy DynamoDB, SQS
/// and SES clients, the sender from the template's `VIGIL_SES_SENDER`), over a fresh table and queues with the demo
/// companies seeded. SSN keys are wrapped by a test key instead of KMS: the seed stores SSNs, mail has no part in
/// them.
async fn aws_worker(moto: &'static Moto, sender: &str) -> Services {
    let table = moto.create_table("email").await;
    let specs = [
        QueueSpec {
            name: queues::JOBS.into(),
            dead_letter: Some(queues::JOBS_DLQ.into()),
            max_receives: queues::JOBS_MAX_RECEIVES,
        },
        QueueSpec { name: queues::JOBS_DLQ.into(), dead_letter: None, max_receives: u32::MAX },
    ];
    let queue = moto.create_queues("email", &specs).await;
    let url = |q: &str| queue.url(q).expect("queue url").to_owned();
    let settings = AwsSettings {
        table: table.table_name().to_owned(),
        queue_urls: HashMap::from([
            (queues::JOBS.to_owned(), url(queues::JOBS)),
            (queues::JOBS_DLQ.to_owned(), url(queues::JOBS_DLQ)),
        ]),
        endpoint: Some(moto.endpoint().to_owned()),
        cursor_secret: b"email-delivery-test-cursor-secret-0123".to_vec(),
    };
    let base = aws_services_with(&settings, None, Some(sender.to_owned()));
    let ring = KeyRing::new(base.table.clone(), Arc::new(LocalKeyFile::new(vec![7u8; 32], "test key")));
    let svc = Services { data_keys: Arc::new(ring), ..base };
    vigil_local::seed::seed_demo(&svc, SeedSize { leads: 2, customers: 1 }).await.expect("demo seed on moto");
    svc
}

/// The stored user, with its email changed to `email` when given.
async fn user(svc: &Services, id: &str, email: Option<&str>) -> Actor {
    let key = keys::user(&acme(), &UserId::parse(id).expect("user id"));
    let mut item = svc.table.get(&key).await.expect("read user").expect("seeded user");
    if let Some(email) = email {
        item.insert("email".into(), json!(email));
        svc.table.put(item.clone(), None).await.expect("user saved");
    }
    Actor { user: serde_json::from_value(Value::Object(item)).expect("a user item") }
}

/// A new lead converted by `actor`: the use case the convert route runs, which queues the "now a customer" email
/// to the actor in its transaction.
async fn convert_new_lead(svc: &Services, actor: &Actor) -> RecordId {
    let options = serde_json::to_value(vigil_app::lead_options::form_options(svc, actor).await.expect("form options"))
        .expect("options JSON");
    let form = json!({
        "source_id": options["sources"][0]["id"], "campaign_id": options["sources"][0]["campaigns"][0]["id"],
        "first_name": "Sally", "last_name": "Sender", "primary_phone": "(801) 555-0190",
        "disposition_id": options["dispositions"][0]["id"], "city": "Provo", "state": "UT", "address1": "1 Mail St"
    });
    let form: Map<String, Value> = serde_json::from_value(form).expect("a form");
    let lead = vigil_app::leads::create(svc, actor, &form, true).await.expect("lead created");
    let id = lead.record.id;
    let input = Convert {
        office_location_id: Some(json!(1)),
        sold_by_id: Some("acme-sales-rep".into()),
        version: Some(lead.record.version),
        opportunity: None,
        ..Convert::default()
    };
    vigil_app::customers::convert(svc, actor, id, input).await.expect("lead converted");
    id
}

/// The queue message bodies of the company's pending jobs (what the dispatcher will send).
async fn pending_bodies(svc: &Services) -> Vec<String> {
    let page = svc.table.query(&Query::new(Index::Base, keys::pending_jobs_pk(&acme()))).await.expect("query");
    page.items.iter().filter_map(|i| i.get(jobs::ENVELOPE_ATTR)?.as_str().map(str::to_owned)).collect()
}

/// Dispatches the pending jobs and runs the jobs worker (`vigil_functions::worker::jobs_worker`, through the local
/// runtime's SQS poller) until the queue has handed it `expected` messages.
async fn work_the_queue(svc: &Services, expected: usize) {
    vigil_local::jobs::dispatch_pending(svc).await;
    let until = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut handled = 0;
    while handled < expected {
        assert!(tokio::time::Instant::now() < until, "the jobs worker received {handled} of {expected} messages");
        // A long poll: it waits for a message itself, up to a second.
        handled += vigil_local::jobs::poll_once(svc, 1).await;
    }
}

/// The outbox records with this subject.
async fn outbox_records(svc: &Services, subject: &str) -> Vec<Item> {
    let q = Query::new(Index::Base, keys::outbox_pk(&acme()));
    let items = svc.table.query_all(&q).await.expect("outbox query");
    items.into_iter().filter(|i| i.get("subject").and_then(Value::as_str) == Some(subject)).collect()
}

fn text<'a>(item: &'a Item, attr: &str) -> Option<&'a str> {
    item.get(attr).and_then(Value::as_str)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversion_email_is_sent_once_through_ses_however_often_its_job_comes_back() {
    let moto = moto().await;
    let sender = verified_sender(moto).await;
    let svc = aws_worker(moto, &sender).await;
    let to = format!("{}@acme-alarm-tests.net", unique("admin"));
    let admin = user(&svc, "acme-admin", Some(&to)).await;

    let id = convert_new_lead(&svc, &admin).await;
    let subject = format!("Lead #{} is now a customer", id.0);
    let bodies = pending_bodies(&svc).await;
    assert_eq!(bodies.len(), 1, "the conversion queued one job");
    work_the_queue(&svc, 1).await;

    // Sent through SES, from the template's sender, and recorded as sent with SES's message ID.
    let sent = sent_to(moto, &to).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!((sent[0].1.as_str(), sent[0].2.as_str()), (subject.as_str(), sender.as_str()));
    let records = outbox_records(&svc, &subject).await;
    assert_eq!(records.len(), 1);
    assert_eq!(text(&records[0], DELIVERY_ATTR), Some("sent"));
    assert_eq!(text(&records[0], MESSAGE_ID_ATTR), Some(sent[0].0.as_str()));

    // The same message delivered again (SQS delivers at least once; the dispatcher may send a job twice): the
    // worker recognises the job and sends nothing.
    for body in &bodies {
        svc.queue.send(queues::JOBS, vigil_store::OutgoingMessage::new(body.clone())).await.expect("redelivery");
    }
    work_the_queue(&svc, 1).await;
    assert_eq!(sent_to(moto, &to).await.len(), 1, "a redelivered message sends nothing");

    // A worker that stopped after SES accepted the mail, before it could mark the job done: its claim runs out and
    // the message comes back. The delivery recorded right after the send keeps the retry from sending again.
    let key = format!("lead-converted:acme:{}", id.0);
    let mut claim = keys::idempotency("jobs", &key).to_item();
    claim.insert("status".into(), json!("in_progress"));
    claim.insert(vigil_store::EXPIRES_AT.into(), json!(0));
    svc.table.put(claim, None).await.expect("claim reset");
    for body in &bodies {
        svc.queue.send(queues::JOBS, vigil_store::OutgoingMessage::new(body.clone())).await.expect("redelivery");
    }
    work_the_queue(&svc, 1).await;
    let done = svc.table.get(&keys::idempotency("jobs", &key)).await.expect("read claim").expect("claim");
    assert_eq!(text(&done, "status"), Some("done"), "the retried job finished");
    assert_eq!(sent_to(moto, &to).await.len(), 1, "a retry after a crash does not send again");
    let records = outbox_records(&svc, &subject).await;
    assert_eq!(records.len(), 1, "nor records the mail twice");
    assert_eq!(text(&records[0], MESSAGE_ID_ATTR), Some(sent[0].0.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_to_a_reserved_example_domain_is_recorded_as_not_sent() {
    let moto = moto().await;
    let sender = verified_sender(moto).await;
    let svc = aws_worker(moto, &sender).await;
    // The demo users live at acme.example, where mail can only bounce.
    let admin = user(&svc, "acme-admin", None).await;
    assert!(admin.user.email.ends_with("@acme.example"));

    let id = convert_new_lead(&svc, &admin).await;
    work_the_queue(&svc, 1).await;

    let records = outbox_records(&svc, &format!("Lead #{} is now a customer", id.0)).await;
    assert_eq!(records.len(), 1, "the mail is in the outbox");
    assert_eq!(text(&records[0], DELIVERY_ATTR), Some("not_sent"));
    assert_eq!(text(&records[0], NOT_SENT_REASON_ATTR), Some("reserved_domain"));
    assert_eq!(text(&records[0], MESSAGE_ID_ATTR), None);
    assert!(sent_to(moto, &admin.user.email).await.is_empty(), "SES was not asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ses_client_is_built_on_the_first_mail_and_an_unverified_sender_is_refused() {
    let moto = moto().await;
    let sdk = LazySdkConfig::new(Some(moto.endpoint().to_owned()));
    let to = format!("{}@acme-alarm-tests.net", unique("direct"));
    let mail = OutgoingMail {
        idempotency_key: unique("direct"),
        to: to.clone(),
        subject: "Direct".into(),
        body: "Sent by the adapter alone.".into(),
    };

    let mailer = LazySesMailer::new(sdk.clone(), verified_sender(moto).await);
    assert!(mailer.delivers());
    assert!(!mailer.is_built(), "no client before a mail needs one (Lambda cold start)");
    let id = mailer.send(&mail).await.expect("SES accepts the mail");
    assert!(mailer.is_built());
    assert_eq!(sent_to(moto, &to).await.into_iter().map(|m| m.0).collect::<Vec<_>>(), vec![id]);

    // The error names SES's code, not the addresses.
    let unverified = LazySesMailer::new(sdk, format!("{}@unverified.vigil-tests.net", unique("nobody")));
    match unverified.send(&mail).await {
        Err(e @ MailError::Rejected(_)) => {
            let shown = e.to_string();
            assert!(shown.contains("MessageRejected"), "{shown}");
            assert!(!shown.contains(&to) && !shown.contains("unverified.vigil-tests.net"), "{shown}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert_eq!(sent_to(moto, &to).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undeliverable_address_is_refused_when_the_job_is_made() {
    let rt = LocalRuntime::start_small().await;
    let svc = rt.services().clone();

    // Directly: both ways a job is made refuse it, naming the field and not the address.
    let job = |to: &str| Job::SendEmail { company: acme(), to: to.into(), subject: "Hi".into(), body: "x".into() };
    for bad in ["no-at-sign", "ann@nodot", "a b@acme.com", "ann@acme.com\r\nBcc: x@evil.com", "ann@acme..com"] {
        match jobs::enqueue(&svc, unique("bad"), job(bad)).await {
            Err(AppError::Invalid(e)) => {
                assert_eq!(e.errors[0].field, "to", "{bad:?}");
                assert!(!e.errors[0].message.contains(bad), "{}", e.errors[0].message);
            }
            other => panic!("{bad:?}: expected a validation error, got {other:?}"),
        }
        assert!(matches!(jobs::pending(&acme(), unique("bad"), job(bad)), Err(AppError::Invalid(_))), "{bad:?}");
    }
    let long_local = format!("{}@acme.com", "l".repeat(65));
    assert!(matches!(jobs::pending(&acme(), "k", job(&long_local)), Err(AppError::Invalid(_))));
    assert!(jobs::pending(&acme(), "k", job(" Ann@Acme-Alarm.com ")).is_ok());

    // Through the API: a conversion whose email would go to a broken address is a 422 naming `to`, not a 500, and
    // nothing is saved.
    let admin = rt.sign_in(ADMIN).await;
    let (status, options) = rt.get(&admin, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{options}");
    let body = json!({
        "source_id": options["sources"][0]["id"], "campaign_id": options["sources"][0]["campaigns"][0]["id"],
        "first_name": "Bruno", "last_name": "Bounce", "primary_phone": "(801) 555-0191",
        "disposition_id": options["dispositions"][0]["id"], "city": "Orem", "state": "UT", "address1": "2 Elm St"
    });
    let (status, lead) = rt.post(&admin, "/api/v1/leads", body).await;
    assert_eq!(status, 201, "{lead}");
    let id = lead["id"].as_u64().expect("lead id");
    user(&svc, "acme-admin", Some("admin at acme dot example")).await;
    let convert = json!({"office_location_id": 1, "sold_by_id": "acme-sales-rep", "version": lead["version"]});
    let (status, problem) = rt.post(&admin, &format!("/api/v1/leads/{id}/convert"), convert).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "to", "{problem}");
    assert!(!problem.to_string().contains("admin at acme"), "{problem}");
    let (status, still) = rt.get(&admin, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(status, 200, "{still}");
    assert_eq!(still["kind"], "lead", "the conversion was not saved");
    assert!(pending_bodies(&svc).await.is_empty(), "no job was queued");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_default_sends_nothing_and_its_outbox_page_shows_the_mail() {
    let rt = LocalRuntime::start_small().await;
    let svc = rt.services().clone();
    assert!(!svc.mailer.delivers(), "the embedded default's mailer sends nothing");
    let actor = user(&svc, "acme-admin", None).await;
    let id = convert_new_lead(&svc, &actor).await;
    let subject = format!("Lead #{} is now a customer", id.0);

    // The runtime's own dispatcher and worker handle the job; the outbox page is the local mail viewer.
    let admin = rt.sign_in(ADMIN).await;
    let mails = eventually("the conversion email on the outbox page", Duration::from_secs(20), || async {
        let (_, page) = rt.get(&admin, "/api/v1/outbox").await;
        let hits: Vec<Value> =
            page["items"].as_array()?.iter().filter(|m| m["subject"] == subject.as_str()).cloned().collect();
        (!hits.is_empty()).then_some(hits)
    })
    .await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["to"], actor.user.email.as_str());
    let records = outbox_records(&svc, &subject).await;
    assert_eq!(records.len(), 1);
    assert_eq!(text(&records[0], DELIVERY_ATTR), Some("outbox"), "delivered to the outbox only");
    assert_eq!(text(&records[0], MESSAGE_ID_ATTR), None);
    rt.stop().await;
}
