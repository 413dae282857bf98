//! Admin: the company's monthly monitoring rates (MMR). Simple mode shows customers one dropdown of rates; breakout
//! mode shows the rate picker with line-item breakdowns. The card is an editor of the whole configuration — the
//! mode, the line items, the rates — kept as a draft until "Save MMR settings" sends all of it back with the version
//! it was loaded at (`PUT /api/v1/settings/mmr`), so another admin's change in between is a conflict, not lost.
//!
//! Amounts are typed as dollars and sent as cents. The server's validation messages name their field by path
//! (`rates[2].line_items[0].item_id`); the editor keeps what it sent so each message lands next to its input.

use crate::api::{ApiError, MmrItem, MmrLine, MmrRate, MmrSettings};
use crate::components::format::dollars;
use crate::hooks::{use_effect_with, use_state, UseStateHandle};
use crate::html;
use crate::session::use_session;
use crate::toast::use_toasts;
use std::rc::Rc;
use vigil_domain::mmr::{self as rules, AMOUNT_MAX};
use vigil_domain::sorted::SortedMap;
use vigil_domain::{Action, Resource};
use web_sys::HtmlInputElement;
use yew::prelude::*;

const BAD_MONEY: &str = "Enter dollars and cents, e.g. 39.99";
const CONFLICT: &str = "Another admin changed the MMR settings; reload to see their changes";

/// Dollars as typed (`39.99`, `$39.99`, `40`, `.5`) to cents, exactly (no floating point).
fn parse_dollars(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let t = t.strip_prefix('$').unwrap_or(t).trim().replace(',', "");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 7 {
        return Err(BAD_MONEY.into());
    }
    let cents = whole.parse::<u64>().unwrap_or(0) * 100 + format!("{frac:0<2}").parse::<u64>().unwrap_or(0);
    if cents > AMOUNT_MAX {
        return Err(format!("At most {}", dollars(AMOUNT_MAX)));
    }
    Ok(cents)
}

/// Cents as an input shows them (`39.99`, no `$`).
fn money_text(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[derive(Debug, Clone, PartialEq)]
struct LineDraft {
    item_id: u32,
    name: String,
    amount: String,
}

#[derive(Debug, Clone, PartialEq)]
struct RateDraft {
    id: u32,
    /// Not saved yet: may still be dropped (saved rates are only deactivated).
    new: bool,
    name: String,
    /// The typed total (simple mode; breakout totals are the sum of the lines).
    total: String,
    /// An empty amount means the rate has no line for that item.
    lines: Vec<LineDraft>,
    active: bool,
}

impl RateDraft {
    fn line(&self, item_id: u32) -> Option<&LineDraft> {
        self.lines.iter().find(|l| l.item_id == item_id)
    }

    fn filled_lines(&self) -> impl Iterator<Item = &LineDraft> {
        self.lines.iter().filter(|l| !l.amount.trim().is_empty())
    }

    /// The sum of the lines, or `None` while one of them is not an amount.
    fn line_sum(&self) -> Option<u64> {
        self.filled_lines().map(|l| parse_dollars(&l.amount).ok()).sum()
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Draft {
    /// The configuration as loaded: its version goes back with the save.
    base: MmrSettings,
    mode: String,
    items: Vec<MmrItem>,
    rates: Vec<RateDraft>,
}

impl Draft {
    fn of(s: &MmrSettings) -> Self {
        let rates = s
            .rates
            .iter()
            .map(|r| RateDraft {
                id: r.id,
                new: false,
                name: r.name.clone().unwrap_or_default(),
                total: money_text(r.amount_cents),
                lines: r
                    .line_items
                    .iter()
                    .map(|l| LineDraft { item_id: l.item_id, name: l.name.clone(), amount: money_text(l.amount_cents) })
                    .collect(),
                active: r.active,
            })
            .collect();
        Self { base: s.clone(), mode: s.mode.as_str().to_owned(), items: s.items.clone(), rates }
    }

    fn breakout(&self) -> bool {
        self.mode == "breakout"
    }

    /// A new line item takes the ID the server would give it (above every item ID any rate ever used), because a
    /// new rate's lines must name their item before the server has seen either.
    fn next_item_id(&self) -> u32 {
        let ids = |s: &[MmrItem], rates: &mut dyn Iterator<Item = u32>| {
            s.iter().map(|i| i.id).chain(rates).max().unwrap_or(0)
        };
        let base =
            ids(&self.base.items, &mut self.base.rates.iter().flat_map(|r| r.line_items.iter().map(|l| l.item_id)));
        let now = ids(&self.items, &mut self.rates.iter().flat_map(|r| r.lines.iter().map(|l| l.item_id)));
        base.max(now) + 1
    }

    fn next_rate_id(&self) -> u32 {
        self.base.rates.iter().map(|r| r.id).chain(self.rates.iter().map(|r| r.id)).max().unwrap_or(0) + 1
    }

    fn add_rate(&mut self) {
        let lines = if self.breakout() {
            self.items
                .iter()
                .map(|i| LineDraft { item_id: i.id, name: i.name.clone(), amount: "0.00".into() })
                .collect()
        } else if let [only] = self.items.as_slice() {
            // Like the defaults: a simple rate is one line of the only item, so switching to breakout starts sane.
            vec![LineDraft { item_id: only.id, name: only.name.clone(), amount: String::new() }]
        } else {
            vec![]
        };
        let id = self.next_rate_id();
        self.rates.push(RateDraft { id, new: true, name: String::new(), total: String::new(), lines, active: true });
    }

    fn remove_item(&mut self, index: usize) {
        if index >= self.items.len() {
            return;
        }
        let gone = self.items.remove(index).id;
        // The server keeps a removed item's line only on a rate that already had it when saved.
        for r in &mut self.rates {
            let had = self
                .base
                .rates
                .iter()
                .find(|b| b.id == r.id && !r.new)
                .is_some_and(|b| b.line_items.iter().any(|l| l.item_id == gone));
            if !had {
                r.lines.retain(|l| l.item_id != gone);
            }
        }
    }

    fn set_mode(&mut self, mode: &str) {
        if mode == "simple" && self.breakout() {
            for r in &mut self.rates {
                if let Some(sum) = r.line_sum() {
                    r.total = money_text(sum);
                }
            }
        }
        self.mode = mode.to_owned();
    }

    /// The total a rate will be saved with, or `None` while an amount is not valid.
    fn total(&self, r: &RateDraft) -> Option<u64> {
        if self.breakout() {
            r.line_sum()
        } else {
            parse_dollars(&r.total).ok()
        }
    }

    /// Whether the rate's breakdown names other items than the configured ones (the domain's rule).
    fn mismatch(&self, r: &RateDraft) -> bool {
        let mode = if self.breakout() { rules::MmrMode::Breakout } else { rules::MmrMode::Simple };
        let items = self.items.iter().map(|i| rules::MmrItem { id: i.id, name: i.name.clone() }).collect();
        let s = rules::MmrSettings { mode, version: 0, items, rates: vec![] };
        let line_items = r
            .filled_lines()
            .map(|l| rules::LineItem { item_id: l.item_id, name: l.name.clone(), amount_cents: 0 })
            .collect();
        s.mismatch(&rules::MmrRate { id: r.id, name: None, amount_cents: 0, line_items, active: r.active })
    }

    fn money_problems(&self) -> usize {
        self.rates
            .iter()
            .map(|r| {
                let lines = r.filled_lines().filter(|l| parse_dollars(&l.amount).is_err()).count();
                lines + usize::from(!self.breakout() && parse_dollars(&r.total).is_err())
            })
            .sum()
    }

    /// The PUT body, and per rate the item IDs of the lines sent (to place `rates[i].line_items[j]` messages).
    fn body(&self) -> Option<(MmrSettings, Vec<Vec<u32>>)> {
        let mut sent = Vec::new();
        let mut rates = Vec::new();
        for r in &self.rates {
            let total = self.total(r)?;
            let before = self.base.rates.iter().find(|b| b.id == r.id && !r.new);
            let mut lines: Vec<MmrLine> = Vec::new();
            for l in r.filled_lines() {
                lines.push(MmrLine {
                    item_id: l.item_id,
                    name: l.name.clone(),
                    amount_cents: parse_dollars(&l.amount).ok()?,
                });
            }
            // A simple rate of one line keeps that line equal to the total the admin types, so the rate still adds
            // up if the company switches to breakout later.
            if let [only] = r.lines.as_slice() {
                if !self.breakout() && before.is_none_or(|b| b.amount_cents != total) {
                    lines = vec![MmrLine { item_id: only.item_id, name: only.name.clone(), amount_cents: total }];
                }
            }
            sent.push(lines.iter().map(|l| l.item_id).collect());
            let name = Some(r.name.trim().to_owned()).filter(|n| !n.is_empty());
            rates.push(MmrRate {
                id: r.id,
                name,
                amount_cents: total,
                line_items: lines,
                active: r.active,
                mismatch: false,
                assignable: true,
            });
        }
        let items = self.items.iter().map(|i| MmrItem { id: i.id, name: i.name.trim().to_owned() }).collect();
        let mode = if self.breakout() { rules::MmrMode::Breakout } else { rules::MmrMode::Simple };
        Some((MmrSettings { mode, version: self.base.version, items, rates }, sent))
    }

    fn rate_label(&self, i: usize) -> String {
        match self.rates.get(i) {
            Some(r) if !r.name.trim().is_empty() => format!("Rate \"{}\"", r.name.trim()),
            Some(r) if r.new => format!("New rate (row {})", i + 1),
            Some(r) => format!("Rate #{}", r.id),
            None => format!("Rate {}", i + 1),
        }
    }
}

/// The server's field messages, keyed by the input they belong to, and the summary shown at the top.
#[derive(Debug, Clone, PartialEq, Default)]
struct Problems {
    at: SortedMap<String, String>,
    summary: Vec<String>,
}

/// `rates[12].line_items[0].item_id` → `("rates", 12, "line_items[0].item_id")`.
fn split_path(field: &str) -> Option<(&str, usize, &str)> {
    let (head, rest) = field.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    Some((head, index.parse().ok()?, rest.strip_prefix('.').unwrap_or(rest)))
}

impl Problems {
    fn of(e: &ApiError, draft: &Draft, sent: &[Vec<u32>]) -> Self {
        let mut p = Problems::default();
        for f in &e.errors {
            let (key, who) = match split_path(&f.field) {
                Some(("rates", i, leaf)) => {
                    let key = match leaf {
                        "name" => format!("rate-{i}-name"),
                        "amount_cents" => format!("rate-{i}-total"),
                        _ => match split_path(leaf)
                            .filter(|(h, ..)| *h == "line_items")
                            .and_then(|(_, j, _)| sent.get(i)?.get(j))
                        {
                            Some(item) => format!("rate-{i}-item-{item}"),
                            None => format!("rate-{i}-row"),
                        },
                    };
                    (key, draft.rate_label(i))
                }
                Some(("items", i, _)) => {
                    let name = draft.items.get(i).map(|it| it.name.trim().to_owned()).filter(|n| !n.is_empty());
                    (
                        format!("item-{i}"),
                        name.map_or_else(|| format!("Line item {}", i + 1), |n| format!("Line item \"{n}\"")),
                    )
                }
                _ => ("form".to_owned(), String::new()),
            };
            p.summary.push(if who.is_empty() { f.message.clone() } else { format!("{who}: {}", f.message) });
            p.at.insert_if_absent(key, || f.message.clone());
        }
        if p.summary.is_empty() {
            p.summary.push(e.message());
        }
        p
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Load {
    Loading,
    Failed(ApiError),
    Ready,
}

#[derive(Clone)]
struct Editor {
    load: Load,
    draft: Option<Draft>,
    problems: Problems,
    conflict: bool,
    /// A save was refused in the portal because amounts are not valid.
    blocked: bool,
}

type Edit = Rc<dyn Fn(&mut Draft)>;

enum Msg {
    Loading,
    Loaded(MmrSettings),
    Failed(ApiError),
    /// A change to one value: messages stay where they are.
    Edit(Edit),
    /// Rows come or go: the server's messages no longer point at the right rows.
    Reshape(Edit),
    Rejected(ApiError, Vec<Vec<u32>>),
    Conflict,
    Blocked,
}

impl Reducible for Editor {
    type Action = Msg;

    fn reduce(self: Rc<Self>, action: Msg) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Msg::Loading => next.load = Load::Loading,
            Msg::Loaded(s) => {
                next = Editor {
                    load: Load::Ready,
                    draft: Some(Draft::of(&s)),
                    problems: Problems::default(),
                    conflict: false,
                    blocked: false,
                };
            }
            Msg::Failed(e) => next.load = Load::Failed(e),
            Msg::Edit(f) => {
                if let Some(d) = next.draft.as_mut() {
                    f(d);
                    if d.money_problems() == 0 {
                        next.blocked = false;
                    }
                }
            }
            Msg::Reshape(f) => {
                if let Some(d) = next.draft.as_mut() {
                    f(d);
                }
                next.problems = Problems::default();
            }
            Msg::Rejected(e, sent) => {
                if let Some(d) = &next.draft {
                    next.problems = Problems::of(&e, d, &sent);
                }
            }
            Msg::Conflict => next.conflict = true,
            Msg::Blocked => next.blocked = true,
        }
        Rc::new(next)
    }
}

/// A callback that applies `f` with the input's value to the draft.
fn on_text(ed: &UseStateHandle<Editor>, f: impl Fn(&mut Draft, String) + 'static) -> Callback<InputEvent> {
    let (ed, f) = (ed.clone(), Rc::new(f));
    crate::h::cb(move |e: InputEvent| {
        let (v, f) = (e.target_unchecked_into::<HtmlInputElement>().value(), f.clone());
        ed.dispatch(Msg::Edit(Rc::new(move |d: &mut Draft| f(d, v.clone()))));
    })
}

fn on_click(ed: &UseStateHandle<Editor>, reshape: bool, f: impl Fn(&mut Draft) + 'static) -> Callback<MouseEvent> {
    let f: Edit = Rc::new(f);
    let ed = ed.clone();
    crate::h::cb(move |_: MouseEvent| ed.dispatch(if reshape { Msg::Reshape(f.clone()) } else { Msg::Edit(f.clone()) }))
}

/// Always one node, present or not: Yew matches unkeyed siblings from the end, so a message appearing as an extra
/// sibling would replace the input before it (and take the typist's focus).
fn field_error(message: Option<&String>, testid: &'static str) -> Html {
    html! { <>{ for message.map(|m| html! { <span class="field-error" role="alert" data-testid={testid}>{ m.clone() }</span> }) }</> }
}

#[component]
pub fn MmrAdmin() -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let ed = use_state(|| Editor {
        load: Load::Loading,
        draft: None,
        problems: Problems::default(),
        conflict: false,
        blocked: false,
    });
    let attempt = use_state(|| 0u32);
    let busy = use_state(|| false);
    let may_change =
        session.me.as_ref().is_some_and(|m| m.permissions.allows_somewhere(Resource::CompanySettings, Action::Modify));
    {
        let (ed, client) = (ed.clone(), session.client());
        use_effect_with(*attempt, move |_| {
            if let Some(client) = client {
                ed.dispatch(Msg::Loading);
                crate::spawn(async move {
                    ed.dispatch(match client.mmr_settings().await {
                        Ok(s) => Msg::Loaded(s),
                        Err(e) => Msg::Failed(e),
                    })
                });
            }
        });
    }
    {
        // Save sits below a long table while its outcome is reported above it: bring the report into view.
        let shown = (ed.conflict, ed.blocked, ed.problems.summary.len());
        use_effect_with(shown, |(conflict, blocked, problems)| {
            if *conflict || *blocked || *problems > 0 {
                if let Some(el) =
                    web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("mmr-admin-status"))
                {
                    el.scroll_into_view();
                }
            }
        });
    }
    let reload = {
        let attempt = attempt.clone();
        crate::h::cb(move |_: MouseEvent| attempt.set(*attempt + 1))
    };
    let on_save = {
        let (ed, busy, attempt, client, toasts) =
            (ed.clone(), busy.clone(), attempt.clone(), session.client(), toasts.clone());
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(client), Some(draft)) = (client.clone(), ed.draft.clone()) else { return };
            let Some((body, sent)) = draft.body().filter(|_| draft.money_problems() == 0) else {
                ed.dispatch(Msg::Blocked);
                return;
            };
            let (ed, busy, attempt, toasts) = (ed.clone(), busy.clone(), attempt.clone(), toasts.clone());
            busy.set(true);
            crate::spawn(async move {
                match client.put_mmr_settings(&body).await {
                    Ok(_) => {
                        toasts.info("MMR settings saved");
                        attempt.set(*attempt + 1);
                    }
                    Err(e) if e.is_conflict() => ed.dispatch(Msg::Conflict),
                    Err(e) if e.status == 422 => ed.dispatch(Msg::Rejected(e, sent)),
                    Err(e) => {
                        toasts.error("Could not save the MMR settings", Some(e.message()));
                        ed.dispatch(Msg::Rejected(ApiError { errors: vec![], ..e }, sent));
                    }
                }
                busy.set(false);
            });
        })
    };

    let body = match (&ed.load, &ed.draft) {
        (Load::Loading, _) | (Load::Ready, None) => html! { <p class="loading">{ "Loading monthly rates…" }</p> },
        (Load::Failed(e), _) if e.is_forbidden() => {
            html! { <p class="error-box" role="alert">{ "You do not have permission to see the monthly rates." }</p> }
        }
        (Load::Failed(e), _) => {
            html! { <p class="error-box" role="alert">{ format!("Could not load the monthly rates: {}", e.message()) }</p> }
        }
        (Load::Ready, Some(d)) => {
            let locked = *busy || !may_change;
            html! {
                <form class="mmr-admin-form" onsubmit={on_save} novalidate=true data-testid="mmr-admin-form">
                    { status(&ed, reload) }
                    { mode_switch(&ed, d, locked) }
                    if d.breakout() { { items_editor(&ed, d, locked) } }
                    { rates_table(&ed, d, locked) }
                    if may_change {
                        <div class="actions mmr-admin-actions">
                            <button type="button" class="button secondary" data-testid="mmr-add-rate" disabled={locked}
                                onclick={on_click(&ed, false, Draft::add_rate)}>{ "Add rate" }</button>
                            <button type="submit" class="button" data-testid="mmr-save" disabled={locked}>
                                { if *busy { "Saving…" } else { "Save MMR settings" } }
                            </button>
                        </div>
                    } else {
                        <p class="muted">{ "Only administrators change the monthly rates." }</p>
                    }
                </form>
            }
        }
    };
    html! {
        <section class="card" aria-labelledby="admin-mmr" data-testid="mmr-admin">
            <h2 id="admin-mmr">{ "Monthly monitoring rates (MMR)" }</h2>
            { body }
        </section>
    }
}

/// The conflict notice, and the summary of what keeps the configuration from being saved.
fn status(ed: &UseStateHandle<Editor>, reload: Callback<MouseEvent>) -> Html {
    let money = ed.draft.as_ref().map_or(0, Draft::money_problems);
    html! {
        <div id="mmr-admin-status">
            if ed.conflict {
                <div class="error-box mmr-conflict" role="alert" data-testid="mmr-conflict">
                    <p>{ CONFLICT }</p>
                    <button type="button" class="button secondary" data-testid="mmr-reload" onclick={reload}>{ "Reload" }</button>
                </div>
            }
            if ed.blocked && money > 0 {
                <p class="error-box" role="alert" data-testid="mmr-errors">
                    { format!("{money} amount(s) are not valid dollar amounts; fix them before saving (nothing was sent).") }
                </p>
            }
            if !ed.problems.summary.is_empty() {
                <div class="error-box" role="alert" data-testid="mmr-errors">
                    <p>{ "The MMR settings were not saved:" }</p>
                    <ul>{ for ed.problems.summary.iter().map(|m| html! { <li>{ m.clone() }</li> }) }</ul>
                </div>
            }
        </div>
    }
}

fn mode_switch(ed: &UseStateHandle<Editor>, d: &Draft, locked: bool) -> Html {
    let breakout = d.breakout();
    let saved = if d.mode == d.base.mode.as_str() { "" } else { " (not saved yet)" };
    let to = |mode: &'static str| on_click(ed, false, move |d: &mut Draft| d.set_mode(mode));
    html! {
        <>
            <p data-testid="mmr-mode">
                { if breakout { "Breakout mode: customers pick a rate with its line-item breakdown." } else { "Simple mode: customers get one dropdown of rates." } }
                { saved }
            </p>
            <div class="actions">
                <button type="button" class="button secondary" data-testid="mmr-mode-simple" aria-pressed={(!breakout).to_string()}
                    disabled={locked || !breakout} onclick={to("simple")}>{ "Use simple mode" }</button>
                <button type="button" class="button secondary" data-testid="mmr-mode-breakout" aria-pressed={breakout.to_string()}
                    disabled={locked || breakout} onclick={to("breakout")}>{ "Use breakout mode" }</button>
            </div>
            if let Some(m) = ed.problems.at.get("form") { <p class="field-error" role="alert" data-testid="mmr-field-error">{ m.clone() }</p> }
        </>
    }
}

fn items_editor(ed: &UseStateHandle<Editor>, d: &Draft, locked: bool) -> Html {
    let add = on_click(ed, true, |d: &mut Draft| {
        let id = d.next_item_id();
        d.items.push(MmrItem { id, name: String::new() });
    });
    html! {
        <fieldset class="mmr-items" data-testid="mmr-items">
            <legend>{ "Line items" }</legend>
            <p class="hint">{ "Every breakout rate has an amount for each line item. Removing an item (or adding one) leaves the rates without a matching breakdown mismatched: they stay with the customers who have them but can't be given to anyone else until their amounts match the items again." }</p>
            if d.items.is_empty() {
                <p class="empty-state" data-testid="mmr-items-empty">{ "No line items yet. Breakout mode needs at least one." }</p>
            }
            <ul class="mmr-item-list">
                { for d.items.iter().enumerate().map(|(i, item)| {
                    let id = format!("mmr-item-{i}-name");
                    let err = ed.problems.at.get(&format!("item-{i}"));
                    let rename = on_text(ed, move |d, v| if let Some(it) = d.items.get_mut(i) { it.name = v });
                    let remove = on_click(ed, true, move |d: &mut Draft| d.remove_item(i));
                    let label = if item.name.trim().is_empty() { "this item".to_owned() } else { item.name.clone() };
                    html! {
                        <li key={item.id} class={classes!("form-field", "mmr-item", err.is_some().then_some("invalid"))} data-testid="mmr-item" data-id={item.id.to_string()}>
                            <label for={id.clone()}>{ format!("Line item {}", i + 1) }</label>
                            <div class="mmr-item-row">
                                <input type="text" class="input" id={id} value={item.name.clone()} maxlength="60" disabled={locked}
                                    aria-invalid={err.is_some().then_some("true")} data-testid="mmr-item-name" oninput={rename} />
                                <button type="button" class="button secondary small" disabled={locked} aria-label={format!("Remove {label}")}
                                    data-testid="mmr-item-remove" onclick={remove}>{ "Remove" }</button>
                            </div>
                            { field_error(err, "mmr-field-error") }
                        </li>
                    }
                }) }
            </ul>
            <button type="button" class="button secondary" data-testid="mmr-add-item" disabled={locked} onclick={add}>{ "Add item" }</button>
        </fieldset>
    }
}

fn rates_table(ed: &UseStateHandle<Editor>, d: &Draft, locked: bool) -> Html {
    let breakout = d.breakout();
    let active = d.rates.iter().filter(|r| r.active).count();
    let configured: Vec<u32> = d.items.iter().map(|i| i.id).collect();
    let others = breakout && d.rates.iter().any(|r| r.filled_lines().any(|l| !configured.contains(&l.item_id)));
    let mismatched = if breakout { d.rates.iter().filter(|r| d.mismatch(r)).count() } else { 0 };
    html! {
        <fieldset class="mmr-rates">
            <legend>{ "Rates" }</legend>
            if d.rates.is_empty() {
                <p class="empty-state" data-testid="mmr-rates-empty">{ "No monthly rates yet. Add one below; customers can be given only active rates." }</p>
            } else {
                <p class="muted" data-testid="mmr-rates-summary">
                    { format!("{} rates, {active} active. ", d.rates.len()) }
                    { if breakout { "Totals are the sum of the line items. " } else { "" } }
                    { "Rates are never deleted: clear Active to stop offering one." }
                    { if mismatched > 0 { format!(" {mismatched} rate(s) don't match the current items.") } else { String::new() } }
                </p>
                <div class="table-wrap mmr-rates-wrap">
                    <table class="simple-table mmr-rates-table" data-testid="mmr-rates">
                        <thead>
                            <tr>
                                <th scope="col">{ "Name" }</th>
                                if breakout {
                                    { for d.items.iter().map(|i| html! { <th scope="col" class="num">{ if i.name.trim().is_empty() { "(new item)".to_owned() } else { i.name.clone() } }</th> }) }
                                    if others { <th scope="col">{ "Removed items" }</th> }
                                }
                                <th scope="col" class="num">{ "Total" }</th>
                                <th scope="col">{ "Active" }</th>
                                <th scope="col"><span class="visually-hidden">{ "Status" }</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            { for d.rates.iter().enumerate().map(|(i, r)| rate_row(ed, d, i, r, others, locked)) }
                        </tbody>
                    </table>
                </div>
            }
        </fieldset>
    }
}

fn rate_row(ed: &UseStateHandle<Editor>, d: &Draft, i: usize, r: &RateDraft, others: bool, locked: bool) -> Html {
    let breakout = d.breakout();
    let at = |what: &str| ed.problems.at.get(&format!("rate-{i}-{what}"));
    let id = |what: &str| format!("mmr-rate-{i}-{what}");
    let who = if r.name.trim().is_empty() { d.rate_label(i) } else { r.name.trim().to_owned() };
    let name_err = at("name");
    let name_cell = html! {
        <td class={classes!("form-field", name_err.is_some().then_some("invalid"))}>
            <label class="visually-hidden" for={id("name")}>{ format!("Name of {}", d.rate_label(i)) }</label>
            <input type="text" class="input" id={id("name")} value={r.name.clone()} maxlength="60" placeholder="(no name)" disabled={locked}
                aria-invalid={name_err.is_some().then_some("true")} data-testid="mmr-rate-name"
                oninput={on_text(ed, move |d, v| if let Some(r) = d.rates.get_mut(i) { r.name = v })} />
            { field_error(name_err, "mmr-field-error") }
        </td>
    };
    let item_cells = breakout.then(|| {
        html! {
            { for d.items.iter().map(|item| {
                let item_id = item.id;
                let text = r.line(item_id).map(|l| l.amount.clone()).unwrap_or_default();
                let bad = (!text.trim().is_empty()).then(|| parse_dollars(&text).err()).flatten();
                let server = at(&format!("item-{item_id}"));
                let input_id = id(&format!("item-{item_id}"));
                let item_name = item.name.clone();
                let set = on_text(ed, move |d, v| {
                    let Some(r) = d.rates.get_mut(i) else { return };
                    match r.lines.iter_mut().find(|l| l.item_id == item_id) {
                        Some(l) => l.amount = v,
                        None => r.lines.push(LineDraft { item_id, name: item_name.clone(), amount: v }),
                    }
                });
                html! {
                    <td class={classes!("form-field", "num", (bad.is_some() || server.is_some()).then_some("invalid"))}>
                        <label class="visually-hidden" for={input_id.clone()}>{ format!("{} amount of {who} in dollars", item.name) }</label>
                        <input type="text" inputmode="decimal" class="input money" id={input_id} value={text} placeholder="—" disabled={locked}
                            aria-invalid={(bad.is_some() || server.is_some()).then_some("true")}
                            data-testid={format!("mmr-rate-item-{item_id}")} oninput={set} />
                        if let Some(m) = bad { <span class="field-error" role="alert" data-testid="mmr-money-error">{ m }</span> }
                        { field_error(server, "mmr-field-error") }
                    </td>
                }
            }) }
        }
    });
    let other_cell = (breakout && others).then(|| {
        let configured: Vec<u32> = d.items.iter().map(|i| i.id).collect();
        html! {
            <td class="mmr-other-lines">
                { for r.filled_lines().filter(|l| !configured.contains(&l.item_id)).map(|l| {
                    let gone = l.item_id;
                    let drop_line = on_click(ed, false, move |d: &mut Draft| if let Some(r) = d.rates.get_mut(i) { r.lines.retain(|l| l.item_id != gone) });
                    html! {
                        <span class="tag" data-testid="mmr-rate-other-line">
                            { format!("{} {}", l.name, parse_dollars(&l.amount).map(dollars).unwrap_or_else(|_| l.amount.clone())) }
                            if !locked {
                                <button type="button" class="tag-remove" aria-label={format!("Drop the {} line from {who}", l.name)} onclick={drop_line}>{ "×" }</button>
                            }
                        </span>
                    }
                }) }
                { field_error(at(&format!("item-{}", r.filled_lines().map(|l| l.item_id).find(|x| !configured.contains(x)).unwrap_or(0))), "mmr-field-error") }
            </td>
        }
    });
    let total_err = at("total");
    let total_cell = if breakout {
        html! {
            <td class={classes!("num", total_err.is_some().then_some("invalid"))}>
                <output class="mmr-admin-total" for={d.items.iter().map(|it| id(&format!("item-{}", it.id))).collect::<Vec<_>>().join(" ")}
                    aria-label={format!("Total of {who}")} data-testid="mmr-rate-total">
                    { r.line_sum().map(dollars).unwrap_or_else(|| "—".into()) }
                </output>
                { field_error(total_err, "mmr-field-error") }
            </td>
        }
    } else {
        let bad = parse_dollars(&r.total).err().filter(|_| !(r.new && r.total.is_empty()) || ed.blocked);
        html! {
            <td class={classes!("form-field", "num", (bad.is_some() || total_err.is_some()).then_some("invalid"))}>
                <label class="visually-hidden" for={id("total")}>{ format!("Total of {who} in dollars") }</label>
                <input type="text" inputmode="decimal" class="input money" id={id("total")} value={r.total.clone()} placeholder="39.99" disabled={locked}
                    aria-invalid={(bad.is_some() || total_err.is_some()).then_some("true")} data-testid="mmr-rate-total"
                    oninput={on_text(ed, move |d, v| if let Some(r) = d.rates.get_mut(i) { r.total = v })} />
                if let Some(m) = bad { <span class="field-error" role="alert" data-testid="mmr-money-error">{ m }</span> }
                { field_error(total_err, "mmr-field-error") }
            </td>
        }
    };
    let toggle = {
        let ed = ed.clone();
        crate::h::cb(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            ed.dispatch(Msg::Edit(Rc::new(move |d: &mut Draft| {
                if let Some(r) = d.rates.get_mut(i) {
                    r.active = on
                }
            })));
        })
    };
    let remove = on_click(ed, true, move |d: &mut Draft| {
        if d.rates.get(i).is_some_and(|r| r.new) {
            d.rates.remove(i);
        }
    });
    html! {
        <tr key={format!("{}-{}", r.id, r.new)} class={classes!("mmr-admin-rate", (!r.active).then_some("inactive"))} data-testid="mmr-admin-rate"
            data-id={r.id.to_string()} data-new={r.new.to_string()}>
            { name_cell }
            { item_cells.unwrap_or_default() }
            { other_cell.unwrap_or_default() }
            { total_cell }
            <td>
                <input type="checkbox" id={id("active")} checked={r.active} disabled={locked} data-testid="mmr-rate-active" onchange={toggle} />
                <label for={id("active")}><span class="visually-hidden">{ format!("{who} is ") }</span>{ "Active" }</label>
            </td>
            <td><div class="mmr-rate-status">
                if r.new { <span class="badge" data-testid="mmr-rate-new">{ "New" }</span> }
                if breakout && d.mismatch(r) {
                    <span class="badge mmr-mismatch-badge" data-testid="mmr-rate-mismatch">{ "Breakdown doesn't match the current items" }</span>
                }
                if r.new && !locked {
                    <button type="button" class="button secondary small" aria-label={format!("Discard {}", d.rate_label(i))} data-testid="mmr-rate-discard" onclick={remove}>{ "Discard" }</button>
                }
                { field_error(at("row"), "mmr-field-error") }
            </div></td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_parse_exactly() {
        assert_eq!(parse_dollars("39.99"), Ok(3999));
        assert_eq!(parse_dollars(" $40 "), Ok(4000));
        assert_eq!(parse_dollars("0.5"), Ok(50));
        assert_eq!(parse_dollars(".05"), Ok(5));
        assert_eq!(parse_dollars("1,000.00"), Ok(100_000));
        for bad in ["", "abc", "1.234", "-5", "1.2.3", "$", "100001"] {
            assert!(parse_dollars(bad).is_err(), "{bad:?}");
        }
        assert_eq!(split_path("rates[12].line_items[0].item_id"), Some(("rates", 12, "line_items[0].item_id")));
        assert_eq!(split_path("items[1].name"), Some(("items", 1, "name")));
        assert_eq!(split_path("rates"), None);
    }
}
