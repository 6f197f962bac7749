//! Deals built in code (the spec loader is not ready yet): a small builder
//! and the fixtures whose optimum is derived on paper in `optimum.rs`.

use truce_spec::*;

/// A deal under construction; every field starts permissive.
pub struct B(pub Deal);

impl B {
    pub fn new(name: &str) -> B {
        B(Deal {
            format_version: FORMAT_VERSION,
            name: name.into(),
            description: None,
            start: Date::new(2026, 3, 2),
            parties: vec![],
            pause: Pause {
                days: 1,
                extension: None,
            },
            categories: vec![],
            rosters: vec![],
            persons: vec![],
            exchanges: vec![],
            release: Release {
                priority: Priority::Strict,
                keep_groups_together: true,
                max_exposure: None,
                via: None,
                release_days: None,
                window: None,
                lists_night_before: false,
            },
            flows: vec![],
            channels: vec![],
            open_issues: vec![],
            agreed_terms: vec![],
        })
    }

    pub fn days(mut self, days: u32) -> B {
        self.0.pause.days = days;
        self
    }

    pub fn extension(mut self, by: &str, per_releases: u32, max_days: u32) -> B {
        self.0.pause.extension = Some(Extension {
            per_releases,
            by: by.into(),
            max_days,
            by_agreement: false,
            agreed_days: 0,
        });
        self
    }

    pub fn category(mut self, id: &str, tier: u32) -> B {
        self.0.categories.push(Category {
            id: id.into(),
            tier,
            via: None,
        });
        self
    }

    pub fn via(mut self, id: &str, capacity: Option<u32>, handovers: Option<u32>) -> B {
        self.0.parties.push(Party {
            id: id.into(),
            role: Role::Intermediary,
            name: None,
            capacity_per_day: capacity,
            handovers_per_day: handovers,
        });
        self.0.release.via = Some(id.into());
        self
    }

    /// A side and its roster: `persons` as (category, group) in file order,
    /// ids `<prefix>-0001`….
    pub fn side(
        mut self,
        id: &str,
        limits: [Option<u32>; 4],
        persons: &[(&str, Option<&str>)],
    ) -> B {
        self.0.parties.push(Party {
            id: id.into(),
            role: Role::Side,
            name: None,
            capacity_per_day: None,
            handovers_per_day: None,
        });
        let [min_per_day, max_per_day, total_min, total_max] = limits;
        self.0.rosters.push(Roster {
            holder: id.into(),
            file: format!("rosters/{id}.csv"),
            min_per_day,
            max_per_day,
            total_min,
            total_max,
            min_in_base_days: None,
            via: None,
        });
        let prefix = id.rsplit('-').next().unwrap_or(id).to_uppercase();
        for (i, (category, group)) in persons.iter().enumerate() {
            self.0.persons.push(Person {
                id: PersonId(format!("{prefix}-{:04}", i + 1)),
                holder: id.into(),
                category: (*category).into(),
                group: group.map(GroupId::from),
            });
        }
        self
    }

    pub fn exchange(mut self, gives: (&str, &[&str]), receives: (&str, &[&str]), ratio: u32) -> B {
        let side = |(holder, cats): (&str, &[&str])| ExchangeSide {
            holder: holder.into(),
            categories: cats.iter().map(|&c| c.into()).collect(),
        };
        self.0.exchanges.push(Exchange {
            gives: side(gives),
            receives: side(receives),
            ratio,
            simultaneous: false,
            deferred_days: 0,
        });
        self
    }

    /// An intermediary with its own limits that is not the deal's `via`
    /// (a crossing point some rosters or categories route through).
    pub fn crossing(mut self, id: &str, capacity: Option<u32>, handovers: Option<u32>) -> B {
        self.0.parties.push(Party {
            id: id.into(),
            role: Role::Intermediary,
            name: None,
            capacity_per_day: capacity,
            handovers_per_day: handovers,
        });
        self
    }

    /// Every person of `holder` crosses by `via`.
    pub fn roster_via(mut self, holder: &str, via: &str) -> B {
        if let Some(r) = self
            .0
            .rosters
            .iter_mut()
            .find(|r| r.holder.as_str() == holder)
        {
            r.via = Some(via.into());
        }
        self
    }

    /// Every person of `category` crosses by `via`.
    pub fn category_via(mut self, category: &str, via: &str) -> B {
        if let Some(c) = self
            .0
            .categories
            .iter_mut()
            .find(|c| c.id.as_str() == category)
        {
            c.via = Some(via.into());
        }
        self
    }

    /// A party that carries (a channel or a crossing), not the deal's `via`.
    pub fn carrier(mut self, id: &str) -> B {
        self.0.parties.push(Party {
            id: id.into(),
            role: Role::Intermediary,
            name: None,
            capacity_per_day: None,
            handovers_per_day: None,
        });
        self
    }

    /// Persons of `categories` of `holder` released outside the exchange via `via`.
    pub fn channel(mut self, holder: &str, categories: &[&str], via: &str, max: Option<u32>) -> B {
        self.0.channels.push(Channel {
            holder: holder.into(),
            categories: categories.iter().map(|&c| c.into()).collect(),
            via: via.into(),
            max_per_day: max,
        });
        self
    }

    /// A resource flow of at least `min` a day let through by `by`.
    pub fn flow(mut self, id: &str, unit: &str, by: &str, min: u32) -> B {
        self.0.flows.push(Flow {
            id: id.into(),
            unit: unit.into(),
            by: by.into(),
            min_per_day: min,
            max_per_day: None,
            via: None,
        });
        self
    }

    /// Extra days agreed one by one: `agreed` of at most `max_days` so far.
    pub fn agreed_days(mut self, agreed: u32) -> B {
        if let Some(e) = self.0.pause.extension.as_mut() {
            e.by_agreement = true;
            e.agreed_days = agreed;
        }
        self
    }

    /// `holder` guarantees at least `n` within the base days.
    pub fn base_min(mut self, holder: &str, n: u32) -> B {
        if let Some(r) = self
            .0
            .rosters
            .iter_mut()
            .find(|r| r.holder.as_str() == holder)
        {
            r.min_in_base_days = Some(n);
        }
        self
    }

    pub fn weighted(mut self) -> B {
        self.0.release.priority = Priority::Weighted;
        self
    }

    pub fn max_exposure(mut self, x: u32) -> B {
        self.0.release.max_exposure = Some(x);
        self
    }

    pub fn agreed(self) -> AgreedDeal {
        AgreedDeal::new(self.0).expect("fixtures have no open issues")
    }
}

/// `n` persons of one category, no group.
pub fn many(category: &str, n: usize) -> Vec<(&str, Option<&str>)> {
    vec![(category, None); n]
}

/// Two base days and up to 2 extension days, each earned by 5 releases of
/// side-b; side-a's 20 free persons at most 5 a day, side-b's 10 at most
/// 10 a day (`optimum`'s `fewer_per_day_earns_an_extension` derives its
/// optimum by hand).
pub fn extension_earned_by_side_b() -> AgreedDeal {
    B::new("extension")
        .days(2)
        .extension("side-b", 5, 2)
        .category("man", 1)
        .side("side-a", [None, Some(5), None, None], &many("man", 20))
        .side("side-b", [None, Some(10), None, None], &many("man", 10))
        .agreed()
}

/// The humanitarian-pause example: 50 captives (children, women, elderly,
/// some in families) held by side-b, paid 1:3 with side-a's detainees,
/// 4 days plus earned extension days, 2 convoys a day.
pub fn humanitarian() -> AgreedDeal {
    let mut b_persons = many("child", 14);
    for g in ["f1", "f2", "f3", "f4", "f5", "f6"] {
        b_persons.push(("woman", Some(g)));
        b_persons.push(("child", Some(g)));
    }
    b_persons.extend(many("woman", 16));
    b_persons.extend(many("elderly", 8));
    let mut a_persons = many("detainee-minor", 60);
    a_persons.extend(many("detainee-woman", 120));
    B::new("Four-day humanitarian pause")
        .days(4)
        .extension("side-b", 10, 6)
        .category("child", 1)
        .category("woman", 2)
        .category("elderly", 3)
        .category("detainee-minor", 1)
        .category("detainee-woman", 2)
        .via("relief", Some(60), Some(2))
        .side("side-a", [None, None, None, None], &a_persons)
        .side("side-b", [Some(10), Some(15), Some(40), None], &b_persons)
        .exchange(
            ("side-b", &["child", "woman", "elderly"]),
            ("side-a", &["detainee-minor", "detainee-woman"]),
            3,
        )
        .max_exposure(15)
        .agreed()
}

/// Loads a deal from in-memory files (`deal.toml` and its rosters).
pub fn load_files(files: &[(String, String)]) -> AgreedDeal {
    // Planned as drafted: open issues keep the values written in the deal.
    truce_test_support::rosters::drafted(files)
}

/// A deal from `truce generate`.
pub fn generated(persons: u32, days: u32, seed: u64) -> AgreedDeal {
    let opts = GenerateOptions {
        persons,
        days,
        seed,
        ..GenerateOptions::default()
    };
    load_files(&generate(&opts).expect("valid options").files)
}

/// A shipped example, by folder name.
pub fn example(name: &str) -> AgreedDeal {
    let (deal, a, b) = match name {
        "humanitarian-pause" => (
            include_str!("../../../../examples/humanitarian-pause/deal.toml"),
            include_str!("../../../../examples/humanitarian-pause/rosters/side-a.csv"),
            include_str!("../../../../examples/humanitarian-pause/rosters/side-b.csv"),
        ),
        "phased-ceasefire" => (
            include_str!("../../../../examples/phased-ceasefire/deal.toml"),
            include_str!("../../../../examples/phased-ceasefire/rosters/side-a.csv"),
            include_str!("../../../../examples/phased-ceasefire/rosters/side-b.csv"),
        ),
        "november-2023-pause" => (
            include_str!("../../../../examples/november-2023-pause/deal.toml"),
            include_str!("../../../../examples/november-2023-pause/rosters/side-a.csv"),
            include_str!("../../../../examples/november-2023-pause/rosters/side-b.csv"),
        ),
        _ => panic!("no example {name}"),
    };
    load_files(&[
        ("deal.toml".into(), deal.into()),
        ("rosters/side-a.csv".into(), a.into()),
        ("rosters/side-b.csv".into(), b.into()),
    ])
}

/// A truce-cli test fixture (`crates/truce-cli/tests/fixtures/NAME`: a
/// `deal.toml` and two rosters), by folder name.
pub fn cli_fixture(name: &str) -> AgreedDeal {
    let (deal, a, b) = match name {
        "deferred" => (
            include_str!("../../../truce-cli/tests/fixtures/deferred/deal.toml"),
            include_str!("../../../truce-cli/tests/fixtures/deferred/rosters/side-a.csv"),
            include_str!("../../../truce-cli/tests/fixtures/deferred/rosters/side-b.csv"),
        ),
        "one-convoy" => (
            include_str!("../../../truce-cli/tests/fixtures/one-convoy/deal.toml"),
            include_str!("../../../truce-cli/tests/fixtures/one-convoy/rosters/side-a.csv"),
            include_str!("../../../truce-cli/tests/fixtures/one-convoy/rosters/side-b.csv"),
        ),
        "unproven" => (
            include_str!("../../../truce-cli/tests/fixtures/unproven/deal.toml"),
            include_str!("../../../truce-cli/tests/fixtures/unproven/rosters/side-a.csv"),
            include_str!("../../../truce-cli/tests/fixtures/unproven/rosters/side-b.csv"),
        ),
        _ => panic!("no truce-cli fixture {name}"),
    };
    load_files(&[
        ("deal.toml".into(), deal.into()),
        ("rosters/side-a.csv".into(), a.into()),
        ("rosters/side-b.csv".into(), b.into()),
    ])
}

/// The replay of the first five release days of January 2025
/// (`examples/replays/jan-2025-phase-one-days-1-to-21`): three exchange
/// rules, a channel and a flow.
pub fn jan_2025_days_1_to_21() -> AgreedDeal {
    load_files(&[
        (
            "deal.toml".into(),
            include_str!("../../../../examples/replays/jan-2025-phase-one-days-1-to-21/deal.toml")
                .into(),
        ),
        (
            "rosters/hamas.csv".into(),
            include_str!(
                "../../../../examples/replays/jan-2025-phase-one-days-1-to-21/rosters/hamas.csv"
            )
            .into(),
        ),
        (
            "rosters/israel.csv".into(),
            include_str!(
                "../../../../examples/replays/jan-2025-phase-one-days-1-to-21/rosters/israel.csv"
            )
            .into(),
        ),
    ])
}
