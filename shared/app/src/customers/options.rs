//! The company's option lists for the customer cards, and the form options the Home page and wizards load.

use crate::directory::{self, OfficeLocation};
use crate::items::{from_item, item_of};
use crate::{lead_options, Actor, AppError, Services};
use serde::{Deserialize, Serialize};
use vigil_domain::customer::SERVICES;
use vigil_domain::lead::AccountType;
use vigil_domain::{Action, CompanyId, Resource, Role, User, UserId};
use vigil_store::{keys, Item};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdName {
    pub id: u32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priced {
    pub id: u32,
    pub name: String,
    pub amount_cents: u64,
}

/// The select options of the customer cards, stored as the company setting `customer_options` (seeded for the demo
/// companies; these defaults otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerOptions {
    pub monitoring_companies: Vec<IdName>,
    pub contract_terms: Vec<u32>,
    pub activation_fees: Vec<Priced>,
    // The MMR rates moved to their own setting (`crate::mmr`); a stored `mmr_rates` here is ignored.
    pub monitoring_plans: Vec<String>,
    pub interactive_services_providers: Vec<String>,
    pub adt_system_types: Vec<String>,
    pub warranty_terms: Vec<String>,
    pub dealer_numbers: Vec<String>,
    pub cancel_reasons: Vec<String>,
    pub discount_affiliates: Vec<String>,
}

impl Default for CustomerOptions {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let priced = |v: &[(&str, u64)]| {
            v.iter()
                .enumerate()
                .map(|(i, (n, c))| Priced { id: i as u32 + 1, name: (*n).into(), amount_cents: *c })
                .collect()
        };
        Self {
            monitoring_companies: ["ADT", "Brinks Home", "Rapid Response Monitoring", "Affiliated Monitoring"]
                .iter()
                .enumerate()
                .map(|(i, n)| IdName { id: i as u32 + 1, name: (*n).into() })
                .collect(),
            contract_terms: vec![12, 24, 36, 60],
            activation_fees: priced(&[("None", 0), ("Standard", 9900), ("Premium", 19900)]),
            monitoring_plans: s(&["Basic", "Interactive", "Video", "Commercial"]),
            interactive_services_providers: s(&["Alarm.com", "Resideo Total Connect", "Qolsys"]),
            adt_system_types: s(&["Residential", "Small Business", "Commercial"]),
            warranty_terms: s(&["None", "1 year", "3 years", "Lifetime"]),
            dealer_numbers: s(&["D-1001", "D-1002"]),
            cancel_reasons: s(&["Moved", "Price", "Service", "Non-payment", "Other"]),
            discount_affiliates: s(&["AARP", "Military", "First responders"]),
        }
    }
}

pub const OPTIONS_SETTING: &str = "customer_options";

pub fn options_item(co: &CompanyId, o: &CustomerOptions) -> Item {
    item_of(&keys::setting(co, OPTIONS_SETTING), o, &[])
}

pub async fn options(svc: &Services, co: &CompanyId) -> Result<CustomerOptions, AppError> {
    match svc.table.get(&keys::setting(co, OPTIONS_SETTING)).await? {
        Some(item) => from_item(item),
        None => Ok(CustomerOptions::default()),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct UserOption {
    pub id: UserId,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormOptions {
    pub office_locations: Vec<OfficeLocation>,
    pub sold_by: Vec<UserOption>,
    pub lead_reps: Vec<UserOption>,
    pub technicians: Vec<UserOption>,
    pub account_classes: Vec<lead_options::AccountClass>,
    pub account_types: Vec<lead_options::Choice>,
    pub sources: Vec<directory::Partner>,
    pub services: Vec<lead_options::Choice>,
    pub states: Vec<lead_options::StateOption>,
    pub languages: Vec<lead_options::Choice>,
    /// Parent/sub-customer links are on for the company.
    pub parent_child_billing: bool,
    /// `simple` (a dropdown of `mmr_rates`) or `breakout` (the rate picker, `crate::mmr`).
    pub mmr_mode: vigil_domain::mmr::MmrMode,
    /// The rates a customer can be given now (active, matching the company's MMR items).
    pub mmr_rates: Vec<Priced>,
    #[serde(flatten)]
    pub lists: CustomerOptions,
}

/// `GET /api/v1/customers/form-options`.
pub async fn form_options(svc: &Services, actor: &Actor) -> Result<FormOptions, AppError> {
    actor.require_somewhere(Resource::Customers, Action::View)?;
    let co = actor.company();
    let users: Vec<User> = directory::users(svc, co).await?.into_iter().filter(|u| u.active).collect();
    let pick = |roles: &[Role]| {
        users
            .iter()
            .filter(|u| roles.contains(&u.role))
            .map(|u| UserOption { id: u.id.clone(), name: u.name.clone() })
            .collect()
    };
    let (mmr_mode, mmr_rates) = crate::mmr::form_rates(svc, co).await?;
    Ok(FormOptions {
        mmr_mode,
        mmr_rates,
        office_locations: directory::office_locations(svc, actor).await?,
        sold_by: pick(&[Role::SalesRep, Role::Admin, Role::Office]),
        lead_reps: pick(&[Role::LeadRep, Role::SalesRep]),
        technicians: pick(&[Role::Installer]),
        account_classes: lead_options::account_classes(svc, co).await?.into_iter().filter(|c| c.active).collect(),
        account_types: AccountType::ALL
            .iter()
            .map(|t| lead_options::Choice { value: t.as_str(), label: t.label() })
            .collect(),
        sources: directory::partners_of(svc, co).await?,
        services: SERVICES.iter().map(|(value, label)| lead_options::Choice { value, label }).collect(),
        states: lead_options::states(),
        languages: lead_options::languages(),
        parent_child_billing: directory::company(svc, co).await?.settings.parent_child_billing,
        lists: options(svc, co).await?,
    })
}
