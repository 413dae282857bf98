//! Accounting on a customer: invoices and quotes (line items, tax, totals in integer US cents), billing methods kept
//! as a payment processor's token (never a card or account number), payments against invoices, and Transactions.
//! A sub-customer that bills through its parent has its payments received on the parent.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_domain::{RecordId, UserId};
use vigil_json::{FromJson, ToJson};

/// An invoice or a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Invoice,
    Quote,
}

/// One line of an invoice or quote; `amount_cents` is `quantity × unit_cents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LineItem {
    pub description: String,
    pub quantity: u64,
    pub unit_cents: u64,
    pub amount_cents: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equipment_id: Option<u32>,
}

/// An invoice or quote of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Invoice {
    /// Per customer, from 1 (shared with the customer's other sub-records).
    pub id: u64,
    pub customer_id: RecordId,
    pub kind: DocumentKind,
    /// Invoices: `open` or `paid`; quotes: `open` or `converted`.
    pub status: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub lines: Vec<LineItem>,
    /// Basis points: 725 is 7.25 %.
    pub tax_rate_bp: u32,
    pub subtotal_cents: u64,
    /// The subtotal times the rate, rounded half up to the cent.
    pub tax_cents: u64,
    pub total_cents: u64,
    pub paid_cents: u64,
    /// The parent customer this invoice bills through (set when it was made on a sub-customer; unlinking keeps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bill_through: Option<RecordId>,
    /// A quote: the invoice made from it. An invoice: the quote it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted_to: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_quote: Option<u64>,
    pub version: u64,
    pub created_at: String,
    pub created_by: UserId,
}

/// One line of a new invoice or quote, read value by value so each problem names `lines[i].field`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewLine {
    /// 1–200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// 1 or more (1 when blank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u64>"))]
    pub quantity: Option<Value>,
    /// Integer cents, 0 or more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "u64"))]
    pub unit_cents: Option<Value>,
}

/// The most lines one invoice holds.
pub const MAX_LINES: usize = 50;

/// `POST /api/v1/customers/{id}/invoices`: an invoice (default) or a quote.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewInvoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<DocumentKind>,
    /// 1 to 50 lines.
    #[serde(default)]
    pub lines: Vec<NewLine>,
    /// Basis points, 0–10,000 (0 when blank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "Option<u32>"))]
    pub tax_rate_bp: Option<Value>,
    /// `YYYY-MM-DD`, today when blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// `POST /api/v1/customers/{id}/quote-to-invoice`: the quote and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct QuoteToInvoice {
    pub quote_id: u64,
    pub version: u64,
}

/// A billing method: the processor's token stays on the server; the answer carries what the portal shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BillingMethod {
    pub id: u64,
    pub customer_id: RecordId,
    /// `card` or `ach`.
    pub kind: String,
    /// Card brand (`Visa`, …) or `ACH`.
    pub brand: String,
    pub last4: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp_month: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp_year: Option<u16>,
    /// Which processor issued the token (`sandbox`).
    pub processor: String,
    pub created_at: String,
}

/// `POST /api/v1/customers/{id}/billing-methods`: what the processor answered when the browser sent it the card or
/// account. A body with a card number, CVV or account number is refused (422): those go to the processor only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewBillingMethod {
    /// `card` or `ach`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The processor's token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// Four digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last4: Option<String>,
    /// Cards: 1–12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp_month: Option<u8>,
    /// Cards: four digits, not in the past.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp_year: Option<u16>,
}

/// A payment, recorded on the customer that received it (a parent for its billing sub-customers' invoices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Payment {
    pub id: u64,
    pub customer_id: RecordId,
    /// The customer whose invoice it pays (this customer or one of its billing sub-customers).
    pub invoice_customer_id: RecordId,
    pub invoice_id: u64,
    pub billing_method_id: u64,
    pub amount_cents: u64,
    pub date: String,
    /// The processor's reference for the charge.
    pub processor_ref: String,
    pub created_at: String,
    pub created_by: UserId,
}

/// `POST /api/v1/customers/{id}/payments`. On a sub-customer this is refused (409 naming the parent): payments are
/// received on the parent, which names the sub-customer's invoice with `invoice_customer_id`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewPayment {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<u64>,
    /// The invoice's customer when it is a billing sub-customer's (this customer when blank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_customer_id: Option<RecordId>,
    /// One of this customer's billing methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_method_id: Option<u64>,
    /// Integer cents, more than 0 and at most what the invoice still owes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schemars(with = "u64"))]
    pub amount_cents: Option<Value>,
    /// `YYYY-MM-DD`, today when blank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// One row of Transactions: an invoice (a charge) or a payment (a credit), with the balance after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Transaction {
    pub date: String,
    /// `invoice` or `payment`.
    pub kind: String,
    /// The customer the invoice or payment belongs to (a sub-customer's rows on its parent).
    pub customer_id: RecordId,
    /// The invoice's or payment's ID on that customer.
    pub ref_id: u64,
    pub description: String,
    pub charge_cents: u64,
    pub credit_cents: u64,
    /// Charges minus credits so far; negative is a credit balance.
    pub balance_cents: i64,
}

/// The parent a sub-customer bills through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct BillingParent {
    pub id: RecordId,
    pub name: String,
}

/// `GET /api/v1/customers/{id}/accounting`: the Accounting tab in one call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Accounting {
    pub customer_id: RecordId,
    /// Set on a sub-customer: its payments are received on this parent.
    pub parent: Option<BillingParent>,
    /// The sub-customer banner, verbatim: "This is a sub-customer of {Parent Name} — payments are received on the
    /// Parent Customer."
    pub banner: Option<String>,
    /// Newest first.
    pub invoices: Vec<Invoice>,
    pub quotes: Vec<Invoice>,
    /// On a parent: the invoices its sub-customers billed through it (what its payment flow may pay), newest first.
    pub sub_customer_invoices: Vec<Invoice>,
    pub payments: Vec<Payment>,
    pub billing_methods: Vec<BillingMethod>,
    /// Oldest first: this customer's invoices and payments and, on a parent, every invoice a sub-customer billed
    /// through it.
    pub transactions: Vec<Transaction>,
    pub balance_cents: i64,
}
