//! New Lead (the list's "+ New Lead"): the plain create form. Checked with the server's own rules (`vigil_domain::lead::NewLead::parse`)
//! before sending; the server's 422 field errors show beside their fields, a 409 lists the duplicates with a way to
//! create the lead anyway. Typing a ZIP suggests city, state and county from Vigil's ZIP table. The company's custom
//! fields (UDFs) follow the standard ones, with the lead page's inputs; the server checks them.

use crate::api::{ApiError, CustomFieldValue, DuplicateMatch, LeadFormOptions};
use crate::app::Route;
use crate::components::custom_fields_card::CustomFieldsCard;
use crate::components::dom::focus;
use crate::components::field_errors::{by_field, FieldErrors};
use crate::components::format;
use crate::components::route_link::RouteLink;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::router::use_navigator;
use crate::session::{use_report_error, use_session};
use crate::zip_table::{self, ZipPlace};
use serde_json::{Map, Value};
use vigil_domain::lead::NewLead;
use vigil_domain::small_sort;
use vigil_json::ToJson;
use yew::prelude::*;

/// The form's inputs by field name. Keyed by `String` like [`FieldErrors`], so the portal carries one map type.
type Values = FieldErrors;

/// Fields sent as numbers (IDs); the rest are text.
const ID_FIELDS: [&str; 4] = ["source_id", "campaign_id", "account_class_id", "disposition_id"];

/// The form as the API takes it: blank fields left out, IDs as numbers.
fn form_json(values: &Values) -> Map<String, Value> {
    let mut m = Map::new();
    for (k, v) in values {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let value = if ID_FIELDS.contains(&k.as_str()) {
            v.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::String(v.to_owned()))
        } else {
            Value::String(v.to_owned())
        };
        m.insert(k.clone(), value);
    }
    m
}

/// Every problem the server would report for this form, by field.
fn check(values: &Values) -> FieldErrors {
    match NewLead::parse(&form_json(values)) {
        Ok(_) => FieldErrors::new(),
        Err(inv) => by_field(&inv.errors),
    }
}

/// Whether a server error names a field that shows its own message (the standard fields and the custom fields).
fn shown_beside_input(field: &str) -> bool {
    vigil_domain::lead::NEW_LEAD_FIELDS.contains(&field) || field.starts_with("custom_fields.")
}

#[derive(Debug, Clone, PartialEq)]
enum Sending {
    Idle,
    Busy,
    Duplicates(Vec<DuplicateMatch>, String),
    Failed(String),
}

#[derive(Properties, PartialEq)]
pub struct NewLeadProps {
    /// A lead-create workflow (`/leads/new/wizard/{id}`): its custom fields at the top, each required.
    #[prop_or_default]
    pub workflow: Option<u32>,
}

#[component]
pub fn NewLeadPage(props: &NewLeadProps) -> Html {
    let session = use_session();
    let flow = use_state(|| None::<vigil_api::creation_workflows::CreationWorkflow>);
    {
        let (flow, client, wanted) = (flow.clone(), session.client(), props.workflow);
        use_effect_with(wanted, move |wanted| {
            if let (Some(id), Some(client)) = (*wanted, client) {
                crate::spawn(async move {
                    let all = vigil_api::common::NoQuery {};
                    if let Ok(list) = client.call::<vigil_api::ops::AvailableCreationWorkflows>(&(), &all, &()).await {
                        flow.set(list.items.into_iter().find(|w| w.id == id));
                    }
                });
            }
        });
    }
    let report = use_report_error();
    let navigator = use_navigator();
    let options = use_state(|| None::<Result<LeadFormOptions, ApiError>>);
    let values = use_state(|| {
        let mut v = Values::new();
        v.insert("account_type".into(), "residential".into());
        v
    });
    let errors = use_state(FieldErrors::new);
    let sending = use_state(|| Sending::Idle);
    let suggestions = use_state(Vec::<ZipPlace>::new);
    // The active definitions as the card reads them (`[{id, name, field_type, required, options, value}]`), the
    // values typed, and the last 422 (its `custom_fields.<id>` errors show under the inputs).
    let udf_card = use_state(|| None::<Value>);
    let udf_values = use_state(Map::<String, Value>::new);
    let udf_error = use_state(|| None::<ApiError>);

    {
        let (udf_card, client) = (udf_card.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    if let Ok(mut defs) = client.custom_fields().await {
                        defs.retain(|d| d.active);
                        small_sort::sort_by(&mut defs, |a, b| (a.position, a.id).cmp(&(b.position, b.id)));
                        let rows: Vec<Value> =
                            defs.into_iter().map(|d| CustomFieldValue::new(d, Value::Null).to_json()).collect();
                        udf_card.set((!rows.is_empty()).then_some(Value::Array(rows)));
                    }
                });
            }
        });
    }
    let set_udf = {
        let (udf_values, udf_error) = (udf_values.clone(), udf_error.clone());
        crate::h::cb(move |(_, v): (String, Value)| {
            let Value::Object(m) = v else { return };
            // An edited field's old message goes, as the standard fields' do.
            if let Some(e) = &*udf_error {
                let mut e = e.clone();
                e.errors.retain(|f| !m.keys().any(|k| f.field == format!("custom_fields.{k}")));
                udf_error.set(Some(e));
            }
            let mut next = (*udf_values).clone();
            next.extend(m);
            udf_values.set(next);
        })
    };

    {
        let (options, client) = (options.clone(), session.client());
        use_effect_with((), move |_| {
            if let Some(client) = client {
                crate::spawn(async move {
                    options.set(Some(client.lead_form_options().await));
                });
            }
        });
    }

    let set_field = {
        let (values, errors) = (values.clone(), errors.clone());
        crate::h::cb(move |(k, v): (&'static str, String)| {
            let mut next = (*values).clone();
            if k == "source_id" {
                next.remove("campaign_id");
            }
            next.insert(k.to_owned(), v);
            values.set(next);
            if errors.contains_key(k) {
                let mut e = (*errors).clone();
                e.remove(k);
                errors.set(e);
            }
        })
    };
    let on_zip = {
        let (set_field, suggestions) = (set_field.clone(), suggestions.clone());
        crate::h::cb(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let typed = input.value();
            set_field.emit(("zip", typed.clone()));
            let suggestions = suggestions.clone();
            crate::spawn(async move {
                match zip_table::load().await {
                    Ok(t) => suggestions.set(t.suggest(&typed, 8)),
                    Err(_) => suggestions.set(vec![]),
                }
            });
        })
    };
    let pick_zip = {
        let (values, errors, suggestions) = (values.clone(), errors.clone(), suggestions.clone());
        crate::h::cb(move |p: ZipPlace| {
            let mut next = (*values).clone();
            let zip =
                next.get("zip").filter(|z| z.starts_with(&p.zip) && z.len() == 10).cloned().unwrap_or(p.zip.clone());
            next.insert("zip".into(), zip);
            next.insert("city".into(), p.city.clone());
            next.insert("state".into(), p.state.clone());
            if !p.county.is_empty() {
                next.insert("county".into(), p.county.clone());
            }
            values.set(next);
            let mut e = (*errors).clone();
            for f in ["zip", "city", "state", "county"] {
                e.remove(f);
            }
            errors.set(e);
            suggestions.set(vec![]);
            focus("nl-address1");
        })
    };

    let send = {
        let (values, errors, sending, navigator, client, report, udf_values, udf_error) = (
            values.clone(),
            errors.clone(),
            sending.clone(),
            navigator.clone(),
            session.client(),
            report.clone(),
            udf_values.clone(),
            udf_error.clone(),
        );
        let workflow = props.workflow;
        crate::h::cb(move |allow_duplicates: bool| {
            let found = check(&values);
            if let Some(first) = found.keys().next() {
                focus(&format!("nl-{first}"));
                errors.set(found);
                return;
            }
            let Some(client) = client.clone() else { return };
            let mut form = form_json(&values);
            if let Some(w) = workflow {
                form.insert("creation_workflow_id".into(), Value::from(w));
            }
            if !udf_values.is_empty() {
                form.insert("custom_fields".into(), Value::Object((*udf_values).clone()));
            }
            let (errors, sending, navigator, report, udf_error) =
                (errors.clone(), sending.clone(), navigator.clone(), report.clone(), udf_error.clone());
            sending.set(Sending::Busy);
            crate::spawn(async move {
                match client.create_lead(&form, allow_duplicates).await {
                    Ok(lead) => {
                        sending.set(Sending::Idle);
                        if let Some(nav) = &navigator {
                            nav.push(&Route::Lead { id: lead.record.id.to_string() });
                        }
                    }
                    Err(e) if e.status == 422 && !e.errors.is_empty() => {
                        udf_error.set(Some(e.clone()));
                        let found = by_field(&e.errors);
                        if let Some(first) = found.keys().next() {
                            focus(&format!("nl-{first}"));
                        }
                        errors.set(found);
                        sending.set(Sending::Failed(e.message()));
                    }
                    Err(e) if e.is_conflict() => sending.set(Sending::Duplicates(e.duplicates(), e.message())),
                    Err(e) => {
                        sending.set(Sending::Failed(e.message()));
                        report.emit(e);
                    }
                }
            });
        })
    };
    let on_submit = {
        let send = send.clone();
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            send.emit(false);
        })
    };
    let create_anyway = send.adapt(|_: MouseEvent| true);

    let back =
        html! { <RouteLink to={Route::Leads} class="back-link" testid="back-to-list">{ "← All leads" }</RouteLink> };
    let opts = match &*options {
        None => {
            return html! { <section class="record-page">{ back }<p class="loading" data-testid="loading">{ "Loading the form…" }</p></section> }
        }
        Some(Err(e)) => {
            return html! {
                <section class="record-page">
                    { back }
                    <div class="error-box" role="alert" data-testid="new-lead-error">
                        { format!("The New Lead form cannot open: {}", e.message()) }
                    </div>
                </section>
            }
        }
        Some(Ok(o)) => o,
    };

    let value = |k: &str| values.get(k).cloned().unwrap_or_default();
    let field = |name: &'static str, label: &'static str, required: bool, control: Html| {
        let err = errors.get(name).cloned();
        html! {
            <div class={classes!("form-field", err.is_some().then_some("invalid"))} data-testid={format!("field-{name}")}>
                <label for={format!("nl-{name}")}>{ label }if required { <span class="required">{ " (required)" }</span> }</label>
                { control }
                if let Some(msg) = err {
                    <span class="field-error" id={format!("err-{name}")} role="alert" data-testid={format!("error-{name}")}>{ msg }</span>
                }
            </div>
        }
    };
    let described = |name: &str| errors.contains_key(name).then(|| format!("err-{name}"));
    let invalid = |name: &str| errors.contains_key(name).then_some("true");
    let text_input = |name: &'static str, kind: &'static str, autocomplete: &'static str| {
        let set_field = set_field.clone();
        let oninput = crate::h::cb(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            set_field.emit((name, input.value()));
        });
        html! {
            <input type={kind} class="input" id={format!("nl-{name}")} name={name} value={value(name)} autocomplete={autocomplete}
                aria-invalid={invalid(name)} aria-describedby={described(name)} data-testid={format!("input-{name}")} {oninput} />
        }
    };
    let select = |name: &'static str, choices: Vec<(String, String)>, blank: Option<&'static str>| {
        let set_field = set_field.clone();
        let onchange = crate::h::cb(move |e: Event| {
            let s: web_sys::HtmlSelectElement = e.target_unchecked_into();
            set_field.emit((name, s.value()));
        });
        let current = value(name);
        html! {
            <select class="input" id={format!("nl-{name}")} name={name} aria-invalid={invalid(name)} aria-describedby={described(name)}
                data-testid={format!("input-{name}")} {onchange}>
                if let Some(b) = blank {
                    <option value="" selected={current.is_empty()}>{ b }</option>
                }
                { for choices.into_iter().map(|(v, l)| {
                    let selected = v == current;
                    html! { <option value={v} {selected}>{ l }</option> }
                }) }
            </select>
        }
    };

    let source_id: Option<u32> = value("source_id").parse().ok();
    let campaigns: Vec<(String, String)> = opts
        .sources
        .iter()
        .filter(|s| Some(s.id.0) == source_id)
        .flat_map(|s| s.campaigns.iter().map(|c| (c.id.0.to_string(), c.name.clone())))
        .collect();
    let zip_control = html! {
        <>
            <input type="text" class="input" id="nl-zip" name="zip" value={value("zip")} autocomplete="postal-code" inputmode="text"
                aria-invalid={invalid("zip")} aria-describedby={described("zip").unwrap_or_else(|| "zip-hint".into())}
                aria-controls="zip-suggestions" data-testid="input-zip" oninput={on_zip} />
            <span class="hint" id="zip-hint">{ "Type a ZIP to fill in city, state and county." }</span>
            if !suggestions.is_empty() {
                <ul class="suggestions" id="zip-suggestions" aria-label="ZIP suggestions" data-testid="zip-suggestions">
                    { for suggestions.iter().map(|p| {
                        let pick = pick_zip.adapt({ let p = p.clone(); move |_: MouseEvent| p.clone() });
                        let county = if p.county.is_empty() { String::new() } else { format!(" ({})", p.county) };
                        html! {
                            <li key={p.zip.clone()}>
                                <button type="button" class="suggestion" data-testid="zip-suggestion" data-zip={p.zip.clone()} onclick={pick}>
                                    { format!("{} — {}, {}{county}", p.zip, p.city, p.state) }
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            }
        </>
    };
    let status_line = match &*sending {
        Sending::Idle | Sending::Busy => html! {},
        Sending::Failed(msg) => {
            html! { <div class="error-box" role="alert" data-testid="form-error">{ msg.clone() }</div> }
        }
        Sending::Duplicates(list, msg) => html! {
            <div class="notice" role="alert" data-testid="duplicates">
                <p><strong>{ "This lead may exist already." }</strong>{ format!(" {msg}") }</p>
                <ul>
                    { for list.iter().map(|d| html! {
                        <li data-testid="duplicate" data-id={d.id.to_string()}>
                            <RouteLink to={Route::Lead { id: d.id.to_string() }}>{ format!("#{} {} {}", d.id, d.first_name, d.last_name) }</RouteLink>
                            { format!(" · {} · {}", format::phone(&d.primary_phone), format::city_state(&d.city, &d.state)) }
                        </li>
                    }) }
                </ul>
                <button type="button" class="button" data-testid="create-anyway" onclick={create_anyway}>{ "Create anyway" }</button>
            </div>
        },
    };
    let busy = *sending == Sending::Busy;

    let choices = |v: &[crate::api::Choice]| v.iter().map(|c| (c.value.clone(), c.label.clone())).collect::<Vec<_>>();
    let states: Vec<(String, String)> =
        opts.states.iter().map(|s| (s.code.clone(), format!("{} ({})", s.name, s.code))).collect();
    let account_types = if opts.account_types.is_empty() {
        vigil_domain::lead::AccountType::ALL.iter().map(|t| (t.as_str().to_owned(), t.label().to_owned())).collect()
    } else {
        choices(&opts.account_types)
    };

    // A workflow's own custom fields, in its order, each required unless the workflow marks it optional (the server
    // checks the same).
    let flow_udfs: Option<Value> = flow.as_ref().and_then(|w| {
        let Some(Value::Array(rows)) = (*udf_card).clone() else { return None };
        let picked: Vec<Value> = w
            .custom_field_ids
            .iter()
            .filter_map(|id| {
                let mut r = rows.iter().find(|r| r.get("id").and_then(Value::as_u64) == Some(u64::from(*id)))?.clone();
                // Not `r["required"] = …`: indexing a `Value` panics on a non-object and brings serde_json's
                // panic formatting into the wasm.
                if let Value::Object(fields) = &mut r {
                    fields.insert("required".into(), Value::Bool(!w.optional_custom_field_ids.contains(id)));
                }
                Some(r)
            })
            .collect();
        (!picked.is_empty()).then_some(Value::Array(picked))
    });
    html! {
        <section class="record-page new-lead" data-testid="new-lead-page">
            { back }
            <h1 data-testid="new-lead-title">{ match &*flow { Some(w) => format!("New lead · {}", w.name), None => "New lead".to_owned() } }</h1>
            <form class="lead-form" onsubmit={on_submit} novalidate=true aria-busy={busy.to_string()}>
                if flow.is_some() {
                    <CustomFieldsCard card={flow_udfs.clone()} edited={(!udf_values.is_empty()).then(|| Value::Object((*udf_values).clone()))}
                        editable={!busy} error={(*udf_error).clone()} on_set={set_udf.clone()} in_form=true />
                }
                <div class="form-grid">
                    { field("source_id", "Source", true, select("source_id", opts.sources.iter().map(|s| (s.id.0.to_string(), s.name.clone())).collect(), Some("Choose a source"))) }
                    { field("campaign_id", "Source campaign", false, select("campaign_id", campaigns, Some(if source_id.is_some() { "None" } else { "Choose a source first" }))) }
                    { field("first_name", "First name", true, text_input("first_name", "text", "given-name")) }
                    { field("last_name", "Last name", true, text_input("last_name", "text", "family-name")) }
                    { field("primary_phone", "Primary phone", true, text_input("primary_phone", "tel", "tel")) }
                    { field("email", "Email", false, text_input("email", "email", "email")) }
                    { field("language", "Language", false, select("language", choices(&opts.languages), Some("—"))) }
                    { field("account_type", "Account type", true, select("account_type", account_types, None)) }
                    { field("account_class_id", "Account class", false, select("account_class_id", opts.account_classes.iter().map(|c| (c.id.to_string(), c.name.clone())).collect(), Some("—"))) }
                    { field("disposition_id", "Status", true, select("disposition_id", opts.dispositions.iter().map(|d| (d.id.to_string(), d.name.clone())).collect(), Some("Choose a status"))) }
                    { field("zip", "Zip", false, zip_control) }
                    { field("city", "City", true, text_input("city", "text", "address-level2")) }
                    { field("state", "State", true, select("state", states, Some("Choose a state"))) }
                    { field("county", "County", false, text_input("county", "text", "off")) }
                    { field("address1", "Address line 1", false, text_input("address1", "text", "address-line1")) }
                    { field("address2", "Address line 2", false, text_input("address2", "text", "address-line2")) }
                    { field("cross_street", "Cross street", false, text_input("cross_street", "text", "off")) }
                </div>
                if flow.is_none() {
                <CustomFieldsCard card={(*udf_card).clone()} edited={(!udf_values.is_empty()).then(|| Value::Object((*udf_values).clone()))}
                    editable={!busy} error={(*udf_error).clone()} on_set={set_udf} in_form=true />
                }
                if errors.keys().any(|k| !shown_beside_input(k)) {
                    <ul class="error-box" data-testid="other-errors">
                        { for errors.iter().filter(|(k, _)| !shown_beside_input(k)).map(|(k, m)| html! { <li>{ format!("{k}: {m}") }</li> }) }
                    </ul>
                }
                { status_line }
                <div class="actions">
                    <button type="submit" class="button" disabled={busy} data-testid="save-lead">{ if busy { "Saving…" } else { "Save" } }</button>
                    <RouteLink to={Route::Leads} class="button secondary">{ "Cancel" }</RouteLink>
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_checked_with_the_server_rules() {
        let mut v = Values::new();
        for (k, x) in [
            ("source_id", "1"),
            ("first_name", "Ann"),
            ("last_name", "Lee"),
            ("primary_phone", "801 555 0101"),
            ("disposition_id", "2"),
            ("city", "Provo"),
            ("state", "UT"),
            ("zip", "22"),
            ("account_type", "residential"),
        ] {
            v.insert(k.into(), x.into());
        }
        let e = check(&v);
        assert_eq!(e.keys().collect::<Vec<_>>(), vec!["zip"]);
        v.insert("zip".into(), "84601".into());
        assert!(check(&v).is_empty());
        v.insert("first_name".into(), "  ".into());
        assert!(check(&v).contains_key("first_name"));
        assert_eq!(form_json(&v).get("source_id"), Some(&Value::from(1u64)));
    }
}
