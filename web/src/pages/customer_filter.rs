//! The Customer List's filter flyout: the search fields the list engine shares with the Leads list, sort and page
//! size, and Archive Status (All by default: archived customers show in the list unless filtered out).

use yew::prelude::*;

/// What the flyout holds; `query` turns it into the list's query parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerQuery {
    pub number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// `all` (empty), `active_only` or `archived_only`.
    pub archived: String,
    pub sort: String,
    pub per_page: String,
}

impl CustomerQuery {
    /// `&name=value` pairs for the non-empty fields, URI-encoded.
    pub fn query(&self) -> String {
        let mut q = String::new();
        for (k, v) in [
            ("number", &self.number),
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("email", &self.email),
            ("archived", &self.archived),
            ("sort", &self.sort),
            ("per_page", &self.per_page),
        ] {
            let v = v.trim();
            if !v.is_empty() {
                q.push_str(&format!("&{k}={}", js_sys::encode_uri_component(v)));
            }
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Properties, PartialEq)]
pub struct CustomerFilterProps {
    pub applied: CustomerQuery,
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
    let draft = use_state(|| props.applied.clone());
    let set = |f: fn(&mut CustomerQuery, String)| {
        let draft = draft.clone();
        Callback::from(move |v: String| {
            let mut d = (*draft).clone();
            f(&mut d, v);
            draft.set(d);
        })
    };
    let on_submit = {
        let (draft, on_apply) = (draft.clone(), props.on_apply.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_apply.emit((*draft).clone());
        })
    };
    let on_clear = {
        let (draft, on_apply) = (draft.clone(), props.on_apply.clone());
        Callback::from(move |_: MouseEvent| {
            draft.set(CustomerQuery::default());
            on_apply.emit(CustomerQuery::default());
        })
    };
    let on_keydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_close.emit(());
            }
        })
    };
    let text = |id: &'static str, label: &'static str, value: &str, testid: &'static str, cb: Callback<String>| {
        html! {
            <div class="form-field">
                <label for={id}>{ label }</label>
                <input type="text" class="input" id={id} value={value.to_owned()} data-testid={testid} oninput={cb.reform(input_value)} />
            </div>
        }
    };
    let select = |id: &'static str, label: &'static str, value: &str, testid: &'static str, choices: &[(&str, &str)], cb: Callback<String>| {
        html! {
            <div class="form-field">
                <label for={id}>{ label }</label>
                <select id={id} class="input" data-testid={testid} onchange={cb.reform(select_value)}>
                    { for choices.iter().map(|(v, l)| html! { <option value={v.to_string()} selected={value == *v}>{ l.to_string() }</option> }) }
                </select>
            </div>
        }
    };
    let per_pages: Vec<(&str, &str)> = PER_PAGES.iter().map(|n| (*n, *n)).collect();
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
