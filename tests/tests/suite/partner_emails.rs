//! Partner emails (issue 10): the sale notification (we sold a lead or customer to a partner) for both delivery
//! methods and the purchase notification (a partner sold us one), rendered from the partner's template when one is
//! set, else the built-in text, with the record's fields as the partner may see them, and sent once per (record,
//! event, recipient) even when the job runs again.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_app::items::from_item;
use vigil_domain::record::Record;
use vigil_domain::{CompanyId, PartnerId, RecordId};
use vigil_store::{keys, Update};
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::ADMIN;

const SSN: &str = "123-45-6789";
const BIRTHDATE: &str = "1980-05-17";

fn acme() -> CompanyId {
    CompanyId::parse("acme").expect("company")
}

async fn template(rt: &LocalRuntime, admin: &str, name: &str, subject: &str, body: &str) -> u64 {
    let (status, t) =
        rt.post(admin, "/api/v1/message-templates", json!({"name": name, "subject": subject, "body": body})).await;
    assert_eq!(status, 201, "{t}");
    t["id"].as_u64().expect("template id")
}

async fn partner(rt: &LocalRuntime, admin: &str, body: Value) -> u64 {
    let (status, p) = rt.post(admin, "/api/v1/partners", body).await;
    assert_eq!(status, 201, "{p}");
    p["id"].as_u64().expect("partner id")
}

/// A lead with an SSN and a birthdate (which no partner email may carry).
async fn secret_lead(rt: &LocalRuntime, admin: &str, first: &str) -> u64 {
    let (_, opts) = rt.get(admin, "/api/v1/leads/form-options").await;
    let body = json!({
        "source_id": opts["sources"][0]["id"], "first_name": first, "last_name": "Mailer",
        "primary_phone": "(801) 555-0123", "disposition_id": opts["dispositions"][0]["id"], "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "1 Post St", "email": "mailer@example.com"
    });
    let (status, lead) = rt.post(admin, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    let id = lead["id"].as_u64().expect("lead id");
    let path = format!("/api/v1/leads/{id}");
    let (status, saved) = rt.patch(admin, &path, json!({"version": lead["version"], "ssn": SSN})).await;
    assert_eq!(status, 200, "{saved}");
    id
}

/// The outbox's mails to `to`, once at least `n` are there.
async fn mails_to(rt: &LocalRuntime, admin: &str, to: &str, n: usize) -> Vec<Value> {
    eventually(&format!("{n} mail(s) to {to}"), Duration::from_secs(30), || async {
        let (_, outbox) = rt.get(admin, "/api/v1/outbox").await;
        let mine: Vec<Value> =
            outbox["items"].as_array().cloned().unwrap_or_default().into_iter().filter(|m| m["to"] == to).collect();
        (mine.len() >= n).then_some(mine)
    })
    .await
}

async fn sell(rt: &LocalRuntime, admin: &str, lead: u64, partner: u64) -> u64 {
    let (status, sale) = rt.post(admin, "/api/v1/leads/sell", json!({"lead_ids": [lead], "partner_id": partner})).await;
    assert_eq!(status, 202, "{sale}");
    sale["sale_id"].as_u64().expect("sale id")
}

async fn delivered(rt: &LocalRuntime, admin: &str, partner: u64, sale: u64) {
    eventually("the sale delivered", Duration::from_secs(30), || async {
        let (_, list) = rt.get(admin, &format!("/api/v1/sales-to-partners?partner_id={partner}")).await;
        list["items"].as_array()?.iter().find(|d| d["sale_id"] == sale && d["status"] == "delivered").map(|_| ())
    })
    .await;
}

fn assert_private_kept(mail: &Value) {
    let text = mail.to_string();
    for secret in ["6789", "123456789", "1980-05"] {
        assert!(!text.contains(secret), "a partner mail carries a confidential value: {mail}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sale_notification_uses_the_partners_template_else_the_built_in_text_and_is_sent_once() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let t = template(
        &rt,
        &admin,
        "Sold to you",
        "{{company_name}} sold {{partner_name}}: {{first_name}} {{last_name}}",
        "Lead {{lead_id}}: {{first_name}} {{last_name}}, {{primary_phone}}, {{email}}, {{city}} {{state}}",
    )
    .await;
    let templated = partner(
        &rt,
        &admin,
        json!({"name": "Templated Buyer", "buys_leads": true, "lead_delivery_method": "email",
               "lead_sale_emails": ["desk@templated.test"], "sells_leads": true, "default_lead_location": "queue",
               "lead_auto_response_template_id": t}),
    )
    .await;
    let plain = partner(
        &rt,
        &admin,
        json!({"name": "Plain Buyer", "buys_leads": true, "lead_delivery_method": "email",
               "lead_sale_emails": ["desk@plain.test"]}),
    )
    .await;
    let lead = secret_lead(&rt, &admin, "Tess").await;
    let sale = sell(&rt, &admin, lead, templated).await;
    delivered(&rt, &admin, templated, sale).await;
    let mail = mails_to(&rt, &admin, "desk@templated.test", 1).await.remove(0);
    assert_eq!(mail["subject"], "Acme Alarm Co. sold Templated Buyer: Tess Mailer", "{mail}");
    assert_eq!(mail["body"], format!("Lead {lead}: Tess Mailer, 8015550123, mailer@example.com, Provo UT"), "{mail}");
    assert_private_kept(&mail);

    let sale2 = sell(&rt, &admin, lead, plain).await;
    delivered(&rt, &admin, plain, sale2).await;
    let built_in = mails_to(&rt, &admin, "desk@plain.test", 1).await.remove(0);
    assert_eq!(built_in["subject"], "Acme Alarm Co. sold you a lead: Tess Mailer", "{built_in}");
    assert!(built_in["body"].as_str().is_some_and(|b| b.contains("Plain Buyer") && b.contains("Provo")));
    assert_private_kept(&built_in);

    // The job runs again (a redelivery after a worker stopped before recording the delivery): no second mail.
    let svc = rt.services();
    let key = keys::sale_delivery(&acme(), PartnerId(templated as u32), sale as u32, RecordId(lead));
    let stored = svc.table.get(&key).await.expect("read").expect("the delivery");
    let version = stored["version"].as_u64().expect("version");
    svc.table
        .update(&key, Update::default().set("status", "retrying").add("version", 1), None)
        .await
        .expect("rewind the delivery");
    vigil_app::selling::deliver(
        svc,
        &acme(),
        PartnerId(templated as u32),
        sale as u32,
        RecordId(lead),
        vigil_api::selling::SoldKind::Lead,
        None,
        2,
    )
    .await
    .expect("delivered again");
    let after = svc.table.get(&key).await.expect("read").expect("the delivery");
    assert_eq!((after["status"].as_str(), after["version"].as_u64()), (Some("delivered"), Some(version + 2)));
    assert_eq!(mails_to(&rt, &admin, "desk@templated.test", 1).await.len(), 1, "one mail per recipient and event");
    rt.stop().await;
}

/// A buyer's intake on loopback that takes every post (201 with a lead ID); its URL.
async fn accepting_buyer() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://127.0.0.1:{}/api/v1/public/leads", listener.local_addr().expect("addr").port());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the whole request (closing on unread bytes would reset the connection); the answer does not
                // depend on it.
                let mut buf = vec![0u8; 16 * 1024];
                let mut got = Vec::new();
                loop {
                    if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(got.get(..end).unwrap_or_default()).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if got.len() >= end + 4 + length {
                            break;
                        }
                    }
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(buf.get(..n).unwrap_or_default()),
                    }
                }
                let answer = r#"{"lead_id":"77"}"#;
                let resp = format!(
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_posted_to_a_buyers_vigil_also_tells_its_sale_emails() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let url = accepting_buyer().await;
    let buyer = partner(
        &rt,
        &admin,
        json!({"name": "Posted Buyer", "buys_leads": true, "lead_delivery_method": "vigil",
               "lead_post_url": url, "lead_post_key": "k-123456789012",
               "lead_sale_emails": ["notice@posted.test"]}),
    )
    .await;
    let lead = secret_lead(&rt, &admin, "Pia").await;
    let sale = sell(&rt, &admin, lead, buyer).await;
    delivered(&rt, &admin, buyer, sale).await;
    let mail = mails_to(&rt, &admin, "notice@posted.test", 1).await.remove(0);
    assert_eq!(mail["subject"], "Acme Alarm Co. sold you a lead: Pia Mailer", "{mail}");
    assert_private_kept(&mail);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_purchase_notification_goes_to_the_partners_purchase_emails_once_each_masked() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let t =
        template(&rt, &admin, "Bought", "Bought from {{partner_name}}", "{{first_name}} {{last_name}} {{zip}}").await;
    let seller = partner(
        &rt,
        &admin,
        json!({"name": "Seller Co", "sells_leads": true, "default_lead_location": "queue",
               "lead_purchase_emails": ["buy1@acme.test", "buy2@acme.test"], "lead_auto_response_template_id": t}),
    )
    .await;
    let lead = secret_lead(&rt, &admin, "Quin").await;
    let svc = rt.services();
    let item = svc.table.get(&keys::record(&acme(), RecordId(lead))).await.expect("read").expect("the lead");
    let mut record: Record = from_item(item).expect("record");
    record.lead.customer.birthdate = Some(BIRTHDATE.into());
    let seller_id = PartnerId(seller as u32);
    // What the intake adds to the transaction that creates the record; a second run (a retried intake) is the same.
    for _ in 0..2 {
        let ops = vigil_app::partners::emails::purchase_notification(svc, &acme(), seller_id, &record)
            .await
            .expect("purchase notification");
        assert_eq!(ops.len(), 2, "one job per purchase email");
        svc.table.transact(ops).await.expect("queued");
    }
    for to in ["buy1@acme.test", "buy2@acme.test"] {
        let mails = mails_to(&rt, &admin, to, 1).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0]["subject"], "Bought from Seller Co");
        assert_eq!(mails[0]["body"], "Quin Mailer 84601");
        assert_private_kept(&mails[0]);
    }
    // A partner without a template: the built-in text.
    let m = vigil_app::partners::emails::purchase_message(
        svc,
        &acme(),
        &vigil_app::partners::StoredPartner {
            id: seller_id,
            settings: vigil_app::partners::PartnerSettings {
                name: "Seller Co".into(),
                ..vigil_app::partners::PartnerSettings::blank()
            },
            lead_post_key_encrypted: None,
            customer_post_key_encrypted: None,
            version: 1,
            versioned: true,
        },
        &record,
    )
    .await
    .expect("rendered");
    assert_eq!(m.subject, "Seller Co sold you a lead: Quin Mailer");
    assert!(m.body.contains("Acme Alarm Co.") && !m.body.contains("1980") && !m.body.contains("6789"), "{}", m.body);
    rt.stop().await;
}
