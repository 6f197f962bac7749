//! The agreed terms, read from the normalised deal JSON (`truce check DEAL
//! --format json`, the form the service stores and hashes) with this
//! crate's own types. `persons` may be cut down or absent (a guarantor's or
//! observer's view): count-level checks then use `roster_counts`.

use std::collections::BTreeMap;

use serde::Deserialize;
use truce_ledger::{CategoryId, PartyId, Role};

/// Why the normalised deal JSON could not be read as terms.
#[derive(Debug, thiserror::Error)]
pub enum TermsError {
    /// The JSON does not parse, or is not of the normalised deal's shape.
    #[error("the deal is not normalised deal JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The deal refers to something it does not define (a person's or an
    /// exchange's category that no `category` lists).
    #[error("the deal names {what} `{id}`, which it does not define")]
    Unknown {
        /// What kind of thing (`category`).
        what: &'static str,
        /// The id it names.
        id: String,
    },
}

/// An intermediary's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intermediary {
    /// The intermediary's party id.
    pub id: PartyId,
    /// Persons carried per day, both directions together; `None`: no limit.
    pub capacity_per_day: Option<u32>,
    /// Convoys per day (the deal format's default is 2).
    pub handovers_per_day: u32,
}

/// The extension rule: each extra day must see at least `per_releases`
/// persons released by `by` on that day; at most `max_days` extra days.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Extension {
    /// Persons `by` must release on an extra day to earn it.
    pub per_releases: u32,
    /// The holder whose releases earn the extra days.
    pub by: PartyId,
    /// Most extra days the pause may get.
    pub max_days: u32,
    /// Each extra day is also agreed in turn (an `extended` event each).
    #[serde(default)]
    pub by_agreement: bool,
    /// With `by_agreement`: the extra days agreed when the deal was written.
    #[serde(default)]
    pub agreed_days: u32,
}

/// Persons of `categories` of `holder` released outside every exchange
/// rule, through `via`: no roster limit or extension rule counts them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Channel {
    pub holder: PartyId,
    pub categories: Vec<CategoryId>,
    pub via: PartyId,
    #[serde(default)]
    pub max_per_day: Option<u32>,
}

/// A resource flow that is not persons (aid trucks, fuel): at least
/// `min_per_day` of `unit` on every day of the pause, let through by `by`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Flow {
    pub id: String,
    pub unit: String,
    pub by: PartyId,
    pub min_per_day: u32,
    #[serde(default)]
    pub max_per_day: Option<u32>,
    #[serde(default)]
    pub via: Option<PartyId>,
}

/// One holder's limits.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RosterTerms {
    /// The party holding the roster's persons.
    pub holder: PartyId,
    /// Fewest persons released on a day this holder releases anyone;
    /// `None`: no minimum.
    pub min_per_day: Option<u32>,
    /// Most persons released by this holder in one day; `None`: no limit.
    pub max_per_day: Option<u32>,
    /// Fewest persons this holder releases in all; `None`: no guarantee.
    pub total_min: Option<u32>,
    /// Most persons this holder releases in all; `None`: no cap.
    pub total_max: Option<u32>,
    /// At least this many within the base days.
    #[serde(default)]
    pub min_in_base_days: Option<u32>,
    /// The intermediary (crossing point) this holder's persons go through,
    /// when the deal routes them (else the category's or the deal's `via`).
    #[serde(default)]
    pub via: Option<PartyId>,
}

/// One side of an exchange rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExchangeSide {
    /// The party releasing this side's persons.
    pub holder: PartyId,
    /// The categories of its persons the rule covers.
    pub categories: Vec<CategoryId>,
}

/// For every person of `gives` released, `ratio` persons of `receives`, the
/// same day, after.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Exchange {
    /// The side whose releases are paid for.
    pub gives: ExchangeSide,
    /// The side that pays, `ratio` persons per `gives` person.
    pub receives: ExchangeSide,
    /// Persons of `receives` released per person of `gives`.
    pub ratio: u32,
    /// A swap at one moment: the rule's two handovers are one exchange, so
    /// it exposes nobody between them.
    #[serde(default)]
    pub simultaneous: bool,
    /// Days by which the counter-releases of a day's payments may follow
    /// them (`deferred_days`; 0, the same day, when absent).
    #[serde(default)]
    pub deferred_days: u32,
}

/// The terms execution is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// The deal's display name.
    pub name: String,
    /// Date of day 1 (`2026-03-02`), if the deal states one.
    pub start: Option<String>,
    /// Every party of the deal with its role.
    pub parties: BTreeMap<PartyId, Role>,
    /// The intermediaries among the parties, with their limits.
    pub intermediaries: BTreeMap<PartyId, Intermediary>,
    /// Base days of the pause.
    pub days: u32,
    /// The extension rule; `None`: the pause cannot be extended.
    pub extension: Option<Extension>,
    /// Each category's tier (1 = first).
    pub tiers: BTreeMap<CategoryId, u32>,
    /// Each holder's roster limits, by holder.
    pub rosters: BTreeMap<PartyId, RosterTerms>,
    /// The exchange rules.
    pub exchanges: Vec<Exchange>,
    /// `strict`: no tier t of a holder before all its tiers < t.
    pub strict_priority: bool,
    /// A group is released in one handover, all or none.
    pub keep_groups_together: bool,
    /// Bound on exposure, in persons (see DESIGN's exposure); `None`: no
    /// bound.
    pub max_exposure: Option<u32>,
    /// The intermediary that carries every handover, if the deal names one.
    pub via: Option<PartyId>,
    /// The only days with handovers, if the deal restricts them.
    pub release_days: Option<Vec<u32>>,
    /// Persons per holder and category in the rosters (from `persons`, or
    /// given by the caller when the persons are not visible).
    pub roster_counts: BTreeMap<(PartyId, CategoryId), u32>,
    /// Releases outside the exchange through another channel.
    pub channels: Vec<Channel>,
    /// Resource flows with their daily minimums.
    pub flows: Vec<Flow>,
    /// Each holder delivers the night before a release day the list of the
    /// persons it releases that day (`lists-exchanged`), and releases only
    /// persons on it.
    pub lists_night_before: bool,
    /// The categories routed through their own intermediary (crossing
    /// point), whoever holds them.
    pub category_via: BTreeMap<CategoryId, PartyId>,
}

#[derive(Deserialize)]
struct Raw {
    name: String,
    #[serde(default)]
    start: Option<serde_json::Value>,
    parties: Vec<RawParty>,
    pause: RawPause,
    #[serde(default)]
    categories: Vec<RawCategory>,
    #[serde(default)]
    rosters: Vec<RosterTerms>,
    #[serde(default)]
    persons: Vec<RawPerson>,
    #[serde(default)]
    exchanges: Vec<Exchange>,
    release: RawRelease,
    #[serde(default)]
    channels: Vec<Channel>,
    #[serde(default)]
    flows: Vec<Flow>,
}

#[derive(Deserialize)]
struct RawParty {
    id: PartyId,
    role: Role,
    #[serde(default)]
    capacity_per_day: Option<u32>,
    #[serde(default)]
    handovers_per_day: Option<u32>,
}

#[derive(Deserialize)]
struct RawPause {
    days: u32,
    #[serde(default)]
    extension: Option<Extension>,
}

#[derive(Deserialize)]
struct RawCategory {
    id: CategoryId,
    tier: u32,
    #[serde(default)]
    via: Option<PartyId>,
}

#[derive(Deserialize)]
pub(crate) struct RawPerson {
    pub id: String,
    pub holder: PartyId,
    pub category: CategoryId,
    #[serde(default)]
    pub group: Option<String>,
}

#[derive(Deserialize)]
struct RawRelease {
    priority: String,
    keep_groups_together: bool,
    #[serde(default)]
    max_exposure: Option<u32>,
    #[serde(default)]
    via: Option<PartyId>,
    #[serde(default)]
    release_days: Option<Vec<u32>>,
    #[serde(default)]
    lists_night_before: bool,
}

impl Terms {
    /// The terms of a normalised deal JSON text.
    pub fn from_json(json: &str) -> Result<Terms, TermsError> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        Terms::from_value(&value)
    }

    /// The terms of a normalised deal JSON value. Counts per holder and
    /// category come from its `persons`; when they are cut down (a
    /// guarantor's view), give them with [`Terms::with_roster_counts`].
    pub fn from_value(value: &serde_json::Value) -> Result<Terms, TermsError> {
        Ok(Terms::from_raw(Raw::deserialize(value)?)?.0)
    }

    /// The terms and the persons they list (for [`crate::Roster`]).
    pub(crate) fn with_persons(
        value: &serde_json::Value,
    ) -> Result<(Terms, Vec<RawPerson>), TermsError> {
        Terms::from_raw(Raw::deserialize(value)?)
    }

    /// The terms of a party's view of the deal (`GET /api/v1/deals/{deal}`,
    /// `truce export --terms`): its `terms`, whose persons are cut to what
    /// the party sees, with the counts per holder and category from its
    /// `aggregates`. A value without `terms` is read as a normalised deal.
    pub fn from_party_view(value: &serde_json::Value) -> Result<Terms, TermsError> {
        let Some(terms) = value.get("terms") else {
            return Terms::from_value(value);
        };
        #[derive(Deserialize)]
        struct Aggregate {
            holder: PartyId,
            category: CategoryId,
            persons: u32,
        }
        let aggregates: Vec<Aggregate> =
            serde_json::from_value(value.get("aggregates").cloned().unwrap_or_default())?;
        Ok(Terms::from_value(terms)?.with_roster_counts(
            aggregates
                .into_iter()
                .map(|a| ((a.holder, a.category), a.persons)),
        ))
    }

    /// The terms a party's view says were in force before amendments
    /// (`earlier`: each `{replaced_at, terms}`, oldest first), with the
    /// view's counts per holder and category (amendments keep the persons):
    /// what [`crate::Superseded::terms`] takes.
    pub fn superseded_from_party_view(
        value: &serde_json::Value,
    ) -> Result<Vec<(u64, Terms)>, TermsError> {
        #[derive(Deserialize)]
        struct Earlier {
            replaced_at: u64,
            terms: serde_json::Value,
        }
        let earlier: Vec<Earlier> =
            serde_json::from_value(value.get("earlier").cloned().unwrap_or_default())?;
        earlier
            .into_iter()
            .map(|e| {
                let view = serde_json::json!({
                    "terms": e.terms,
                    "aggregates": value.get("aggregates").cloned().unwrap_or_default(),
                });
                Ok((e.replaced_at, Terms::from_party_view(&view)?))
            })
            .collect()
    }

    /// Replace the counts per holder and category (a view whose `persons`
    /// are cut down carries them separately).
    pub fn with_roster_counts(
        mut self,
        counts: impl IntoIterator<Item = ((PartyId, CategoryId), u32)>,
    ) -> Terms {
        self.roster_counts = counts.into_iter().collect();
        self
    }

    fn from_raw(raw: Raw) -> Result<(Terms, Vec<RawPerson>), TermsError> {
        let mut parties = BTreeMap::new();
        let mut intermediaries = BTreeMap::new();
        for p in &raw.parties {
            parties.insert(p.id.clone(), p.role);
            if p.role == Role::Intermediary {
                intermediaries.insert(
                    p.id.clone(),
                    Intermediary {
                        id: p.id.clone(),
                        capacity_per_day: p.capacity_per_day,
                        handovers_per_day: p.handovers_per_day.unwrap_or(2),
                    },
                );
            }
        }
        let tiers: BTreeMap<CategoryId, u32> = raw
            .categories
            .iter()
            .map(|c| (c.id.clone(), c.tier))
            .collect();
        let unknown = |what, id: &str| TermsError::Unknown {
            what,
            id: id.to_owned(),
        };
        let mut roster_counts = BTreeMap::new();
        for p in &raw.persons {
            if !tiers.contains_key(&p.category) {
                return Err(unknown("category", p.category.as_str()));
            }
            *roster_counts
                .entry((p.holder.clone(), p.category.clone()))
                .or_insert(0u32) += 1;
        }
        for e in &raw.exchanges {
            for c in e.gives.categories.iter().chain(&e.receives.categories) {
                if !tiers.contains_key(c) {
                    return Err(unknown("category", c.as_str()));
                }
            }
        }
        let start = match raw.start {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        };
        let terms = Terms {
            name: raw.name,
            start,
            parties,
            intermediaries,
            days: raw.pause.days,
            extension: raw.pause.extension,
            tiers,
            rosters: raw
                .rosters
                .into_iter()
                .map(|r| (r.holder.clone(), r))
                .collect(),
            exchanges: raw.exchanges,
            strict_priority: raw.release.priority == "strict",
            keep_groups_together: raw.release.keep_groups_together,
            max_exposure: raw.release.max_exposure,
            via: raw.release.via,
            release_days: raw.release.release_days,
            roster_counts,
            channels: raw.channels,
            flows: raw.flows,
            lists_night_before: raw.release.lists_night_before,
            category_via: raw
                .categories
                .iter()
                .filter_map(|c| Some((c.id.clone(), c.via.clone()?)))
                .collect(),
        };
        Ok((terms, raw.persons))
    }

    /// Whether `holder`'s `category` is released outside the exchange
    /// through a channel (so no roster limit or extension rule counts it).
    pub fn outside_exchange(&self, holder: &PartyId, category: &CategoryId) -> bool {
        self.channels
            .iter()
            .any(|c| &c.holder == holder && c.categories.contains(category))
    }

    /// The tier of a category (categories a deal does not define rank last).
    pub fn tier(&self, category: &CategoryId) -> u32 {
        self.tiers.get(category).copied().unwrap_or(u32::MAX)
    }

    /// The flow of the terms with this id.
    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.id == id)
    }

    /// The intermediary that carried a handover recorded by `author`: the
    /// author itself when it is an intermediary of the deal, else `via`.
    pub(crate) fn carrier(&self, author: &PartyId) -> Option<&Intermediary> {
        self.intermediaries
            .get(author)
            .or_else(|| self.via.as_ref().and_then(|v| self.intermediaries.get(v)))
    }

    /// The intermediaries that carried a handover of `holder` recorded by
    /// `author`, with the persons each carried: all of them the author's
    /// when it is an intermediary (the crossing that recorded it), else each
    /// category's route (its own `via`, else the roster's, else the deal's).
    pub(crate) fn carriers(
        &self,
        author: &PartyId,
        holder: &PartyId,
        counts: &BTreeMap<CategoryId, u32>,
        total: u32,
    ) -> Vec<(&Intermediary, u32)> {
        if let Some(c) = self.intermediaries.get(author) {
            return vec![(c, total)];
        }
        let roster_via = self.rosters.get(holder).and_then(|r| r.via.as_ref());
        if roster_via.is_none() && self.category_via.is_empty() {
            return self
                .carrier(author)
                .map(|c| (c, total))
                .into_iter()
                .collect();
        }
        let mut out: Vec<(&Intermediary, u32)> = Vec::new();
        for (category, &n) in counts {
            let route = self
                .category_via
                .get(category)
                .or(roster_via)
                .or(self.via.as_ref());
            let Some(c) = route.and_then(|v| self.intermediaries.get(v)) else {
                continue;
            };
            match out.iter_mut().find(|(o, _)| o.id == c.id) {
                Some((_, m)) => *m += n,
                None => out.push((c, n)),
            }
        }
        out
    }
}

impl Exchange {
    /// A handover's persons under this rule: (released on the `gives`
    /// side, released on the `receives` side), from its counts per
    /// category.
    pub(crate) fn split(&self, holder: &PartyId, counts: &BTreeMap<CategoryId, u32>) -> (u64, u64) {
        let side = |s: &ExchangeSide| {
            if &s.holder != holder {
                return 0;
            }
            counts
                .iter()
                .filter(|(c, _)| s.categories.contains(c))
                .map(|(_, n)| u64::from(*n))
                .sum()
        };
        (side(&self.gives), side(&self.receives))
    }

    /// DESIGN's exposure of the giving side for (gives, receives) released
    /// in all: released by it minus what it received divided by the ratio
    /// (negative: the receiving side is exposed).
    pub(crate) fn balance(&self, (gives, receives): (u64, u64)) -> f64 {
        gives as f64 - receives as f64 / f64::from(self.ratio.max(1))
    }
}
