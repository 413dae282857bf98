//! The customer's Accounting tab: invoices and quotes, payments, billing methods and Transactions with a running
//! balance; + New Invoice, + New Billing Method (the card goes to the payment processor, never to Vigil's API) and
//! + New Payment. A sub-customer shows the parent banner, and its New Payment opens the parent's payment form.

use crate::api::ApiError;
use crate::app::Route;
use crate::components::route_link::RouteLink;
use crate::h::Adapt;
use crate::hooks::{use_effect_with, use_state, use_state_with, UseStateHandle};
use crate::html;
use crate::router::use_navigator;
use crate::session::use_session;
use crate::toast::use_toasts;
use serde_json::Value;
use std::rc::Rc;
use vigil_api::accounting::{
    Accounting, DocumentKind, Invoice, NewBillingMethod, NewInvoice, NewLine, NewPayment, QuoteToInvoice,
};
use vigil_api::common::{NoQuery, RecordPath};
use vigil_api::ops;
use vigil_domain::RecordId;
use vigil_json::ToJson;
use yew::prelude::*;

/// The tab's URL segment, and the segments the header's quick actions open it with a form showing.
pub const SEGMENT: &str = "accounting";
pub const NEW_INVOICE: &str = "new-invoice";
pub const NEW_BILLING_METHOD: &str = "new-billing-method";
pub const NEW_PAYMENT: &str = "new-payment";

/// Whether a tab segment is this tab's.
pub fn is_segment(s: &str) -> bool {
    [SEGMENT, NEW_INVOICE, NEW_BILLING_METHOD, NEW_PAYMENT].contains(&s)
}

/// Where the sandbox processor takes cards: its own endpoint, as a real processor's would be, not Vigil's API.
const PROCESSOR_TOKENS: &str = "/sandbox-processor/tokens";

pub fn money(cents: u64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

fn signed(cents: i64) -> String {
    let m = money(cents.unsigned_abs());
    if cents < 0 {
        format!("-{m}")
    } else {
        m
    }
}

/// Dollars as typed (`12`, `12.5`, `12.34`) in cents, without floating point; `None` if it is not an amount.
pub fn cents_of(dollars: &str) -> Option<u64> {
    let s = dollars.trim().trim_start_matches('$');
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 2
        || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let w: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let f: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    w.checked_mul(100)?.checked_add(f)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    None,
    Invoice,
    BillingMethod,
    Payment,
}

fn form_of(segment: &str) -> Form {
    match segment {
        NEW_INVOICE => Form::Invoice,
        NEW_BILLING_METHOD => Form::BillingMethod,
        NEW_PAYMENT => Form::Payment,
        _ => Form::None,
    }
}

#[derive(Properties, PartialEq)]
pub struct AccountingTabProps {
    pub id: RecordId,
    pub segment: AttrValue,
    pub can_create: bool,
    pub on_changed: Callback<()>,
}

fn value_of(e: &Event) -> String {
    e.target_unchecked_into::<web_sys::HtmlInputElement>().value()
}

fn select_of(e: &Event) -> String {
    e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()
}

fn errors_of(e: &ApiError) -> Html {
    html! {
        <div class="error-box" role="alert" data-testid="accounting-error">
            <p>{ e.message() }</p>
            { for e.errors.iter().map(|f| html! { <p class="field-error" data-field={f.field.clone()}>{ format!("{}: {}", f.field, f.message) }</p> }) }
        </div>
    }
}

#[component]
pub fn AccountingTab(props: &AccountingTabProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let navigator = use_navigator();
    let id = props.id;
    let data = use_state(|| None::<Result<Rc<Accounting>, ApiError>>);
    let attempt = use_state(|| 0u32);
    let form = use_state_with(|| form_of(&props.segment));
    {
        let form = form.clone();
        use_effect_with(props.segment.to_string(), move |s| form.set(form_of(s)));
    }
    {
        let (data, client) = (data.clone(), session.client());
        use_effect_with((id, *attempt), move |(id, _)| {
            let id = *id;
            if let Some(client) = client {
                crate::spawn(async move {
                    let got = client.call::<ops::GetAccounting>(&RecordPath { id }, &NoQuery {}, &()).await;
                    data.set(Some(got.map(Rc::new)));
                });
            }
        });
    }
    let reload = {
        let (attempt, on_changed, form) = (attempt.clone(), props.on_changed.clone(), form.clone());
        crate::h::cb(move |_: ()| {
            attempt.set(*attempt + 1);
            form.set(Form::None);
            on_changed.emit(());
        })
    };
    let a = match &*data {
        None => return html! { <p class="loading">{ "Loading accounting…" }</p> },
        Some(Err(e)) => return errors_of(e),
        Some(Ok(a)) => a.clone(),
    };
    let open = |f: Form| {
        let form = form.clone();
        crate::h::cb(move |_: MouseEvent| form.set(f))
    };
    let close = {
        let form = form.clone();
        crate::h::cb(move |_: ()| form.set(Form::None))
    };
    // A sub-customer's payments are received on the parent: its New Payment opens the parent's.
    let new_payment = match &a.parent {
        Some(p) => {
            let (navigator, parent) = (navigator.clone(), p.id);
            crate::h::cb(move |_: MouseEvent| {
                if let Some(nav) = &navigator {
                    nav.push(&Route::CustomerTab { id: parent.to_string(), tab: NEW_PAYMENT.to_owned() });
                }
            })
        }
        None => open(Form::Payment),
    };
    let convert = |q: &Invoice| {
        let (client, toasts, reload, quote) = (session.client(), toasts.clone(), reload.clone(), (q.id, q.version));
        crate::h::cb(move |_: MouseEvent| {
            let Some(client) = client.clone() else { return };
            let (toasts, reload) = (toasts.clone(), reload.clone());
            crate::spawn(async move {
                let body = QuoteToInvoice { quote_id: quote.0, version: quote.1 };
                match client.call::<ops::QuoteToInvoice>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(inv) => {
                        toasts.info(&format!("Invoice #{} created from the quote", inv.id));
                        reload.emit(());
                    }
                    Err(e) => toasts.error("Could not convert the quote", Some(e.message())),
                }
            });
        })
    };
    let invoice_rows = |list: &[Invoice], testid: &'static str| {
        html! {
            <div class="table-wrap">
                <table class="simple-table" data-testid={testid}>
                    <thead><tr><th scope="col">{ "#" }</th><th scope="col">{ "Date" }</th><th scope="col">{ "Lines" }</th>
                        <th scope="col">{ "Total" }</th><th scope="col">{ "Paid" }</th><th scope="col">{ "Status" }</th><th></th></tr></thead>
                    <tbody>
                        { for list.iter().map(|i| html! {
                            <tr data-testid="invoice-row" data-id={i.id.to_string()} data-customer={i.customer_id.to_string()}>
                                <td>{ if i.customer_id == id { format!("#{}", i.id) } else { format!("#{} (sub-customer #{})", i.id, i.customer_id) } }</td>
                                <td>{ i.date.clone() }</td>
                                <td>{ i.lines.iter().map(|l| format!("{} × {}", l.quantity, l.description)).collect::<Vec<_>>().join(", ") }</td>
                                <td class="num" data-testid="invoice-total">{ money(i.total_cents) }</td>
                                <td class="num">{ money(i.paid_cents) }</td>
                                <td data-testid="invoice-status">{ i.status.clone() }</td>
                                <td>{ for (i.kind == DocumentKind::Quote && i.status == "open" && props.can_create).then(|| html! {
                                    <button type="button" class="button secondary" data-testid="convert-quote" onclick={convert(i)}>{ "Convert to invoice" }</button>
                                }) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        }
    };
    // Invoices and quotes draw alike: their heading, then their rows or a line saying there are none.
    let documents = |title: &'static str, list: &[Invoice], testid: &'static str| {
        html! {
            <>
                <h3>{ title }</h3>
                if list.is_empty() { <p class="muted">{ format!("No {}.", title.to_ascii_lowercase()) }</p> } else { { invoice_rows(list, testid) } }
            </>
        }
    };
    let form_html = match *form {
        Form::None => html! {},
        Form::Invoice => html! { <InvoiceForm {id} on_done={reload.clone()} on_close={close.clone()} /> },
        Form::BillingMethod => html! { <BillingMethodForm {id} on_done={reload.clone()} on_close={close.clone()} /> },
        Form::Payment => {
            html! { <PaymentForm {id} accounting={a.clone()} on_done={reload.clone()} on_close={close.clone()} /> }
        }
    };
    html! {
        <section class="card accounting" data-testid="accounting-tab">
            <h2>{ "Accounting" }</h2>
            { for a.banner.as_ref().zip(a.parent.as_ref()).map(|(text, p)| html! {
                <div class="sub-customer-banner" role="note" data-testid="sub-customer-banner">
                    <span aria-hidden="true">{ "👥 " }</span>{ text.clone() }{ " " }
                    <RouteLink to={Route::CustomerTab { id: p.id.to_string(), tab: SEGMENT.to_owned() }} testid="parent-accounting-link">{ "Open the parent's accounting" }</RouteLink>
                </div>
            }) }
            { for props.can_create.then(|| html! {
                <div class="quick-new">
                    <button type="button" class="button secondary" data-testid="new-invoice" onclick={open(Form::Invoice)}>{ "+ New Invoice" }</button>
                    <button type="button" class="button secondary" data-testid="new-billing-method" onclick={open(Form::BillingMethod)}>{ "+ New Billing Method" }</button>
                    <button type="button" class="button secondary" data-testid="new-payment" onclick={new_payment}>{ "+ New Payment" }</button>
                </div>
            }) }
            { form_html }
            { documents("Invoices", &a.invoices, "invoices") }
            { for (!a.sub_customer_invoices.is_empty()).then(|| html! { <><h3>{ "Sub-customers' invoices" }</h3>{ invoice_rows(&a.sub_customer_invoices, "sub-customer-invoices") }</> }) }
            { documents("Quotes", &a.quotes, "quotes") }
            <h3>{ "Payments" }</h3>
            { if a.payments.is_empty() { html! { <p class="muted">{ "No payments." }</p> } } else { html! {
                <ul class="plain-list" data-testid="payments">{ for a.payments.iter().map(|p| html! {
                    <li data-testid="payment">{ format!("{} · {} on invoice #{}{}", p.date, money(p.amount_cents), p.invoice_id,
                        if p.invoice_customer_id == id { String::new() } else { format!(" of sub-customer #{}", p.invoice_customer_id) }) }</li>
                }) }</ul>
            } } }
            <h3>{ "Billing methods" }</h3>
            { if a.billing_methods.is_empty() { html! { <p class="muted">{ "No billing methods." }</p> } } else { html! {
                <ul class="plain-list" data-testid="billing-methods">{ for a.billing_methods.iter().map(|m| html! {
                    <li data-testid="billing-method">{ format!("{} ending {}{} ({})", m.brand, m.last4,
                        m.exp_month.zip(m.exp_year).map(|(mm, yy)| format!(", expires {mm:02}/{yy}")).unwrap_or_default(), m.processor) }</li>
                }) }</ul>
            } } }
            <h3>{ "Transactions" }</h3>
            <div class="table-wrap">
                <table class="simple-table" data-testid="transactions">
                    <thead><tr><th scope="col">{ "Date" }</th><th scope="col">{ "Description" }</th><th scope="col">{ "Charge" }</th>
                        <th scope="col">{ "Credit" }</th><th scope="col">{ "Balance" }</th></tr></thead>
                    <tbody>
                        { for a.transactions.iter().map(|t| html! {
                            <tr data-testid="transaction" data-kind={t.kind.clone()} data-customer={t.customer_id.to_string()}>
                                <td>{ t.date.clone() }</td><td>{ t.description.clone() }</td>
                                <td class="num">{ if t.charge_cents > 0 { money(t.charge_cents) } else { String::new() } }</td>
                                <td class="num">{ if t.credit_cents > 0 { money(t.credit_cents) } else { String::new() } }</td>
                                <td class="num" data-testid="transaction-balance">{ signed(t.balance_cents) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            <p data-testid="balance">{ format!("Balance: {}", signed(a.balance_cents)) }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct FormProps {
    id: RecordId,
    on_done: Callback<()>,
    on_close: Callback<()>,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct LineInput {
    description: String,
    quantity: String,
    price: String,
}

#[component]
fn InvoiceForm(props: &FormProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let lines = use_state(|| vec![LineInput { quantity: "1".into(), ..Default::default() }]);
    let tax = use_state(String::new);
    let quote = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let set_line = |i: usize, which: u8| {
        let lines = lines.clone();
        crate::h::cb(move |e: InputEvent| {
            let v = value_of(&e);
            let mut next = (*lines).clone();
            if let Some(l) = next.get_mut(i) {
                match which {
                    0 => l.description = v,
                    1 => l.quantity = v,
                    _ => l.price = v,
                }
            }
            lines.set(next);
        })
    };
    let add = {
        let lines = lines.clone();
        crate::h::cb(move |_: MouseEvent| {
            let mut next = (*lines).clone();
            next.push(LineInput { quantity: "1".into(), ..Default::default() });
            lines.set(next);
        })
    };
    let submit = {
        let (client, lines, tax, quote, error, on_done, toasts, id) = (
            session.client(),
            lines.clone(),
            tax.clone(),
            quote.clone(),
            error.clone(),
            props.on_done.clone(),
            toasts.clone(),
            props.id,
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let body = NewInvoice {
                kind: Some(if *quote { DocumentKind::Quote } else { DocumentKind::Invoice }),
                lines: lines
                    .iter()
                    .map(|l| NewLine {
                        description: Some(l.description.clone()),
                        quantity: Some(l.quantity.trim().to_json()),
                        unit_cents: Some(cents_of(&l.price).map_or_else(|| l.price.trim().to_json(), Value::from)),
                    })
                    .collect(),
                // A percentage typed (7.25) in basis points (725): the same two-decimal parse as money.
                tax_rate_bp: cents_of(&tax).map(Value::from),
                date: None,
            };
            let (error, on_done, toasts) = (error.clone(), on_done.clone(), toasts.clone());
            crate::spawn(async move {
                match client.call::<ops::CreateInvoice>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(inv) => {
                        toasts.info(&format!(
                            "Created {} #{} for {}",
                            if inv.kind == DocumentKind::Quote { "quote" } else { "invoice" },
                            inv.id,
                            money(inv.total_cents)
                        ));
                        on_done.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <form class="inline-form" data-testid="invoice-form" onsubmit={submit}>
            <h3>{ "New invoice or quote" }</h3>
            { for lines.iter().enumerate().map(|(i, l)| html! {
                <fieldset class="row" data-testid="invoice-line">
                    <label>{ "Description" }<input type="text" value={l.description.clone()} oninput={set_line(i, 0)} data-testid={format!("line-{i}-description")} /></label>
                    <label>{ "Quantity" }<input type="number" min="1" value={l.quantity.clone()} oninput={set_line(i, 1)} data-testid={format!("line-{i}-quantity")} /></label>
                    <label>{ "Price ($)" }<input type="text" inputmode="decimal" value={l.price.clone()} oninput={set_line(i, 2)} data-testid={format!("line-{i}-price")} /></label>
                </fieldset>
            }) }
            <button type="button" class="button secondary" onclick={add}>{ "Add line" }</button>
            <label>{ "Tax (%)" }<input type="text" inputmode="decimal" value={(*tax).clone()} oninput={{ let t = tax.clone(); crate::h::cb(move |e: InputEvent| t.set(value_of(&e))) }} data-testid="invoice-tax" /></label>
            <label class="check"><input type="checkbox" checked={*quote} onchange={{ let q = quote.clone(); crate::h::cb(move |e: Event| q.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked())) }} data-testid="invoice-is-quote" />{ " A quote" }</label>
            { for error.as_ref().map(errors_of) }
            { form_actions("Create", "invoice-save", false, &props.on_close) }
        </form>
    }
}

/// The submit and Cancel buttons every accounting form ends with.
fn form_actions(label: &'static str, testid: &'static str, busy: bool, on_close: &Callback<()>) -> Html {
    html! {
        <div class="actions">
            <button type="submit" class="button" disabled={busy} data-testid={testid}>{ label }</button>
            <button type="button" class="button secondary" onclick={on_close.adapt(|_: MouseEvent| ())}>{ "Cancel" }</button>
        </div>
    }
}

/// Posts the card to the processor's own endpoint; its answer (token, brand, last 4, expiry) or why it refused.
async fn tokenize(body: &Value) -> Result<Value, String> {
    let req = crate::api::with_json(gloo_net::http::Request::post(PROCESSOR_TOKENS), body)
        .map_err(|e| e.detail.unwrap_or(e.title))?;
    let resp = req.send().await.map_err(crate::api::fetch_problem)?;
    let ok = resp.ok();
    let text = resp.text().await.map_err(crate::api::fetch_problem)?;
    let answer = vigil_json::parse(&text).map_err(|e| e.to_string())?;
    if ok {
        Ok(answer)
    } else {
        Err(answer["error"]["message"].as_str().unwrap_or("the processor refused the card").to_owned())
    }
}

#[component]
fn BillingMethodForm(props: &FormProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let number = use_state(String::new);
    let month = use_state(String::new);
    let year = use_state(String::new);
    let cvc = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        crate::h::cb(move |e: InputEvent| s.set(value_of(&e)))
    };
    let submit = {
        let (client, number, month, year, cvc, error, busy, on_done, toasts, id) = (
            session.client(),
            number.clone(),
            month.clone(),
            year.clone(),
            cvc.clone(),
            error.clone(),
            busy.clone(),
            props.on_done.clone(),
            toasts.clone(),
            props.id,
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let card = vigil_json::make_object([
                ("kind", Value::from("card")),
                ("number", number.to_json()),
                ("exp_month", month.trim().parse::<u8>().ok().to_json()),
                ("exp_year", year.trim().parse::<u16>().ok().to_json()),
                ("cvc", cvc.to_json()),
            ]);
            let (error, busy, on_done, toasts, number, cvc) =
                (error.clone(), busy.clone(), on_done.clone(), toasts.clone(), number.clone(), cvc.clone());
            busy.set(true);
            crate::spawn(async move {
                match tokenize(&card).await {
                    Ok(t) => {
                        // Only the processor's answer goes to Vigil.
                        let body = NewBillingMethod {
                            kind: Some("card".into()),
                            token: t["token"].as_str().map(str::to_owned),
                            brand: t["brand"].as_str().map(str::to_owned),
                            last4: t["last4"].as_str().map(str::to_owned),
                            exp_month: t["exp_month"].as_u64().and_then(|m| u8::try_from(m).ok()),
                            exp_year: t["exp_year"].as_u64().and_then(|y| u16::try_from(y).ok()),
                        };
                        number.set(String::new());
                        cvc.set(String::new());
                        match client.call::<ops::CreateBillingMethod>(&RecordPath { id }, &NoQuery {}, &body).await {
                            Ok(m) => {
                                toasts.info(&format!("{} ending {} saved", m.brand, m.last4));
                                on_done.emit(());
                            }
                            Err(e) => error.set(Some(e.message())),
                        }
                    }
                    Err(message) => error.set(Some(message)),
                }
                busy.set(false);
            });
        })
    };
    html! {
        <form class="inline-form" data-testid="billing-method-form" onsubmit={submit} autocomplete="off">
            <h3>{ "New billing method (card)" }</h3>
            <p class="muted small">{ "Sandbox processor: test cards only. The card number goes to the processor, never to Vigil." }</p>
            <label>{ "Card number" }<input type="text" inputmode="numeric" autocomplete="off" value={(*number).clone()} oninput={set(&number)} data-testid="card-number" /></label>
            <label>{ "Expiry month" }<input type="number" min="1" max="12" value={(*month).clone()} oninput={set(&month)} data-testid="card-exp-month" /></label>
            <label>{ "Expiry year" }<input type="number" min="2000" max="2100" value={(*year).clone()} oninput={set(&year)} data-testid="card-exp-year" /></label>
            <label>{ "CVC" }<input type="password" inputmode="numeric" autocomplete="off" value={(*cvc).clone()} oninput={set(&cvc)} data-testid="card-cvc" /></label>
            { for error.as_ref().map(|m| html! { <p class="error-box" role="alert" data-testid="billing-method-error">{ m.clone() }</p> }) }
            { form_actions("Save card", "billing-method-save", *busy, &props.on_close) }
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct PaymentFormProps {
    id: RecordId,
    accounting: Rc<Accounting>,
    on_done: Callback<()>,
    on_close: Callback<()>,
}

#[component]
fn PaymentForm(props: &PaymentFormProps) -> Html {
    let session = use_session();
    let toasts = use_toasts();
    let a = &props.accounting;
    let open: Vec<Invoice> =
        a.invoices.iter().chain(&a.sub_customer_invoices).filter(|i| i.status == "open").cloned().collect();
    let first = open.first().map(|i| format!("{}:{}", i.customer_id, i.id)).unwrap_or_default();
    let owed = open.first().map(|i| i.total_cents.saturating_sub(i.paid_cents)).unwrap_or(0);
    let invoice = use_state_with(|| first);
    let method = use_state_with(|| a.billing_methods.first().map(|m| m.id.to_string()).unwrap_or_default());
    let amount = use_state_with(|| if owed > 0 { format!("{}.{:02}", owed / 100, owed % 100) } else { String::new() });
    let error = use_state(|| None::<ApiError>);
    let submit = {
        let (client, invoice, method, amount, error, on_done, toasts, id) = (
            session.client(),
            invoice.clone(),
            method.clone(),
            amount.clone(),
            error.clone(),
            props.on_done.clone(),
            toasts.clone(),
            props.id,
        );
        crate::h::cb(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(client) = client.clone() else { return };
            let (cust, inv) = invoice.split_once(':').unwrap_or_default();
            let body = NewPayment {
                invoice_id: inv.parse().ok(),
                invoice_customer_id: RecordId::parse(cust).ok(),
                billing_method_id: method.parse().ok(),
                amount_cents: Some(cents_of(&amount).map_or_else(|| amount.trim().to_json(), Value::from)),
                date: None,
            };
            let (error, on_done, toasts) = (error.clone(), on_done.clone(), toasts.clone());
            crate::spawn(async move {
                match client.call::<ops::CreatePayment>(&RecordPath { id }, &NoQuery {}, &body).await {
                    Ok(p) => {
                        toasts.info(&format!("Payment of {} taken", money(p.amount_cents)));
                        on_done.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    html! {
        <form class="inline-form" data-testid="payment-form" onsubmit={submit}>
            <h3>{ "New payment" }</h3>
            if open.is_empty() {
                <p class="muted">{ "No open invoices to pay." }</p>
            }
            if a.billing_methods.is_empty() {
                <p class="muted">{ "Add a billing method first." }</p>
            }
            <label>{ "Invoice" }
                <select data-testid="payment-invoice" onchange={{ let s = invoice.clone(); crate::h::cb(move |e: Event| s.set(select_of(&e))) }}>
                    { for open.iter().map(|i| {
                        let key = format!("{}:{}", i.customer_id, i.id);
                        html! { <option value={key.clone()} selected={*invoice == key}>{
                            format!("#{}{} · owes {}", i.id, if i.customer_id == props.id { String::new() } else { format!(" (sub-customer #{})", i.customer_id) }, money(i.total_cents.saturating_sub(i.paid_cents)))
                        }</option> }
                    }) }
                </select>
            </label>
            <label>{ "Billing method" }
                <select data-testid="payment-method" onchange={{ let s = method.clone(); crate::h::cb(move |e: Event| s.set(select_of(&e))) }}>
                    { for a.billing_methods.iter().map(|m| html! {
                        <option value={m.id.to_string()} selected={*method == m.id.to_string()}>{ format!("{} ending {}", m.brand, m.last4) }</option>
                    }) }
                </select>
            </label>
            <label>{ "Amount ($)" }<input type="text" inputmode="decimal" value={(*amount).clone()} oninput={{ let s = amount.clone(); crate::h::cb(move |e: InputEvent| s.set(value_of(&e))) }} data-testid="payment-amount" /></label>
            { for error.as_ref().map(errors_of) }
            { form_actions("Take payment", "payment-save", false, &props.on_close) }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_become_cents_without_floats() {
        assert_eq!(cents_of("12"), Some(1200));
        assert_eq!(cents_of("$12.5"), Some(1250));
        assert_eq!(cents_of("0.07"), Some(7));
        assert_eq!(cents_of(".5"), Some(50));
        assert_eq!(cents_of("1.234"), None);
        assert_eq!(cents_of("-1"), None);
        assert_eq!(cents_of(""), None);
        // New Invoice's Tax (%) goes through the same parse: a percent to two decimals is its basis points.
        assert_eq!(cents_of("7.25"), Some(725));
    }
}
