//! The checker's own reading of plan JSON: only the contract fields, so any
//! tool's plan can be checked, and nothing shared with the planner's types.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct PlanInput {
    pub format_version: Option<u32>,
    #[serde(default)]
    pub released: Option<BTreeMap<String, u32>>,
    #[serde(default)]
    pub days_used: Option<u32>,
    #[serde(default)]
    pub max_exposure: Option<f64>,
    pub stages: Vec<StageInput>,
    #[serde(default)]
    pub flows: Vec<FlowInput>,
}

#[derive(Debug, Deserialize)]
pub(super) struct FlowInput {
    pub id: String,
    pub per_day: u32,
    pub days: Vec<u32>,
}

#[derive(Debug, Deserialize)]
pub(super) struct StageInput {
    pub day: u32,
    pub handovers: Vec<HandoverInput>,
}

#[derive(Debug, Deserialize)]
pub(super) struct HandoverInput {
    pub from: String,
    #[serde(default)]
    pub via: Option<String>,
    pub persons: Vec<String>,
}

/// The plan, or a message saying why the text is not one.
pub(super) fn parse(text: &str) -> Result<PlanInput, String> {
    serde_json::from_str(text).map_err(|e| format!("the plan is not valid plan JSON: {e}"))
}
