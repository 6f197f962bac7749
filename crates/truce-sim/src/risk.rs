//! The risk model: what may go wrong on each day of the pause, and what the
//! parties do about it. Every number is the user's assumption. The defaults
//! are **illustrative** (round numbers that make a simulation show something);
//! they are not estimates from data, and the CLI says so whenever it uses one.

use serde::{Deserialize, Serialize};

/// The risk model file's `format_version` this build reads.
pub const RISK_FORMAT_VERSION: u32 = 1;

/// A risk model (`risk.toml` beside the deal). Every field has an
/// illustrative default; see `docs/simulate.md` for each one's meaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskModel {
    /// The file format's version; must be [`RISK_FORMAT_VERSION`].
    pub format_version: u32,
    /// `[handover]`: delays and partial handovers.
    pub handover: HandoverRisk,
    /// `[breach]`: reported breaches and how long they stay open.
    pub breach: BreachRisk,
    /// `[suspension]`: days without handovers.
    pub suspension: SuspensionRisk,
    /// `[collapse]`: the daily and per-handover collapse hazard.
    pub collapse: CollapseRisk,
    /// `[policy]`: what the parties do when the plan slips.
    pub policy: Policy,
}

/// What may happen to one handover.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HandoverRisk {
    /// Probability that a handover (and the rest of its day's stage) slips to
    /// the next day of the pause.
    pub delay: f64,
    /// Probability that a handover carries only part of its persons; the rest
    /// are owed and carried first on the next day.
    pub partial: f64,
    /// The share carried by a partial handover is uniform in
    /// `[partial_share_min, 1)`, rounded down per category.
    pub partial_share_min: f64,
}

/// Breach reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BreachRisk {
    /// Probability that a breach is reported on a day of the pause.
    pub daily: f64,
    /// A reported breach stays open a uniform whole number of days in
    /// `[open_days_min, open_days_max]` (the day it is reported counts).
    pub open_days_min: u32,
    /// The longest a reported breach stays open, in days (inclusive).
    pub open_days_max: u32,
}

/// Suspensions: no handovers while suspended; the pause's calendar runs on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SuspensionRisk {
    /// Probability that a suspension starts on a day of the pause.
    pub daily: f64,
    /// Per-day override of `daily` (day 1 first), as for collapse.
    pub by_day: Vec<f64>,
    /// Added to `daily` per breach open that day.
    pub per_open_breach: f64,
    /// Its length, uniform in whole days `[days_min, days_max]`; then the
    /// deal resumes.
    pub days_min: u32,
    /// The longest suspension, in days (inclusive).
    pub days_max: u32,
}

/// The collapse hazard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollapseRisk {
    /// Base probability of collapse at the start of each day of the pause.
    pub daily: f64,
    /// Per-day override of `daily` (day 1 first); days beyond the list use
    /// `daily`. `by_day = [0, 0, 1]` is a certain collapse on day 3.
    pub by_day: Vec<f64>,
    /// Added to the day's hazard per breach open that day.
    pub per_open_breach: f64,
    /// Added to the day's hazard per consecutive day of the pause without a
    /// release before it.
    pub per_idle_day: f64,
    /// Probability of collapse after each handover per person of exposure
    /// then (a side that has given and is not yet paid may walk away).
    pub per_exposure: f64,
}

/// What the parties do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Extend the pause by one day for each day lost to a delay or a
    /// suspension, up to this many days in all (0: never extend).
    pub extend_lost_days: u32,
    /// What the parties do when they fall behind the plan.
    pub replan: Replan,
}

/// Re-planning the rest when behind the plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Replan {
    /// Carry on with the plan's stages, one a day.
    None,
    /// A day that carries an overdue stage also carries the next planned
    /// stage, merged handover by handover, when the intermediary's capacity
    /// and each roster's `max_per_day` allow.
    #[default]
    CatchUp,
    /// At the first day a run starts behind, the exact planner re-plans the
    /// rest (`truce_plan::replan`) after what was carried out; then catch-up.
    /// When the carried-out part cannot be re-planned (a shortfall left a day
    /// unpaid), catch-up. Slower: one planner call per distinct history.
    Exact,
}

impl Default for RiskModel {
    fn default() -> Self {
        RiskModel {
            format_version: RISK_FORMAT_VERSION,
            handover: HandoverRisk::default(),
            breach: BreachRisk::default(),
            suspension: SuspensionRisk::default(),
            collapse: CollapseRisk::default(),
            policy: Policy::default(),
        }
    }
}

impl Default for HandoverRisk {
    fn default() -> Self {
        HandoverRisk {
            delay: 0.05,
            partial: 0.03,
            partial_share_min: 0.5,
        }
    }
}

impl Default for BreachRisk {
    fn default() -> Self {
        BreachRisk {
            daily: 0.10,
            open_days_min: 1,
            open_days_max: 2,
        }
    }
}

impl Default for SuspensionRisk {
    fn default() -> Self {
        SuspensionRisk {
            daily: 0.02,
            by_day: Vec::new(),
            per_open_breach: 0.10,
            days_min: 1,
            days_max: 2,
        }
    }
}

impl Default for CollapseRisk {
    fn default() -> Self {
        CollapseRisk {
            daily: 0.02,
            by_day: Vec::new(),
            per_open_breach: 0.03,
            per_idle_day: 0.02,
            per_exposure: 0.001,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            extend_lost_days: 2,
            replan: Replan::CatchUp,
        }
    }
}

impl RiskModel {
    /// A model where nothing goes wrong (every probability 0).
    pub fn none() -> RiskModel {
        RiskModel {
            format_version: RISK_FORMAT_VERSION,
            handover: HandoverRisk {
                delay: 0.0,
                partial: 0.0,
                partial_share_min: 0.5,
            },
            breach: BreachRisk {
                daily: 0.0,
                ..BreachRisk::default()
            },
            suspension: SuspensionRisk {
                daily: 0.0,
                per_open_breach: 0.0,
                ..SuspensionRisk::default()
            },
            collapse: CollapseRisk {
                daily: 0.0,
                by_day: Vec::new(),
                per_open_breach: 0.0,
                per_idle_day: 0.0,
                per_exposure: 0.0,
            },
            policy: Policy {
                extend_lost_days: 0,
                replan: Replan::None,
            },
        }
    }

    /// The probability a suspension starts on `day` (1-based), before breaches.
    pub(crate) fn base_suspension(&self, day: u32) -> f64 {
        self.suspension
            .by_day
            .get(day as usize - 1)
            .copied()
            .unwrap_or(self.suspension.daily)
    }

    /// The collapse hazard's base on `day` (1-based).
    pub(crate) fn base_hazard(&self, day: u32) -> f64 {
        self.collapse
            .by_day
            .get(day as usize - 1)
            .copied()
            .unwrap_or(self.collapse.daily)
    }
}

/// A risk model file that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct RiskError {
    /// The risk model file's name, as given to [`parse_risk`].
    pub file: String,
    /// 1-based; 1 when the problem has no single place.
    pub line: usize,
    /// 1-based column of the problem on `line` (1 when it has no single place).
    pub column: usize,
    /// What is wrong, without the location.
    pub message: String,
}

/// Reads a risk model from TOML text (`file` names it in errors).
///
/// ```
/// let risk = truce_sim::parse_risk("risk.toml", "[collapse]\ndaily = 0.05\n").unwrap();
/// assert_eq!(risk.collapse.daily, 0.05);
/// let err = truce_sim::parse_risk("risk.toml", "[collapse]\ndaily = 2\n").unwrap_err();
/// assert_eq!((err.line, err.column), (2, 1));
/// ```
pub fn parse_risk(file: &str, text: &str) -> Result<RiskModel, RiskError> {
    let at = |offset: usize| {
        let before = &text[..offset.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        (line, column)
    };
    let model: RiskModel = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| at(s.start));
        RiskError {
            file: file.to_owned(),
            line,
            column,
            message: e.message().trim_end().to_owned(),
        }
    })?;
    if let Some((key, message)) = model.problem() {
        // Point at the key when it is written; else at the file.
        let (line, column) = find_key(text, key)
            .or_else(|| find_section(text, key))
            .map_or((1, 1), at);
        return Err(RiskError {
            file: file.to_owned(),
            line,
            column,
            message,
        });
    }
    Ok(model)
}

/// The offset of the line that sets `section.key` (or `key` under its table).
fn find_key(text: &str, path: &str) -> Option<usize> {
    let (section, key) = path.split_once('.').unwrap_or(("", path));
    let mut current = "";
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[') {
            current = name.trim_end_matches(']').trim();
        } else if current == section
            && trimmed
                .split('=')
                .next()
                .is_some_and(|k| k.trim() == key && trimmed.contains('='))
        {
            return Some(offset + (line.len() - line.trim_start().len()));
        }
        offset += line.len();
    }
    None
}

/// The offset of the `[section]` header of `section.key`, when the key
/// itself is not written (its default is what is out of range).
fn find_section(text: &str, path: &str) -> Option<usize> {
    let (section, _) = path.split_once('.')?;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed
            .strip_prefix('[')
            .is_some_and(|n| n.trim_end_matches(']').trim() == section)
        {
            return Some(offset + (line.len() - line.trim_start().len()));
        }
        offset += line.len();
    }
    None
}

impl RiskModel {
    /// The first value out of its range, as (`section.key`, message).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.format_version != RISK_FORMAT_VERSION {
            return Some((
                "format_version",
                format!(
                    "format_version {} is not supported: this build reads {RISK_FORMAT_VERSION}",
                    self.format_version
                ),
            ));
        }
        let probabilities: [(&'static str, f64); 10] = [
            ("handover.delay", self.handover.delay),
            ("handover.partial", self.handover.partial),
            (
                "handover.partial_share_min",
                self.handover.partial_share_min,
            ),
            ("breach.daily", self.breach.daily),
            ("suspension.daily", self.suspension.daily),
            (
                "suspension.per_open_breach",
                self.suspension.per_open_breach,
            ),
            ("collapse.daily", self.collapse.daily),
            ("collapse.per_open_breach", self.collapse.per_open_breach),
            ("collapse.per_idle_day", self.collapse.per_idle_day),
            ("collapse.per_exposure", self.collapse.per_exposure),
        ];
        for (key, p) in probabilities {
            if !(0.0..=1.0).contains(&p) {
                return Some((key, format!("{key} = {p} is not a probability: use 0 to 1")));
            }
        }
        for (key, list) in [
            ("collapse.by_day", &self.collapse.by_day),
            ("suspension.by_day", &self.suspension.by_day),
        ] {
            if let Some((i, p)) = list
                .iter()
                .enumerate()
                .find(|(_, p)| !(0.0..=1.0).contains(*p))
            {
                return Some((
                    key,
                    format!(
                        "{key}[{i}] = {p} (day {}) is not a probability: use 0 to 1",
                        i + 1
                    ),
                ));
            }
            if list.len() > MAX_DAYS as usize {
                return Some((key, format!("{key} has more than {MAX_DAYS} days")));
            }
        }
        let ranges: [(&'static str, &'static str, u32, u32); 2] = [
            (
                "breach.open_days_min",
                "breach.open_days_max",
                self.breach.open_days_min,
                self.breach.open_days_max,
            ),
            (
                "suspension.days_min",
                "suspension.days_max",
                self.suspension.days_min,
                self.suspension.days_max,
            ),
        ];
        for (min_key, max_key, min, max) in ranges {
            if min == 0 || min > max || max > MAX_DAYS {
                // Point at the end that is too large, else at the start.
                let key = if max > MAX_DAYS { max_key } else { min_key };
                return Some((
                    key,
                    format!(
                        "{min_key}..{max_key}: the range {min}..={max} days must start at 1 or \
                         more, end no earlier than it starts and stay within {MAX_DAYS} days"
                    ),
                ));
            }
        }
        if self.policy.extend_lost_days > MAX_DAYS {
            return Some((
                "policy.extend_lost_days",
                format!("policy.extend_lost_days must be at most {MAX_DAYS}"),
            ));
        }
        None
    }
}

/// The longest span of days the model speaks of (a bound, not a limit of
/// real deals: a pause is days or weeks).
pub const MAX_DAYS: u32 = 3650;
