//! A plan reduced to what a simulation needs: counts of persons per cell
//! (holder × category) in each handover, the exchange rules as cell sets,
//! and the day's limits. Compiled once; every run then works on counts, so
//! a run costs the same for 300 persons or 100,000.

use std::collections::{BTreeMap, HashMap};

use truce_plan::{Plan, Status};
use truce_spec::Deal;

/// One holder × category pair that the plan releases persons of.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cell {
    pub holder: String,
    pub category: String,
}

/// One planned handover: counts per cell (sparse, cell order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Move {
    pub holder: usize,
    pub counts: Vec<(usize, u32)>,
}

impl Move {
    pub(crate) fn persons(&self) -> u64 {
        self.counts.iter().map(|&(_, n)| u64::from(n)).sum()
    }
}

/// One planned day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Day {
    pub day: u32,
    pub moves: Vec<Move>,
}

/// An exchange rule over cells: `gives` persons pay `ratio` `receives` persons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rule {
    pub gives: Vec<usize>,
    pub receives: Vec<usize>,
    pub ratio: u32,
}

/// A plan ready to simulate.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// A label for reports (the deal's name, or the file the CLI read).
    pub label: String,
    pub cells: Vec<Cell>,
    pub holders: Vec<String>,
    pub(crate) days: Vec<Day>,
    pub(crate) rules: Vec<Rule>,
    /// Exposure is kept as an integer: exposure × `scale` (the lcm of the ratios).
    pub(crate) scale: u64,
    /// Persons the intermediary can carry per day (`None`: no limit).
    pub(crate) capacity: Option<u64>,
    /// Each holder's `max_per_day` (`None`: no limit).
    pub(crate) max_per_day: Vec<Option<u64>>,
    /// The pause's planned last day: the larger of its base days and the
    /// plan's last day (the plan's extension days are earned by following it).
    pub planned_end: u32,
    /// The plan's `days_used`.
    pub days_used: u32,
    /// The plan's `max_exposure`.
    pub max_exposure: f64,
    /// Persons per cell the plan releases.
    pub planned: Vec<u32>,
}

/// Why a plan cannot be simulated against a deal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the plan is infeasible: there is nothing to simulate")]
    Infeasible,
    #[error("the plan releases {0}, who is not in the deal's rosters")]
    UnknownPerson(String),
    #[error("the plan releases {0} more than once")]
    Repeated(String),
    #[error("the plan's handover on day {day} is from {from}, but {person} is held by {holder}")]
    WrongHolder {
        day: u32,
        from: String,
        person: String,
        holder: String,
    },
    #[error("the plan's stages are not in day order (day {0} after a later day)")]
    Order(u32),
    #[error("the plan has a stage on day {day}, outside the pause's days 1 to {last}")]
    OutsidePause { day: u32, last: u32 },
}

impl Schedule {
    /// Compiles `plan` against `deal`. The plan must name only the deal's
    /// persons, each once, from their holders (what `truce check --plan`
    /// verifies in full; this checks what the simulation relies on).
    pub fn new(label: &str, deal: &Deal, plan: &Plan) -> Result<Schedule, ScheduleError> {
        if plan.status == Status::Infeasible {
            return Err(ScheduleError::Infeasible);
        }
        let mut holders: Vec<String> = deal.rosters.iter().map(|r| r.holder.0.clone()).collect();
        holders.dedup();
        let holder_index: HashMap<&str, usize> = holders
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), i))
            .collect();
        // Cells in roster order, then category order of the deal.
        let mut cell_index: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let category_index: HashMap<&str, usize> = deal
            .categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.0.as_str(), i))
            .collect();
        let mut person: HashMap<&str, (usize, usize)> = HashMap::with_capacity(deal.persons.len());
        for p in &deal.persons {
            let h = holder_index.get(p.holder.0.as_str()).copied().unwrap_or(0);
            let c = category_index
                .get(p.category.0.as_str())
                .copied()
                .unwrap_or(0);
            cell_index.insert((h, c), 0);
            person.insert(p.id.0.as_str(), (h, c));
        }
        let mut cells = Vec::with_capacity(cell_index.len());
        for (i, (&(h, c), slot)) in cell_index.iter_mut().enumerate() {
            *slot = i;
            cells.push(Cell {
                holder: holders[h].clone(),
                category: deal.categories[c].id.0.clone(),
            });
        }
        let mut planned = vec![0u32; cells.len()];
        let mut seen = std::collections::HashSet::new();
        let mut days = Vec::with_capacity(plan.stages.len());
        let mut last_day = 0;
        // A stage beyond the pause's last possible day (base + extension) is
        // no plan of this deal; refusing it also bounds every run's length.
        let last = deal.max_days();
        for stage in &plan.stages {
            if stage.day == 0 || stage.day > last {
                return Err(ScheduleError::OutsidePause {
                    day: stage.day,
                    last,
                });
            }
            if stage.day < last_day {
                return Err(ScheduleError::Order(stage.day));
            }
            last_day = stage.day;
            let mut moves = Vec::with_capacity(stage.handovers.len());
            for h in &stage.handovers {
                let mut counts: BTreeMap<usize, u32> = BTreeMap::new();
                let from = holder_index.get(h.from.as_str()).copied();
                for id in &h.persons {
                    let &(ph, pc) = person
                        .get(id.as_str())
                        .ok_or_else(|| ScheduleError::UnknownPerson(id.clone()))?;
                    if Some(ph) != from {
                        return Err(ScheduleError::WrongHolder {
                            day: stage.day,
                            from: h.from.clone(),
                            person: id.clone(),
                            holder: holders[ph].clone(),
                        });
                    }
                    if !seen.insert(id.as_str()) {
                        return Err(ScheduleError::Repeated(id.clone()));
                    }
                    let cell = cell_index[&(ph, pc)];
                    *counts.entry(cell).or_insert(0) += 1;
                    planned[cell] += 1;
                }
                if let Some(holder) = from
                    && !counts.is_empty()
                {
                    moves.push(Move {
                        holder,
                        counts: counts.into_iter().collect(),
                    });
                }
            }
            if !moves.is_empty() {
                days.push(Day {
                    day: stage.day,
                    moves,
                });
            }
        }
        let rules: Vec<Rule> = deal
            .exchanges
            .iter()
            .map(|x| {
                let pick = |holder: &str, cats: &[truce_spec::CategoryId]| -> Vec<usize> {
                    cells
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| {
                            c.holder == holder && cats.iter().any(|k| k.0 == c.category)
                        })
                        .map(|(i, _)| i)
                        .collect()
                };
                Rule {
                    gives: pick(&x.gives.holder.0, &x.gives.categories),
                    receives: pick(&x.receives.holder.0, &x.receives.categories),
                    ratio: x.ratio.max(1),
                }
            })
            .collect();
        let scale = rules.iter().fold(1u64, |l, r| lcm(l, u64::from(r.ratio)));
        let capacity = deal
            .release
            .via
            .as_ref()
            .and_then(|v| deal.party(v))
            .and_then(|p| p.capacity_per_day)
            .map(u64::from);
        let max_per_day = holders
            .iter()
            .map(|h| {
                deal.rosters
                    .iter()
                    .find(|r| &r.holder.0 == h)
                    .and_then(|r| r.max_per_day)
                    .map(u64::from)
            })
            .collect();
        Ok(Schedule {
            label: label.to_owned(),
            cells,
            holders,
            days,
            rules,
            scale,
            capacity,
            max_per_day,
            planned_end: deal.pause.days.max(plan.days_used),
            days_used: plan.days_used,
            max_exposure: plan.max_exposure,
            planned,
        })
    }

    /// Persons the plan releases in all.
    pub fn planned_total(&self) -> u64 {
        self.planned.iter().map(|&n| u64::from(n)).sum()
    }

    /// Exposure (× `scale`) after `released` persons per cell.
    pub(crate) fn exposure(&self, released: &[u32]) -> u64 {
        self.rules
            .iter()
            .map(|r| {
                let g: u64 = r.gives.iter().map(|&c| u64::from(released[c])).sum();
                let q: u64 = r.receives.iter().map(|&c| u64::from(released[c])).sum();
                // |g − q/ratio| × scale = |g·ratio − q| × scale/ratio.
                let ratio = u64::from(r.ratio);
                (g * ratio).abs_diff(q) * (self.scale / ratio)
            })
            .max()
            .unwrap_or(0)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}
