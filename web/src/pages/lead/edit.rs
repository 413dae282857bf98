//! The lead's edit form, below the pipeline card: personal information and the qualification fields the score reads. Only the fields
//! the user changed are sent (`PATCH /api/v1/leads/{id}` with the version the page shows), checked first with the
//! server's own rules (`vigil_domain::lead::edit_lead`); the server's 422 field errors show beside their fields and a
//! 409 says someone else changed the lead. The SSN arrives as the server shows it: `***` without the grant (then it
//! stays read-only), empty when none is stored (then it can be entered).
//!
//! Custom fields (UDFs): the definitions come with the lead read (`custom_fields_card`), the values from the
//! record on screen; the inputs are the Home page's (`custom_fields_card`), and their changes go with the same
//! PATCH as `custom_fields: {"<id>": value}`. Errors named `custom_fields.<id>` show under their input.

use crate::api::{ApiError, CustomFieldValue, LeadFormOptions, LeadView};
use crate::components::custom_fields_card::CustomFieldsCard;
use crate::components::dom::focus;
use crate::components::field_errors::{by_field, FieldErrors};
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state, use_state_with};
use crate::html;
use crate::session::{use_report_error, use_session};
use crate::toast::use_toasts;
use serde_json::{Map, Value};
use vigil_domain::record::Record;
use vigil_domain::{Action, Resource, Section, SectionAccess};
use yew::prelude::*;

/// How a field is edited and sent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Text(&'static str),
    /// Sent as the digits typed; the server (and `edit_lead`) say when it is not a whole number.
    Number,
    Date,
    Check,
    States,
    Languages,
    Industries,
    Dispositions,
}

pub(super) struct Field {
    pub(super) name: &'static str,
    pub(super) label: &'static str,
    kind: Kind,
    hint: Option<&'static str>,
}

const fn f(name: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { name, label, kind, hint: None }
}

const fn h(name: &'static str, label: &'static str, kind: Kind, hint: &'static str) -> Field {
    Field { name, label, kind, hint: Some(hint) }
}

/// Personal information (the Contact Information section: changing it needs that section's Modify).
pub(super) const PERSONAL: &[Field] = &[
    f("first_name", "First name", Kind::Text("text")),
    f("last_name", "Last name", Kind::Text("text")),
    f("primary_phone", "Primary phone", Kind::Text("tel")),
    f("email", "Email", Kind::Text("email")),
    f("address1", "Address line 1", Kind::Text("text")),
    f("address2", "Address line 2", Kind::Text("text")),
    f("city", "City", Kind::Text("text")),
    f("state", "State", Kind::States),
    f("zip", "Zip", Kind::Text("text")),
    f("county", "County", Kind::Text("text")),
    f("cross_street", "Cross street", Kind::Text("text")),
];

/// What the lead score and the rep's follow-up read.
pub(super) const QUALIFICATION: &[Field] = &[
    f("disposition_id", "Lead status", Kind::Dispositions),
    f("business_name", "Business name", Kind::Text("text")),
    f("job_title", "Job title", Kind::Text("text")),
    f("industry", "Industry", Kind::Industries),
    h("annual_revenue", "Annual revenue (USD)", Kind::Number, "Whole dollars, e.g. 2500000"),
    f("employees", "Employees", Kind::Number),
    h("website", "Website", Kind::Text("url"), "e.g. example.com"),
    h("budget", "Budget (USD)", Kind::Number, "Whole dollars"),
    h("timeline", "Timeline", Kind::Text("text"), "e.g. this quarter"),
    f("next_followup", "Next follow-up", Kind::Date),
    f("web_visits", "Web visits", Kind::Number),
    f("webinars_attended", "Webinars attended", Kind::Number),
    f("language", "Language", Kind::Languages),
    f("email_opt_out", "Opted out of email", Kind::Check),
    f("do_not_call", "Do not call", Kind::Check),
];

/// The form's inputs by field name. Keyed by `String` like [`FieldErrors`], so the portal carries one map type.
type Values = FieldErrors;

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn num<T: ToString>(v: Option<T>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

/// The form's values for a record, as strings (checkboxes are `"true"`/`"false"`).
fn values_of(r: &Record, ssn: Option<&str>) -> Values {
    let l = &r.lead;
    let mut v = Values::new();
    let mut put = |k: &str, s: String| {
        v.insert(k.to_owned(), s);
    };
    put("first_name", r.first_name.clone());
    put("last_name", r.last_name.clone());
    put("primary_phone", r.primary_phone.clone());
    put("email", opt(&r.email));
    put("address1", opt(&r.address1));
    put("address2", opt(&l.address2));
    put("city", r.city.clone());
    put("state", r.state.clone());
    put("zip", opt(&r.zip));
    put("county", opt(&l.county));
    put("cross_street", opt(&l.cross_street));
    put("disposition_id", num(l.disposition_id.map(|d| d.0)));
    put("business_name", opt(&r.business_name));
    put("job_title", opt(&l.job_title));
    put("industry", opt(&l.industry));
    put("annual_revenue", num(l.annual_revenue));
    put("employees", num(l.employees));
    put("website", opt(&l.website));
    put("budget", num(l.budget));
    put("timeline", opt(&l.timeline));
    put("next_followup", opt(&r.next_followup));
    put("web_visits", l.web_visits.to_string());
    put("webinars_attended", l.webinars_attended.to_string());
    put("language", opt(&l.language));
    put("email_opt_out", l.email_opt_out.to_string());
    put("do_not_call", l.do_not_call.to_string());
    put("ssn", ssn.unwrap_or_default().to_owned());
    v
}

fn kind_of(name: &str) -> Option<Kind> {
    if name == "ssn" {
        return Some(Kind::Text("text"));
    }
    PERSONAL.iter().chain(QUALIFICATION).find(|f| f.name == name).map(|f| f.kind)
}

/// The PATCH body: the fields that differ from what was loaded, blank ones as `null`, plus the version.
fn changes(before: &Values, after: &Values, version: u64) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in after {
        if before.get(k) == Some(v) {
            continue;
        }
        let t = v.trim();
        let value = match kind_of(k) {
            Some(Kind::Check) => Value::Bool(t == "true"),
            Some(Kind::Dispositions) => {
                t.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::String(t.to_owned()))
            }
            _ if t.is_empty() => Value::Null,
            _ => Value::String(t.to_owned()),
        };
        m.insert((*k).to_owned(), value);
    }
    if !m.is_empty() {
        m.insert("version".into(), Value::from(version));
    }
    m
}

/// The custom field values changed on the page, by field ID. Every edit merges into the edits as they are now (a
/// state handle reads the current value, even in a callback made before the last render), so keystrokes that arrive
/// before the page re-renders are not lost to a stale copy.
#[derive(Debug, Default, PartialEq)]
struct UdfEdits(Map<String, Value>);

impl UdfEdits {
    /// `{"<id>": value}` joined to the edits made before.
    fn with(&self, one: Map<String, Value>) -> Self {
        let mut next = self.0.clone();
        next.extend(one);
        UdfEdits(next)
    }
}

/// The custom field edits that differ from the record's values (an edit typed back to the stored value is no edit).
fn udf_changes(r: &Record, edits: &Map<String, Value>) -> Map<String, Value> {
    let stored = &r.lead.customer.custom_fields;
    let mut changes = Map::new();
    for (k, v) in edits {
        if stored.get(k).unwrap_or(&Value::Null) != v {
            changes.insert(k.clone(), v.clone());
        }
    }
    changes
}

/// The card rows for the record on screen: the definitions as last read, each with the record's current value (the
/// record changes with every save and stage move; the definitions do not).
fn udf_rows(card: &Value, r: &Record) -> Option<Value> {
    let mut rows: Vec<CustomFieldValue> = vigil_json::from_value(card.clone()).ok()?;
    for row in &mut rows {
        row.value = r.lead.customer.custom_fields.get(&row.id.to_string()).cloned().unwrap_or(Value::Null);
    }
    Some(vigil_json::ToJson::to_json(&rows))
}

/// What the server would say about these changes, by field (the same rules, run here first).
fn check(current: &Record, body: &Map<String, Value>, today: &str) -> FieldErrors {
    match vigil_domain::lead::edit_lead(current, body, today) {
        Ok(_) => FieldErrors::new(),
        Err(inv) => by_field(&inv.errors),
    }
}

fn today() -> String {
    String::from(js_sys::Date::new_0().to_iso_string()).chars().take(10).collect()
}

#[derive(Properties, PartialEq)]
pub struct LeadDetailsProps {
    pub record: Record,
    /// The lead as the server returned it after the save (its score and factors recomputed).
    pub on_saved: Callback<Record>,
    /// Reload the lead (after a conflict).
    pub on_reload: Callback<()>,
}

#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    Saving,
    Saved,
    Conflict(String),
    Failed(String),
}

#[component]
pub fn LeadDetails(props: &LeadDetailsProps) -> Html {
    let session = use_session();
    let report = use_report_error();
    let toasts = use_toasts();
    let r = &props.record;
    let options = use_state(LeadFormOptions::default);
    // The SSN as the server shows it to this user (`None`: none stored), for the version on screen.
    let ssn = use_state(|| None::<(u64, Option<String>)>);
    let loaded = ssn.as_ref().filter(|(v, _)| *v == r.version).map(|(_, s)| s.clone());
    let base = values_of(r, loaded.clone().flatten().as_deref());
    let values = use_state_with(|| base.clone());
    let errors = use_state(FieldErrors::new);
    let status = use_state(|| Status::Idle);
    // Custom fields: the card rows of the lead read (`None` until read, or when the company has none) and the
    // values changed here, by field ID.
    let udf_card = use_state(|| None::<Value>);
    let udf_edits = use_state(UdfEdits::default);

    {
        let (options, client) = (options.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(o) = client.lead_form_options().await {
                        options.set(o);
                    }
                });
            }
        });
    }
    // The SSN is not part of the record type: read the lead as the API shows it whenever the version changes. The
    // same read carries the custom field definitions.
    {
        let (ssn, udf_card, client, id, version, known) =
            (ssn.clone(), udf_card.clone(), session.client(), r.id, r.version, loaded.is_some());
        use_effect_with((id, version), move |_| {
            if let (Some(client), false) = (client, known) {
                crate::spawn(async move {
                    if let Ok(v) = client.lead(id).await {
                        ssn.set(Some((v.record.version, v.ssn)));
                        udf_card.set(v.custom_fields_card.flatten().map(|c| vigil_json::ToJson::to_json(&c)));
                    }
                });
            }
        });
    }
    // A new version (saved here, a stage move, a reload) or the SSN arriving resets the form to it.
    {
        let (values, errors, udf_edits, base) = (values.clone(), errors.clone(), udf_edits.clone(), base.clone());
        // `loaded`'s two levels as a flag and a value: deps are compared as JSON, where `Some(None)` is `None`.
        use_effect_with((r.version, loaded.is_some(), loaded.clone().flatten()), move |_| {
            values.set(base);
            errors.set(FieldErrors::new());
            udf_edits.set(UdfEdits::default());
        });
    }

    let me = session.me.clone();
    let may_modify = me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::Leads, Action::Modify));
    let may_personal = may_modify
        && me.as_ref().is_some_and(|m| m.permissions.section(Section::ContactInformation) >= SectionAccess::Modify);
    let locked = r.stage == vigil_domain::record::Stage::Converted;

    let set = {
        let (values, errors, status) = (values.clone(), errors.clone(), status.clone());
        crate::h::cb(move |(k, v): (&'static str, String)| {
            let mut next = (*values).clone();
            next.insert(k.to_owned(), v);
            values.set(next);
            if errors.contains_key(k) {
                let mut e = (*errors).clone();
                e.remove(k);
                errors.set(e);
            }
            if matches!(*status, Status::Saved | Status::Failed(_)) {
                status.set(Status::Idle);
            }
        })
    };
    // A custom field's edit, merged into the ones made before (`{"<id>": value}`), clearing that field's error.
    let set_udf = {
        let (udf_edits, errors, status) = (udf_edits.clone(), errors.clone(), status.clone());
        crate::h::cb(move |(_, v): (String, Value)| {
            let Value::Object(one) = v else { return };
            let named: Vec<String> = one.keys().map(|k| format!("custom_fields.{k}")).collect();
            if named.iter().any(|k| errors.contains_key(k)) {
                let mut e = (*errors).clone();
                named.iter().for_each(|k| {
                    e.remove(k);
                });
                errors.set(e);
            }
            udf_edits.set(udf_edits.with(one));
            if matches!(*status, Status::Saved | Status::Failed(_)) {
                status.set(Status::Idle);
            }
        })
    };
    let mut body = changes(&base, &values, r.version);
    let udf_body = udf_changes(r, &udf_edits.0);
    if !udf_body.is_empty() {
        body.insert("custom_fields".into(), Value::Object(udf_body));
        body.insert("version".into(), Value::from(r.version));
    }
    let dirty = !body.is_empty();

    let on_submit = {
        let (record, body, errors, status, client, on_saved, report, toasts, ssn) = (
            r.clone(),
            body.clone(),
            errors.clone(),
            status.clone(),
            session.client(),
            props.on_saved.clone(),
            report.clone(),
            toasts.clone(),
            ssn.clone(),
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            if body.is_empty() {
                return;
            }
            // `edit_lead` knows the profile fields only; the custom fields are the server's to check.
            let mut profile = body.clone();
            profile.remove("custom_fields");
            let found = check(&record, &profile, &today());
            if !found.is_empty() {
                let first = found.keys().next().cloned().unwrap_or_default();
                errors.set(found);
                status.set(Status::Idle);
                focus(&input_id(&first));
                return;
            }
            let Some(client) = client.clone() else { return };
            status.set(Status::Saving);
            let (body, errors, status, on_saved, report, toasts, ssn, id) = (
                body.clone(),
                errors.clone(),
                status.clone(),
                on_saved.clone(),
                report.clone(),
                toasts.clone(),
                ssn.clone(),
                record.id,
            );
            crate::spawn(async move {
                match client.patch_lead(id, &body).await {
                    Ok(LeadView { record, ssn: shown, .. }) => {
                        ssn.set(Some((record.version, shown)));
                        status.set(Status::Saved);
                        toasts.info(&format!("Lead {id} saved"));
                        on_saved.emit(record);
                    }
                    Err(e) if e.is_conflict() => status.set(Status::Conflict(e.message())),
                    Err(e) if e.status == 422 || e.status == 400 => {
                        let found = by_field(&e.errors);
                        status.set(Status::Failed(if found.is_empty() {
                            e.message()
                        } else {
                            "Some fields need attention.".into()
                        }));
                        if let Some(first) = found.keys().next() {
                            focus(&input_id(first));
                        }
                        errors.set(found);
                    }
                    Err(e) if e.is_forbidden() => status.set(Status::Failed(e.message())),
                    Err(e) => {
                        status.set(Status::Failed(e.message()));
                        report.emit(e);
                    }
                }
            });
        })
    };
    let discard = {
        let (values, errors, udf_edits, status, base) =
            (values.clone(), errors.clone(), udf_edits.clone(), status.clone(), base.clone());
        crate::h::cb(move |_| {
            values.set(base.clone());
            udf_edits.set(UdfEdits::default());
            errors.set(FieldErrors::new());
            status.set(Status::Idle);
        })
    };
    let reload = {
        let (on_reload, status) = (props.on_reload.clone(), status.clone());
        crate::h::cb(move |_| {
            status.set(Status::Idle);
            on_reload.emit(());
        })
    };

    let saving = *status == Status::Saving;
    let control = |fd: &Field, enabled: bool| -> Html {
        let name = fd.name;
        let id = format!("ld-{name}");
        let value = values.get(name).cloned().unwrap_or_default();
        let err = errors.get(name).cloned();
        let invalid = err.as_ref().map(|_| "true");
        let described =
            err.as_ref().map(|_| format!("lderr-{name}")).or_else(|| fd.hint.map(|_| format!("ldhint-{name}")));
        let disabled = !enabled || saving;
        let oninput = set.adapt(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            (name, input.value())
        });
        let onchange_select = set.adapt(move |e: Event| {
            let s: web_sys::HtmlSelectElement = e.target_unchecked_into();
            (name, s.value())
        });
        let select = |choices: Vec<(String, String)>| {
            let known = value.is_empty() || choices.iter().any(|(v, _)| *v == value);
            html! {
                <select class="input" id={id.clone()} name={name} {disabled} aria-invalid={invalid} aria-describedby={described.clone()}
                    data-testid={format!("edit-{name}")} onchange={onchange_select.clone()}>
                    <option value="" selected={value.is_empty()}>{ "—" }</option>
                    if !known {
                        <option value={value.clone()} selected=true>{ value.clone() }</option>
                    }
                    { for choices.into_iter().map(|(v, l)| {
                        let selected = v == value;
                        html! { <option value={v} {selected}>{ l }</option> }
                    }) }
                </select>
            }
        };
        let input = match fd.kind {
            Kind::Check => {
                let checked = value == "true";
                let onchange = set.adapt(move |e: Event| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    (name, input.checked().to_string())
                });
                return html! {
                    <div class="form-field check-field" data-testid={format!("ld-field-{name}")}>
                        <label for={id.clone()}>
                            <input type="checkbox" id={id} name={name} {checked} {disabled} data-testid={format!("edit-{name}")} {onchange} />
                            { format!(" {}", fd.label) }
                        </label>
                    </div>
                };
            }
            Kind::States => {
                select(options.states.iter().map(|s| (s.code.clone(), format!("{} ({})", s.name, s.code))).collect())
            }
            Kind::Languages => select(options.languages.iter().map(|c| (c.value.clone(), c.label.clone())).collect()),
            Kind::Industries => {
                let list: Vec<String> = if options.industries.is_empty() {
                    vigil_domain::lead::INDUSTRIES.iter().map(|s| (*s).to_owned()).collect()
                } else {
                    options.industries.clone()
                };
                select(list.into_iter().map(|i| (i.clone(), i)).collect())
            }
            Kind::Dispositions => {
                select(options.dispositions.iter().map(|d| (d.id.to_string(), d.name.clone())).collect())
            }
            Kind::Number => html! {
                <input type="text" inputmode="numeric" class="input" {id} name={name} value={value.clone()} {disabled}
                    aria-invalid={invalid} aria-describedby={described.clone()} data-testid={format!("edit-{name}")} {oninput} />
            },
            Kind::Date => html! {
                <input type="date" class="input" {id} name={name} value={value.clone()} {disabled}
                    aria-invalid={invalid} aria-describedby={described.clone()} data-testid={format!("edit-{name}")} {oninput} />
            },
            Kind::Text(t) => html! {
                <input type={t} class="input" {id} name={name} value={value.clone()} {disabled}
                    aria-invalid={invalid} aria-describedby={described.clone()} data-testid={format!("edit-{name}")} {oninput} />
            },
        };
        html! {
            <div class={classes!("form-field", err.is_some().then_some("invalid"))} data-testid={format!("ld-field-{name}")}>
                <label for={format!("ld-{name}")}>{ fd.label }</label>
                { input }
                if let (Some(hint), None) = (fd.hint, &err) {
                    <span class="hint" id={format!("ldhint-{name}")}>{ hint }</span>
                }
                if let Some(msg) = err {
                    <span class="field-error" id={format!("lderr-{name}")} role="alert" data-testid={format!("ld-error-{name}")}>{ msg }</span>
                }
            </div>
        }
    };

    // The SSN: masked for users without the grant (read-only), enterable when none is stored.
    let ssn_field = {
        let shown = loaded.clone().flatten();
        let masked = shown.as_deref().is_some_and(|s| s.contains('*'));
        let err = errors.get("ssn").cloned();
        if masked {
            html! {
                <div class="form-field" data-testid="ld-field-ssn">
                    <span class="field-label">{ "SSN" }</span>
                    <span class="ssn-masked" data-testid="ssn-masked">{ shown.unwrap_or_default() }</span>
                    <span class="hint">{ "Hidden: you do not have the SSN grant." }</span>
                </div>
            }
        } else {
            let enabled = may_personal && !locked && loaded.is_some();
            html! {
                <div class={classes!("form-field", err.is_some().then_some("invalid"))} data-testid="ld-field-ssn">
                    <label for="ld-ssn">{ "SSN" }</label>
                    <input type="text" class="input" id="ld-ssn" name="ssn" autocomplete="off" inputmode="numeric" placeholder="123-45-6789"
                        value={values.get("ssn").cloned().unwrap_or_default()} disabled={!enabled || saving}
                        aria-invalid={err.as_ref().map(|_| "true")} aria-describedby={err.as_ref().map(|_| "lderr-ssn".to_owned())}
                        data-testid="edit-ssn" oninput={set.adapt(|e: InputEvent| {
                            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                            ("ssn", input.value())
                        })} />
                    if let Some(msg) = err {
                        <span class="field-error" id="lderr-ssn" role="alert" data-testid="ld-error-ssn">{ msg }</span>
                    }
                </div>
            }
        }
    };

    let udf_rows = udf_card.as_ref().and_then(|c| udf_rows(c, r));
    // Custom field errors show under their inputs (when the field is on screen), the card reading them as an API error.
    let shown_udf = |k: &str| {
        k.strip_prefix("custom_fields.").and_then(|id| id.parse::<u64>().ok()).is_some_and(|id| {
            udf_rows.as_ref().and_then(Value::as_array).is_some_and(|rows| rows.iter().any(|row| row["id"] == id))
        })
    };
    let udf_error = ApiError {
        status: 422,
        title: String::new(),
        detail: None,
        errors: errors
            .iter()
            .filter(|(k, _)| shown_udf(k))
            .map(|(k, m)| vigil_domain::FieldError::new(k.as_str(), "invalid", m.as_str()))
            .collect(),
        current: None,
    };
    let known_fields =
        |k: &str| k == "ssn" || shown_udf(k) || PERSONAL.iter().chain(QUALIFICATION).any(|f| f.name == k);
    let other_errors: Vec<(String, String)> =
        errors.iter().filter(|(k, _)| !known_fields(k)).map(|(k, m)| (k.clone(), m.clone())).collect();
    let status_line = match &*status {
        Status::Idle => html! {},
        Status::Saving => html! { <span class="muted" role="status">{ "Saving…" }</span> },
        Status::Saved => {
            html! { <span class="ok" role="status" data-testid="details-saved">{ "Saved. The score is up to date." }</span> }
        }
        Status::Failed(msg) => {
            html! { <div class="error-box" role="alert" data-testid="details-error">{ msg.clone() }</div> }
        }
        Status::Conflict(msg) => html! {
            <div class="error-box" role="alert" data-testid="details-conflict">
                <p><strong>{ "Someone else changed this lead while you were editing." }</strong>{ format!(" {msg}") }</p>
                <p>{ "Reload it to see their changes; what you typed here is not saved." }</p>
                <button type="button" class="button secondary" data-testid="details-reload" onclick={reload}>{ "Reload the lead" }</button>
            </div>
        },
    };
    let editable = may_modify && !locked;

    html! {
        <section class="card lead-details" aria-labelledby="card-details" data-testid="lead-details">
            <h2 id="card-details">{ "Lead details" }</h2>
            if locked {
                <p class="muted">{ "A converted lead is locked; edit the customer instead." }</p>
            } else if !may_modify {
                <p class="muted">{ "You may view this lead but not change it." }</p>
            }
            <form class="lead-form" onsubmit={on_submit} novalidate=true aria-busy={saving.to_string()}>
                <fieldset>
                    <legend>{ "Personal information" }</legend>
                    if may_modify && !may_personal {
                        <p class="muted">{ "You may not change contact information." }</p>
                    }
                    <div class="form-grid">
                        { for PERSONAL.iter().map(|fd| control(fd, may_personal && !locked)) }
                        { ssn_field }
                    </div>
                </fieldset>
                <fieldset>
                    <legend>{ "Qualification" }</legend>
                    <div class="form-grid">
                        { for QUALIFICATION.iter().map(|fd| control(fd, editable)) }
                    </div>
                </fieldset>
                <CustomFieldsCard card={udf_rows.clone()} edited={(!udf_edits.0.is_empty()).then(|| Value::Object(udf_edits.0.clone()))}
                    editable={editable && !saving} error={Some(udf_error)} on_set={set_udf} in_form=true />
                if !other_errors.is_empty() {
                    <ul class="error-box" data-testid="details-other-errors">
                        { for other_errors.iter().map(|(k, m)| html! { <li>{ format!("{k}: {m}") }</li> }) }
                    </ul>
                }
                { status_line }
                if editable {
                    <div class="actions">
                        <button type="submit" class="button" disabled={saving || !dirty} data-testid="save-details">
                            { if saving { "Saving…" } else { "Save changes" } }
                        </button>
                        <button type="button" class="button secondary" disabled={saving || !dirty} data-testid="discard-details" onclick={discard}>
                            { "Discard changes" }
                        </button>
                    </div>
                }
            </form>
        </section>
    }
}

/// The element ID of a field's input, by the field an error names.
fn input_id(field: &str) -> String {
    match field.strip_prefix("custom_fields.") {
        Some(id) => format!("udf-{id}"),
        None => format!("ld-{field}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_sent_with_the_version() {
        let before: Values =
            [("employees", "10"), ("website", "acme.com"), ("do_not_call", "false"), ("job_title", "")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        let mut after = before.clone();
        assert!(changes(&before, &after, 3).is_empty());
        after.insert("employees".into(), "250".into());
        after.insert("website".into(), "".into());
        after.insert("do_not_call".into(), "true".into());
        let m = changes(&before, &after, 3);
        assert_eq!(m.get("employees"), Some(&Value::from("250")));
        assert_eq!(m.get("website"), Some(&Value::Null));
        assert_eq!(m.get("do_not_call"), Some(&Value::Bool(true)));
        assert_eq!(m.get("version"), Some(&Value::from(3u64)));
        assert!(!m.contains_key("job_title"));
    }

    #[test]
    fn custom_field_edits_are_sent_when_they_differ_and_errors_find_their_input() {
        let mut r: Record = serde_json::from_value(serde_json::json!({
            "id": 7, "kind": "lead", "stage": "new", "first_name": "A", "last_name": "B", "primary_phone": "8015550100",
            "city": "Provo", "state": "UT", "created_at": "2024-01-01T00:00:00Z", "created_by": "u", "version": 3
        }))
        .unwrap();
        r.lead.customer.custom_fields.insert("1".into(), Value::from("#1"));
        let edits: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"1": "#1", "3": null, "4": 2})).unwrap();
        let sent = udf_changes(&r, &edits);
        assert_eq!(
            Value::Object(sent),
            serde_json::json!({"4": 2}),
            "typed back to the stored value, or still empty: not sent"
        );
        let card = serde_json::json!([{"id": 1, "name": "Gate code", "field_type": "text", "value": null}]);
        assert_eq!(udf_rows(&card, &r).unwrap()[0]["value"], "#1", "values follow the record on screen");
        assert_eq!((input_id("custom_fields.4"), input_id("city")), ("udf-4".to_owned(), "ld-city".to_owned()));
    }
}
