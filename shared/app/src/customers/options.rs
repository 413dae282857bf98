//! The company's option lists for the customer cards, and the form options the Home page and wizards load.

use crate::directory::{self};
use crate::items::{from_item, item_of};
use crate::{lead_options, Actor, AppError, Services};
pub use vigil_api::customers::{CustomerFormOptions as FormOptions, CustomerOptions, IdName, Priced, UserOption};
use vigil_domain::customer::SERVICES;
use vigil_domain::lead::AccountType;
use vigil_domain::{Action, CompanyId, Resource, Role, User};
use vigil_store::{keys, Item};

/// The option lists a company starts with (and the demo companies have).
pub fn default_options() -> CustomerOptions {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let priced = |v: &[(&str, u64)]| {
        v.iter()
            .enumerate()
            .map(|(i, (n, c))| Priced { id: i as u32 + 1, name: (*n).into(), amount_cents: *c })
            .collect()
    };
    CustomerOptions {
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
        adc_receiver_phones: s(&["800-555-0190", "800-555-0191"]),
    }
}

pub const OPTIONS_SETTING: &str = "customer_options";

pub fn options_item(co: &CompanyId, o: &CustomerOptions) -> Item {
    item_of(&keys::setting(co, OPTIONS_SETTING), o, &[])
}

pub async fn options(svc: &Services, co: &CompanyId) -> Result<CustomerOptions, AppError> {
    let mut o: CustomerOptions = match svc.table.get(&keys::setting(co, OPTIONS_SETTING)).await? {
        Some(item) => from_item(item)?,
        None => default_options(),
    };
    // Once the company keeps monitoring companies (Admin), the cards offer its active ones.
    let kept = crate::monitoring::all(svc, co).await?;
    if !kept.is_empty() {
        o.monitoring_companies =
            kept.into_iter().filter(|m| m.active).map(|m| IdName { id: m.id, name: m.name }).collect();
    }
    Ok(o)
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
            .map(|t| lead_options::Choice { value: t.as_str().into(), label: t.label().into() })
            .collect(),
        sources: crate::partners::sources_of(svc, co, vigil_domain::record::Kind::Customer).await?,
        services: SERVICES
            .iter()
            .map(|(value, label)| lead_options::Choice { value: (*value).into(), label: (*label).into() })
            .collect(),
        states: lead_options::states(),
        languages: lead_options::languages(),
        parent_child_billing: directory::company(svc, co).await?.settings.parent_child_billing,
        dispositions: lead_options::dispositions(svc, co)
            .await?
            .into_iter()
            .filter(|d| d.active)
            .map(|d| IdName { id: d.id.0, name: d.name })
            .collect(),
        adt_monitoring_company_ids: crate::monitoring::active_adt(svc, co).await?.into_iter().map(|m| m.id).collect(),
        lists: options(svc, co).await?,
    })
}
