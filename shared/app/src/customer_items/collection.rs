//! The collections a customer's tabs hold, one sub-record item each, and the update that cancels one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_domain::{RecordId, UserId};
use vigil_store::{keys, Condition, TxOp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    Notes,
    Contacts,
    Equipment,
    Appointments,
    RecurringInvoices,
    ScheduledPayments,
}

impl Collection {
    pub const ALL: [Collection; 6] = [
        Collection::Notes,
        Collection::Contacts,
        Collection::Equipment,
        Collection::Appointments,
        Collection::RecurringInvoices,
        Collection::ScheduledPayments,
    ];

    /// The SK prefix of its items.
    pub fn prefix(self) -> &'static str {
        match self {
            Collection::Notes => "NOTE",
            Collection::Contacts => "CONTACT",
            Collection::Equipment => "EQUIP",
            Collection::Appointments => "APPT",
            Collection::RecurringInvoices => "RINV",
            Collection::ScheduledPayments => "SPAY",
        }
    }

    /// The path segment (`/api/v1/customers/{id}/<segment>`).
    pub fn segment(self) -> &'static str {
        match self {
            Collection::Notes => "notes",
            Collection::Contacts => "contacts",
            Collection::Equipment => "equipment",
            Collection::Appointments => "appointments",
            Collection::RecurringInvoices => "recurring-invoices",
            Collection::ScheduledPayments => "scheduled-payments",
        }
    }

    pub fn from_segment(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.segment() == s)
    }

    pub fn of_sk(sk: &str) -> Option<Self> {
        let prefix = sk.split('#').next()?;
        Self::ALL.into_iter().find(|c| c.prefix() == prefix)
    }

    pub(super) fn initial_status(self) -> &'static str {
        match self {
            Collection::Notes => "open",
            Collection::Contacts | Collection::Equipment | Collection::RecurringInvoices => "active",
            Collection::Appointments | Collection::ScheduledPayments => "scheduled",
        }
    }
}

/// One sub-record. `data` holds the collection's own fields (validated on create).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubRecord {
    pub id: u64,
    pub record_id: RecordId,
    pub collection: Collection,
    /// `open`/`closed` (notes), `active` (contacts, equipment, recurring invoices), `scheduled` (appointments,
    /// payments); archiving sets `cancelled`.
    pub status: String,
    pub created_at: String,
    pub created_by: UserId,
    #[serde(default)]
    pub data: Map<String, Value>,
}

impl SubRecord {
    /// Counted by archiving: an active recurring invoice, a future appointment or a future scheduled payment.
    pub fn cancelled_by_archive(&self, today: &str) -> bool {
        let future = || self.data.get("date").and_then(Value::as_str).is_some_and(|d| d >= today);
        match self.collection {
            Collection::RecurringInvoices => self.status == "active",
            Collection::Appointments | Collection::ScheduledPayments => self.status == "scheduled" && future(),
            _ => false,
        }
    }

    /// Counted on the tab badge: open notes/tickets, everything else not cancelled.
    pub fn counts(&self) -> bool {
        match self.collection {
            Collection::Notes => self.status == "open",
            _ => self.status != "cancelled",
        }
    }

    pub fn key(&self, co: &vigil_domain::CompanyId) -> vigil_store::Key {
        keys::record_child_item(co, self.record_id, self.collection.prefix(), self.id)
    }
}

/// The update that cancels a sub-record, if it is still as read.
pub fn cancel_op(co: &vigil_domain::CompanyId, s: &SubRecord) -> TxOp {
    TxOp::Update {
        key: s.key(co),
        update: vigil_store::Update::default().set("status", "cancelled"),
        cond: Some(Condition::AttrEquals("status".into(), Value::String(s.status.clone()))),
    }
}
