//! A plan reduced to what a simulation needs: counts of persons per cell
//! (holder × category) in each handover, the exchange rules as cell sets,
//! and the day's limits. Compiled once; every run then works on counts, so
//! a run costs the same for 300 persons or 100,000.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use truce_plan::{Handover, Plan, PlanOptions, Prefix, Stage, Status};
use truce_spec::{AgreedDeal, Deal};

/// One holder × category pair that the plan releases persons of.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cell {
    /// The holding party's id.
    pub holder: String,
    /// The category's id.
    pub category: String,
}

/// A resource flow (aid, fuel) as the plan commits it: `per_day` of `unit`
/// on each of its days.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FlowSchedule {
    /// The flow's id in the deal.
    pub id: String,
    /// What it is counted in.
    pub unit: String,
    /// The party that lets it through.
    pub by: String,
    /// The plan's daily amount (the deal's minimum).
    pub per_day: u32,
    /// The days of the plan it is due on, in order.
    pub days: Vec<u32>,
}

impl FlowSchedule {
    /// Whether the flow is due on `day`.
    pub fn due_on(&self, day: u32) -> bool {
        self.days.binary_search(&day).is_ok()
    }

    /// What the plan delivers in all: `per_day` × its days.
    pub fn planned(&self) -> u64 {
        u64::from(self.per_day) * self.days.len() as u64
    }
}

/// Persons released outside the exchange through a channel (a deal's
/// `[[channel]]`): the cells of its holder and categories.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChannelCells {
    /// The holding side.
    pub holder: String,
    /// The party that carries them.
    pub via: String,
    /// The categories released through the channel.
    pub categories: Vec<String>,
    /// The schedule's cells (indices into `cells`) of those persons.
    pub cells: Vec<usize>,
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

/// The deal's extension rule over cells: a day after the base days is
/// earned when the cells marked release at least `per_releases` on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Earning {
    pub per_releases: u64,
    /// Per cell: held by the rule's `by` and not released through a
    /// channel outside the exchange (no extension rule counts those).
    pub counts: Vec<bool>,
}

/// A plan ready to simulate.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// A label for reports (the deal's name, or the file the CLI read).
    pub label: String,
    /// Every holder × category of the deal's persons, in roster then
    /// category order; per-cell vectors use this order.
    pub cells: Vec<Cell>,
    /// The deal's holder ids, in roster order.
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
    /// The largest exposure the plan carries overnight (at the end of a
    /// planned day): counter-releases a rule's `deferred_days` lets follow
    /// on a later day. 0 for a plan that pays every day in full.
    pub carried_exposure: f64,
    /// The pause's base days.
    pub base_days: u32,
    /// The last day the deal's terms let the pause run: its base days plus
    /// the extension days a plan may use (all of `max_days` under a rule,
    /// only the agreed ones under `by_agreement`; none without a rule).
    /// No run goes beyond it, whatever the risk model's policy says.
    pub terms_last_day: u32,
    /// How a day after the base days is earned, when the deal has a rule.
    pub(crate) earning: Option<Earning>,
    /// The deal's extension rule as (`by_agreement`, the extra days a plan
    /// may use), for reports; `None` without a rule.
    pub extension_terms: Option<(bool, u32)>,
    /// Persons per cell the plan releases.
    pub planned: Vec<u32>,
    /// The plan's resource flows (aid, fuel), in deal order.
    pub flows: Vec<FlowSchedule>,
    /// The deal's channels outside the exchange, in deal order.
    pub channels: Vec<ChannelCells>,
    /// What the `exact` re-plan policy needs.
    pub(crate) replanning: Arc<Replanning>,
}

/// One handover carried out, per cell: (day, handover number in the run,
/// holder, cell, persons).
pub(crate) type Done = (u32, u32, usize, usize, u32);

/// The rest of a run after an exact re-plan.
#[derive(Debug)]
pub(crate) struct Replanned {
    pub days: Vec<Day>,
    /// The pause's planned last day under the new plan.
    pub end: u32,
}

/// The most distinct histories whose re-plans are kept (the cache stays
/// bounded whatever the number of runs).
const MAX_CACHED: usize = 4096;

/// A re-plan's question: what was carried out, through which day.
type ReplanKey = (Vec<Done>, u32);

/// The deal and the plan's person order, to re-plan the rest of a run
/// exactly (`truce_plan::replan`), with a cache: a re-plan depends only on
/// what was carried out and through which day, so every thread gets the
/// same answer.
#[derive(Debug)]
pub(crate) struct Replanning {
    deal: AgreedDeal,
    people: People,
    via: Option<String>,
    /// Person ids per cell in the plan's release order: the `k`-th person of
    /// a cell a run releases is `cell_persons[cell][k]`.
    cell_persons: Vec<Vec<String>>,
    /// Re-plans by (what was carried out, the last day carried out): the
    /// same history through another day is another question.
    cache: Mutex<HashMap<ReplanKey, Option<Arc<Replanned>>>>,
}

impl Replanning {
    /// The best rest after `done` (days `1..=through_day`), or `None` when
    /// what was carried out cannot be re-planned (a day left unpaid).
    pub(crate) fn replan(&self, done: &[Done], through_day: u32) -> Option<Arc<Replanned>> {
        let key = (done.to_vec(), through_day);
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return hit.clone();
        }
        let answer = self.compute(done, through_day).map(Arc::new);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() < MAX_CACHED {
            cache.insert(key, answer.clone());
        }
        answer
    }

    fn compute(&self, done: &[Done], through_day: u32) -> Option<Replanned> {
        let mut cursor = vec![0usize; self.cell_persons.len()];
        let mut stages: Vec<Stage> = Vec::new();
        let mut last_move = None;
        for &(day, seq, holder, cell, n) in done {
            if stages.last().is_none_or(|s| s.day != day) {
                stages.push(Stage {
                    day,
                    handovers: Vec::new(),
                });
            }
            let stage = stages.last_mut()?;
            if last_move != Some(seq) {
                stage.handovers.push(Handover {
                    from: self.people.holders[holder].clone(),
                    via: self.via.clone(),
                    persons: Vec::new(),
                });
                last_move = Some(seq);
            }
            let persons = self.cell_persons[cell].get(cursor[cell]..cursor[cell] + n as usize)?;
            cursor[cell] += n as usize;
            stage
                .handovers
                .last_mut()?
                .persons
                .extend_from_slice(persons);
        }
        let prefix = Prefix {
            through_day,
            stages,
        };
        let opts = PlanOptions {
            explain: false,
            ..PlanOptions::default()
        };
        let plan = truce_plan::replan(&self.deal, &prefix, &opts).ok()?;
        if plan.status == Status::Infeasible {
            return None;
        }
        let compiled = self.people.compile(&plan).ok()?;
        Some(Replanned {
            days: compiled
                .days
                .into_iter()
                .filter(|d| d.day > through_day)
                .collect(),
            end: self.deal.pause.days.max(plan.days_used),
        })
    }
}

/// Why a plan cannot be simulated against a deal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The plan's status is infeasible.
    #[error("the plan is infeasible: there is nothing to simulate")]
    Infeasible,
    /// The plan releases a person id (given) that no roster of the deal lists.
    #[error("the plan releases {0}, who is not in the deal's rosters")]
    UnknownPerson(String),
    /// The plan releases a person id (given) more than once.
    #[error("the plan releases {0} more than once")]
    Repeated(String),
    /// A handover releases a person its holder does not hold.
    #[error("the plan's handover on day {day} is from {from}, but {person} is held by {holder}")]
    WrongHolder {
        /// The day of the handover.
        day: u32,
        /// The holder the handover is from.
        from: String,
        /// The person's id.
        person: String,
        /// The holder the deal's rosters give the person.
        holder: String,
    },
    /// A stage's day (given) comes after a later day's stage.
    #[error("the plan's stages are not in day order (day {0} after a later day)")]
    Order(u32),
    /// A stage falls outside the pause.
    #[error("the plan has a stage on day {day}, outside the pause's days 1 to {last}")]
    OutsidePause {
        /// The stage's day.
        day: u32,
        /// The pause's last possible day.
        last: u32,
    },
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
        let mut by_pair: Vec<(usize, usize)> = Vec::with_capacity(deal.persons.len());
        for p in &deal.persons {
            let h = holder_index.get(p.holder.0.as_str()).copied().unwrap_or(0);
            let c = category_index
                .get(p.category.0.as_str())
                .copied()
                .unwrap_or(0);
            cell_index.insert((h, c), 0);
            by_pair.push((h, c));
        }
        let mut cells = Vec::with_capacity(cell_index.len());
        for (i, (&(h, c), slot)) in cell_index.iter_mut().enumerate() {
            *slot = i;
            cells.push(Cell {
                holder: holders[h].clone(),
                category: deal.categories[c].id.0.clone(),
            });
        }
        let person_cell: HashMap<String, (usize, usize)> = deal
            .persons
            .iter()
            .zip(&by_pair)
            .map(|(p, &(h, c))| (p.id.0.clone(), (h, cell_index[&(h, c)])))
            .collect();
        let people = People {
            holders: holders.clone(),
            ncells: cells.len(),
            person_cell,
            last_day: deal.max_days(),
        };
        let compiled = people.compile(plan)?;
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
        let via = deal.release.via.as_ref().map(|v| v.0.clone());
        let flows = plan
            .flows
            .iter()
            .map(|f| {
                let mut days = f.days.clone();
                days.sort_unstable();
                days.dedup();
                FlowSchedule {
                    id: f.id.clone(),
                    unit: f.unit.clone(),
                    by: f.by.clone(),
                    per_day: f.per_day,
                    days,
                }
            })
            .collect();
        let channels: Vec<ChannelCells> = deal
            .channels
            .iter()
            .map(|ch| ChannelCells {
                holder: ch.holder.0.clone(),
                via: ch.via.0.clone(),
                categories: ch.categories.iter().map(|c| c.0.clone()).collect(),
                cells: cells
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        c.holder == ch.holder.0 && ch.categories.iter().any(|k| k.0 == c.category)
                    })
                    .map(|(i, _)| i)
                    .collect(),
            })
            .collect();
        let Compiled {
            days,
            planned,
            cell_persons,
        } = compiled;
        let in_channel = |i: usize| channels.iter().any(|c| c.cells.contains(&i));
        let earning = deal.pause.extension.as_ref().map(|x| Earning {
            per_releases: u64::from(x.per_releases),
            counts: cells
                .iter()
                .enumerate()
                .map(|(i, c)| c.holder == x.by.0 && !in_channel(i))
                .collect(),
        });
        let carried_exposure = carried_exposure(&days, &rules, cells.len(), scale);
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
            carried_exposure,
            base_days: deal.pause.days,
            terms_last_day: deal.max_days(),
            earning,
            extension_terms: deal
                .pause
                .extension
                .as_ref()
                .map(|x| (x.by_agreement, x.plannable_days())),
            planned,
            flows,
            channels,
            replanning: Arc::new(Replanning {
                deal: AgreedDeal::as_drafted(deal.clone()),
                people,
                via,
                cell_persons,
                cache: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The days the risk model's policy may extend this plan's pause for
    /// days lost: `policy.extend_lost_days`, but never beyond the last day
    /// the deal's terms allow ([`Schedule::terms_last_day`]).
    pub fn policy_extension(&self, risk: &crate::RiskModel) -> u32 {
        risk.policy
            .extend_lost_days
            .min(self.terms_last_day.saturating_sub(self.planned_end))
    }

    /// Persons the plan releases through channel `k`.
    pub fn channel_planned(&self, k: usize) -> u64 {
        self.channels[k]
            .cells
            .iter()
            .map(|&c| u64::from(self.planned[c]))
            .sum()
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

/// The largest exposure (in persons) at the end of a planned day: what the
/// plan leaves owed overnight, under a rule's `deferred_days`.
fn carried_exposure(days: &[Day], rules: &[Rule], ncells: usize, scale: u64) -> f64 {
    let mut released = vec![0u32; ncells];
    let mut most = 0u64;
    for d in days {
        for m in &d.moves {
            for &(cell, n) in &m.counts {
                released[cell] += n;
            }
        }
        let owed = rules
            .iter()
            .map(|r| {
                let g: u64 = r.gives.iter().map(|&c| u64::from(released[c])).sum();
                let q: u64 = r.receives.iter().map(|&c| u64::from(released[c])).sum();
                let ratio = u64::from(r.ratio);
                (g * ratio).abs_diff(q) * (scale / ratio)
            })
            .max()
            .unwrap_or(0);
        most = most.max(owed);
    }
    most as f64 / scale as f64
}

/// What compiling a plan needs to know of the deal's persons.
#[derive(Debug)]
pub(crate) struct People {
    holders: Vec<String>,
    ncells: usize,
    /// Each person's holder and cell.
    person_cell: HashMap<String, (usize, usize)>,
    /// The pause's last possible day (base + extension).
    last_day: u32,
}

/// A plan compiled to counts.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub days: Vec<Day>,
    pub planned: Vec<u32>,
    /// Person ids per cell, in the order the plan releases them.
    pub cell_persons: Vec<Vec<String>>,
}

impl People {
    pub(crate) fn compile(&self, plan: &Plan) -> Result<Compiled, ScheduleError> {
        let mut planned = vec![0u32; self.ncells];
        let mut cell_persons = vec![Vec::new(); self.ncells];
        let mut seen = std::collections::HashSet::new();
        let mut days = Vec::with_capacity(plan.stages.len());
        let mut last_day = 0;
        // A stage beyond the pause's last possible day is no plan of this
        // deal; refusing it also bounds every run's length.
        let last = self.last_day;
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
                let from = self.holders.iter().position(|x| *x == h.from);
                for id in &h.persons {
                    let &(ph, cell) = self
                        .person_cell
                        .get(id.as_str())
                        .ok_or_else(|| ScheduleError::UnknownPerson(id.clone()))?;
                    if Some(ph) != from {
                        return Err(ScheduleError::WrongHolder {
                            day: stage.day,
                            from: h.from.clone(),
                            person: id.clone(),
                            holder: self.holders[ph].clone(),
                        });
                    }
                    if !seen.insert(id.as_str()) {
                        return Err(ScheduleError::Repeated(id.clone()));
                    }
                    *counts.entry(cell).or_insert(0) += 1;
                    planned[cell] += 1;
                    cell_persons[cell].push(id.clone());
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
        Ok(Compiled {
            days,
            planned,
            cell_persons,
        })
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn lcm(a: u64, b: u64) -> u64 {
    a / gcd(a, b) * b
}
