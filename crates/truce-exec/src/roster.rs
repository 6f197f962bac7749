//! The persons behind a handover's pseudonyms, for the parties that hold
//! the roster and the deal's person key (the mediator, the sides, the
//! intermediary, the service). Person-level checks use it; nothing derived
//! from it leaves this crate but counts.

use std::collections::{BTreeMap, HashMap, HashSet};

use truce_ledger::{CategoryId, DealId, PartyId, PersonId, PersonKey, Pseudonym};

use crate::terms::{Terms, TermsError};

/// One person of the roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterPerson {
    /// The person's id in the roster.
    pub id: PersonId,
    /// The party holding the person.
    pub holder: PartyId,
    /// The person's category.
    pub category: CategoryId,
    /// The family it travels with, scoped to its holder.
    pub group: Option<String>,
    /// Its priority tier: its category's, or with families kept together,
    /// the best tier in its family.
    pub tier: u32,
}

/// The roster, by index and by pseudonym under the deal's person key.
#[derive(Debug, Clone)]
pub struct Roster {
    persons: Vec<RosterPerson>,
    by_pseudonym: HashMap<Pseudonym, usize>,
    by_id: HashMap<PersonId, usize>,
    /// Every id in lowercase, to find ids in free text whatever their case.
    ids_lower: HashSet<String>,
}

impl Roster {
    /// The terms and roster of a normalised deal JSON value, each person's
    /// pseudonym computed with `key` for `deal`.
    pub fn from_value(
        value: &serde_json::Value,
        deal: &DealId,
        key: &PersonKey,
    ) -> Result<(Terms, Roster), TermsError> {
        let (terms, raw) = Terms::with_persons(value)?;
        let mut persons = Vec::with_capacity(raw.len());
        for p in raw {
            let id = PersonId::new(&p.id).map_err(|_| TermsError::Unknown {
                what: "a malformed person id",
                id: String::new(),
            })?;
            let tier = terms.tier(&p.category);
            persons.push(RosterPerson {
                id,
                holder: p.holder,
                category: p.category,
                group: p.group,
                tier,
            });
        }
        if terms.keep_groups_together {
            let mut best: BTreeMap<(&PartyId, &str), u32> = BTreeMap::new();
            for p in &persons {
                if let Some(g) = &p.group {
                    let t = best.entry((&p.holder, g.as_str())).or_insert(u32::MAX);
                    *t = (*t).min(p.tier);
                }
            }
            let best: BTreeMap<(PartyId, String), u32> = best
                .into_iter()
                .map(|((h, g), t)| ((h.clone(), g.to_owned()), t))
                .collect();
            for p in &mut persons {
                if let Some(g) = &p.group
                    && let Some(t) = best.get(&(p.holder.clone(), g.clone()))
                {
                    p.tier = *t;
                }
            }
        }
        let by_pseudonym = persons
            .iter()
            .enumerate()
            .map(|(i, p)| (key.pseudonym(deal, &p.id), i))
            .collect();
        let by_id = persons
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        let ids_lower = persons
            .iter()
            .map(|p| p.id.as_str().to_ascii_lowercase())
            .collect();
        Ok((
            terms,
            Roster {
                persons,
                by_pseudonym,
                by_id,
                ids_lower,
            },
        ))
    }

    /// Every person, in roster order.
    pub fn persons(&self) -> &[RosterPerson] {
        &self.persons
    }

    /// The index of the person a pseudonym stands for.
    pub fn index_of(&self, pseudonym: &Pseudonym) -> Option<usize> {
        self.by_pseudonym.get(pseudonym).copied()
    }

    /// The index of a person by id.
    pub fn index_of_id(&self, id: &PersonId) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Whether `word` is a person id of the roster, in any letter case.
    pub fn mentions(&self, word: &str) -> bool {
        self.ids_lower.contains(&word.to_ascii_lowercase())
    }

    /// Counts per category of some persons (by index).
    pub fn counts(&self, persons: &[usize]) -> BTreeMap<CategoryId, u32> {
        let mut out = BTreeMap::new();
        for &i in persons {
            *out.entry(self.persons[i].category.clone()).or_insert(0) += 1;
        }
        out
    }
}
