//! The lead write side over HTTP through the local runtime: New Lead with its validation and duplicate check, edits
//! with versions and history, stage moves, tags, delete, permissions, SSN masking and the five-star email.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_domain::{CompanyId, RecordId};
use vigil_store::{keys, Index, Query};
use vigil_tests::runtime::{eventually, LocalRuntime};
use vigil_tests::users::{ADMIN, INSTALLER, LEAD_REP, OFFICE};

/// A source with at least one campaign, another source's campaign, and a lead status from the form options.
async fn options(rt: &LocalRuntime, token: &str) -> (u64, u64, u64, u64) {
    let (status, opts) = rt.get(token, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{opts}");
    let sources = opts["sources"].as_array().unwrap();
    let source = &sources[0];
    let campaign = source["campaigns"][0]["id"].as_u64().unwrap();
    let foreign = sources[1]["campaigns"][0]["id"].as_u64().unwrap();
    let disposition =
        opts["dispositions"].as_array().unwrap().iter().find(|d| d["name"] == "Warm").unwrap()["id"].as_u64().unwrap();
    (source["id"].as_u64().unwrap(), campaign, foreign, disposition)
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default()
}

async fn new_lead(rt: &LocalRuntime, token: &str, first: &str) -> Value {
    let (source, campaign, _, disposition) = options(rt, token).await;
    let body = json!({
        "source_id": source, "campaign_id": campaign, "first_name": first, "last_name": "Testperson",
        "primary_phone": "(801) 555-0199", "disposition_id": disposition, "city": "Provo", "state": "UT",
        "zip": "84601-1234", "address1": "12 Main St", "email": "Tess@Example.com", "language": "es"
    });
    let (status, lead) = rt.post(token, "/api/v1/leads?allow_duplicates=true", body).await;
    assert_eq!(status, 201, "{lead}");
    lead
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_options_offer_sources_statuses_states_and_lists() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(LEAD_REP).await;
    let (status, opts) = rt.get(&token, "/api/v1/leads/form-options").await;
    assert_eq!(status, 200, "{opts}");
    assert!(opts["sources"].as_array().unwrap().iter().all(|s| s["campaigns"].is_array()));
    let names: Vec<&str> =
        opts["dispositions"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Hot", "Warm", "Cold"]);
    let states = opts["states"].as_array().unwrap();
    assert!(states.iter().any(|s| s["code"] == "DC" && s["country"] == "US"));
    assert!(states.iter().any(|s| s["code"] == "PR" && s["country"] == "US"));
    assert!(states.iter().any(|s| s["code"] == "ON" && s["country"] == "CA" && s["name"] == "Ontario"));
    assert_eq!(opts["account_types"][0]["value"], "residential");
    assert!(!opts["account_classes"].as_array().unwrap().is_empty());
    assert!(opts["languages"].as_array().unwrap().iter().any(|l| l["value"] == "es"));
    assert!(opts["industries"].as_array().unwrap().iter().any(|i| i == "Healthcare"));
    let installer = rt.sign_in(INSTALLER).await;
    assert_eq!(rt.get(&installer, "/api/v1/leads/form-options").await.0, 403);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_validates_every_field_and_checks_duplicates() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let (source, campaign, foreign_campaign, disposition) = options(&rt, &token).await;

    // Everything wrong at once.
    let (status, problem) = rt
        .post(
            &token,
            "/api/v1/leads",
            json!({"zip": "22", "email": "nope", "city": "", "state": "UT", "account_type": "castle"}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let f = fields(&problem);
    for want in [
        "source_id",
        "first_name",
        "last_name",
        "primary_phone",
        "disposition_id",
        "city",
        "zip",
        "email",
        "account_type",
    ] {
        assert!(f.iter().any(|x| x == want), "{want} not named in {f:?}");
    }

    let good = json!({
        "source_id": source, "campaign_id": campaign, "first_name": "Dana", "last_name": "Quill",
        "primary_phone": "801-555-0142", "disposition_id": disposition, "city": "Provo", "state": "UT", "zip": "84601",
        "address1": "77 Canyon Rd"
    });
    // A Canadian postal code with a US state, and a campaign of another source.
    let mut bad = good.clone();
    bad["zip"] = json!("K1A 0B6");
    bad["campaign_id"] = json!(foreign_campaign);
    let (status, problem) = rt.post(&token, "/api/v1/leads", bad).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["zip"], "form rules first: {problem}");
    let mut bad = good.clone();
    bad["campaign_id"] = json!(foreign_campaign);
    bad["disposition_id"] = json!(999);
    let (status, problem) = rt.post(&token, "/api/v1/leads", bad).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["campaign_id", "disposition_id"]);
    // Canadian province with a postal code is fine.
    let mut canadian = good.clone();
    canadian["state"] = json!("ON");
    canadian["zip"] = json!("k1a0b6");
    canadian["first_name"] = json!("Pierre");
    let (status, lead) = rt.post(&token, "/api/v1/leads", canadian).await;
    assert_eq!(status, 201, "{lead}");
    assert_eq!(lead["zip"], "K1A 0B6");

    let (status, lead) = rt.post(&token, "/api/v1/leads", good.clone()).await;
    assert_eq!(status, 201, "{lead}");
    assert!(lead["id"].as_u64().unwrap() > 120);
    assert_eq!(lead["version"], 1);
    assert_eq!(lead["stage"], "new");
    assert_eq!(lead["account_type"], "residential");
    assert_eq!(lead["disposition"], "Warm");
    assert_eq!(lead["primary_phone"], "8015550142");
    assert!(lead["score"].is_number() && lead["score_factors"].is_array());
    assert!(lead.get("ssn_encrypted").is_none());
    let (status, fetched) = rt.get(&token, &format!("/api/v1/leads/{}", lead["id"])).await;
    assert_eq!(status, 200);
    assert_eq!(fetched["first_name"], "Dana");

    // Same name, phone and address (case and punctuation aside): 409 listing the match, unless allowed.
    let mut again = good.clone();
    again["first_name"] = json!("DANA");
    again["address1"] = json!("77 canyon rd.");
    let (status, problem) = rt.post(&token, "/api/v1/leads", again.clone()).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["current"]["duplicates"][0]["id"], lead["id"]);
    let (status, second) = rt.post(&token, "/api/v1/leads?allow_duplicates=true", again).await;
    assert_eq!(status, 201, "{second}");
    assert_ne!(second["id"], lead["id"]);
    assert_eq!(rt.post(&token, "/api/v1/leads?allow_duplicates=maybe", good).await.0, 422);

    // Not JSON, or not an object: 422, never 500.
    let resp = rt.http().post(rt.url("/api/v1/leads")).bearer_auth(&token).body("{oops").send().await.unwrap();
    assert_eq!(resp.status(), 422);
    assert_eq!(rt.post(&token, "/api/v1/leads", json!([1, 2])).await.0, 422);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_need_the_current_version_and_write_history() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let lead = new_lead(&rt, &token, "Edith").await;
    let path = format!("/api/v1/leads/{}", lead["id"]);

    let (status, problem) = rt.patch(&token, &path, json!({"city": "Orem"})).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["version"]);

    let before_score = lead["score"].as_u64().unwrap();
    let edit = json!({"version": 1, "city": "Orem", "job_title": "Chief Executive Officer", "industry": "Healthcare",
                      "employees": 1200, "web_visits": 3, "do_not_call": true, "next_followup": "2030-05-01"});
    let (status, edited) = rt.patch(&token, &path, edit).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["city"], "Orem");
    assert_eq!(edited["do_not_call"], true);
    assert!(edited["score"].as_u64().unwrap() > before_score);
    let factors = edited["score_factors"].as_array().unwrap();
    assert_eq!(factors.len(), 4);
    assert_eq!(factors.iter().map(|f| f["points"].as_u64().unwrap()).sum::<u64>(), edited["score"].as_u64().unwrap());

    // Someone else's stale version: 409 with the record as stored.
    let (status, problem) = rt.patch(&token, &path, json!({"version": 1, "city": "Lehi"})).await;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("another user changed this lead"));
    assert_eq!(problem["current"]["city"], "Orem");
    assert_eq!(problem["current"]["version"], 2);

    // Bad values are 422 naming each field; a ZIP that does not fit a new state too.
    let bad = json!({"version": 2, "rating": 7, "state": "ON", "email": "x", "industry": "Pirates", "next_followup": "2030-02-30", "id": 5});
    let (status, problem) = rt.patch(&token, &path, bad).await;
    assert_eq!(status, 422, "{problem}");
    let f = fields(&problem);
    for want in ["rating", "email", "industry", "next_followup", "id", "zip"] {
        assert!(f.iter().any(|x| x == want), "{want} not named in {f:?}");
    }

    let (status, history) = rt.get(&token, &format!("{path}/history")).await;
    assert_eq!(status, 200);
    let entries = history["items"].as_array().unwrap();
    let city = entries.iter().find(|e| e["field"] == "city").expect("a city entry");
    assert_eq!((city["before"].as_str(), city["after"].as_str()), (Some("Provo"), Some("Orem")));
    assert_eq!(city["by"], "acme-office");
    assert!(city["at"].as_str().unwrap().ends_with('Z'));
    assert!(entries.iter().any(|e| e["field"] == "job_title"));
    assert!(entries.iter().any(|e| e["field"] == "created"));
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stages_move_one_step_and_name_the_allowed_moves() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in(OFFICE).await;
    let lead = new_lead(&rt, &token, "Stella").await;
    let path = format!("/api/v1/leads/{}/stage", lead["id"]);

    let (status, problem) = rt.post(&token, &path, json!({"to": "qualified", "version": 1})).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(fields(&problem), ["to"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("contacted"));
    // Every move says which version it is based on.
    let (status, problem) = rt.post(&token, &path, json!({"to": "contacted"})).await;
    assert_eq!((status, fields(&problem)), (422, vec!["version".to_owned()]), "{problem}");

    let (status, moved) = rt.post(&token, &path, json!({"to": "contacted", "version": 1})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["stage"], "contacted");
    assert_eq!(moved["version"], 2);
    let (status, problem) = rt.post(&token, &path, json!({"to": "new", "version": 2})).await;
    assert_eq!(status, 422);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("qualified or unqualified"), "{problem}");
    let (status, problem) = rt.post(&token, &path, json!({"to": "converted", "version": 2})).await;
    assert_eq!(status, 422);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("convert"), "{problem}");
    assert_eq!(rt.post(&token, &path, json!({"to": "won", "version": 2})).await.0, 422);
    assert_eq!(rt.post(&token, &path, json!({"to": "unqualified", "version": 1})).await.0, 409);
    assert_eq!(rt.post(&token, &path, json!({"to": "unqualified", "version": 2})).await.0, 200);
    let (status, reopened) = rt.post(&token, &path, json!({"to": "new", "version": 3})).await;
    assert_eq!(status, 200);
    assert_eq!(reopened["stage"], "new");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_create_tags_and_leads_carry_tag_ids() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let (status, tags) = rt.get(&office, "/api/v1/tags").await;
    assert_eq!(status, 200);
    assert!(tags["items"].as_array().unwrap().iter().any(|t| t["name"] == "Pool"));

    assert_eq!(rt.post(&office, "/api/v1/tags", json!({"name": "Gate code"})).await.0, 403);
    let (status, tag) = rt.post(&admin, "/api/v1/tags", json!({"name": "Gate code"})).await;
    assert_eq!(status, 201, "{tag}");
    assert_eq!(tag["name"], "Gate code");
    let tag_id = tag["id"].as_u64().unwrap();
    assert!(tag_id > 10);
    assert_eq!(rt.post(&admin, "/api/v1/tags", json!({"name": "gate CODE"})).await.0, 422);
    assert_eq!(rt.post(&admin, "/api/v1/tags", json!({"name": "  "})).await.0, 422);

    let lead = new_lead(&rt, &office, "Tanya").await;
    let path = format!("/api/v1/leads/{}/tags", lead["id"]);
    let (status, problem) = rt.put(&office, &path, json!({"tag_ids": [2]})).await;
    assert_eq!((status, fields(&problem)), (422, vec!["version".to_owned()]), "{problem}");
    let (status, tagged) = rt.put(&office, &path, json!({"tag_ids": [tag_id, 2, 2], "version": 1})).await;
    assert_eq!(status, 200, "{tagged}");
    assert_eq!(tagged["tags"], json!(["2", tag_id.to_string()]));
    assert_eq!(rt.put(&office, &path, json!({"tag_ids": [2], "version": 1})).await.0, 409);
    let (status, problem) = rt.put(&office, &path, json!({"tag_ids": [9999]})).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&problem), ["tag_ids"]);
    assert_eq!(rt.put(&office, &path, json!({"tag_ids": ["x"]})).await.0, 422);

    let (status, preview) = rt.get(&office, &format!("/api/v1/leads/{}/preview", lead["id"])).await;
    assert_eq!(status, 200, "{preview}");
    assert!(preview["tags"].as_array().unwrap().iter().any(|t| t["name"] == "Gate code"));
    assert_eq!(preview["lead_status"], "Warm");
    assert_eq!(preview["primary_phone"], "8015550199");
    assert!(preview["source"]["name"].is_string());
    assert_eq!(preview["latest_interaction"]["field"], "tags");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_needs_the_permission_and_clears_the_partition() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let lead = new_lead(&rt, &office, "Gone").await;
    let id = lead["id"].as_u64().unwrap();
    let path = format!("/api/v1/leads/{id}");
    rt.patch(&office, &path, json!({"version": 1, "city": "Orem"})).await;

    assert_eq!(rt.delete(&office, &path).await.0, 403);
    assert_eq!(rt.delete(&admin, &path).await.0, 204);
    assert_eq!(rt.get(&admin, &path).await.0, 404);
    assert_eq!(rt.delete(&admin, &path).await.0, 404);
    let co = CompanyId::parse("acme").unwrap();
    let left = rt.services().table.query(&Query::new(Index::Base, keys::record_pk(&co, RecordId(id)))).await.unwrap();
    assert!(left.items.is_empty(), "{:?}", left.items);
    // The duplicate lookup went too: the same lead can be created again without a 409.
    let (source, campaign, _, disposition) = options(&rt, &office).await;
    let body = json!({
        "source_id": source, "campaign_id": campaign, "first_name": "Gone", "last_name": "Testperson",
        "primary_phone": "(801) 555-0199", "disposition_id": disposition, "city": "Orem", "state": "UT", "address1": "12 Main St"
    });
    assert_eq!(rt.post(&office, "/api/v1/leads", body).await.0, 201);

    // A delete a crash interrupted (the lead marked, its items left) is hidden from reads and saves, and resumes when
    // called again through the leads route.
    let lead = new_lead(&rt, &office, "Halfway").await;
    let id = lead["id"].as_u64().unwrap();
    let path = format!("/api/v1/leads/{id}");
    for n in 0..3 {
        let change = json!({"version": n + 1, "city": format!("Town {n}")});
        assert_eq!(rt.patch(&office, &path, change).await.0, 200);
    }
    let svc = rt.services();
    let key = keys::record(&co, RecordId(id));
    let mut profile = svc.table.get(&key).await.unwrap().unwrap();
    profile.insert("deleting".into(), json!(true));
    profile.retain(|k, _| !k.starts_with("GSI"));
    svc.table.put(profile, None).await.unwrap();
    assert_eq!(rt.get(&admin, &path).await.0, 404);
    assert_eq!(rt.patch(&office, &path, json!({"version": 4, "city": "Provo"})).await.0, 404);
    let (_, list) = rt.get(&admin, "/api/v1/leads?per_page=50&q=Halfway").await;
    assert!(!list["items"].as_array().unwrap().iter().any(|r| r["id"] == id), "{list}");
    assert_eq!(rt.delete(&office, &path).await.0, 403);
    assert_eq!(rt.delete(&admin, &path).await.0, 204);
    let left = svc.table.query(&Query::new(Index::Base, keys::record_pk(&co, RecordId(id)))).await.unwrap();
    assert!(left.items.is_empty(), "{:?}", left.items);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_only_reps_and_roles_without_grants_are_refused() {
    let rt = LocalRuntime::start_small().await;
    let office = rt.sign_in(OFFICE).await;
    let rep = rt.sign_in(LEAD_REP).await;
    let installer = rt.sign_in(INSTALLER).await;
    let others = new_lead(&rt, &office, "Otto").await;
    let path = format!("/api/v1/leads/{}", others["id"]);
    assert_eq!(rt.get(&rep, &path).await.0, 403);
    assert_eq!(rt.patch(&rep, &path, json!({"version": 1, "city": "Orem"})).await.0, 403);
    assert_eq!(rt.post(&rep, &format!("{path}/stage"), json!({"to": "contacted"})).await.0, 403);
    assert_eq!(rt.get(&rep, &format!("{path}/preview")).await.0, 403);

    // What a rep creates is theirs: they can open and work it.
    let mine = new_lead(&rt, &rep, "Rita").await;
    assert_eq!(mine["lead_rep_id"], "acme-lead-rep");
    let path = format!("/api/v1/leads/{}", mine["id"]);
    assert_eq!(rt.patch(&rep, &path, json!({"version": 1, "city": "Orem"})).await.0, 200);
    assert_eq!(rt.delete(&rep, &path).await.0, 403);

    let (status, _) = rt.post(&installer, "/api/v1/leads", json!({})).await;
    assert_eq!(status, 403);
    assert_eq!(rt.get(&installer, &path).await.0, 403);
    assert_eq!(
        rt.put(
            &office,
            "/api/v1/settings/lead-scoring",
            json!({"company_size": 10, "industry_fit": 10, "title_seniority": 10, "engagement": 10})
        )
        .await
        .0,
        403
    );
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssn_is_encrypted_masked_for_office_and_shown_to_admins() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let office = rt.sign_in(OFFICE).await;
    let lead = new_lead(&rt, &office, "Sybil").await;
    let id = lead["id"].as_u64().unwrap();
    let path = format!("/api/v1/leads/{id}");
    assert_eq!(lead["ssn"], Value::Null);

    let (status, problem) = rt.patch(&office, &path, json!({"version": 1, "ssn": "123-45-678"})).await;
    assert_eq!(status, 422);
    assert!(!problem.to_string().contains("45-678"));
    let (status, saved) = rt.patch(&office, &path, json!({"version": 1, "ssn": "123-45-6789"})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["ssn"], "***");
    assert!(!saved.to_string().contains("6789"));
    let (_, for_office) = rt.get(&office, &path).await;
    assert_eq!(for_office["ssn"], "***");
    let (_, for_admin) = rt.get(&admin, &path).await;
    assert_eq!(for_admin["ssn"], "123-45-6789");
    assert!(for_admin.get("ssn_encrypted").is_none() && for_admin.get("ssn_last4_index").is_none());

    // At rest: ciphertext and a blind index, never the digits.
    let co = CompanyId::parse("acme").unwrap();
    let item = rt.services().table.get(&keys::record(&co, RecordId(id))).await.unwrap().unwrap();
    let stored = serde_json::to_string(&item).unwrap();
    assert!(!stored.contains("6789") && !stored.contains("123456789"));
    let expected =
        vigil_app::ssn::ssn_last4_blind_index(&rt.services().data_keys.blind_index_key().unwrap(), &co, "6789");
    assert_eq!(item["ssn_last4_index"], json!(expected));

    // History says it changed, never what to.
    let (_, history) = rt.get(&admin, &format!("{path}/history")).await;
    let entry =
        history["items"].as_array().unwrap().iter().find(|e| e["field"] == "ssn").expect("an ssn entry").clone();
    assert!(!entry.to_string().contains("6789"), "{entry}");
    assert_eq!(entry["after"], "changed");

    // Clearing it.
    let (status, cleared) = rt.patch(&admin, &path, json!({"version": 2, "ssn": null})).await;
    assert_eq!(status, 200);
    assert_eq!(cleared["ssn"], Value::Null);
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_stars_mark_hot_and_email_the_owner() {
    let rt = LocalRuntime::start_with(|c| {
        c.seed = Some(vigil_local::seed::SeedSize { leads: 20, customers: 5 });
    })
    .await;
    let admin = rt.sign_in(ADMIN).await;
    let rep = rt.sign_in(LEAD_REP).await;
    let lead = new_lead(&rt, &rep, "Stará").await;
    let path = format!("/api/v1/leads/{}", lead["id"]);
    let (status, rated) = rt.patch(&rep, &path, json!({"version": 1, "rating": 4})).await;
    assert_eq!(status, 200, "{rated}");
    assert_eq!(rated["hot"], true);
    let today = rated["next_followup"].as_str().unwrap().to_owned();
    assert_eq!(today.len(), 10);
    assert!(rated["updated_at"].as_str().unwrap().starts_with(&today));

    let (status, rated) = rt.patch(&rep, &path, json!({"version": 2, "rating": 5})).await;
    assert_eq!(status, 200, "{rated}");
    let mail = eventually("the five-star email in the outbox", Duration::from_secs(20), || async {
        let (_, outbox) = rt.get(&admin, "/api/v1/outbox").await;
        outbox["items"]
            .as_array()?
            .iter()
            .find(|m| m["subject"].as_str().is_some_and(|s| s.contains("Five-star lead")))
            .cloned()
    })
    .await;
    assert_eq!(mail["to"], "lead.rep@acme.example");
    assert!(mail["subject"].as_str().unwrap().contains(&lead["id"].to_string()));

    // Weights are the admin's to change; the next update uses them.
    let (status, w) = rt.get(&rep, "/api/v1/settings/lead-scoring").await;
    assert_eq!(status, 200);
    assert_eq!(w["company_size"], 30);
    let bad = json!({"company_size": 90, "industry_fit": 90, "title_seniority": 0, "engagement": 0});
    assert_eq!(rt.put(&admin, "/api/v1/settings/lead-scoring", bad).await.0, 422);
    let all_engagement = json!({"company_size": 0, "industry_fit": 0, "title_seniority": 0, "engagement": 100});
    assert_eq!(rt.put(&admin, "/api/v1/settings/lead-scoring", all_engagement).await.0, 200);
    let (status, rescored) = rt.patch(&rep, &path, json!({"version": 3, "webinars_attended": 4})).await;
    assert_eq!(status, 200, "{rescored}");
    assert_eq!(rescored["score"], 100);
    rt.stop().await;
}

/// Two admins edit the lead-score weights from the same read: the second save gets 409 with the first one's weights.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_score_weights_are_versioned() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let (_, read) = rt.get(&admin, "/api/v1/settings/lead-scoring").await;
    assert_eq!(read["version"], 0, "never saved: the defaults");
    let mut first = read.clone();
    first["engagement"] = json!(10);
    let (status, saved) = rt.put(&admin, "/api/v1/settings/lead-scoring", first).await;
    assert_eq!((status, saved["version"].as_u64()), (200, Some(1)), "{saved}");
    let mut second = read.clone();
    second["company_size"] = json!(5);
    let (status, p) = rt.put(&admin, "/api/v1/settings/lead-scoring", second.clone()).await;
    assert_eq!(status, 409, "{p}");
    assert_eq!((p["current"]["engagement"].as_u64(), p["current"]["version"].as_u64()), (Some(10), Some(1)));
    second["version"] = json!(1);
    let (status, saved) = rt.put(&admin, "/api/v1/settings/lead-scoring", second).await;
    assert_eq!((status, saved["version"].as_u64()), (200, Some(2)), "{saved}");
    rt.stop().await;
}

/// Tag names are unique by a conditional write on a name item: admins racing to add one name end with one tag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_creates_of_one_tag_name_make_one_tag() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let body = json!({"name": "Night shift"});
    let answers = futures::future::join_all((0..8).map(|_| rt.post(&admin, "/api/v1/tags", body.clone()))).await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1, "{answers:?}");
    for (status, p) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!((*status, p["errors"][0]["code"].as_str()), (422, Some("taken")), "{p}");
    }
    let (_, tags) = rt.get(&admin, "/api/v1/tags").await;
    let same = tags["items"].as_array().unwrap().iter().filter(|t| t["name"] == "Night shift").count();
    assert_eq!(same, 1, "{tags}");
    // Seeded names are taken too.
    assert_eq!(rt.post(&admin, "/api/v1/tags", json!({"name": "POOL"})).await.0, 422);
    rt.stop().await;
}
