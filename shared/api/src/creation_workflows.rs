//! Creation workflows (admin: Catalogs): the guided paths behind the **+ New Customer**, **+ New Lead** and
//! **Convert to Customer** split buttons, and a customer's wizard progress, stored with the record.

use crate::customers::CustomerHome;
use crate::operation::PathParams;
use serde::{Deserialize, Serialize};
use vigil_domain::Role;
use vigil_json::{FromJson, ToJson};

/// What a workflow creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreationKind {
    CustomerCreate,
    LeadCreate,
    LeadConversion,
}

/// The customer-create wizard types of the manual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreationType {
    Standard,
    SinglePage,
    SimpleSales,
    SmartSales,
    /// Offered only while the company has an active ADT monitoring company.
    Adt,
}

impl CreationType {
    pub const ALL: [CreationType; 5] = [
        CreationType::Standard,
        CreationType::SinglePage,
        CreationType::SimpleSales,
        CreationType::SmartSales,
        CreationType::Adt,
    ];

    pub fn label(self) -> &'static str {
        match self {
            CreationType::Standard => "Standard",
            CreationType::SinglePage => "Single page",
            CreationType::SimpleSales => "Simple Sales",
            CreationType::SmartSales => "Smart Sales",
            CreationType::Adt => "ADT",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CreationType::Standard => "standard",
            CreationType::SinglePage => "single_page",
            CreationType::SimpleSales => "simple_sales",
            CreationType::SmartSales => "smart_sales",
            CreationType::Adt => "adt",
        }
    }

    /// The steps of each type, fixed, as the manual's table has them.
    pub fn steps(self) -> &'static [WizardStep] {
        use WizardStep::*;
        match self {
            CreationType::Standard => &[Information, Sale, Installation],
            CreationType::SinglePage => &[Information],
            CreationType::SimpleSales => {
                &[Information, Qualify, Order, Equipment, Contacts, PaymentInformation, Review]
            }
            CreationType::SmartSales => &[
                Information,
                Qualify,
                Order,
                Equipment,
                Contacts,
                PaymentInformation,
                Review,
                WorkOrder,
                Schedule,
                NextStep,
            ],
            CreationType::Adt => &[Information, Qualify, Order, PaymentMethod, WorkOrder, Schedule, NextStep],
        }
    }
}

/// One step of a wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WizardStep {
    /// The first save (the record is created here).
    Information,
    Sale,
    Installation,
    Qualify,
    Order,
    Equipment,
    Contacts,
    PaymentInformation,
    /// The ADT flow's name for Payment Information.
    PaymentMethod,
    Review,
    WorkOrder,
    Schedule,
    NextStep,
}

impl WizardStep {
    pub fn label(self) -> &'static str {
        match self {
            WizardStep::Information => "Information",
            WizardStep::Sale => "Sale",
            WizardStep::Installation => "Installation",
            WizardStep::Qualify => "Qualify",
            WizardStep::Order => "Order",
            WizardStep::Equipment => "Equipment",
            WizardStep::Contacts => "Contacts",
            WizardStep::PaymentInformation => "Payment Information",
            WizardStep::PaymentMethod => "Payment Method",
            WizardStep::Review => "Review",
            WizardStep::WorkOrder => "Work Order",
            WizardStep::Schedule => "Schedule",
            WizardStep::NextStep => "Next Step",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WizardStep::Information => "information",
            WizardStep::Sale => "sale",
            WizardStep::Installation => "installation",
            WizardStep::Qualify => "qualify",
            WizardStep::Order => "order",
            WizardStep::Equipment => "equipment",
            WizardStep::Contacts => "contacts",
            WizardStep::PaymentInformation => "payment_information",
            WizardStep::PaymentMethod => "payment_method",
            WizardStep::Review => "review",
            WizardStep::WorkOrder => "work_order",
            WizardStep::Schedule => "schedule",
            WizardStep::NextStep => "next_step",
        }
    }
}

/// A creation workflow as stored and returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreationWorkflow {
    pub id: u32,
    pub name: String,
    pub active: bool,
    pub kind: CreationKind,
    /// Customer-create workflows only.
    #[serde(rename = "type")]
    pub creation_type: Option<CreationType>,
    /// Derived from the type (lead workflows have the one Information step).
    pub steps: Vec<WizardStep>,
    /// Custom fields pulled to the top of the first step, in this order. Lead-create and lead-conversion workflows
    /// require a value for each unless it is in `optional_custom_field_ids`.
    pub custom_field_ids: Vec<u32>,
    /// The per-field required flag, inverted so that stored workflows read as before: the fields of
    /// `custom_field_ids` the first step shows without requiring a value. Empty means every one is required.
    #[serde(default)]
    pub optional_custom_field_ids: Vec<u32>,
    /// Roles that may pick it; empty means every role.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// A customer workflow (issue 14) the new customer is enrolled in at Finish.
    #[serde(default)]
    pub enroll_workflow_id: Option<u32>,
    pub version: u64,
}

/// `POST /api/v1/settings/creation-workflows`, and `PATCH` (with `version`; fields left out stay; `kind` and `type`
/// are fixed at create).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct CreationWorkflowForm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CreationKind>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub creation_type: Option<CreationType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_field_ids: Option<Vec<u32>>,
    /// The listed custom fields shown without requiring a value (every other one is required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional_custom_field_ids: Option<Vec<u32>>,
    /// Role names (`admin`, `office`, `lead_rep`, `sales_rep`, `installer`, `partner`); an unknown one is a 422
    /// naming `roles`. Empty means every role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// `null` (or `0`) clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enroll_workflow_id: Option<u32>,
    /// Required on PATCH: the version read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// The `{id}` of a creation workflow route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreationWorkflowPath {
    pub id: u32,
}

impl PathParams for CreationWorkflowPath {
    fn fill(&self, template: &str) -> String {
        template.replace("{id}", &self.id.to_string())
    }
}

/// Where a customer's wizard stands, stored with the record and written with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WizardState {
    pub workflow_id: u32,
    /// The step to show; `null` once finished.
    pub step: Option<WizardStep>,
    pub completed_steps: Vec<WizardStep>,
    pub skipped_steps: Vec<WizardStep>,
    pub finished: bool,
}

/// `complete` (the step's work is done) or `skip` (moved on without it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WizardAction {
    Complete,
    Skip,
}

/// `POST /api/v1/customers/{id}/wizard`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WizardAdvance {
    pub step: WizardStep,
    pub action: WizardAction,
    /// The customer's version read.
    pub version: u64,
}

/// How one step of the wizard stands for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Current,
    Completed,
    Skipped,
}

/// A step badge of the progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WizardStepView {
    pub step: WizardStep,
    pub label: String,
    pub status: StepStatus,
    /// Whether the caller may do this step's work; when not, `reason` says why and Skip is the way on.
    pub available: bool,
    pub reason: Option<String>,
}

/// `GET /api/v1/customers/{id}/wizard` (and what `POST` answers): the workflow, the progress and the customer as
/// the caller may read it.
#[derive(Debug, Clone, PartialEq, Serialize, ToJson, Deserialize, FromJson)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct WizardView {
    pub workflow: CreationWorkflow,
    pub state: WizardState,
    pub steps: Vec<WizardStepView>,
    pub customer: CustomerHome,
}
