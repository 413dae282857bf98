//! The Customer List's filter flyout: the search fields the list engine shares with the Leads list, a tag with its
//! operator, sort and page size, and Archive Status (All by default: archived customers show in the list unless
//! filtered out). The applied filter lives in the URL with the API's parameter names, so it can be bookmarked.

use crate::api::Tag;
use crate::h::Adapt;
use crate::hooks::use_state_with;
use crate::html;
use crate::lead_filter::{to_query, TAG_OPS};
use crate::router::{query_pairs, uri_component};
use yew::prelude::*;

/// What the flyout holds, by the list's query parameter names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerQuery {
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// One tag ID, or empty.
    pub tags: String,
    /// `any` (empty), `all`, `none`, `not_all`.
    pub tags_op: String,
    /// `all` (empty), `active_only` or `archived_only`.
    pub archived: String,
    pub sort: String,
    pub per_page: String,
}

const PARAMS: [&str; 9] =
    ["number", "first_name", "last_name", "email", "tags", "tags_op", "archived", "sort", "per_page"];

impl CustomerQuery {
    fn slot(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "number" => &mut self.number,
            "first_name" => &mut self.first_name,
            "last_name" => &mut self.last_name,
            "email" => &mut self.email,
            "tags" => &mut self.tags,
            "tags_op" => &mut self.tags_op,
            "archived" => &mut self.archived,
            "sort" => &mut self.sort,
            "per_page" => &mut self.per_page,
            _ => return None,
        })
    }

    /// The non-empty parameters, in a fixed order (the URL's query and the API's).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut copy = self.clone();
        PARAMS
            .iter()
            .filter_map(|k| copy.slot(k).map(|v| (*k, v.trim().to_owned())))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }

    /// Reads the page URL's query (unknown parameters are ignored; the server validates the rest).
    pub fn from_url(query: &str) -> Self {
        let mut q = Self::default();
        for (k, v) in query_pairs(query) {
            if let Some(slot) = q.slot(&k) {
                *slot = v;
            }
        }
        q
    }

    /// `&name=value` pairs for the API call, URI-encoded.
    pub fn query(&self) -> String {
        let q = to_query(&self.pairs(), uri_component);
        if q.is_empty() {
            q
        } else {
            format!("&{q}")
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs().is_empty()
    }
}

#[derive(Properties, PartialEq)]
pub struct CustomerFilterProps {
    pub applied: CustomerQuery,
    /// The company's tags (empty: no tag filter offered).
    pub tags: Vec<Tag>,
    pub on_apply: Callback<CustomerQuery>,
    pub on_close: Callback<()>,
}

const ARCHIVE: &[(&str, &str)] = &[("", "All"), ("active_only", "Active only"), ("archived_only", "Archived only")];
const SORTS: &[(&str, &str)] = &[("", "Newest first"), ("name", "Name"), ("address", "Address"), ("email", "Email")];
const PER_PAGES: &[&str] = &["10", "25", "50"];

fn input_value(e: InputEvent) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>().value()
}

fn select_value(e: Event) -> String {
    e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()
}

#[component]
pub fn CustomerFilter(props: &CustomerFilterProps) -> Html {
    let draft = use_state_with(|| props.applied.clone());
    let set = |f: fn(&mut CustomerQuery, String)| {
        let draft = draft.clone();
        crate::h::cb(move |v: String| {
            let mut d = (*draft).clone();
            f(&mut d, v);
            draft.set(d);
        })
    };
    let on_submit = {
        let (draft, on_apply) = (draft.clone(), props.on_apply.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            on_apply.emit((*draft).clone());
        })
    };
    let on_clear = {
        let (draft, on_apply) = (draft.clone(), props.on_apply.clone());
        crate::h::cb(move |_: MouseEvent| {
            draft.set(CustomerQuery::default());
            on_apply.emit(CustomerQuery::default());
        })
    };
    let on_keydown = {
        let on_close = props.on_close.clone();
        crate::h::cb(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let text = |id: &'static str, label: &'static str, value: &str, testid: &'static str, cb: Callback<String>| {
        html! {
            <div class="form-field">
                <label for={id}>{ label }</label>
                <input type="text" class="input" id={id} value={value.to_owned()} data-testid={testid} oninput={cb.adapt(input_value)} />
            </div>
        }
    };
    let select = |id: &'static str,
                  label: &'static str,
                  value: &str,
                  testid: &'static str,
                  choices: &[(&str, &str)],
                  cb: Callback<String>| {
        html! {
            <div class="form-field">
                <label for={id}>{ label }</label>
                <select id={id} class="input" data-testid={testid} onchange={cb.adapt(select_value)}>
                    { for choices.iter().map(|(v, l)| html! { <option value={v.to_string()} selected={value == *v}>{ l.to_string() }</option> }) }
                </select>
            </div>
        }
    };
    let per_pages: Vec<(&str, &str)> = PER_PAGES.iter().map(|n| (*n, *n)).collect();
    let tag_ids: Vec<String> = props.tags.iter().map(|t| t.id.to_string()).collect();
    let mut tag_choices: Vec<(&str, &str)> = vec![("", "Any tag or none")];
    tag_choices.extend(tag_ids.iter().zip(&props.tags).map(|(id, t)| (id.as_str(), t.name.as_str())));
    let tag_ops: Vec<(&str, &str)> =
        TAG_OPS.iter().enumerate().map(|(i, (v, l))| (if i == 0 { "" } else { *v }, *l)).collect();
    let per_page = if draft.per_page.is_empty() { "25" } else { draft.per_page.as_str() };
    html! {
        <aside class="flyout" aria-label="Find customers" data-testid="customer-filter" onkeydown={on_keydown}>
            <form onsubmit={on_submit} novalidate=true>
                <h2>{ "Find customers" }</h2>
                <fieldset>
                    <legend>{ "Search" }</legend>
                    { text("cf-number", "ID, account number, phone or SSN last 4", &draft.number, "cf-number", set(|d, v| d.number = v.chars().filter(char::is_ascii_digit).collect())) }
                    <div class="form-row">
                        { text("cf-first", "First name", &draft.first_name, "cf-first-name", set(|d, v| d.first_name = v)) }
                        { text("cf-last", "Last name", &draft.last_name, "cf-last-name", set(|d, v| d.last_name = v)) }
                    </div>
                    { text("cf-email", "Email", &draft.email, "cf-email", set(|d, v| d.email = v)) }
                </fieldset>
                if !props.tags.is_empty() {
                    <fieldset>
                        <legend>{ "Tags" }</legend>
                        <div class="form-row">
                            { select("cf-tags-op", "Customers that", &draft.tags_op, "cf-tags-op", &tag_ops, set(|d, v| d.tags_op = v)) }
                            { select("cf-tag", "Tag", &draft.tags, "cf-tag", &tag_choices, set(|d, v| d.tags = v)) }
                        </div>
                    </fieldset>
                }
                <fieldset>
                    <legend>{ "Archive status, sort and page size" }</legend>
                    <div class="form-row">
                        { select("cf-archived", "Archive status", &draft.archived, "cf-archived", ARCHIVE, set(|d, v| d.archived = v)) }
                        { select("cf-sort", "Sort by", &draft.sort, "cf-sort", SORTS, set(|d, v| d.sort = v)) }
                        { select("cf-per-page", "Per page", per_page, "cf-per-page", &per_pages, set(|d, v| d.per_page = v)) }
                    </div>
                </fieldset>
                <div class="actions">
                    <button type="submit" class="button" data-testid="cf-submit">{ "Submit" }</button>
                    <button type="button" class="button secondary" data-testid="cf-clear" onclick={on_clear}>{ "Clear" }</button>
                </div>
            </form>
        </aside>
    }
}
