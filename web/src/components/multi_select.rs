//! A searchable multi-select "pillbox": the chosen options as pills (each with a remove button), a search box, and
//! the matching options as a list of checkboxes. Plain form controls, so it works by keyboard and screen reader.

use crate::components::format;
use crate::h::Adapt;
use crate::hooks::use_state;
use crate::html;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MultiSelectProps {
    pub id: AttrValue,
    pub label: AttrValue,
    /// (value, label)
    pub options: Vec<(u32, String)>,
    pub selected: Vec<u32>,
    pub onchange: Callback<Vec<u32>>,
    pub testid: AttrValue,
}

#[component]
pub fn MultiSelect(props: &MultiSelectProps) -> Html {
    let search = use_state(String::new);
    let needle = format::lowercase(&search);
    let label_of =
        |v: u32| props.options.iter().find(|(o, _)| *o == v).map(|(_, l)| l.clone()).unwrap_or_else(|| format!("#{v}"));

    let on_search = {
        let search = search.clone();
        crate::h::cb(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            search.set(input.value());
        })
    };
    let toggle = |v: u32| {
        let (selected, onchange) = (props.selected.clone(), props.onchange.clone());
        crate::h::cb(move |()| {
            let mut next = selected.clone();
            if let Some(i) = next.iter().position(|s| *s == v) {
                next.remove(i);
            } else {
                next.push(v);
            }
            onchange.emit(next);
        })
    };
    let shown: Vec<&(u32, String)> =
        props.options.iter().filter(|(_, l)| needle.is_empty() || format::lowercase(l).contains(&needle)).collect();
    let list_id = format!("{}-options", props.id);

    html! {
        <div class="multi-select" data-testid={props.testid.clone()} role="group" aria-labelledby={format!("{}-label", props.id)}>
            <span class="field-label" id={format!("{}-label", props.id)}>{ props.label.clone() }</span>
            if !props.selected.is_empty() {
                <ul class="pills" aria-label={format!("Chosen {}", format::lowercase(&props.label))}>
                    { for props.selected.iter().map(|v| html! {
                        <li class="pill" key={*v} data-testid="pill" data-value={v.to_string()}>
                            { label_of(*v) }
                            <button type="button" class="pill-remove" aria-label={format!("Remove {}", label_of(*v))}
                                onclick={toggle(*v).adapt(|_: MouseEvent| ())}>{ "×" }</button>
                        </li>
                    }) }
                </ul>
            }
            <input type="search" id={props.id.clone()} class="input" placeholder={format!("Search {}…", format::lowercase(&props.label))}
                aria-controls={list_id.clone()} value={(*search).clone()} oninput={on_search} />
            <ul class="options" id={list_id}>
                { for shown.iter().map(|(v, l)| {
                    let checked = props.selected.contains(v);
                    let id = format!("{}-{v}", props.id);
                    html! {
                        <li key={*v}>
                            <input type="checkbox" id={id.clone()} {checked} onchange={toggle(*v).adapt(|_: Event| ())}
                                data-testid="option" data-value={v.to_string()} />
                            <label for={id}>{ l.clone() }</label>
                        </li>
                    }
                }) }
                if shown.is_empty() {
                    <li class="muted">{ "Nothing matches." }</li>
                }
            </ul>
        </div>
    }
}
