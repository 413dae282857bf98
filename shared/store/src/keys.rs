//! Every key of the single table is built here, and nowhere else. Tenant items start with `C#<company>`, so a
//! request scoped to one company cannot address another's items whatever IDs it sends.
//!
//! | item | PK | SK | GSIs |
//! |---|---|---|---|
//! | company profile | `C#co` | `COMPANY` | GSI1 `COMPANIES` / `co` |
//! | office location | `C#co` | `LOC#00000001` | |
//! | user | `C#co` | `USER#sub` | GSI1 `USEREMAIL#email` / `co` |
//! | counter | `C#co` | `COUNTER#name` | |
//! | partner company | `C#co` | `PARTNER#00000001` | |
//! | campaign | `C#co` | `CAMPAIGN#00000001` | GSI1 `C#co#PARTNER#00000001#CAMPAIGNS` / campaign |
//! | partner name, campaign name, campaign external pair, template name (uniqueness) | `C#co` | `PARTNERNAME#…`, `CAMPAIGNNAME#00000001#…`, `CAMPAIGNEXT#…`, `MSGTPLNAME#…` | |
//! | partner history entry | `C#co#PARTNER#00000001` | `HIST#at#seq` | |
//! | partner returns report entry (a returned lead, a rejected duplicate post) | `C#co#PARTNER#00000001#RETURNS` | `E#at#kind#<lead 14 or receipt>` | |
//! | partner returns report counts | `C#co#PARTNER#00000001#RETURNS` | `COUNTS` | |
//! | message template | `C#co` | `MSGTPL#00000001` | |
//! | lead or customer profile | `C#co#R#00000000000042` | `PROFILE` | GSI1 kind by name, GSI2 kind by ID, GSI3 rep's, GSI4 follow-up date |
//! | record sub-item | `C#co#R#…` | `HIST#…`, `NOTE#…`, `CONTACT#…`, `EQUIP#…`, `APPT#…`, `RINV#…`, `SPAY#…`, `SEQ#ITEMS` | |
//! | sub-customer link | `C#co#R#<parent>` | `SUBCUST#<child>` | |
//! | tag | `C#co` | `TAG#00000001` | |
//! | lead status (disposition) | `C#co` | `DISPOSITION#00000001` | |
//! | account class | `C#co` | `ACCOUNTCLASS#00000001` | |
//! | company setting | `C#co` | `SETTINGS#name` | |
//! | custom field (UDF) definition | `C#co` | `UDF#00000001` | |
//! | customer workflow definition (current version) | `C#co` | `WORKFLOW#00000001` | |
//! | customer workflow definition version (immutable) | `C#co` | `WORKFLOWV#00000001#00000000000003` | |
//! | enrollment → its customer (immutable) | `C#co` | `ENROLLMENT#00000000000007` | |
//! | enrollment | `C#co#R#…` | `WFENR#00000000000007` | |
//! | open enrollment of a workflow (uniqueness) | `C#co#R#…` | `WFOPEN#00000001` | |
//! | Workflows tab counters | `C#co#R#…` | `WFSTATS` | |
//! | lead duplicate lookup | `C#co#LEADDUP#<hash of name+phone+address>` | `R#00000000000042` | |
//! | customer duplicate lookup | `C#co#CUSTDUP#<hash of name+phone+address>` | `R#00000000000042` | |
//! | outbox email | `C#co#OUTBOX` | `MAIL#ts#id` | |
//! | pending job (transactional outbox) | `C#co#PENDINGJOBS` | `JOB#idempotency key` | |
//! | sale to a partner: one delivery per record sold | `C#co#SALES` | `S#<partner 8>#<sale 10>#<record 14>` | |
//! | catalog entry (equipment, wire type, package, order template, sold-by) | `C#co` | `CATALOG#<kind>#00000001` | |
//! | catalog name (uniqueness, per kind) | `C#co` | `CATALOGNAME#<kind>#…` | |
//! | invoice or quote, payment, billing method, work order | `C#co#R#…` | `INV#…`, `PAY#…`, `BM#…`, `WO#…` | |
//! | a sub-customer's invoice billed through this parent (copy for Transactions) | `C#co#R#<parent>` | `BILLED#<child>#<invoice>` | |
//! | credit check | `C#co#R#…` | `CREDIT#00000000000007` | |
//! | credit check → its customer (immutable) | `C#co` | `CREDITCHECK#00000000000007` | |
//! | credit run click (`Idempotency-Key`, uniqueness) | `C#co` | `CREDITRUN#<hash of user+key>` | |
//! | monitoring company | `C#co` | `MONCO#00000001` | |
//! | a customer's ADT PreCheck | `C#co#R#…` | `PRECHECK` | |
//! | creation workflow (New Customer / New Lead / Convert wizards) | `C#co` | `CREATEWF#00000001` | |
//! | a record's creation wizard progress | `C#co#R#…` | `WIZARD` | |
//! | intake key (hash of the secret, allowed origins, limits, last used) | `C#co` | `INTAKEKEY#00000001` | |
//! | intake key's allowed origin (the CORS preflight's lookup) | `INTAKEORIGIN#<origin>` | `C#co#00000001` | |
//! | intake receipt (the posted form, its status, the lead) | `C#co#RCPT#<receipt id>` | `RECEIPT` | (TTL) |
//! | intake idempotency key (the receipt it gave) | `C#co#INTAKEIDEM#00000001#<key>` | `IDEM` | (TTL) |
//! | intake rate-limit bucket (per key, per key and client IP) | `C#co#RATE#<bucket>` | `BUCKET` | (TTL) |
//! | lead queue entry (a lead waiting in the queue) | `C#co#LEADQUEUE` | `P<rank>#<arrived at>#<lead 14>` | |
//! | lead import (CSV) | `C#co` | `IMPORT#0000000001` | |
//! | import sub-item: chunk progress, row error, duplicate, update undo | `C#co#IMPORT#0000000001` | `CHUNK#00000001`, `ERR#…`, `RUNERR#…`, `DUP#…`, `UNDO#00000001#0000000042` | |
//! | import upload token (hash; single use) | `UPLOAD#<sha256 of token>` | `TOKEN` | (TTL `expires_at`) |
//! | idempotency claim | `IDEM#scope#key` | `IDEM` | (TTL `expires_at`) |
//! | SSN key ring (wrapped data keys, the current one) | `SSNKEYS` | `RING` | |
//! | SSN key rotation progress | `SSNKEYS` | `ROTATION` | |
//!
//! Numbers are zero-padded so string order is numeric order.

use crate::Key;
use vigil_domain::{
    record::Kind, AccountClassId, CampaignId, CompanyId, DispositionId, LocationId, PartnerId, RecordId, TagId, UserId,
};

pub fn company_pk(co: &CompanyId) -> String {
    format!("C#{co}")
}

pub fn company(co: &CompanyId) -> Key {
    Key::new(company_pk(co), "COMPANY")
}

/// GSI1 partition listing every company (the dev sign-in page and platform jobs read it).
pub const COMPANIES_GSI1PK: &str = "COMPANIES";

pub fn location(co: &CompanyId, id: LocationId) -> Key {
    Key::new(company_pk(co), format!("LOC#{:08}", id.0))
}

pub const LOCATION_PREFIX: &str = "LOC#";

pub fn user(co: &CompanyId, id: &UserId) -> Key {
    Key::new(company_pk(co), format!("USER#{id}"))
}

pub const USER_PREFIX: &str = "USER#";

/// GSI1 partition of the user with this (lowercased) email.
/// A partner login's claim on its username (one per name across companies, as user pool names are).
pub fn login_name(email: &str) -> Key {
    Key::new(format!("LOGINNAME#{}", email.to_ascii_lowercase()), "CLAIM")
}

pub fn user_email_gsi1pk(email: &str) -> String {
    format!("USEREMAIL#{}", email.to_ascii_lowercase())
}

pub fn counter(co: &CompanyId, name: &str) -> Key {
    Key::new(company_pk(co), format!("COUNTER#{name}"))
}

pub fn partner(co: &CompanyId, id: PartnerId) -> Key {
    Key::new(company_pk(co), format!("PARTNER#{:08}", id.0))
}

pub const PARTNER_PREFIX: &str = "PARTNER#";

pub fn campaign(co: &CompanyId, id: CampaignId) -> Key {
    Key::new(company_pk(co), format!("CAMPAIGN#{:08}", id.0))
}

pub const CAMPAIGN_PREFIX: &str = "CAMPAIGN#";

pub fn partner_campaigns_gsi1pk(co: &CompanyId, partner: PartnerId) -> String {
    format!("C#{co}#PARTNER#{:08}#CAMPAIGNS", partner.0)
}

pub fn record_pk(co: &CompanyId, id: RecordId) -> String {
    format!("C#{co}#R#{:014}", id.0)
}

pub fn record(co: &CompanyId, id: RecordId) -> Key {
    Key::new(record_pk(co, id), "PROFILE")
}

fn kind_tag(kind: Kind) -> &'static str {
    match kind {
        Kind::Lead => "LEADS",
        Kind::Customer => "CUSTOMERS",
    }
}

/// GSI1: a company's leads (or customers) sorted by last name, first name, ID; doubles as a name prefix index.
pub fn records_by_name_gsi1(co: &CompanyId, kind: Kind, last: &str, first: &str, id: RecordId) -> (String, String) {
    (format!("C#{co}#{}#NAME", kind_tag(kind)), format!("{}#{}#{:014}", fold(last), fold(first), id.0))
}

/// GSI2: a company's leads (or customers) in ID order (IDs grow with creation time).
pub fn records_by_id_gsi2(co: &CompanyId, kind: Kind, id: RecordId) -> (String, String) {
    (format!("C#{co}#{}#ID", kind_tag(kind)), format!("{:014}", id.0))
}

/// GSI3: the records a lead rep owns, in ID order (a rep restricted to own leads lists through this).
pub fn records_by_rep_gsi3(co: &CompanyId, kind: Kind, rep: &UserId, id: RecordId) -> (String, String) {
    (format!("C#{co}#REP#{rep}#{}", kind_tag(kind)), format!("{:014}", id.0))
}

/// GSI4: leads whose next follow-up falls on `date` (`YYYY-MM-DD`): the reminder job's access path.
pub fn followups_gsi4(co: &CompanyId, date: &str, id: RecordId) -> (String, String) {
    (format!("C#{co}#FOLLOWUP#{date}"), format!("{:014}", id.0))
}

/// The maintained count of a company's leads or customers (list totals never count rows).
pub fn record_total(co: &CompanyId, kind: Kind) -> Key {
    counter(co, &format!("TOTAL#{}", kind_tag(kind)))
}

/// Per-company sequence of record IDs.
pub fn record_sequence(co: &CompanyId) -> Key {
    counter(co, "RECORD_ID")
}

pub fn tag(co: &CompanyId, id: TagId) -> Key {
    Key::new(company_pk(co), format!("TAG#{:08}", id.0))
}

pub const TAG_PREFIX: &str = "TAG#";

/// Per-company sequence of tag IDs.
pub fn tag_sequence(co: &CompanyId) -> Key {
    counter(co, "TAG_ID")
}

pub fn disposition(co: &CompanyId, id: DispositionId) -> Key {
    Key::new(company_pk(co), format!("DISPOSITION#{:08}", id.0))
}

pub const DISPOSITION_PREFIX: &str = "DISPOSITION#";

pub fn account_class(co: &CompanyId, id: AccountClassId) -> Key {
    Key::new(company_pk(co), format!("ACCOUNTCLASS#{:08}", id.0))
}

pub const ACCOUNT_CLASS_PREFIX: &str = "ACCOUNTCLASS#";

/// A user-defined field (UDF) definition; its values live on the records.
pub fn custom_field(co: &CompanyId, id: u32) -> Key {
    Key::new(company_pk(co), format!("{CUSTOM_FIELD_PREFIX}{id:08}"))
}

pub const CUSTOM_FIELD_PREFIX: &str = "UDF#";

/// The uniqueness item of a tag's name (case-folded), written with the tag in one transaction on the condition that
/// it does not exist.
pub fn tag_name(co: &CompanyId, name: &str) -> Key {
    Key::new(company_pk(co), format!("TAGNAME#{}", fold(name)))
}

/// The uniqueness item of a custom field's name (case-folded): written with the definition in one transaction on the
/// condition that it does not exist, so two admins creating "Gate code" at once end with one field.
pub fn custom_field_name(co: &CompanyId, name: &str) -> Key {
    Key::new(company_pk(co), format!("UDFNAME#{}", fold(name)))
}

/// Per-company sequence of custom field IDs.
pub fn custom_field_sequence(co: &CompanyId) -> Key {
    counter(co, "UDF_ID")
}

/// The uniqueness item of a partner company's name (case-folded), written with the partner in one transaction.
pub fn partner_name(co: &CompanyId, name: &str) -> Key {
    Key::new(company_pk(co), format!("PARTNERNAME#{}", fold(name)))
}

/// Per-company sequence of partner IDs.
pub fn partner_sequence(co: &CompanyId) -> Key {
    counter(co, "PARTNER_ID")
}

/// A partner company's change history lives in its own partition, so reading it never scans the company's.
pub fn partner_history(co: &CompanyId, id: PartnerId, at: &str, seq: u32) -> Key {
    Key::new(partner_history_pk(co, id), format!("HIST#{at}#{seq:04}"))
}

pub fn partner_history_pk(co: &CompanyId, id: PartnerId) -> String {
    format!("C#{co}#PARTNER#{:08}", id.0)
}

/// A partner's returns report (leads returned to it, its posts rejected as duplicates) is one partition of its own,
/// entries sorted by time, so a page of the report is one query whatever the company's size.
pub fn partner_returns_pk(co: &CompanyId, id: PartnerId) -> String {
    format!("C#{co}#PARTNER#{:08}#RETURNS", id.0)
}

/// One report entry; `unique` (the returned lead's padded ID, or the rejected post's receipt) keeps two entries of
/// the same millisecond apart.
pub fn partner_return_entry(co: &CompanyId, id: PartnerId, at: &str, kind: &str, unique: &str) -> Key {
    Key::new(partner_returns_pk(co, id), format!("{PARTNER_RETURN_PREFIX}{at}#{kind}#{unique}"))
}

pub const PARTNER_RETURN_PREFIX: &str = "E#";

/// The report's counts by kind, moved in the same transactions as its entries.
pub fn partner_return_counts(co: &CompanyId, id: PartnerId) -> Key {
    Key::new(partner_returns_pk(co, id), "COUNTS")
}

/// Per-company sequence of campaign IDs.
pub fn campaign_sequence(co: &CompanyId) -> Key {
    counter(co, "CAMPAIGN_ID")
}

/// The uniqueness item of a campaign's name within its partner (case-folded).
pub fn campaign_name(co: &CompanyId, partner: PartnerId, name: &str) -> Key {
    Key::new(company_pk(co), format!("CAMPAIGNNAME#{:08}#{}", partner.0, fold(name)))
}

/// The uniqueness item of a campaign's external (partner ID, campaign ID) pair within the company, so an incoming
/// record names exactly one campaign. Each part is length-prefixed, so no pair can spell another.
pub fn campaign_external(co: &CompanyId, external_partner: &str, external_campaign: &str) -> Key {
    let (p, c) = (fold(external_partner), fold(external_campaign));
    Key::new(company_pk(co), format!("CAMPAIGNEXT#{}:{p}#{}:{c}", p.len(), c.len()))
}

pub fn message_template(co: &CompanyId, id: u32) -> Key {
    Key::new(company_pk(co), format!("{MESSAGE_TEMPLATE_PREFIX}{id:08}"))
}

pub const MESSAGE_TEMPLATE_PREFIX: &str = "MSGTPL#";

/// The uniqueness item of a message template's name (case-folded).
pub fn message_template_name(co: &CompanyId, name: &str) -> Key {
    Key::new(company_pk(co), format!("MSGTPLNAME#{}", fold(name)))
}

/// Per-company sequence of message template IDs.
pub fn message_template_sequence(co: &CompanyId) -> Key {
    counter(co, "MSGTPL_ID")
}

/// A company setting (`lead_scoring`, …).
pub fn setting(co: &CompanyId, name: &str) -> Key {
    Key::new(company_pk(co), format!("SETTINGS#{name}"))
}

/// The partition holding one lookup item per lead with the same duplicate key (`dup_hash`: a hex digest of
/// `vigil_domain::lead::duplicate_key`); the duplicate check is one query on it.
pub fn lead_duplicates_pk(co: &CompanyId, dup_hash: &str) -> String {
    format!("C#{co}#LEADDUP#{dup_hash}")
}

pub fn lead_duplicate(co: &CompanyId, dup_hash: &str, id: RecordId) -> Key {
    Key::new(lead_duplicates_pk(co, dup_hash), format!("R#{:014}", id.0))
}

/// The customers' duplicate lookup, kept apart from the leads' so each create checks only its own kind (a lead
/// that became a customer moves from one to the other in the conversion's transaction).
pub fn customer_duplicates_pk(co: &CompanyId, dup_hash: &str) -> String {
    format!("C#{co}#CUSTDUP#{dup_hash}")
}

pub fn customer_duplicate(co: &CompanyId, dup_hash: &str, id: RecordId) -> Key {
    Key::new(customer_duplicates_pk(co, dup_hash), format!("R#{:014}", id.0))
}

/// The duplicate lookup partition of a record's kind.
pub fn duplicates_pk(co: &CompanyId, kind: Kind, dup_hash: &str) -> String {
    match kind {
        Kind::Lead => lead_duplicates_pk(co, dup_hash),
        Kind::Customer => customer_duplicates_pk(co, dup_hash),
    }
}

pub fn duplicate(co: &CompanyId, kind: Kind, dup_hash: &str, id: RecordId) -> Key {
    Key::new(duplicates_pk(co, kind, dup_hash), format!("R#{:014}", id.0))
}

/// A change-history entry of a record, newest last in key order.
pub fn history(co: &CompanyId, id: RecordId, at: &str, seq: u32) -> Key {
    Key::new(record_pk(co, id), format!("HIST#{at}#{seq:04}"))
}

/// A user's Copilot asks in one rate-limit window (`window`: its start, epoch seconds); the item expires after it.
pub fn copilot_window(co: &CompanyId, user: &UserId, window: i64) -> Key {
    Key::new(format!("C#{co}#COPILOT#{user}"), format!("WINDOW#{window:012}"))
}

/// An opportunity of a customer, under the record's partition; numbered by `record_child_sequence`.
pub fn opportunity(co: &CompanyId, id: RecordId, seq: u64) -> Key {
    Key::new(record_pk(co, id), format!("{OPPORTUNITY_PREFIX}{seq:08}"))
}

pub const OPPORTUNITY_PREFIX: &str = "OPP#";

/// A customer sub-record (note, contact, equipment, appointment, recurring invoice, scheduled payment) under the
/// record's partition: `prefix` is the collection's (`NOTE`, `CONTACT`, `EQUIP`, `APPT`, `RINV`, `SPAY`).
pub fn record_child_item(co: &CompanyId, id: RecordId, prefix: &str, seq: u64) -> Key {
    Key::new(record_pk(co, id), format!("{prefix}#{seq:08}"))
}

/// The per-record sequence of sub-record numbers.
pub fn record_child_sequence(co: &CompanyId, id: RecordId) -> Key {
    Key::new(record_pk(co, id), "SEQ#ITEMS")
}

/// Under a parent customer's partition, one link item per sub-customer (so the parent's one Query lists them).
pub fn sub_customer_link(co: &CompanyId, parent: RecordId, child: RecordId) -> Key {
    Key::new(record_pk(co, parent), format!("{SUB_CUSTOMER_PREFIX}{:014}", child.0))
}

pub const SUB_CUSTOMER_PREFIX: &str = "SUBCUST#";

pub fn outbox_pk(co: &CompanyId) -> String {
    format!("C#{co}#OUTBOX")
}

pub fn outbox_mail(co: &CompanyId, at: &str, id: &str) -> Key {
    Key::new(outbox_pk(co), format!("MAIL#{at}#{id}"))
}

/// A job written in the same transaction as the change that causes it; the dispatcher (DynamoDB Streams in AWS, the
/// local runtime's poller) moves it to the jobs queue and deletes it.
pub fn pending_jobs_pk(co: &CompanyId) -> String {
    format!("C#{co}#PENDINGJOBS")
}

pub fn pending_job(co: &CompanyId, idempotency_key: &str) -> Key {
    Key::new(pending_jobs_pk(co), format!("{PENDING_JOB_PREFIX}{idempotency_key}"))
}

pub const PENDING_JOB_PREFIX: &str = "JOB#";

/// The claim a worker takes before handling a message, so a redelivery is recognised.
pub fn idempotency(scope: &str, key: &str) -> Key {
    Key::new(format!("IDEM#{scope}#{key}"), "IDEM")
}

/// The SSN key ring: every data key, wrapped, and which one encrypts new SSNs. Not a tenant's item: one ring serves
/// every company (each ciphertext is bound to its company and record by the AEAD's associated data).
pub fn ssn_key_ring() -> Key {
    Key::new(SSN_KEYS_PK, "RING")
}

/// The progress of the SSN key rotation job (the key it rotates to, and the last record done).
pub fn ssn_key_rotation() -> Key {
    Key::new(SSN_KEYS_PK, "ROTATION")
}

const SSN_KEYS_PK: &str = "SSNKEYS";

// Customer workflows (owned by `vigil_app::workflows`).

/// A workflow definition's current version (the item edits are conditional on).
pub fn workflow(co: &CompanyId, id: u32) -> Key {
    Key::new(company_pk(co), format!("{WORKFLOW_PREFIX}{id:08}"))
}

pub const WORKFLOW_PREFIX: &str = "WORKFLOW#";

/// One version of a definition, written once and never changed: enrollments read the version they started with.
pub fn workflow_version(co: &CompanyId, id: u32, version: u64) -> Key {
    Key::new(company_pk(co), format!("WORKFLOWV#{id:08}#{version:014}"))
}

pub fn workflow_sequence(co: &CompanyId) -> Key {
    counter(co, "WORKFLOW_ID")
}

/// Where an enrollment lives (its customer), so `/enrollments/{id}` finds the customer's partition.
pub fn enrollment_lookup(co: &CompanyId, id: u64) -> Key {
    Key::new(company_pk(co), format!("ENROLLMENT#{id:014}"))
}

pub fn enrollment_sequence(co: &CompanyId) -> Key {
    counter(co, "ENROLLMENT_ID")
}

/// An enrollment, under its customer's partition (one Query renders the customer with its enrollments).
pub fn enrollment(co: &CompanyId, customer: RecordId, id: u64) -> Key {
    Key::new(record_pk(co, customer), format!("{ENROLLMENT_PREFIX}{id:014}"))
}

pub const ENROLLMENT_PREFIX: &str = "WFENR#";

/// Exists while the customer has an open enrollment in the workflow: written on the condition that it does not, so
/// two users starting the same workflow at once end with one enrollment.
pub fn open_enrollment(co: &CompanyId, customer: RecordId, workflow: u32) -> Key {
    Key::new(record_pk(co, customer), format!("WFOPEN#{workflow:08}"))
}

/// The Workflows tab's count and warning count, kept in the same transactions as the enrollments.
pub fn workflow_counters(co: &CompanyId, customer: RecordId) -> Key {
    Key::new(record_pk(co, customer), "WFSTATS")
}

/// Lowercase, for case-insensitive prefix search over sort keys.
pub fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

// ---------------------------------------------------------------------------------------------------------------
// Lead/customer list access paths (owned by `vigil_app::record_index` / `vigil_app::lead_list`).
//
// Besides its profile, a record has a few *index items* under its own partition (`C#co#R#…`, SK `IX#…`), written and
// deleted with it in the same transaction. Each carries the record's list columns (so a list page reads one item
// per candidate row) and uses up to four GSI slots to sit in four access-path partitions at once:
//
// | index item (SK) | GSI1 | GSI2 | GSI3 | GSI4 |
// |---|---|---|---|---|
// | `IX#FACET` | campaign / id | stage / id | disposition / id | source / id |
// | `IX#SORT` | address order | email order | first-name order | phone digits / id |
// | `IX#LOOKUP` | first-name 3-prefix / id | last-name 3-prefix / id | account number / id | SSN blind index / id |
// | `IX#SHORT` | first-name 1-prefix / id | last-name 1-prefix / id | first-name 2-prefix / id | last-name 2-prefix / id |
// | `IX#EMAIL#n` | email-word 1-, 2- and 3-prefixes / id (one prefix per slot, four per item) | … | … | … |
// | `IX#TAGS#n` | tag / id (one tag per slot, four per item) | … | … | … |
//
// Partitions sorted by ID use the padded ID as sort key (`{:014}`), so every such path merges with the others by
// ID. Counters (`COUNTER#LIST#…` under `C#co`) hold the size of every countable partition.
// ---------------------------------------------------------------------------------------------------------------

/// SK of a record's list index items.
pub const LIST_INDEX_PREFIX: &str = "IX#";

pub fn list_index_item(co: &CompanyId, id: RecordId, name: &str) -> Key {
    Key::new(record_pk(co, id), format!("{LIST_INDEX_PREFIX}{name}"))
}

fn list_pk(co: &CompanyId, kind: Kind, path: &str) -> String {
    format!("C#{co}#{}#{path}", kind_tag(kind))
}

/// The sort key of every ID-ordered list partition.
pub fn id_sk(id: RecordId) -> String {
    format!("{:014}", id.0)
}

/// A facet partition (ID order): `facet` is `STAGE`, `DISPO`, `SOURCE`, `CAMPAIGN`, `TAG`; `value` folded.
pub fn list_facet_pk(co: &CompanyId, kind: Kind, facet: &str, value: &str) -> String {
    list_pk(co, kind, &format!("{facet}#{}", fold(value)))
}

/// Numeric lookup (ID order): phone digits and account numbers.
pub fn list_number_pk(co: &CompanyId, kind: Kind, digits: &str) -> String {
    list_pk(co, kind, &format!("NUM#{digits}"))
}

/// SSN last-4 lookup by blind index (a keyed hash; the digits never appear in a key).
pub fn list_ssn_pk(co: &CompanyId, kind: Kind, blind_index: &str) -> String {
    list_pk(co, kind, &format!("SSN4#{blind_index}"))
}

/// Name and email-word prefix partitions of one to three characters (ID order): `field` is `FN`, `LN` or `EW`
/// (email word). Their counters (`list_counter` with the same field and prefix) are exact.
pub fn list_prefix_pk(co: &CompanyId, kind: Kind, field: &str, prefix3: &str) -> String {
    list_pk(co, kind, &format!("{field}#{prefix3}"))
}

/// Sorted partitions doubling as prefix indexes: `ADDR` (city, address), `EMAIL`, `FIRST` (first, last name).
pub fn list_sorted_pk(co: &CompanyId, kind: Kind, order: &str) -> String {
    list_pk(co, kind, order)
}

/// Sort key of a sorted partition: the folded parts, then the padded ID.
pub fn list_sorted_sk(parts: &[&str], id: RecordId) -> String {
    let mut s = String::new();
    for p in parts {
        s.push_str(&fold(p));
        s.push('#');
    }
    s.push_str(&id_sk(id));
    s
}

/// The maintained size of one list partition (`facet`/`value` as in [`list_facet_pk`]; also `REP`, `FOLLOWUP`, and
/// `FN`/`LN`/`EW` with a prefix as in [`list_prefix_pk`]).
pub fn list_counter(co: &CompanyId, kind: Kind, facet: &str, value: &str) -> Key {
    counter(co, &format!("LIST#{}#{facet}#{}", kind_tag(kind), fold(value)))
}

// Selling leads and customers to buying partners.

/// Per-company sequence of sale IDs.
pub fn sale_sequence(co: &CompanyId) -> Key {
    counter(co, "SALE_ID")
}

/// A company's sales to partners in one partition, by partner then sale, so a partner's list is one query.
pub fn sales_pk(co: &CompanyId) -> String {
    format!("C#{co}#SALES")
}

/// The sort-key prefix of one partner's sales.
pub fn sales_of_partner_prefix(partner: PartnerId) -> String {
    format!("S#{:08}#", partner.0)
}

/// One record's delivery of a sale.
pub fn sale_delivery(co: &CompanyId, partner: PartnerId, sale: u32, record: RecordId) -> Key {
    Key::new(sales_pk(co), format!("{}{sale:010}#{}", sales_of_partner_prefix(partner), id_sk(record)))
}

// Orders and accounting (owned by `vigil_app::orders` and `vigil_app::accounting`).

/// A catalog entry; `kind` is its kind's name (`equipment`, `wire_type`, …). IDs come from one company sequence.
pub fn catalog_entry(co: &CompanyId, kind: &str, id: u32) -> Key {
    Key::new(company_pk(co), format!("{CATALOG_PREFIX}{kind}#{id:08}"))
}

pub const CATALOG_PREFIX: &str = "CATALOG#";

/// The uniqueness item of a catalog entry's name within its kind (case-folded).
pub fn catalog_name(co: &CompanyId, kind: &str, name: &str) -> Key {
    Key::new(company_pk(co), format!("CATALOGNAME#{kind}#{}", fold(name)))
}

pub fn catalog_sequence(co: &CompanyId) -> Key {
    counter(co, "CATALOG_ID")
}

/// An accounting or work-order sub-item of a customer (`INV`, `PAY`, `BM`, `WO`), numbered by the record's
/// sub-record sequence.
pub fn customer_doc(co: &CompanyId, id: RecordId, prefix: &str, seq: u64) -> Key {
    Key::new(record_pk(co, id), format!("{prefix}#{seq:08}"))
}

/// On a parent, the copy of a sub-customer's invoice that bills through it: the parent's Transactions read its own
/// partition only, and the copy stays when the sub-customer is unlinked.
pub fn billed_through(co: &CompanyId, parent: RecordId, child: RecordId, invoice: u64) -> Key {
    Key::new(record_pk(co, parent), format!("{BILLED_PREFIX}{:014}#{invoice:08}", child.0))
}

pub const BILLED_PREFIX: &str = "BILLED#";
/// A customer's credit check (under the customer's partition, so it goes with the customer).
pub fn credit_check(co: &CompanyId, customer: RecordId, id: u64) -> Key {
    Key::new(record_pk(co, customer), format!("{CREDIT_CHECK_PREFIX}{id:014}"))
}

pub const CREDIT_CHECK_PREFIX: &str = "CREDIT#";

/// Which customer a credit check belongs to (the apply route names the check only).
pub fn credit_check_lookup(co: &CompanyId, id: u64) -> Key {
    Key::new(company_pk(co), format!("CREDITCHECK#{id:014}"))
}

pub fn credit_check_sequence(co: &CompanyId) -> Key {
    counter(co, "credit_checks")
}

/// One Run Credit click: written with the check it made, so a repeat of the click finds that check.
pub fn credit_run_click(co: &CompanyId, click_hash: &str) -> Key {
    Key::new(company_pk(co), format!("CREDITRUN#{click_hash}"))
}

pub fn monitoring_company(co: &CompanyId, id: u32) -> Key {
    Key::new(company_pk(co), format!("{MONITORING_COMPANY_PREFIX}{id:08}"))
}

pub const MONITORING_COMPANY_PREFIX: &str = "MONCO#";

pub fn monitoring_company_sequence(co: &CompanyId) -> Key {
    counter(co, "monitoring_companies")
}

/// A customer's ADT PreCheck (the latest run; under the customer, so it goes with the customer).
pub fn precheck(co: &CompanyId, customer: RecordId) -> Key {
    Key::new(record_pk(co, customer), "PRECHECK")
}

// Creation workflows (owned by `vigil_app::creation_workflows`).

pub fn creation_workflow(co: &CompanyId, id: u32) -> Key {
    Key::new(company_pk(co), format!("{CREATION_WORKFLOW_PREFIX}{id:08}"))
}

pub const CREATION_WORKFLOW_PREFIX: &str = "CREATEWF#";

pub fn creation_workflow_sequence(co: &CompanyId) -> Key {
    counter(co, "creation_workflows")
}

/// A customer's creation wizard progress: under the record, written in the record's versioned transaction.
pub fn record_wizard(co: &CompanyId, id: RecordId) -> Key {
    Key::new(record_pk(co, id), "WIZARD")
}

// Public lead intake (owned by `vigil_app::intake`).

/// An intake key: what the key's secret hashes to, its partner, allowed origins and limits.
pub fn intake_key(co: &CompanyId, id: u32) -> Key {
    Key::new(company_pk(co), format!("{INTAKE_KEY_PREFIX}{id:08}"))
}

pub const INTAKE_KEY_PREFIX: &str = "INTAKEKEY#";

/// Per-company sequence of intake key IDs.
pub fn intake_key_sequence(co: &CompanyId) -> Key {
    counter(co, "INTAKE_KEY_ID")
}

/// One allowed origin of one key. A browser's preflight carries neither the key nor the company, only its `Origin`,
/// so this lookup is keyed by the origin: one query says whether any live key allows it.
pub fn intake_origin(origin: &str, co: &CompanyId, id: u32) -> Key {
    Key::new(intake_origin_pk(origin), format!("C#{co}#{id:08}"))
}

pub fn intake_origin_pk(origin: &str) -> String {
    format!("INTAKEORIGIN#{}", origin.to_ascii_lowercase())
}

/// A receipt of a posted lead, in its own partition (receipts arrive at the rate of the company's posts).
pub fn intake_receipt(co: &CompanyId, receipt: &str) -> Key {
    Key::new(format!("C#{co}#RCPT#{receipt}"), "RECEIPT")
}

/// The receipt an `Idempotency-Key` of one intake key gave.
pub fn intake_idempotency(co: &CompanyId, key_id: u32, idempotency_key: &str) -> Key {
    Key::new(format!("C#{co}#INTAKEIDEM#{key_id:08}#{idempotency_key}"), "IDEM")
}

/// The lead queue: one item per waiting lead, sorted by priority rank (0 high, 1 medium, 2 normal), then arrival, so
/// the best requestable lead is the first item of a rank's range.
pub fn lead_queue_pk(co: &CompanyId) -> String {
    format!("C#{co}#LEADQUEUE")
}

/// How many leads wait in the queue (the nav's count), kept in the same transactions as the queue items.
pub fn lead_queue_count(co: &CompanyId) -> Key {
    counter(co, "LEADQUEUE")
}

pub fn lead_queue_sk(rank: u8, arrived_at: &str, id: RecordId) -> String {
    format!("P{rank}#{arrived_at}#{:014}", id.0)
}

/// A token bucket of the intake rate limits (`bucket` names the key, or the key and a client IP).
pub fn intake_rate_bucket(co: &CompanyId, bucket: &str) -> Key {
    Key::new(format!("C#{co}#RATE#{bucket}"), "BUCKET")
}

// Lead imports (CSV).

/// Per-company sequence of import IDs.
pub fn import_sequence(co: &CompanyId) -> Key {
    counter(co, "IMPORT_ID")
}

pub const IMPORT_PREFIX: &str = "IMPORT#";

/// An import's own item, in the company partition so the company's imports list is one query.
pub fn import(co: &CompanyId, id: u64) -> Key {
    Key::new(company_pk(co), format!("{IMPORT_PREFIX}{id:010}"))
}

/// The partition of an import's progress, row reports and undo records.
pub fn import_pk(co: &CompanyId, id: u64) -> String {
    format!("C#{co}#IMPORT#{id:010}")
}

/// One chunk's progress (the IDs it reserved, the rows it creates, whether its counters were applied).
pub fn import_chunk(co: &CompanyId, id: u64, chunk: u32) -> Key {
    Key::new(import_pk(co, id), format!("CHUNK#{chunk:08}"))
}

/// A row report (`prefix` `ERR#` for the dry run's errors, `RUNERR#` for the run's, `DUP#` for duplicates).
pub fn import_row(co: &CompanyId, id: u64, prefix: &str, row: u64, n: u32) -> Key {
    Key::new(import_pk(co, id), format!("{prefix}{row:010}#{n:03}"))
}

/// What an import changed on an existing lead, to restore on revert (per chunk, so revert reads it chunk by chunk).
pub fn import_undo(co: &CompanyId, id: u64, chunk: u32, row: u64) -> Key {
    Key::new(import_pk(co, id), format!("{}{row:010}", import_undo_prefix(chunk)))
}

pub fn import_undo_prefix(chunk: u32) -> String {
    format!("UNDO#{chunk:08}#")
}

/// The object (uploaded file) of an import.
pub fn import_object(co: &CompanyId, id: u64) -> String {
    format!("imports-{co}-{id:010}.csv")
}

/// An upload token, by the hash of its secret (the secret itself is never stored). Not under a company: the upload
/// route has no session, the token is all it has.
pub fn upload_token(token_hash: &str) -> Key {
    Key::new(format!("UPLOAD#{token_hash}"), "TOKEN")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_keys_start_with_the_company() {
        let co = CompanyId::parse("acme").unwrap();
        for k in [company(&co), location(&co, LocationId(1)), counter(&co, "record"), record(&co, RecordId(42))] {
            assert!(k.pk.starts_with("C#acme"), "{k:?}");
        }
        // A company whose name extends another's cannot reach into its partitions.
        let a = record_pk(&CompanyId::parse("acme").unwrap(), RecordId(1));
        let b = record_pk(&CompanyId::parse("acme-2").unwrap(), RecordId(1));
        assert_ne!(a, b);
        assert!(!b.starts_with(&format!("{}#", company_pk(&co))) || !b.starts_with(&a));
    }

    #[test]
    fn padded_numbers_sort_numerically() {
        let co = CompanyId::parse("acme").unwrap();
        assert!(record(&co, RecordId(9)).pk < record(&co, RecordId(10)).pk);
        assert!(
            records_by_id_gsi2(&co, Kind::Lead, RecordId(99)).1 < records_by_id_gsi2(&co, Kind::Lead, RecordId(100)).1
        );
    }
}
