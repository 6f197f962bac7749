//! A deal told in plain words: what `truce demo` and `truce check` print.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use truce_spec::{Deal, Priority, Role};

/// One line: the deal's size at a glance.
pub fn one_line(deal: &Deal) -> String {
    format!(
        "\"{}\": {} parties, {} persons in {} roster(s), {} categories, {} exchange rule(s), {}",
        deal.name,
        deal.parties.len(),
        deal.persons.len(),
        deal.rosters.len(),
        deal.categories.len(),
        deal.exchanges.len(),
        pause_words(deal)
    )
}

fn pause_words(deal: &Deal) -> String {
    let days = plural(deal.pause.days, "day");
    match &deal.pause.extension {
        Some(e) if e.by_agreement => format!(
            "a pause of {days}, extendable day by day by agreement up to {} ({} agreed)",
            plural(e.max_days, "day"),
            e.agreed_days
        ),
        Some(e) => format!(
            "a pause of {days}, extendable by up to {}",
            plural(e.max_days, "day")
        ),
        None => format!("a pause of {days}"),
    }
}

fn plural(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The whole deal, for a person reading it for the first time.
pub fn full(deal: &Deal) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", deal.name);
    let _ = writeln!(s, "{}", "=".repeat(deal.name.chars().count()));
    if let Some(d) = &deal.description {
        let _ = writeln!(s, "{d}");
    }
    parties(&mut s, deal);
    pause(&mut s, deal);
    release_order(&mut s, deal);
    exchanges(&mut s, deal);
    outside_and_flows(&mut s, deal);
    release_rules(&mut s, deal);
    terms(&mut s, deal);
    s
}

/// Each party, its role, and what an intermediary carries.
fn parties(s: &mut String, deal: &Deal) {
    let _ = writeln!(s, "\nParties");
    for p in &deal.parties {
        let mut line = format!("  {:<14}{:<14}", p.id.as_str(), p.role.as_str());
        if let Some(n) = &p.name {
            let _ = write!(line, "{n}");
        }
        if p.role == Role::Intermediary {
            let cap = p
                .capacity_per_day
                .map_or("any number of persons".to_owned(), |c| plural(c, "person"));
            let _ = write!(
                line,
                "{}carries {cap} a day in {}",
                if p.name.is_some() { ": " } else { "" },
                plural(p.handovers_per_day.unwrap_or(2), "handover")
            );
        }
        let _ = writeln!(s, "{}", line.trim_end());
    }
}

/// The pause's days, its extension and the release days.
fn pause(s: &mut String, deal: &Deal) {
    let _ = writeln!(s, "\nPause");
    let span = match deal.start {
        Some(start) => {
            let last = start
                .plus_days(deal.pause.days - 1)
                .map_or(String::new(), |d| format!(" to {} {d}", d.weekday()));
            format!("from {} {start}{last}", start.weekday())
        }
        None => "(no start date set)".to_owned(),
    };
    let _ = writeln!(s, "  {} {span}", plural(deal.pause.days, "day"));
    if let Some(e) = &deal.pause.extension {
        let _ = writeln!(
            s,
            "  one more day for every day on which {} releases at least {}, up to {} more",
            e.by,
            plural(e.per_releases, "person"),
            plural(e.max_days, "day")
        );
        if e.by_agreement {
            let _ = writeln!(
                s,
                "  each extra day agreed in turn; {} agreed so far",
                plural(e.agreed_days, "day")
            );
        }
    }
    if let Some(days) = &deal.release.release_days {
        let list: Vec<String> = days.iter().map(u32::to_string).collect();
        let _ = writeln!(s, "  handovers only on days {}", list.join(", "));
    }
}

/// Who is released in which order: the priority rule, then each roster.
fn release_order(s: &mut String, deal: &Deal) {
    let _ = writeln!(s, "\nWho is released, in which order");
    let rule = match deal.release.priority {
        Priority::Strict => {
            "strict priority: no tier of a holder before its earlier tiers are all released"
        }
        Priority::Weighted => "weighted priority: earlier tiers are preferred, not required, first",
    };
    let _ = writeln!(s, "  ({rule})");
    for r in &deal.rosters {
        roster(s, deal, r);
    }
}

/// One roster: its holder, its limits, and its persons by tier (families
/// counted at their best member's tier).
fn roster(s: &mut String, deal: &Deal, r: &truce_spec::Roster) {
    let persons: Vec<_> = deal.persons_of(&r.holder).collect();
    let mut limits = Vec::new();
    if let Some(m) = r.total_min {
        limits.push(format!("at least {m}"));
    }
    if let Some(m) = r.min_in_base_days {
        limits.push(format!(
            "at least {m} within the first {}",
            plural(deal.pause.days, "day")
        ));
    }
    if let Some(m) = r.total_max {
        limits.push(format!("at most {m} in all"));
    }
    match (r.min_per_day, r.max_per_day) {
        (Some(a), Some(b)) => limits.push(format!("{a} to {b} on each release day")),
        (None, Some(b)) => limits.push(format!("at most {b} a day")),
        (Some(a), None) => limits.push(format!("at least {a} on each release day")),
        (None, None) => {}
    }
    let limits = if limits.is_empty() {
        String::new()
    } else {
        format!(" ({})", limits.join("; "))
    };
    let _ = writeln!(
        s,
        "  {} holds {}{limits}",
        r.holder,
        plural(persons.len() as u64, "person")
    );
    // tier → category → count, and families per tier (a family counts at
    // its best member's tier, as it travels with them).
    let mut tiers: BTreeMap<u32, BTreeMap<&str, usize>> = BTreeMap::new();
    let mut families: BTreeMap<&str, u32> = BTreeMap::new();
    for p in &persons {
        let tier = deal.tier(&p.category).unwrap_or(u32::MAX);
        *tiers
            .entry(tier)
            .or_default()
            .entry(p.category.as_str())
            .or_default() += 1;
        if let Some(g) = &p.group {
            let t = families.entry(g.as_str()).or_insert(tier);
            *t = (*t).min(tier);
        }
    }
    for (tier, cats) in &tiers {
        let list: Vec<String> = cats.iter().map(|(c, n)| format!("{c} {n}")).collect();
        let fam = families.values().filter(|t| *t == tier).count();
        let fam = if fam > 0 {
            format!("; {} travelling together", plural(fam as u64, "family"))
                .replace("familys", "families")
        } else {
            String::new()
        };
        let _ = writeln!(s, "    tier {tier}: {}{fam}", list.join(", "));
    }
}

/// The exchange rules, if any.
fn exchanges(s: &mut String, deal: &Deal) {
    if !deal.exchanges.is_empty() {
        let _ = writeln!(s, "\nExchange");
        for e in &deal.exchanges {
            let gives: Vec<&str> = e.gives.categories.iter().map(|c| c.as_str()).collect();
            let receives: Vec<&str> = e.receives.categories.iter().map(|c| c.as_str()).collect();
            let _ = writeln!(
                s,
                "  for each {} released by {}, {} releases {} ({}) the same day, after",
                gives.join("/"),
                e.gives.holder,
                e.receives.holder,
                e.ratio,
                receives.join("/"),
            );
        }
    }
}

/// Persons released outside the exchange, and resource flows.
fn outside_and_flows(s: &mut String, deal: &Deal) {
    if !deal.channels.is_empty() {
        let _ = writeln!(s, "\nReleased outside the exchange");
        for c in &deal.channels {
            let cats: Vec<&str> = c.categories.iter().map(|c| c.as_str()).collect();
            let n = deal
                .persons_of(&c.holder)
                .filter(|p| c.categories.contains(&p.category))
                .count();
            let _ = writeln!(
                s,
                "  {} ({}) held by {}, via {}{}",
                plural(n as u64, "person"),
                cats.join("/"),
                c.holder,
                c.via,
                c.max_per_day
                    .map_or(String::new(), |m| format!(", at most {m} a day"))
            );
        }
    }
    if !deal.flows.is_empty() {
        let _ = writeln!(s, "\nFlows on every day of the pause");
        for f in &deal.flows {
            let _ = writeln!(
                s,
                "  {}: at least {} {} a day{}, let through by {}{}",
                f.id,
                f.min_per_day,
                f.unit,
                f.max_per_day
                    .map_or(String::new(), |m| format!(" (at most {m})")),
                f.by,
                f.via
                    .as_ref()
                    .map_or(String::new(), |v| format!(" via {v}"))
            );
        }
    }
}

/// Families, the exposure bound and the intermediary.
fn release_rules(s: &mut String, deal: &Deal) {
    let _ = writeln!(s, "\nRelease rules");
    let _ = writeln!(
        s,
        "  {}; {}; {}",
        if deal.release.keep_groups_together {
            "families travel together"
        } else {
            "families may be split"
        },
        deal.release
            .max_exposure
            .map_or("no bound on exposure".to_owned(), |m| format!(
                "no side ever more than {} ahead of what it has received",
                plural(m, "person")
            )),
        deal.release
            .via
            .as_ref()
            .map_or("no intermediary".to_owned(), |v| format!(
                "every handover via {v}"
            ))
    );
}

/// The agreed terms and the issues still open.
fn terms(s: &mut String, deal: &Deal) {
    if !deal.agreed_terms.is_empty() {
        let _ = writeln!(s, "\nAgreed ({})", deal.agreed_terms.len());
        for t in &deal.agreed_terms {
            let about = t.description.as_deref().unwrap_or("");
            let _ = writeln!(s, "  {:<14}{:<8}{about}", t.id.as_str(), t.value);
        }
    }
    if !deal.open_issues.is_empty() {
        let _ = writeln!(s, "\nStill open ({})", deal.open_issues.len());
        for i in &deal.open_issues {
            let about = i.description.as_deref().unwrap_or("");
            let sets = i
                .sets
                .as_deref()
                .map_or(String::new(), |t| format!(" [sets {t}]"));
            let _ = writeln!(s, "  {:<14}{about}", i.id.as_str());
            let _ = writeln!(s, "  {:<14}options: {}{sets}", "", i.options.join(" | "));
        }
    }
}
