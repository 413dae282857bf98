//! Who is asking and what they may do. Permissions are data (a role's grants are stored with the user), checked by
//! pure functions here and enforced by the app layer on every call.

use crate::{CompanyId, LocationId, PartnerId, UserId};
use serde::{Deserialize, Serialize};
use vigil_json::{FromJson, ToJson};

/// What a token says about its bearer. In AWS these are the Cognito claims API Gateway's JWT authorizer passes on;
/// locally the runtime signs the same claims for demo users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    #[serde(rename = "custom:company")]
    pub company: CompanyId,
    #[serde(default)]
    pub email: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    #[serde(default)]
    pub iat: u64,
    /// A partner login's partner company (`custom:partner`); absent for the company's own staff. The stored user
    /// decides what the bearer may do; this claim must agree with it.
    #[serde(rename = "custom:partner", default, skip_serializing_if = "Option::is_none", with = "partner_claim")]
    pub partner: Option<PartnerId>,
}

/// Cognito's custom attributes are strings: `custom:partner` is the partner company's ID as text.
mod partner_claim {
    use crate::PartnerId;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<PartnerId>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(p) => s.serialize_str(&p.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PartnerId>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => PartnerId::parse(&text).map(Some).map_err(|e| serde::de::Error::custom(e.message)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Office,
    LeadRep,
    SalesRep,
    Installer,
    Partner,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::Office, Role::LeadRep, Role::SalesRep, Role::Installer, Role::Partner];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::LeadRep => "lead_rep",
            Role::SalesRep => "sales_rep",
            Role::Installer => "installer",
            Role::Partner => "partner",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Office => "Office staff",
            Role::LeadRep => "Lead rep",
            Role::SalesRep => "Sales rep",
            Role::Installer => "Installer",
            Role::Partner => "Partner login",
        }
    }

    /// The permissions a new user of this role starts with. `home` is the user's own office location: roles that work
    /// one office are granted there only.
    pub fn default_permissions(self, home: LocationId) -> Permissions {
        use Action::*;
        use Resource::*;
        let all = LocationScope::All;
        let home_only = LocationScope::Only(vec![home]);
        let everything = [View, Create, Modify, Delete, Archive, Unarchive];
        match self {
            Role::Admin => Permissions {
                grants: Resource::ALL.iter().map(|r| Grant::new(*r, &everything, all.clone())).collect(),
                sections: Section::ALL.iter().map(|s| (*s, SectionAccess::Modify)).collect(),
                confidential: ConfidentialField::ALL.to_vec(),
            },
            Role::Office => Permissions {
                grants: vec![
                    Grant::new(Leads, &[View, Create, Modify], all.clone()),
                    Grant::new(PendingLeads, &[View, Modify], all.clone()),
                    Grant::new(Customers, &[View, Create, Modify], all.clone()),
                    Grant::new(CustomerWorkflows, &[View, Create, Modify], all.clone()),
                    Grant::new(Accounting, &[View, Create, Modify], all.clone()),
                    Grant::new(WorkOrders, &[View, Create, Modify], all.clone()),
                    // The office sees the Credit tab; running credit is for sales reps and admins.
                    Grant::new(CreditReports, &[View], all.clone()),
                    Grant::new(PartnerCompanies, &[View], all.clone()),
                    Grant::new(Campaigns, &[View], all.clone()),
                    Grant::new(Tags, &[View], all),
                ],
                sections: Section::ALL.iter().map(|s| (*s, SectionAccess::Modify)).collect(),
                confidential: vec![],
            },
            Role::LeadRep => Permissions {
                grants: vec![
                    Grant::new(Leads, &[View, Create, Modify], home_only.clone()).own_only(),
                    Grant::new(LeadQueue, &[Create], home_only),
                    Grant::new(Tags, &[View], all),
                ],
                sections: vec![(Section::ContactInformation, SectionAccess::Modify)],
                confidential: vec![],
            },
            Role::SalesRep => Permissions {
                grants: vec![
                    Grant::new(Leads, &[View, Create, Modify], home_only.clone()),
                    Grant::new(Customers, &[View, Create, Modify], home_only.clone()),
                    Grant::new(CreditReports, &[View, Create], home_only.clone()),
                    Grant::new(WorkOrders, &[View, Create, Modify], home_only),
                    Grant::new(Tags, &[View], all),
                ],
                sections: vec![
                    (Section::ContactInformation, SectionAccess::Modify),
                    (Section::SaleInformation, SectionAccess::Modify),
                    (Section::InstallationEquipment, SectionAccess::View),
                ],
                confidential: vec![],
            },
            Role::Installer => Permissions {
                grants: vec![
                    Grant::new(Customers, &[View], home_only.clone()),
                    Grant::new(WorkOrders, &[View, Modify], home_only),
                    Grant::new(Tags, &[View], all),
                ],
                sections: vec![
                    (Section::ContactInformation, SectionAccess::View),
                    (Section::InstallationEquipment, SectionAccess::Modify),
                ],
                confidential: vec![],
            },
            // A partner login's grants name its partner company (`Permissions::partner`); without one it sees nothing.
            Role::Partner => Permissions::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Leads,
    Customers,
    CustomerWorkflows,
    CreditReports,
    PartnerCompanies,
    Campaigns,
    Tags,
    Users,
    CompanySettings,
    /// The Accounting tab (the manual's "Billing Information Page"): invoices, quotes, billing methods, payments.
    Accounting,
    WorkOrders,
    /// Leads in Pending: View sees them (on every read path), Modify moves leads into and out of Pending.
    PendingLeads,
    /// The lead queue: Create requests a lead from it.
    LeadQueue,
}

impl Resource {
    pub const ALL: [Resource; 13] = [
        Resource::Leads,
        Resource::Customers,
        Resource::CustomerWorkflows,
        Resource::CreditReports,
        Resource::PartnerCompanies,
        Resource::Campaigns,
        Resource::Tags,
        Resource::Users,
        Resource::CompanySettings,
        Resource::Accounting,
        Resource::WorkOrders,
        Resource::PendingLeads,
        Resource::LeadQueue,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Create,
    Modify,
    Delete,
    Archive,
    Unarchive,
}

/// The parts of the customer page that have their own grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Section {
    ContactInformation,
    SaleInformation,
    InstallationEquipment,
}

impl Section {
    pub const ALL: [Section; 3] =
        [Section::ContactInformation, Section::SaleInformation, Section::InstallationEquipment];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SectionAccess {
    None,
    View,
    Modify,
}

/// Fields shown as `***` to users without the matching grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConfidentialField {
    Ssn,
    Birthdate,
    ConfirmationNumber,
    ReceiverNumber,
    AbortCode,
}

impl ConfidentialField {
    pub const ALL: [ConfidentialField; 5] = [
        ConfidentialField::Ssn,
        ConfidentialField::Birthdate,
        ConfidentialField::ConfirmationNumber,
        ConfidentialField::ReceiverNumber,
        ConfidentialField::AbortCode,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind", content = "ids")]
pub enum LocationScope {
    All,
    Only(Vec<LocationId>),
}

impl LocationScope {
    fn covers(&self, location: Option<LocationId>) -> bool {
        match (self, location) {
            (LocationScope::All, _) => true,
            (LocationScope::Only(ids), Some(l)) => ids.contains(&l),
            // A record with no office location yet (a fresh lead) is visible to anyone granted at some location.
            (LocationScope::Only(ids), None) => !ids.is_empty(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Grant {
    pub resource: Resource,
    pub actions: Vec<Action>,
    pub locations: LocationScope,
    /// Only records the user owns (a lead rep's own leads).
    #[serde(default)]
    pub own_only: bool,
    /// Only records attributed to this partner company (their `source_id`): a partner login's grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<PartnerId>,
}

impl Grant {
    pub fn new(resource: Resource, actions: &[Action], locations: LocationScope) -> Self {
        Self { resource, actions: actions.to_vec(), locations, own_only: false, source: None }
    }

    pub fn from_source(mut self, partner: PartnerId) -> Self {
        self.source = Some(partner);
        self
    }

    pub fn own_only(mut self) -> Self {
        self.own_only = true;
        self
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct Permissions {
    pub grants: Vec<Grant>,
    pub sections: Vec<(Section, SectionAccess)>,
    pub confidential: Vec<ConfidentialField>,
}

/// The record a permission question is about: where it is, whose it is and which partner company it came from.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub location: Option<LocationId>,
    pub owner: Option<&'a UserId>,
    pub source: Option<PartnerId>,
}

impl<'a> Target<'a> {
    /// The permission target of a stored lead or customer.
    pub fn of(r: &'a crate::record::Record) -> Self {
        Target { location: r.office_location_id, owner: r.lead_rep_id.as_ref(), source: r.source_id }
    }
}

impl Permissions {
    /// A partner login's: read-only, only the leads and customers attributed to `partner`, their contact and
    /// installation details; no sale information (billing) and no confidential field (SSN, birthdate, …).
    pub fn partner(partner: PartnerId) -> Self {
        Permissions {
            grants: [Resource::Customers, Resource::Leads]
                .into_iter()
                .map(|r| Grant::new(r, &[Action::View], LocationScope::All).from_source(partner))
                .collect(),
            sections: vec![
                (Section::ContactInformation, SectionAccess::View),
                (Section::InstallationEquipment, SectionAccess::View),
            ],
            confidential: vec![],
        }
    }

    /// May the user take `action` on `resource` for this record?
    pub fn allows(&self, me: &UserId, resource: Resource, action: Action, target: Target<'_>) -> bool {
        self.grants.iter().any(|g| {
            g.resource == resource
                && g.actions.contains(&action)
                && g.locations.covers(target.location)
                && (!g.own_only || target.owner == Some(me))
                && g.source.is_none_or(|p| target.source == Some(p))
        })
    }

    /// May the user take `action` on `resource` anywhere at all (to show a menu entry, or before a record exists)?
    pub fn allows_somewhere(&self, resource: Resource, action: Action) -> bool {
        self.grants.iter().any(|g| g.resource == resource && g.actions.contains(&action))
    }

    /// True when the user's grants on `resource` are limited to records they own.
    pub fn own_only(&self, resource: Resource, action: Action) -> bool {
        let matching: Vec<_> =
            self.grants.iter().filter(|g| g.resource == resource && g.actions.contains(&action)).collect();
        !matching.is_empty() && matching.iter().all(|g| g.own_only)
    }

    /// The partner company the user's grants on `resource` are limited to, when every grant for `action` is.
    pub fn source_only(&self, resource: Resource, action: Action) -> Option<PartnerId> {
        let mut matching = self.grants.iter().filter(|g| g.resource == resource && g.actions.contains(&action));
        let first = matching.next()?.source?;
        matching.all(|g| g.source == Some(first)).then_some(first)
    }

    pub fn section(&self, section: Section) -> SectionAccess {
        self.sections.iter().filter(|(s, _)| *s == section).map(|(_, a)| *a).max().unwrap_or(SectionAccess::None)
    }

    pub fn sees_confidential(&self, field: ConfidentialField) -> bool {
        self.confidential.contains(&field)
    }
}

/// A person who signs in to the portal, as stored for their company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
pub struct User {
    pub id: UserId,
    pub company: CompanyId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub home_location: LocationId,
    /// Set for partner logins: the partner company whose customers they may see.
    #[serde(default)]
    pub partner_id: Option<PartnerId>,
    pub permissions: Permissions,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uid(s: &str) -> UserId {
        UserId::parse(s).unwrap()
    }

    #[test]
    fn office_staff_work_every_location_but_cannot_delete_or_see_confidential() {
        let p = Role::Office.default_permissions(LocationId(1));
        let me = uid("u1");
        let elsewhere = Target { location: Some(LocationId(3)), owner: None, source: None };
        assert!(p.allows(&me, Resource::Customers, Action::Modify, elsewhere));
        assert!(!p.allows(&me, Resource::Customers, Action::Delete, elsewhere));
        assert!(!p.allows(&me, Resource::Customers, Action::Archive, elsewhere));
        assert!(!p.sees_confidential(ConfidentialField::Ssn));
    }

    #[test]
    fn lead_reps_see_only_their_own_leads() {
        let p = Role::LeadRep.default_permissions(LocationId(1));
        let me = uid("rep");
        let other = uid("someone");
        let mine = Target { location: Some(LocationId(1)), owner: Some(&me), source: None };
        let theirs = Target { location: Some(LocationId(1)), owner: Some(&other), source: None };
        assert!(p.allows(&me, Resource::Leads, Action::View, mine));
        assert!(!p.allows(&me, Resource::Leads, Action::View, theirs));
        assert!(p.own_only(Resource::Leads, Action::View));
        assert!(!p.allows(&me, Resource::Customers, Action::View, mine));
    }

    #[test]
    fn sales_reps_are_bound_to_their_home_location() {
        let p = Role::SalesRep.default_permissions(LocationId(2));
        let me = uid("s");
        assert!(p.allows(
            &me,
            Resource::Customers,
            Action::View,
            Target { location: Some(LocationId(2)), owner: None, source: None }
        ));
        assert!(!p.allows(
            &me,
            Resource::Customers,
            Action::View,
            Target { location: Some(LocationId(1)), owner: None, source: None }
        ));
    }

    #[test]
    fn admins_see_everything_and_partners_nothing_by_grant() {
        let me = uid("a");
        let t = Target { location: Some(LocationId(9)), owner: None, source: Some(PartnerId(4)) };
        let admin = Role::Admin.default_permissions(LocationId(1));
        assert!(admin.allows(&me, Resource::Customers, Action::Unarchive, t));
        assert!(admin.sees_confidential(ConfidentialField::AbortCode));
        assert_eq!(admin.section(Section::SaleInformation), SectionAccess::Modify);
        let partner = Role::Partner.default_permissions(LocationId(1));
        assert!(!partner.allows(&me, Resource::Customers, Action::View, t));
        assert_eq!(partner.section(Section::ContactInformation), SectionAccess::None);
    }

    #[test]
    fn a_partner_login_reads_only_its_own_records_and_no_confidential_field() {
        let me = uid("p");
        let p = Permissions::partner(PartnerId(4));
        let at = |source| Target { location: Some(LocationId(2)), owner: None, source };
        for r in [Resource::Customers, Resource::Leads] {
            assert!(p.allows(&me, r, Action::View, at(Some(PartnerId(4)))));
            assert!(!p.allows(&me, r, Action::View, at(Some(PartnerId(5)))));
            assert!(!p.allows(&me, r, Action::View, at(None)));
            assert!(!p.allows(&me, r, Action::Modify, at(Some(PartnerId(4)))));
            assert_eq!(p.source_only(r, Action::View), Some(PartnerId(4)));
        }
        assert_eq!(
            Role::Office.default_permissions(LocationId(1)).source_only(Resource::Customers, Action::View),
            None
        );
        assert_eq!(p.section(Section::SaleInformation), SectionAccess::None);
        assert!(ConfidentialField::ALL.iter().all(|c| !p.sees_confidential(*c)));
        assert!(!p.allows_somewhere(Resource::PartnerCompanies, Action::View));
    }

    #[test]
    fn claims_use_cognito_names() {
        let c: Claims =
            serde_json::from_str(r#"{"sub":"u-1","custom:company":"acme","email":"a@b.c","exp":10}"#).unwrap();
        assert_eq!(c.company.as_str(), "acme");
        assert!(serde_json::to_string(&c).unwrap().contains("custom:company"));
        assert_eq!(c.partner, None);
        let p: Claims =
            serde_json::from_str(r#"{"sub":"u-1","custom:company":"acme","custom:partner":"4","exp":10}"#).unwrap();
        assert_eq!(p.partner, Some(PartnerId(4)));
    }
}
