//! What the rest of a plan can at best still gain (a leaf of `solve`): from
//! a day and a search state, an upper bound on the persons the rest
//! releases and on its tier savings, from limits every plan obeys. The
//! tier-order search skips a day's action whose gain plus this ceiling
//! cannot beat the best continuation already found from the same state.
//!
//! The bound relaxes the deal to each holder alone: by the end of the `i`-th
//! day a handover may still happen, a holder has released at most what it
//! holds, its `total_max` allows and `i` days at its daily limit (and the
//! intermediaries' capacity) give; a payee's counter-releases under a rule
//! at most what is owed plus `ratio` × what its payer can have paid by then
//! (no counter-release is ever ahead of its payment, deferred or not). The
//! savings count each person's tier weight once for every day from its
//! release to the horizon's end, so they are largest when each holder's
//! heaviest persons go first and as many go as early as those limits let
//! them: the bound sums, over the days left, the weights of the heaviest
//! persons each holder can have released by that day.

use super::model::Model;
use super::owed;

/// What the ceiling needs of the model, prepared once per search.
pub(crate) struct Ceiling {
    /// Per holder: its kinds, heaviest member first.
    heaviest: Vec<Vec<usize>>,
    /// Per holder: persons at the start of the search (its roster).
    persons: Vec<u64>,
    /// Per holder: persons a day at most.
    per_day: Vec<u64>,
    /// The search's last day handovers may happen.
    last: u32,
}

impl Ceiling {
    pub fn new(m: &Model, last: u32) -> Self {
        let n = m.holders.len();
        let mut heaviest: Vec<Vec<usize>> = m.kinds_of.clone();
        for kinds in &mut heaviest {
            kinds.sort_by_key(|&k| std::cmp::Reverse(m.kinds[k].weight));
        }
        let mut persons = vec![0u64; n];
        for kind in &m.kinds {
            persons[kind.holder] += kind.units.len() as u64 * u64::from(kind.size);
        }
        let per_day = m
            .holders
            .iter()
            .map(|h| u64::from(h.max_per_day.min(m.capacity)))
            .collect();
        Ceiling {
            heaviest,
            persons,
            per_day,
            last,
        }
    }

    /// At most (persons released, tier savings) by any continuation from
    /// `day` (before its handovers) in `state`.
    pub fn of(&self, m: &Model, day: u32, state: &[u32]) -> (u32, u64) {
        let n = m.holders.len();
        // Days handovers may still happen, up to the search's last.
        let open = (day..=self.last)
            .filter(|d| m.release_days.as_ref().is_none_or(|r| r.contains(d)))
            .count() as u64;
        let mut held = vec![0u64; n];
        for (k, kind) in m.kinds.iter().enumerate() {
            held[kind.holder] += u64::from(state[k]) * u64::from(kind.size);
        }
        // Alone: by the end of the i-th open day, at most `cap(h, i)`.
        let alone = |h: usize, i: u64| {
            let released = self.persons[h] - held[h];
            held[h]
                .min(u64::from(m.holders[h].total_max).saturating_sub(released))
                .min(self.per_day[h].saturating_mul(i))
        };
        // Per holder and rule paid to it: (rule, counter-releases left,
        // what its payer has left to pay, what is owed now); the rest of
        // its persons are free of payment.
        let owing = owed::owing(m, state);
        let mut paid: Vec<Vec<(usize, u64, u64, u64)>> = vec![Vec::new(); n];
        let mut free = held.clone();
        for (e, r) in m.rules.iter().enumerate() {
            if r.gives >= n || r.receives >= n {
                continue;
            }
            let (mut counter, mut paying) = (0u64, 0u64);
            for (k, kind) in m.kinds.iter().enumerate() {
                let units = u64::from(state[k]);
                if kind.holder == r.receives {
                    counter += units * u64::from(kind.receives[e]);
                }
                if kind.holder == r.gives {
                    paying += units * u64::from(kind.gives[e]);
                }
            }
            free[r.receives] = free[r.receives].saturating_sub(counter);
            paid[r.receives].push((e, counter, paying, owing[e]));
        }
        let cap = |h: usize, i: u64| {
            let mut most = alone(h, i);
            if !paid[h].is_empty() {
                let coupled: u64 = paid[h]
                    .iter()
                    .map(|&(e, counter, paying, owed)| {
                        let r = &m.rules[e];
                        let payment = paying.min(alone(r.gives, i));
                        counter.min(owed.saturating_add(u64::from(r.ratio) * payment))
                    })
                    .sum();
                most = most.min(free[h] + coupled);
            }
            most
        };
        let mut released = 0u64;
        let mut savings = 0u64;
        for h in 0..n {
            released += cap(h, open);
            // Weights of the heaviest `count` persons `h` holds.
            let heaviest = |mut count: u64| {
                let mut sum = 0u64;
                for &k in &self.heaviest[h] {
                    let kind = &m.kinds[k];
                    let take = count.min(u64::from(state[k]) * u64::from(kind.size));
                    sum += take * kind.weight;
                    count -= take;
                    if count == 0 {
                        break;
                    }
                }
                sum
            };
            let mut i = 0u64;
            for d in day..=m.max_days {
                if d <= self.last && m.release_days.as_ref().is_none_or(|r| r.contains(&d)) {
                    i += 1;
                }
                savings += heaviest(cap(h, i));
            }
        }
        let released = released.min(u64::from(m.capacity).saturating_mul(open));
        (u32::try_from(released).unwrap_or(u32::MAX), savings)
    }
}
