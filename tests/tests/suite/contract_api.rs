//! Every operation of the typed contract, called over HTTP with the contract's own types: the server's answers must
//! parse as each operation's response type, so a field renamed or retyped on one side only fails here (or does not
//! compile). Walks a lead and a customer through their life: create → get → patch → tags → convert → archive.

use serde_json::{json, Map, Value};
use vigil_api::common::{CursorQuery, FieldPath, ItemPath, ItemsPath, NoQuery, RecordPath, VersionQuery};
use vigil_api::customers::{Collection, Confirm, Convert};
use vigil_api::leads::{NewTag, SetTags, StageMove};
use vigil_api::ops::{self, CandidatesQuery, CreateLeadQuery, HistoryQuery, ListQuery, RatesQuery};
use vigil_api::routes::Function;
use vigil_api::workflows::{
    CompleteStep, EnrollmentPath, EnrollmentQuery, NewEnrollment, NewWorkflow, Progress, StepPath, WorkflowPatch,
    WorkflowPath, WorkflowVersionQuery,
};
use vigil_domain::workflow::Outcome;
use vigil_tests::client::Client;
use vigil_tests::runtime::LocalRuntime;

fn form(v: Value) -> Map<String, Value> {
    v.as_object().cloned().expect("an object")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_with_its_contract_type() {
    let rt = LocalRuntime::start_small().await;
    let token = rt.sign_in("admin@acme.example").await;
    let c = Client::new(&rt, token);
    let mut called = vec![];
    macro_rules! call {
        ($op:ty, $path:expr, $query:expr, $body:expr) => {{
            called.push(<$op as vigil_api::Operation>::FUNCTION);
            c.call::<$op>($path, $query, $body).await.unwrap_or_else(|e| {
                panic!("{} refused: {} {}", <$op as vigil_api::Operation>::FUNCTION, e.status, e.body)
            })
        }};
    }

    let health = call!(ops::GetHealth, &(), &NoQuery {}, &());
    assert_eq!(health.status, "ok");
    let me = call!(ops::GetMe, &(), &NoQuery {}, &());
    assert!(me.nav.leads && me.nav.admin);
    assert!(!call!(ops::ListOfficeLocations, &(), &NoQuery {}, &()).items.is_empty());
    assert!(!call!(ops::ListPartners, &(), &NoQuery {}, &()).items.is_empty());
    let page = call!(ops::ListLeads, &(), &ListQuery { per_page: Some("10".into()), ..Default::default() }, &());
    assert_eq!(page.items.len(), 10);
    let options = call!(ops::LeadFormOptionsOp, &(), &NoQuery {}, &());
    assert!(!options.states.is_empty());

    // A lead's life.
    let source = options.sources.first().expect("a source");
    let campaign = source.campaigns.first().map(|c| c.id.0);
    let disposition = options.dispositions.first().expect("a lead status").id.0;
    let body = form(json!({"first_name": "Contract", "last_name": "Walker", "primary_phone": "(801) 555-0199",
        "city": "Provo", "state": "UT", "zip": "84601", "address1": "1 Contract Way", "source_id": source.id.0,
        "campaign_id": campaign, "disposition_id": disposition}));
    let lead = call!(ops::CreateLead, &(), &CreateLeadQuery::default(), &body);
    let id = RecordPath { id: lead.record.id };
    let got = call!(ops::GetLead, &id, &NoQuery {}, &());
    assert_eq!(got.record.first_name, "Contract");
    let patched =
        call!(ops::UpdateLead, &id, &NoQuery {}, &form(json!({"city": "Orem", "version": got.record.version})));
    assert_eq!(patched.record.city, "Orem");
    let moved = call!(
        ops::MoveLeadStage,
        &id,
        &NoQuery {},
        &StageMove { to: "contacted".into(), version: Some(patched.record.version) }
    );
    let tag = call!(ops::CreateTag, &(), &NoQuery {}, &NewTag { name: "Contract tag".into() });
    assert!(call!(ops::ListTags, &(), &NoQuery {}, &()).items.contains(&tag));
    let tagged = call!(
        ops::SetLeadTags,
        &id,
        &NoQuery {},
        &SetTags { tag_ids: vec![json!(tag.id.0)], version: Some(moved.record.version) }
    );
    let preview = call!(ops::PreviewLead, &id, &NoQuery {}, &());
    assert_eq!(preview.tags.len(), 1);
    assert!(!call!(ops::LeadHistory, &id, &NoQuery {}, &()).items.is_empty());
    let weights = call!(ops::GetLeadScoring, &(), &NoQuery {}, &());
    call!(ops::PutLeadScoring, &(), &NoQuery {}, &weights);

    let answer = call!(
        ops::LeadCopilot,
        &id,
        &NoQuery {},
        &vigil_api::copilot::CopilotAsk { ask: vigil_api::copilot::Ask::Qualify, question: None }
    );
    assert!(answer.bant.is_some());

    // Customers.
    let customer_options = call!(ops::CustomerFormOptionsOp, &(), &NoQuery {}, &());
    let location = customer_options.office_locations.first().expect("a location").id;
    let home = call!(
        ops::ConvertLead,
        &id,
        &NoQuery {},
        &Convert {
            office_location_id: Some(json!(location.0)),
            sold_by_id: customer_options.sold_by.first().map(|u| u.id.to_string()),
            version: Some(tagged.record.version),
            opportunity: Some(vigil_api::opportunities::NewOpportunity {
                name: Some("Typed deal".into()),
                amount: Some(json!(100)),
            }),
            ..Convert::default()
        }
    );
    assert_eq!(home.id, lead.record.id);
    let opps = call!(ops::ListOpportunities, &id, &NoQuery {}, &()).items;
    assert_eq!(opps.len(), 1);
    let edit = vigil_api::opportunities::OpportunityEdit {
        id: opps[0].id,
        version: Some(opps[0].version),
        stage: Some("proposal".into()),
        ..Default::default()
    };
    assert_eq!(call!(ops::UpdateOpportunity, &id, &NoQuery {}, &edit).stage, "proposal");
    let customers = call!(ops::ListCustomers, &(), &ListQuery::default(), &());
    assert!(!customers.items.is_empty());
    let home = call!(ops::GetCustomer, &id, &NoQuery {}, &());
    let home = call!(ops::UpdateCustomer, &id, &NoQuery {}, &form(json!({"city": "Lehi", "version": home.version})));
    let home = call!(ops::SetCustomerTags, &id, &NoQuery {}, &SetTags { tag_ids: vec![], version: Some(home.version) });
    assert!(home.tag_list.is_empty());
    let new_customer = form(json!({"first_name": "Typed", "last_name": "Customer", "primary_phone": "(801) 555-0142",
        "city": "Provo", "state": "UT", "zip": "84601", "address1": "77 Canyon Rd", "account_type": "residential",
        "office_location_id": location.0}));
    let other = call!(ops::CreateCustomer, &(), &CreateLeadQuery::default(), &new_customer);
    let copy = call!(ops::DuplicateCustomer, &RecordPath { id: other.id }, &NoQuery {}, &());
    call!(ops::DeleteCustomer, &RecordPath { id: copy.id }, &NoQuery {}, &());
    call!(ops::CustomerParentCandidates, &(), &CandidatesQuery { q: "Typed".into(), exclude: Some(home.id) }, &());
    let items = ItemsPath { id: home.id, collection: Collection::Notes };
    let note = call!(ops::CreateCustomerItem, &items, &NoQuery {}, &form(json!({"text": "A typed note"})));
    assert_eq!(call!(ops::ListCustomerItems, &items, &NoQuery {}, &()).items, vec![note.clone()]);
    let item = ItemPath { id: home.id, collection: Collection::Notes, item_id: note.id };
    let closed =
        call!(ops::UpdateCustomerItem, &item, &NoQuery {}, &form(json!({"version": note.version, "status": "closed"})));
    assert_eq!((closed.status.as_str(), closed.version), ("closed", note.version + 1));
    call!(ops::CustomerHistory, &id, &HistoryQuery { per_page: Some(10), cursor: None }, &());
    call!(ops::CustomerArchivePreview, &id, &NoQuery {}, &());
    let archived = call!(ops::ArchiveCustomer, &id, &NoQuery {}, &Confirm { confirm: true, include_children: false });
    assert!(archived.archived);
    call!(ops::UnarchiveCustomer, &id, &NoQuery {}, &Confirm { confirm: true, include_children: false });

    // Customer workflows: a definition, a new version of it, an enrollment and a completed step.
    let new_workflow: NewWorkflow = serde_json::from_value(json!({
        "name": "Contract workflow", "layout": "stepped", "languages": ["en"],
        "steps": [{"title": {"en": "Welcome"}, "content": {"en": "Hello {{customer.first_name}}"},
                   "type": "instructions", "fields": [], "completion": "acknowledge", "optional": false,
                   "generates": null}]
    }))
    .expect("a workflow body");
    let workflow = call!(ops::CreateCustomerWorkflow, &(), &NoQuery {}, &new_workflow);
    let workflow_path = WorkflowPath { id: workflow.id };
    let patch =
        WorkflowPatch { version: workflow.version, name: Some("Contract workflow v2".into()), ..Default::default() };
    let workflow = call!(ops::UpdateCustomerWorkflow, &workflow_path, &NoQuery {}, &patch);
    call!(ops::GetCustomerWorkflow, &workflow_path, &WorkflowVersionQuery { version: Some(1) }, &());
    assert!(call!(ops::ListCustomerWorkflows, &(), &NoQuery {}, &()).items.contains(&workflow));
    let started =
        call!(ops::StartEnrollment, &id, &NoQuery {}, &NewEnrollment { workflow_id: workflow.id, language: None });
    assert!(call!(ops::ListEnrollments, &id, &NoQuery {}, &()).items.iter().any(|e| e.id == started.id));
    let enrollment_path = EnrollmentPath { id: started.id };
    let enrollment = call!(ops::GetEnrollment, &enrollment_path, &EnrollmentQuery::default(), &());
    let step_id = enrollment.steps.first().map(|s| s.id).expect("the workflow has a step");
    let step = StepPath { id: started.id, step_id };
    let done = call!(
        ops::CompleteEnrollmentStep,
        &step,
        &NoQuery {},
        &CompleteStep { outcome: Outcome::Acknowledged, version: enrollment.version }
    );
    assert_eq!(done.progress, Progress { done: 1, total: 1 });

    // Settings.
    let field = call!(
        ops::CreateCustomField,
        &(),
        &NoQuery {},
        &form(json!({"name": "Contract test note", "field_type": "text"}))
    );
    let field_path = FieldPath { id: field.id };
    let field = call!(
        ops::UpdateCustomField,
        &field_path,
        &NoQuery {},
        &form(json!({"required": false, "version": field.version}))
    );
    assert!(call!(ops::ListCustomFields, &(), &NoQuery {}, &()).items.contains(&field));
    call!(ops::DeleteCustomField, &field_path, &VersionQuery { version: field.version }, &());
    let mmr = call!(ops::GetMmrSettings, &(), &NoQuery {}, &());
    let mmr = call!(ops::PutMmrSettings, &(), &NoQuery {}, &serde_json::to_value(&mmr).expect("serialises"));
    call!(ops::ListMmrRates, &(), &RatesQuery { customer_id: Some(home.id), ..Default::default() }, &());
    call!(ops::ListOutbox, &(), &CursorQuery::default(), &());
    drop(mmr);

    // Partner companies, campaigns and message templates.
    let template = call!(
        ops::CreateMessageTemplate,
        &(),
        &NoQuery {},
        &form(json!({"name": "Contract template", "subject": "Lead {{lead_id}}", "body": "Hi {{first_name}}"}))
    );
    let template_path = FieldPath { id: template.id };
    assert_eq!(call!(ops::GetMessageTemplate, &template_path, &NoQuery {}, &()), template);
    let template = call!(
        ops::UpdateMessageTemplate,
        &template_path,
        &NoQuery {},
        &form(json!({"body": "Hello {{first_name}}", "version": template.version}))
    );
    assert!(call!(ops::ListMessageTemplates, &(), &NoQuery {}, &()).items.contains(&template));
    let rendered = call!(
        ops::PreviewMessageTemplate,
        &template_path,
        &NoQuery {},
        &vigil_api::partners::PreviewRequest { record_id: lead.record.id }
    );
    assert_eq!(rendered.body, "Hello Contract");
    let partner = call!(
        ops::CreatePartner,
        &(),
        &NoQuery {},
        &form(json!({"name": "Contract Partner", "sells_leads": true, "default_lead_location": "pending",
            "lead_auto_response_template_id": template.id}))
    );
    let partner_path = FieldPath { id: partner.id.0 };
    assert_eq!(call!(ops::GetPartner, &partner_path, &NoQuery {}, &()), partner);
    let partner = call!(
        ops::UpdatePartner,
        &partner_path,
        &NoQuery {},
        &form(json!({"notes": "typed", "version": partner.version}))
    );
    assert!(!call!(ops::PartnerHistory, &partner_path, &NoQuery {}, &()).items.is_empty());
    let returns = call!(ops::PartnerReturns, &partner_path, &HistoryQuery { per_page: Some(10), cursor: None }, &());
    assert!(returns.items.is_empty() && returns.next_cursor.is_none(), "a new partner has no returns");
    let campaign = call!(ops::CreateCampaign, &partner_path, &NoQuery {}, &form(json!({"name": "Contract campaign"})));
    let campaign_path = FieldPath { id: campaign.id.0 };
    let campaign = call!(
        ops::UpdateCampaign,
        &campaign_path,
        &NoQuery {},
        &form(json!({"direction": "outbound", "version": campaign.version}))
    );
    assert_eq!(call!(ops::ListCampaigns, &partner_path, &NoQuery {}, &()).items, vec![campaign.clone()]);
    call!(ops::DeleteCampaign, &campaign_path, &VersionQuery { version: campaign.version }, &());
    call!(ops::DeletePartner, &partner_path, &VersionQuery { version: partner.version }, &());
    call!(ops::DeleteMessageTemplate, &template_path, &VersionQuery { version: template.version }, &());

    let buyer = call!(
        ops::CreatePartner,
        &(),
        &NoQuery {},
        &form(json!({"name": "Contract Buyer", "buys_leads": true, "lead_delivery_method": "email",
            "lead_sale_emails": ["buy@buyer.test"], "buys_customers": true, "customer_delivery_method": "email",
            "customer_sale_emails": ["buy@buyer.test"]}))
    );
    let sold = call!(
        ops::SellLeads,
        &(),
        &NoQuery {},
        &vigil_api::selling::SellLeads { lead_ids: vec![page.items[1].id], partner_id: buyer.id, campaign_id: None }
    );
    call!(
        ops::SellCustomer,
        &RecordPath { id: other.id },
        &NoQuery {},
        &vigil_api::selling::SellCustomer { partner_id: buyer.id, campaign_id: None }
    );
    let sales =
        call!(ops::ListSalesToPartners, &(), &vigil_api::selling::SalesQuery { partner_id: Some(buyer.id.0) }, &());
    assert!(sales.items.iter().any(|s| s.sale_id == sold.sale_id), "{sales:?}");
    // Orders and accounting on the second customer: the catalog, a template applied with an invoice, a quote turned into
    // an invoice, a card token from the sandbox processor, a payment, and a work order.
    use vigil_api::accounting::{DocumentKind, NewBillingMethod, NewInvoice, NewLine, NewPayment, QuoteToInvoice};
    use vigil_api::orders::{ApplyOrderTemplate, CatalogKind, CatalogPath, CatalogSave, Prepopulate, WorkOrderSave};
    let catalog = call!(ops::GetCatalog, &(), &NoQuery {}, &());
    let wire = call!(
        ops::CreateCatalogEntry,
        &(),
        &NoQuery {},
        &CatalogSave { kind: Some(CatalogKind::WireType), name: Some("Contract wire".into()), ..Default::default() }
    );
    let save = CatalogSave {
        kind: Some(CatalogKind::WireType),
        version: Some(wire.version),
        active: Some(false),
        ..Default::default()
    };
    assert!(!call!(ops::UpdateCatalogEntry, &CatalogPath { id: wire.id }, &NoQuery {}, &save).active);
    let templates = call!(ops::ListOrderTemplates, &(), &NoQuery {}, &()).items;
    let t = templates.iter().find(|t| !t.packages.is_empty()).expect("a template with a package");
    let seller = catalog.sold_by.first().and_then(|s| s.user_id.clone()).expect("a seller");
    let cid = RecordPath { id: other.id };
    let home = call!(ops::GetCustomer, &cid, &NoQuery {}, &());
    let applied = call!(
        ops::ApplyOrderTemplate,
        &cid,
        &NoQuery {},
        &ApplyOrderTemplate {
            order_template_id: Some(t.id),
            mmr_id: t.mmrs.first().map(|m| m.id),
            package_id: t.packages.first().map(|p| p.id),
            sold_by_id: Some(seller.to_string()),
            prepopulate: Some(Prepopulate::Invoice),
            version: Some(home.version),
            ..Default::default()
        }
    );
    let invoice = applied.document.expect("the pre-populated invoice");
    let line = NewLine { description: Some("Contract line".into()), unit_cents: Some(json!(1250)), quantity: None };
    let quote = call!(
        ops::CreateInvoice,
        &cid,
        &NoQuery {},
        &NewInvoice { kind: Some(DocumentKind::Quote), lines: vec![line], ..Default::default() }
    );
    let made =
        call!(ops::QuoteToInvoice, &cid, &NoQuery {}, &QuoteToInvoice { quote_id: quote.id, version: quote.version });
    assert_eq!(made.total_cents, 1250);
    let token: Value = rt
        .http()
        .post(rt.url("/sandbox-processor/tokens"))
        .json(&json!({"number": "4242424242424242", "exp_month": 12, "exp_year": 2031, "cvc": "123"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let method = call!(
        ops::CreateBillingMethod,
        &cid,
        &NoQuery {},
        &NewBillingMethod {
            kind: Some("card".into()),
            token: token["token"].as_str().map(str::to_owned),
            brand: Some("Visa".into()),
            last4: Some("4242".into()),
            exp_month: Some(12),
            exp_year: Some(2031),
        }
    );
    let payment = NewPayment {
        invoice_id: Some(invoice.id),
        billing_method_id: Some(method.id),
        amount_cents: Some(json!(invoice.total_cents)),
        ..Default::default()
    };
    call!(ops::CreatePayment, &cid, &NoQuery {}, &payment);
    let books = call!(ops::GetAccounting, &cid, &NoQuery {}, &());
    assert_eq!(books.balance_cents, 1250);
    let equipment_item_ids = Some(applied.equipment.iter().map(|e| e.id).collect());
    let wo = WorkOrderSave { kind: Some("installation".into()), equipment_item_ids, ..Default::default() };
    let wo = call!(ops::CreateWorkOrder, &cid, &NoQuery {}, &wo);
    let edit = WorkOrderSave {
        id: Some(wo.id),
        version: Some(wo.version),
        status: Some("scheduled".into()),
        ..Default::default()
    };
    call!(ops::UpdateWorkOrder, &cid, &NoQuery {}, &edit);
    assert_eq!(call!(ops::ListWorkOrders, &cid, &NoQuery {}, &()).items[0].status, "scheduled");

    call!(ops::DeleteLead, &RecordPath { id: page.items[0].id }, &NoQuery {}, &());

    // Credit: the add-on's settings, a pull (a job), the list, apply and a manual score.
    use vigil_api::credit::{ApplyCredit, CreditCheckPath, CreditSettings, CreditStatus, ManualCredit, RunCredit};
    let settings = call!(ops::GetCreditSettings, &(), &NoQuery {}, &());
    let saved = call!(ops::PutCreditSettings, &(), &NoQuery {}, &CreditSettings { ..settings.settings.clone() });
    assert_eq!(saved.settings.version, settings.settings.version + 1);
    let mut scored = new_customer.clone();
    scored.insert("first_name".into(), json!("Scored"));
    scored.insert("ssn".into(), json!("123-45-6780"));
    let scored = call!(ops::CreateCustomer, &(), &CreateLeadQuery::default(), &scored);
    let path = RecordPath { id: scored.id };
    let run = RunCredit { bureau: "sandbox".into(), ..Default::default() };
    let check = call!(ops::RunCreditCheck, &path, &NoQuery {}, &run);
    assert_eq!(check.status, CreditStatus::Pending);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let checks = call!(ops::ListCreditChecks, &path, &NoQuery {}, &()).items;
        if checks.iter().any(|c| c.id == check.id && c.status == CreditStatus::Completed) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the pull did not finish: {checks:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let applied = call!(
        ops::ApplyCreditCheck,
        &CreditCheckPath { id: check.id },
        &NoQuery {},
        &ApplyCredit { version: Some(scored.version) }
    );
    let manual = ManualCredit { score: Some(640), transaction_id: None, version: Some(applied.version) };
    call!(ops::EnterCreditScore, &path, &NoQuery {}, &manual);

    // Monitoring companies and ADT PreCheck.
    use vigil_api::monitoring::{MonitoringCompanyForm, MonitoringCompanyPath, MonitoringKind, RefreshPrecheck};
    let companies = call!(ops::ListMonitoringCompanies, &(), &NoQuery {}, &()).items;
    let adt = companies.iter().find(|m| m.kind == MonitoringKind::Adt && m.active).expect("Acme's ADT").clone();
    let monitoring = MonitoringCompanyForm { name: Some("Contract Monitoring".into()), ..Default::default() };
    let made = call!(ops::CreateMonitoringCompany, &(), &NoQuery {}, &monitoring);
    let made_path = MonitoringCompanyPath { id: made.id };
    let got = call!(ops::GetMonitoringCompany, &made_path, &NoQuery {}, &());
    let patch = MonitoringCompanyForm { active: Some(false), version: Some(got.version), ..Default::default() };
    assert!(!call!(ops::UpdateMonitoringCompany, &made_path, &NoQuery {}, &patch).active);
    let mut prechecked = new_customer.clone();
    for (k, v) in [
        ("first_name", json!("Prechecked")),
        ("run_adt_precheck", json!(true)),
        ("monitored_by_id", json!(adt.id)),
        ("birthdate", json!("1980-05-17")),
        ("ssn", json!("123-45-6781")),
        ("email", json!("pre@check.test")),
        ("county", json!("Utah")),
    ] {
        prechecked.insert(k.into(), v);
    }
    let prechecked = call!(ops::CreateCustomer, &(), &CreateLeadQuery::default(), &prechecked);
    let pc_path = RecordPath { id: prechecked.id };
    call!(ops::GetAdtPrecheck, &pc_path, &NoQuery {}, &());
    call!(ops::RefreshAdtPrecheck, &pc_path, &NoQuery {}, &RefreshPrecheck {});
    // Public intake: a key (admin), a post with it, its receipt, the preflight, the duplicate window.
    let new_key = vigil_api::intake::NewIntakeKey {
        name: "Contract form".into(),
        partner_id: Some(source.id),
        allowed_origins: vec!["https://contract.example".into()],
        ..Default::default()
    };
    let issued = call!(ops::CreateIntakeKey, &(), &NoQuery {}, &new_key);
    assert!(call!(ops::ListIntakeKeys, &(), &NoQuery {}, &()).items.iter().any(|k| k.id == issued.view.id));
    let intake_settings = call!(ops::GetLeadIntakeSettings, &(), &NoQuery {}, &());
    call!(ops::PutLeadIntakeSettings, &(), &NoQuery {}, &intake_settings);
    let posted_lead;
    {
        let public = Client::new(&rt, issued.key.clone());
        let posted = public
            .call::<ops::PublicIntake>(
                &(),
                &NoQuery {},
                &form(json!({"first_name": "Public", "last_name": "Contract", "primary_phone": "8015550177",
                    "city": "Provo", "state": "UT"})),
            )
            .await
            .expect("a post with the key");
        called.push(Function::PublicIntake);
        let path = vigil_api::intake::ReceiptPath { id: posted.receipt_id.clone() };
        let r = public.call::<ops::PublicReceipt>(&path, &NoQuery {}, &()).await.expect("its receipt");
        called.push(Function::PublicReceipt);
        assert_eq!(r.receipt_id, posted.receipt_id);
        let public = &public;
        let path = &path;
        posted_lead =
            vigil_tests::runtime::eventually("the posted lead", std::time::Duration::from_secs(20), || async move {
                match public.call::<ops::PublicReceipt>(path, &NoQuery {}, &()).await.ok()?.status {
                    vigil_api::intake::ReceiptStatus::Created { lead_id } => Some(lead_id),
                    _ => None,
                }
            })
            .await;
        public.call::<ops::PublicPreflight>(&(), &NoQuery {}, &()).await.expect("a preflight");
        called.push(Function::PublicPreflight);
    }
    call!(ops::DeleteIntakeKey, &vigil_api::intake::IntakeKeyPath { id: issued.view.id }, &NoQuery {}, &());

    // The lead queue: open all day, the posted (pending) lead put in the queue, requested, then returned.
    let queue = call!(ops::GetLeadQueueSettings, &(), &NoQuery {}, &());
    let open = vigil_api::lead_queue::LeadQueueSettings { request_hours_start: 0, request_hours_end: 24, ..queue };
    call!(ops::PutLeadQueueSettings, &(), &NoQuery {}, &open);
    let moved = call!(
        ops::MoveLeadLocation,
        &RecordPath { id: posted_lead },
        &NoQuery {},
        &vigil_api::lead_queue::LocationMove {
            to: vigil_domain::record::LeadLocation::Queue,
            reason: "contract".into()
        }
    );
    assert_eq!(moved.record.location(), vigil_domain::record::LeadLocation::Queue);
    assert!(call!(ops::LeadQueueSummary, &(), &NoQuery {}, &()).queued >= 1);
    let requested = call!(ops::RequestLead, &(), &NoQuery {}, &());
    assert_eq!(requested.record.id, posted_lead);
    let report = call!(
        ops::ReturnLeads,
        &(),
        &NoQuery {},
        &vigil_api::lead_queue::ReturnLeads {
            lead_ids: vec![posted_lead],
            reason: "contract".into(),
            call_center_comments: String::new()
        }
    );
    assert_eq!(report.returned, vec![posted_lead]);
    // A CSV import's life, and the bulk rep reassignment.
    use vigil_api::imports::{ImportDefaults, ImportMode, ImportOptions, ImportState, NewImport, Reassign};
    let import = call!(ops::CreateImport, &(), &NoQuery {}, &NewImport { filename: "contract.csv".into() });
    let csv = "First Name,Last Name,Phone,City,State\nAnn,Contractcsv,8015550177,Provo,UT\nBo,,8015550178,Provo,UT\n";
    let put = rt.http().put(&import.upload_url).body(csv).send().await.expect("upload");
    assert_eq!(put.status(), 200);
    let import_path = FieldPath { id: import.id };
    let analysis = call!(ops::AnalyzeImport, &import_path, &NoQuery {}, &());
    let import_options = ImportOptions {
        mapping: analysis.suggested_mapping.clone(),
        mode: ImportMode::Create,
        match_key: None,
        defaults: ImportDefaults { source_id: Some(source.id), ..Default::default() },
    };
    let dry = call!(ops::DryRunImport, &import_path, &NoQuery {}, &import_options);
    assert_eq!((dry.valid_rows, dry.errors.len()), (1, 1), "{dry:?}");
    // The errors download is CSV, not JSON: called by hand.
    called.push(Function::ImportErrorsCsv);
    let admin = rt.sign_in("admin@acme.example").await;
    let errors = rt
        .http()
        .get(rt.url(&<ops::ImportErrorsCsv as vigil_api::Operation>::path(&import_path)))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("errors.csv");
    assert_eq!(errors.status(), 200);
    assert!(errors.text().await.expect("csv").contains("2,last_name,"));
    let queued = call!(ops::RunImport, &import_path, &NoQuery {}, &import_options);
    assert_eq!(queued.status, ImportState::Queued);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !call!(ops::GetImport, &import_path, &NoQuery {}, &()).status.finished() {
        assert!(std::time::Instant::now() < deadline, "the import did not finish");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let reverting = call!(ops::RevertImport, &import_path, &NoQuery {}, &());
    assert_eq!(reverting.status, ImportState::Reverting);
    let second = call!(ops::CreateImport, &(), &NoQuery {}, &NewImport { filename: "second.csv".into() });
    rt.http().put(&second.upload_url).body(csv).send().await.expect("upload");
    let second_path = FieldPath { id: second.id };
    call!(ops::RunImport, &second_path, &NoQuery {}, &import_options);
    // The run may finish before the cancel arrives: then it is a 409, still a contract answer.
    called.push(Function::CancelImport);
    match c.call::<ops::CancelImport>(&second_path, &NoQuery {}, &()).await {
        Ok(s) => assert_eq!(s.status, ImportState::Cancelled),
        Err(e) => assert_eq!(e.status, 409, "{}", e.body),
    }
    let report = call!(
        ops::ReassignLeads,
        &(),
        &NoQuery {},
        &Reassign { lead_ids: vec![page.items[2].id], lead_rep_id: Some("acme-lead-rep".into()), sales_rep_id: None }
    );
    assert_eq!(report.reassigned, 1, "{report:?}");
    // Creation workflows and a customer's wizard.
    use vigil_api::creation_workflows::{
        CreationKind, CreationType, CreationWorkflowForm, CreationWorkflowPath, WizardAction, WizardAdvance, WizardStep,
    };
    assert!(!call!(ops::ListCreationWorkflows, &(), &NoQuery {}, &()).items.is_empty());
    let wf_form = CreationWorkflowForm {
        name: Some("Contract Sales".into()),
        kind: Some(CreationKind::CustomerCreate),
        creation_type: Some(CreationType::SimpleSales),
        ..Default::default()
    };
    let wf = call!(ops::CreateCreationWorkflow, &(), &NoQuery {}, &wf_form);
    let wf_path = CreationWorkflowPath { id: wf.id };
    let got = call!(ops::GetCreationWorkflow, &wf_path, &NoQuery {}, &());
    let renamed = CreationWorkflowForm {
        name: Some("Contract Sales 2".into()),
        version: Some(got.version),
        ..Default::default()
    };
    assert_eq!(call!(ops::UpdateCreationWorkflow, &wf_path, &NoQuery {}, &renamed).version, 2);
    assert!(call!(ops::AvailableCreationWorkflows, &(), &NoQuery {}, &()).items.iter().any(|w| w.id == wf.id));
    let mut wizard_customer = new_customer.clone();
    wizard_customer.insert("first_name".into(), json!("Wizarded"));
    wizard_customer.insert("creation_workflow_id".into(), json!(wf.id));
    let wizarded = call!(ops::CreateCustomer, &(), &CreateLeadQuery { allow_duplicates: Some(true) }, &wizard_customer);
    let wz_path = RecordPath { id: wizarded.id };
    let wizard = call!(ops::GetCustomerWizard, &wz_path, &NoQuery {}, &());
    assert_eq!(wizard.state.step, Some(WizardStep::Qualify));
    let step =
        WizardAdvance { step: WizardStep::Qualify, action: WizardAction::Skip, version: wizard.customer.version };
    assert_eq!(call!(ops::AdvanceCustomerWizard, &wz_path, &NoQuery {}, &step).state.step, Some(WizardStep::Order));
    // The index backfill (last: its jobs run on while the test ends).
    use vigil_api::maintenance::ReindexStatus;
    assert_eq!(call!(ops::GetReindex, &(), &NoQuery {}, &()).status, ReindexStatus::Idle);
    let started = call!(ops::StartReindex, &(), &NoQuery {}, &());
    assert_eq!((started.status, started.records_seen), (ReindexStatus::Running, 0));
    assert!(call!(ops::GetReindex, &(), &NoQuery {}, &()).started_at.is_some());

    called.sort();
    called.dedup();
    let missed: Vec<_> = Function::ALL.iter().filter(|f| !called.contains(f)).collect();
    assert!(missed.is_empty(), "operations not exercised: {missed:?}");
    rt.stop().await;
}
