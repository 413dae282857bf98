//! The Home page's tag widget: the record's tags as chips, removable and addable from the company's tags by whoever
//! may modify the record. Each change is its own versioned write (`PUT /api/v1/customers/{id}/tags`), so it never
//! waits for the card form's Save; the page takes the saved record (and its new version) from the response.

use crate::api::{CustomerHome, Named, Tag};
use crate::hooks::{use_effect_with, use_state};
use crate::html;
use crate::session::use_session;
use vigil_domain::RecordId;
use vigil_domain::TagId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CustomerTagsProps {
    pub id: RecordId,
    pub version: u64,
    pub tags: Vec<Named<TagId>>,
    pub editable: bool,
    pub on_saved: Callback<CustomerHome>,
}

#[component]
pub fn CustomerTags(props: &CustomerTagsProps) -> Html {
    let session = use_session();
    let all = use_state(Vec::<Tag>::new);
    let busy = use_state(|| false);
    let problem = use_state(|| None::<String>);
    {
        let (all, client, editable) = (all.clone(), session.client(), props.editable);
        use_effect_with(editable, move |editable| {
            if let (true, Some(client)) = (*editable, client) {
                crate::spawn(async move {
                    if let Ok(t) = client.tags().await {
                        all.set(t);
                    }
                });
            }
        });
    }
    let chosen: Vec<u32> = props.tags.iter().map(|t| t.id.0).collect();
    let put = {
        let (client, busy, problem, on_saved, id, version) =
            (session.client(), busy.clone(), problem.clone(), props.on_saved.clone(), props.id, props.version);
        crate::h::cb(move |next: Vec<u32>| {
            let Some(client) = client.clone() else { return };
            let (busy, problem, on_saved) = (busy.clone(), problem.clone(), on_saved.clone());
            busy.set(true);
            crate::spawn(async move {
                match client.set_customer_tags(id, &next, version).await {
                    Ok(saved) => {
                        problem.set(None);
                        on_saved.emit(saved);
                    }
                    Err(e) if e.is_conflict() => problem.set(Some(
                        "Another user changed this customer. Reload to see their changes before changing tags.".into(),
                    )),
                    Err(e) => problem.set(Some(format!("Could not change the tags: {}", e.message()))),
                }
                busy.set(false);
            });
        })
    };
    let remove = |tag: u32| {
        let (put, chosen) = (put.clone(), chosen.clone());
        crate::h::cb(move |_: MouseEvent| put.emit(chosen.iter().copied().filter(|t| *t != tag).collect()))
    };
    let add = {
        let (put, chosen) = (put.clone(), chosen.clone());
        crate::h::cb(move |e: Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(tag) = select.value().parse::<u32>() {
                let mut next = chosen.clone();
                next.push(tag);
                put.emit(next);
            }
            select.set_value("");
        })
    };
    let addable: Vec<&Tag> = all.iter().filter(|t| !chosen.contains(&t.id.0)).collect();
    html! {
        <div class="tag-widget" data-testid="tag-widget">
            <span class="field-label">{ "Tags" }</span>
            if props.tags.is_empty() {
                <span class="muted" data-testid="no-tags">{ " None" }</span>
            } else {
                <ul class="tags">
                    { for props.tags.iter().map(|t| html! {
                        <li class="tag" data-testid="customer-tag" data-tag={t.id.to_string()}>
                            { t.name.clone() }
                            if props.editable {
                                <button type="button" class="tag-remove" aria-label={format!("Remove tag {}", t.name)} disabled={*busy}
                                    data-testid="tag-remove" onclick={remove(t.id.0)}>{ "×" }</button>
                            }
                        </li>
                    }) }
                </ul>
            }
            if props.editable && !addable.is_empty() {
                <label class="visually-hidden" for="tag-add">{ "Add a tag" }</label>
                <select class="input tag-add" id="tag-add" data-testid="tag-add" disabled={*busy} onchange={add}>
                    <option value="" selected=true>{ "+ Add tag" }</option>
                    { for addable.iter().map(|t| html! { <option value={t.id.to_string()}>{ t.name.clone() }</option> }) }
                </select>
            }
            if let Some(p) = &*problem {
                <span class="field-error" role="alert" data-testid="tag-error">{ p.clone() }</span>
            }
        </div>
    }
}
