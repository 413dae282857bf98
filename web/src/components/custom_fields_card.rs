//! The Home page's Custom Fields card: the company's active user-defined fields (UDFs) with this customer's values,
//! between the Sale and Installation cards. It has no Save of its own: every change goes into the page's one form
//! as `custom_fields: {"<id>": value}` (merged by [`merge_edit`]), and Save / Save & Stay send it with the other
//! changed fields and the record's version. Server errors named `custom_fields.<id>` show under the input.
//!
//! The lead page shows the same inputs inside its edit form (`in_form`): there they are a fieldset of that form,
//! saved by its Save, rather than a card of their own.

use crate::api::{ApiError, CustomFieldValue, FieldType};
use crate::hooks::{use_state, UseStateHandle};
use crate::html;
use serde_json::{Map, Value};
use vigil_domain::sorted::SortedMap;
use yew::prelude::*;

/// The page's edits keep one `custom_fields` object: a new UDF edit joins the ones made before instead of
/// replacing them. Every other field is replaced as before.
pub fn merge_edit(latest: &Map<String, Value>, key: &str, value: Value) -> Value {
    match (key, latest.get(key), value) {
        ("custom_fields", Some(Value::Object(before)), Value::Object(new)) => {
            let mut merged = before.clone();
            merged.extend(new);
            Value::Object(merged)
        }
        (_, _, value) => value,
    }
}

#[derive(Properties, PartialEq)]
pub struct CustomFieldsCardProps {
    /// `cards.custom_fields` of the Home page read; no card when absent.
    pub card: Option<Value>,
    /// The page's pending `custom_fields` edits.
    #[prop_or_default]
    pub edited: Option<Value>,
    pub editable: bool,
    #[prop_or_default]
    pub error: Option<ApiError>,
    /// `("custom_fields", {"<id>": value})`.
    pub on_set: Callback<(String, Value)>,
    /// Rendered as a "Custom fields" fieldset of an enclosing form (the lead page's edit form) instead of a card.
    #[prop_or_default]
    pub in_form: bool,
}

#[component]
pub fn CustomFieldsCard(props: &CustomFieldsCardProps) -> Html {
    let Some(rows) = props.card.clone().and_then(|v| vigil_json::from_value::<Vec<CustomFieldValue>>(v).ok()) else {
        return html! {};
    };
    if rows.is_empty() {
        return html! {};
    }
    let editable = props.editable;
    // What was typed into each number input, by field ID (see `field`).
    let typed = use_state(SortedMap::<String, String>::new);
    let inputs = html! {
        <div class="form-grid">
            { for rows.iter().map(|row| {
                let key = row.id.to_string();
                let edited = props.edited.as_ref().and_then(|e| e.get(&key)).cloned();
                let message = props.error.as_ref().and_then(|e| e.field_message(&format!("custom_fields.{key}")));
                field(row, edited, message, editable, &props.on_set, &typed)
            }) }
        </div>
    };
    if props.in_form {
        return html! {
            <fieldset data-testid="fieldset-custom_fields">
                <legend>{ "Custom fields" }</legend>
                { inputs }
            </fieldset>
        };
    }
    html! {
        <section class={classes!("card", "form-card", (!editable).then_some("read-only"))} aria-labelledby="card-custom_fields" data-testid="card-custom_fields">
            <h2 id="card-custom_fields">{ "Custom Fields" }{ for (!editable).then(|| html! { <span class="muted small">{ " (read-only)" }</span> }) }</h2>
            { inputs }
        </section>
    }
}

/// A value as a text-like input shows it.
fn as_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => vigil_json::to_text(other),
    }
}

/// What a number input's text is sent as: a JSON number when it reads as one; anything else as typed, for the server
/// to name the problem; nothing when empty.
fn number_value(raw: &str) -> Value {
    if raw.trim().is_empty() {
        return Value::Null;
    }
    crate::components::format::parse_f64(raw.trim())
        .and_then(serde_json::Number::from_f64)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(raw.to_owned()))
}

fn field(
    row: &CustomFieldValue,
    edited: Option<Value>,
    message: Option<String>,
    editable: bool,
    on_set: &Callback<(String, Value)>,
    typed: &UseStateHandle<SortedMap<String, String>>,
) -> Html {
    let key = row.id.to_string();
    let id = format!("udf-{key}");
    let testid = format!("input-custom_fields.{key}");
    let shown = edited.clone().unwrap_or_else(|| row.value.clone());
    let emit = {
        let (on_set, key) = (on_set.clone(), key.clone());
        move |v: Value| {
            let mut one = Map::new();
            one.insert(key.clone(), v);
            on_set.emit(("custom_fields".to_owned(), Value::Object(one)));
        }
    };
    let disabled = !editable;
    let invalid = message.as_ref().map(|_| "true");
    let described = message.as_ref().map(|_| format!("{id}-error"));
    let control = match row.field_type {
        FieldType::Checkbox => {
            let onchange = crate::h::cb(move |e: Event| {
                emit(Value::Bool(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked()))
            });
            html! {
                <input type="checkbox" id={id.clone()} data-testid={testid} {disabled} checked={shown.as_bool().unwrap_or(false)}
                    aria-invalid={invalid} aria-describedby={described} {onchange} />
            }
        }
        FieldType::Select => {
            let current = as_text(&shown);
            let onchange = crate::h::cb(move |e: Event| {
                let v = e.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
                emit(if v.is_empty() { Value::Null } else { Value::String(v) })
            });
            // A stored value the admin since removed from the options still shows, so saving other fields keeps it.
            let known = current.is_empty() || row.options.contains(&current);
            html! {
                <select class="input" id={id.clone()} data-testid={testid} {disabled} aria-invalid={invalid} aria-describedby={described} {onchange}>
                    <option value="" selected={current.is_empty()}>{ "—" }</option>
                    { for (!known).then(|| html! { <option value={current.clone()} selected=true>{ current.clone() }</option> }) }
                    { for row.options.iter().map(|o| html! { <option value={o.clone()} selected={*o == current}>{ o.clone() }</option> }) }
                </select>
            }
        }
        t => {
            let (kind, step) = match t {
                FieldType::Number => ("number", Some("any")),
                FieldType::Date => ("date", None),
                _ => ("text", None),
            };
            // A number input shows what was typed while it is the edit: the number written back as text (`3` as
            // `3.0`) would replace the text under the cursor, so that `3.25` typed key by key became 3.025.
            let text = match (t, typed.get(&key), &edited) {
                (FieldType::Number, Some(raw), Some(v)) if number_value(raw) == *v => raw.clone(),
                _ => as_text(&shown),
            };
            // Every keystroke, so a Save clicked right after typing sends what was typed.
            let (typed, key) = (typed.clone(), key.clone());
            let oninput = crate::h::cb(move |e: InputEvent| {
                let raw = e.target_unchecked_into::<web_sys::HtmlInputElement>().value();
                let v = match t {
                    FieldType::Number => {
                        let mut now = (*typed).clone();
                        now.insert(key.clone(), raw.clone());
                        typed.set(now);
                        number_value(&raw)
                    }
                    _ if raw.trim().is_empty() => Value::Null,
                    _ => Value::String(raw),
                };
                emit(v)
            });
            let maxlength = (t == FieldType::Text).then_some("500");
            html! {
                <input class="input" type={kind} {step} id={id.clone()} data-testid={testid} value={text} {disabled} {maxlength}
                    aria-invalid={invalid} aria-describedby={described} {oninput} />
            }
        }
    };
    html! {
        <div class={classes!("form-field", message.is_some().then_some("invalid"), edited.is_some().then_some("edited"))} data-testid="custom-field">
            <label for={id.clone()}>
                { row.name.clone() }
                { for row.required.then(|| html! { <span class="required" aria-label="required" title="Required">{ " *" }</span> }) }
            </label>
            { control }
            // `if`, not `{ for … }`: a `for` is spliced into the children, so the error going away would shorten the
            // list, and Yew's unkeyed diff would then rebuild the label and input, taking the focus of whoever is typing.
            if let Some(m) = message {
                <span class="field-error" id={format!("{id}-error")} data-testid={format!("error-custom_fields.{key}")}>{ m }</span>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn udf_edits_merge_and_others_replace() {
        let mut latest = Map::new();
        latest.insert("custom_fields".into(), json!({"1": "a"}));
        latest.insert("city".into(), json!("Provo"));
        assert_eq!(merge_edit(&latest, "custom_fields", json!({"2": 3})), json!({"1": "a", "2": 3}));
        assert_eq!(merge_edit(&latest, "custom_fields", json!({"1": null})), json!({"1": null}));
        assert_eq!(merge_edit(&latest, "city", json!("Orem")), json!("Orem"));
        assert_eq!(merge_edit(&Map::new(), "custom_fields", json!({"2": 3})), json!({"2": 3}));
    }
}
