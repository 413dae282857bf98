//! Every integration and end-to-end test, one module per area, linked into one binary.
//!
//! One binary rather than one per file: each test binary links the whole server, the runtime and both backends
//! (about 95 MB in a debug build), so fifty of them cost gigabytes of disk and minutes of linking on a fresh CI
//! machine. Tests in different modules share this process: moto and the portal's build are started once. What is
//! process-wide is shared too: the credit checks install the global tracing subscriber to capture logs, so it
//! captures other tests' lines as well, and no test may set environment variables (a test that needs its own
//! environment or logging runs itself in a child process, `vigil_tests::run_logged_child`).
//!
//! One area: `cargo test -p vigil-tests --test suite leads_api::`.

mod accounting_api;
mod adt_precheck;
mod api_flows;
mod browser;
mod browser_accounting;
mod browser_custom_fields;
mod browser_customers;
mod browser_home_cards;
mod browser_lead_copilot;
mod browser_lead_import;
mod browser_lead_queue;
mod browser_lead_search;
mod browser_leads;
mod browser_mmr;
mod browser_mmr_admin;
mod browser_new_customer;
mod browser_partners;
mod browser_wizards;
mod browser_workflows;
mod cognito_tokens;
mod concurrency;
mod contract_api;
mod contract_aws;
mod contract_embedded;
mod conversion_opportunity;
mod copilot;
mod creation_workflows;
mod credit_checks;
mod custom_fields_api;
mod customer_workflows;
mod customers_api;
mod email_delivery;
mod home_cards;
mod index_backfill;
mod lead_import;
mod lead_intake;
mod lead_queue;
mod leads_api;
mod leads_list;
mod list_hardening;
mod mmr_api;
mod openapi;
mod orders_api;
mod outbox_jobs;
mod partner_emails;
mod partner_login;
mod partners_api;
mod payment_void;
mod rehearsal_flows;
mod rehearsal_stack;
mod routes;
mod security_masking;
mod selling_partners;
mod ssn_keys;
