//! The planner's compact model: interchangeable release units aggregated
//! into *kinds*, so the search grows with the number of distinct kinds and
//! their counts, not with person ids.
//!
//! A *unit* is what must move together: a whole group when the deal keeps
//! groups together, otherwise one person. Two units are interchangeable
//! (same kind) when they have the same holder, effective tier and size, and
//! as many members paying (and being counter-releases) under each exchange
//! rule: every term of the deal then treats them alike (counts, exchange
//! roles, priority, tier weight). Categories matter only through these.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use truce_spec::{Deal, Priority};

/// Why the planner cannot model a deal (a limit of this planner, not of the deal).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// An exchange rule whose holder pays itself.
    #[error("exchange rule {0} has the same holder on both sides")]
    SelfExchange(usize),
}

#[derive(Debug, Clone)]
pub(crate) struct Holder {
    pub id: String,
    pub min_per_day: u32,
    pub max_per_day: u32,
    pub total_min: u32,
    pub total_max: u32,
    /// At least this many within the base days (0: no such term).
    pub base_min: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub ratio: u32,
    pub gives: usize,
    pub receives: usize,
    /// A swap at one moment: no exposure.
    pub simultaneous: bool,
    /// `deferred_days`: each day's payment may be counter-released up to
    /// this many days later (0: the same day, exactly).
    pub deferred: u32,
}

/// One intermediary (crossing point) and its daily limits.
#[derive(Debug, Clone)]
pub(crate) struct Via {
    /// Its party id; `None` for persons no intermediary carries.
    pub id: Option<String>,
    /// Persons a day (`u32::MAX`: no limit).
    pub capacity: u32,
    /// Handovers a day (`u32::MAX`: no limit).
    pub handovers: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Kind {
    pub holder: usize,
    /// The lane (holder, intermediary) its units cross by: a handover is
    /// one lane's. Without routes, a holder's only lane, of its own index.
    pub lane: usize,
    pub tier: u32,
    /// Persons per unit.
    pub size: u32,
    /// Per rule: members of one unit that pay (`gives`) / are counter-releases.
    pub gives: Vec<u32>,
    pub receives: Vec<u32>,
    /// Tier weight of one member (higher tiers weigh more).
    pub weight: u64,
    /// The units: person indices into `Deal::persons`, in roster order.
    pub units: Vec<Vec<usize>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub holders: Vec<Holder>,
    /// Holders in the order the day's enumeration chooses them (payers first
    /// when the rules have no cycle).
    pub order: Vec<usize>,
    pub rules: Vec<Rule>,
    pub kinds: Vec<Kind>,
    /// Per holder: its kinds' indices grouped by tier, best tier first.
    pub tiers_of: Vec<Vec<Vec<usize>>>,
    /// Per holder: its kinds' indices.
    pub kinds_of: Vec<Vec<usize>>,
    /// Per holder: its kinds grouped into *classes* that differ only in
    /// tier (same size, same payers and counter-releases per rule), each
    /// best tier first.
    pub classes_of: Vec<Vec<Vec<usize>>>,
    pub strict: bool,
    pub capacity: u32,
    /// Handovers per day; `u32::MAX` when the deal names no intermediary.
    pub handovers_per_day: u32,
    pub base_days: u32,
    pub max_days: u32,
    /// Extension: (holder index of `by`, if it has a roster; per_releases).
    pub extension: Option<(Option<usize>, u32)>,
    /// The only days handovers may happen, when the deal restricts them.
    pub release_days: Option<Vec<u32>>,
    /// The deal's exposure bound.
    pub max_exposure: Option<u32>,
    /// The intermediaries: one (the deal's `via`, or none) unless rosters
    /// or categories route persons through several.
    pub vias: Vec<Via>,
    /// Per lane: (holder, intermediary index). Without routes, lane `h` is
    /// holder `h` through `vias[0]`.
    pub lanes: Vec<(usize, usize)>,
    /// Per deferred rule: (rule, offset in a search state, slots); see
    /// [`Model::owed_slots`]. Empty without deferral.
    pub owed: Vec<(usize, usize, usize)>,
    /// What the search starts owing, in the owed slots' layout (all 0 on
    /// a new plan; a re-plan's rest starts owing what its prefix left
    /// unpaid, see [`Model::start_owing`]).
    pub owed_at_start: Vec<u32>,
}

impl Model {
    /// Whether persons cross at more than one intermediary, each with its
    /// own limits (the day's capacity and handovers are then per lane's via).
    pub fn multi(&self) -> bool {
        self.vias.len() > 1
    }

    /// The holder of a lane.
    pub fn lane_holder(&self, lane: usize) -> usize {
        self.lanes[lane].0
    }
}

impl Model {
    /// Units of each kind the roster holds.
    pub fn initial(&self) -> Vec<u32> {
        self.kinds.iter().map(|k| k.units.len() as u32).collect()
    }

    /// Whether some rule defers its counter-releases: exposure then carries
    /// over from day to day, and the searches' state holds what is owed.
    pub fn deferred(&self) -> bool {
        !self.owed.is_empty()
    }

    /// Where each deferred rule's owed counter-releases sit in a search
    /// state after the units left per kind: (rule, offset, `deferred` slots,
    /// one per due day, the earliest first).
    pub fn owed_slots(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.owed.iter().copied()
    }

    /// A search's start state: every unit held, and what is owed at the
    /// start (nothing, on a new plan).
    pub fn start_state(&self) -> Vec<u32> {
        let mut s = self.initial();
        s.extend_from_slice(&self.owed_at_start);
        s
    }

    /// Starts owing `owing[e][j]` counter-releases under rule `e`, falling
    /// due at the end of day `j + 1` (a re-plan's rest after its prefix).
    /// A rule without deferral, or a missing entry, owes nothing.
    pub fn start_owing(&mut self, owing: &[Vec<u32>]) {
        let base = self.kinds.len();
        for &(e, at, n) in &self.owed {
            if let Some(slots) = owing.get(e) {
                for (j, &x) in slots.iter().take(n).enumerate() {
                    self.owed_at_start[at - base + j] = x;
                }
            }
        }
    }

    /// Per rule: what the search starts owing (0 without deferral).
    pub fn owing_at_start(&self) -> Vec<u64> {
        let base = self.kinds.len();
        let mut out = vec![0u64; self.rules.len()];
        for &(e, at, n) in &self.owed {
            out[e] = self.owed_at_start[at - base..at - base + n]
                .iter()
                .map(|&x| u64::from(x))
                .sum();
        }
        out
    }
}

/// Builds the model of a deal (agreed or a what-if variant of one).
pub(crate) fn build(deal: &Deal) -> Result<Model, ModelError> {
    let holders: Vec<Holder> = deal
        .rosters
        .iter()
        .map(|r| Holder {
            id: r.holder.0.clone(),
            min_per_day: r.min_per_day.unwrap_or(0),
            max_per_day: r.max_per_day.unwrap_or(u32::MAX),
            total_min: r.total_min.unwrap_or(0),
            total_max: r.total_max.unwrap_or(u32::MAX),
            base_min: r.min_in_base_days.unwrap_or(0),
        })
        .collect();
    let holder_index: HashMap<&str, usize> = holders
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id.as_str(), i))
        .collect();
    let mut rules = Vec::new();
    for (i, e) in deal.exchanges.iter().enumerate() {
        let (Some(&gives), Some(&receives)) = (
            holder_index.get(e.gives.holder.as_str()),
            holder_index.get(e.receives.holder.as_str()),
        ) else {
            // A rule between holders without rosters never binds anyone.
            rules.push(Rule {
                ratio: e.ratio.max(1),
                gives: usize::MAX,
                receives: usize::MAX,
                simultaneous: e.simultaneous,
                deferred: 0,
            });
            continue;
        };
        if gives == receives {
            return Err(ModelError::SelfExchange(i + 1));
        }
        rules.push(Rule {
            ratio: e.ratio.max(1),
            gives,
            receives,
            simultaneous: e.simultaneous,
            deferred: e.deferred_days,
        });
    }
    // Payers first when the rules allow it (the day's enumeration then meets
    // each payment early); with a cycle, any order is as exact.
    let order = topological(&holders, &rules).unwrap_or_else(|| (0..holders.len()).collect());
    let vias = vias(deal);
    let (kinds, lanes) = kinds(deal, &holder_index, &vias, holders.len());
    let mut tiers_of: Vec<BTreeMap<u32, Vec<usize>>> = vec![BTreeMap::new(); holders.len()];
    for (k, kind) in kinds.iter().enumerate() {
        tiers_of[kind.holder].entry(kind.tier).or_default().push(k);
    }
    let mut classes_of: Vec<BTreeMap<ClassKey, Vec<usize>>> = vec![BTreeMap::new(); holders.len()];
    for (k, kind) in kinds.iter().enumerate() {
        let key = (kind.size, kind.gives.clone(), kind.receives.clone());
        classes_of[kind.holder].entry(key).or_default().push(k);
    }
    let classes_of = classes_of
        .into_iter()
        .map(|m| {
            m.into_values()
                .map(|mut c| {
                    c.sort_by_key(|&k| kinds[k].tier);
                    c
                })
                .collect()
        })
        .collect();
    let kinds_of = (0..holders.len())
        .map(|h| (0..kinds.len()).filter(|&k| kinds[k].holder == h).collect())
        .collect();
    let mut owed = Vec::new();
    let mut at = kinds.len();
    for (e, r) in rules.iter().enumerate() {
        if r.deferred > 0 {
            owed.push((e, at, r.deferred as usize));
            at += r.deferred as usize;
        }
    }
    let owed_at_start = vec![0; at - kinds.len()];
    let extension = deal
        .pause
        .extension
        .as_ref()
        .map(|e| (holder_index.get(e.by.as_str()).copied(), e.per_releases));
    Ok(Model {
        holders,
        order,
        rules,
        kinds,
        tiers_of: tiers_of
            .into_iter()
            .map(|m| m.into_values().collect())
            .collect(),
        classes_of,
        kinds_of,
        strict: deal.release.priority == Priority::Strict,
        // With several intermediaries, the day's totals are the sums: a
        // relaxation the bounds use, the per-via limits the searches keep.
        capacity: vias
            .iter()
            .map(|v| v.capacity)
            .fold(0u32, u32::saturating_add),
        handovers_per_day: vias
            .iter()
            .map(|v| v.handovers)
            .fold(0u32, u32::saturating_add),
        base_days: deal.pause.days,
        max_days: deal.max_days(),
        extension,
        max_exposure: deal.release.max_exposure,
        release_days: deal.release.release_days.clone(),
        vias,
        lanes,
        owed,
        owed_at_start,
    })
}

/// The deal's intermediaries as the planner sees them: without routes, the
/// deal's `via` alone (or none); with routes, each intermediary some person
/// of the exchange crosses by (channels have their own handovers), in id
/// order, and a via of `None` for persons no intermediary carries.
fn vias(deal: &Deal) -> Vec<Via> {
    let limits = |id: Option<&truce_spec::PartyId>| {
        let party = id.and_then(|id| deal.party(id));
        Via {
            id: id.map(|v| v.0.clone()),
            capacity: party.and_then(|v| v.capacity_per_day).unwrap_or(u32::MAX),
            handovers: party.map_or(u32::MAX, |v| v.handovers_per_day.unwrap_or(2)),
        }
    };
    if !deal.has_routes() {
        return vec![limits(deal.release.via.as_ref())];
    }
    let mut ids: Vec<Option<&truce_spec::PartyId>> = Vec::new();
    let mut seen: Fast<(&str, &str), ()> = Fast::default();
    for p in &deal.persons {
        if seen
            .insert((p.holder.as_str(), p.category.as_str()), ())
            .is_some()
            || deal.channel_of(&p.holder, &p.category).is_some()
        {
            continue;
        }
        let r = deal.route(&p.holder, &p.category);
        if !ids.contains(&r) {
            ids.push(r);
        }
    }
    ids.sort();
    if ids.is_empty() {
        ids.push(deal.release.via.as_ref());
    }
    ids.into_iter().map(limits).collect()
}

/// Holders ordered so that every rule's payer comes before its payee.
fn topological(holders: &[Holder], rules: &[Rule]) -> Option<Vec<usize>> {
    let n = holders.len();
    let mut indegree = vec![0usize; n];
    for r in rules.iter().filter(|r| r.gives < n) {
        indegree[r.receives] += 1;
    }
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while order.len() < n {
        let next = (0..n).find(|&h| !done[h] && indegree[h] == 0)?;
        done[next] = true;
        order.push(next);
        for r in rules.iter().filter(|r| r.gives == next) {
            indegree[r.receives] -= 1;
        }
    }
    Some(order)
}

/// A (holder, category)'s tier, and the rule it pays in / is paid by.
type Role = (u32, Option<usize>, Option<usize>);

/// (size, payers per rule, counter-releases per rule): a kind less its tier.
type ClassKey = (u32, Vec<u32>, Vec<u32>);

/// (holder, effective tier, size, payers per rule, counter-releases per rule).
type KindKey = (usize, usize, u32, u32, Vec<u32>, Vec<u32>);

/// The kinds of the deal's units and the lanes they cross by.
fn kinds(
    deal: &Deal,
    holder_index: &HashMap<&str, usize>,
    vias: &[Via],
    n_holders: usize,
) -> (Vec<Kind>, Vec<(usize, usize)>) {
    // Without routes, lane h is holder h; with them, one lane per (holder,
    // via) met, numbered as met.
    let routed = vias.len() > 1;
    let mut lanes: Vec<(usize, usize)> = if routed {
        Vec::new()
    } else {
        (0..n_holders).map(|h| (h, 0)).collect()
    };
    let via_index = |holder: &truce_spec::PartyId, category: &truce_spec::CategoryId| {
        let r = deal.route(holder, category).map(|v| v.as_str());
        vias.iter().position(|v| v.id.as_deref() == r).unwrap_or(0)
    };
    let holder_index: Fast<&str, usize> = holder_index.iter().map(|(&k, &v)| (k, v)).collect();
    let max_tier = deal.categories.iter().map(|c| c.tier).max().unwrap_or(1);
    // Units in roster order: a kept group becomes one unit at its first member.
    let mut units: Vec<Vec<usize>> = Vec::new();
    let mut group_unit: Fast<(&str, &str), usize> = Fast::default();
    for (i, p) in deal.persons.iter().enumerate() {
        match (&p.group, deal.release.keep_groups_together) {
            (Some(g), true) => {
                let key = (p.holder.as_str(), g.as_str());
                let u = *group_unit.entry(key).or_insert_with(|| {
                    units.push(Vec::new());
                    units.len() - 1
                });
                units[u].push(i);
            }
            _ => units.push(vec![i]),
        }
    }
    let mut kinds: Vec<Kind> = Vec::new();
    // Categories matter to the terms only through tier and exchange roles:
    // per (holder, category), its holder index, tier and the rule it pays in
    // / is paid by. A deal has few such pairs and rosters list a holder's
    // persons together, so each person finds its pair by comparing strings
    // with the previous person's, else the short table: no hashing per person.
    let n_rules = deal.exchanges.len();
    let mut pairs: Vec<(&str, &str, Option<usize>, Role, usize)> = Vec::new();
    let mut pair_of: Vec<usize> = Vec::with_capacity(deal.persons.len());
    for p in &deal.persons {
        let (h, c) = (p.holder.as_str(), p.category.as_str());
        let last = pair_of.last().copied().filter(|&t| {
            let (ph, pc, _, _, _) = pairs[t];
            ph == h && pc == c
        });
        let t = match last.or_else(|| {
            pairs
                .iter()
                .position(|&(ph, pc, _, _, _)| ph == h && pc == c)
        }) {
            Some(t) => t,
            None => {
                let side = |s: &truce_spec::ExchangeSide| {
                    s.holder == p.holder && s.categories.contains(&p.category)
                };
                pairs.push((
                    h,
                    c,
                    holder_index.get(h).copied(),
                    (
                        deal.tier(&p.category).unwrap_or(max_tier),
                        deal.exchanges.iter().position(|e| side(&e.gives)),
                        deal.exchanges.iter().position(|e| side(&e.receives)),
                    ),
                    if routed {
                        via_index(&p.holder, &p.category)
                    } else {
                        0
                    },
                ));
                pairs.len() - 1
            }
        };
        pair_of.push(t);
    }
    let role = |i: usize| pairs[pair_of[i]].3;
    let mut by_key: Fast<KindKey, usize> = Fast::default();
    // The kind of a one-person unit, by its (holder, category) pair.
    let mut single: Vec<Option<usize>> = vec![None; pairs.len()];
    for unit in units {
        let Some(holder) = pairs[pair_of[unit[0]]].2 else {
            continue;
        };
        // Most units are one person: their kind follows from the person's pair.
        if let [only] = unit[..]
            && let Some(k) = single[pair_of[only]]
        {
            kinds[k].units.push(unit);
            continue;
        }
        let mut tier = max_tier;
        let mut gives = vec![0u32; n_rules];
        let mut receives = vec![0u32; n_rules];
        for &i in &unit {
            let (t, g, r) = role(i);
            tier = tier.min(t);
            if let Some(e) = g {
                gives[e] += 1;
            }
            if let Some(e) = r {
                receives[e] += 1;
            }
        }
        let size = unit.len() as u32;
        // A kept group crosses by its first member's lane (the loader
        // refuses a group routed through two).
        let via = pairs[pair_of[unit[0]]].4;
        let lane = match lanes.iter().position(|&l| l == (holder, via)) {
            Some(l) => l,
            None => {
                lanes.push((holder, via));
                lanes.len() - 1
            }
        };
        let key = (holder, lane, tier, size, gives, receives);
        let k = match by_key.get(&key) {
            Some(&k) => k,
            None => {
                kinds.push(Kind {
                    holder,
                    lane,
                    tier,
                    size,
                    gives: key.4.clone(),
                    receives: key.5.clone(),
                    weight: u64::from(max_tier + 1 - tier.min(max_tier)),
                    units: Vec::new(),
                });
                by_key.insert(key, kinds.len() - 1);
                kinds.len() - 1
            }
        };
        if let [only] = unit[..] {
            single[pair_of[only]] = Some(k);
        }
        kinds[k].units.push(unit);
    }
    (kinds, lanes)
}

/// A hash map with a fast non-cryptographic hash (the Fx hash of rustc):
/// building the model hashes every person's holder, category and group, and
/// nothing here faces an adversary that could choose colliding keys to any
/// effect beyond speed.
pub(crate) type Fast<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}
