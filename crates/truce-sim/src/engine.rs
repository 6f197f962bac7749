//! One simulated execution of a plan, and many of them in parallel.
//!
//! Reproducibility: run `i` draws from two ChaCha8 streams of the seed's key,
//! `2i` for the day's events (exactly five numbers per day) and `2i + 1` for
//! the handovers (exactly four per handover). So a run depends only on
//! (seed, i), never on threads, and two drafts simulated with the same seed
//! see the same days: common random numbers. Every tally is an integer, so
//! adding them up in any order gives the same result.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::outcome::{Ending, MAX_RUNS, RunResult, SimOptions};
use crate::risk::{Replan, RiskModel};
use crate::schedule::{Day, Done, Replanned, Schedule};
use crate::summary::{Paired, Report, Tally};

/// Runs handed to a worker at a time (progress is reported per chunk).
const CHUNK: u64 = 1024;

/// Reusable per-thread buffers.
#[derive(Debug, Default)]
struct Work {
    /// Holder of each pending move of the current stage, in order.
    holders: Vec<usize>,
    /// Dense counts per pending move × cell.
    counts: Vec<u32>,
    /// Closing day of each open breach.
    breaches: Vec<u32>,
    /// What was carried out, for an exact re-plan.
    log: Vec<Done>,
}

/// The stages a run follows: the plan's, or its re-plan's.
fn days_of<'a>(s: &'a Schedule, replanned: &'a Option<Arc<Replanned>>) -> &'a [Day] {
    replanned.as_ref().map_or(&s.days, |r| &r.days)
}

fn uniform_days(u: f64, min: u32, max: u32) -> u32 {
    let span = f64::from(max - min + 1);
    min + ((u * span) as u32).min(max - min)
}

/// Simulates one execution of `s` with the two RNG streams of one run.
pub fn run_once(s: &Schedule, risk: &RiskModel, seed_key: [u8; 32], run: u64) -> RunResult {
    let mut out = RunResult::empty(s);
    run_into(s, risk, seed_key, run, &mut Work::default(), &mut out);
    out
}

/// The seed's ChaCha8 key (the streams of each run are under it).
pub fn seed_key(seed: u64) -> [u8; 32] {
    ChaCha8Rng::seed_from_u64(seed).get_seed()
}

fn rngs(key: [u8; 32], run: u64) -> (ChaCha8Rng, ChaCha8Rng) {
    let mut day = ChaCha8Rng::from_seed(key);
    day.set_stream(2 * run);
    let mut handover = ChaCha8Rng::from_seed(key);
    handover.set_stream(2 * run + 1);
    (day, handover)
}

fn run_into(
    s: &Schedule,
    risk: &RiskModel,
    key: [u8; 32],
    run: u64,
    w: &mut Work,
    out: &mut RunResult,
) {
    let (mut day_rng, mut ho_rng) = rngs(key, run);
    let ncells = s.cells.len();
    out.released.clear();
    out.released.resize(ncells, 0);
    out.days_used = 0;
    out.exposure_scaled = 0;
    out.flow_days.clear();
    out.flow_days.resize(s.flows.len(), 0);
    w.holders.clear();
    w.counts.clear();
    w.breaches.clear();
    w.log.clear();
    let mut replanned: Option<Arc<Replanned>> = None;
    // An exact re-plan is tried once, at the first day the run starts behind.
    let mut tried = risk.policy.replan != Replan::Exact;
    let mut end = s.planned_end;
    let mut seq = 0u32;
    let h = &risk.handover;
    let c = &risk.collapse;
    let scale = s.scale as f64;
    let mut next = 0usize; // next planned stage to load
    let mut stage_day = 0u32; // planned day of the stage in `w`
    let mut extra = 0u32;
    let mut suspended_until = 0u32;
    let mut idle = 0u32;
    // The exposure after the last handover (released changes only there).
    let mut exposure_now = 0u64;
    let mut day = 1u32;
    loop {
        let days = days_of(s, &replanned);
        if w.holders.is_empty() && next == days.len() {
            // A re-plan may have dropped persons the days left could not carry.
            out.ending = if out.total() == s.planned_total() {
                Ending::Completed
            } else {
                Ending::Expired
            };
            out.end_day = day - 1;
            // The pause goes on after its last release: its aid keeps
            // coming in on the flow days left, while it holds.
            if !s.flows.is_empty() {
                aid_after_releases(s, risk, &mut day_rng, day, suspended_until, w, out);
            }
            return;
        }
        if day > end + extra {
            out.ending = Ending::Expired;
            out.end_day = day - 1;
            return;
        }
        let u: [f64; 5] = std::array::from_fn(|_| day_rng.random::<f64>());
        w.breaches.retain(|&until| until >= day);
        let open = w.breaches.len() as f64;
        // The exposure carried overnight (counter-releases deferred to a
        // later day, or owed after a shortfall) weighs on the night as it
        // does right after a handover.
        let carried = exposure_now;
        let hazard = risk.base_hazard(day)
            + c.per_open_breach * open
            + c.per_idle_day * f64::from(idle)
            + c.per_exposure * carried as f64 / scale;
        if u[0] < hazard {
            out.ending = Ending::Collapsed;
            out.end_day = day;
            out.exposure_scaled = carried;
            return;
        }
        if u[1] < risk.breach.daily {
            let len = uniform_days(u[2], risk.breach.open_days_min, risk.breach.open_days_max);
            w.breaches.push(day + len - 1);
        }
        let open = w.breaches.len() as f64;
        let mut due = !w.holders.is_empty() || days.get(next).is_some_and(|d| d.day <= day);
        let mut released_today = false;
        let mut earned_today = 0u64;
        let mut lost = false;
        if suspended_until < day
            && u[3] < risk.base_suspension(day) + risk.suspension.per_open_breach * open
        {
            let len = uniform_days(u[4], risk.suspension.days_min, risk.suspension.days_max);
            suspended_until = day + len - 1;
        }
        if suspended_until >= day {
            lost = due;
        } else {
            // The pause holds today: its resource flows come in (before
            // the day's handovers, so a collapse they trigger keeps them).
            for (k, f) in s.flows.iter().enumerate() {
                if f.due_on(day) {
                    out.flow_days[k] += 1;
                }
            }
        }
        if suspended_until < day && due {
            let behind = !w.holders.is_empty() || days.get(next).is_some_and(|d| d.day < day);
            if !tried && behind {
                tried = true;
                if let Some(r) = s.replanning.replan(&w.log, day - 1) {
                    end = r.end;
                    extra = extra.min(s.terms_last_day.saturating_sub(end));
                    replanned = Some(r);
                    next = 0;
                    w.holders.clear();
                    w.counts.clear();
                }
            }
            let days = days_of(s, &replanned);
            due = days.get(next).is_some_and(|d| d.day <= day) || !w.holders.is_empty();
            if due && w.holders.is_empty() {
                load(s, days, next, w);
                stage_day = days[next].day;
                next += 1;
            }
            let catch_up = risk.policy.replan == Replan::CatchUp
                || (tried && risk.policy.replan == Replan::Exact);
            if due && catch_up && stage_day < day && next < days.len() && merge(s, days, next, w) {
                next += 1;
            }
            // The day's moves, in order, until one slips or falls short.
            let mut done = 0;
            while done < w.holders.len() {
                let d: [f64; 4] = std::array::from_fn(|_| ho_rng.random::<f64>());
                if d[0] < h.delay {
                    lost = true;
                    break;
                }
                let share = if d[1] < h.partial {
                    h.partial_share_min + (1.0 - h.partial_share_min) * d[2]
                } else {
                    1.0
                };
                let row = &mut w.counts[done * ncells..(done + 1) * ncells];
                let mut short = false;
                for (cell, n) in row.iter_mut().enumerate() {
                    if *n == 0 {
                        continue;
                    }
                    let carried = if share >= 1.0 {
                        *n
                    } else {
                        (f64::from(*n) * share) as u32
                    };
                    if carried > 0 {
                        released_today = true;
                    }
                    if s.earning.as_ref().is_some_and(|e| e.counts[cell]) {
                        earned_today += u64::from(carried);
                    }
                    out.released[cell] += carried;
                    *n -= carried;
                    short |= *n > 0;
                    if !tried && carried > 0 {
                        w.log.push((day, seq, w.holders[done], cell, carried));
                    }
                }
                seq += 1;
                if released_today {
                    out.days_used = day;
                }
                let exposure = s.exposure(&out.released);
                exposure_now = exposure;
                if d[3] < c.per_exposure * exposure as f64 / scale {
                    out.ending = Ending::Collapsed;
                    out.end_day = day;
                    out.exposure_scaled = exposure;
                    return;
                }
                if short {
                    // The rest of this handover is owed first tomorrow; the
                    // day's later handovers wait for it.
                    lost = true;
                    break;
                }
                done += 1;
            }
            w.holders.drain(..done);
            w.counts.drain(..done * ncells);
        }
        if released_today {
            idle = 0;
        } else {
            idle += 1;
        }
        // A day after the base days is an extension day: the terms' rule
        // must earn it with the day's own releases, or the pause ends
        // with it (the persons it released are home).
        if let Some(e) = &s.earning
            && day > s.base_days
            && earned_today < e.per_releases
        {
            let days = days_of(s, &replanned);
            if !(w.holders.is_empty() && next == days.len()) {
                out.ending = Ending::Expired;
                out.end_day = day;
                return;
            }
        }
        // The policy extends the pause for days lost, never beyond the
        // last day the terms allow (no extension rule: none; extra days by
        // agreement: only the agreed ones).
        if lost
            && extra
                < risk
                    .policy
                    .extend_lost_days
                    .min(s.terms_last_day.saturating_sub(end))
        {
            extra += 1;
        }
        day += 1;
    }
}

/// The days of the pause after the last release, for its resource flows
/// alone: each day draws its five numbers as any day does (so common random
/// numbers still hold); a collapse ends the aid, a suspension skips the day.
/// Idle days add no hazard: there is nothing left to release. Kept out of
/// line: it runs at most once per run, and inlined it slows the day loop.
#[inline(never)]
fn aid_after_releases(
    s: &Schedule,
    risk: &RiskModel,
    day_rng: &mut ChaCha8Rng,
    from: u32,
    mut suspended_until: u32,
    w: &mut Work,
    out: &mut RunResult,
) {
    let last = s.flows.iter().filter_map(|f| f.days.last()).max().copied();
    let Some(last) = last else { return };
    let scale = s.scale as f64;
    let carried = s.exposure(&out.released) as f64 / scale;
    for day in from..=last {
        let u: [f64; 5] = std::array::from_fn(|_| day_rng.random::<f64>());
        w.breaches.retain(|&until| until >= day);
        let open = w.breaches.len() as f64;
        let hazard = risk.base_hazard(day)
            + risk.collapse.per_open_breach * open
            + risk.collapse.per_exposure * carried;
        if u[0] < hazard {
            return;
        }
        if u[1] < risk.breach.daily {
            let len = uniform_days(u[2], risk.breach.open_days_min, risk.breach.open_days_max);
            w.breaches.push(day + len - 1);
        }
        let open = w.breaches.len() as f64;
        if suspended_until < day
            && u[3] < risk.base_suspension(day) + risk.suspension.per_open_breach * open
        {
            let len = uniform_days(u[4], risk.suspension.days_min, risk.suspension.days_max);
            suspended_until = day + len - 1;
        }
        if suspended_until < day {
            for (k, f) in s.flows.iter().enumerate() {
                if f.due_on(day) {
                    out.flow_days[k] += 1;
                }
            }
        }
    }
}

/// Loads stage `i` of `days` into the pending moves.
fn load(s: &Schedule, days: &[Day], i: usize, w: &mut Work) {
    let ncells = s.cells.len();
    for m in &days[i].moves {
        w.holders.push(m.holder);
        let at = w.counts.len();
        w.counts.resize(at + ncells, 0);
        for &(cell, n) in &m.counts {
            w.counts[at + cell] += n;
        }
    }
}

/// Adds stage `i` to the pending moves, handover by handover, when it has
/// the same holders in the same order and the day's limits still hold.
fn merge(s: &Schedule, days: &[Day], i: usize, w: &mut Work) -> bool {
    let ncells = s.cells.len();
    let stage = &days[i];
    if stage.moves.len() != w.holders.len()
        || stage
            .moves
            .iter()
            .zip(&w.holders)
            .any(|(m, &h)| m.holder != h)
    {
        return false;
    }
    let pending: u64 = w.counts.iter().map(|&n| u64::from(n)).sum();
    let added: u64 = stage.moves.iter().map(|m| m.persons()).sum();
    if s.capacity.is_some_and(|cap| pending + added > cap) {
        return false;
    }
    for (holder, limit) in s.max_per_day.iter().enumerate() {
        let Some(limit) = limit else { continue };
        let mut total = 0u64;
        for (k, &h) in w.holders.iter().enumerate() {
            if h == holder {
                total += w.counts[k * ncells..(k + 1) * ncells]
                    .iter()
                    .map(|&n| u64::from(n))
                    .sum::<u64>();
                total += stage.moves[k].persons();
            }
        }
        if total > *limit {
            return false;
        }
    }
    for (k, m) in stage.moves.iter().enumerate() {
        for &(cell, n) in &m.counts {
            w.counts[k * ncells + cell] += n;
        }
    }
    true
}

/// Simulates `opts.runs` executions of each schedule under `risk`, with
/// common random numbers across schedules; `progress` receives the number
/// of runs finished so far (from any worker thread).
pub fn simulate(
    schedules: &[Schedule],
    risk: &RiskModel,
    opts: &SimOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Report {
    let key = seed_key(opts.seed);
    let runs = opts.runs.min(MAX_RUNS);
    let horizon = schedules
        .iter()
        .map(|s| s.planned_end + s.policy_extension(risk))
        .max()
        .unwrap_or(0);
    let chunks = runs.div_ceil(CHUNK);
    let next_chunk = AtomicU64::new(0);
    let finished = AtomicU64::new(0);
    let totals: Mutex<Option<(Vec<Tally>, Vec<Paired>)>> = Mutex::new(None);
    let threads = opts.threads.max(1).min(chunks.max(1) as usize);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut tallies: Vec<Tally> =
                    schedules.iter().map(|s| Tally::new(s, horizon)).collect();
                let mut paired = vec![Paired::default(); schedules.len().saturating_sub(1)];
                let mut work = Work::default();
                let mut results: Vec<RunResult> = schedules.iter().map(RunResult::empty).collect();
                loop {
                    let chunk = next_chunk.fetch_add(1, Ordering::Relaxed);
                    if chunk >= chunks {
                        break;
                    }
                    let end = ((chunk + 1) * CHUNK).min(runs);
                    for run in chunk * CHUNK..end {
                        for (k, s) in schedules.iter().enumerate() {
                            run_into(s, risk, key, run, &mut work, &mut results[k]);
                            tallies[k].add(&results[k]);
                        }
                        for (k, p) in paired.iter_mut().enumerate() {
                            p.add(&results[0], &results[k + 1]);
                        }
                    }
                    let done = finished.fetch_add(end - chunk * CHUNK, Ordering::Relaxed)
                        + (end - chunk * CHUNK);
                    progress(done);
                }
                // Integer tallies: the order threads add them in does not matter.
                let mut slot = totals.lock().unwrap_or_else(|e| e.into_inner());
                match slot.as_mut() {
                    None => *slot = Some((tallies, paired)),
                    Some((t, p)) => {
                        for (a, b) in t.iter_mut().zip(&tallies) {
                            a.merge(b);
                        }
                        for (a, b) in p.iter_mut().zip(&paired) {
                            a.merge(b);
                        }
                    }
                }
            });
        }
    });
    let (tallies, paired) = totals
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .unwrap_or_else(|| {
            (
                schedules.iter().map(|s| Tally::new(s, horizon)).collect(),
                vec![Paired::default(); schedules.len().saturating_sub(1)],
            )
        });
    Report::new(schedules, risk, opts, runs, &tallies, &paired)
}
