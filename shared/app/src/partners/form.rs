//! Reading a partner form (create or patch) field by field, so every bad field is named in one 422.

use serde_json::{Map, Value};
use vigil_api::partners::{DeliveryMethod, LeadLocation, PartnerKind, PartnerSettings, QueuePriority};
use vigil_domain::email::Address;
use vigil_domain::{FieldError, Invalid, LocationId};

/// The longest name (company, campaign, template); names are key material, so they are bounded well under DynamoDB's
/// sort key limit.
pub(crate) const NAME_MAX: usize = 100;
const TEXT_MAX: usize = 200;
const NOTES_MAX: usize = 4000;
const URL_MAX: usize = 2000;
const KEY_MAX: usize = 500;
/// The most addresses in one notification list.
const EMAILS_MAX: usize = 20;

/// A post key the form sets or clears (write-only: the plain text goes no further than sealing it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyChange {
    Keep,
    Clear,
    Set(String),
}

#[derive(Debug)]
pub(crate) struct Parsed {
    pub settings: PartnerSettings,
    pub lead_post_key: KeyChange,
    pub customer_post_key: KeyChange,
}

/// Fields a client may send back from a read that are not settings (the form round-trips the view).
const IGNORED: &[&str] = &["id", "version", "lead_post_key_set", "customer_post_key_set", "campaigns"];

/// `base` with the form's fields applied and the whole checked (references to templates and locations are checked
/// by the caller, against the store).
pub(crate) fn apply(base: &PartnerSettings, body: &Map<String, Value>) -> Result<Parsed, Invalid> {
    let mut s = base.clone();
    let mut errors = Vec::new();
    let mut lead_post_key = KeyChange::Keep;
    let mut customer_post_key = KeyChange::Keep;
    for (name, v) in body {
        let f = name.as_str();
        let r: Result<(), FieldError> = match f {
            "name" => text(f, v, NAME_MAX).map(|x| s.name = x),
            "contact_person" => text(f, v, TEXT_MAX).map(|x| s.contact_person = x),
            "phone" => text(f, v, 40).map(|x| s.phone = x),
            "email" => text(f, v, 254).map(|x| s.email = x),
            "address1" => text(f, v, TEXT_MAX).map(|x| s.address1 = x),
            "city" => text(f, v, TEXT_MAX).map(|x| s.city = x),
            "state" => text(f, v, TEXT_MAX).map(|x| s.state = x),
            "zip" => text(f, v, 20).map(|x| s.zip = x),
            "notes" => text(f, v, NOTES_MAX).map(|x| s.notes = x),
            "kind" => {
                choice(f, v, &[("outside", PartnerKind::Outside), ("inside", PartnerKind::Inside)]).map(|x| s.kind = x)
            }
            "active" => boolean(f, v).map(|x| s.active = x),
            "sells_leads" => boolean(f, v).map(|x| s.sells_leads = x),
            "default_lead_location" => {
                optional_choice(f, v, &[("pending", LeadLocation::Pending), ("queue", LeadLocation::Queue)])
                    .map(|x| s.default_lead_location = x)
            }
            "force_default_lead_location" => boolean(f, v).map(|x| s.force_default_lead_location = x),
            "lead_purchase_emails" => emails(f, v).map(|x| s.lead_purchase_emails = x),
            "lead_return_emails" => emails(f, v).map(|x| s.lead_return_emails = x),
            "include_call_center_comments_with_return" => {
                boolean(f, v).map(|x| s.include_call_center_comments_with_return = x)
            }
            "lead_auto_response_template_id" => optional_id(f, v).map(|x| s.lead_auto_response_template_id = x),
            "lead_queue_priority" => choice(
                f,
                v,
                &[("normal", QueuePriority::Normal), ("medium", QueuePriority::Medium), ("high", QueuePriority::High)],
            )
            .map(|x| s.lead_queue_priority = x),
            "sells_customers" => boolean(f, v).map(|x| s.sells_customers = x),
            "default_office_location_id" => optional_id(f, v).map(|x| s.default_office_location_id = x.map(LocationId)),
            "customer_purchase_emails" => emails(f, v).map(|x| s.customer_purchase_emails = x),
            "customer_return_emails" => emails(f, v).map(|x| s.customer_return_emails = x),
            "customer_auto_response_template_id" => optional_id(f, v).map(|x| s.customer_auto_response_template_id = x),
            "buys_leads" => boolean(f, v).map(|x| s.buys_leads = x),
            "lead_delivery_method" => delivery(f, v).map(|x| s.lead_delivery_method = x),
            "lead_sale_emails" => emails(f, v).map(|x| s.lead_sale_emails = x),
            "lead_post_url" => text(f, v, URL_MAX).map(|x| s.lead_post_url = x),
            "lead_source_id" => text(f, v, 64).map(|x| s.lead_source_id = x),
            "buys_customers" => boolean(f, v).map(|x| s.buys_customers = x),
            "customer_delivery_method" => delivery(f, v).map(|x| s.customer_delivery_method = x),
            "customer_sale_emails" => emails(f, v).map(|x| s.customer_sale_emails = x),
            "customer_post_url" => text(f, v, URL_MAX).map(|x| s.customer_post_url = x),
            "customer_source_id" => text(f, v, 64).map(|x| s.customer_source_id = x),
            "lead_post_key" => post_key(f, v).map(|x| lead_post_key = x),
            "customer_post_key" => post_key(f, v).map(|x| customer_post_key = x),
            "allow_login" => boolean(f, v).map(|x| s.allow_login = x),
            "login_username" => text(f, v, 64).map(|x| s.login_username = x),
            _ if IGNORED.contains(&f) => Ok(()),
            _ => Err(FieldError::new(f, "unknown", "a partner company has no such field")),
        };
        if let Err(e) = r {
            errors.push(e);
        }
    }
    // Cross-field rules are checked on fields that parsed; one already named is not named twice.
    let named = |errors: &[FieldError], f: &str| errors.iter().any(|e| e.field == f);
    let mut more = Vec::new();
    if s.name.is_empty() {
        more.push(FieldError::required("name"));
    }
    if !s.email.is_empty() {
        if let Err(e) = Address::parse_field("email", &s.email) {
            more.push(e);
        }
    }
    if s.sells_leads && s.default_lead_location.is_none() {
        more.push(FieldError::new(
            "default_lead_location",
            "required",
            "a partner that sells leads needs a default lead location (pending or queue)",
        ));
    }
    if s.sells_customers && s.default_office_location_id.is_none() {
        more.push(FieldError::new(
            "default_office_location_id",
            "required",
            "a partner that sells customers needs the office location incoming customers are assigned to",
        ));
    }
    for (buys, method, url, emails, side) in [
        (s.buys_leads, s.lead_delivery_method, &s.lead_post_url, &s.lead_sale_emails, "lead"),
        (s.buys_customers, s.customer_delivery_method, &s.customer_post_url, &s.customer_sale_emails, "customer"),
    ] {
        let method_field = format!("{side}_delivery_method");
        let url_field = format!("{side}_post_url");
        let emails_field = format!("{side}_sale_emails");
        if !url.is_empty() && !named(&errors, &url_field) {
            if let Some(e) = post_url_problem(&url_field, url) {
                more.push(e);
            }
        }
        if !buys {
            continue;
        }
        match method {
            None => more.push(FieldError::new(
                &method_field,
                "required",
                format!("a partner that buys {side}s needs a delivery method (vigil or email)"),
            )),
            Some(DeliveryMethod::Vigil) if url.is_empty() => more.push(FieldError::new(
                &url_field,
                "required",
                "delivery to the partner's Vigil needs the post URL the partner gave you",
            )),
            Some(DeliveryMethod::Email) if emails.is_empty() => more.push(FieldError::new(
                &emails_field,
                "required",
                "delivery by email needs at least one sale notification address",
            )),
            Some(_) => {}
        }
    }
    if s.allow_login && s.login_username.is_empty() {
        more.push(FieldError::new("login_username", "required", "a partner allowed to sign in needs a username"));
    }
    // The user pool signs users in by email address, so the login's username is one.
    if !s.login_username.is_empty() && Address::parse_field("login_username", &s.login_username).is_err() {
        more.push(FieldError::new(
            "login_username",
            "invalid",
            "the username is the email address the partner signs in with",
        ));
    }
    for e in more {
        if !named(&errors, &e.field) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(Parsed { settings: s, lead_post_key, customer_post_key })
    } else {
        Err(Invalid { errors })
    }
}

fn invalid(f: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(f, "invalid", message)
}

/// Text, trimmed; `null` is empty.
pub(crate) fn text(f: &str, v: &Value, max: usize) -> Result<String, FieldError> {
    match v {
        Value::Null => Ok(String::new()),
        Value::String(s) => {
            let t = s.trim();
            if t.chars().count() > max {
                Err(FieldError::new(f, "too_long", format!("at most {max} characters")))
            } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
                Err(invalid(f, "control characters are not allowed"))
            } else {
                Ok(t.to_owned())
            }
        }
        _ => Err(invalid(f, "must be text")),
    }
}

fn boolean(f: &str, v: &Value) -> Result<bool, FieldError> {
    v.as_bool().ok_or_else(|| invalid(f, "must be true or false"))
}

fn choice<T: Copy>(f: &str, v: &Value, options: &[(&str, T)]) -> Result<T, FieldError> {
    let names = options.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    v.as_str()
        .and_then(|s| options.iter().find(|(n, _)| *n == s).map(|(_, t)| *t))
        .ok_or_else(|| FieldError::new(f, "not_allowed", format!("must be one of: {names}")))
}

fn optional_choice<T: Copy>(f: &str, v: &Value, options: &[(&str, T)]) -> Result<Option<T>, FieldError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        _ => choice(f, v, options).map(Some),
    }
}

fn delivery(f: &str, v: &Value) -> Result<Option<DeliveryMethod>, FieldError> {
    optional_choice(f, v, &[("vigil", DeliveryMethod::Vigil), ("email", DeliveryMethod::Email)])
}

fn optional_id(f: &str, v: &Value) -> Result<Option<u32>, FieldError> {
    match v {
        Value::Null => Ok(None),
        _ => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| invalid(f, "must be a positive whole number or null")),
    }
}

/// A list of addresses, each checked as a deliverable address; the error names the list and the item's position.
fn emails(f: &str, v: &Value) -> Result<Vec<String>, FieldError> {
    let items = match v {
        Value::Null => return Ok(vec![]),
        Value::Array(items) => items,
        _ => return Err(invalid(f, "must be a list of email addresses")),
    };
    if items.len() > EMAILS_MAX {
        return Err(FieldError::new(f, "too_many", format!("at most {EMAILS_MAX} addresses")));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(s) = item.as_str() else {
            return Err(invalid(f, format!("address {} is not text", i + 1)));
        };
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        match Address::parse(s) {
            Ok(a) => {
                let a = a.as_str().to_owned();
                if !out.iter().any(|o| o.eq_ignore_ascii_case(&a)) {
                    out.push(a);
                }
            }
            Err(e) => {
                return Err(FieldError::new(f, "undeliverable_address", format!("address {}: {e}", i + 1)));
            }
        }
    }
    Ok(out)
}

fn post_key(f: &str, v: &Value) -> Result<KeyChange, FieldError> {
    match v {
        Value::Null => Ok(KeyChange::Clear),
        Value::String(s) if s.trim().is_empty() => Ok(KeyChange::Clear),
        Value::String(s) if s.trim().len() > KEY_MAX => {
            Err(FieldError::new(f, "too_long", format!("at most {KEY_MAX} characters")))
        }
        Value::String(s) if s.trim().chars().any(char::is_control) => Err(invalid(f, "must be printable text")),
        Value::String(s) => Ok(KeyChange::Set(s.trim().to_owned())),
        _ => Err(invalid(f, "must be text, or null to remove it")),
    }
}

/// What is wrong with a post URL's shape, if anything: `https://host[:port]/path`, or plain `http` only to a loopback
/// host (the local runtime's demo). Where it resolves to is checked when a post connects, not here.
pub fn post_url_problem(f: &str, url: &str) -> Option<FieldError> {
    let bad = |m: &str| Some(invalid(f, m));
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("a URL has no spaces");
    }
    let Some((scheme, rest)) = url.split_once("://") else { return bad("must be a full URL, e.g. https://…") };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return bad("must be an https URL");
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or_default();
    if authority.contains('@') {
        return bad("a post URL carries no user name or password; the post key authenticates it");
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return bad("the host is not valid"),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty()
        || !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
        || host.starts_with(['.', '-'])
    {
        return bad("the host is not valid");
    }
    if let Some(p) = port {
        if p.is_empty()
            || p.len() > 5
            || !p.bytes().all(|b| b.is_ascii_digit())
            || p.parse::<u32>().map_or(true, |n| n == 0 || n > 65535)
        {
            return bad("the port is not valid");
        }
    }
    if scheme == "http" && !is_loopback(host) {
        return Some(FieldError::new(f, "https_required", "must be an https URL (plain http only to this machine)"));
    }
    None
}

fn is_loopback(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn form(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn fields(e: &Invalid) -> Vec<&str> {
        e.errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn post_urls_are_https_or_loopback_http() {
        for ok in [
            "https://buyer.example/api/v1/public/leads",
            "https://buyer.example:8443/x?y=1",
            "http://127.0.0.1:8080/api/v1/public/leads",
            "http://localhost:9000/",
            "http://[::1]:8080/x",
        ] {
            assert_eq!(post_url_problem("u", ok), None, "{ok}");
        }
        for (bad, code) in [
            ("http://buyer.example/x", "https_required"),
            ("http://10.0.0.1/x", "https_required"),
            ("ftp://buyer.example/x", "invalid"),
            ("buyer.example/x", "invalid"),
            ("https://user:pw@buyer.example/x", "invalid"),
            ("https:///x", "invalid"),
            ("https://buyer.example:99999/x", "invalid"),
            ("https://buyer example/x", "invalid"),
        ] {
            assert_eq!(post_url_problem("u", bad).map(|e| e.code), Some(code.to_owned()), "{bad}");
        }
    }

    #[test]
    fn every_bad_field_is_named_once() {
        let body = form(json!({
            "name": " ", "kind": "sideways", "lead_purchase_emails": ["ok@buyer.example", "not an address"],
            "sells_customers": true, "buys_leads": true, "lead_delivery_method": "vigil",
            "lead_queue_priority": "urgent", "bogus": 1
        }));
        let e = apply(&PartnerSettings::blank(), &body).expect_err("refused");
        let mut got = fields(&e);
        got.sort_unstable();
        assert_eq!(
            got,
            [
                "bogus",
                "default_office_location_id",
                "kind",
                "lead_post_url",
                "lead_purchase_emails",
                "lead_queue_priority",
                "name"
            ]
        );
    }

    #[test]
    fn a_full_lead_seller_parses() {
        let body = form(json!({
            "name": "ABC Leads, Inc.", "sells_leads": true, "default_lead_location": "queue",
            "lead_purchase_emails": ["a@abc.example", "A@abc.example"], "lead_queue_priority": "high",
            "lead_post_key": "s3cret"
        }));
        let p = apply(&PartnerSettings::blank(), &body).expect("parses");
        assert_eq!(p.settings.lead_purchase_emails, ["a@abc.example"]);
        assert_eq!(p.settings.lead_queue_priority, QueuePriority::High);
        assert_eq!(p.lead_post_key, KeyChange::Set("s3cret".into()));
        assert_eq!(p.customer_post_key, KeyChange::Keep);
    }
}
