//! Where a deal's execution stands: the day, the pause's end, released
//! against planned per holder and category, exposure now, open findings and
//! breaches. Counts only: every role may see it.

use std::collections::BTreeMap;

use serde::Serialize;
use truce_ledger::{CategoryId, PartyId};

use crate::execution::{Context, Ended, Execution};
use crate::findings::{Finding, round1};
use crate::terms::Terms;

/// Persons of one holder and category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Released {
    /// The holder that releases them.
    pub holder: PartyId,
    /// Their category.
    pub category: CategoryId,
    /// Released so far: the sum of recorded handovers' counts, confirmed
    /// or not.
    pub released: u64,
    /// Planned in all by the adopted plan, where the plan and roster are
    /// known to the caller.
    pub planned: Option<u64>,
    /// In the roster.
    pub roster: u64,
}

/// One side's exposure under one exchange rule now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExposureNow {
    /// The exchange rule, numbered from 1 in deal order.
    pub rule: usize,
    /// The side exposed (the rule's giving or receiving holder).
    pub side: PartyId,
    /// In persons of the giving side, to one decimal.
    pub exposure: f64,
}

/// One resource flow's deliveries recorded so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowDelivered {
    /// The flow's id in the terms.
    pub flow: String,
    /// Its unit (`trucks`, `litres`).
    pub unit: String,
    /// The side that delivers it.
    pub by: PartyId,
    /// The agreed daily minimum.
    pub min_per_day: u32,
    /// Recorded delivered in all.
    pub delivered: u64,
    /// Recorded delivered on each day with a record, from day 1 to the
    /// last recorded day (0 on a day without a record).
    pub per_day: Vec<u64>,
}

/// One release day's list as the ledger holds it: a count, never persons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListStatus {
    /// Seq of the `lists-exchanged` event.
    pub seq: u64,
    /// The release day it is for.
    pub day: u32,
    /// The side that delivered it.
    pub holder: PartyId,
    /// The side it went to.
    pub to: PartyId,
    /// Persons it names.
    pub count: u32,
    /// Whether the receiving side acknowledged it.
    pub acknowledged: bool,
}

/// The execution's state for a report or `/state`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    /// The last day with a handover (0 before the first).
    pub day: u32,
    /// Base days agreed.
    pub base_days: u32,
    /// Extra days granted.
    pub extension_days: u32,
    /// Days the pause has now (base + extra).
    pub pause_days: u32,
    /// Date of day 1, when the deal states one.
    pub start: Option<String>,
    /// Date of the pause's last day, when the deal states a start.
    pub pause_end: Option<String>,
    /// `completed` or `collapsed` once execution has ended.
    pub ended: Option<&'static str>,
    /// Released per holder and category: one entry for each pair in the
    /// roster counts, the plan or a recorded handover.
    pub released: Vec<Released>,
    /// Each exchange rule's two sides' exposure now (0 when not exposed).
    pub exposure_now: Vec<ExposureNow>,
    /// The largest exposure at any handover point so far.
    pub max_exposure: f64,
    /// Handovers recorded and not yet confirmed.
    pub unconfirmed: Vec<u64>,
    /// Breach reports not yet ruled on.
    pub open_breaches: Vec<u64>,
    /// Every finding, ruled or not.
    pub findings: Vec<Finding>,
    /// Each resource flow of the terms with its recorded deliveries.
    pub flows: Vec<FlowDelivered>,
    /// Each release day's list delivered, in seq order.
    pub lists: Vec<ListStatus>,
}

impl StatusReport {
    /// Findings not yet ruled on.
    pub fn open_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_open())
    }
}

impl Execution {
    /// The execution's state against `ctx`.
    pub fn status(&self, ctx: Context<'_>) -> StatusReport {
        let t = ctx.terms;
        let mut released: BTreeMap<(PartyId, CategoryId), u64> = BTreeMap::new();
        for ((h, c), n) in &t.roster_counts {
            let _ = n;
            released.insert((h.clone(), c.clone()), 0);
        }
        for h in &self.handovers {
            for (c, n) in &h.counts {
                *released.entry((h.holder.clone(), c.clone())).or_insert(0) += u64::from(*n);
            }
        }
        let planned = match (ctx.roster, ctx.plan) {
            (Some(r), Some(p)) => {
                let mut m: BTreeMap<(PartyId, CategoryId), u64> = BTreeMap::new();
                for id in p.day_of.keys() {
                    if let Some(i) = r.index_of_id(id) {
                        let person = &r.persons()[i];
                        *m.entry((person.holder.clone(), person.category.clone()))
                            .or_insert(0) += 1;
                        released
                            .entry((person.holder.clone(), person.category.clone()))
                            .or_insert(0);
                    }
                }
                Some(m)
            }
            _ => None,
        };
        let released = released
            .into_iter()
            .map(|((holder, category), n)| Released {
                planned: planned.as_ref().map(|m| {
                    m.get(&(holder.clone(), category.clone()))
                        .copied()
                        .unwrap_or(0)
                }),
                roster: u64::from(
                    t.roster_counts
                        .get(&(holder.clone(), category.clone()))
                        .copied()
                        .unwrap_or(0),
                ),
                holder,
                category,
                released: n,
            })
            .collect();
        let (exposure_now, max_exposure) = self.exposures(t);
        let pause_days = t.days.saturating_add(self.extension_days());
        StatusReport {
            day: self.last_day(),
            base_days: t.days,
            extension_days: self.extension_days(),
            pause_days,
            start: t.start.clone(),
            pause_end: t
                .start
                .as_deref()
                .and_then(|s| add_days(s, pause_days.saturating_sub(1))),
            ended: self.ended().map(|e| match e {
                Ended::Completed => "completed",
                Ended::Collapsed => "collapsed",
            }),
            released,
            exposure_now,
            max_exposure,
            unconfirmed: self
                .handovers
                .iter()
                .filter(|h| !h.confirmed)
                .map(|h| h.seq)
                .collect(),
            open_breaches: self.open_breaches(),
            findings: self.findings(ctx),
            flows: self.flows_delivered(t),
            lists: self
                .lists
                .iter()
                .map(|l| ListStatus {
                    seq: l.seq,
                    day: l.day,
                    holder: l.holder.clone(),
                    to: l.to.clone(),
                    count: l.count,
                    acknowledged: l.acknowledged,
                })
                .collect(),
        }
    }

    fn flows_delivered(&self, t: &Terms) -> Vec<FlowDelivered> {
        let last = self.last_recorded_day();
        t.flows
            .iter()
            .map(|f| {
                let per_day: Vec<u64> = (1..=last).map(|d| self.delivered_on(&f.id, d)).collect();
                FlowDelivered {
                    flow: f.id.clone(),
                    unit: f.unit.clone(),
                    by: f.by.clone(),
                    min_per_day: f.min_per_day,
                    delivered: per_day.iter().sum(),
                    per_day,
                }
            })
            .collect()
    }

    /// Exposure now per rule and side, and the largest at any handover.
    fn exposures(&self, t: &Terms) -> (Vec<ExposureNow>, f64) {
        let mut cum = vec![(0u64, 0u64); t.exchanges.len()];
        let mut max: f64 = 0.0;
        for h in &self.handovers {
            for (k, rule) in t.exchanges.iter().enumerate() {
                let (g, r) = rule.split(&h.holder, &h.counts);
                cum[k].0 += g;
                cum[k].1 += r;
                let b = rule.balance(cum[k]);
                max = max.max(b.abs());
            }
        }
        let now = t
            .exchanges
            .iter()
            .enumerate()
            .flat_map(|(k, rule)| {
                let b = rule.balance(cum[k]);
                [
                    ExposureNow {
                        rule: k + 1,
                        side: rule.gives.holder.clone(),
                        exposure: round1(b.max(0.0)),
                    },
                    ExposureNow {
                        rule: k + 1,
                        side: rule.receives.holder.clone(),
                        exposure: round1((-b).max(0.0)),
                    },
                ]
            })
            .collect();
        (now, round1(max))
    }
}

/// `date` (`YYYY-MM-DD`) plus `days`, in the proleptic Gregorian calendar.
pub(crate) fn add_days(date: &str, days: u32) -> Option<String> {
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let (y, m, d) = civil_from_days(days_from_civil(y, m, d) + i64::from(days));
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

// Howard Hinnant's algorithms (public domain), days since 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}
