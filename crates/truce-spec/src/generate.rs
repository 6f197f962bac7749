//! Synthetic deals of any size for tests and benchmarks (`truce generate`).
//!
//! The same options and seed always give the same files, byte for byte (the
//! generator draws from ChaCha8, whose stream is fixed by its algorithm).
//! Every generated deal loads without errors: limits are derived from the
//! sizes drawn, so the terms can be met within the pause.

use std::fmt::Write as _;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Captives held by `side-b`.
    pub persons: u32,
    /// Base days of the pause.
    pub days: u32,
    /// Priority tiers of captive categories (1 to 9).
    pub tiers: u32,
    /// Detainees released by `side-a` per captive.
    pub ratio: u32,
    /// Share of captives travelling in families (0 to 1).
    pub family_share: f64,
    /// Whether extra days can be earned.
    pub extension: bool,
    /// Seed of the random choices: the same options and seed give the same
    /// files.
    pub seed: u64,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            persons: 50,
            days: 4,
            tiers: 4,
            ratio: 3,
            family_share: 0.3,
            extension: true,
            seed: 1,
        }
    }
}

/// Bounds on the options, checked by [`generate`].
pub const MAX_GENERATED_PERSONS: u32 = 1_000_000;

/// Why the options cannot give a deal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// `persons` is 0 or above [`MAX_GENERATED_PERSONS`].
    #[error("persons must be from 1 to {MAX_GENERATED_PERSONS}")]
    Persons,
    /// `days` is 0 or above 3650.
    #[error("days must be from 1 to 3650")]
    Days,
    /// `tiers` is 0 or above 9.
    #[error("tiers must be from 1 to 9")]
    Tiers,
    /// `ratio` is 0 or above 100.
    #[error("ratio must be from 1 to 100")]
    Ratio,
    /// `family_share` is below 0, above 1 or not a number.
    #[error("family share must be from 0 to 1")]
    FamilyShare,
}

/// A generated deal: files relative to the output folder, `deal.toml` first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedDeal {
    /// (path relative to the output folder, file text), `deal.toml` first.
    pub files: Vec<(String, String)>,
}

/// Captive categories by tier: realistic names for the first four tiers.
const CATEGORIES: &[(&str, u32)] = &[
    ("child", 1),
    ("woman", 1),
    ("elderly", 2),
    ("ill", 2),
    ("man", 3),
    ("soldier", 4),
];

/// Generates a deal.
pub fn generate(opts: &GenerateOptions) -> Result<GeneratedDeal, GenerateError> {
    if opts.persons == 0 || opts.persons > MAX_GENERATED_PERSONS {
        return Err(GenerateError::Persons);
    }
    if opts.days == 0 || opts.days > 3650 {
        return Err(GenerateError::Days);
    }
    if !(1..=9).contains(&opts.tiers) {
        return Err(GenerateError::Tiers);
    }
    if !(1..=100).contains(&opts.ratio) {
        return Err(GenerateError::Ratio);
    }
    if !(0.0..=1.0).contains(&opts.family_share) {
        return Err(GenerateError::FamilyShare);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let categories: Vec<(String, u32)> = CATEGORIES
        .iter()
        .filter(|(_, t)| *t <= opts.tiers)
        .map(|(c, t)| ((*c).to_owned(), *t))
        .chain((5..=opts.tiers).map(|t| (format!("tier-{t}"), t)))
        .collect();

    // Captives, families first (a family shares one tier-1 adult and 1–3
    // others), then singles of every category.
    let mut captives = String::from("id,category,group\n");
    let mut used = std::collections::BTreeSet::new();
    let mut drawn = 0usize;
    let mut n = 0u32;
    let mut families = 0u32;
    let in_families = (f64::from(opts.persons) * opts.family_share) as u32;
    while n < in_families && opts.persons - n >= 2 {
        families += 1;
        let size = rng.random_range(2..=4u32).min(opts.persons - n);
        for k in 0..size {
            n += 1;
            let category = if k == 0 {
                "woman"
            } else {
                pick(&mut rng, &categories, &mut drawn)
            };
            used.insert(category.to_owned());
            let _ = writeln!(captives, "B-{n:07},{category},F-{families:06}");
        }
    }
    while n < opts.persons {
        n += 1;
        let category = pick(&mut rng, &categories, &mut drawn);
        used.insert(category.to_owned());
        let _ = writeln!(captives, "B-{n:07},{category},");
    }
    // Declare only the categories drawn: an unused one would be a warning.
    let categories: Vec<(String, u32)> = categories
        .into_iter()
        .filter(|(c, _)| used.contains(c))
        .collect();
    let detainees = u64::from(opts.persons) * u64::from(opts.ratio);
    let mut held = String::with_capacity(detainees as usize * 18 + 16);
    held.push_str("id,category\n");
    for i in 1..=detainees {
        let _ = writeln!(held, "A-{i:08},detainee");
    }

    // Limits that the drawn sizes can meet within the base days; families
    // (at most 4) always fit a day.
    let max_b = opts.persons.div_ceil(opts.days).saturating_add(2).max(4);
    let max_a = max_b.saturating_mul(opts.ratio);
    let capacity = max_b.saturating_mul(opts.ratio + 1);
    let total_min = opts.persons - opts.persons / 5;

    let mut deal = String::new();
    let _ = writeln!(
        deal,
        "# Generated by `truce generate` (seed {}): synthetic persons only.",
        opts.seed
    );
    let _ = writeln!(deal, "format_version = 1");
    let _ = writeln!(
        deal,
        "name = \"Generated deal: {} captives, {} days, seed {}\"",
        opts.persons, opts.days, opts.seed
    );
    let _ = writeln!(deal, "start = 2026-03-02\n");
    for (id, role) in [
        ("side-a", "side"),
        ("side-b", "side"),
        ("mediator", "mediator"),
    ] {
        let _ = writeln!(deal, "[[party]]\nid = \"{id}\"\nrole = \"{role}\"\n");
    }
    let _ = writeln!(
        deal,
        "[[party]]\nid = \"relief\"\nrole = \"intermediary\"\ncapacity_per_day = {capacity}\nhandovers_per_day = 2\n"
    );
    let _ = writeln!(deal, "[pause]\ndays = {}\n", opts.days);
    if opts.extension {
        let per = (max_b / 2).clamp(1, opts.persons);
        let _ = writeln!(
            deal,
            "[pause.extension]\nper_releases = {per}\nby = \"side-b\"\nmax_days = {}\n",
            opts.days / 2 + 1
        );
    }
    for (id, tier) in categories
        .iter()
        .map(|(c, t)| (c.as_str(), *t))
        .chain([("detainee", 1)])
    {
        let _ = writeln!(deal, "[[category]]\nid = \"{id}\"\ntier = {tier}\n");
    }
    let _ = writeln!(
        deal,
        "[[roster]]\nholder = \"side-b\"\nfile = \"rosters/side-b.csv\"\nmax_per_day = {max_b}\ntotal_min = {total_min}\n"
    );
    let _ = writeln!(
        deal,
        "[[roster]]\nholder = \"side-a\"\nfile = \"rosters/side-a.csv\"\nmax_per_day = {max_a}\n"
    );
    let gives: Vec<String> = categories.iter().map(|(c, _)| format!("\"{c}\"")).collect();
    let _ = writeln!(
        deal,
        "[[exchange]]\ngives = {{ holder = \"side-b\", categories = [{}] }}\nreceives = {{ holder = \"side-a\", categories = [\"detainee\"] }}\nratio = {}\n",
        gives.join(", "),
        opts.ratio
    );
    let _ = writeln!(
        deal,
        "[release]\npriority = \"strict\"\nkeep_groups_together = true\nmax_exposure = {max_b}\nvia = \"relief\""
    );

    Ok(GeneratedDeal {
        files: vec![
            ("deal.toml".into(), deal),
            ("rosters/side-b.csv".into(), captives),
            ("rosters/side-a.csv".into(), held),
        ],
    })
}

/// The next category: each one once, in order, so that small deals use all
/// the tiers they declare; then at random.
fn pick<'a>(rng: &mut ChaCha8Rng, categories: &'a [(String, u32)], drawn: &mut usize) -> &'a str {
    let i = if *drawn < categories.len() {
        *drawn
    } else {
        rng.random_range(0..categories.len())
    };
    *drawn += 1;
    categories.get(i).map_or("woman", |(c, _)| c.as_str())
}
