//! A [`Plan`] from stages written by hand or by another tool: the stages as
//! written, every figure the independent checker's.

use truce_spec::Deal;

use crate::check::CheckReport;
use crate::plan::{PLAN_FORMAT_VERSION, Plan, PlannedFlow, Proof, Stage, Status};

impl Plan {
    /// A plan of `stages` (and `flows`) written outside the planner, with
    /// the figures `report` recomputed: `released`, `days_used` and
    /// `max_exposure` are the checker's, never the writer's.
    ///
    /// `report` is [`check_plan`](crate::check_plan)'s judgement of these
    /// stages against `deal`; a report with violations still gives a plan
    /// (the stages as written, for a caller that warns and goes on, as
    /// `truce simulate --plan` does). The plan claims nothing the checker
    /// does not establish: `status` is `feasible` with no `gap`, no level
    /// is proven, and `tier_weighted_days` is 0 (the checker does not
    /// compute the tier order).
    ///
    /// ```
    /// # use truce_spec::{LoadOptions, ReadError, load};
    /// # let mut roster = |path: &str, _max: u64| match path {
    /// #     "rosters/side-a.csv" => Ok(include_bytes!("../../truce-cli/tests/fixtures/deferred/rosters/side-a.csv").to_vec()),
    /// #     "rosters/side-b.csv" => Ok(include_bytes!("../../truce-cli/tests/fixtures/deferred/rosters/side-b.csv").to_vec()),
    /// #     _ => Err(ReadError::NotFound),
    /// # };
    /// # let toml = include_bytes!("../../truce-cli/tests/fixtures/deferred/deal.toml");
    /// # let deal = load("deal.toml", toml, &mut roster, &LoadOptions::default()).deal.unwrap();
    /// use truce_plan::{Plan, Stage, check_plan};
    ///
    /// // Side-b's 2 children on day 1, paid for by side-a's 2 on day 2.
    /// let text = r#"{"format_version": 1, "stages": [
    ///   {"day": 1, "handovers": [{"from": "side-b", "via": "relief", "persons": ["B-0001", "B-0002"]}]},
    ///   {"day": 2, "handovers": [{"from": "side-a", "via": "relief", "persons": ["A-0001", "A-0002"]}]}
    /// ]}"#;
    /// let report = check_plan(&deal, text);
    /// assert!(report.is_valid());
    /// #[derive(serde::Deserialize)]
    /// struct Written {
    ///     stages: Vec<Stage>,
    /// }
    /// let written: Written = serde_json::from_str(text)?;
    /// let plan = Plan::from_stages(&deal, written.stages, Vec::new(), &report);
    /// assert_eq!((plan.total_released(), plan.days_used, plan.max_exposure), (4, 2, 2.0));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn from_stages(
        deal: &Deal,
        stages: Vec<Stage>,
        flows: Vec<PlannedFlow>,
        report: &CheckReport,
    ) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            deal: deal.name.clone(),
            status: Status::Feasible,
            gap: None,
            released: report.released.clone(),
            days_used: report.days_used,
            max_exposure: report.max_exposure,
            tier_weighted_days: 0,
            proof: Proof::default(),
            unproven: None,
            bound: None,
            stages,
            conflicts: Vec::new(),
            flows,
            replanned: None,
        }
    }
}
