//! The adopted plan, read from the plan JSON with this crate's own types:
//! which person each stage plans for which day.

use std::collections::BTreeMap;

use serde::Deserialize;
use truce_ledger::{PartyId, PersonId};

/// Why a plan JSON could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The text is not JSON of the plan's shape.
    #[error("the plan is not plan JSON (line {line}, column {column}): {message}")]
    Json {
        /// 1-based line where reading stopped.
        line: usize,
        /// 1-based column where reading stopped.
        column: usize,
        /// What kind of error, in words (never a value from the text).
        message: String,
    },
    /// The plan's `status` is `infeasible`.
    #[error("the plan is `infeasible`: it plans no release to adopt")]
    Infeasible,
    /// A person is planned in more than one handover; holds the number of
    /// distinct persons read when the repeat was found (never a person id).
    #[error("the plan lists person {0} twice")]
    PersonTwice(usize),
}

/// One planned handover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedHandover {
    /// The day of the pause of the handover's stage, from 1.
    pub day: u32,
    /// The holder that releases the persons.
    pub from: PartyId,
    /// The intermediary that carries them, if the plan names one.
    pub via: Option<PartyId>,
    /// The persons released, by roster id.
    pub persons: Vec<PersonId>,
}

/// The plan as execution is compared with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSchedule {
    /// The last day with a handover.
    pub days_used: u32,
    /// Every planned handover, in the plan's stage order.
    pub handovers: Vec<PlannedHandover>,
    /// Each planned person's day.
    pub day_of: BTreeMap<PersonId, u32>,
}

#[derive(Deserialize)]
struct RawPlan {
    status: String,
    days_used: u32,
    stages: Vec<RawStage>,
}

#[derive(Deserialize)]
struct RawStage {
    day: u32,
    handovers: Vec<RawHandover>,
}

#[derive(Deserialize)]
struct RawHandover {
    from: PartyId,
    #[serde(default)]
    via: Option<PartyId>,
    persons: Vec<PersonId>,
}

impl PlanSchedule {
    /// The schedule of a plan JSON text (`truce plan --out`).
    pub fn from_json(json: &str) -> Result<PlanSchedule, PlanError> {
        let raw: RawPlan = serde_json::from_str(json).map_err(|e| PlanError::Json {
            line: e.line(),
            column: e.column(),
            // serde's message may quote a value; its category is enough.
            message: match e.classify() {
                serde_json::error::Category::Data => "a field has the wrong type or value".into(),
                serde_json::error::Category::Syntax => "not valid JSON".into(),
                serde_json::error::Category::Eof => "the text ends too early".into(),
                serde_json::error::Category::Io => "unreadable".into(),
            },
        })?;
        if raw.status == "infeasible" {
            return Err(PlanError::Infeasible);
        }
        let mut handovers = Vec::new();
        let mut day_of = BTreeMap::new();
        for stage in raw.stages {
            for h in stage.handovers {
                for p in &h.persons {
                    if day_of.insert(p.clone(), stage.day).is_some() {
                        return Err(PlanError::PersonTwice(day_of.len()));
                    }
                }
                handovers.push(PlannedHandover {
                    day: stage.day,
                    from: h.from,
                    via: h.via,
                    persons: h.persons,
                });
            }
        }
        Ok(PlanSchedule {
            days_used: raw.days_used,
            handovers,
            day_of,
        })
    }

    /// Persons planned in all.
    pub fn planned(&self) -> usize {
        self.day_of.len()
    }
}
