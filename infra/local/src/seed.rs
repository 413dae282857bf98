//! Demo data for the embedded default: two companies, each with three office locations, a user for every role,
//! ten partner companies with campaigns, and leads and customers with varied, realistic details. Deterministic (a
//! fixed random seed), so screenshots and tests see the same people every time.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;
use time::Duration;
use vigil_app::clock::{date, rfc3339};
use vigil_app::directory::{location_item, user_item, Campaign, Company, CompanySettings, OfficeLocation, Partner};
use vigil_app::lead_options::{account_class_item, disposition_item, AccountClass, Disposition};
use vigil_app::partners::{
    campaign_name_item, partner_name_item, CampaignDirection, CampaignView, DeliveryMethod, LeadLocation,
    MessageTemplate, PartnerKind, PartnerSettings, QueuePriority, StoredCampaign, StoredPartner,
};
use vigil_app::record_index::seed_items;
use vigil_app::records::record_item;
use vigil_app::tags::{tag_item, Tag};
use vigil_app::{AppError, Services};
use vigil_domain::lead::{score as lead_score, AccountType, ScoringWeights, INDUSTRIES};
use vigil_domain::record::{Kind, LeadFields, Record, Stage};
use vigil_domain::{
    AccountClassId, CampaignId, CompanyId, DispositionId, LocationId, PartnerId, RecordId, Role, TagId, User, UserId,
};
use vigil_store::{keys, Item};

#[derive(Debug, Clone, Copy)]
pub struct SeedSize {
    pub leads: u32,
    pub customers: u32,
}

impl Default for SeedSize {
    fn default() -> Self {
        Self { leads: 2000, customers: 500 }
    }
}

/// The demo companies: (id, name, email domain, parent/child billing on).
pub const DEMO_COMPANIES: [(&str, &str, &str, bool); 2] =
    [("acme", "Acme Alarm Co.", "acme.example", true), ("bluebird", "Bluebird Security", "bluebird.example", false)];

/// Seeds the demo companies that do not exist yet; returns how many it created. The company item is written last,
/// so a seed cut short is redone on the next start.
pub async fn seed_demo(svc: &Services, size: SeedSize) -> Result<usize, AppError> {
    let mut created = 0;
    for (n, (id, name, domain, families)) in DEMO_COMPANIES.iter().enumerate() {
        let co = CompanyId::parse(id).map_err(|e| AppError::Internal(e.message))?;
        if svc.table.get(&keys::company(&co)).await?.is_some() {
            continue;
        }
        let company = Company {
            id: co.clone(),
            name: (*name).to_owned(),
            // Bluebird locks its customers' lead rep, so the demo shows both ways.
            settings: CompanySettings {
                parent_child_billing: *families,
                do_not_show_customer_list: false,
                lock_lead_rep: n == 1,
            },
        };
        seed_company(svc, &company, domain, n as u64, size).await?;
        svc.table.put(company.to_item(), None).await?;
        seed_workflows(svc, &co).await?;
        tracing::info!(company = %co, leads = size.leads, customers = size.customers, "seeded demo company");
        created += 1;
    }
    if created > 0 {
        exchange_intake_keys(svc).await?;
    }
    Ok(created)
}

const LOCATIONS: [[(&str, &str, &str); 3]; 2] = [
    [("Salt Lake City", "Salt Lake City", "UT"), ("Boise", "Boise", "ID"), ("Las Vegas", "Las Vegas", "NV")],
    [("Dallas HQ", "Dallas", "TX"), ("Houston", "Houston", "TX"), ("Oklahoma City", "Oklahoma City", "OK")],
];

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Betty",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "Ronald",
    "Rebecca",
    "Jason",
    "Sharon",
    "Edward",
    "Laura",
    "Jeffrey",
    "Cynthia",
    "Ryan",
    "Dorothy",
    "Jacob",
    "Amy",
    "Gary",
    "Angela",
    "Nicholas",
    "Helen",
    "Eric",
    "Anna",
    "Jonathan",
    "Brenda",
    "Stephen",
    "Pamela",
    "Larry",
    "Nicole",
    "Justin",
    "Emma",
    "Scott",
    "Samantha",
    "Brandon",
    "Katherine",
    "Benjamin",
    "Christine",
    "Samuel",
    "Rachel",
    "Gregory",
    "Catherine",
    "Alexander",
    "Debra",
    "Patrick",
    "Carolyn",
    "Frank",
    "Janet",
    "Raymond",
    "Maria",
    "Jack",
    "Heather",
    "Dennis",
    "Diane",
    "Jerry",
    "Olivia",
    "Tyler",
    "Julie",
    "Aaron",
    "Joyce",
    "José",
    "Victoria",
    "Adam",
    "Ruth",
    "Nathan",
    "Virginia",
    "Henry",
    "Lauren",
    "Zachary",
    "Kelly",
    "Douglas",
    "Christina",
    "Peter",
    "Joan",
    "Kyle",
    "Evelyn",
    "Noah",
    "Judith",
    "Ethan",
    "Andrea",
    "Jeremy",
    "Hannah",
    "Walter",
    "Megan",
    "Christian",
    "Cheryl",
    "Keith",
    "Jacqueline",
    "Roger",
    "Martha",
    "Terry",
    "Madison",
    "Austin",
    "Teresa",
    "Sean",
    "Gloria",
    "Gerald",
    "Sara",
    "Carl",
    "Janice",
    "Harold",
    "Ann",
    "Dylan",
    "Kathryn",
    "Arthur",
    "Abigail",
    "Lawrence",
    "Sophia",
    "Jordan",
    "Frances",
    "Jesse",
    "Jean",
    "Bryan",
    "Alice",
    "Billy",
    "Judy",
    "Bruce",
    "Isabella",
    "Gabriel",
    "Julia",
    "Joe",
    "Grace",
    "Logan",
    "Amber",
    "Alan",
    "Denise",
    "Juan",
    "Danielle",
    "Albert",
    "Marilyn",
    "Willie",
    "Beverly",
    "Elijah",
    "Charlotte",
    "Wayne",
    "Natalie",
    "Randy",
    "Theresa",
    "Vincent",
    "Diana",
    "Mason",
    "Brittany",
    "Roy",
    "Doris",
    "Ralph",
    "Kayla",
    "Bobby",
    "Alexis",
    "Russell",
    "Lori",
    "Bradley",
    "Marie",
    "Philip",
    "Nguyen",
    "Eugene",
    "Mei",
    "Priya",
    "Ahmed",
    "Fatima",
    "Hiroshi",
    "Ingrid",
    "Lucía",
];

const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Muñoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
    "Dunn",
    "Kelley",
    "Spencer",
    "Hawkins",
    "Arnold",
    "Pierce",
    "Vazquez",
    "Hansen",
    "Peters",
    "Santos",
    "Hart",
    "Bradley",
    "Knight",
    "O'Brien",
];

const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Blvd",
    "Lake View Dr",
    "Hillcrest Rd",
    "Sunset Blvd",
    "Park Ave",
    "Ridge Rd",
    "Meadow Ln",
    "Canyon Rd",
    "River Rd",
    "Willow Way",
    "Aspen Ct",
    "Juniper St",
    "Highland Ave",
    "Lincoln Ave",
    "Jefferson St",
    "Mountain View Dr",
    "Spring St",
    "Cherry Ln",
    "Birch Rd",
    "Valley Dr",
    "Desert Sky Ln",
    "Prairie Rd",
    "Bluebonnet Ln",
    "Magnolia Ave",
];

/// City, state, ZIP, area code.
const CITIES: &[(&str, &str, &str, &str)] = &[
    ("Salt Lake City", "UT", "84101", "801"),
    ("Provo", "UT", "84601", "801"),
    ("Ogden", "UT", "84401", "801"),
    ("St. George", "UT", "84770", "435"),
    ("Sandy", "UT", "84070", "801"),
    ("Boise", "ID", "83702", "208"),
    ("Meridian", "ID", "83642", "208"),
    ("Nampa", "ID", "83651", "208"),
    ("Las Vegas", "NV", "89101", "702"),
    ("Henderson", "NV", "89002", "702"),
    ("Reno", "NV", "89501", "775"),
    ("Dallas", "TX", "75201", "214"),
    ("Plano", "TX", "75024", "972"),
    ("Houston", "TX", "77002", "713"),
    ("Austin", "TX", "78701", "512"),
    ("San Antonio", "TX", "78205", "210"),
    ("Fort Worth", "TX", "76102", "817"),
    ("Oklahoma City", "OK", "73102", "405"),
    ("Tulsa", "OK", "74103", "918"),
    ("Norman", "OK", "73069", "405"),
    ("Phoenix", "AZ", "85004", "602"),
    ("Mesa", "AZ", "85201", "480"),
    ("Denver", "CO", "80202", "303"),
    ("Colorado Springs", "CO", "80903", "719"),
    ("Albuquerque", "NM", "87102", "505"),
];

const PARTNERS: [&str; 10] = [
    "HomeShield Leads",
    "SafeNest Marketing",
    "Door-to-Door Pros",
    "BrightPath Media",
    "Alarm Lead Exchange",
    "Summit Referral Group",
    "Neighborly Ads",
    "SecureClick Digital",
    "Patriot Telemarketing",
    "Keystone Partners",
];
/// The partners of each kind the manual describes, after the ten sources above (IDs 11-15; their campaigns follow
/// the sources' campaigns). Written without the random generator, so the demo records stay what they were.
const FIRST_KIND_PARTNER: u32 = PARTNERS.len() as u32 + 1;

/// The ten sources above: active, outside, selling leads and customers (the forms offer them for both).
/// The Home cards' tracking fields of a demo customer, by its ID (no random draws, so the rest of the seed stays as
/// it was): its lead information, a funding status on every third and a central station link on every fifth.
fn demo_home_cards(r: &mut Record, n: u64) {
    let id = r.id.0;
    let created = r.created_at.get(..10).unwrap_or_default().to_owned();
    let c = &mut r.lead.customer;
    c.call_center_rep_id = Some(r.created_by.clone());
    c.lead_status = Some(if r.lead_rep_id.is_some() { "assigned" } else { "queue" }.to_owned());
    c.lead_disposition_id = r.lead.disposition_id.map(|d| d.0);
    if id.is_multiple_of(4) {
        c.callcenter_comments = Some("Asked for a call after 5 pm.".into());
    }
    if id.is_multiple_of(3) {
        c.funding_status = Some("Funded".into());
        c.funded_date = Some(created);
    }
    if id.is_multiple_of(5) {
        c.central_station_account = Some(format!("CS{}-{id:06}", n + 1));
    }
}

fn source_settings(name: &str) -> PartnerSettings {
    PartnerSettings {
        name: name.into(),
        sells_leads: true,
        default_lead_location: Some(LeadLocation::Pending),
        sells_customers: true,
        default_office_location_id: Some(LocationId(1)),
        ..PartnerSettings::blank()
    }
}

fn demo_partner_items(co: &CompanyId, id: PartnerId, settings: PartnerSettings) -> Vec<Item> {
    let name = settings.name.clone();
    let p = StoredPartner {
        id,
        settings,
        lead_post_key_encrypted: None,
        customer_post_key_encrypted: None,
        version: 1,
        versioned: true,
    };
    vec![p.to_item(co), partner_name_item(co, id, &name)]
}

fn demo_campaign_items(co: &CompanyId, c: &Campaign, external_partner: &str, external_campaign: &str) -> Vec<Item> {
    demo_campaign_items_in(co, c, CampaignDirection::Inbound, external_partner, external_campaign)
}

fn demo_campaign_items_in(
    co: &CompanyId,
    c: &Campaign,
    direction: CampaignDirection,
    external_partner: &str,
    external_campaign: &str,
) -> Vec<Item> {
    let stored = StoredCampaign {
        campaign: CampaignView {
            id: c.id,
            partner_id: c.partner_id,
            name: c.name.clone(),
            description: String::new(),
            direction,
            external_partner_id: external_partner.into(),
            external_campaign_id: external_campaign.into(),
            version: 1,
        },
        versioned: true,
    };
    let mut items = vec![stored.to_item(co), campaign_name_item(co, c.partner_id, c.id, &c.name)];
    if let Some((p, x)) = stored.external_pair() {
        let mut pair = keys::campaign_external(co, p, x).to_item();
        pair.insert("campaign_id".into(), json!(c.id.0));
        items.push(pair);
    }
    items
}

/// "ABC Leads, Inc." selling leads (Cold Call, Door Knock, Web Lead), a customer seller, a lead buyer posting to the
/// other demo company's intake on the local runtime's default port, a customer buyer by email, "Self-Generated"
/// inside, one message template, and the sequences that continue after them.
fn demo_partners_of_each_kind(co: &CompanyId, n: u64, last_campaign: u32) -> Vec<Item> {
    let (other_name, other_domain) = match DEMO_COMPANIES.get(if n == 0 { 1 } else { 0 }) {
        Some((_, name, domain, _)) => (*name, *domain),
        None => ("Bluebird Security", "bluebird.example"),
    };
    let id = |i: u32| PartnerId(FIRST_KIND_PARTNER + i);
    let mut items = Vec::new();
    items.extend(demo_partner_items(
        co,
        id(0),
        PartnerSettings {
            name: "ABC Leads, Inc.".into(),
            contact_person: "Alex Broker".into(),
            phone: "(801) 555-0190".into(),
            email: "alex@abc-leads.example".into(),
            sells_leads: true,
            default_lead_location: Some(LeadLocation::Queue),
            force_default_lead_location: true,
            lead_purchase_emails: vec!["purchases@abc-leads.example".into()],
            lead_return_emails: vec!["returns@abc-leads.example".into()],
            include_call_center_comments_with_return: true,
            lead_auto_response_template_id: Some(1),
            lead_queue_priority: QueuePriority::High,
            ..PartnerSettings::blank()
        },
    ));
    for (i, name) in ["Cold Call", "Door Knock", "Web Lead"].iter().enumerate() {
        let c = Campaign { id: CampaignId(last_campaign + 1 + i as u32), partner_id: id(0), name: (*name).into() };
        items.extend(demo_campaign_items(co, &c, "abc-leads", &format!("{}", i + 1)));
    }
    items.extend(demo_partner_items(
        co,
        id(1),
        PartnerSettings {
            name: "Test Customer SELLER".into(),
            contact_person: "Casey Seller".into(),
            sells_customers: true,
            default_office_location_id: Some(LocationId(1)),
            customer_purchase_emails: vec!["sales@customer-seller.example".into()],
            ..PartnerSettings::blank()
        },
    ));
    // The other demo company buys this one's leads by posting them to its intake (the key it issued is set after both
    // companies exist, see `exchange_intake_keys`; the port is the runtime's, see `point_demo_posts_at`), and sells
    // it leads the same way. Its source ID over there is its partner ID there: this same slot.
    items.extend(demo_partner_items(
        co,
        id(2),
        PartnerSettings {
            name: other_name.into(),
            contact_person: "Partner desk".into(),
            email: format!("admin@{other_domain}"),
            buys_leads: true,
            lead_delivery_method: Some(DeliveryMethod::Vigil),
            lead_post_url: format!("{DEMO_POST_BASE}8080{INTAKE_PATH}"),
            lead_sale_emails: vec![format!("admin@{other_domain}")],
            lead_source_id: id(2).0.to_string(),
            sells_leads: true,
            default_lead_location: Some(LeadLocation::Queue),
            lead_purchase_emails: vec![format!("admin@{other_domain}")],
            lead_return_emails: vec![format!("admin@{other_domain}")],
            lead_queue_priority: QueuePriority::Medium,
            ..PartnerSettings::blank()
        },
    ));
    // The exchange campaigns: what this company sends names its own pair; what it receives, the other's.
    let other_id = DEMO_COMPANIES.get(if n == 0 { 1 } else { 0 }).map(|c| c.0).unwrap_or("bluebird");
    let outbound = Campaign { id: CampaignId(last_campaign + 4), partner_id: id(2), name: "Lead Exchange".into() };
    items.extend(demo_campaign_items_in(co, &outbound, CampaignDirection::Outbound, co.as_str(), EXCHANGE_CAMPAIGN));
    let inbound = Campaign { id: CampaignId(last_campaign + 5), partner_id: id(2), name: "Partner Leads".into() };
    items.extend(demo_campaign_items_in(co, &inbound, CampaignDirection::Inbound, other_id, EXCHANGE_CAMPAIGN));
    items.extend(demo_partner_items(
        co,
        id(3),
        PartnerSettings {
            name: "Test Customer BUYER".into(),
            buys_customers: true,
            customer_delivery_method: Some(DeliveryMethod::Email),
            customer_sale_emails: vec!["accounts@customer-buyer.example".into()],
            ..PartnerSettings::blank()
        },
    ));
    items.extend(demo_partner_items(
        co,
        id(4),
        PartnerSettings {
            name: "Self-Generated".into(),
            kind: PartnerKind::Inside,
            contact_person: "Sales Manager".into(),
            sells_leads: true,
            default_lead_location: Some(LeadLocation::Pending),
            sells_customers: true,
            default_office_location_id: Some(LocationId(1)),
            ..PartnerSettings::blank()
        },
    ));
    let template = MessageTemplate {
        id: 1,
        name: "Lead returned".into(),
        subject: "Lead {{lead_id}} returned by {{company_name}}".into(),
        body: "Hello {{partner_name}},\n\n{{first_name}} {{last_name}} (lead {{lead_id}}) was returned: \
               {{return_reason}}\n\n{{call_center_comments}}"
            .into(),
        version: 1,
    };
    items.push(vigil_app::items::item_of(&keys::message_template(co, 1), &template, &[]));
    let mut name = keys::message_template_name(co, &template.name).to_item();
    name.insert("template_id".into(), json!(1));
    items.push(name);
    for (counter, value) in [
        (keys::partner_sequence(co), u64::from(FIRST_KIND_PARTNER + 4)),
        (keys::campaign_sequence(co), u64::from(last_campaign + 5)),
        (keys::message_template_sequence(co), 1),
    ] {
        let mut item = counter.to_item();
        item.insert("value".into(), json!(value));
        items.push(item);
    }
    items
}

/// The external campaign ID of the demo companies' lead exchange.
const EXCHANGE_CAMPAIGN: &str = "exchange";
/// The intake route the demo companies post to, on this machine; the port is the runtime's own.
const INTAKE_PATH: &str = "/api/v1/public/leads";
const DEMO_POST_BASE: &str = "http://127.0.0.1:";

/// Each demo company issues an intake key for its partner that stands for the other demo company, and that company's
/// lead-buyer partner carries it as its post key: a lead Acme sells to "Bluebird Security" arrives at Bluebird's
/// intake attributed to its partner "Acme Alarm Co.". Skips a pair whose buyer already has a key (a restart).
async fn exchange_intake_keys(svc: &Services) -> Result<(), AppError> {
    let exchange = PartnerId(FIRST_KIND_PARTNER + 2);
    for (seller, buyer) in [(0usize, 1usize), (1, 0)] {
        let (Some(s), Some(b)) = (DEMO_COMPANIES.get(seller), DEMO_COMPANIES.get(buyer)) else { continue };
        let seller_co = CompanyId::parse(s.0).map_err(|e| AppError::Internal(e.message))?;
        let buyer_co = CompanyId::parse(b.0).map_err(|e| AppError::Internal(e.message))?;
        let Some(item) = svc.table.get(&keys::partner(&seller_co, exchange)).await? else { continue };
        let versioned = item.contains_key("version");
        let mut partner: StoredPartner = vigil_app::items::from_item(item)?;
        partner.versioned = versioned;
        if partner.lead_post_key_encrypted.is_some() {
            continue;
        }
        let body = vigil_api::intake::NewIntakeKey {
            name: format!("{} (lead exchange)", s.1),
            partner_id: Some(exchange),
            ..Default::default()
        };
        let issued = vigil_app::intake::issue(svc, &buyer_co, "seed", &body, vec![]).await?;
        let sealed = vigil_app::partners::seal_post_key(
            svc.data_keys.as_ref(),
            &seller_co,
            exchange,
            vigil_app::partners::PostKeyKind::Lead,
            &issued.key,
        )?;
        let cond = partner.is_current();
        partner.lead_post_key_encrypted = Some(sealed);
        partner.version += 1;
        svc.table.put(partner.to_item(&seller_co), Some(cond)).await?;
    }
    Ok(())
}

/// Points the demo companies' posts to each other at the port this runtime listens on (the seed wrote 8080; a
/// runtime on another port, a test's, must post to itself). Only a URL of the demo's own shape is changed.
pub async fn point_demo_posts_at(svc: &Services, port: u16) -> Result<(), AppError> {
    let exchange = PartnerId(FIRST_KIND_PARTNER + 2);
    let wanted = format!("{DEMO_POST_BASE}{port}{INTAKE_PATH}");
    for (id, _, _, _) in DEMO_COMPANIES {
        let co = CompanyId::parse(id).map_err(|e| AppError::Internal(e.message))?;
        let Some(item) = svc.table.get(&keys::partner(&co, exchange)).await? else { continue };
        let versioned = item.contains_key("version");
        let mut partner: StoredPartner = vigil_app::items::from_item(item)?;
        partner.versioned = versioned;
        let url = &partner.settings.lead_post_url;
        let demo_shaped = url
            .strip_prefix(DEMO_POST_BASE)
            .and_then(|rest| rest.strip_suffix(INTAKE_PATH))
            .is_some_and(|p| p.parse::<u16>().is_ok());
        if !demo_shaped || *url == wanted {
            continue;
        }
        let cond = partner.is_current();
        partner.settings.lead_post_url = wanted.clone();
        partner.version += 1;
        match svc.table.put(partner.to_item(&co), Some(cond)).await {
            // An admin saved the partner meanwhile: theirs stands.
            Ok(()) | Err(vigil_store::StoreError::ConditionFailed { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

const CAMPAIGNS: [&str; 6] = ["Spring Promo", "Web Form", "Home Show", "Radio Spot", "Summer Blitz", "Referral Bonus"];
const TAGS: &[&str] = &[
    "Pet owner",
    "Pool",
    "Spanish speaker",
    "Vacation home",
    "Smart home",
    "Renter",
    "Referral",
    "VIP",
    "Camera interest",
    "Fire/CO",
];
/// Company lead statuses (dispositions), IDs 1, 2, 3.
pub const DISPOSITIONS: &[&str] = &["Hot", "Warm", "Cold"];
const ACCOUNT_CLASSES: &[&str] = &["Standard", "Premier", "Builder", "Multi-site"];
const TITLES: &[&str] = &["Owner", "Office Manager", "CEO", "VP Operations", "Facilities Director", "Bookkeeper"];
const BUSINESS_SUFFIX: &[&str] = &["Dental", "Auto Repair", "Bakery", "Law Office", "Pharmacy", "Storage", "Daycare"];

async fn seed_company(svc: &Services, company: &Company, domain: &str, n: u64, size: SeedSize) -> Result<(), AppError> {
    let co = &company.id;
    let mut rng = StdRng::seed_from_u64(0x5eed_0000 + n);
    let now = svc.clock.now();
    let mut items: Vec<Item> = Vec::new();

    let locations: Vec<OfficeLocation> = LOCATIONS[n as usize % 2]
        .iter()
        .enumerate()
        .map(|(i, (name, city, state))| OfficeLocation {
            id: LocationId(i as u32 + 1),
            name: (*name).into(),
            city: (*city).into(),
            state: (*state).into(),
        })
        .collect();
    items.extend(locations.iter().map(|l| location_item(co, l)));

    let mut partners = Vec::new();
    let mut campaign_id = 0;
    for (i, name) in PARTNERS.iter().enumerate() {
        let id = PartnerId(i as u32 + 1);
        let campaigns: Vec<Campaign> = CAMPAIGNS
            .choose_multiple(&mut rng, 2 + i % 3)
            .map(|c| {
                campaign_id += 1;
                Campaign { id: CampaignId(campaign_id), partner_id: id, name: (*c).into() }
            })
            .collect();
        let p = Partner { id, name: (*name).into(), campaigns };
        let mut settings = source_settings(name);
        if i == 0 {
            // The demo partner login ("Pat Partner" below) signs in for the first source.
            settings.allow_login = true;
            settings.login_username = format!("partner@{domain}");
        }
        items.extend(demo_partner_items(co, id, settings));
        items.extend(p.campaigns.iter().flat_map(|c| demo_campaign_items(co, c, "", "")));
        partners.push(p);
    }
    items.extend(demo_partners_of_each_kind(co, n, campaign_id));

    let people = [
        (Role::Admin, "Avery", "Admin"),
        (Role::Office, "Olivia", "Office"),
        (Role::LeadRep, "Leo", "Leadrep"),
        (Role::SalesRep, "Sam", "Sales"),
        (Role::Installer, "Ian", "Installer"),
        (Role::Partner, "Pat", "Partner"),
    ];
    let users: Vec<User> = people
        .iter()
        .map(|(role, first, last)| {
            let home = LocationId(1);
            let partner = (*role == Role::Partner).then_some(PartnerId(1));
            let id = match partner {
                // A partner login's user is its partner company's (`partners::login_user_id`).
                Some(p) => vigil_app::partners::login_user_id(p).expect("partner login ids are valid"),
                None => UserId::parse(&format!("{co}-{}", role.as_str().replace('_', "-")))
                    .expect("demo user ids are valid"),
            };
            User {
                id,
                company: co.clone(),
                email: format!("{}@{domain}", role.as_str().replace('_', ".")),
                name: format!("{first} {last}"),
                role: *role,
                home_location: home,
                partner_id: partner,
                permissions: match partner {
                    Some(p) => vigil_domain::Permissions::partner(p),
                    None => role.default_permissions(home),
                },
                active: true,
            }
        })
        .collect();
    items.extend(users.iter().map(user_item));
    let tags: Vec<Tag> =
        TAGS.iter().enumerate().map(|(i, name)| Tag { id: TagId(i as u32 + 1), name: (*name).into() }).collect();
    items.extend(tags.iter().map(|t| tag_item(co, t)));
    items.extend(tags.iter().map(|t| vigil_store::keys::tag_name(co, &t.name).to_item()));
    let mut tag_sequence = keys::tag_sequence(co).to_item();
    tag_sequence.insert("value".into(), json!(tags.len()));
    items.push(tag_sequence);
    let dispositions: Vec<Disposition> = DISPOSITIONS
        .iter()
        .enumerate()
        .map(|(i, name)| Disposition { id: DispositionId(i as u32 + 1), name: (*name).into(), active: true })
        .collect();
    items.extend(dispositions.iter().map(|d| disposition_item(co, d)));
    items.extend(ACCOUNT_CLASSES.iter().enumerate().map(|(i, name)| {
        account_class_item(co, &AccountClass { id: AccountClassId(i as u32 + 1), name: (*name).into(), active: true })
    }));
    // Bluebird offers no discount affiliates, so its Sale cards leave the affiliate fields out.
    let mut customer_options = vigil_app::customers::default_options();
    if n == 1 {
        customer_options.discount_affiliates.clear();
    }
    items.push(vigil_app::customers::options_item(co, &customer_options));
    let mmr = vigil_app::mmr::demo_settings(n);
    items.push(vigil_app::mmr::settings_item(co, &mmr));
    items.extend(demo_catalog(co, &mmr, &users));
    // Both demo companies have the Credit Checks add-on on, with the sandbox bureau.
    let credit = vigil_api::credit::CreditSettings {
        enabled: true,
        bureaus: vec![vigil_api::credit::SANDBOX.into()],
        version: 1,
    };
    items.push(vigil_app::credit::settings_item(co, &credit));
    // The monitoring companies of the customer cards' list, by the same IDs; Acme's ADT is active with PreCheck on.
    let monitoring = vigil_app::customers::default_options().monitoring_companies;
    for m in &monitoring {
        let adt = m.name == "ADT";
        let company = vigil_api::monitoring::MonitoringCompany {
            id: m.id,
            name: m.name.clone(),
            kind: if adt {
                vigil_api::monitoring::MonitoringKind::Adt
            } else {
                vigil_api::monitoring::MonitoringKind::Other
            },
            active: !adt || n == 0,
            dealer_number_required: false,
            precheck_order_enabled: adt && n == 0,
            version: 1,
        };
        items.push(vigil_app::monitoring::company_item(co, &company));
    }
    let mut monitoring_sequence = keys::monitoring_company_sequence(co).to_item();
    monitoring_sequence.insert("value".into(), json!(monitoring.len()));
    items.push(monitoring_sequence);
    let mut mmr_legacy_given = false;
    if n == 0 {
        items.extend(vigil_app::custom_fields::demo_items(co));
        // One creation workflow of each kind and type (they use the demo custom fields).
        items.extend(vigil_app::creation_workflows::demo_items(co));
    }
    let weights = ScoringWeights::default();

    let reps: Vec<&User> = users.iter().filter(|u| matches!(u.role, Role::LeadRep | Role::SalesRep)).collect();
    let creators: Vec<&User> = users
        .iter()
        .filter(|u| matches!(u.role, Role::Admin | Role::Office | Role::LeadRep | Role::SalesRep))
        .collect();

    let total = size.leads + size.customers;
    let mut kinds: Vec<Kind> = (0..total).map(|i| if i < size.leads { Kind::Lead } else { Kind::Customer }).collect();
    kinds.shuffle(&mut rng);
    let span_minutes = 540 * 24 * 60i64;
    let mut records = Vec::with_capacity(total as usize);
    for (i, kind) in kinds.into_iter().enumerate() {
        let id = RecordId(i as u64 + 1);
        let first = *FIRST.choose(&mut rng).expect("non-empty");
        let last = *LAST.choose(&mut rng).expect("non-empty");
        let (city, state, zip, area) = *CITIES.choose(&mut rng).expect("non-empty");
        let created = now - Duration::minutes(span_minutes * (total as i64 - i as i64) / total as i64)
            + Duration::seconds(rng.gen_range(0..50));
        let partner = partners.choose(&mut rng).expect("non-empty");
        let from_partner = rng.gen_bool(0.8);
        let stage = match kind {
            Kind::Customer => Stage::Converted,
            Kind::Lead => *[
                Stage::New,
                Stage::New,
                Stage::New,
                Stage::Contacted,
                Stage::Contacted,
                Stage::Qualified,
                Stage::Unqualified,
            ]
            .choose(&mut rng)
            .expect("non-empty"),
        };
        let rep =
            (kind == Kind::Lead && rng.gen_bool(0.7)).then(|| reps.choose(&mut rng).expect("non-empty").id.clone());
        let tag_count = rng.gen_range(0..=3);
        let record_tags: Vec<TagId> = tags.choose_multiple(&mut rng, tag_count).map(|t| t.id).collect();
        let email_user = format!("{}.{}{}", fold_ascii(first), fold_ascii(last), rng.gen_range(1..99));
        let email_domain = *["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "aol.com"]
            .choose(&mut rng)
            .expect("non-empty");
        let followup = (kind == Kind::Lead && stage != Stage::Unqualified && rng.gen_bool(0.15))
            .then(|| date(now + Duration::days(rng.gen_range(-2..=5))));
        let disposition = (kind == Kind::Lead).then(|| dispositions.choose(&mut rng).expect("non-empty"));
        let mut record = Record {
            id,
            kind,
            stage,
            first_name: first.into(),
            last_name: last.into(),
            business_name: rng
                .gen_bool(0.08)
                .then(|| format!("{last} {}", BUSINESS_SUFFIX.choose(&mut rng).expect("non-empty"))),
            email: rng.gen_bool(0.85).then(|| format!("{email_user}@{email_domain}")),
            primary_phone: format!("{area}{}{:04}", rng.gen_range(200..999), rng.gen_range(0..10000)),
            address1: Some(format!("{} {}", rng.gen_range(100..9999), STREETS.choose(&mut rng).expect("non-empty"))),
            city: city.into(),
            state: state.into(),
            zip: Some(zip.into()),
            office_location_id: Some(LocationId(rng.gen_range(1..=3))),
            source_id: from_partner.then_some(partner.id),
            campaign_id: if from_partner { partner.campaigns.choose(&mut rng).map(|c| c.id) } else { None },
            disposition: disposition.map(|d| d.name.clone()),
            rating: rng.gen_range(0..=5),
            tags: vec![],
            lead_rep_id: rep,
            account_number: (kind == Kind::Customer).then(|| format!("{}{:06}", n + 1, id.0)),
            next_followup: followup,
            created_at: rfc3339(created),
            created_by: creators.choose(&mut rng).expect("non-empty").id.clone(),
            archived: kind == Kind::Customer && rng.gen_bool(0.03),
            version: 1,
            lead: LeadFields { disposition_id: disposition.map(|d| d.id), ..LeadFields::default() },
        };
        record.set_tag_ids(&record_tags);
        if kind == Kind::Customer {
            vigil_app::mmr::seed_rate(&mmr, &mut record.lead.customer, id, record.archived, &mut mmr_legacy_given);
            demo_home_cards(&mut record, n);
        }
        if record.business_name.is_some() {
            record.lead.account_type = AccountType::Commercial;
            record.lead.account_class_id = Some(AccountClassId(rng.gen_range(1..=ACCOUNT_CLASSES.len() as u32)));
            record.lead.job_title = TITLES.choose(&mut rng).map(|t| (*t).to_string());
            record.lead.industry = INDUSTRIES.choose(&mut rng).map(|t| (*t).to_string());
            record.lead.employees = Some(rng.gen_range(2..400));
            record.lead.web_visits = rng.gen_range(0..8);
        }
        let (score, factors) = lead_score(&record, &weights);
        record.lead.score = score;
        record.lead.score_factors = factors;
        record.lead.hot = record.rating >= 4;
        items.push(record_item(co, &record));
        records.push(record);
    }
    let mut sequence = keys::record_sequence(co).to_item();
    sequence.insert("value".into(), json!(total));
    items.push(sequence);
    items.extend(seed_items(co, &records));
    // The customers' duplicate lookups, so New Customer warns about a demo customer entered again.
    items.extend(records.iter().filter(|r| r.kind == Kind::Customer).map(|r| vigil_app::leads::duplicate_item(co, r)));
    svc.table.batch_put(&items).await?;
    Ok(())
}

fn fold_ascii(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'á' | 'à' => Some('a'),
            'é' => Some('e'),
            'í' => Some('i'),
            'ó' => Some('o'),
            'ú' => Some('u'),
            'ñ' => Some('n'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Customer workflows: two definitions per company and a few customers enrolled at different stages, made through
// the use cases themselves (as the company's admin), so the enrollments, counters and generated tickets are exactly
// what the portal would have made.

async fn seed_workflows(svc: &Services, co: &CompanyId) -> Result<(), AppError> {
    use vigil_api::workflows::{CompleteStep, NewEnrollment};
    use vigil_app::customer_items::Collection;
    use vigil_app::{workflows, Actor};
    use vigil_domain::workflow::Outcome;

    let admin_id = UserId::parse(&format!("{co}-admin")).map_err(|e| AppError::Internal(e.message))?;
    let office_id = format!("{co}-office");
    let admin_item = svc.table.get(&keys::user(co, &admin_id)).await?.ok_or(AppError::NotFound("demo admin"))?;
    let admin = Actor { user: vigil_app::items::from_item(admin_item)? };
    let body = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
    let both = |en: &str, es: &str| json!({"en": en, "es": es});
    let onboarding = workflows::create(svc, &admin, &body(json!({
        "name": "New Customer Onboarding", "layout": "stepped", "languages": ["en", "es"],
        "steps": [
            {"title": both("Welcome call", "Llamada de bienvenida"), "type": "instructions", "completion": "acknowledge",
             "content": both(
                "Hi {{customer.first_name}}, this is {{company.name}}. Thank you for choosing us to protect {{customer.address1}} in {{customer.city}}. I have a few quick questions to finish setting up your account.",
                "Hola {{customer.first_name}}, le llamamos de {{company.name}}. Gracias por elegirnos para proteger {{customer.address1}} en {{customer.city}}. Tengo unas preguntas rápidas para terminar de configurar su cuenta.")},
            {"title": both("Confirm contact details", "Confirmar datos de contacto"), "type": "confirm_contact", "completion": "pass_fail",
             "content": both("Read back the name, address, email and phone on file.", "Confirme el nombre, la dirección, el correo y el teléfono.")},
            {"title": both("Emergency contacts", "Contactos de emergencia"), "type": "review_emergency_contacts", "completion": "automatic",
             "content": both("Add at least one emergency contact the monitoring center may call.", "Agregue al menos un contacto de emergencia.")},
            {"title": both("Video upgrade offer", "Oferta de video"), "type": "instructions", "completion": "pass_fail", "optional": true,
             "content": both("Offer the outdoor camera bundle. Interested? Pass the step and the office follows up.", "Ofrezca el paquete de cámaras exteriores. ¿Le interesa? Marque la etapa como aprobada.")},
        ]
    })))
    .await?;
    let inspection = workflows::create(svc, &admin, &body(json!({
        "name": "Annual Inspection", "layout": "single_page", "languages": ["en"],
        "steps": [
            {"title": {"en": "Review equipment"}, "type": "review_equipment", "completion": "acknowledge",
             "content": {"en": "Walk through every zone with {{customer.first_name}} and note what needs service."}},
            {"title": {"en": "Inspection visit"}, "type": "review_appointments", "completion": "automatic",
             "content": {"en": "A technician visit must be on the calendar."}},
            {"title": {"en": "Contract on file"}, "type": "confirm_fields", "fields": ["contract_term"], "completion": "pass_fail",
             "content": {"en": "Confirm the contract term; fail the step if the paperwork is missing."},
             "generates": {"appointment": {"type": "tech"}}},
        ]
    })))
    .await?;
    // The upsell step hands a passed offer to the office.
    let mut with_ticket = serde_json::to_value(&onboarding).map_err(|e| AppError::Internal(e.to_string()))?;
    with_ticket["steps"][3]["generates"] =
        json!({"ticket": {"subject": "Video upgrade: call back with a quote", "assignee_id": office_id}});
    let onboarding = workflows::update(svc, &admin, onboarding.id, &body(with_ticket)).await?;

    // A few customers that may take workflows (not archived), by ID.
    let mut customers = Vec::new();
    for id in 1..=400u64 {
        if customers.len() == 4 {
            break;
        }
        let Some(item) = svc.table.get(&keys::record(co, RecordId(id))).await? else { break };
        let r: Record = vigil_app::items::from_item(item)?;
        if r.kind == Kind::Customer && !r.archived {
            customers.push(r.id);
        }
    }
    let [fresh, midway, done, failing] = customers[..] else { return Ok(()) };
    let start = |id: RecordId, workflow_id: u32, language: &str| {
        let admin = &admin;
        let language = vigil_domain::workflow::Lang::parse(language);
        async move { workflows::start(svc, admin, id, &NewEnrollment { workflow_id, language }).await }
    };
    let step = |id: u64, step: u32, outcome: Outcome, version: u64| {
        let admin = &admin;
        async move { workflows::complete(svc, admin, id, step, &CompleteStep { outcome, version }).await }
    };
    start(fresh, onboarding.id, "en").await?;
    let e = start(midway, onboarding.id, "es").await?;
    let v = step(e.id, 1, Outcome::Acknowledged, e.version).await?;
    step(e.id, 2, Outcome::Passed, v.version).await?;
    let e = start(done, onboarding.id, "en").await?;
    let contact = body(json!({"name": "Jordan Neighbor", "phone": "801-555-0177", "relation": "Neighbor"}));
    vigil_app::customer_items::create(svc, &admin, done, Collection::Contacts, &contact).await?;
    let mut v = step(e.id, 1, Outcome::Acknowledged, e.version + 1).await?.version;
    v = step(e.id, 2, Outcome::Passed, v).await?.version;
    step(e.id, 4, Outcome::Passed, v).await?;
    // A failed required step: the Workflows tab shows its red dot.
    let e = start(failing, inspection.id, "en").await?;
    step(e.id, 3, Outcome::Failed, e.version).await?;
    tracing::info!(company = %co, "seeded demo workflows");
    Ok(())
}

/// The demo catalog: a few equipment items (one a collection item, one inactive), two wire types, a package, two
/// order templates (one with rates and the package, one without rates) and the sales users on the sold-by list.
fn demo_catalog(co: &CompanyId, mmr: &vigil_domain::mmr::MmrSettings, users: &[User]) -> Vec<Item> {
    use vigil_api::orders::PackageItem;
    use vigil_app::orders::{CatalogEntry, CatalogKind};
    let entry = |id: u32, kind: CatalogKind, name: &str| CatalogEntry {
        id,
        kind,
        version: 1,
        name: name.into(),
        active: true,
        collection_item: false,
        default_charge_cents: 0,
        items: vec![],
        mmr_ids: vec![],
        package_ids: vec![],
        user_id: None,
    };
    let equipment = |id: u32, name: &str, cents: u64| CatalogEntry {
        default_charge_cents: cents,
        ..entry(id, CatalogKind::Equipment, name)
    };
    let rates: Vec<u32> = mmr.rates.iter().filter(|r| r.active).map(|r| r.id).take(2).collect();
    let mut entries = vec![
        equipment(1, "Control Panel", 19900),
        equipment(2, "Door/Window Sensor", 2999),
        equipment(3, "Motion Detector", 4999),
        equipment(4, "Smoke Detector", 5999),
        equipment(5, "Keypad", 8900),
        CatalogEntry { collection_item: true, ..equipment(6, "Monitoring Contract Buyout", 0) },
        CatalogEntry { active: false, ..equipment(7, "Legacy Siren", 1500) },
        entry(8, CatalogKind::WireType, "Wireless"),
        entry(9, CatalogKind::WireType, "Hardwired"),
        CatalogEntry {
            items: vec![
                PackageItem { equipment_id: 1, quantity: 1 },
                PackageItem { equipment_id: 2, quantity: 3 },
                PackageItem { equipment_id: 3, quantity: 1 },
            ],
            ..entry(10, CatalogKind::Package, "Starter Package")
        },
        CatalogEntry {
            mmr_ids: rates,
            package_ids: vec![10],
            ..entry(11, CatalogKind::OrderTemplate, "Residential Standard")
        },
        entry(12, CatalogKind::OrderTemplate, "Equipment Only"),
    ];
    let mut next = 13;
    for u in users.iter().filter(|u| matches!(u.role, Role::SalesRep | Role::Admin | Role::Office)) {
        entries.push(CatalogEntry {
            user_id: Some(u.id.clone()),
            name: u.name.clone(),
            ..entry(next, CatalogKind::SoldBy, "")
        });
        next += 1;
    }
    let mut items: Vec<Item> = Vec::new();
    for e in &entries {
        let unique = e.user_id.as_ref().map_or(e.name.clone(), |u| u.to_string());
        items.push(vigil_app::items::item_of(&keys::catalog_entry(co, e.kind.as_str(), e.id), e, &[]));
        items.push(vigil_app::items::item_of(
            &keys::catalog_name(co, e.kind.as_str(), &unique),
            &json!({"id": e.id}),
            &[],
        ));
    }
    let mut sequence = keys::catalog_sequence(co).to_item();
    sequence.insert("value".into(), json!(next - 1));
    items.push(sequence);
    items
}
