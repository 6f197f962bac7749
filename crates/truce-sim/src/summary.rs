//! Tallies (integers only, so any order of addition gives the same sums)
//! and the report derived from them: the JSON contract of
//! `truce simulate --format json`.

use serde::Serialize;

use crate::outcome::{Ending, RunResult, SimOptions};
use crate::risk::RiskModel;
use crate::schedule::Schedule;

/// The z value of a two-sided 95% normal interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The method every interval of the report uses, in words.
pub const CI_METHOD: &str = "95% normal (Wald) interval: mean ± 1.96 × standard deviation / √runs; \
for differences between drafts, of the paired per-run differences under common random numbers";

/// Counts over runs of one schedule.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    runs: u64,
    completed: u64,
    collapsed: u64,
    expired: u64,
    /// Runs collapsed on each day (index = day).
    collapse_day: Vec<u64>,
    /// Runs by their last day with a release (index = day).
    days_used: Vec<u64>,
    /// Runs by total released (index = persons).
    released_total: Vec<u64>,
    /// Per cell, runs by persons released of it.
    per_cell: Vec<Vec<u64>>,
    /// Per holder, runs by persons released by it.
    per_holder: Vec<Vec<u64>>,
    /// Σ exposure × scale over collapsed runs.
    exposure_at_collapse: u128,
    /// Σ persons released over collapsed runs.
    released_at_collapse: u64,
    /// Per resource flow, runs by days delivered (index = days).
    flow_days: Vec<Vec<u64>>,
    /// Per channel, runs by persons released through it.
    per_channel: Vec<Vec<u64>>,
    /// Each channel's cells.
    channel_cells: Vec<Vec<usize>>,
    /// The holder of each cell, and a per-holder sum reused by `add`.
    cell_holder: Vec<usize>,
    scratch: Vec<u64>,
}

impl Tally {
    pub(crate) fn new(s: &Schedule, horizon: u32) -> Tally {
        let days = horizon as usize + 2;
        let per_holder = (0..s.holders.len())
            .map(|h| {
                let planned: u64 = s
                    .cells
                    .iter()
                    .zip(&s.planned)
                    .filter(|(c, _)| c.holder == s.holders[h])
                    .map(|(_, &n)| u64::from(n))
                    .sum();
                vec![0; planned as usize + 1]
            })
            .collect();
        Tally {
            runs: 0,
            completed: 0,
            collapsed: 0,
            expired: 0,
            collapse_day: vec![0; days],
            days_used: vec![0; days],
            released_total: vec![0; s.planned_total() as usize + 1],
            per_cell: s.planned.iter().map(|&n| vec![0; n as usize + 1]).collect(),
            per_holder,
            exposure_at_collapse: 0,
            released_at_collapse: 0,
            flow_days: s.flows.iter().map(|f| vec![0; f.days.len() + 1]).collect(),
            per_channel: (0..s.channels.len())
                .map(|k| vec![0; s.channel_planned(k) as usize + 1])
                .collect(),
            channel_cells: s.channels.iter().map(|c| c.cells.clone()).collect(),
            cell_holder: s
                .cells
                .iter()
                .map(|c| s.holders.iter().position(|h| *h == c.holder).unwrap_or(0))
                .collect(),
            scratch: vec![0; s.holders.len()],
        }
    }

    pub(crate) fn add(&mut self, r: &RunResult) {
        self.runs += 1;
        let total = r.total();
        match r.ending {
            Ending::Completed => self.completed += 1,
            Ending::Expired => self.expired += 1,
            Ending::Collapsed => {
                self.collapsed += 1;
                bump(&mut self.collapse_day, r.end_day as usize);
                self.exposure_at_collapse += u128::from(r.exposure_scaled);
                self.released_at_collapse += total;
            }
        }
        bump(&mut self.days_used, r.days_used as usize);
        bump(&mut self.released_total, total as usize);
        for (hist, &n) in self.per_cell.iter_mut().zip(&r.released) {
            bump(hist, n as usize);
        }
        self.scratch.iter_mut().for_each(|n| *n = 0);
        for (&n, &h) in r.released.iter().zip(&self.cell_holder) {
            self.scratch[h] += u64::from(n);
        }
        for (hist, &n) in self.per_holder.iter_mut().zip(&self.scratch) {
            bump(hist, n as usize);
        }
        for (hist, &d) in self.flow_days.iter_mut().zip(&r.flow_days) {
            bump(hist, d as usize);
        }
        for (hist, cells) in self.per_channel.iter_mut().zip(&self.channel_cells) {
            let n: u64 = cells.iter().map(|&c| u64::from(r.released[c])).sum();
            bump(hist, n as usize);
        }
    }

    pub(crate) fn merge(&mut self, o: &Tally) {
        self.runs += o.runs;
        self.completed += o.completed;
        self.collapsed += o.collapsed;
        self.expired += o.expired;
        add_all(&mut self.collapse_day, &o.collapse_day);
        add_all(&mut self.days_used, &o.days_used);
        add_all(&mut self.released_total, &o.released_total);
        for (a, b) in self.per_cell.iter_mut().zip(&o.per_cell) {
            add_all(a, b);
        }
        for (a, b) in self.per_holder.iter_mut().zip(&o.per_holder) {
            add_all(a, b);
        }
        for (a, b) in self.flow_days.iter_mut().zip(&o.flow_days) {
            add_all(a, b);
        }
        for (a, b) in self.per_channel.iter_mut().zip(&o.per_channel) {
            add_all(a, b);
        }
        self.exposure_at_collapse += o.exposure_at_collapse;
        self.released_at_collapse += o.released_at_collapse;
    }
}

fn bump(hist: &mut Vec<u64>, i: usize) {
    if i >= hist.len() {
        hist.resize(i + 1, 0);
    }
    hist[i] += 1;
}

fn add_all(a: &mut Vec<u64>, b: &[u64]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Paired per-run differences (draft − baseline) under common random numbers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Paired {
    runs: u64,
    completed: i64,
    completed_sq: u64,
    released: i128,
    released_sq: u128,
    /// Runs where the draft completed and the baseline did not, and the reverse.
    only_draft: u64,
    only_baseline: u64,
}

impl Paired {
    pub(crate) fn add(&mut self, base: &RunResult, draft: &RunResult) {
        self.runs += 1;
        let c = i64::from(draft.ending == Ending::Completed)
            - i64::from(base.ending == Ending::Completed);
        self.completed += c;
        self.completed_sq += c.unsigned_abs();
        self.only_draft += u64::from(c > 0);
        self.only_baseline += u64::from(c < 0);
        let r = i128::from(draft.total()) - i128::from(base.total());
        self.released += r;
        self.released_sq += r.unsigned_abs() * r.unsigned_abs();
    }

    pub(crate) fn merge(&mut self, o: &Paired) {
        self.runs += o.runs;
        self.completed += o.completed;
        self.completed_sq += o.completed_sq;
        self.released += o.released;
        self.released_sq += o.released_sq;
        self.only_draft += o.only_draft;
        self.only_baseline += o.only_baseline;
    }
}

/// A mean with its 95% interval half-width.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The estimated mean (0 when there are no runs).
    pub mean: f64,
    /// Standard error of the mean.
    pub std_error: f64,
    /// Half-width of the 95% interval (`Z95 × std_error`).
    pub ci95: f64,
}

impl Estimate {
    fn from_sums(n: u64, sum: f64, sum_sq: f64) -> Estimate {
        if n == 0 {
            return Estimate {
                mean: 0.0,
                std_error: 0.0,
                ci95: 0.0,
            };
        }
        let nf = n as f64;
        let mean = sum / nf;
        let var = if n > 1 {
            ((sum_sq - nf * mean * mean) / (nf - 1.0)).max(0.0)
        } else {
            0.0
        };
        let std_error = (var / nf).sqrt();
        Estimate {
            mean,
            std_error,
            ci95: Z95 * std_error,
        }
    }
}

/// A distribution of persons released, from its exact histogram.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// Persons the plan releases (the most a run can release).
    pub planned: u64,
    /// Mean persons released per run.
    pub mean: f64,
    /// Fewest persons released in any run.
    pub min: u64,
    /// 5th percentile: the fewest released such that at least 5% of runs
    /// released no more.
    pub p5: u64,
    /// Median persons released (same rule as `p5`, at 50%).
    pub p50: u64,
    /// 95th percentile (same rule as `p5`, at 95%).
    pub p95: u64,
    /// Most persons released in any run.
    pub max: u64,
}

fn distribution(hist: &[u64], planned: u64) -> Distribution {
    let n: u64 = hist.iter().sum();
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(v, &c)| v as f64 * c as f64)
        .sum();
    let quantile = |q: f64| -> u64 {
        // The smallest value whose cumulative count reaches ⌈q·n⌉ (at least 1).
        let target = ((q * n as f64).ceil() as u64).max(1);
        let mut cum = 0;
        for (v, &c) in hist.iter().enumerate() {
            cum += c;
            if cum >= target {
                return v as u64;
            }
        }
        0
    };
    Distribution {
        planned,
        mean: if n == 0 { 0.0 } else { sum / n as f64 },
        min: hist.iter().position(|&c| c > 0).unwrap_or(0) as u64,
        p5: quantile(0.05),
        p50: quantile(0.5),
        p95: quantile(0.95),
        max: hist.iter().rposition(|&c| c > 0).unwrap_or(0) as u64,
    }
}

/// Persons released of one holder × category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellReport {
    /// The holding party's id.
    pub holder: String,
    /// The category's id.
    pub category: String,
    /// Persons of this cell released per run (flattened into this object).
    #[serde(flatten)]
    pub released: Distribution,
}

/// Persons released by one holder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HolderReport {
    /// The holding party's id.
    pub holder: String,
    /// Persons this holder released per run (flattened into this object).
    #[serde(flatten)]
    pub released: Distribution,
}

/// One resource flow's deliveries (aid, fuel) on the plan's flow days the pause held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowReport {
    /// The flow's id in the deal.
    pub flow: String,
    /// What it is counted in.
    pub unit: String,
    /// The party that lets it through.
    pub by: String,
    /// The plan's daily amount.
    pub per_day: u32,
    /// Amount delivered per run: the plan's daily amount on each of its
    /// days on which the pause held (reached and not suspended)
    /// (flattened into this object; `planned` is the plan's whole amount).
    #[serde(flatten)]
    pub delivered: Distribution,
}

/// Persons released through one channel outside the exchange.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelReport {
    /// The holding side.
    pub holder: String,
    /// The party that carries them.
    pub via: String,
    /// The categories released through it.
    pub categories: Vec<String>,
    /// Persons released through it per run (flattened into this object).
    #[serde(flatten)]
    pub released: Distribution,
}

/// One draft's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftReport {
    /// The schedule's label (the deal's name, or the file the CLI read).
    pub label: String,
    /// Persons the plan releases.
    pub planned_released: u64,
    /// The plan's last day with a release.
    pub planned_days: u32,
    /// The plan's peak exposure, in persons.
    pub planned_max_exposure: f64,
    /// The largest exposure the plan carries overnight (deferred
    /// counter-releases), in persons; left out of the JSON when 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub planned_carried_exposure: f64,
    /// The most days the policy extends this draft's pause for days lost:
    /// `policy.extend_lost_days`, capped by the days the deal's terms allow
    /// after the plan's last day.
    pub extension_days: u32,
    /// Why `extension_days` is below the policy's, when it is (the deal has
    /// no extension rule, or only so many days are agreed or allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extension_note: Option<String>,
    /// P(every planned person released), with its interval.
    pub completion: Estimate,
    /// Share of runs in which the deal collapsed.
    pub collapse_probability: f64,
    /// P(the pause ran out first).
    pub expiry_probability: f64,
    /// Runs that released every planned person.
    pub runs_completed: u64,
    /// Runs that ended in a collapse.
    pub runs_collapsed: u64,
    /// Runs in which the pause ran out first.
    pub runs_expired: u64,
    /// Persons released at the end or at collapse.
    pub released: Distribution,
    /// Planned persons not released, on average (the loss `--robust` minimises).
    pub expected_loss: f64,
    /// Persons released per holder, in roster order.
    pub per_holder: Vec<HolderReport>,
    /// Persons released per holder × category, in the schedule's cell order.
    pub per_category: Vec<CellReport>,
    /// Each resource flow of the plan, delivered at the end or at collapse
    /// (empty when the deal has none).
    pub flows: Vec<FlowReport>,
    /// Each channel outside the exchange, its persons released at the end
    /// or at collapse (empty when the deal has none).
    pub channels: Vec<ChannelReport>,
    /// Mean exposure at the moment of collapse (persons), over collapsed
    /// runs; absent when no run collapsed.
    pub expected_exposure_at_collapse: Option<f64>,
    /// Mean persons released by then, over collapsed runs; absent when no
    /// run collapsed.
    pub expected_released_at_collapse: Option<f64>,
    /// Last day with a release: its mean over runs (0 for a run with none).
    pub days_used_mean: f64,
    /// Runs by their last day with a release (index = day, trailing zeros
    /// dropped).
    pub days_used: Vec<u64>,
    /// `survival[d]`: P(not collapsed by the end of day d); index 0 = before day 1.
    pub survival: Vec<f64>,
    /// Runs per total released, as `[persons, runs]` for every value seen.
    pub released_histogram: Vec<[u64; 2]>,
}

/// A draft against the first (the baseline).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The first draft's label.
    pub baseline: String,
    /// This draft's label.
    pub draft: String,
    /// Completion probability of the draft minus the baseline's, in
    /// percentage points.
    pub completion_points: Estimate,
    /// Persons released by the draft minus the baseline's, per run.
    pub released: Estimate,
    /// Runs that only the draft completed, and only the baseline.
    pub runs_only_draft_completed: u64,
    /// Runs that only the baseline completed.
    pub runs_only_baseline_completed: u64,
    /// How the intervals are computed ([`CI_METHOD`]).
    pub method: &'static str,
}

/// Everything `truce simulate` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Runs simulated per draft (the request, capped at [`MAX_RUNS`](crate::MAX_RUNS)).
    pub runs: u64,
    /// The seed the runs derive from.
    pub seed: u64,
    /// The risk model simulated.
    pub risk: RiskModel,
    /// Each draft's results, in the order given (the first is the baseline).
    pub drafts: Vec<DraftReport>,
    /// Each later draft against the first (empty for a single draft).
    pub comparisons: Vec<Comparison>,
    /// How the intervals are computed ([`CI_METHOD`]).
    pub ci_method: &'static str,
}

impl Report {
    pub(crate) fn new(
        schedules: &[Schedule],
        risk: &RiskModel,
        opts: &SimOptions,
        runs: u64,
        tallies: &[Tally],
        paired: &[Paired],
    ) -> Report {
        let drafts: Vec<DraftReport> = schedules
            .iter()
            .zip(tallies)
            .map(|(s, t)| draft_report(s, t, risk))
            .collect();
        let comparisons = paired
            .iter()
            .enumerate()
            .map(|(k, p)| Comparison {
                baseline: drafts[0].label.clone(),
                draft: drafts[k + 1].label.clone(),
                completion_points: {
                    let e = Estimate::from_sums(p.runs, p.completed as f64, p.completed_sq as f64);
                    Estimate {
                        mean: 100.0 * e.mean,
                        std_error: 100.0 * e.std_error,
                        ci95: 100.0 * e.ci95,
                    }
                },
                released: Estimate::from_sums(p.runs, p.released as f64, p.released_sq as f64),
                runs_only_draft_completed: p.only_draft,
                runs_only_baseline_completed: p.only_baseline,
                method: CI_METHOD,
            })
            .collect();
        Report {
            runs,
            seed: opts.seed,
            risk: risk.clone(),
            drafts,
            comparisons,
            ci_method: CI_METHOD,
        }
    }
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// Why the policy's extension for days lost is capped for `s`, if it is.
fn extension_note(s: &Schedule, risk: &RiskModel) -> Option<String> {
    let asked = risk.policy.extend_lost_days;
    let allowed = s.policy_extension(risk);
    if allowed >= asked {
        return None;
    }
    let terms = match &s.extension_terms {
        None => "the deal has no extension rule".to_owned(),
        Some((true, agreed)) => {
            format!("its extra days are agreed one by one and {agreed} are agreed")
        }
        Some((false, max)) => format!("its extension rule allows {max} extra day(s)"),
    };
    let extended = if allowed == 0 {
        "the pause is not extended for days lost".to_owned()
    } else {
        format!("the pause is extended by at most {allowed} day(s) for days lost")
    };
    Some(format!(
        "policy.extend_lost_days = {asked}, but {terms}: the pause runs to day {} at most, so \
         {extended} (write extra days into a draft of the deal to simulate them)",
        s.terms_last_day
    ))
}

fn draft_report(s: &Schedule, t: &Tally, risk: &RiskModel) -> DraftReport {
    let n = t.runs;
    let nf = (n as f64).max(1.0);
    let completed = t.completed as f64;
    let completion = Estimate::from_sums(n, completed, completed);
    let mut survival = Vec::with_capacity(t.collapse_day.len());
    let mut gone = 0u64;
    for &c in &t.collapse_day {
        gone += c;
        survival.push(1.0 - gone as f64 / nf);
    }
    let released = distribution(&t.released_total, s.planned_total());
    let days_sum: f64 = t
        .days_used
        .iter()
        .enumerate()
        .map(|(d, &c)| d as f64 * c as f64)
        .sum();
    let collapsed = t.collapsed as f64;
    DraftReport {
        label: s.label.clone(),
        planned_released: s.planned_total(),
        planned_days: s.days_used,
        planned_max_exposure: s.max_exposure,
        planned_carried_exposure: s.carried_exposure,
        extension_days: s.policy_extension(risk),
        extension_note: extension_note(s, risk),
        completion,
        collapse_probability: collapsed / nf,
        expiry_probability: t.expired as f64 / nf,
        runs_completed: t.completed,
        runs_collapsed: t.collapsed,
        runs_expired: t.expired,
        expected_loss: s.planned_total() as f64 - released.mean,
        released,
        per_holder: s
            .holders
            .iter()
            .zip(&t.per_holder)
            .map(|(h, hist)| HolderReport {
                holder: h.clone(),
                released: distribution(hist, hist.len() as u64 - 1),
            })
            .collect(),
        per_category: s
            .cells
            .iter()
            .zip(&t.per_cell)
            .zip(&s.planned)
            .map(|((c, hist), &p)| CellReport {
                holder: c.holder.clone(),
                category: c.category.clone(),
                released: distribution(hist, u64::from(p)),
            })
            .collect(),
        flows: s
            .flows
            .iter()
            .zip(&t.flow_days)
            .map(|(f, hist)| FlowReport {
                flow: f.id.clone(),
                unit: f.unit.clone(),
                by: f.by.clone(),
                per_day: f.per_day,
                delivered: scaled(distribution(hist, f.days.len() as u64), f.per_day),
            })
            .collect(),
        channels: s
            .channels
            .iter()
            .zip(&t.per_channel)
            .enumerate()
            .map(|(k, (c, hist))| ChannelReport {
                holder: c.holder.clone(),
                via: c.via.clone(),
                categories: c.categories.clone(),
                released: distribution(hist, s.channel_planned(k)),
            })
            .collect(),
        expected_exposure_at_collapse: (t.collapsed > 0)
            .then(|| t.exposure_at_collapse as f64 / s.scale as f64 / collapsed),
        expected_released_at_collapse: (t.collapsed > 0)
            .then(|| t.released_at_collapse as f64 / collapsed),
        days_used_mean: days_sum / nf,
        days_used: trim(&t.days_used),
        survival,
        released_histogram: t
            .released_total
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(v, &c)| [v as u64, c])
            .collect(),
    }
}

/// A distribution of days, as amounts of `per_day` each.
fn scaled(d: Distribution, per_day: u32) -> Distribution {
    let k = u64::from(per_day);
    Distribution {
        planned: d.planned * k,
        mean: d.mean * f64::from(per_day),
        min: d.min * k,
        p5: d.p5 * k,
        p50: d.p50 * k,
        p95: d.p95 * k,
        max: d.max * k,
    }
}

fn trim(hist: &[u64]) -> Vec<u64> {
    let end = hist.iter().rposition(|&c| c > 0).map_or(0, |i| i + 1);
    hist[..end].to_vec()
}
