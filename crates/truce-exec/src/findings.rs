//! Findings: each deviation of the recorded execution from the terms or the
//! adopted plan, derived (never refused: the record must match reality),
//! named by a stable id the mediator rules on. A finding's message carries
//! parties, days, seqs and counts, never a person id, so every role may see
//! it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use serde::Serialize;
use truce_ledger::{PartyId, Ruling};

use crate::execution::{Context, Execution, HandoverRecord};
use crate::terms::Terms;

/// The rule a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// More than `max_per_day` released by a holder in a day.
    DailyMax,
    /// Fewer than `min_per_day` (but some) released by a holder in a day.
    DailyMin,
    /// More than `total_max` released by a holder in all.
    TotalMax,
    /// Fewer than `total_min` released by a holder when the deal ended.
    TotalMin,
    /// Fewer than `min_in_base_days` released by a holder once the base
    /// days are over.
    BaseDaysMin,
    /// More persons carried in a day than the intermediary's capacity.
    Capacity,
    /// More convoys in a day than the intermediary's `handovers_per_day`.
    HandoversPerDay,
    /// A day's counter-releases differ from `ratio` × what they pay for.
    CounterRelease,
    /// A counter-release before the release it pays for, within the day
    /// (or, under a deferral, before any release not yet paid for).
    CounterReleaseEarly,
    /// Under a rule's `deferred_days` N: the counter-releases for day d's
    /// releases not all made when day d + N (or the pause) ended.
    DeferralUnpaid,
    /// Exposure above `max_exposure`.
    Exposure,
    /// An extra day on which the extension's releases were not made.
    ExtensionUnearned,
    /// An extension beyond the rule (or with no rule).
    ExtensionLimit,
    /// A handover on a day outside `release_days`.
    ReleaseDay,
    /// A person of a later tier before every earlier tier of the holder.
    Priority,
    /// A family split across handovers.
    GroupSplit,
    /// A handover's signed counts differ from the persons it lists.
    CountsMismatch,
    /// A pseudonym the roster does not hold.
    UnknownPerson,
    /// Persons released on another day than the adopted plan says, or not
    /// in it, or planned for a day that ended without them.
    PlanDeviation,
    /// The adopted plan's pause length differs from the terms'.
    PlanDays,
    /// Less of a resource flow delivered in a day than its minimum.
    FlowMin,
    /// More of a resource flow delivered in a day than its maximum.
    FlowMax,
    /// A handover with no list for its day delivered before it, where the
    /// terms ask for lists the night before.
    ListMissing,
    /// Persons handed over on a day who were not on its list.
    Unlisted,
}

impl Rule {
    /// The rule's name in finding ids and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::DailyMax => "daily-max",
            Rule::DailyMin => "daily-min",
            Rule::TotalMax => "total-max",
            Rule::TotalMin => "total-min",
            Rule::BaseDaysMin => "base-days-min",
            Rule::Capacity => "capacity",
            Rule::HandoversPerDay => "handovers-per-day",
            Rule::CounterRelease => "counter-release",
            Rule::CounterReleaseEarly => "counter-release-early",
            Rule::DeferralUnpaid => "deferral-unpaid",
            Rule::Exposure => "exposure",
            Rule::ExtensionUnearned => "extension-unearned",
            Rule::ExtensionLimit => "extension-limit",
            Rule::ReleaseDay => "release-day",
            Rule::Priority => "priority",
            Rule::GroupSplit => "group-split",
            Rule::CountsMismatch => "counts-mismatch",
            Rule::UnknownPerson => "unknown-person",
            Rule::PlanDeviation => "plan-deviation",
            Rule::PlanDays => "plan-days",
            Rule::FlowMin => "flow-min",
            Rule::FlowMax => "flow-max",
            Rule::ListMissing => "list-missing",
            Rule::Unlisted => "unlisted",
        }
    }
}

/// What a finding rests on: signed counts every party can check, or the
/// persons behind the pseudonyms (the roster and the person key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// The signed counts per category: any party can check it.
    Counts,
    /// The persons behind the pseudonyms: needs the roster and the person
    /// key.
    Persons,
}

/// One deviation from the terms or the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable id (`daily-max@day-2@side-b`, `exposure@seq-14`): what a
    /// `finding-ruled` event names.
    pub id: String,
    /// Which term or plan rule was broken.
    pub rule: Rule,
    /// The day it happened, where it belongs to one.
    pub day: Option<u32>,
    /// The event that shows it, where one does.
    pub seq: Option<u64>,
    /// The party concerned (a holder, an intermediary).
    pub party: Option<PartyId>,
    /// What the finding rests on.
    pub evidence: Evidence,
    /// What happened, in words and counts; never a person id.
    pub message: String,
    /// The mediator's ruling: (seq of the ruling, ruling).
    pub ruling: Option<(u64, Ruling)>,
}

impl Finding {
    /// Not yet ruled on.
    pub fn is_open(&self) -> bool {
        self.ruling.is_none()
    }
}

struct Out<'a> {
    ex: &'a Execution,
    findings: Vec<Finding>,
}

impl Out<'_> {
    fn push(
        &mut self,
        rule: Rule,
        at: At<'_>,
        party: Option<&PartyId>,
        evidence: Evidence,
        message: String,
    ) {
        let mut id = rule.as_str().to_owned();
        let (mut day, mut seq) = (None, None);
        match at {
            At::Seq(s, d) => {
                let _ = write!(id, "@seq-{s}");
                seq = Some(s);
                day = Some(d);
            }
            At::Day(d) => {
                let _ = write!(id, "@day-{d}");
                day = Some(d);
            }
            At::DayRule(d, k) => {
                let _ = write!(id, "@day-{d}@rule-{k}");
                day = Some(d);
            }
            At::Deal => {}
            At::DaySeq(d, s) => {
                let _ = write!(id, "@day-{d}");
                day = Some(d);
                seq = Some(s);
            }
            At::Label(l) => {
                let _ = write!(id, "@{l}");
            }
            At::DayLabel(d, l) => {
                let _ = write!(id, "@day-{d}@{l}");
                day = Some(d);
            }
        }
        if let Some(p) = party
            && !matches!(at, At::Seq(..) | At::DayLabel(..))
        {
            let _ = write!(id, "@{p}");
        }
        let ruling = self.ex.ruling(&id);
        self.findings.push(Finding {
            id,
            rule,
            day,
            seq,
            party: party.cloned(),
            evidence,
            message,
            ruling,
        });
    }
}

/// Where a finding is anchored (its id is built from it).
#[derive(Clone, Copy)]
enum At<'a> {
    Seq(u64, u32),
    Day(u32),
    DaySeq(u32, u64),
    DayRule(u32, usize),
    Label(&'a str),
    /// A day and what the finding is about that day (a flow's id); the
    /// party is not in the id.
    DayLabel(u32, &'a str),
    Deal,
}

fn persons(n: u64) -> String {
    if n == 1 {
        "1 person".to_owned()
    } else {
        format!("{n} persons")
    }
}

impl Execution {
    /// Every deviation the record shows from the terms and (where given) the
    /// roster and the adopted plan, in the order of the rules above and then
    /// of seq and day. Checks of a whole day wait until the day is over.
    pub fn findings(&self, ctx: Context<'_>) -> Vec<Finding> {
        let mut out = Out {
            ex: self,
            findings: Vec::new(),
        };
        self.declared(ctx, &mut out);
        self.per_handover(ctx, &mut out);
        self.per_day(ctx, &mut out);
        self.flow_days(ctx, &mut out);
        self.against_lists(ctx, &mut out);
        if let Some(roster) = ctx.roster {
            self.against_plan(ctx, roster, &mut out);
        }
        out.findings
    }

    /// Declarations the terms do not allow (the service refuses them; a
    /// ledger from elsewhere may hold them).
    fn declared(&self, ctx: Context<'_>, out: &mut Out<'_>) {
        for &(seq, days) in &self.plan_days {
            let t = ctx.terms_at(seq);
            if days == t.days {
                continue;
            }
            out.push(
                Rule::PlanDays,
                At::Label(&format!("seq-{seq}")),
                None,
                Evidence::Counts,
                format!(
                    "the plan was adopted for a {days}-day pause, but the terms agree {} days",
                    t.days
                ),
            );
        }
        let mut granted = 0u32;
        for (seq, days) in &self.extensions {
            let t = ctx.terms_at(*seq);
            granted = granted.saturating_add(*days);
            let allowed = t.extension.as_ref().map_or(0, |e| e.max_days);
            if granted > allowed {
                out.push(
                    Rule::ExtensionLimit,
                    At::Label(&format!("seq-{seq}")),
                    None,
                    Evidence::Counts,
                    match &t.extension {
                        None => format!(
                            "the pause was extended by {days} day(s), but the terms have no extension rule"
                        ),
                        Some(e) => format!(
                            "the pause was extended to {granted} extra day(s), but the extension rule allows at most {}",
                            e.max_days
                        ),
                    },
                );
            }
        }
    }

    fn per_handover(&self, ctx: Context<'_>, out: &mut Out<'_>) {
        let mut t = ctx.terms_at(self.handovers.first().map_or(0, |h| h.seq));
        let mut total: BTreeMap<&PartyId, u64> = BTreeMap::new();
        let mut over_max: BTreeSet<&PartyId> = BTreeSet::new();
        // Per rule: cumulative gives, receives; and the current day's.
        let n = t.exchanges.len();
        let mut cum = vec![(0u64, 0u64); n];
        let mut today = vec![(0u64, 0u64); n];
        let mut current_day = None;
        // Person level: persons still held per holder and tier; each
        // family's first handover.
        let mut held: BTreeMap<&PartyId, BTreeMap<u32, u64>> = BTreeMap::new();
        if let Some(r) = ctx.roster {
            for p in r.persons() {
                *held
                    .entry(&p.holder)
                    .or_default()
                    .entry(p.tier)
                    .or_insert(0) += 1;
            }
        }
        let mut family_at: HashMap<(&PartyId, &str), u64> = HashMap::new();
        for (i, h) in self.handovers.iter().enumerate() {
            let now = ctx.terms_at(h.seq);
            if !std::ptr::eq(now, t) {
                // Amended terms: the exchange rules count the whole record
                // so far under the new rules.
                t = now;
                let n = t.exchanges.len();
                cum = vec![(0, 0); n];
                today = vec![(0, 0); n];
                for before in &self.handovers[..i] {
                    for (k, rule) in t.exchanges.iter().enumerate() {
                        let (g, r) = rule.split(&before.holder, &before.counts);
                        cum[k].0 += g;
                        cum[k].1 += r;
                        if Some(before.day) == current_day && before.day == h.day {
                            today[k].0 += g;
                            today[k].1 += r;
                        }
                    }
                }
            }
            if current_day != Some(h.day) {
                current_day = Some(h.day);
                today.iter_mut().for_each(|x| *x = (0, 0));
            }
            let at = At::Seq(h.seq, h.day);
            if let Some(days) = &t.release_days
                && !days.contains(&h.day)
            {
                out.push(
                    Rule::ReleaseDay,
                    at,
                    Some(&h.holder),
                    Evidence::Counts,
                    format!(
                        "{} released {} on day {}, which is not one of the agreed release days",
                        h.holder,
                        persons(u64::from(h.total)),
                        h.day
                    ),
                );
            }
            let sum = total.entry(&h.holder).or_insert(0);
            *sum += u64::from(h.under_roster(t));
            if let Some(max) = t.rosters.get(&h.holder).and_then(|r| r.total_max)
                && *sum > u64::from(max)
                && over_max.insert(&h.holder)
            {
                out.push(
                    Rule::TotalMax,
                    at,
                    Some(&h.holder),
                    Evidence::Counts,
                    format!(
                        "{} has released {} in all, above the agreed total of at most {max}",
                        h.holder,
                        persons(*sum)
                    ),
                );
            }
            self.exchange_checks(t, h, &mut cum, &mut today, out);
            if let Some(r) = ctx.roster {
                self.person_checks(t, r, h, &mut held, &mut family_at, out);
            }
        }
    }

    fn exchange_checks(
        &self,
        t: &Terms,
        h: &HandoverRecord,
        cum: &mut [(u64, u64)],
        today: &mut [(u64, u64)],
        out: &mut Out<'_>,
    ) {
        let at = At::Seq(h.seq, h.day);
        let mut worst: Option<(f64, &PartyId, usize)> = None;
        for (k, rule) in t.exchanges.iter().enumerate() {
            let (g, r) = rule.split(&h.holder, &h.counts);
            cum[k].0 += g;
            cum[k].1 += r;
            today[k].0 += g;
            today[k].1 += r;
            let ratio = u64::from(rule.ratio.max(1));
            if rule.deferred_days > 0 {
                // A deferral pays late, never ahead: what was released in
                // return may not exceed what all earlier handovers pay for.
                if r > 0 && cum[k].1 > ratio * (cum[k].0 - g) {
                    out.push(
                        Rule::CounterReleaseEarly,
                        at,
                        Some(&h.holder),
                        Evidence::Counts,
                        format!(
                            "by day {}, {} had released {} in return for {} by {} before it, more than the ratio {} pays for",
                            h.day,
                            rule.receives.holder,
                            persons(cum[k].1),
                            persons(cum[k].0 - g),
                            rule.gives.holder,
                            rule.ratio
                        ),
                    );
                }
            } else if r > 0 && today[k].1 > ratio * today[k].0 {
                out.push(
                    Rule::CounterReleaseEarly,
                    at,
                    Some(&h.holder),
                    Evidence::Counts,
                    format!(
                        "on day {}, {} had released {} in return for {} by {} so far that day, more than the ratio {} pays for",
                        h.day,
                        rule.receives.holder,
                        persons(today[k].1),
                        persons(today[k].0),
                        rule.gives.holder,
                        rule.ratio
                    ),
                );
            }
            if rule.simultaneous {
                continue;
            }
            let balance = rule.balance(cum[k]);
            let (exposure, side) = if balance >= 0.0 {
                (balance, &rule.gives.holder)
            } else {
                (-balance, &rule.receives.holder)
            };
            if worst.is_none_or(|(w, _, _)| exposure > w) {
                worst = Some((exposure, side, k));
            }
        }
        if let (Some(bound), Some((exposure, side, k))) = (t.max_exposure, worst)
            && exposure > f64::from(bound) + 1e-9
        {
            out.push(
                    Rule::Exposure,
                    at,
                    Some(side),
                    Evidence::Counts,
                    format!(
                        "after this handover {side}'s exposure under exchange rule {} is {}, above the agreed bound of {bound}",
                        k + 1,
                        round1(exposure)
                    ),
                );
        }
    }

    fn person_checks<'r>(
        &self,
        t: &Terms,
        roster: &'r crate::roster::Roster,
        h: &'r HandoverRecord,
        held: &mut BTreeMap<&'r PartyId, BTreeMap<u32, u64>>,
        family_at: &mut HashMap<(&'r PartyId, &'r str), u64>,
        out: &mut Out<'_>,
    ) {
        let at = At::Seq(h.seq, h.day);
        let Some(ps) = &h.persons else { return };
        let unknown = ps.iter().filter(|p| p.is_none()).count();
        if unknown > 0 {
            out.push(
                Rule::UnknownPerson,
                at,
                Some(&h.holder),
                Evidence::Persons,
                format!(
                    "{unknown} of the {} pseudonym(s) of this handover stand for no person of {}'s roster",
                    ps.len(),
                    h.holder
                ),
            );
        }
        let known: Vec<usize> = ps.iter().flatten().copied().collect();
        let people = roster.persons();
        let from_holder: Vec<usize> = known
            .iter()
            .copied()
            .filter(|&i| people[i].holder == h.holder)
            .collect();
        if h.signed_counts && unknown == 0 && roster.counts(&known) != h.counts {
            out.push(
                Rule::CountsMismatch,
                at,
                Some(&h.holder),
                Evidence::Persons,
                "the handover's signed counts per category differ from the categories of the persons it lists".to_owned(),
            );
        }
        // Released now: take them off what the holder still holds.
        let mut worst_tier = 0;
        if let Some(tiers) = held.get_mut(&h.holder) {
            for &i in &from_holder {
                let tier = people[i].tier;
                worst_tier = worst_tier.max(tier);
                if let Some(n) = tiers.get_mut(&tier) {
                    *n = n.saturating_sub(1);
                }
            }
            if t.strict_priority && !from_holder.is_empty() {
                let before: u64 = tiers.range(..worst_tier).map(|(_, n)| *n).sum();
                if before > 0 {
                    let late = from_holder
                        .iter()
                        .filter(|&&i| people[i].tier == worst_tier)
                        .count();
                    out.push(
                        Rule::Priority,
                        at,
                        Some(&h.holder),
                        Evidence::Persons,
                        format!(
                            "{} released {} of tier {worst_tier} while it still held {} of earlier tiers",
                            h.holder,
                            persons(late as u64),
                            persons(before)
                        ),
                    );
                }
            }
        }
        if t.keep_groups_together {
            let mut split = 0u64;
            for &i in &from_holder {
                if let Some(g) = &people[i].group {
                    let first = family_at
                        .entry((&people[i].holder, g.as_str()))
                        .or_insert(h.seq);
                    if *first != h.seq {
                        split += 1;
                    }
                }
            }
            if split > 0 {
                out.push(
                    Rule::GroupSplit,
                    at,
                    Some(&h.holder),
                    Evidence::Persons,
                    format!(
                        "{} of this handover belong to families whose other members travelled in an earlier handover",
                        persons(split)
                    ),
                );
            }
        }
    }

    fn per_day(&self, ctx: Context<'_>, out: &mut Out<'_>) {
        let mut days: BTreeMap<u32, Vec<&HandoverRecord>> = BTreeMap::new();
        for h in &self.handovers {
            days.entry(h.day).or_default().push(h);
        }
        for (&day, hs) in &days {
            let t = ctx.terms_at(self.day_anchor(day));
            let over = self.day_over(day);
            let mut by_holder: BTreeMap<&PartyId, u64> = BTreeMap::new();
            let mut by_carrier: BTreeMap<&PartyId, (u64, u32)> = BTreeMap::new();
            for h in hs {
                *by_holder.entry(&h.holder).or_insert(0) += u64::from(h.under_roster(t));
                for (c, n) in t.carriers(&h.author, &h.holder, &h.counts, h.total) {
                    let e = by_carrier.entry(&c.id).or_insert((0, 0));
                    e.0 += u64::from(n);
                    e.1 += 1;
                }
            }
            for (holder, n) in &by_holder {
                let Some(r) = t.rosters.get(*holder) else {
                    continue;
                };
                if let Some(max) = r.max_per_day
                    && *n > u64::from(max)
                {
                    out.push(
                        Rule::DailyMax,
                        At::Day(day),
                        Some(holder),
                        Evidence::Counts,
                        format!(
                            "{holder} released {} on day {day}, above the agreed {max} a day",
                            persons(*n)
                        ),
                    );
                }
                if let Some(min) = r.min_per_day
                    && over
                    && *n < u64::from(min)
                {
                    out.push(
                            Rule::DailyMin,
                            At::Day(day),
                            Some(holder),
                            Evidence::Counts,
                            format!(
                                "{holder} released {} on day {day}, below the agreed {min} on a day it releases anyone",
                                persons(*n)
                            ),
                        );
                }
            }
            for (carrier, (n, convoys)) in &by_carrier {
                let Some(c) = t.intermediaries.get(*carrier) else {
                    continue;
                };
                if let Some(cap) = c.capacity_per_day
                    && *n > u64::from(cap)
                {
                    out.push(
                        Rule::Capacity,
                        At::Day(day),
                        Some(carrier),
                        Evidence::Counts,
                        format!(
                            "{carrier} carried {} on day {day}, above its capacity of {cap} a day",
                            persons(*n)
                        ),
                    );
                }
                if *convoys > c.handovers_per_day {
                    out.push(
                        Rule::HandoversPerDay,
                        At::Day(day),
                        Some(carrier),
                        Evidence::Counts,
                        format!(
                            "{carrier} made {convoys} handovers on day {day}, above the agreed {} a day",
                            c.handovers_per_day
                        ),
                    );
                }
            }
            if over {
                self.counter_releases(t, day, hs, out);
            }
        }
        let t = ctx.terms;
        self.deferrals(t, out);
        self.extension_days_earned(t, out);
        // A minimum within the base days is judged once they are over.
        if self.day_over(t.days) {
            for (holder, r) in &t.rosters {
                let Some(min) = r.min_in_base_days else {
                    continue;
                };
                let n: u64 = (1..=t.days).map(|d| self.released_on(t, holder, d)).sum();
                if n < u64::from(min) {
                    out.push(
                        Rule::BaseDaysMin,
                        At::Deal,
                        Some(holder),
                        Evidence::Counts,
                        format!(
                            "{holder} released {} within the {} base day(s), below the agreed at least {min}",
                            persons(n),
                            t.days
                        ),
                    );
                }
            }
        }
        // A guarantee is judged at completion; a collapse is its own
        // outcome, recorded with its reason.
        if self.ended() == Some(crate::execution::Ended::Completed) {
            for (holder, r) in &t.rosters {
                if let Some(min) = r.total_min {
                    let n = self.released_under_roster(t, holder);
                    if n < u64::from(min) {
                        out.push(
                            Rule::TotalMin,
                            At::Deal,
                            Some(holder),
                            Evidence::Counts,
                            format!(
                                "{holder} released {} in all, below the agreed total of at least {min}",
                                persons(n)
                            ),
                        );
                    }
                }
            }
        }
    }

    fn counter_releases(&self, t: &Terms, day: u32, hs: &[&HandoverRecord], out: &mut Out<'_>) {
        for (k, rule) in t.exchanges.iter().enumerate() {
            if rule.deferred_days > 0 {
                // Judged when the deferral falls due, in `deferrals`.
                continue;
            }
            let (g, r) = hs.iter().fold((0, 0), |(g, r), h| {
                let (dg, dr) = rule.split(&h.holder, &h.counts);
                (g + dg, r + dr)
            });
            let owed = g * u64::from(rule.ratio);
            if owed != r {
                let what = if r < owed { "fewer" } else { "more" };
                out.push(
                    Rule::CounterRelease,
                    At::DayRule(day, k + 1),
                    Some(&rule.receives.holder),
                    Evidence::Counts,
                    format!(
                        "on day {day}, {} released {} in return for {} by {}: {what} than the {owed} the ratio {} asks",
                        rule.receives.holder,
                        persons(r),
                        persons(g),
                        rule.gives.holder,
                        rule.ratio
                    ),
                );
            }
        }
    }

    /// Under a rule's `deferred_days` N: what `gives` released by the end of
    /// day d is paid for (× the ratio) by the end of day d + N, found once
    /// that day is over; when the deal completes first, everything is due
    /// on its last day.
    fn deferrals(&self, t: &Terms, out: &mut Out<'_>) {
        let completed = self.ended() == Some(crate::execution::Ended::Completed);
        let last = t.days.max(self.last_recorded_day());
        for (k, rule) in t.exchanges.iter().enumerate() {
            let n = rule.deferred_days;
            if n == 0 {
                continue;
            }
            let ratio = u64::from(rule.ratio.max(1));
            // (day, gives released that day, released in return that day).
            let mut by_day: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
            for h in &self.handovers {
                let (g, r) = rule.split(&h.holder, &h.counts);
                let e = by_day.entry(h.day).or_insert((0, 0));
                e.0 += g;
                e.1 += r;
            }
            let through = |day: u32, pick: fn(&(u64, u64)) -> u64| -> u64 {
                by_day.range(..=day).map(|(_, v)| pick(v)).sum()
            };
            // The latest due day judges every payment due by it: one
            // finding per due day that ended short.
            let mut due_days: BTreeMap<u32, u32> = BTreeMap::new();
            for (&day, &(g, _)) in &by_day {
                if g == 0 {
                    continue;
                }
                let due = if completed {
                    day.saturating_add(n).min(last.max(day))
                } else {
                    day.saturating_add(n)
                };
                if completed || self.day_over(due) {
                    due_days.insert(due, day);
                }
            }
            for (due, day) in due_days {
                let owed = ratio * through(day, |v| v.0);
                let paid = through(due, |v| v.1);
                if paid < owed {
                    out.push(
                        Rule::DeferralUnpaid,
                        At::DayRule(due, k + 1),
                        Some(&rule.receives.holder),
                        Evidence::Counts,
                        format!(
                            "by the end of day {due}, {} had released {} in return for the {} {} released by day {day}: fewer than the {owed} the ratio {} asks within the {n}-day deferral",
                            rule.receives.holder,
                            persons(paid),
                            persons(owed / ratio),
                            rule.gives.holder,
                            rule.ratio
                        ),
                    );
                }
            }
        }
    }

    fn extension_days_earned(&self, t: &Terms, out: &mut Out<'_>) {
        let Some(e) = &t.extension else { return };
        let granted = self.extension_days().min(e.max_days);
        for day in t.days.saturating_add(1)..=t.days.saturating_add(granted) {
            if !self.day_over(day) {
                continue;
            }
            let n = self.released_on(t, &e.by, day);
            if n < u64::from(e.per_releases) {
                out.push(
                    Rule::ExtensionUnearned,
                    At::Day(day),
                    Some(&e.by),
                    Evidence::Counts,
                    format!(
                        "day {day} is an extra day, earned only if {} releases at least {} that day, but it released {}",
                        e.by,
                        e.per_releases,
                        persons(n)
                    ),
                );
            }
        }
    }

    fn against_plan(&self, ctx: Context<'_>, roster: &crate::roster::Roster, out: &mut Out<'_>) {
        let people = roster.persons();
        // Each day is judged by the plan in force when it began.
        let plan_on = |day: u32| ctx.plan_at(self.day_anchor(day));
        let planned_day =
            |i: usize, day: u32| plan_on(day).and_then(|p| p.day_of.get(&people[i].id).copied());
        // (day, holder) → (early, late, unplanned) among persons released.
        let mut off: BTreeMap<(u32, &PartyId), (u64, u64, u64, u64)> = BTreeMap::new();
        let mut released_day: HashMap<usize, u32> = HashMap::new();
        for h in &self.handovers {
            let Some(ps) = &h.persons else { continue };
            for &i in ps.iter().flatten() {
                released_day.insert(i, h.day);
                let e = off.entry((h.day, &h.holder)).or_insert((0, 0, 0, h.seq));
                match planned_day(i, h.day) {
                    Some(d) if d > h.day => e.0 += 1,
                    Some(d) if d < h.day => e.1 += 1,
                    Some(_) => {}
                    None => e.2 += 1,
                }
            }
        }
        // Planned for a day that is over, and not released by its end.
        let mut missed: BTreeMap<(u32, &PartyId), u64> = BTreeMap::new();
        let plans = ctx
            .superseded
            .plans
            .iter()
            .map(|(_, p)| p)
            .chain(ctx.plan)
            .collect::<Vec<_>>();
        let in_force = plans.iter().flat_map(|plan| {
            plan.day_of
                .iter()
                .filter(move |&(_, &day)| plan_on(day).is_some_and(|p| std::ptr::eq(p, *plan)))
        });
        for (id, &day) in in_force {
            if !self.day_over(day) {
                continue;
            }
            let Some(i) = roster.index_of_id(id) else {
                continue;
            };
            let done = released_day.get(&i).is_some_and(|d| *d <= day);
            if !done {
                *missed.entry((day, &people[i].holder)).or_insert(0) += 1;
            }
        }
        let mut keys: BTreeSet<(u32, &PartyId)> = off.keys().copied().collect();
        keys.extend(missed.keys().copied());
        for key @ (day, holder) in keys {
            let (early, late, unplanned, seq) = off.get(&key).copied().unwrap_or((0, 0, 0, 0));
            let miss = missed.get(&key).copied().unwrap_or(0);
            if early + late + unplanned + miss == 0 {
                continue;
            }
            let mut parts = Vec::new();
            if early > 0 {
                parts.push(format!("{} planned for a later day", persons(early)));
            }
            if late > 0 {
                parts.push(format!("{} planned for an earlier day", persons(late)));
            }
            if unplanned > 0 {
                parts.push(format!("{} not in the plan", persons(unplanned)));
            }
            let mut message = if parts.is_empty() {
                String::new()
            } else {
                format!("on day {day}, {holder} released {}", parts.join(", "))
            };
            if miss > 0 {
                if !message.is_empty() {
                    message.push_str("; ");
                }
                let _ = write!(
                    message,
                    "{} planned for day {day} by {holder} {} not released that day",
                    persons(miss),
                    if miss == 1 { "was" } else { "were" }
                );
            }
            let at = if seq > 0 {
                At::DaySeq(day, seq)
            } else {
                At::Day(day)
            };
            out.push(
                Rule::PlanDeviation,
                at,
                Some(holder),
                Evidence::Persons,
                message,
            );
        }
    }
}

impl Execution {
    /// Each flow's deliveries of each day against its daily bounds: the
    /// maximum as soon as it is passed, the minimum once the day is over.
    /// Days after the last record are not judged (nothing is known of
    /// them), nor days past the pause.
    fn flow_days(&self, ctx: Context<'_>, out: &mut Out<'_>) {
        let last = self.last_recorded_day();
        let pause = ctx.terms.days.saturating_add(self.extension_days());
        for day in 1..=last.min(pause) {
            let t = ctx.terms_at(self.day_anchor(day));
            for f in &t.flows {
                let n = self.delivered_on(&f.id, day);
                if let Some(max) = f.max_per_day
                    && n > u64::from(max)
                {
                    out.push(
                        Rule::FlowMax,
                        At::DayLabel(day, &f.id),
                        Some(&f.by),
                        Evidence::Counts,
                        format!(
                            "{n} {} of {} were recorded on day {day}, above the agreed at most {max} a day",
                            f.unit, f.id
                        ),
                    );
                }
                if self.day_over(day) && n < u64::from(f.min_per_day) {
                    out.push(
                        Rule::FlowMin,
                        At::DayLabel(day, &f.id),
                        Some(&f.by),
                        Evidence::Counts,
                        format!(
                            "{n} {} of {} were recorded delivered on day {day}, below the agreed at least {} a day by {}",
                            f.unit, f.id, f.min_per_day, f.by
                        ),
                    );
                }
            }
        }
    }

    /// Where the terms ask for lists the night before: each handover needs
    /// its holder's list for the day to the receiving side, delivered
    /// before it (the latest such list counts), and its persons must be on
    /// it. The ledger holds only the list's size and commitment, so "not on
    /// it" is certain when the day's persons so far outnumber the list, or
    /// are as many and do not match its commitment; fewer persons than
    /// listed that do not match cannot be told apart from a partial release
    /// (other rules judge that) and are not a finding.
    fn against_lists(&self, ctx: Context<'_>, out: &mut Out<'_>) {
        let mut so_far: HashMap<(u32, &PartyId, &PartyId), Vec<truce_ledger::Pseudonym>> =
            HashMap::new();
        let mut flagged: BTreeSet<(Rule, u32, &PartyId)> = BTreeSet::new();
        for h in &self.handovers {
            let day_persons = so_far.entry((h.day, &h.holder, &h.to)).or_default();
            if let Some(ps) = self.pseudonyms.get(&h.seq) {
                day_persons.extend_from_slice(ps);
            }
            if !ctx.terms_at(h.seq).lists_night_before {
                continue;
            }
            let list = self
                .lists
                .iter()
                .rfind(|l| l.day == h.day && l.holder == h.holder && l.to == h.to && l.seq < h.seq);
            let Some(list) = list else {
                if flagged.insert((Rule::ListMissing, h.day, &h.holder)) {
                    out.push(
                        Rule::ListMissing,
                        At::DaySeq(h.day, h.seq),
                        Some(&h.holder),
                        Evidence::Counts,
                        format!(
                            "{} handed over {} to {} on day {} (seq {}) with no list of that day's persons delivered to {} before",
                            h.holder,
                            persons(u64::from(h.total)),
                            h.to,
                            h.day,
                            h.seq,
                            h.to
                        ),
                    );
                }
                continue;
            };
            let n = day_persons.len() as u64;
            let count = u64::from(list.count);
            let message = if n > count {
                format!(
                    "by seq {}, {} had handed over {} to {} on day {}, more than the {} its list for the day (seq {}) names",
                    h.seq,
                    h.holder,
                    persons(n),
                    h.to,
                    h.day,
                    list.count,
                    list.seq
                )
            } else if n == count && truce_ledger::list_commitment(day_persons) != list.commitment {
                format!(
                    "by seq {}, {} had handed over {} to {} on day {}, as many as its list for the day (seq {}) names, but not the persons it lists: at least one was not on it",
                    h.seq,
                    h.holder,
                    persons(n),
                    h.to,
                    h.day,
                    list.seq
                )
            } else {
                continue;
            };
            if flagged.insert((Rule::Unlisted, h.day, &h.holder)) {
                out.push(
                    Rule::Unlisted,
                    At::DaySeq(h.day, h.seq),
                    Some(&h.holder),
                    Evidence::Counts,
                    message,
                );
            }
        }
    }
}

/// A figure to one decimal, as the plan writes exposure.
pub(crate) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
