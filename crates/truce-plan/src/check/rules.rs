//! The checker's walk over a plan: one pass over the handovers in execution
//! order, then the day-level and plan-wide terms.

use std::collections::{BTreeMap, HashMap, HashSet};

use truce_spec::{Deal, Person, Priority};

use super::input::{HandoverInput, PlanInput};
use super::report::{CheckReport, DayFigures, Violation, ViolationKind as K};

/// The plan `format_version` the checker reads.
const READS_FORMAT_VERSION: u32 = 1;

/// Tolerance when comparing a reported exposure with the recomputed one; the
/// true values are rationals with small denominators (the ratios).
const EXPOSURE_EPSILON: f64 = 1e-6;

pub(super) fn check(deal: &Deal, plan: &PlanInput) -> CheckReport {
    let mut walk = Walk::new(deal);
    if let Some(v) = plan.format_version.filter(|&v| v != READS_FORMAT_VERSION) {
        walk.violation(
            K::FormatVersion,
            None,
            Vec::new(),
            format!("plan format_version {v} is not supported (this checker reads {READS_FORMAT_VERSION})"),
        );
    }
    let mut last_day = 0;
    for stage in &plan.stages {
        if stage.day == 0 || stage.day <= last_day {
            walk.violation(
                K::BadDay,
                Some(stage.day),
                Vec::new(),
                format!(
                    "stage day {} must be at least 1 and after the previous stage's day {last_day}",
                    stage.day
                ),
            );
        }
        last_day = last_day.max(stage.day);
        // Handovers through a channel outside the exchange are not the
        // deal's intermediary's to run.
        let carried = stage
            .handovers
            .iter()
            .filter(|h| walk.channel_of(h).is_none())
            .count();
        walk.start_day(stage.day, carried);
        for handover in &stage.handovers {
            walk.handover(stage.day, handover);
        }
        walk.end_day(stage.day);
    }
    walk.flows(plan);
    walk.finish(plan)
}

/// Per-rule running counts; exchange rules are looked up by index.
#[derive(Default, Clone)]
struct RuleCounts {
    /// Plan-wide `gives` persons released by the paying holder.
    paid: u64,
    /// Plan-wide counter-releases by the receiving holder.
    counter: u64,
    /// Today's figures.
    paid_today: u64,
    counter_today: u64,
    paid_today_persons: Vec<String>,
    /// Under `deferred_days`: each stage's day, the plan-wide paid count
    /// at its end and the persons it paid with, to judge when they fall due.
    history: Vec<(u32, u64, Vec<String>)>,
    /// Under `deferred_days`: (day, plan-wide counter-releases at its end).
    counter_history: Vec<(u32, u64)>,
}

/// A group's members as released: handover indices, ids, and its size.
#[derive(Default)]
struct GroupSeen {
    handovers: Vec<usize>,
    members: Vec<String>,
    size: u32,
}

struct Walk<'d> {
    deal: &'d Deal,
    persons: HashMap<&'d str, &'d Person>,
    /// Effective tier per person id (a kept-together group takes its best).
    tier: HashMap<&'d str, u32>,
    /// Not-yet-released persons per holder and effective tier.
    pending: HashMap<&'d str, BTreeMap<u32, u32>>,
    released: HashSet<&'d str>,
    released_by: BTreeMap<String, u32>,
    /// Released per holder outside every channel (what roster totals count).
    roster_released: BTreeMap<String, u32>,
    /// The same, within the base days.
    base_released: BTreeMap<String, u32>,
    /// Persons released through each channel today (by channel index).
    channel_today: Vec<u32>,
    /// Per group: the handover indices its members went in, and who.
    groups: HashMap<(&'d str, &'d str), GroupSeen>,
    rules: Vec<RuleCounts>,
    handover_index: usize,
    today_by_holder: BTreeMap<String, u32>,
    today_total: u64,
    /// With routes (a `via` on a roster or category): today's persons and
    /// handovers per intermediary named by the handovers.
    today_by_via: BTreeMap<String, (u64, usize)>,
    days_used: u32,
    max_exposure_num: u64,
    max_exposure_den: u64,
    by_releases: BTreeMap<u32, u32>,
    /// Today's largest exposure, as the fraction num/den.
    today_exposure: (u64, u64),
    /// The exposure carried into today (deferred payments still owed).
    today_carried: (u64, u64),
    days: Vec<DayFigures>,
    violations: Vec<Violation>,
}

impl<'d> Walk<'d> {
    fn new(deal: &'d Deal) -> Self {
        let keep = deal.release.keep_groups_together;
        let own_tier = |p: &Person| deal.tier(&p.category).unwrap_or(u32::MAX);
        let mut group_best: HashMap<(&str, &str), u32> = HashMap::new();
        let mut groups = HashMap::new();
        for p in &deal.persons {
            if let Some(g) = &p.group {
                let key = (p.holder.as_str(), g.as_str());
                let best = group_best.entry(key).or_insert(u32::MAX);
                *best = (*best).min(own_tier(p));
                groups.entry(key).or_insert_with(GroupSeen::default).size += 1;
            }
        }
        let mut tier = HashMap::new();
        let mut pending: HashMap<&str, BTreeMap<u32, u32>> = HashMap::new();
        for p in &deal.persons {
            let t = match (&p.group, keep) {
                (Some(g), true) => group_best[&(p.holder.as_str(), g.as_str())],
                _ => own_tier(p),
            };
            tier.insert(p.id.as_str(), t);
            if deal.channel_of(&p.holder, &p.category).is_some() {
                // Outside the exchange: no tier order with the roster's others.
                continue;
            }
            *pending
                .entry(p.holder.as_str())
                .or_default()
                .entry(t)
                .or_insert(0) += 1;
        }
        let released_by: BTreeMap<String, u32> = deal
            .rosters
            .iter()
            .map(|r| (r.holder.0.clone(), 0))
            .collect();
        Walk {
            deal,
            persons: deal.persons.iter().map(|p| (p.id.as_str(), p)).collect(),
            tier,
            pending,
            released: HashSet::new(),
            roster_released: released_by.clone(),
            base_released: released_by.clone(),
            released_by,
            channel_today: vec![0; deal.channels.len()],
            groups,
            rules: vec![RuleCounts::default(); deal.exchanges.len()],
            handover_index: 0,
            today_by_holder: BTreeMap::new(),
            today_total: 0,
            today_by_via: BTreeMap::new(),
            days_used: 0,
            max_exposure_num: 0,
            max_exposure_den: 1,
            by_releases: BTreeMap::new(),
            today_exposure: (0, 1),
            today_carried: (0, 1),
            days: Vec::new(),
            violations: Vec::new(),
        }
    }

    fn violation(&mut self, kind: K, day: Option<u32>, persons: Vec<String>, message: String) {
        self.violations.push(Violation {
            kind,
            day,
            persons,
            message,
        });
    }

    /// The channel a handover goes through: the one its first known person
    /// is released by (`None`: the exchange's intermediary).
    fn channel_of(&self, h: &HandoverInput) -> Option<usize> {
        let p = h
            .persons
            .iter()
            .find_map(|id| self.persons.get(id.as_str()))?;
        self.deal
            .channels
            .iter()
            .position(|c| c.holder == p.holder && c.categories.contains(&p.category))
    }

    /// A handover through a channel outside the exchange: only its via, its
    /// persons, the channel's daily limit and groups apply.
    fn channel_handover(&mut self, day: u32, h: &HandoverInput, c: usize) {
        let index = self.handover_index;
        self.handover_index += 1;
        let channel = &self.deal.channels[c];
        if h.via.as_deref() != Some(channel.via.as_str()) {
            let message = format!(
                "handover from {} goes via {}, but its persons are released through {}",
                h.from,
                h.via.as_deref().unwrap_or("nobody"),
                channel.via
            );
            self.violation(K::WrongVia, Some(day), Vec::new(), message);
        }
        self.days_used = self.days_used.max(day);
        let fresh = self.admit(day, h);
        let outside: Vec<String> = fresh
            .iter()
            .filter(|p| !channel.categories.contains(&p.category))
            .map(|p| p.id.0.clone())
            .collect();
        if !outside.is_empty() {
            let message = format!(
                "{} person(s) not released through {} are in its handover on day {day}",
                outside.len(),
                channel.via
            );
            self.violation(K::OutsideChannel, Some(day), outside, message);
        }
        let n = fresh.len() as u32;
        if let Some(c) = self.released_by.get_mut(&h.from) {
            *c += n;
        }
        self.channel_today[c] += n;
        for p in &fresh {
            if let Some(g) = &p.group
                && let Some(entry) = self.groups.get_mut(&(p.holder.as_str(), g.as_str()))
            {
                entry.handovers.push(index);
                entry.members.push(p.id.0.clone());
            }
        }
    }

    /// Every flow of the deal, at least its minimum on every day of the
    /// pause the plan spans (its base days and the extension days it uses).
    fn flows(&mut self, plan: &PlanInput) {
        let last = self.deal.pause.days.max(self.days_used);
        for f in &self.deal.flows {
            let stated = plan.flows.iter().find(|p| p.id == f.id);
            let short: Vec<u32> = (1..=last)
                .filter(|d| {
                    !stated.is_some_and(|p| p.per_day >= f.min_per_day && p.days.contains(d))
                })
                .collect();
            if short.is_empty() {
                continue;
            }
            let message = match stated {
                None => format!(
                    "the plan does not state the flow {} (at least {} {} a day by {})",
                    f.id, f.min_per_day, f.unit, f.by
                ),
                Some(p) => format!(
                    "the flow {} is {} {} a day on {} day(s) of the pause (first: day {}), below its minimum of {}",
                    f.id,
                    if p.per_day < f.min_per_day {
                        p.per_day
                    } else {
                        0
                    },
                    f.unit,
                    short.len(),
                    short[0],
                    f.min_per_day
                ),
            };
            self.violation(K::FlowBelowMinimum, Some(short[0]), Vec::new(), message);
        }
    }

    fn start_day(&mut self, day: u32, handovers: usize) {
        self.channel_today.iter_mut().for_each(|c| *c = 0);
        self.today_by_holder.clear();
        self.today_by_via.clear();
        self.today_total = 0;
        self.today_carried = self.carried_exposure();
        self.today_exposure = self.today_carried;
        for r in &mut self.rules {
            r.paid_today = 0;
            r.counter_today = 0;
            r.paid_today_persons.clear();
        }
        if let Some(via) = self.deal.intermediary().filter(|_| !self.deal.has_routes()) {
            let limit = via.handovers_per_day.unwrap_or(2);
            if handovers > limit as usize {
                let message = format!(
                    "{handovers} handovers on day {day}, but {} runs at most {limit} a day",
                    via.id
                );
                self.violation(K::HandoversPerDay, Some(day), Vec::new(), message);
            }
        }
        if let Some(days) = &self.deal.release.release_days
            && handovers > 0
            && !days.contains(&day)
        {
            let message =
                format!("handovers on day {day}, which is not one of the deal's release days");
            self.violation(K::NotReleaseDay, Some(day), Vec::new(), message);
        }
        if day > self.deal.max_days() && handovers > 0 {
            let message = format!(
                "handovers on day {day}, but the pause has at most {} days",
                self.deal.max_days()
            );
            self.violation(K::BeyondPause, Some(day), Vec::new(), message);
        }
    }

    /// The persons this handover validly releases (known, held by `from`,
    /// not released before), reporting the others.
    fn admit(&mut self, day: u32, h: &HandoverInput) -> Vec<&'d Person> {
        let mut fresh = Vec::new();
        for id in &h.persons {
            let Some(&p) = self.persons.get(id.as_str()) else {
                let message = format!("person {id} is in no roster");
                self.violation(K::UnknownPerson, Some(day), vec![id.clone()], message);
                continue;
            };
            if p.holder.as_str() != h.from {
                let message = format!("person {id} is held by {}, not by {}", p.holder, h.from);
                self.violation(K::WrongHolder, Some(day), vec![id.clone()], message);
                continue;
            }
            if !self.released.insert(p.id.as_str()) {
                let message = format!("person {id} is released more than once");
                self.violation(K::ReleasedTwice, Some(day), vec![id.clone()], message);
                continue;
            }
            fresh.push(p);
        }
        fresh
    }

    fn handover(&mut self, day: u32, h: &HandoverInput) {
        if let Some(c) = self.channel_of(h) {
            return self.channel_handover(day, h, c);
        }
        let index = self.handover_index;
        self.handover_index += 1;
        let expected_via = self.deal.release.via.as_ref().map(|v| v.as_str());
        if self.deal.has_routes() {
            self.routed_via(day, h);
        } else if h.via.as_deref() != expected_via {
            let message = format!(
                "handover from {} goes via {}, but the deal's intermediary is {}",
                h.from,
                h.via.as_deref().unwrap_or("nobody"),
                expected_via.unwrap_or("nobody")
            );
            self.violation(K::WrongVia, Some(day), Vec::new(), message);
        }
        if self.deal.roster(&h.from.as_str().into()).is_none() {
            let message = format!("{} has no roster, so it cannot release anyone", h.from);
            self.violation(K::UnknownHolder, Some(day), h.persons.clone(), message);
        }
        if h.persons.is_empty() {
            let message = format!("a handover from {} on day {day} moves nobody", h.from);
            self.violation(K::EmptyHandover, Some(day), Vec::new(), message);
            return;
        }
        self.days_used = self.days_used.max(day);
        let fresh = self.admit(day, h);
        let channelled: Vec<String> = fresh
            .iter()
            .filter(|p| self.deal.channel_of(&p.holder, &p.category).is_some())
            .map(|p| p.id.0.clone())
            .collect();
        if !channelled.is_empty() {
            let message = format!(
                "{} person(s) released through a channel outside the exchange go via the deal's intermediary on day {day}",
                channelled.len()
            );
            self.violation(K::OutsideChannel, Some(day), channelled, message);
        }
        let n = fresh.len() as u32;
        *self.today_by_holder.entry(h.from.clone()).or_insert(0) += n;
        if let Some(c) = self.released_by.get_mut(&h.from) {
            *c += n;
        }
        if let Some(c) = self.roster_released.get_mut(&h.from) {
            *c += n;
        }
        if day <= self.deal.pause.days
            && let Some(c) = self.base_released.get_mut(&h.from)
        {
            *c += n;
        }
        self.today_total += u64::from(n);
        if let Some(ext) = &self.deal.pause.extension
            && ext.by.as_str() == h.from
        {
            *self.by_releases.entry(day).or_insert(0) += n;
        }
        for p in &fresh {
            let t = self.tier[p.id.as_str()];
            let counted = self.deal.channel_of(&p.holder, &p.category).is_none();
            if counted
                && let Some(c) = self
                    .pending
                    .get_mut(p.holder.as_str())
                    .and_then(|m| m.get_mut(&t))
            {
                *c -= 1;
            }
            if let Some(g) = &p.group
                && let Some(entry) = self.groups.get_mut(&(p.holder.as_str(), g.as_str()))
            {
                entry.handovers.push(index);
                entry.members.push(p.id.0.clone());
            }
        }
        self.priority(day, &h.from, &fresh);
        self.exchanges(day, &h.from, &fresh);
    }

    fn priority(&mut self, day: u32, from: &str, fresh: &[&'d Person]) {
        if self.deal.release.priority != Priority::Strict {
            return;
        }
        let Some(best_pending) = self
            .pending
            .get(from)
            .and_then(|m| m.iter().find(|&(_, &c)| c > 0).map(|(&t, &c)| (t, c)))
        else {
            return;
        };
        let early: Vec<String> = fresh
            .iter()
            .filter(|p| self.tier[p.id.as_str()] > best_pending.0)
            .map(|p| p.id.0.clone())
            .collect();
        if !early.is_empty() {
            let message = format!(
                "{} released {} person(s) of a later tier while {} person(s) of tier {} are not yet released",
                from,
                early.len(),
                best_pending.1,
                best_pending.0
            );
            self.violation(K::Priority, Some(day), early, message);
        }
    }

    fn exchanges(&mut self, day: u32, from: &str, fresh: &[&'d Person]) {
        for (i, rule) in self.deal.exchanges.iter().enumerate() {
            let ratio = u64::from(rule.ratio.max(1));
            let gives: Vec<&Person> = if rule.gives.holder.as_str() == from {
                fresh
                    .iter()
                    .copied()
                    .filter(|p| rule.gives.categories.contains(&p.category))
                    .collect()
            } else {
                Vec::new()
            };
            let counter: Vec<&Person> = if rule.receives.holder.as_str() == from {
                fresh
                    .iter()
                    .copied()
                    .filter(|p| rule.receives.categories.contains(&p.category))
                    .collect()
            } else {
                Vec::new()
            };
            let deferred = rule.deferred_days > 0;
            let c = &mut self.rules[i];
            // Counter-releases are paid only by what was released in earlier
            // handovers today (on any earlier day, under a deferral).
            let paid_before = if deferred { c.paid } else { c.paid_today };
            c.counter_today += counter.len() as u64;
            c.counter += counter.len() as u64;
            let counted = if deferred { c.counter } else { c.counter_today };
            let unpaid = counted > ratio * paid_before;
            let counter_today = counted;
            c.paid_today += gives.len() as u64;
            c.paid += gives.len() as u64;
            c.paid_today_persons
                .extend(gives.iter().map(|p| p.id.0.clone()));
            let (paid, counter_all) = (c.paid, c.counter);
            if unpaid && !counter.is_empty() && deferred {
                let message = format!(
                    "{} has released {counter_today} counter-release(s) by day {day}, but only {paid_before} release(s) by {} before them pay for {} (ratio {ratio}): a deferral pays late, never ahead",
                    rule.receives.holder,
                    rule.gives.holder,
                    ratio * paid_before
                );
                let ids = counter.iter().map(|p| p.id.0.clone()).collect();
                self.violation(K::UnpaidCounterRelease, Some(day), ids, message);
            } else if unpaid && !counter.is_empty() {
                let message = format!(
                    "{} has released {counter_today} counter-release(s) on day {day}, but only {paid_before} release(s) by {} before them pay for {} (ratio {ratio})",
                    rule.receives.holder,
                    rule.gives.holder,
                    ratio * paid_before
                );
                let ids = counter.iter().map(|p| p.id.0.clone()).collect();
                self.violation(K::UnpaidCounterRelease, Some(day), ids, message);
            }
            self.exposure(day, i, paid, counter_all, ratio);
        }
    }

    /// Exposure of rule `i` after a handover, as the exact fraction num/ratio.
    fn exposure(&mut self, day: u32, i: usize, paid: u64, counter: u64, ratio: u64) {
        // Both sides hand over at one moment: nobody is exposed.
        let num = if self.deal.exchanges[i].simultaneous {
            0
        } else {
            (ratio * paid).abs_diff(counter)
        };
        if num * self.today_exposure.1 > self.today_exposure.0 * ratio {
            self.today_exposure = (num, ratio);
        }
        if num * self.max_exposure_den > self.max_exposure_num * ratio {
            self.max_exposure_num = num;
            self.max_exposure_den = ratio;
        }
        if let Some(bound) = self.deal.release.max_exposure
            && num > ratio * u64::from(bound)
        {
            let rule = &self.deal.exchanges[i];
            let side = if ratio * paid > counter {
                &rule.gives.holder
            } else {
                &rule.receives.holder
            };
            let message = format!(
                "exposure of {side} reaches {} on day {day}, above the bound of {bound}",
                fmt_fraction(num, ratio)
            );
            self.violation(K::ExposureBound, Some(day), Vec::new(), message);
        }
    }

    fn end_day(&mut self, day: u32) {
        for (i, c) in self.deal.channels.iter().enumerate() {
            if let Some(max) = c.max_per_day.filter(|&m| self.channel_today[i] > m) {
                let message = format!(
                    "{} persons released through {} on day {day}, above its max_per_day {max}",
                    self.channel_today[i], c.via
                );
                self.violation(K::MaxPerDay, Some(day), Vec::new(), message);
            }
        }
        let released = self
            .released_by
            .keys()
            .map(|h| (h.clone(), self.today_by_holder.get(h).copied().unwrap_or(0)))
            .collect();
        let (num, den) = self.today_exposure;
        let (carried_num, carried_den) = self.today_carried;
        self.days.push(DayFigures {
            day,
            released,
            max_exposure: num as f64 / den as f64,
            carried_exposure: carried_num as f64 / carried_den as f64,
        });
        for (i, rule) in self.deal.exchanges.iter().enumerate() {
            let ratio = u64::from(rule.ratio.max(1));
            let c = &mut self.rules[i];
            if rule.deferred_days > 0 {
                // Judged when the payments fall due, in `deferred_due`.
                let paid_with = std::mem::take(&mut c.paid_today_persons);
                c.history.push((day, c.paid, paid_with));
                c.counter_history.push((day, c.counter));
                continue;
            }
            if c.counter_today < ratio * c.paid_today {
                let message = format!(
                    "{} released {} on day {day}, which {} must pay with {} counter-release(s) that day; it released {}",
                    rule.gives.holder,
                    c.paid_today,
                    rule.receives.holder,
                    ratio * c.paid_today,
                    c.counter_today
                );
                let ids = c.paid_today_persons.clone();
                self.violation(K::MissingCounterRelease, Some(day), ids, message);
            }
        }
        for r in &self.deal.rosters {
            let n = self
                .today_by_holder
                .get(r.holder.as_str())
                .copied()
                .unwrap_or(0);
            if let Some(max) = r.max_per_day.filter(|&m| n > m) {
                let message = format!(
                    "{} releases {n} on day {day}, above max_per_day {max}",
                    r.holder
                );
                self.violation(K::MaxPerDay, Some(day), Vec::new(), message);
            }
            if let Some(min) = r.min_per_day.filter(|&m| n > 0 && n < m) {
                let message = format!(
                    "{} releases {n} on day {day}, below min_per_day {min}",
                    r.holder
                );
                self.violation(K::MinPerDay, Some(day), Vec::new(), message);
            }
        }
        if self.deal.has_routes() {
            self.via_limits(day);
        } else if let Some(via) = self.deal.intermediary()
            && let Some(cap) = via
                .capacity_per_day
                .filter(|&c| self.today_total > u64::from(c))
        {
            let message = format!(
                "{} persons carried on day {day}, above {}'s capacity of {cap}",
                self.today_total, via.id
            );
            self.violation(K::Capacity, Some(day), Vec::new(), message);
        }
    }

    /// With routes: every person of the handover must cross by its own
    /// route (its category's `via`, else its roster's, else the deal's), and
    /// the handover counts against the intermediary it names.
    fn routed_via(&mut self, day: u32, h: &HandoverInput) {
        let name = h.via.clone().unwrap_or_default();
        let mut wrong: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut carried = 0u64;
        for id in &h.persons {
            let Some(p) = self.persons.get(id.as_str()) else {
                continue;
            };
            if p.holder.as_str() != h.from || self.released.contains(id.as_str()) {
                continue;
            }
            carried += 1;
            let route = self.deal.route(&p.holder, &p.category).map(|v| v.as_str());
            if route != h.via.as_deref() {
                wrong
                    .entry(route.unwrap_or("nobody").to_owned())
                    .or_default()
                    .push(id.clone());
            }
        }
        let entry = self.today_by_via.entry(name).or_insert((0, 0));
        entry.0 += carried;
        entry.1 += 1;
        for (route, ids) in wrong {
            let message = format!(
                "handover from {} goes via {}, but {} of its person(s) cross by {route}",
                h.from,
                h.via.as_deref().unwrap_or("nobody"),
                ids.len()
            );
            self.violation(K::WrongVia, Some(day), ids, message);
        }
    }

    /// With routes: each intermediary's capacity and handovers of the day.
    fn via_limits(&mut self, day: u32) {
        let today = std::mem::take(&mut self.today_by_via);
        for (via, &(persons, handovers)) in &today {
            let Some(party) = self.deal.party(&via.as_str().into()) else {
                continue;
            };
            if let Some(cap) = party.capacity_per_day.filter(|&c| persons > u64::from(c)) {
                let message = format!(
                    "{persons} persons carried by {via} on day {day}, above its capacity of {cap}"
                );
                self.violation(K::Capacity, Some(day), Vec::new(), message);
            }
            let limit = party.handovers_per_day.unwrap_or(2);
            if handovers > limit as usize {
                let message = format!(
                    "{handovers} handovers by {via} on day {day}, but it runs at most {limit} a day"
                );
                self.violation(K::HandoversPerDay, Some(day), Vec::new(), message);
            }
        }
        self.today_by_via = today;
    }

    /// The largest exposure of a deferred rule between two days (what is
    /// owed overnight), as num/den; (0, 1) without deferral. Called at a
    /// day's start it is the exposure carried into the day.
    fn carried_exposure(&self) -> (u64, u64) {
        let mut best = (0, 1);
        for (rule, c) in self.deal.exchanges.iter().zip(&self.rules) {
            if rule.deferred_days == 0 || rule.simultaneous {
                continue;
            }
            let ratio = u64::from(rule.ratio.max(1));
            let num = (ratio * c.paid).abs_diff(c.counter);
            if num * best.1 > best.0 * ratio {
                best = (num, ratio);
            }
        }
        best
    }

    /// Under a rule's `deferred_days` N: the counter-releases for what was
    /// paid by the end of day d are all released by the end of day d + N,
    /// or of the pause's last day (the base days, or the plan's last day
    /// with a handover when it is later), whichever comes first.
    fn deferred_due(&mut self) {
        let last = self.deal.pause.days.max(self.days_used);
        let mut found = Vec::new();
        for (i, rule) in self.deal.exchanges.iter().enumerate() {
            let n = rule.deferred_days;
            if n == 0 {
                continue;
            }
            let ratio = u64::from(rule.ratio.max(1));
            let c = &self.rules[i];
            let mut owed_before = 0;
            for (day, paid, persons) in &c.history {
                let owed = ratio * paid;
                if persons.is_empty() || owed <= owed_before {
                    continue;
                }
                owed_before = owed;
                let due = day.saturating_add(n).min(last.max(*day));
                let have = c
                    .counter_history
                    .iter()
                    .take_while(|(d, _)| *d <= due)
                    .last()
                    .map_or(0, |&(_, k)| k);
                if have < owed {
                    let message = format!(
                        "{} released {paid} by the end of day {day}, which {} must pay with {owed} counter-release(s) by the end of day {due} (deferred {n} day(s), within the pause); it released {have}",
                        rule.gives.holder, rule.receives.holder
                    );
                    found.push((due, persons.clone(), message));
                }
            }
        }
        for (due, persons, message) in found {
            self.violation(K::MissingCounterRelease, Some(due), persons, message);
        }
    }

    fn finish(mut self, plan: &PlanInput) -> CheckReport {
        self.deferred_due();
        self.extension_days();
        self.groups_whole();
        for r in &self.deal.rosters {
            let n = self
                .roster_released
                .get(r.holder.as_str())
                .copied()
                .unwrap_or(0);
            if let Some(max) = r.total_max.filter(|&m| n > m) {
                let message = format!("{} releases {n} in all, above total_max {max}", r.holder);
                self.violation(K::TotalMax, None, Vec::new(), message);
            }
            let base = self
                .base_released
                .get(r.holder.as_str())
                .copied()
                .unwrap_or(0);
            if let Some(min) = r.min_in_base_days.filter(|&m| base < m) {
                let message = format!(
                    "{} releases {base} within the {} base day(s), below the guaranteed {min}",
                    r.holder, self.deal.pause.days
                );
                self.violation(K::BaseDaysMin, None, Vec::new(), message);
            }
            if let Some(min) = r.total_min.filter(|&m| n < m) {
                let message = format!(
                    "{} releases {n} in all, below the guaranteed total_min {min}",
                    r.holder
                );
                self.violation(K::TotalMin, None, Vec::new(), message);
            }
        }
        let max_exposure = self.max_exposure_num as f64 / self.max_exposure_den as f64;
        self.figures(plan, max_exposure);
        CheckReport {
            violations: self.violations,
            released: self.released_by,
            days_used: self.days_used,
            max_exposure,
            days: self.days,
        }
    }

    fn extension_days(&mut self) {
        let Some(ext) = self.deal.pause.extension.clone() else {
            return;
        };
        let base = self.deal.pause.days;
        for day in base + 1..=self.days_used.min(self.deal.max_days()) {
            let n = self.by_releases.get(&day).copied().unwrap_or(0);
            if n < ext.per_releases {
                let message = format!(
                    "extension day {day} needs at least {} release(s) by {} that day to be earned; it has {n}",
                    ext.per_releases, ext.by
                );
                self.violation(K::UnearnedExtension, Some(day), Vec::new(), message);
            }
        }
    }

    fn groups_whole(&mut self) {
        if !self.deal.release.keep_groups_together {
            return;
        }
        let mut split: Vec<(usize, String, Vec<String>, u32)> = Vec::new();
        for (
            (holder, group),
            GroupSeen {
                handovers,
                members,
                size,
            },
        ) in &self.groups
        {
            if members.is_empty() {
                continue;
            }
            let one_handover = handovers.iter().all(|&h| h == handovers[0]);
            if !one_handover || members.len() as u32 != *size {
                let message = format!(
                    "group {group} of {holder}: {} of its {size} member(s) released, in {} handover(s); a group goes whole in one handover",
                    members.len(),
                    {
                        let mut h = handovers.clone();
                        h.dedup();
                        h.len()
                    }
                );
                split.push((handovers[0], message, members.clone(), 0));
            }
        }
        // Report in execution order, whatever the hash map's order.
        split.sort();
        for (_, message, members, _) in split {
            self.violation(K::GroupSplit, None, members, message);
        }
    }

    fn figures(&mut self, plan: &PlanInput, max_exposure: f64) {
        if let Some(reported) = &plan.released {
            let keys: HashSet<&String> = reported.keys().chain(self.released_by.keys()).collect();
            let mut keys: Vec<&String> = keys.into_iter().collect();
            keys.sort();
            for k in keys {
                let said = reported.get(k).copied().unwrap_or(0);
                let is = self.released_by.get(k).copied().unwrap_or(0);
                if said != is {
                    let message =
                        format!("the plan says {k} releases {said}; its handovers release {is}");
                    self.violations.push(Violation {
                        kind: K::FigureMismatch,
                        day: None,
                        persons: Vec::new(),
                        message,
                    });
                }
            }
        }
        if let Some(said) = plan.days_used.filter(|&d| d != self.days_used) {
            let message = format!(
                "the plan says days_used {said}; its last handover is on day {}",
                self.days_used
            );
            self.violation(K::FigureMismatch, None, Vec::new(), message);
        }
        if let Some(said) = plan
            .max_exposure
            .filter(|e| (e - max_exposure).abs() > EXPOSURE_EPSILON)
        {
            let message =
                format!("the plan says max_exposure {said}; its handovers reach {max_exposure}");
            self.violation(K::FigureMismatch, None, Vec::new(), message);
        }
    }
}

fn fmt_fraction(num: u64, den: u64) -> String {
    if num.is_multiple_of(den) {
        format!("{}", num / den)
    } else {
        format!("{:.2}", num as f64 / den as f64)
    }
}
