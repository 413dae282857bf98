//! Accounting on a customer (the Accounting tab): invoices and quotes, billing methods, payments and Transactions.
//! Its own feature folder rather than more `customer_items` collections: these items have versions, totals and
//! cross-item rules (a payment changes its invoice; a sub-customer's invoice is copied to its parent), which the
//! simple create-and-list collections do not carry.
//!
//! Everything lives under the customer's partition (`keys::customer_doc`: `INV#`, `PAY#`, `BM#`), numbered by the
//! record's sub-record sequence, so one Query renders the tab. An invoice made on a sub-customer bills through its
//! parent: it carries `bill_through` and a copy lands on the parent (`keys::billed_through`) in the same
//! transaction, so the parent's Transactions read one partition and unlinking later leaves both as they were.

mod money;
pub mod processor;

pub use money::{line_amount, totals, BP_MAX, TOTAL_MAX};

use crate::clock::{date, rfc3339};
use crate::items::{from_item, item_of};
use crate::{customers, Actor, AppError, Services};
use serde_json::{Map, Value};
pub use vigil_api::accounting::{
    Accounting, BillingMethod, BillingParent, DocumentKind, Invoice, LineItem, NewBillingMethod, NewInvoice, NewLine,
    NewPayment, Payment, QuoteToInvoice, Transaction, MAX_LINES,
};
use vigil_domain::record::Record;
use vigil_domain::{Action, CompanyId, FieldError, Invalid, RecordId, Resource, UserId};
use vigil_store::{keys, Condition, Index, Item, Query, StoreError, TxOp, Update};

pub const INVOICE_PREFIX: &str = "INV";
pub const PAYMENT_PREFIX: &str = "PAY";
pub const BILLING_METHOD_PREFIX: &str = "BM";

/// Body fields that would carry what only the processor may see. Refused by name, never read.
pub const FORBIDDEN_FIELDS: &[&str] =
    &["number", "card_number", "cardnumber", "pan", "cvv", "cvc", "cvv2", "security_code", "account_number"];

/// The banner of a sub-customer's Accounting pages, word for word as the manual gives it.
pub fn banner(parent_name: &str) -> String {
    format!("This is a sub-customer of {parent_name} — payments are received on the Parent Customer.")
}

async fn customer(svc: &Services, actor: &Actor, id: RecordId, action: Action) -> Result<Record, AppError> {
    let r = customers::load_customer(svc, actor, id).await?;
    actor.require(Resource::Accounting, action, customers::target(&r))?;
    if action != Action::View {
        customers::writable(&r)?;
    }
    Ok(r)
}

async fn next_seq(svc: &Services, co: &CompanyId, id: RecordId) -> Result<u64, AppError> {
    let n = svc.table.increment(&keys::record_child_sequence(co, id), 1).await?;
    u64::try_from(n).map_err(|_| AppError::Internal("the sub-record sequence is negative".into()))
}

fn invoice_key(co: &CompanyId, inv: &Invoice) -> vigil_store::Key {
    keys::customer_doc(co, inv.customer_id, INVOICE_PREFIX, inv.id)
}

/// The writes that create an invoice or quote: the item and, when it bills through a parent, the parent's copy.
pub(crate) fn invoice_ops(co: &CompanyId, inv: &Invoice) -> Vec<TxOp> {
    let mut ops = vec![TxOp::Put { item: item_of(&invoice_key(co, inv), inv, &[]), cond: Some(Condition::NotExists) }];
    if let (Some(parent), DocumentKind::Invoice) = (inv.bill_through, inv.kind) {
        ops.push(TxOp::Put {
            item: item_of(&keys::billed_through(co, parent, inv.customer_id, inv.id), inv, &[]),
            cond: Some(Condition::NotExists),
        });
    }
    ops
}

/// A new invoice or quote with its totals; `None` when the totals pass [`TOTAL_MAX`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn new_invoice(
    r: &Record,
    id: u64,
    kind: DocumentKind,
    day: String,
    lines: Vec<LineItem>,
    tax_rate_bp: u32,
    at: &str,
    by: &UserId,
) -> Option<Invoice> {
    let (subtotal, tax, total) = totals(&lines, tax_rate_bp)?;
    Some(Invoice {
        id,
        customer_id: r.id,
        kind,
        status: "open".into(),
        date: day,
        lines,
        tax_rate_bp,
        subtotal_cents: subtotal,
        tax_cents: tax,
        total_cents: total,
        paid_cents: 0,
        bill_through: match kind {
            DocumentKind::Invoice => r.lead.customer.parent_id,
            DocumentKind::Quote => None,
        },
        converted_to: None,
        from_quote: None,
        version: 1,
        created_at: at.to_owned(),
        created_by: by.clone(),
    })
}

fn whole(v: &Option<Value>) -> Result<Option<u64>, ()> {
    crate::orders::whole(v)
}

fn parse_lines(lines: &[NewLine], e: &mut Vec<FieldError>) -> Vec<LineItem> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        e.push(FieldError::new("lines", "invalid", format!("an invoice has 1 to {MAX_LINES} lines")));
        return vec![];
    }
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let description = l.description.as_deref().map(str::trim).unwrap_or_default();
        if description.is_empty() || description.chars().count() > 200 {
            e.push(FieldError::new(
                format!("lines[{i}].description"),
                "invalid",
                "give a description of 1–200 characters",
            ));
        }
        let quantity = match whole(&l.quantity) {
            Ok(None) => Some(1),
            Ok(Some(q)) if (1..=10_000).contains(&q) => Some(q),
            _ => {
                e.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "invalid",
                    "the quantity is a whole number from 1",
                ));
                None
            }
        };
        let unit = match whole(&l.unit_cents) {
            Ok(Some(u)) => Some(u),
            Ok(None) => {
                e.push(FieldError::new(format!("lines[{i}].unit_cents"), "required", "give the price in cents"));
                None
            }
            Err(()) => {
                e.push(FieldError::new(
                    format!("lines[{i}].unit_cents"),
                    "invalid",
                    "the price is a whole number of cents, 0 or more",
                ));
                None
            }
        };
        if let (Some(q), Some(u)) = (quantity, unit) {
            match line_amount(q, u) {
                Some(a) => out.push(LineItem {
                    description: description.to_owned(),
                    quantity: q,
                    unit_cents: u,
                    amount_cents: a,
                    equipment_id: None,
                }),
                None => e.push(FieldError::new(format!("lines[{i}].unit_cents"), "too_large", "the line is too large")),
            }
        }
    }
    out
}

fn too_large() -> AppError {
    Invalid::one("lines", "too_large", "the invoice's total is over $10,000,000").into()
}

/// `POST /api/v1/customers/{id}/invoices`: Accounting Create.
pub async fn create_invoice(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: NewInvoice,
) -> Result<Invoice, AppError> {
    let r = customer(svc, actor, id, Action::Create).await?;
    let mut e = Vec::new();
    let lines = parse_lines(&body.lines, &mut e);
    let bp = match whole(&body.tax_rate_bp) {
        Ok(None) => 0,
        Ok(Some(b)) if b <= u64::from(BP_MAX) => u32::try_from(b).unwrap_or(0),
        _ => {
            e.push(FieldError::new("tax_rate_bp", "invalid", "the tax rate is in basis points, 0 to 10,000"));
            0
        }
    };
    let day = day_of(body.date.as_deref(), svc.clock.now(), &mut e);
    if !e.is_empty() {
        return Err(Invalid { errors: e }.into());
    }
    issue(svc, actor, &r, body.kind.unwrap_or(DocumentKind::Invoice), day, lines, bp, None).await
}

/// A document's date as sent (`YYYY-MM-DD`), today when blank; a bad one is added to `e`.
fn day_of(sent: Option<&str>, now: time::OffsetDateTime, e: &mut Vec<FieldError>) -> String {
    match sent.map(str::trim).filter(|d| !d.is_empty()) {
        None => date(now),
        Some(d) => vigil_domain::lead::date("date", d).unwrap_or_else(|x| {
            e.push(x);
            String::new()
        }),
    }
}

/// Numbers and stores a new invoice or quote on `r` (with its parent's copy when it bills through one); converting
/// a quote marks `quote` converted, at its version, in the same transaction.
#[allow(clippy::too_many_arguments)]
async fn issue(
    svc: &Services,
    actor: &Actor,
    r: &Record,
    kind: DocumentKind,
    day: String,
    lines: Vec<LineItem>,
    tax_rate_bp: u32,
    quote: Option<&Invoice>,
) -> Result<Invoice, AppError> {
    let co = actor.company();
    let seq = next_seq(svc, co, r.id).await?;
    let at = rfc3339(svc.clock.now());
    let mut inv = new_invoice(r, seq, kind, day, lines, tax_rate_bp, &at, actor.id()).ok_or_else(too_large)?;
    let mut ops = vec![still_open(co, r.id)];
    if let Some(q) = quote {
        inv.from_quote = Some(q.id);
        ops.push(TxOp::Update {
            key: invoice_key(co, q),
            update: Update::default().set("status", "converted").set("converted_to", inv.id).add("version", 1),
            cond: Some(Condition::VersionIs(q.version)),
        });
    }
    ops.extend(invoice_ops(co, &inv));
    commit(svc, ops).await?;
    Ok(inv)
}

/// The check every accounting write carries: the customer is still there and unarchived.
fn still_open(co: &CompanyId, id: RecordId) -> TxOp {
    TxOp::Check { key: keys::record(co, id), cond: Condition::AttrEquals("archived".into(), Value::Bool(false)) }
}

async fn commit(svc: &Services, ops: Vec<TxOp>) -> Result<(), AppError> {
    svc.table.transact(ops).await.map_err(commit_error)
}

fn commit_error(e: StoreError) -> AppError {
    match e {
        StoreError::ConditionFailed { op: Some(0), .. } => AppError::Conflict {
            message: "this customer was archived or removed meanwhile; nothing was saved".into(),
            current: None,
        },
        StoreError::ConditionFailed { .. } => AppError::Conflict {
            message: "another user changed this at the same time; reload and try again".into(),
            current: None,
        },
        e => e.into(),
    }
}

async fn get_invoice(svc: &Services, co: &CompanyId, customer: RecordId, id: u64) -> Result<Option<Invoice>, AppError> {
    svc.table.get(&keys::customer_doc(co, customer, INVOICE_PREFIX, id)).await?.map(from_item).transpose()
}

/// `POST /api/v1/customers/{id}/quote-to-invoice`: an open quote becomes an invoice with the same lines and tax; the
/// quote is marked converted (with its version) in the same transaction.
pub async fn quote_to_invoice(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: QuoteToInvoice,
) -> Result<Invoice, AppError> {
    let r = customer(svc, actor, id, Action::Create).await?;
    let co = actor.company();
    let quote = match get_invoice(svc, co, id, body.quote_id).await? {
        Some(q) if q.kind == DocumentKind::Quote => q,
        _ => return Err(Invalid::one("quote_id", "not_found", "no such quote on this customer").into()),
    };
    if quote.version != body.version {
        return Err(AppError::Conflict {
            message: "another user changed this quote; review it and try again".into(),
            current: serde_json::to_value(&quote).ok(),
        });
    }
    if quote.status != "open" {
        return Err(AppError::Conflict {
            message: "this quote was already turned into an invoice".into(),
            current: None,
        });
    }
    let day = date(svc.clock.now());
    let (lines, bp) = (quote.lines.clone(), quote.tax_rate_bp);
    issue(svc, actor, &r, DocumentKind::Invoice, day, lines, bp, Some(&quote)).await
}

/// `POST /api/v1/customers/{id}/billing-methods`: Accounting Create. `raw` is the body as sent: a card number, CVV or
/// account number in it is refused by field name before anything is read.
pub async fn create_billing_method(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    raw: &Map<String, Value>,
) -> Result<BillingMethod, AppError> {
    let forbidden: Vec<FieldError> = raw
        .keys()
        .filter(|k| FORBIDDEN_FIELDS.contains(&k.to_ascii_lowercase().as_str()))
        .map(|k| {
            FieldError::new(
                k.as_str(),
                "not_accepted",
                "Vigil never takes card or account numbers: send them to the payment processor and send its token",
            )
        })
        .collect();
    if !forbidden.is_empty() {
        return Err(Invalid { errors: forbidden }.into());
    }
    let body: NewBillingMethod = serde_json::from_value(Value::Object(raw.clone()))
        .map_err(|e| AppError::from_field(FieldError::new("body", "invalid_json", crate::error::serde_problem(&e))))?;
    customer(svc, actor, id, Action::Create).await?;
    let co = actor.company();
    let p = processor::processor();
    let mut e = Vec::new();
    let kind = body.kind.as_deref().unwrap_or("card");
    if kind != "card" && kind != "ach" {
        e.push(FieldError::new("kind", "invalid", "kind is card or ach"));
    }
    let token = body.token.as_deref().unwrap_or_default();
    if !p.accepts(token) {
        e.push(FieldError::new("token", "invalid", "not a token of the payment processor"));
    }
    let last4 = body.last4.clone().unwrap_or_default();
    if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
        e.push(FieldError::new("last4", "invalid", "the last 4 digits"));
    }
    let brand = body.brand.as_deref().map(str::trim).unwrap_or_default();
    if brand.is_empty() || brand.chars().count() > 40 {
        e.push(FieldError::new("brand", "invalid", "give the brand (1–40 characters)"));
    }
    let today = date(svc.clock.now());
    let (exp_month, exp_year) = if kind == "card" {
        match (body.exp_month, body.exp_year) {
            (Some(m), Some(y)) if (1..=12).contains(&m) && (2000..=2100).contains(&y) => {
                if format!("{y:04}-{m:02}") < today.chars().take(7).collect::<String>() {
                    e.push(FieldError::new("exp_year", "expired", "the card has expired"));
                }
                (Some(m), Some(y))
            }
            _ => {
                e.push(FieldError::new("exp_month", "invalid", "give the expiry month (1–12) and year"));
                (None, None)
            }
        }
    } else {
        (None, None)
    };
    if !e.is_empty() {
        return Err(Invalid { errors: e }.into());
    }
    let seq = next_seq(svc, co, id).await?;
    let bm = BillingMethod {
        id: seq,
        customer_id: id,
        kind: kind.to_owned(),
        brand: brand.to_owned(),
        last4,
        exp_month,
        exp_year,
        processor: p.name().to_owned(),
        created_at: rfc3339(svc.clock.now()),
    };
    let key = keys::customer_doc(co, id, BILLING_METHOD_PREFIX, seq);
    // The token rides beside the answer's fields and never leaves the server.
    let item = item_of(&key, &bm, &[("token", token.to_owned())]);
    commit(svc, vec![still_open(co, id), TxOp::Put { item, cond: Some(Condition::NotExists) }]).await?;
    tracing::info!(customer = id.0, billing_method = seq, kind, "billing method saved");
    Ok(bm)
}

/// `POST /api/v1/customers/{id}/payments`: Accounting Create. A sub-customer's payments are received on its parent
/// (409 naming it); a parent pays a billing sub-customer's invoice by naming `invoice_customer_id`.
pub async fn create_payment(
    svc: &Services,
    actor: &Actor,
    id: RecordId,
    body: NewPayment,
) -> Result<Payment, AppError> {
    let r = customer(svc, actor, id, Action::Create).await?;
    let co = actor.company();
    if let Some(parent) = r.lead.customer.parent_id {
        return Err(AppError::Conflict {
            message: format!(
                "this is a sub-customer of customer #{parent}: payments are received on the parent customer"
            ),
            current: Some(serde_json::json!({"parent_id": parent})),
        });
    }
    let mut e = Vec::new();
    let Some(invoice_id) = body.invoice_id else {
        return Err(AppError::from_field(FieldError::required("invoice_id")));
    };
    let invoice_customer = body.invoice_customer_id.unwrap_or(id);
    let invoice = if invoice_customer == id {
        get_invoice(svc, co, id, invoice_id).await?
    } else {
        // Only an invoice that bills through this customer has its copy here.
        match svc.table.get(&keys::billed_through(co, id, invoice_customer, invoice_id)).await? {
            Some(_) => get_invoice(svc, co, invoice_customer, invoice_id).await?,
            None => None,
        }
    };
    let invoice = match invoice {
        Some(i) if i.kind == DocumentKind::Invoice => i,
        _ => return Err(Invalid::one("invoice_id", "not_found", "no such invoice for this customer").into()),
    };
    let owed = invoice.total_cents.saturating_sub(invoice.paid_cents);
    let amount = match whole(&body.amount_cents) {
        Ok(Some(a)) if a > 0 && a <= owed => Some(a),
        Ok(None) => {
            e.push(FieldError::required("amount_cents"));
            None
        }
        _ => {
            e.push(FieldError::new(
                "amount_cents",
                "invalid",
                format!("the amount is a whole number of cents from 1 to what the invoice still owes ({owed})"),
            ));
            None
        }
    };
    let method_item = match body.billing_method_id {
        Some(m) => svc.table.get(&keys::customer_doc(co, id, BILLING_METHOD_PREFIX, m)).await?,
        None => None,
    };
    let Some(method_item) = method_item else {
        e.push(FieldError::new("billing_method_id", "not_found", "choose one of this customer's billing methods"));
        return Err(Invalid { errors: e }.into());
    };
    let now = svc.clock.now();
    let day = day_of(body.date.as_deref(), now, &mut e);
    let (Some(amount), true) = (amount, e.is_empty()) else { return Err(Invalid { errors: e }.into()) };
    let method: BillingMethod = from_item(method_item.clone())?;
    let token = method_item.get("token").and_then(Value::as_str).unwrap_or_default();
    let seq = next_seq(svc, co, id).await?;
    let reference = format!("{co}-{}-{seq}", id.0);
    let processor_ref = processor::processor()
        .charge(token, amount, &reference)
        .map_err(|why| Invalid::one("billing_method_id", "declined", why))?;
    let payment = Payment {
        id: seq,
        customer_id: id,
        invoice_customer_id: invoice_customer,
        invoice_id,
        billing_method_id: method.id,
        amount_cents: amount,
        date: day,
        processor_ref,
        created_at: rfc3339(now),
        created_by: actor.id().clone(),
    };
    let paid = invoice.paid_cents + amount;
    let status = if paid >= invoice.total_cents { "paid" } else { "open" };
    let mut ops = vec![
        still_open(co, id),
        TxOp::Put {
            item: item_of(&keys::customer_doc(co, id, PAYMENT_PREFIX, seq), &payment, &[]),
            cond: Some(Condition::NotExists),
        },
        TxOp::Update {
            key: invoice_key(co, &invoice),
            update: Update::default().set("paid_cents", paid).set("status", status).add("version", 1),
            cond: Some(Condition::VersionIs(invoice.version)),
        },
    ];
    if invoice.customer_id != id {
        ops.push(TxOp::Update {
            key: keys::billed_through(co, id, invoice.customer_id, invoice.id),
            update: Update::default().set("paid_cents", paid).set("status", status).add("version", 1),
            cond: Some(Condition::Exists),
        });
    }
    if let Err(err) = svc.table.transact(ops).await {
        // A refused condition or contention applied nothing; any other failure (a timeout, a lost connection) may
        // have, and only a read that answers tells.
        let stored = match err {
            StoreError::ConditionFailed { .. } | StoreError::Busy => Some(false),
            _ => stored(svc, &keys::customer_doc(co, id, PAYMENT_PREFIX, seq)).await,
        };
        match stored {
            Some(true) => {}
            Some(false) => {
                void(&payment);
                return Err(commit_error(err));
            }
            None => {
                tracing::error!(
                    customer = id.0,
                    payment = seq,
                    "payment's write failed and whether it was stored is unknown; the charge stands: reconcile it at the processor"
                );
                return Err(AppError::Conflict {
                    message: "the card was charged but whether the payment was saved is unknown: check the Accounting \
                              tab before taking it again"
                        .into(),
                    current: None,
                });
            }
        }
    }
    tracing::info!(customer = id.0, payment = seq, amount_cents = amount, "payment taken");
    Ok(payment)
}

/// Whether the payment's item is stored, by a read that answers (three tries); `None` when none did.
async fn stored(svc: &Services, key: &vigil_store::Key) -> Option<bool> {
    for _ in 0..3 {
        if let Ok(found) = svc.table.get(key).await {
            return Some(found.is_some());
        }
    }
    None
}

/// The charge succeeded but its payment is not stored: the money goes back before the caller hears of the failure,
/// so a retried payment never charges twice.
fn void(payment: &Payment) {
    match processor::processor().void(&payment.processor_ref) {
        Ok(()) => {
            tracing::warn!(customer = payment.customer_id.0, payment = payment.id, "payment not saved; charge voided")
        }
        Err(why) => tracing::error!(
            customer = payment.customer_id.0,
            payment = payment.id,
            why = %why,
            "payment not saved and its charge could not be voided; refund it at the processor"
        ),
    }
}

/// `GET /api/v1/customers/{id}/accounting`: Accounting View. One Query of the customer's partition.
pub async fn get(svc: &Services, actor: &Actor, id: RecordId) -> Result<Accounting, AppError> {
    let r = customer(svc, actor, id, Action::View).await?;
    let co = actor.company();
    let mut invoices = Vec::new();
    let mut quotes = Vec::new();
    let mut billed = Vec::new();
    let mut payments: Vec<Payment> = Vec::new();
    let mut methods = Vec::new();
    for item in svc.table.query_all(&Query::new(Index::Base, keys::record_pk(co, id))).await? {
        let sk = item.get(vigil_store::SK).and_then(Value::as_str).unwrap_or_default().to_owned();
        let prefix = sk.split('#').next().unwrap_or_default();
        match prefix {
            INVOICE_PREFIX => {
                let inv: Invoice = from_item(item)?;
                match inv.kind {
                    DocumentKind::Invoice => invoices.push(inv),
                    DocumentKind::Quote => quotes.push(inv),
                }
            }
            PAYMENT_PREFIX => payments.push(from_item(item)?),
            BILLING_METHOD_PREFIX => methods.push(strip_token(item)?),
            _ if sk.starts_with(keys::BILLED_PREFIX) => billed.push(from_item::<Invoice>(item)?),
            _ => {}
        }
    }
    let parent = match r.lead.customer.parent_id {
        Some(p) => Some(BillingParent { id: p, name: parent_name(svc, co, p).await? }),
        None => None,
    };
    let transactions = transactions(id, &invoices, &billed, &payments);
    let balance_cents = transactions.last().map_or(0, |t| t.balance_cents);
    invoices.reverse();
    quotes.reverse();
    payments.reverse();
    billed.reverse();
    Ok(Accounting {
        customer_id: id,
        banner: parent.as_ref().map(|p| banner(&p.name)),
        parent,
        invoices,
        quotes,
        sub_customer_invoices: billed,
        payments,
        billing_methods: methods,
        transactions,
        balance_cents,
    })
}

fn strip_token(mut item: Item) -> Result<BillingMethod, AppError> {
    item.remove("token");
    from_item(item)
}

async fn parent_name(svc: &Services, co: &CompanyId, p: RecordId) -> Result<String, AppError> {
    Ok(match svc.table.get(&keys::record(co, p)).await? {
        Some(item) => from_item::<Record>(item)?.display_name(),
        None => format!("customer #{p}"),
    })
}

/// Invoices (charges) and payments (credits) in date order, each with the balance after it.
pub fn transactions(me: RecordId, own: &[Invoice], billed: &[Invoice], payments: &[Payment]) -> Vec<Transaction> {
    let mut rows: Vec<(String, String, Transaction)> = Vec::new();
    for inv in own.iter().chain(billed) {
        let description = if inv.customer_id == me {
            format!("Invoice #{}", inv.id)
        } else {
            format!("Invoice #{} of sub-customer #{}", inv.id, inv.customer_id)
        };
        rows.push((
            inv.date.clone(),
            inv.created_at.clone(),
            Transaction {
                date: inv.date.clone(),
                kind: "invoice".into(),
                customer_id: inv.customer_id,
                ref_id: inv.id,
                description,
                charge_cents: inv.total_cents,
                credit_cents: 0,
                balance_cents: 0,
            },
        ));
    }
    for p in payments {
        let description = if p.invoice_customer_id == p.customer_id {
            format!("Payment on invoice #{}", p.invoice_id)
        } else {
            format!("Payment on invoice #{} of sub-customer #{}", p.invoice_id, p.invoice_customer_id)
        };
        rows.push((
            p.date.clone(),
            p.created_at.clone(),
            Transaction {
                date: p.date.clone(),
                kind: "payment".into(),
                customer_id: p.customer_id,
                ref_id: p.id,
                description,
                charge_cents: 0,
                credit_cents: p.amount_cents,
                balance_cents: 0,
            },
        ));
    }
    rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut balance: i64 = 0;
    rows.into_iter()
        .map(|(_, _, mut t)| {
            balance = balance
                .saturating_add(i64::try_from(t.charge_cents).unwrap_or(i64::MAX))
                .saturating_sub(i64::try_from(t.credit_cents).unwrap_or(i64::MAX));
            t.balance_cents = balance;
            t
        })
        .collect()
}
