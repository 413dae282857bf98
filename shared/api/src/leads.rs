//! Leads: the list and its rows, the lead read, preview, history, stage moves, tags and the New Lead options.

use crate::directory::Partner;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_domain::custom_field::CardField;
use vigil_domain::lead::Country;
use vigil_domain::record::{Kind, Record, Stage};
use vigil_domain::{AccountClassId, CampaignId, DispositionId, LocationId, PartnerId, RecordId, TagId, UserId};
use vigil_json::{FromJson, ToJson};

/// An ID with its name.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema), schemars(rename = "Named{T}"))]
pub struct Named<T> {
    pub id: T,
    pub name: String,
}

/// An ID with its name when the server knows it (a list row's source or campaign).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NamedOpt {
    pub id: u32,
    pub name: Option<String>,
}

/// A row of the Leads list and of the Customer List.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LeadRow {
    pub id: RecordId,
    pub kind: Kind,
    pub created_at: String,
    pub first_name: String,
    pub last_name: String,
    pub city: String,
    pub state: String,
    pub address1: Option<String>,
    pub primary_phone: String,
    pub email: Option<String>,
    pub stage: Stage,
    /// The lead's status (disposition), e.g. Hot.
    pub disposition: Option<String>,
    pub source: Option<NamedOpt>,
    pub campaign: Option<NamedOpt>,
    /// Callback: the next follow-up date.
    pub next_followup: Option<String>,
    pub tags: Vec<String>,
    pub rating: u8,
    pub lead_rep_id: Option<UserId>,
    /// Customers only: archived records show in the list unless filtered out.
    pub archived: bool,
}

/// How the server answered a list query: how many items it read, which access path it used, and the total from
/// its counters (exact, or an estimate when no counter covers the filter).
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LeadListMeta {
    pub items_read: u32,
    /// Of `items_read`, those read past the page to measure a long name or email search's total (so an estimate is
    /// within ±10%, or the total exact).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub items_read_for_total: u32,
    pub access_path: String,
    pub total: u64,
    pub total_exact: bool,
    /// Search mode: the company shows no rows until a search is submitted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub search_required: bool,
    /// The order the rows are in: the `sort` asked for (`id`, `created`, `name`, `address`, `email`), or, when a
    /// short name or email search could not fill a page in that order, `name` (last, first), `first_name` or `id`
    /// (newest first); `order_note` then says why.
    #[serde(default)]
    pub order_served: String,
    /// Set only when `order_served` is not the order asked for: a sentence for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_note: Option<String>,
}

/// One page of the Leads list or the Customer List and the opaque cursor of the next one.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LeadListPage {
    pub items: Vec<LeadRow>,
    pub next_cursor: Option<String>,
    pub meta: LeadListMeta,
    /// `view=by_source` only: the leads grouped by source (no rows); each group opens as `source=<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<SourceGroup>>,
}

/// A group of the By Source view: a source (`null`: leads without one) and how many leads it has, from the
/// maintained counters (`meta.total_exact` says whether the counts are the caller's own).
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SourceGroup {
    pub source: Option<NamedOpt>,
    pub count: u64,
}

/// A lead as the API returns it: the record's fields without the SSN ciphertext and blind index, plus `ssn` —
/// `null` when none is stored, the full number for users holding the SSN grant, `***` for everyone else.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LeadView {
    #[serde(flatten)]
    pub record: Record,
    pub ssn: Option<String>,
    /// `GET` only: the Custom Fields card rows (definitions with this record's values, as `cards.custom_fields` of
    /// the Home read); `null` when the company has no active field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields_card: Option<Option<Vec<CardField>>>,
}

/// One history entry of a record.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct HistoryEntry {
    pub at: String,
    pub by: String,
    pub field: String,
    pub before: Value,
    pub after: Value,
}

/// A lead found by the duplicate check, as the 409 lists it.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DuplicateMatch {
    pub id: RecordId,
    pub first_name: String,
    pub last_name: String,
    pub primary_phone: String,
    pub address1: Option<String>,
    pub city: String,
    pub state: String,
    #[serde(default)]
    pub office_location_id: Option<LocationId>,
    #[serde(default)]
    pub lead_rep_id: Option<UserId>,
}

/// The list's side panel: what the manual's preview shows, each section only when the user may see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Preview {
    pub id: RecordId,
    pub first_name: String,
    pub last_name: String,
    /// RFC 3339: when the lead was entered.
    pub entered_at: String,
    pub city: String,
    pub state: String,
    pub stage: Stage,
    pub tags: Vec<Named<TagId>>,
    /// Things to know before calling: do-not-call, email opt-out, hot.
    pub warnings: Vec<String>,
    /// `None` without the Contact Information section.
    pub primary_phone: Option<String>,
    pub email: Option<String>,
    /// The lead status (disposition).
    pub lead_status: Option<String>,
    pub lead_rep: Option<Named<String>>,
    pub source: Option<Named<PartnerId>>,
    pub campaign: Option<Named<CampaignId>>,
    /// The callback: next follow-up date, `YYYY-MM-DD`.
    pub callback_date: Option<String>,
    pub rating: u8,
    pub score: u8,
    pub latest_interaction: Option<HistoryEntry>,
}

/// `POST /api/v1/leads/{id}/stage`.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StageMove {
    /// The next stage: one of the current stage's next steps (new → contacted → qualified | unqualified;
    /// unqualified → new). Converted is reached only by converting the lead.
    #[cfg_attr(feature = "openapi", schemars(extend("enum" = ["new", "contacted", "qualified", "unqualified"])))]
    pub to: String,
    /// The lead's version the move is based on (required); a stale one answers 409.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(with = "u64", extend("x-required" = true)))]
    pub version: Option<u64>,
}

/// `PUT /api/v1/leads/{id}/tags` and `PUT /api/v1/customers/{id}/tags`.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct SetTags {
    /// The company tags the record should carry (at most 50), replacing the ones it has.
    #[cfg_attr(feature = "openapi", schemars(with = "Vec<TagId>", length(max = 50), extend("example" = [1, 3])))]
    pub tag_ids: Vec<Value>,
    /// The record's version the change is based on (required); a stale one answers 409.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(with = "u64", extend("x-required" = true)))]
    pub version: Option<u64>,
}

/// A company tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Tag {
    pub id: TagId,
    pub name: String,
}

/// `POST /api/v1/tags`.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NewTag {
    /// 1–50 characters, unique ignoring case.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schemars(length(min = 1, max = 50), regex(pattern = r"\S"), extend("example" = "Referral", "x-required" = true)))]
    pub name: String,
}

/// A company lead status (the manual's "Status"): Hot, Warm, Cold, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Disposition {
    pub id: DispositionId,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct AccountClass {
    pub id: AccountClassId,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct StateOption {
    pub code: String,
    pub name: String,
    pub country: Country,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// `GET /api/v1/leads/form-options`: the selects of New Lead and the lead page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct LeadFormOptions {
    /// Partner companies with their campaigns.
    pub sources: Vec<Partner>,
    /// Active lead statuses.
    pub dispositions: Vec<Disposition>,
    pub states: Vec<StateOption>,
    pub account_types: Vec<Choice>,
    /// Active account classes.
    pub account_classes: Vec<AccountClass>,
    pub languages: Vec<Choice>,
    pub industries: Vec<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
