//! The Sale card's parent customer: who this customer is a sub-customer of, a search for top-level customers to pick
//! one, and Unlink. Picking only sets `parent_id` in the page's form; Save sends it like any other field.

use crate::api::{ApiError, ParentCandidate};
use crate::h::Adapt;
use crate::hooks::use_state;
use crate::html;
use crate::session::use_session;
use serde_json::Value;
use vigil_domain::RecordId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(super) struct ParentPickerProps {
    pub id: RecordId,
    pub current: Option<(RecordId, String)>,
    /// `parent_id` as edited (a number, or null for unlinked); None when untouched.
    pub picked: Option<Value>,
    pub editable: bool,
    pub on_set: Callback<(String, Value)>,
}

#[component]
pub(super) fn ParentPicker(props: &ParentPickerProps) -> Html {
    let session = use_session();
    let query = use_state(String::new);
    let found = use_state(|| None::<Result<Vec<ParentCandidate>, ApiError>>);
    let names = use_state(Vec::<(RecordId, String)>::new);
    let now: Option<(RecordId, String)> = match &props.picked {
        None => props.current.clone(),
        Some(Value::Null) => None,
        Some(v) => v.as_u64().map(|n| {
            let rid = RecordId(n);
            (rid, names.iter().find(|(i, _)| *i == rid).map(|(_, n)| n.clone()).unwrap_or_else(|| format!("#{n}")))
        }),
    };
    let search = {
        let (query, found, client, exclude) = (query.clone(), found.clone(), session.client(), props.id);
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let (q, found) = ((*query).clone(), found.clone());
            crate::spawn(async move {
                found.set(Some(client.parent_candidates(&q, exclude).await));
            });
        })
    };
    let oninput = {
        let query = query.clone();
        crate::h::cb(move |e: InputEvent| query.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))
    };
    let unlink = props.on_set.adapt(|_: MouseEvent| ("parent_id".to_owned(), Value::Null));
    html! {
        <div class="parent-picker" data-testid="parent-picker">
            <span class="field-label">{ "Parent customer" }</span>
            <p data-testid="parent-current">
                { match &now { Some((i, n)) => format!("#{i} {n}"), None => "None (top-level customer)".into() } }
                { for (props.editable && now.is_some()).then(|| html! {
                    <button type="button" class="link-button" data-testid="parent-unlink" onclick={unlink}>{ " Unlink" }</button>
                }) }
            </p>
            if props.editable {
                <form class="inline-form" onsubmit={search} role="search">
                    <label for="parent-q" class="visually-hidden">{ "Search for a parent customer" }</label>
                    <input id="parent-q" class="input" placeholder="Name, business, account # or ID" value={(*query).clone()} {oninput} data-testid="parent-search" />
                    <button type="submit" class="button secondary" data-testid="parent-search-go">{ "Search" }</button>
                </form>
                { match &*found {
                    None => html! {},
                    Some(Err(e)) => html! { <p class="field-error">{ e.message() }</p> },
                    Some(Ok(list)) if list.is_empty() => html! { <p class="muted">{ "No top-level customers match." }</p> },
                    Some(Ok(list)) => html! {
                        <ul class="suggestions parent-results">
                            { for list.iter().map(|p| {
                                let (on_set, names, found, pid, name) = (props.on_set.clone(), names.clone(), found.clone(), p.id, p.name.clone());
                                let onclick = crate::h::cb(move |_| {
                                    let mut n = (*names).clone();
                                    n.push((pid, name.clone()));
                                    names.set(n);
                                    found.set(None);
                                    on_set.emit(("parent_id".into(), Value::from(pid.0)));
                                });
                                html! { <li><button type="button" class="suggestion" data-testid="parent-candidate" data-id={p.id.to_string()} {onclick}>
                                    { format!("#{} {}{} — {}, {}", p.id, p.name, p.business_name.as_ref().map(|b| format!(" ({b})")).unwrap_or_default(), p.city, p.state) }
                                </button></li> }
                            }) }
                        </ul>
                    },
                } }
            }
        </div>
    }
}
