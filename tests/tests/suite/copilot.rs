//! The Sales Copilot over HTTP on the embedded default (deterministic engine): BANT at each dimension's edge, hot
//! or not with reasons, the intro email in English and Spanish and under opt-out, next action kinds, the history
//! entry (the ask and the engine, never the text), the per-user rate limit and who may ask; and the model engine
//! through the Bedrock client against a stub endpoint, with the deterministic fallback.

use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vigil_api::copilot::{Ask, CopilotAsk};
use vigil_app::{Actor, Services};
use vigil_domain::{CompanyId, RecordId, UserId};
use vigil_store::bedrock::BedrockModel;
use vigil_store::keys;
use vigil_tests::runtime::LocalRuntime;
use vigil_tests::stub::{Reply, Stub};
use vigil_tests::users::{ADMIN, INSTALLER, LEAD_REP, OFFICE, OTHER_ADMIN};

/// A lead's SSN, which the admin may read and no model may.
const SSN: &str = "123-45-6789";

/// A new lead (stage New) with `fields` set by an edit afterwards, as the lead page would.
async fn lead_with(rt: &LocalRuntime, token: &str, first: &str, fields: Value) -> Value {
    let (status, opts) = rt.get(token, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{opts}");
    let source = &opts["sources"][0];
    let body = json!({
        "source_id": source["id"], "campaign_id": source["campaigns"][0]["id"], "first_name": first,
        "last_name": "Copilot", "primary_phone": "(801) 555-0142", "city": "Provo", "state": "UT",
        "zip": "84601", "address1": "12 Main St", "email": "copilot@example.com",
        "disposition_id": opts["dispositions"][0]["id"]
    });
    let (status, lead) = rt.post(token, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    if fields.as_object().is_some_and(|m| m.is_empty()) {
        return lead;
    }
    let mut patch = fields;
    patch["version"] = lead["version"].clone();
    let (status, lead) = rt.patch(token, &format!("/api/v1/leads/{}", lead["id"]), patch).await;
    assert_eq!(status, 200, "{lead}");
    lead
}

async fn ask(rt: &LocalRuntime, token: &str, lead: &Value, body: Value) -> (u16, Value) {
    rt.post(token, &format!("/api/v1/leads/{}/copilot", lead["id"]), body).await
}

async fn qualify(rt: &LocalRuntime, token: &str, lead: &Value) -> Value {
    let (status, a) = ask(rt, token, lead, json!({"ask": "qualify"})).await;
    assert_eq!(status, 200, "{a}");
    a
}

fn score(a: &Value, dim: &str) -> u64 {
    a["bant"][dim]["score"].as_u64().unwrap_or(999)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qualify_scores_each_bant_dimension_from_the_leads_fields_at_its_edges() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;

    let empty = qualify(&rt, &token, &lead_with(&rt, &token, "Empty", json!({})).await).await;
    assert_eq!(empty["engine"], "deterministic");
    for dim in ["budget", "authority", "need", "timeline"] {
        assert_eq!(score(&empty, dim), 0, "{dim}: {empty}");
        assert!(!empty["bant"][dim]["reason"].as_str().unwrap().is_empty());
    }
    assert_eq!(empty["total"], 0);
    assert!(empty.get("hot").is_none() && empty.get("email").is_none(), "{empty}");

    let below = lead_with(
        &rt,
        &token,
        "Below",
        json!({"budget": 4999, "job_title": "Vice President", "industry": "Retail", "timeline": "in 6 months"}),
    )
    .await;
    let below = qualify(&rt, &token, &below).await;
    assert_eq!(
        [score(&below, "budget"), score(&below, "authority"), score(&below, "need"), score(&below, "timeline")],
        [20, 20, 5, 10],
        "{below}"
    );
    assert!(below["bant"]["budget"]["reason"].as_str().unwrap().contains("$4,999"), "{below}");
    assert!(below["bant"]["authority"]["reason"].as_str().unwrap().contains("Vice President"), "{below}");

    let top = lead_with(
        &rt,
        &token,
        "Top",
        json!({"budget": 5000, "job_title": "CEO", "industry": "Healthcare", "timeline": "ASAP",
               "webinars_attended": 1}),
    )
    .await;
    let top = qualify(&rt, &token, &top).await;
    assert_eq!([score(&top, "budget"), score(&top, "authority"), score(&top, "timeline")], [25, 25, 25], "{top}");
    // Healthcare is among the default best industries (+10) and a webinar is engagement (+5); no tags (+0).
    assert_eq!(score(&top, "need"), 15, "{top}");
    assert_eq!(top["total"], 90);
    assert!(top["text"].as_str().unwrap().starts_with("BANT 90/100"), "{top}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_says_yes_or_no_with_its_reasons() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let cold = lead_with(&rt, &token, "Cold", json!({"rating": 2})).await;
    let (status, a) = ask(&rt, &token, &cold, json!({"ask": "hot"})).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["hot"], false);
    let reasons: Vec<&str> = a["reasons"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(reasons.iter().any(|r| r.contains("rated 2 stars")), "{a}");
    assert!(a.get("bant").is_none());

    let warm = lead_with(&rt, &token, "Warm", json!({"rating": 4})).await;
    let (_, a) = ask(&rt, &token, &warm, json!({"ask": "hot"})).await;
    assert_eq!(a["hot"], true, "{a}");
    assert_eq!(a["reasons"], json!(["rated 4 stars (4 or more is hot)"]));

    let ready = lead_with(&rt, &token, "Ready", json!({"budget": 2000, "timeline": "next month"})).await;
    let (_, a) = ask(&rt, &token, &ready, json!({"ask": "hot"})).await;
    assert_eq!(a["hot"], true, "{a}");
    assert!(a["reasons"][0].as_str().unwrap().contains("budget (15/25) and a near timeline (18/25)"), "{a}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intro_email_in_the_leads_language_and_not_sendable_under_opt_out() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let en = lead_with(&rt, &token, "Edna", json!({"language": "en", "business_name": "Edna's Bakery"})).await;
    let (status, a) = ask(&rt, &token, &en, json!({"ask": "intro_email"})).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["email"]["subject"], "Security for Edna's Bakery");
    let body = a["email"]["body"].as_str().unwrap();
    assert!(body.starts_with("Hi Edna,") && body.contains("in Provo"), "{body}");
    assert_eq!(a["email"]["may_send"], true);

    let es = lead_with(&rt, &token, "Elena", json!({"language": "es"})).await;
    let (_, a) = ask(&rt, &token, &es, json!({"ask": "intro_email"})).await;
    assert!(a["email"]["body"].as_str().unwrap().starts_with("Hola Elena:"), "{a}");
    assert_eq!(a["email"]["subject"], "Seguridad para su hogar");
    assert_eq!(a["email"]["may_send"], true);

    let out = lead_with(&rt, &token, "Otto", json!({"email_opt_out": true})).await;
    let (_, a) = ask(&rt, &token, &out, json!({"ask": "intro_email"})).await;
    assert_eq!(a["email"]["may_send"], false, "{a}");
    assert!(a["text"].as_str().unwrap().starts_with("Do not send"), "{a}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_action_follows_stage_bant_and_failed_contacts() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let kind = |a: &Value| a["next_action"]["kind"].as_str().unwrap_or("").to_owned();
    let stage = |lead: Value, to: &'static str| {
        let rt = &rt;
        let token = token.clone();
        async move {
            let (status, moved) = rt
                .post(
                    &token,
                    &format!("/api/v1/leads/{}/stage", lead["id"]),
                    json!({"to": to, "version": lead["version"]}),
                )
                .await;
            assert_eq!(status, 200, "{moved}");
            moved
        }
    };

    let new = lead_with(&rt, &token, "Nina", json!({})).await;
    assert_eq!(kind(&qualify(&rt, &token, &new).await), "schedule_call");
    let no_call = lead_with(&rt, &token, "Noel", json!({"do_not_call": true})).await;
    assert_eq!(kind(&qualify(&rt, &token, &no_call).await), "send_follow_up");

    let contacted = stage(lead_with(&rt, &token, "Cora", json!({})).await, "contacted").await;
    assert_eq!(kind(&qualify(&rt, &token, &contacted).await), "send_follow_up");

    let strong = json!({"budget": 5000, "job_title": "Owner", "timeline": "this month"});
    let ready = stage(lead_with(&rt, &token, "Rhea", strong).await, "contacted").await;
    let a = qualify(&rt, &token, &ready).await;
    assert_eq!(kind(&a), "qualify", "{a}");
    let qualified = stage(ready, "qualified").await;
    assert_eq!(kind(&qualify(&rt, &token, &qualified).await), "convert");
    let unqualified = stage(lead_with(&rt, &token, "Ugo", json!({})).await, "contacted").await;
    let unqualified = stage(unqualified, "unqualified").await;
    assert_eq!(kind(&qualify(&rt, &token, &unqualified).await), "reopen");

    // Three follow-up dates replaced by later ones: three contacts that did not settle the lead.
    let mut lead =
        stage(lead_with(&rt, &token, "Fay", json!({"next_followup": "2030-01-01"})).await, "contacted").await;
    for (i, date) in ["2030-01-02", "2030-01-03", "2030-01-04"].into_iter().enumerate() {
        let a = qualify(&rt, &token, &lead).await;
        assert_eq!(kind(&a), "send_follow_up", "after {i} failed contacts: {a}");
        let (status, saved) = rt
            .patch(
                &token,
                &format!("/api/v1/leads/{}", lead["id"]),
                json!({"next_followup": date, "version": lead["version"]}),
            )
            .await;
        assert_eq!(status, 200, "{saved}");
        lead = saved;
    }
    let a = qualify(&rt, &token, &lead).await;
    assert_eq!(kind(&a), "disqualify", "{a}");
    assert!(a["next_action"]["label"].as_str().unwrap().contains("3 contact attempts"), "{a}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ask_is_in_the_history_without_its_text() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let lead = lead_with(&rt, &token, "Hugo", json!({"budget": 1234})).await;
    let a = qualify(&rt, &token, &lead).await;
    let (status, a2) = ask(&rt, &token, &lead, json!({"ask": "question", "question": "What is the budget?"})).await;
    assert_eq!(status, 200, "{a2}");
    assert!(a2["text"].as_str().unwrap().contains("$1,234"), "{a2}");
    let (status, history) = rt.get(&token, &format!("/api/v1/leads/{}/history", lead["id"])).await;
    assert_eq!(status, 200);
    let asks: Vec<&Value> = history["items"].as_array().unwrap().iter().filter(|e| e["field"] == "copilot").collect();
    assert_eq!(asks.len(), 2, "{history}");
    assert_eq!(asks[0]["after"], json!({"ask": "qualify", "engine": "deterministic"}));
    assert_eq!(asks[1]["after"], json!({"ask": "question", "engine": "deterministic"}));
    let text = history.to_string();
    assert!(!text.contains("$1,234") && !text.contains(a["text"].as_str().unwrap()), "{history}");
    assert!(!text.contains("What is the budget"), "the question itself is not kept: {history}");

    let (status, problem) = ask(&rt, &token, &lead, json!({"ask": "question"})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "question");
    let (status, _) = ask(&rt, &token, &lead, json!({"ask": "predict"})).await;
    assert!(status == 400 || status == 422, "an unknown ask is refused");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asks_over_the_per_user_limit_are_429_with_retry_after() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let lead = lead_with(&rt, &token, "Rate", json!({})).await;
    let path = format!("/api/v1/leads/{}/copilot", lead["id"]);
    let mut limited = None;
    // Twenty asks a minute; a window boundary mid-loop can grant at most twenty more.
    for _ in 0..41 {
        let resp = rt.http().post(rt.url(&path)).bearer_auth(&token).json(&json!({"ask": "hot"})).send().await.unwrap();
        if resp.status().as_u16() == 429 {
            limited = Some(resp);
            break;
        }
        assert_eq!(resp.status().as_u16(), 200);
    }
    let resp = limited.expect("the 21st ask in a minute is refused");
    let retry: u32 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let problem: Value = resp.json().await.unwrap();
    assert_eq!(problem["status"], 429, "{problem}");

    // Another user has an allowance of their own.
    let rep = rt.sign_in(LEAD_REP).await;
    let rep_lead = lead_with(&rt, &rep, "Own", json!({})).await;
    assert_eq!(ask(&rt, &rep, &rep_lead, json!({"ask": "hot"})).await.0, 200);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_callers_who_can_read_the_lead_may_ask() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let lead = lead_with(&rt, &token, "Priv", json!({})).await;
    let installer = rt.sign_in(INSTALLER).await;
    let (get, _) = rt.get(&installer, &format!("/api/v1/leads/{}", lead["id"])).await;
    let (status, _) = ask(&rt, &installer, &lead, json!({"ask": "qualify"})).await;
    assert_eq!(status, get, "the Copilot answers as the lead's GET does");
    assert_eq!(status, 403);
    let other = rt.sign_in(OTHER_ADMIN).await;
    assert_eq!(ask(&rt, &other, &lead, json!({"ask": "qualify"})).await.0, 404);
    let (status, _) = rt.post(&token, "/api/v1/leads/999999/copilot", json!({"ask": "hot"})).await;
    assert_eq!(status, 404);
    // Refused asks leave no trace.
    let (_, history) = rt.get(&token, &format!("/api/v1/leads/{}/history", lead["id"])).await;
    assert!(!history["items"].as_array().unwrap().iter().any(|e| e["field"] == "copilot"), "{history}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_never_carry_the_ssn_even_for_callers_who_may_see_it() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let lead = lead_with(&rt, &token, "Sol", json!({"ssn": "123-45-6789"})).await;
    for body in [
        json!({"ask": "qualify"}),
        json!({"ask": "intro_email"}),
        json!({"ask": "question", "question": "What is the ssn?"}),
    ] {
        let (status, a) = ask(&rt, &token, &lead, body).await;
        assert_eq!(status, 200, "{a}");
        let text = a.to_string();
        assert!(!text.contains("6789") && !text.contains("***"), "{text}");
    }
    rt.stop().await;
}

/// A Converse answer whose assistant message is `text`, as Bedrock's runtime API returns it.
fn converse(text: &str) -> Reply {
    Reply::json(
        200,
        &json!({"output": {"message": {"role": "assistant", "content": [{"text": text}]}}, "stopReason": "end_turn",
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}, "metrics": {"latencyMs": 1}}),
    )
}

/// The model engine through the real Bedrock client against a stub endpoint: a well-formed answer is taken (Vigil
/// computing the total), and a malformed answer, a timeout and a throttle each get the deterministic answer saying
/// so, after one request each (no retries keep the person waiting). The request never carries a confidential field,
/// even for a caller who may read it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_engine_answers_and_the_deterministic_one_stands_in_when_it_cannot() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(ADMIN).await;
    let lead = lead_with(&rt, &token, "Modeled", json!({"ssn": SSN})).await;
    let mode = Arc::new(Mutex::new("good"));
    let current = mode.clone();
    let stub = Stub::start(move |_| {
        let d = |s: u8| json!({"score": s, "reason": "from the lead's fields"});
        let good = json!({"text": "Worth a call.", "next_action": {"kind": "schedule_call", "label": "Call"},
            "bant": {"budget": d(20), "authority": d(15), "need": d(10), "timeline": d(5)}});
        match *current.lock().expect("mode") {
            "good" => converse(&good.to_string()),
            "malformed" => converse("Sure! The lead looks great."),
            "slow" => Reply { delay: Duration::from_secs(3), ..converse(&good.to_string()) },
            _ => Reply {
                headers: vec![("x-amzn-errortype".into(), "ThrottlingException".into())],
                ..Reply::json(429, &json!({"message": "Too many requests"}))
            },
        }
    })
    .await;
    let sdk = vigil_store::aws::aws_config(Some(&stub.url)).await;
    let model = BedrockModel::new(&sdk, "anthropic.claude-test", Duration::from_millis(700));
    let svc = Services { model: Some(Arc::new(model)), ..rt.services().clone() };
    let co = CompanyId::parse("acme").expect("company");
    let item = svc.table.get(&keys::user(&co, &UserId::parse("acme-admin").expect("id"))).await.expect("read");
    let actor = Actor { user: serde_json::from_value(Value::Object(item.expect("the admin"))).expect("a user") };
    let id = RecordId(lead["id"].as_u64().expect("id"));
    let qualify = || CopilotAsk { ask: Ask::Qualify, question: None };

    let a = vigil_app::copilot::ask(&svc, &actor, id, qualify()).await.expect("answered");
    assert_eq!((a.engine.as_str(), a.total, a.text.as_str()), ("bedrock", Some(50), "Worth a call."));
    for (m, why) in [("malformed", "expected shape"), ("slow", "in time"), ("throttled", "throttling")] {
        *mode.lock().expect("mode") = m;
        let a = vigil_app::copilot::ask(&svc, &actor, id, qualify()).await.expect("answered");
        assert_eq!(a.engine, "deterministic", "{m}");
        assert!(a.text.contains(why) && a.text.contains("built-in engine"), "{m}: {}", a.text);
        assert!(a.bant.is_some() && a.total.is_some(), "{m}");
    }
    let requests = stub.requests();
    assert_eq!(requests.len(), 4, "one request per ask, none retried");
    for r in &requests {
        assert!(r.line.starts_with("POST /model/anthropic.claude-test/converse"), "{}", r.line);
        let body = r.body_text();
        assert!(body.contains("Modeled"), "the model is given the lead");
        assert!(
            !body.contains("6789") && !body.contains("ssn") && !body.contains("***"),
            "nothing confidential leaves"
        );
    }
    let (_, history) = rt.get(&token, &format!("/api/v1/leads/{}/history", lead["id"])).await;
    let fallbacks =
        history["items"].as_array().expect("items").iter().filter(|e| e["after"]["fallback"].is_string()).count();
    assert_eq!(fallbacks, 3, "{history}");
}
