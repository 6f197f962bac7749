//! The validated deal model: what every other crate consumes.
//!
//! A [`Deal`] only exists once the loader has checked every rule in
//! `../shared/DESIGN.md`: ids are well formed and unique, every reference
//! resolves, numbers are in range and consistent. Field names are the JSON
//! contract of the normalised deal (`truce check --format json`), so renaming
//! a field is a breaking change for outside tools.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The only deal `format_version` this build reads.
pub const FORMAT_VERSION: u32 = 1;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as written in the deal.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

id_type!(
    /// A party id: lowercase letters, digits and `-` (`side-a`, `relief`).
    PartyId
);
id_type!(
    /// A category id: lowercase letters, digits and `-` (`child`, `detainee-minor`).
    CategoryId
);
id_type!(
    /// An opaque person id from a roster (`A-0001`): never a name.
    PersonId
);
id_type!(
    /// A group (family) id from a roster; scoped to its holder.
    GroupId
);
id_type!(
    /// An open issue id: lowercase letters, digits and `-`.
    IssueId
);

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year (`2026`).
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
}

impl Date {
    /// A checked date; `None` when the day does not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days_in_month).then_some(Date { year, month, day })
    }
}

impl Date {
    /// Days since 1970-01-01 (negative before), by Howard Hinnant's
    /// `days_from_civil`: what a timestamp of the date needs.
    pub fn to_days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn from_days(z: i64) -> Option<Date> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// The date `n` days later; `None` past year 65535.
    pub fn plus_days(self, n: u32) -> Option<Date> {
        Date::from_days(self.to_days() + i64::from(n))
    }

    /// The English name of the weekday.
    pub fn weekday(self) -> &'static str {
        const NAMES: [&str; 7] = [
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
        ];
        NAMES[self.to_days().rem_euclid(7) as usize]
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for Date {
    type Err = &'static str;

    /// Parses `YYYY-MM-DD`, a day that exists.
    fn from_str(s: &str) -> Result<Date, &'static str> {
        const EXPECTED: &str = "a date written YYYY-MM-DD";
        let mut parts = s.splitn(3, '-');
        let mut part = |len: usize| {
            parts
                .next()
                .filter(|p| p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok())
                .ok_or(EXPECTED)
        };
        let (year, month, day) = (part(4)?, part(2)?, part(2)?);
        Date::new(
            year,
            u8::try_from(month).map_err(|_| EXPECTED)?,
            u8::try_from(day).map_err(|_| EXPECTED)?,
        )
        .ok_or("a day that exists in the calendar")
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(|expected: &str| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &expected)
        })
    }
}

/// What a party does in the deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Holds people and releases them.
    Side,
    /// Proposes texts and sees everything.
    Mediator,
    /// Carries people across (e.g. a humanitarian organisation).
    Intermediary,
    /// Guarantees the deal.
    Guarantor,
    /// Watches; sees aggregates only.
    Observer,
}

impl Role {
    /// Every role, in the order the documentation lists them.
    pub const ALL: [Role; 5] = [
        Role::Side,
        Role::Mediator,
        Role::Intermediary,
        Role::Guarantor,
        Role::Observer,
    ];

    /// The keyword used in deal files.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Side => "side",
            Role::Mediator => "mediator",
            Role::Intermediary => "intermediary",
            Role::Guarantor => "guarantor",
            Role::Observer => "observer",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A participant in the deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// The party's id, unique in the deal.
    pub id: PartyId,
    /// What the party does in the deal.
    pub role: Role,
    /// Optional display name (an organisation, never a person).
    pub name: Option<String>,
    /// Persons an intermediary can carry per day, both directions together;
    /// `None` = no stated limit. Only intermediaries have one.
    pub capacity_per_day: Option<u32>,
    /// Convoys per day; intermediaries default to 2 (one each way).
    pub handovers_per_day: Option<u32>,
}

/// The agreed days without hostilities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pause {
    /// Base days, at least 1.
    pub days: u32,
    /// How extra days are earned, if they can be.
    pub extension: Option<Extension>,
}

impl Pause {
    /// Base days plus the most extension days a plan may use: all of
    /// `max_days` under a rule, only the days agreed so far when each extra
    /// day must be agreed ([`Extension::by_agreement`]).
    pub fn max_days(&self) -> u32 {
        self.days + self.extension.as_ref().map_or(0, Extension::plannable_days)
    }
}

/// Each extra day must see at least `per_releases` persons released by `by`
/// on that day; at most `max_days` extra days, consecutive after the base days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extension {
    /// Persons `by` must release on an extra day to earn it.
    pub per_releases: u32,
    /// The holder whose releases earn the extra days.
    pub by: PartyId,
    /// Most extra days after the base days.
    pub max_days: u32,
    /// Each extra day must also be agreed by the parties, day by day (as in
    /// November 2023), rather than following from the releases alone.
    /// (Left out of the JSON when false, so deals without it keep their
    /// normalised form and hash.)
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub by_agreement: bool,
    /// With `by_agreement`: the extra days agreed so far (at most
    /// `max_days`); a plan uses no others.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub agreed_days: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Extension {
    /// The extra days a plan may use.
    pub fn plannable_days(&self) -> u32 {
        if self.by_agreement {
            self.agreed_days.min(self.max_days)
        } else {
            self.max_days
        }
    }
}

/// A flow that is not persons (aid trucks, litres of fuel) that a party lets
/// through on every day of the pause: at least `min_per_day` of `unit`, so a
/// day with less is a breach one can report against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// The flow's id, unique among flows (`aid-trucks`): lowercase letters,
    /// digits and `-`.
    pub id: String,
    /// What is counted, in the singular (`truck`, `litre of diesel`).
    pub unit: String,
    /// The party that lets it through (whose breach a shortfall is).
    pub by: PartyId,
    /// At least this many `unit`s on every day of the pause.
    pub min_per_day: u32,
    /// At most this many `unit`s a day; `None` = no limit.
    pub max_per_day: Option<u32>,
    /// The crossing or intermediary it goes through, if stated.
    pub via: Option<PartyId>,
}

/// Persons released outside every exchange rule through another channel
/// (foreign nationals freed under a separate arrangement): they pay for
/// nothing and are paid for by nothing, do not count against their holder's
/// roster limits or the deal's intermediary, and go in their own handovers
/// `via` the channel's party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// The side holding the persons.
    pub holder: PartyId,
    /// The holder's categories released through the channel.
    pub categories: Vec<CategoryId>,
    /// The party that carries them (not a side).
    pub via: PartyId,
    /// At most this many a day through the channel; `None` = no limit.
    pub max_per_day: Option<u32>,
}

/// A class of persons with a priority tier (1 = released first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// The category's id, unique in the deal.
    pub id: CategoryId,
    /// Its priority tier, from 1 (released first).
    pub tier: u32,
    /// The intermediary (crossing point) every person of this category goes
    /// through, whoever holds them; `None`: the roster's or the deal's.
    /// Left out of the JSON when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub via: Option<PartyId>,
}

/// The persons one side holds and the limits on releasing them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// The side holding the roster's persons (one roster per holder).
    pub holder: PartyId,
    /// The roster CSV, relative to the deal file.
    pub file: String,
    /// On days this holder releases anyone, at least this many.
    pub min_per_day: Option<u32>,
    /// Never more than this many per day.
    pub max_per_day: Option<u32>,
    /// The deal guarantees at least this many in all.
    pub total_min: Option<u32>,
    /// At most this many in all.
    pub total_max: Option<u32>,
    /// At least this many within the base days ("at least 50 within the
    /// first four days"); left out of the JSON when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_in_base_days: Option<u32>,
    /// The intermediary (crossing point) this holder's persons go through;
    /// `None`: the category's or the deal's (`[release] via`). Left out of
    /// the JSON when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub via: Option<PartyId>,
}

/// A person eligible for release, known only by an opaque id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// The person's opaque roster id, unique in the deal.
    pub id: PersonId,
    /// The side holding the person (the roster's holder).
    pub holder: PartyId,
    /// The person's category.
    pub category: CategoryId,
    /// A family travelling together, if any.
    pub group: Option<GroupId>,
}

/// One side of an exchange rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSide {
    /// The side releasing this side's persons.
    pub holder: PartyId,
    /// The holder's categories the rule covers.
    pub categories: Vec<CategoryId>,
}

/// For every person of `gives.categories` released by `gives.holder`,
/// `receives.holder` releases `ratio` persons of `receives.categories`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exchange {
    /// The side whose releases are paid for.
    pub gives: ExchangeSide,
    /// The side that pays, `ratio` persons per `gives` person.
    pub receives: ExchangeSide,
    /// Persons of `receives` released per person of `gives`.
    pub ratio: u32,
    /// Both sides hand over at the same moment (a swap on a border bridge):
    /// the rule's counter-releases still follow their payment in the day's
    /// list, but it carries no exposure. Left out of the JSON when false.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub simultaneous: bool,
    /// Days by which the counter-releases of a day's payments may follow
    /// them: the persons paid for on day d are paid by the end of day
    /// d + `deferred_days` (and by the last day of the pause). 0, today's
    /// rule, pays the same day; left out of the JSON when 0 so deals without
    /// it keep their hash. The side paid later carries the exposure across
    /// the days between.
    #[serde(skip_serializing_if = "is_zero", default)]
    pub deferred_days: u32,
}

/// How tiers order the releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    /// No person of tier t of a holder before all its persons of tiers < t.
    Strict,
    /// Tiers are weights in the objective, not hard constraints.
    Weighted,
}

impl Priority {
    /// The keyword used in deal files.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Strict => "strict",
            Priority::Weighted => "weighted",
        }
    }
}

/// Release rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// How tiers order the releases.
    pub priority: Priority,
    /// A group goes in one handover; its tier is its members' best.
    pub keep_groups_together: bool,
    /// Bound on any side's exposure, in persons; `None` = unbounded.
    pub max_exposure: Option<u32>,
    /// The intermediary for every handover; `None` when the deal has none.
    pub via: Option<PartyId>,
    /// The only days (1-based, increasing) on which handovers may take
    /// place, e.g. weekly releases; `None` = any day of the pause.
    pub release_days: Option<Vec<u32>>,
    /// The time of day handovers happen in (local time at the crossing);
    /// left out of the JSON when absent.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub window: Option<Window>,
    /// Each holder delivers the list of the persons it releases on a day
    /// to the receiving side the night before (a `lists-exchanged` ledger
    /// event), and releases only persons on it; left out of the JSON when
    /// false, so deals without it keep their hash.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub lists_night_before: bool,
}

/// A time window of the day, in minutes after midnight, `from < to`
/// (serialised as `"HH:MM"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Start of the window, in minutes after midnight.
    pub from: u32,
    /// End of the window, in minutes after midnight (at most 1440).
    pub to: u32,
}

impl Window {
    /// `"HH:MM"` of a minute of the day.
    pub fn clock(minute: u32) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    /// Parses `"HH:MM"` (00:00 to 24:00).
    pub fn parse_clock(s: &str) -> Option<u32> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    }
}

impl Serialize for Window {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Window", 2)?;
        st.serialize_field("from", &Window::clock(self.from))?;
        st.serialize_field("to", &Window::clock(self.to))?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Window, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Clock {
            from: String,
            to: String,
        }
        let clock = Clock::deserialize(d)?;
        let minute = |s: &str| {
            Window::parse_clock(s)
                .ok_or_else(|| D::Error::invalid_value(serde::de::Unexpected::Str(s), &"HH:MM"))
        };
        let (from, to) = (minute(&clock.from)?, minute(&clock.to)?);
        if from >= to {
            return Err(D::Error::custom(
                "the window's `from` must come before its `to`",
            ));
        }
        Ok(Window { from, to })
    }
}

/// A term still under negotiation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenIssue {
    /// The issue's id, unique in the deal.
    pub id: IssueId,
    /// What the issue is about, for people.
    pub description: Option<String>,
    /// The values on the table, in the order written.
    pub options: Vec<String>,
    /// The deal term an agreed value fills in (`pause.days`,
    /// `roster.side-b.max_per_day`, `exchange.1.ratio`…), if any.
    pub sets: Option<String>,
}

/// A term settled in negotiation: what was agreed, kept for the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreedTerm {
    /// The id of the open issue it settled.
    pub id: IssueId,
    /// The agreed value, as written.
    pub value: String,
    /// The issue's description, if it had one.
    pub description: Option<String>,
    /// The deal term the value was written into, if any.
    pub sets: Option<String>,
}

/// A validated deal. Field order and names are the normalised-deal JSON
/// contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    /// The deal format's version, [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The deal's display name.
    pub name: String,
    /// What the deal is about, for people.
    pub description: Option<String>,
    /// The date of day 1 of the pause, if the deal states one.
    pub start: Option<Date>,
    /// Every party, in the order written.
    pub parties: Vec<Party>,
    /// The pause's days and extension rule.
    pub pause: Pause,
    /// Every category of persons, in the order written.
    pub categories: Vec<Category>,
    /// One roster per holding side, in the order written.
    pub rosters: Vec<Roster>,
    /// Every person of every roster, in roster then file order.
    pub persons: Vec<Person>,
    /// The exchange rules, in the order written.
    pub exchanges: Vec<Exchange>,
    /// The release rules.
    pub release: Release,
    /// Resource flows (aid, fuel) with their daily minimums. (Left out of
    /// the JSON when empty, as `channels`: deals without them keep their
    /// normalised form and hash.)
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub flows: Vec<Flow>,
    /// Persons released outside the exchange through another channel.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub channels: Vec<Channel>,
    /// Terms still under negotiation; empty once the deal is agreed.
    pub open_issues: Vec<OpenIssue>,
    /// Open issues since agreed, with their values.
    pub agreed_terms: Vec<AgreedTerm>,
}

impl Deal {
    /// The party with this id.
    pub fn party(&self, id: &PartyId) -> Option<&Party> {
        self.parties.iter().find(|p| &p.id == id)
    }

    /// The category with this id.
    pub fn category(&self, id: &CategoryId) -> Option<&Category> {
        self.categories.iter().find(|c| &c.id == id)
    }

    /// The tier of a category (1 = first).
    pub fn tier(&self, id: &CategoryId) -> Option<u32> {
        self.category(id).map(|c| c.tier)
    }

    /// The roster of a holder; a deal has at most one per holder.
    pub fn roster(&self, holder: &PartyId) -> Option<&Roster> {
        self.rosters.iter().find(|r| &r.holder == holder)
    }

    /// The persons a holder releases.
    pub fn persons_of<'a>(&'a self, holder: &'a PartyId) -> impl Iterator<Item = &'a Person> {
        self.persons.iter().filter(move |p| &p.holder == holder)
    }

    /// The parties with the `side` role.
    pub fn sides(&self) -> impl Iterator<Item = &Party> {
        self.parties.iter().filter(|p| p.role == Role::Side)
    }

    /// The intermediary every handover goes through, if the deal names one.
    pub fn intermediary(&self) -> Option<&Party> {
        self.release.via.as_ref().and_then(|id| self.party(id))
    }

    /// The intermediary that carries a person of `category` held by
    /// `holder`: the category's `via`, else the roster's, else the deal's
    /// (`[release] via`). The loader refuses a category and a roster that
    /// route the same persons through two, so the order only breaks no tie.
    pub fn route(&self, holder: &PartyId, category: &CategoryId) -> Option<&PartyId> {
        self.category(category)
            .and_then(|c| c.via.as_ref())
            .or_else(|| self.roster(holder).and_then(|r| r.via.as_ref()))
            .or(self.release.via.as_ref())
    }

    /// Whether handovers go through more than one intermediary (a `via` on a
    /// roster or a category): each then has its own capacity and handovers.
    pub fn has_routes(&self) -> bool {
        self.categories.iter().any(|c| c.via.is_some())
            || self.rosters.iter().any(|r| r.via.is_some())
    }

    /// Base days plus the most extension days the deal allows.
    pub fn max_days(&self) -> u32 {
        self.pause.max_days()
    }

    /// The channel outside the exchange that releases this holder's category, if any.
    pub fn channel_of(&self, holder: &PartyId, category: &CategoryId) -> Option<&Channel> {
        self.channels
            .iter()
            .find(|c| &c.holder == holder && c.categories.contains(category))
    }

    /// The exchange rule in which this holder's category pays (`gives`), if any.
    pub fn exchange_paid_by(&self, holder: &PartyId, category: &CategoryId) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .find(|e| &e.gives.holder == holder && e.gives.categories.contains(category))
    }

    /// The exchange rule in which this holder's category is a counter-release
    /// (`receives`), if any.
    pub fn exchange_paying(&self, holder: &PartyId, category: &CategoryId) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .find(|e| &e.receives.holder == holder && e.receives.categories.contains(category))
    }
}

/// A deal with no open issues: the only kind the planner accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct AgreedDeal(Deal);

/// A deal still has open issues, so it cannot be planned yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the deal still has open issues ({}): agree them first", .open.join(", "))]
pub struct NotAgreed {
    /// The ids of the open issues.
    pub open: Vec<String>,
    /// The deal, given back.
    pub deal: Box<Deal>,
}

impl AgreedDeal {
    /// The deal, if it has no open issues.
    pub fn new(deal: Deal) -> Result<AgreedDeal, NotAgreed> {
        if deal.open_issues.is_empty() {
            Ok(AgreedDeal(deal))
        } else {
            Err(NotAgreed {
                open: deal.open_issues.iter().map(|i| i.id.0.clone()).collect(),
                deal: Box::new(deal),
            })
        }
    }

    /// Treats the deal's current text as agreed, open issues and all: for
    /// rehearsing a plan while terms are still negotiated. The open issues
    /// are dropped from the result, so nothing downstream mistakes it for
    /// the deal the parties signed.
    pub fn as_drafted(mut deal: Deal) -> AgreedDeal {
        deal.open_issues.clear();
        AgreedDeal(deal)
    }

    /// The underlying deal.
    pub fn into_inner(self) -> Deal {
        self.0
    }
}

impl std::ops::Deref for AgreedDeal {
    type Target = Deal;
    fn deref(&self) -> &Deal {
        &self.0
    }
}
