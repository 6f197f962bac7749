//! Why a deal is infeasible: the smallest set of terms that conflict, with
//! their numbers, and for each term the change that alone would resolve it.
//!
//! The set is found by a *deletion filter* (the classic way to find an
//! irreducible infeasible subset): start from every relaxable term, relax
//! one term at a time and keep it relaxed if the deal stays infeasible. What
//! remains is irreducible: relaxing any one of its terms makes the deal
//! feasible, so no smaller subset of it conflicts. The exact planner is the
//! oracle, so the answer is exact too (when a check runs out of steps, the
//! term is conservatively kept).

use truce_spec::{Deal, Priority};

use crate::plan::Conflict;

/// A term of the deal that could be relaxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Term {
    TotalMin(usize),
    BaseMin(usize),
    MaxPerDay(usize),
    MinPerDay(usize),
    TotalMax(usize),
    /// An intermediary's capacity (party index).
    Capacity(usize),
    /// An intermediary's handovers a day (party index).
    HandoversPerDay(usize),
    PauseDays,
    ExtensionPerReleases,
    MaxExposure,
    StrictPriority,
    KeepGroups,
}

/// Extra days tried when asking how many days would resolve a conflict.
const MAX_EXTRA_DAYS: u32 = 10;

/// The smallest set of terms that conflict, and what would resolve each.
/// `feasible` is the planner's oracle (`Some(true)` feasible, `Some(false)`
/// infeasible, `None` undecided within the budget), handed in so that this
/// module does not depend on the planner that calls it.
pub(crate) fn conflicts(
    deal: &Deal,
    step_budget: u64,
    feasible: &dyn Fn(&Deal, u64) -> Option<bool>,
) -> Vec<Conflict> {
    let budget = step_budget.min(2_000_000);
    let infeasible = |d: &Deal| feasible(d, budget) == Some(false);
    let terms = present_terms(deal);
    let mut relaxed = deal.clone();
    let mut kept = Vec::new();
    for &t in &terms {
        let mut trial = relaxed.clone();
        relax(&mut trial, t);
        if infeasible(&trial) {
            relaxed = trial;
        } else {
            kept.push(t);
        }
    }
    if kept.is_empty() {
        return Vec::new();
    }
    let feasible_with = |d: &Deal| feasible(d, budget) == Some(true);
    let resolutions = kept
        .iter()
        .filter_map(|&t| resolution(deal, t, &feasible_with))
        .collect();
    vec![Conflict {
        terms: kept.iter().map(|&t| path(deal, t)).collect(),
        reason: format!("these terms cannot all hold: {}", describe_all(deal, &kept)),
        resolutions,
    }]
}

fn present_terms(deal: &Deal) -> Vec<Term> {
    let mut terms = Vec::new();
    for (i, r) in deal.rosters.iter().enumerate() {
        if r.total_min.is_some_and(|v| v > 0) {
            terms.push(Term::TotalMin(i));
        }
        if r.min_in_base_days.is_some_and(|v| v > 0) {
            terms.push(Term::BaseMin(i));
        }
        if r.max_per_day.is_some() {
            terms.push(Term::MaxPerDay(i));
        }
        if r.min_per_day.is_some_and(|v| v > 1) {
            terms.push(Term::MinPerDay(i));
        }
        if r.total_max.is_some() {
            terms.push(Term::TotalMax(i));
        }
    }
    for i in carriers(deal) {
        if deal.parties[i].capacity_per_day.is_some() {
            terms.push(Term::Capacity(i));
        }
        terms.push(Term::HandoversPerDay(i));
    }
    terms.push(Term::PauseDays);
    if deal
        .pause
        .extension
        .as_ref()
        .is_some_and(|e| e.per_releases > 0)
    {
        terms.push(Term::ExtensionPerReleases);
    }
    if deal.release.max_exposure.is_some() {
        terms.push(Term::MaxExposure);
    }
    if deal.release.priority == Priority::Strict {
        terms.push(Term::StrictPriority);
    }
    if deal.release.keep_groups_together {
        terms.push(Term::KeepGroups);
    }
    terms
}

/// The intermediaries (party indices) that carry persons of the exchange:
/// the deal's `via`, and with routes every intermediary a person crosses by.
fn carriers(deal: &Deal) -> Vec<usize> {
    let mut ids: Vec<&truce_spec::PartyId> = deal.release.via.iter().collect();
    if deal.has_routes() {
        for p in &deal.persons {
            if let Some(v) = deal.route(&p.holder, &p.category)
                && deal.channel_of(&p.holder, &p.category).is_none()
                && !ids.contains(&v)
            {
                ids.push(v);
            }
        }
    }
    ids.iter()
        .filter_map(|id| deal.parties.iter().position(|p| &p.id == *id))
        .collect()
}

/// Sets a numeric term (or makes it the loosest when `value` is `None`).
fn set(deal: &mut Deal, t: Term, value: Option<u32>) {
    match t {
        Term::TotalMin(i) => deal.rosters[i].total_min = value,
        Term::BaseMin(i) => deal.rosters[i].min_in_base_days = value,
        Term::MaxPerDay(i) => deal.rosters[i].max_per_day = value,
        Term::MinPerDay(i) => deal.rosters[i].min_per_day = value,
        Term::TotalMax(i) => deal.rosters[i].total_max = value,
        Term::Capacity(i) => deal.parties[i].capacity_per_day = value,
        Term::HandoversPerDay(i) => {
            // Every useful handover moves someone and a payment needs a
            // handover on each side, so two per person is as good as no limit.
            let loosest =
                u32::try_from(2 * deal.persons.len() + deal.rosters.len()).unwrap_or(u32::MAX);
            deal.parties[i].handovers_per_day = Some(value.unwrap_or(loosest.max(1)));
        }
        Term::PauseDays => {
            deal.pause.days = value.unwrap_or(deal.pause.days.saturating_add(MAX_EXTRA_DAYS))
        }
        Term::ExtensionPerReleases => {
            if let Some(e) = deal.pause.extension.as_mut() {
                e.per_releases = value.unwrap_or(0);
            }
        }
        Term::MaxExposure => deal.release.max_exposure = value,
        Term::StrictPriority => deal.release.priority = Priority::Weighted,
        Term::KeepGroups => deal.release.keep_groups_together = false,
    }
}

fn relax(deal: &mut Deal, t: Term) {
    set(deal, t, None);
}

fn path(deal: &Deal, t: Term) -> String {
    let holder = |i: usize| deal.rosters[i].holder.as_str();
    match t {
        Term::TotalMin(i) => format!("roster.{}.total_min", holder(i)),
        Term::BaseMin(i) => format!("roster.{}.min_in_base_days", holder(i)),
        Term::MaxPerDay(i) => format!("roster.{}.max_per_day", holder(i)),
        Term::MinPerDay(i) => format!("roster.{}.min_per_day", holder(i)),
        Term::TotalMax(i) => format!("roster.{}.total_max", holder(i)),
        // One intermediary: the path as before routes existed.
        Term::Capacity(_) if !deal.has_routes() => "party.capacity_per_day".into(),
        Term::HandoversPerDay(_) if !deal.has_routes() => "party.handovers_per_day".into(),
        Term::Capacity(i) => format!("party.{}.capacity_per_day", deal.parties[i].id),
        Term::HandoversPerDay(i) => format!("party.{}.handovers_per_day", deal.parties[i].id),
        Term::PauseDays => "pause.days".into(),
        Term::ExtensionPerReleases => "pause.extension.per_releases".into(),
        Term::MaxExposure => "release.max_exposure".into(),
        Term::StrictPriority => "release.priority".into(),
        Term::KeepGroups => "release.keep_groups_together".into(),
    }
}

fn describe(deal: &Deal, t: Term) -> String {
    let r = |i: usize| &deal.rosters[i];
    let n = |v: Option<u32>| v.unwrap_or(0);
    let who = |i: usize| {
        if deal.has_routes() {
            format!("`{}`", deal.parties[i].id)
        } else {
            "the intermediary".to_owned()
        }
    };
    match t {
        Term::TotalMin(i) => format!(
            "{} guarantees at least {} in all",
            r(i).holder,
            n(r(i).total_min)
        ),
        Term::BaseMin(i) => format!(
            "{} guarantees at least {} within the first {} day(s)",
            r(i).holder,
            n(r(i).min_in_base_days),
            deal.pause.days
        ),
        Term::MaxPerDay(i) => format!(
            "{} releases at most {} a day",
            r(i).holder,
            n(r(i).max_per_day)
        ),
        Term::MinPerDay(i) => format!(
            "{} releases at least {} on a day it releases",
            r(i).holder,
            n(r(i).min_per_day)
        ),
        Term::TotalMax(i) => format!(
            "{} releases at most {} in all",
            r(i).holder,
            n(r(i).total_max)
        ),
        Term::Capacity(i) => format!(
            "{} carries at most {} a day",
            who(i),
            n(deal.parties[i].capacity_per_day)
        ),
        Term::HandoversPerDay(i) => {
            format!(
                "{} runs at most {} handovers a day",
                who(i),
                deal.parties[i].handovers_per_day.unwrap_or(2)
            )
        }
        Term::PauseDays => match &deal.pause.extension {
            Some(e) => format!(
                "the pause lasts {} days (plus at most {} earned)",
                deal.pause.days, e.max_days
            ),
            None => format!("the pause lasts {} days", deal.pause.days),
        },
        Term::ExtensionPerReleases => {
            let e = deal.pause.extension.as_ref();
            format!(
                "an extra day needs {} releases by {} that day",
                e.map_or(0, |e| e.per_releases),
                e.map_or("", |e| e.by.as_str())
            )
        }
        Term::MaxExposure => format!(
            "no side's exposure may exceed {}",
            n(deal.release.max_exposure)
        ),
        Term::StrictPriority => "tiers are released strictly in order".into(),
        Term::KeepGroups => "groups go whole in one handover".into(),
    }
}

fn describe_all(deal: &Deal, terms: &[Term]) -> String {
    terms
        .iter()
        .map(|&t| describe(deal, t))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The change of this one term, the smallest that makes the deal feasible.
fn resolution(deal: &Deal, t: Term, feasible_with: &dyn Fn(&Deal) -> bool) -> Option<String> {
    let with = |v: u32| {
        let mut d = deal.clone();
        set(&mut d, t, Some(v));
        feasible_with(&d)
    };
    let persons = deal.persons.len() as u32;
    // Every term relaxes monotonically, so binary searches find the boundary.
    let raise = |from: u32, to: u32| {
        if from > to || !with(to) {
            return None;
        }
        let (mut lo, mut hi) = (from, to);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if with(mid) { hi = mid } else { lo = mid + 1 }
        }
        Some(hi)
    };
    let lower = |from: u32| {
        if from == 0 || !with(0) {
            return None;
        }
        let (mut lo, mut hi) = (0, from - 1);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if with(mid) { lo = mid } else { hi = mid - 1 }
        }
        Some(lo)
    };
    let r = |i: usize| &deal.rosters[i];
    let holder = |i: usize| r(i).holder.as_str();
    match t {
        Term::TotalMin(i) => {
            lower(r(i).total_min?).map(|v| format!("lower {}'s total_min to {v}", holder(i)))
        }
        Term::BaseMin(i) => lower(r(i).min_in_base_days?)
            .map(|v| format!("lower {}'s min_in_base_days to {v}", holder(i))),
        Term::MaxPerDay(i) => raise(r(i).max_per_day?.saturating_add(1), persons)
            .map(|v| format!("raise {}'s max_per_day to {v}", holder(i))),
        Term::MinPerDay(i) => {
            lower(r(i).min_per_day?).map(|v| format!("lower {}'s min_per_day to {v}", holder(i)))
        }
        Term::TotalMax(i) => raise(r(i).total_max?.saturating_add(1), persons)
            .map(|v| format!("raise {}'s total_max to {v}", holder(i))),
        Term::Capacity(i) => {
            let c = deal.parties[i].capacity_per_day?;
            let whose = if deal.has_routes() {
                format!("{}'s", deal.parties[i].id)
            } else {
                "the intermediary's".to_owned()
            };
            raise(c.saturating_add(1), persons)
                .map(|v| format!("raise {whose} capacity_per_day to {v}"))
        }
        Term::HandoversPerDay(i) => {
            let h = deal.parties[i].handovers_per_day.unwrap_or(2);
            raise(
                h.saturating_add(1),
                h.saturating_add(deal.rosters.len() as u32),
            )
            .map(|v| format!("allow {v} handovers a day"))
        }
        Term::PauseDays => raise(
            deal.pause.days.saturating_add(1),
            deal.pause.days.saturating_add(MAX_EXTRA_DAYS),
        )
        .map(|v| {
            let extra = v - deal.pause.days;
            format!(
                "add {} day{} to the pause",
                extra,
                if extra == 1 { "" } else { "s" }
            )
        }),
        Term::ExtensionPerReleases => lower(deal.pause.extension.as_ref()?.per_releases)
            .map(|v| format!("lower the extension's per_releases to {v}")),
        Term::MaxExposure => raise(deal.release.max_exposure?.saturating_add(1), persons)
            .map(|v| format!("raise max_exposure to {v}")),
        Term::StrictPriority => with(0).then(|| "make priority weighted instead of strict".into()),
        Term::KeepGroups => {
            with(0).then(|| "allow groups to be released over several handovers".into())
        }
    }
}
