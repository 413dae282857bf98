//! Partner login (issue 10): a partner company's login reads, read-only, only the customers (and leads) attributed to
//! its partner company, masked as a partner may see them; every other route of the operation table answers 403.
//! An admin allows (and withdraws) a login from the partner's Access section.

use serde_json::{json, Value};
use std::time::Duration;
use vigil_api::routes::{Method, ROUTES};
use vigil_tests::runtime::{eventually, send, LocalRuntime};
use vigil_tests::users::{ADMIN, PARTNER};

const SSN: &str = "123-45-6789";
const BIRTHDATE: &str = "1980-05-17";
/// Values of the customer a partner must never read: SSN digits, the birthdate, sale (billing) details.
const SECRETS: [&str; 6] = ["6789", "1980-05", "123456789", "ADT-777", "2026-01-10", "CN-5521"];
/// The demo partner login's partner company (`infra/local/src/seed.rs`).
const DEMO_PARTNER: u64 = 1;

/// The reads a partner login is admitted to, as (method, path pattern).
const ALLOWED: [(Method, &str); 3] =
    [(Method::Get, "/api/v1/me"), (Method::Get, "/api/v1/customers"), (Method::Get, "/api/v1/customers/{id}")];

fn assert_no_secret(v: &Value, what: &str) {
    let text = v.to_string();
    for s in SECRETS {
        assert!(!text.contains(s), "{what} carries a value a partner may not see");
    }
}

/// A customer with confidential, sale and installation fields set, attributed to `source`.
async fn customer_of(rt: &LocalRuntime, admin: &str, source: u64, first: &str) -> u64 {
    let body = json!({
        "first_name": first, "last_name": "Partnered", "primary_phone": "(801) 555-0142", "city": "Provo",
        "state": "UT", "zip": "84601", "address1": "77 Canyon Rd", "email": "pat.customer@example.com",
        "account_type": "residential", "office_location_id": 1, "ssn": SSN, "birthdate": BIRTHDATE,
        "confirmation_number": "CN-5521", "sale_date": "2026-01-10", "adt_number": "ADT-777",
        "install_date": "2026-02-01"
    });
    let (status, c) = rt.post(admin, "/api/v1/customers", body).await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_u64().expect("customer id");
    let path = format!("/api/v1/customers/{id}");
    let (status, saved) = rt.patch(admin, &path, json!({"version": c["version"], "source_id": source})).await;
    assert_eq!(status, 200, "{saved}");
    id
}

/// The first lead the admin lists with this source.
async fn lead_of(rt: &LocalRuntime, admin: &str, source: u64) -> u64 {
    let (status, page) = rt.get(admin, &format!("/api/v1/leads?source={source}")).await;
    assert_eq!(status, 200, "{page}");
    page["items"][0]["id"].as_u64().expect("the demo seed has leads of every source")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_login_reads_only_its_own_customers_and_every_other_route_is_forbidden() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let partner = rt.sign_in(PARTNER).await;
    let mine = customer_of(&rt, &admin, DEMO_PARTNER, "Mina").await;
    let theirs = customer_of(&rt, &admin, 2, "Theo").await;
    let my_lead = lead_of(&rt, &admin, DEMO_PARTNER).await;

    // Every route of the operation table: the three reads answer, everything else (every write too) is 403.
    let mut walked = 0;
    for route in ROUTES.iter().filter(|r| r.auth) {
        let id = if route.path.starts_with("/api/v1/leads/{id}") { my_lead } else { mine };
        let path = route.path.replace("{id}", &id.to_string()).replace("{step_id}", "1");
        let body = (route.method != Method::Get && route.method != Method::Delete).then(|| json!({"version": 1}));
        let (status, answer) = send(&rt, route.method.as_str(), &partner, &path, body).await;
        let allowed = ALLOWED.contains(&(route.method, route.path));
        if allowed {
            assert_eq!(status, 200, "{} {} as the partner: {answer}", route.method, route.path);
            assert_no_secret(&answer, route.path);
        } else {
            assert_eq!(status, 403, "{} {} as the partner: {answer}", route.method, route.path);
        }
        walked += 1;
    }
    assert!(walked > 60, "the walk covers the operation table");

    // Who the partner is: only the Customers section is offered.
    let (_, me) = rt.get(&partner, "/api/v1/me").await;
    assert_eq!(me["role"], "partner");
    assert_eq!(me["partner_id"], DEMO_PARTNER);
    assert_eq!((me["nav"]["customers"].as_bool(), me["nav"]["leads"].as_bool()), (Some(true), Some(false)));
    assert_eq!(me["nav"]["admin"], false);

    // The list: only the partner's customers, whatever source is asked for.
    let (status, list) = rt.get(&partner, "/api/v1/customers?per_page=50").await;
    assert_eq!(status, 200, "{list}");
    let rows = list["items"].as_array().expect("rows");
    assert!(rows.iter().any(|r| r["id"] == mine), "the partner's own customer is listed");
    assert!(rows.iter().all(|r| r["source"]["id"] == DEMO_PARTNER), "only the partner's customers");
    assert_no_secret(&list, "the partner's customer list");
    let (status, other) = rt.get(&partner, "/api/v1/customers?source=2").await;
    assert_eq!(status, 200);
    assert_eq!(other["items"], json!([]), "another source's customers are never listed");

    // The Home page: contact and installation, no sale card, the confidential fields masked.
    let (status, home) = rt.get(&partner, &format!("/api/v1/customers/{mine}")).await;
    assert_eq!(status, 200, "{home}");
    assert_no_secret(&home, "the partner's customer Home");
    assert!(home["cards"].get("sale").is_none(), "no sale (billing) card");
    assert_eq!(home["cards"]["personal"]["first_name"], "Mina");
    assert_eq!((&home["ssn"], &home["cards"]["personal"]["birthdate"]), (&json!("***"), &json!("***")));
    assert_eq!(home["actions"]["modify"], false);
    // A lead of the partner reads through the same Home page.
    assert_eq!(rt.get(&partner, &format!("/api/v1/customers/{my_lead}")).await.0, 200);
    // Another source's customer is not the partner's to read.
    let (status, _) = rt.get(&partner, &format!("/api/v1/customers/{theirs}")).await;
    assert!(status == 403 || status == 404, "another source's customer: {status}");
    rt.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_allows_and_withdraws_a_partners_login() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let path = "/api/v1/partners/2";
    let (_, p) = rt.get(&admin, path).await;
    let body = json!({"version": p["version"], "allow_login": true, "login_username": "desk@safenest.example",
                      "email": "owner@safenest.example", "contact_person": "Sandy Nest"});
    let (status, saved) = rt.patch(&admin, path, body).await;
    assert_eq!(status, 200, "{saved}");

    // The login is among the demo users and signs in to its own partner company's customers.
    let (status, users) = rt.get("", "/api/v1/dev/users").await;
    assert_eq!(status, 200);
    assert!(users.as_array().expect("users").iter().any(|u| u["email"] == "desk@safenest.example"));
    let login = rt.sign_in("desk@safenest.example").await;
    let (_, me) = rt.get(&login, "/api/v1/me").await;
    assert_eq!((me["role"].as_str(), me["partner_id"].as_u64()), (Some("partner"), Some(2)));
    let (status, list) = rt.get(&login, "/api/v1/customers").await;
    assert_eq!(status, 200);
    assert!(list["items"].as_array().expect("rows").iter().all(|r| r["source"]["id"] == 2));
    assert_eq!(rt.get(&login, "/api/v1/partners").await.0, 403);

    // The invitation goes to the partner's contact address, once, with the username and no password.
    let mail = eventually("the login invitation", Duration::from_secs(20), || async {
        let (_, outbox) = rt.get(&admin, "/api/v1/outbox").await;
        outbox["items"].as_array()?.iter().find(|m| m["to"] == "owner@safenest.example").cloned()
    })
    .await;
    assert!(mail["body"].as_str().is_some_and(|b| b.contains("desk@safenest.example")), "{mail}");

    // Another partner may not take the same username.
    let (_, q) = rt.get(&admin, "/api/v1/partners/3").await;
    let (status, refused) = rt
        .patch(
            &admin,
            "/api/v1/partners/3",
            json!({"version": q["version"], "allow_login": true, "login_username": "desk@safenest.example"}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "login_username");

    // Withdrawn: the login's token stops working at once.
    let (_, p) = rt.get(&admin, path).await;
    let (status, _) = rt.patch(&admin, path, json!({"version": p["version"], "allow_login": false})).await;
    assert_eq!(status, 200);
    assert_eq!(rt.get(&login, "/api/v1/me").await.0, 401);
    rt.stop().await;
}

/// A partner company deleted (nothing attributed to it any more) or deactivated takes its login with it: the token
/// its login already holds is refused on the partner's own reads from then on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_or_deactivated_partners_login_is_refused() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let mut logins = Vec::new();
    for (name, username) in [("Gone Leads", "desk@gone.example"), ("Paused Leads", "desk@paused.example")] {
        let body = json!({"name": name, "kind": "outside", "sells_leads": true, "default_lead_location": "pending",
                          "allow_login": true, "login_username": username});
        let (status, p) = rt.post(&admin, "/api/v1/partners", body).await;
        assert_eq!(status, 201, "{p}");
        let token = rt.sign_in(username).await;
        for path in ["/api/v1/me", "/api/v1/customers"] {
            let (status, v) = rt.get(&token, path).await;
            assert_eq!(status, 200, "{name} {path}: {v}");
        }
        logins.push((p, token));
    }
    let refused = |status: u16| status == 401 || status == 403;

    // Deleted: nothing is attributed to it, so the delete goes through.
    let (gone, token) = &logins[0];
    let (status, e) = rt.delete(&admin, &format!("/api/v1/partners/{}?version={}", gone["id"], gone["version"])).await;
    assert_eq!(status, 204, "{e}");
    for path in ["/api/v1/me", "/api/v1/customers"] {
        let (status, _) = rt.get(token, path).await;
        assert!(refused(status), "a deleted partner's login on {path}: {status}");
    }

    // Deactivated, with its login still allowed: refused the same way.
    let (paused, token) = &logins[1];
    let path = format!("/api/v1/partners/{}", paused["id"]);
    let (status, off) = rt.patch(&admin, &path, json!({"version": paused["version"], "active": false})).await;
    assert_eq!((status, &off["allow_login"]), (200, &json!(true)), "{off}");
    for path in ["/api/v1/me", "/api/v1/customers"] {
        let (status, _) = rt.get(token, path).await;
        assert!(refused(status), "a deactivated partner's login on {path}: {status}");
    }
    rt.stop().await;
}

/// Two partners given the same new username at the same moment: the username's claim lets one of them have it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_partners_saved_at_once_never_share_a_username() {
    let rt = LocalRuntime::start_small().await;
    let admin = rt.sign_in(ADMIN).await;
    let claim = |id: u64| {
        let (rt, admin) = (&rt, admin.clone());
        async move {
            let path = format!("/api/v1/partners/{id}");
            let (_, p) = rt.get(&admin, &path).await;
            let body = json!({"version": p["version"], "allow_login": true, "login_username": "shared@desk.example"});
            rt.patch(&admin, &path, body).await.0
        }
    };
    for _ in 0..5 {
        let (a, b) = tokio::join!(claim(4), claim(5));
        let mut statuses = [a, b];
        statuses.sort_unstable();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        // Free the name again for the next round: whichever partner has it gives it up.
        for id in [4, 5] {
            let path = format!("/api/v1/partners/{id}");
            let (_, p) = rt.get(&admin, &path).await;
            if p["allow_login"] == true {
                let (status, _) = rt.patch(&admin, &path, json!({"version": p["version"], "allow_login": false})).await;
                assert_eq!(status, 200);
            }
        }
    }
    rt.stop().await;
}

/// In AWS the partner login is a user pool user with `custom:company` and `custom:partner` (moto's Cognito, from the
/// template's pool): its ID token carries the partner company, and the API serves it as that partner's login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cognito_partner_token_is_served_as_its_partners_login() {
    let (rt, pool) = vigil_tests::cognito::rehearsal_runtime("vigil-partner-login", |c| {
        c.seed = Some(vigil_local::seed::SeedSize { leads: 4, customers: 8 })
    })
    .await;
    let token = pool.sign_in(PARTNER).await;
    let (status, me) = rt.get(&token, "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!((me["role"].as_str(), me["partner_id"].as_u64()), (Some("partner"), Some(DEMO_PARTNER)));
    let (status, list) = rt.get(&token, "/api/v1/customers").await;
    assert_eq!(status, 200, "{list}");
    assert!(list["items"].as_array().expect("rows").iter().all(|r| r["source"]["id"] == DEMO_PARTNER));
    assert_eq!(rt.get(&token, "/api/v1/partners").await.0, 403);
    // A staff token of the same pool is not a partner's: the admin still reads the partner companies.
    let admin = pool.sign_in(ADMIN).await;
    assert_eq!(rt.get(&admin, "/api/v1/partners").await.0, 200);
    rt.stop().await;
}

/// The value of one attribute of an AdminGetUser answer.
fn attribute<'a>(account: &'a Value, name: &str) -> Option<&'a str> {
    account["UserAttributes"].as_array()?.iter().find(|a| a["Name"] == name)?["Value"].as_str()
}

/// In AWS nobody creates the partner's account by hand: allowing the login queues a job (with the save) that creates
/// it in the user pool with the tenant and the partner company, the partner signs in with it, and turning the login
/// off disables it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_login_becomes_a_pool_account_and_turning_it_off_disables_it() {
    let (rt, pool) = vigil_tests::cognito::rehearsal_runtime("vigil-partner-pool", |c| {
        c.seed = Some(vigil_local::seed::SeedSize { leads: 2, customers: 2 })
    })
    .await;
    let admin = pool.sign_in(ADMIN).await;
    let (status, p) = rt.get(&admin, "/api/v1/partners/2").await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["allow_login"], false, "the second demo source has no login yet");
    let email = "desk@pool-sync.example";
    let body = json!({"version": p["version"], "allow_login": true, "login_username": "Desk@Pool-Sync.example"});
    let (status, p) = rt.patch(&admin, "/api/v1/partners/2", body).await;
    assert_eq!(status, 200, "{p}");

    let account = eventually("the pool account", Duration::from_secs(60), || async {
        pool.pool.account(email).await.filter(|a| a["Enabled"] == true)
    })
    .await;
    assert_eq!(attribute(&account, "custom:company"), Some("acme"));
    assert_eq!(attribute(&account, "custom:partner"), Some("2"));
    assert_eq!(attribute(&account, "email"), Some(email));

    // The partner sets a password (Cognito's invitation) and is served as its partner company's login.
    let password = format!("Partner-{:016x}-Aa1", rand::random::<u64>());
    pool.pool.set_password(email, &password).await.expect("a password");
    let token = pool.pool.sign_in(email, &password).await.expect("the partner signs in").id_token;
    let (status, me) = rt.get(&token, "/api/v1/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!((me["role"].as_str(), me["partner_id"].as_u64()), (Some("partner"), Some(2)));

    let (status, p) =
        rt.patch(&admin, "/api/v1/partners/2", json!({"version": p["version"], "allow_login": false})).await;
    assert_eq!(status, 200, "{p}");
    eventually("the pool account disabled", Duration::from_secs(60), || async {
        pool.pool.account(email).await.filter(|a| a["Enabled"] == false)
    })
    .await;
    assert_eq!(rt.get(&token, "/api/v1/me").await.0, 401, "the login is off in the table at once");
    rt.stop().await;
}
