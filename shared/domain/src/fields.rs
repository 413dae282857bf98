//! The field registry: every profile field of a lead or customer, once. Its card, section grant, confidential grant,
//! label, Home-page input and parse rule all live on one row, so the server's cards, the `PATCH` parsers, the
//! masking (reads and history) and the portal's card renderer cannot drift apart.
//!
//! Rows are in the order the Home page draws them; the server's cards are JSON objects, so their key order does
//! not depend on it.
//!
//! What a caller sees of a record is decided here and nowhere else: [`seen`] for one field, [`mask_record`] for a
//! whole record, and every read path (lead and customer reads, preview, list rows, history, the write responses)
//! goes through them.

use crate::lead::FieldChange;
use crate::record::{Kind, Record};
use crate::{ConfidentialField, Permissions, RecordId, Section, SectionAccess, UserId};
use serde_json::{Map, Value};

/// A card of the customer record's Home page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Card {
    Personal,
    Sale,
    Installation,
    Lead,
    /// A customer's lead information: what the lead it was converted from (or the office) recorded.
    LeadInfo,
}

impl Card {
    pub const ALL: [Card; 5] = [Card::Personal, Card::Sale, Card::Installation, Card::Lead, Card::LeadInfo];

    /// The card's key under `cards` in the Home read.
    pub const fn key(self) -> &'static str {
        match self {
            Card::Personal => "personal",
            Card::Sale => "sale",
            Card::Installation => "installation",
            Card::Lead => "lead",
            Card::LeadInfo => "lead_info",
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            Card::Personal => "Personal information",
            Card::Sale => "Sale information",
            Card::Installation => "Installation & equipment",
            Card::Lead => "Lead",
            Card::LeadInfo => "Lead information",
        }
    }

    /// The section grant that guards the card's editable fields; the lead card has none (Leads Modify covers it).
    /// A customer's lead information is sales tracking, so Sale Information guards it.
    pub const fn section(self) -> Option<Section> {
        match self {
            Card::Personal => Some(Section::ContactInformation),
            Card::Sale | Card::LeadInfo => Some(Section::SaleInformation),
            Card::Installation => Some(Section::InstallationEquipment),
            Card::Lead => None,
        }
    }
}

/// Where a select's choices come from (`GET /api/v1/customers/form-options`, or the lead options for the last two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    Locations,
    SoldBy,
    LeadReps,
    Technicians,
    AccountTypes,
    AccountClasses,
    MonitoringCompanies,
    ContractTerms,
    ActivationFees,
    MmrRates,
    MonitoringPlans,
    InteractiveProviders,
    AdtSystemTypes,
    WarrantyTerms,
    CancelReasons,
    States,
    Languages,
    Dispositions,
    Industries,
    DiscountAffiliates,
    AdcReceiverPhones,
    /// Partners that sell customers, and their campaigns.
    Sources,
    Campaigns,
    /// [`crate::customer::LEAD_STATUSES`].
    LeadStatuses,
}

/// How a card draws the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    /// Free text over several lines.
    TextArea,
    Date,
    /// A whole number.
    Number,
    Check,
    Select(Choices),
    /// Shown, never sent (computed, or set elsewhere).
    Fixed,
    /// Not a plain input of its card: drawn by a widget of its own (the parent picker, the MMR picker) or, for
    /// the source and campaign a customer keeps from its lead, not drawn on the Home page at all.
    Elsewhere,
}

/// Where the value is kept, which decides who still sees it when its card is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// On every record, lead or customer: a read of the record carries it whatever the section grants.
    Record,
    /// In the customer part of the record: left out of the read with its card.
    Customer,
    /// Not stored: the Home read computes it for the card.
    Computed,
}

/// Reaches a field of the record for `apply_field`.
pub type Slot<T> = fn(&mut Record) -> &mut T;

/// How a field sent in a `PATCH` is parsed.
#[derive(Clone, Copy)]
pub enum Parse {
    /// By the lead editor (`crate::lead::edit_lead`); the customer `PATCH` hands these over when they carry a
    /// section grant.
    Lead,
    /// The office location: the app parses and checks it against the company's locations.
    Location,
    /// Stored but set by another flow (conversion, funding, stage moves).
    ReadOnly,
    /// Not stored.
    Computed,
    /// Trimmed text of at most this many characters; blank clears.
    Text(usize, Slot<Option<String>>),
    /// A `YYYY-MM-DD` calendar date.
    Date(Slot<Option<String>>),
    /// A phone number, kept as its digits.
    Phone(Slot<Option<String>>),
    /// A whole number up to this maximum.
    Whole(u64, Slot<Option<u32>>),
    /// A positive ID of one of the company's lists.
    Id(Slot<Option<u32>>),
    User(Slot<Option<UserId>>),
    Flag(Slot<bool>),
    /// Codes of [`crate::customer::SERVICES`], deduplicated and sorted.
    Services(Slot<Vec<String>>),
    /// One code of the list, or blank.
    OneOf(&'static [(&'static str, &'static str)], Slot<Option<String>>),
    /// The parent customer's ID.
    Parent(Slot<Option<RecordId>>),
}

impl std::fmt::Debug for Parse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Parse::Lead => "Lead",
            Parse::Location => "Location",
            Parse::ReadOnly => "ReadOnly",
            Parse::Computed => "Computed",
            Parse::Text(..) => "Text",
            Parse::Date(_) => "Date",
            Parse::Phone(_) => "Phone",
            Parse::Whole(..) => "Whole",
            Parse::Id(_) => "Id",
            Parse::User(_) => "User",
            Parse::Flag(_) => "Flag",
            Parse::Services(_) => "Services",
            Parse::OneOf(..) => "OneOf",
            Parse::Parent(_) => "Parent",
        };
        f.write_str(name)
    }
}

/// One field of a lead or customer.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// The JSON key, in the record, the cards and `PATCH` bodies.
    pub name: &'static str,
    pub label: &'static str,
    /// The Home read's cards that carry it; the first is its home (and gives its section). Empty for lead fields
    /// only the lead page shows.
    pub cards: &'static [Card],
    /// The section grant needed to change it; `None` for fields no section guards (read-only, computed, lead-only).
    pub section: Option<Section>,
    /// The grant needed to see it (and to change it once set).
    pub confidential: Option<ConfidentialField>,
    pub input: Input,
    pub parse: Parse,
    pub store: Store,
    /// Shown on customers only (a lead's Home card leaves it out).
    pub customers_only: bool,
    /// Names or places the record (name, city, state, office): lists and headers show it to whoever may open the
    /// record, so a hidden Contact Information section leaves it in.
    pub identifies: bool,
}

impl FieldSpec {
    const fn new(name: &'static str, label: &'static str, cards: &'static [Card], input: Input, parse: Parse) -> Self {
        let editable = !matches!(parse, Parse::ReadOnly | Parse::Computed);
        let section = match cards {
            [home, ..] if editable => home.section(),
            _ => None,
        };
        let store = match parse {
            Parse::Lead | Parse::Location => Store::Record,
            Parse::Computed => Store::Computed,
            _ => Store::Customer,
        };
        FieldSpec {
            name,
            label,
            cards,
            section,
            confidential: None,
            input,
            parse,
            store,
            customers_only: false,
            identifies: false,
        }
    }

    const fn identifies(mut self) -> Self {
        self.identifies = true;
        self
    }

    const fn confidential(mut self, c: ConfidentialField) -> Self {
        self.confidential = Some(c);
        self
    }

    /// Kept on the record itself rather than in its customer part.
    const fn on_record(mut self) -> Self {
        self.store = Store::Record;
        self
    }

    const fn customers_only(mut self) -> Self {
        self.customers_only = true;
        self
    }

    pub fn on(&self, card: Card) -> bool {
        self.cards.contains(&card)
    }
}

const P: &[Card] = &[Card::Personal];
const S: &[Card] = &[Card::Sale];
const SL: &[Card] = &[Card::Sale, Card::Lead];
const SLI: &[Card] = &[Card::Sale, Card::Lead, Card::LeadInfo];
const SI: &[Card] = &[Card::Sale, Card::LeadInfo];
const I: &[Card] = &[Card::Installation];
const L: &[Card] = &[Card::Lead];
const LI: &[Card] = &[Card::LeadInfo];
const LLI: &[Card] = &[Card::Lead, Card::LeadInfo];
const NONE: &[Card] = &[];
const T: usize = 200;

const fn f(name: &'static str, label: &'static str, cards: &'static [Card], input: Input, parse: Parse) -> FieldSpec {
    FieldSpec::new(name, label, cards, input, parse)
}

use Choices as C;
use Input::{Check, Date, Elsewhere, Fixed, Number, Select, Text, TextArea};

/// Every field, in the order the Home page draws them.
pub static FIELDS: &[FieldSpec] = &[
    // Personal information.
    f("office_location_id", "Office location", P, Select(C::Locations), Parse::Location).customers_only().identifies(),
    f("first_name", "First name", P, Text, Parse::Lead).identifies(),
    f("last_name", "Last name", P, Text, Parse::Lead).identifies(),
    f("business_name", "Business name", P, Text, Parse::Lead).identifies(),
    f("business_contact", "Business contact", P, Text, Parse::Text(T, |r| &mut r.lead.customer.business_contact)),
    f("birthdate", "Birthdate", P, Date, Parse::Date(|r| &mut r.lead.customer.birthdate))
        .confidential(ConfidentialField::Birthdate),
    f("ssn", "SSN", P, Text, Parse::Lead).confidential(ConfidentialField::Ssn),
    f("spouse", "Spouse", P, Text, Parse::Text(T, |r| &mut r.lead.customer.spouse)),
    f("language", "Language", P, Select(C::Languages), Parse::Lead),
    f("account_type", "Account type", P, Select(C::AccountTypes), Parse::Lead),
    f("account_class_id", "Account class", P, Select(C::AccountClasses), Parse::Lead),
    f("address1", "Address line 1", P, Text, Parse::Lead),
    f("address2", "Address line 2", P, Text, Parse::Lead),
    f("city", "City", P, Text, Parse::Lead).identifies(),
    f("state", "State", P, Select(C::States), Parse::Lead).identifies(),
    f("zip", "Zip", P, Text, Parse::Lead),
    f("county", "County", P, Text, Parse::Lead),
    f("cross_street", "Cross street", P, Text, Parse::Lead),
    f("primary_phone", "Primary phone", P, Text, Parse::Lead),
    f("work_phone", "Work phone", P, Text, Parse::Phone(|r| &mut r.lead.customer.work_phone)),
    f("cell_phone", "Cell phone", P, Text, Parse::Phone(|r| &mut r.lead.customer.cell_phone)),
    f("other_phone", "Other phone", P, Text, Parse::Phone(|r| &mut r.lead.customer.other_phone)),
    f("email", "Email", P, Text, Parse::Lead),
    f(
        "best_time_to_contact",
        "Best time to contact",
        P,
        Text,
        Parse::Text(T, |r| &mut r.lead.customer.best_time_to_contact),
    ),
    f("credit_score", "Credit score", P, Number, Parse::Whole(900, |r| &mut r.lead.customer.credit_score)),
    f("credit_grade", "Credit grade", P, Fixed, Parse::Computed),
    f(
        "credit_tracking_number",
        "Credit tracking number",
        P,
        Text,
        Parse::Text(64, |r| &mut r.lead.customer.credit_tracking_number),
    ),
    // Sale information.
    f("sale_date", "Sale date", S, Date, Parse::Date(|r| &mut r.lead.customer.sale_date)),
    f("sold_by_id", "Sold by", S, Select(C::SoldBy), Parse::User(|r| &mut r.lead.customer.sold_by_id)),
    f("trainee_id", "Trainee", S, Select(C::SoldBy), Parse::User(|r| &mut r.lead.customer.trainee_id)),
    f("lead_rep_id", "Lead rep", SLI, Select(C::LeadReps), Parse::User(|r| &mut r.lead_rep_id)).on_record(),
    f("call_center_rep_id", "Call center rep", SI, Elsewhere, Parse::ReadOnly),
    f("call_center_rep", "Call center rep", SI, Fixed, Parse::Computed),
    f("account_number", "Account number", S, Text, Parse::Text(32, |r| &mut r.account_number)).on_record(),
    f("adt_number", "ADT number", S, Text, Parse::Text(64, |r| &mut r.lead.customer.adt_number)),
    f("adt_serial", "ADT serial", S, Text, Parse::Text(64, |r| &mut r.lead.customer.adt_serial)),
    f(
        "monitoring_company_id",
        "Monitoring company",
        S,
        Select(C::MonitoringCompanies),
        Parse::Id(|r| &mut r.lead.customer.monitoring_company_id),
    ),
    f("central_station_account", "Central station account", S, Fixed, Parse::ReadOnly),
    f(
        "monitoring_plan",
        "Monitoring plan",
        S,
        Select(C::MonitoringPlans),
        Parse::Text(T, |r| &mut r.lead.customer.monitoring_plan),
    ),
    f("mmr_id", "Monthly rate (MMR)", S, Select(C::MmrRates), Parse::Id(|r| &mut r.lead.customer.mmr_id)),
    f("mmr_a_la_carte", "A la carte", S, Check, Parse::Flag(|r| &mut r.lead.customer.mmr_a_la_carte)),
    f(
        "interactive_services_provider",
        "Interactive services",
        S,
        Select(C::InteractiveProviders),
        Parse::Text(T, |r| &mut r.lead.customer.interactive_services_provider),
    ),
    f(
        "adt_system_type",
        "ADT system type",
        S,
        Select(C::AdtSystemTypes),
        Parse::Text(T, |r| &mut r.lead.customer.adt_system_type),
    ),
    f(
        "contract_term_months",
        "Contract term",
        S,
        Select(C::ContractTerms),
        Parse::Whole(240, |r| &mut r.lead.customer.contract_term_months),
    ),
    f("contract_months_remaining", "Months remaining", S, Fixed, Parse::Computed),
    f(
        "activation_fee_id",
        "Activation fee",
        S,
        Select(C::ActivationFees),
        Parse::Id(|r| &mut r.lead.customer.activation_fee_id),
    ),
    f("warranty_term", "Warranty", S, Select(C::WarrantyTerms), Parse::Text(T, |r| &mut r.lead.customer.warranty_term)),
    f("dealer_number", "Dealer number", S, Text, Parse::Text(64, |r| &mut r.lead.customer.dealer_number)),
    f(
        "discount_affiliate",
        "Discount affiliate",
        S,
        Select(C::DiscountAffiliates),
        Parse::Text(T, |r| &mut r.lead.customer.discount_affiliate),
    ),
    f(
        "discount_affiliate_member_number",
        "Affiliate member number",
        S,
        Text,
        Parse::Text(64, |r| &mut r.lead.customer.discount_affiliate_member_number),
    ),
    f("canceled", "Canceled", S, Check, Parse::Flag(|r| &mut r.lead.customer.canceled)),
    f("cancel_date", "Cancel date", S, Date, Parse::Date(|r| &mut r.lead.customer.cancel_date)),
    f(
        "cancel_reason",
        "Cancel reason",
        S,
        Select(C::CancelReasons),
        Parse::Text(T, |r| &mut r.lead.customer.cancel_reason),
    ),
    f("collections_date", "Collections date", S, Date, Parse::Date(|r| &mut r.lead.customer.collections_date)),
    f("funding_status", "Funding status", S, Fixed, Parse::ReadOnly),
    f("funded_date", "Funded date", S, Fixed, Parse::ReadOnly),
    f("mmr", "Monthly rate", S, Elsewhere, Parse::Computed),
    f("parent_id", "Parent customer", S, Elsewhere, Parse::Parent(|r| &mut r.lead.customer.parent_id)),
    f("source_id", "Source", SL, Select(C::Sources), Parse::Lead),
    f("campaign_id", "Source campaign", SL, Select(C::Campaigns), Parse::Lead),
    // Installation & equipment.
    f(
        "install_appointment_id",
        "Installation appointment",
        I,
        Elsewhere,
        Parse::Id(|r| &mut r.lead.customer.install_appointment_id),
    ),
    f("install_date", "Install date", I, Date, Parse::Date(|r| &mut r.lead.customer.install_date)),
    f(
        "install_tech_id",
        "Install technician",
        I,
        Select(C::Technicians),
        Parse::User(|r| &mut r.lead.customer.install_tech_id),
    ),
    f("installed", "Installed", I, Check, Parse::Flag(|r| &mut r.lead.customer.installed)),
    f(
        "confirmation_number",
        "Confirmation number",
        I,
        Text,
        Parse::Text(64, |r| &mut r.lead.customer.confirmation_number),
    )
    .confidential(ConfidentialField::ConfirmationNumber),
    f(
        "adc_receiver_phone",
        "ADC receiver phone",
        I,
        Select(C::AdcReceiverPhones),
        Parse::Text(32, |r| &mut r.lead.customer.adc_receiver_phone),
    ),
    f("receiver_number", "Receiver number", I, Text, Parse::Text(64, |r| &mut r.lead.customer.receiver_number))
        .confidential(ConfidentialField::ReceiverNumber),
    f("abort_code", "Abort code", I, Text, Parse::Text(64, |r| &mut r.lead.customer.abort_code))
        .confidential(ConfidentialField::AbortCode),
    f("services", "Services", I, Fixed, Parse::Services(|r| &mut r.lead.customer.services)),
    f(
        "install_tech_reports_to_id",
        "Install tech reports to",
        I,
        Select(C::SoldBy),
        Parse::User(|r| &mut r.lead.customer.install_tech_reports_to_id),
    ),
    // The lead card (lead rep, source and campaign are above, on the sale card too), and a customer's lead
    // information (entered date, call center rep and lead rep are above too).
    f("created_at", "Entered date", LLI, Fixed, Parse::ReadOnly).on_record(),
    f("callback_date", "Callback date", LI, Date, Parse::Date(|r| &mut r.lead.customer.callback_date)),
    f(
        "lead_disposition_id",
        "Lead disposition",
        LI,
        Select(C::Dispositions),
        Parse::Id(|r| &mut r.lead.customer.lead_disposition_id),
    ),
    f(
        "lead_status",
        "Lead status",
        LI,
        Select(C::LeadStatuses),
        Parse::OneOf(crate::customer::LEAD_STATUSES, |r| &mut r.lead.customer.lead_status),
    ),
    f(
        "callcenter_comments",
        "Callcenter comments",
        LI,
        TextArea,
        Parse::Text(2000, |r| &mut r.lead.customer.callcenter_comments),
    ),
    f("lead_comments", "Lead comments", LI, TextArea, Parse::Text(2000, |r| &mut r.lead.customer.lead_comments)),
    f("lead_contacts", "Lead contacts", LI, Elsewhere, Parse::Computed),
    f("stage", "Stage", L, Fixed, Parse::ReadOnly).on_record(),
    f("next_followup", "Next follow-up", L, Date, Parse::Lead),
    f("disposition_id", "Lead status", L, Select(C::Dispositions), Parse::Lead),
    f("disposition", "Lead status name", L, Fixed, Parse::ReadOnly).on_record(),
    f("rating", "Rating", L, Number, Parse::Lead),
    // Lead fields only the lead page shows.
    f("job_title", "Job title", NONE, Text, Parse::Lead),
    f("industry", "Industry", NONE, Select(C::Industries), Parse::Lead),
    f("annual_revenue", "Annual revenue (USD)", NONE, Number, Parse::Lead),
    f("employees", "Employees", NONE, Number, Parse::Lead),
    f("website", "Website", NONE, Text, Parse::Lead),
    f("budget", "Budget (USD)", NONE, Number, Parse::Lead),
    f("timeline", "Timeline", NONE, Text, Parse::Lead),
    f("web_visits", "Web visits", NONE, Number, Parse::Lead),
    f("webinars_attended", "Webinars attended", NONE, Number, Parse::Lead),
    f("email_opt_out", "Opted out of email", NONE, Check, Parse::Lead),
    f("do_not_call", "Do not call", NONE, Check, Parse::Lead),
];

/// The field named `name`.
pub fn spec(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|s| s.name == name)
}

/// The fields `card` carries, in drawing order.
pub fn card_fields(card: Card) -> impl Iterator<Item = &'static FieldSpec> {
    FIELDS.iter().filter(move |s| s.on(card))
}

/// The fields the lead editor parses, for leads (`PATCH /api/v1/leads/{id}`).
pub fn lead_editable() -> impl Iterator<Item = &'static FieldSpec> {
    FIELDS.iter().filter(|s| matches!(s.parse, Parse::Lead))
}

/// Whether the customer `PATCH` hands `name` to the lead editor: a lead field a section grant guards.
pub fn parsed_by_lead_editor(name: &str) -> bool {
    spec(name).is_some_and(|s| matches!(s.parse, Parse::Lead) && s.section.is_some())
}

/// What a caller sees of one field of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Shown,
    /// A set value reads as `***`.
    Masked,
    /// Left out of the read.
    Hidden,
}

/// What a user holding `perms` sees of field `name` of a record of `kind`: the one rule every read path applies.
///
/// - A section the user may not view hides its card's fields, except those every record carries (`Store::Record`:
///   lists, the lead card and the header show them too) and, for Contact Information, those that name the record.
/// - A lead has no sale or installation: those customer fields are left out of its reads whatever the grants.
/// - A confidential field without its grant is masked.
///
/// Names the registry does not know (IDs, version, tags, score, custom field values, history's own entries) are
/// shown: they belong to whoever may open the record.
pub fn seen(name: &str, kind: Kind, perms: &Permissions) -> Seen {
    let Some(s) = spec(name) else { return Seen::Shown };
    let home = s.cards.first().copied();
    let hidden = match home.and_then(Card::section) {
        None => false,
        Some(Section::ContactInformation) => {
            perms.section(Section::ContactInformation) < SectionAccess::View && !s.identifies
        }
        Some(section) => {
            s.store != Store::Record && (kind == Kind::Lead || perms.section(section) < SectionAccess::View)
        }
    };
    if hidden {
        Seen::Hidden
    } else if s.confidential.is_some_and(|c| !perms.sees_confidential(c)) {
        Seen::Masked
    } else {
        Seen::Shown
    }
}

/// `v` as it reads when the field is seen as `how`: a masked value that is set becomes `***`.
pub fn apply_seen(how: Seen, v: Value) -> Value {
    match how {
        Seen::Masked if !v.is_null() => Value::String("***".into()),
        _ => v,
    }
}

/// A record's fields (its JSON object, with `ssn` already decrypted or marked) as a user holding `perms` may read
/// them: hidden fields removed, confidential ones masked, and the SSN ciphertext and blind index dropped (they never
/// leave the server).
pub fn mask_record(flat: &mut Map<String, Value>, kind: Kind, perms: &Permissions) {
    flat.remove("ssn_encrypted");
    flat.remove("ssn_last4_index");
    // Where the lead's queue item is: the server's own bookkeeping.
    flat.remove("queue_sk");
    flat.retain(|name, _| seen(name, kind, perms) != Seen::Hidden);
    for (name, v) in flat.iter_mut() {
        let how = seen(name, kind, perms);
        if how == Seen::Masked {
            *v = apply_seen(how, v.take());
        }
    }
}

/// History never keeps a confidential value, whoever reads it later: a set value becomes `***`.
pub fn mask_history(changes: &mut [FieldChange]) {
    for c in changes.iter_mut() {
        if spec(&c.field).is_some_and(|s| s.confidential.is_some()) {
            let marker = |v: &Value| if v.is_null() { Value::Null } else { Value::String("***".into()) };
            c.before = marker(&c.before);
            c.after = marker(&c.after);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::{apply_field, confidential, section_of};
    use crate::identity::Role;
    use serde_json::json;

    #[test]
    fn names_are_unique() {
        for (i, s) in FIELDS.iter().enumerate() {
            assert!(FIELDS.iter().skip(i + 1).all(|o| o.name != s.name), "{} twice", s.name);
            assert!(!s.label.is_empty());
        }
    }

    /// The server's cards before the registry: the stored fields of every card must stay exactly these.
    #[test]
    fn every_card_field_has_a_spec_and_every_card_its_fields() {
        let personal = "first_name last_name business_name business_contact email primary_phone work_phone \
            cell_phone other_phone best_time_to_contact address1 address2 city state zip county cross_street language \
            account_type account_class_id birthdate spouse credit_score credit_tracking_number ssn office_location_id";
        let sale = "sale_date sold_by_id trainee_id lead_rep_id adt_number adt_serial account_number mmr_id \
            mmr_a_la_carte monitoring_plan canceled cancel_date cancel_reason source_id campaign_id discount_affiliate \
            discount_affiliate_member_number monitoring_company_id interactive_services_provider adt_system_type \
            contract_term_months activation_fee_id warranty_term dealer_number collections_date funding_status \
            funded_date parent_id call_center_rep_id central_station_account";
        let install = "install_date install_tech_id confirmation_number receiver_number installed abort_code services \
            install_tech_reports_to_id install_appointment_id adc_receiver_phone";
        let lead = "created_at stage next_followup disposition_id disposition rating lead_rep_id source_id campaign_id";
        let lead_info = "created_at call_center_rep_id callback_date lead_disposition_id lead_status \
            callcenter_comments lead_rep_id lead_comments";
        for (card, old, computed) in [
            (Card::Personal, personal, "credit_grade"),
            (Card::Sale, sale, "call_center_rep contract_months_remaining mmr"),
            (Card::Installation, install, ""),
            (Card::Lead, lead, ""),
            (Card::LeadInfo, lead_info, "call_center_rep lead_contacts"),
        ] {
            let sorted = |s: &str| {
                let mut v: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
                v.sort();
                v
            };
            let names = |computed: bool| {
                let mut v: Vec<String> = card_fields(card)
                    .filter(|s| (s.store == Store::Computed) == computed)
                    .map(|s| s.name.to_owned())
                    .collect();
                v.sort();
                v
            };
            assert_eq!(names(false), sorted(old), "{card:?}");
            assert_eq!(names(true), sorted(computed), "{card:?}");
            for f in old.split_whitespace() {
                assert!(spec(f).is_some_and(|s| s.on(card)), "{f}");
            }
        }
        // Only the office location is left off a lead's personal card.
        let only: Vec<_> = FIELDS.iter().filter(|s| s.customers_only).map(|s| s.name).collect();
        assert_eq!(only, ["office_location_id"]);
    }

    /// With the sale or installation card hidden, the read keeps only the fields every record has.
    #[test]
    fn hidden_cards_keep_the_fields_of_every_record() {
        let kept: Vec<_> = card_fields(Card::Sale).filter(|s| s.store == Store::Record).map(|s| s.name).collect();
        assert_eq!(kept, ["lead_rep_id", "account_number", "source_id", "campaign_id"]);
        assert!(card_fields(Card::Installation).all(|s| s.store == Store::Customer));
    }

    #[test]
    fn sections_follow_the_home_card_of_editable_fields() {
        assert_eq!(section_of("abort_code"), Some(Section::InstallationEquipment));
        assert_eq!(section_of("parent_id"), Some(Section::SaleInformation));
        assert_eq!(section_of("source_id"), Some(Section::SaleInformation));
        assert_eq!(section_of("office_location_id"), Some(Section::ContactInformation));
        assert_eq!(section_of("ssn"), Some(Section::ContactInformation));
        for f in ["funding_status", "funded_date", "credit_grade", "mmr", "rating", "job_title", "nope"] {
            assert_eq!(section_of(f), None, "{f}");
        }
        let count = |s: Section| FIELDS.iter().filter(|f| f.section == Some(s)).count();
        assert_eq!(count(Section::ContactInformation), 26);
        assert_eq!(count(Section::SaleInformation), 31);
        assert_eq!(count(Section::InstallationEquipment), 10);
        for s in FIELDS {
            let editable = !matches!(s.parse, Parse::ReadOnly | Parse::Computed);
            let home = s.cards.first().and_then(|c| c.section());
            assert_eq!(s.section, if editable { home } else { None }, "{}", s.name);
        }
    }

    #[test]
    fn confidential_fields_are_masked_without_their_grant() {
        let names: Vec<_> = FIELDS.iter().filter(|s| s.confidential.is_some()).map(|s| s.name).collect();
        assert_eq!(names, ["birthdate", "ssn", "confirmation_number", "receiver_number", "abort_code"]);
        assert_eq!(confidential("birthdate"), Some(ConfidentialField::Birthdate));
        let staff = Role::Office.default_permissions(crate::LocationId(1));
        let admin = Role::Admin.default_permissions(crate::LocationId(1));
        let masked = |f: &str, v: Value, p: &Permissions| apply_seen(seen(f, Kind::Customer, p), v);
        for f in &names {
            assert_eq!(masked(f, json!("x"), &staff), json!("***"), "{f}");
            assert_eq!(masked(f, json!("x"), &admin), json!("x"), "{f}");
            assert_eq!(masked(f, Value::Null, &staff), Value::Null, "{f}");
        }
        assert_eq!(masked("spouse", json!("x"), &staff), json!("x"));
        let mut history = vec![
            FieldChange { field: "abort_code".into(), before: Value::Null, after: json!("A1") },
            FieldChange { field: "spouse".into(), before: Value::Null, after: json!("Bo") },
        ];
        mask_history(&mut history);
        assert_eq!((history[0].before.clone(), history[0].after.clone()), (Value::Null, json!("***")));
        assert_eq!(history[1].after, json!("Bo"));
    }

    fn flat(r: &Record) -> Map<String, Value> {
        match serde_json::to_value(r) {
            Ok(Value::Object(m)) => m,
            other => panic!("a record serialises as an object: {other:?}"),
        }
    }

    fn customer() -> Record {
        let mut r = crate::record::tests::sample();
        r.kind = Kind::Customer;
        r.account_number = Some("778812".into());
        r.lead.ssn_encrypted = Some("ciphertext".into());
        r.lead.ssn_last4_index = Some("index".into());
        let c = &mut r.lead.customer;
        c.birthdate = Some("1980-05-17".into());
        c.sale_date = Some("2026-01-10".into());
        c.funding_status = Some("Funded".into());
        c.abort_code = Some("4411".into());
        c.install_date = Some("2026-02-01".into());
        r
    }

    #[test]
    fn the_installer_reads_no_sale_field_and_no_confidential_value() {
        let installer = Role::Installer.default_permissions(crate::LocationId(1));
        let mut m = flat(&customer());
        m.insert("ssn".into(), json!("123-45-6789"));
        mask_record(&mut m, Kind::Customer, &installer);
        for f in card_fields(Card::Sale).filter(|s| s.store != Store::Record) {
            assert!(!m.contains_key(f.name), "{}", f.name);
        }
        assert_eq!(m["account_number"], "778812", "kept with the fields every record carries");
        assert_eq!((&m["ssn"], &m["birthdate"], &m["abort_code"]), (&json!("***"), &json!("***"), &json!("***")));
        assert_eq!(m["install_date"], "2026-02-01");
        assert!(!m.contains_key("ssn_encrypted") && !m.contains_key("ssn_last4_index"));
    }

    #[test]
    fn a_lead_reads_without_sale_and_installation_fields_whatever_the_grants() {
        let admin = Role::Admin.default_permissions(crate::LocationId(1));
        let mut m = flat(&crate::record::tests::sample());
        mask_record(&mut m, Kind::Lead, &admin);
        assert!(!m.contains_key("sale_date") && !m.contains_key("abort_code") && !m.contains_key("installed"));
        assert!(m.contains_key("birthdate") && m.contains_key("source_id") && m.contains_key("rating"));
    }

    #[test]
    fn without_contact_information_only_the_names_stay() {
        let mut perms = Role::Office.default_permissions(crate::LocationId(1));
        perms.sections.retain(|(s, _)| *s != Section::ContactInformation);
        let mut m = flat(&customer());
        mask_record(&mut m, Kind::Customer, &perms);
        for f in ["first_name", "last_name", "business_name", "city", "state", "office_location_id"] {
            assert!(m.contains_key(f), "{f}");
        }
        for f in ["primary_phone", "email", "address1", "zip", "birthdate", "work_phone"] {
            assert!(!m.contains_key(f), "{f}");
        }
        assert_eq!(m["sale_date"], "2026-01-10");
        assert_eq!(seen("custom_fields.3", Kind::Customer, &perms), Seen::Shown);
    }

    #[test]
    fn customer_fields_parse_through_their_slot() {
        let mut r = crate::record::tests::sample();
        for s in FIELDS {
            let sample = match s.parse {
                Parse::Text(..) | Parse::Date(_) | Parse::Phone(_) | Parse::User(_) => Value::Null,
                Parse::Whole(..) | Parse::Id(_) | Parse::Parent(_) => json!(1),
                Parse::Flag(_) => json!(true),
                Parse::Services(_) => json!(["aarp"]),
                Parse::OneOf(list, _) => json!(list[0].0),
                Parse::Lead | Parse::Location | Parse::ReadOnly | Parse::Computed => {
                    assert!(!apply_field(&mut r, s.name, &Value::Null).unwrap(), "{}", s.name);
                    continue;
                }
            };
            assert!(apply_field(&mut r, s.name, &sample).unwrap(), "{}", s.name);
        }
        assert!(r.lead.customer.installed && r.lead.customer.canceled);
        assert_eq!(r.lead.customer.parent_id, Some(RecordId(1)));
    }

    #[test]
    fn the_customer_patch_hands_personal_lead_fields_to_the_lead_editor() {
        let handed: Vec<_> = FIELDS.iter().filter(|s| parsed_by_lead_editor(s.name)).map(|s| s.name).collect();
        assert_eq!(handed.len(), 18);
        for f in ["first_name", "ssn", "account_class_id", "source_id", "campaign_id"] {
            assert!(handed.contains(&f), "{f}");
        }
        assert!(!parsed_by_lead_editor("rating") && !parsed_by_lead_editor("job_title"));
        assert_eq!(lead_editable().count(), 32);
    }
}
