//! Property: any plan the planner emits, executed exactly, yields no
//! finding and no refusal; each single mutation of that execution yields
//! the finding for what it broke.

use proptest::prelude::*;
use truce_exec::Rule;
use truce_spec::GenerateOptions;

use crate::support::{Convoy, Setup, convoys, execute, generated};

fn deal_options() -> impl Strategy<Value = GenerateOptions> {
    (
        8u32..40,
        2u32..6,
        1u32..4,
        1u32..4,
        0.0f64..0.6,
        any::<bool>(),
        0u64..1000,
    )
        .prop_map(
            |(persons, days, tiers, ratio, family_share, extension, seed)| GenerateOptions {
                persons,
                days,
                tiers,
                ratio,
                family_share,
                extension,
                seed,
            },
        )
}

fn rules(setup: &Setup, convoys: &[Convoy]) -> Vec<Rule> {
    let (ex, _) = execute(setup, convoys);
    ex.findings(setup.context())
        .iter()
        .map(|f| f.rule)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn an_exact_execution_keeps_every_term(opts in deal_options()) {
        let setup = Setup::new(generated(&opts));
        let plan = convoys(&setup.plan);
        prop_assume!(!plan.is_empty());
        let (ex, refused) = execute(&setup, &plan);
        prop_assert!(refused.is_empty(), "refused: {refused:?}");
        let findings = ex.findings(setup.context());
        prop_assert!(findings.is_empty(), "findings: {findings:#?}");
        // Counts only (a guarantor): nothing either.
        let by_counts = ex.findings(setup.counts_only());
        prop_assert!(by_counts.is_empty(), "findings on counts: {by_counts:#?}");
        let status = ex.status(setup.context());
        let released: u64 = status.released.iter().map(|r| r.released).sum();
        prop_assert_eq!(released, setup.plan.planned() as u64);
        prop_assert!(status.released.iter().all(|r| Some(r.released) == r.planned));
    }

    #[test]
    fn a_missed_counter_release_is_found(opts in deal_options()) {
        let setup = Setup::new(generated(&opts));
        let mut plan = convoys(&setup.plan);
        let payer = setup.terms.exchanges[0].receives.holder.to_string();
        let Some(i) = plan.iter().position(|(_, h, _)| *h == payer) else {
            return Ok(());
        };
        plan.remove(i);
        let (ex, refused) = execute(&setup, &plan);
        let rules: Vec<Rule> = ex.findings(setup.context()).iter().map(|f| f.rule).collect();
        prop_assert!(rules.contains(&Rule::CounterRelease), "{rules:?}");
        prop_assert!(rules.contains(&Rule::PlanDeviation), "{rules:?}");
        // Completion is refused while a counter-release is owed.
        prop_assert!(refused.iter().any(|(k, _)| k == "completed"), "{refused:?}");
        // A guarantor sees the missed counter-release on the counts alone.
        let by_counts: Vec<Rule> = ex.findings(setup.counts_only()).iter().map(|f| f.rule).collect();
        prop_assert!(by_counts.contains(&Rule::CounterRelease));
    }

    #[test]
    fn a_counter_release_before_what_it_pays_for_is_found(opts in deal_options()) {
        let setup = Setup::new(generated(&opts));
        let mut plan = convoys(&setup.plan);
        let payer = setup.terms.exchanges[0].receives.holder.to_string();
        // The first day's counter-release moved before the day's releases.
        let Some(i) = plan.iter().position(|(_, h, _)| *h == payer) else {
            return Ok(());
        };
        let day = plan[i].0;
        let first = plan.iter().position(|(d, _, _)| *d == day).unwrap_or(i);
        prop_assume!(first < i);
        let moved = plan.remove(i);
        plan.insert(first, moved);
        prop_assert!(rules(&setup, &plan).contains(&Rule::CounterReleaseEarly));
    }

    #[test]
    fn a_later_tier_released_first_is_found(opts in deal_options()) {
        let setup = Setup::new(generated(&opts));
        prop_assume!(setup.terms.strict_priority);
        let mut plan = convoys(&setup.plan);
        let giver = setup.terms.exchanges[0].gives.holder.to_string();
        // The giver's last planned person (a late tier), released in its
        // first handover instead, when that one holds an earlier tier.
        let tier = |id: &truce_ledger::PersonId| {
            setup.roster.persons()[setup.roster.index_of_id(id).expect("person")].tier
        };
        let first = plan.iter().position(|(_, h, _)| *h == giver);
        let last = plan.iter().rposition(|(_, h, _)| *h == giver);
        let (Some(first), Some(last)) = (first, last) else { return Ok(()) };
        prop_assume!(first != last);
        let late = plan[last].2.last().cloned().expect("persons");
        let best_first = plan[first].2.iter().map(tier).min().expect("persons");
        prop_assume!(tier(&late) > best_first);
        // Priority breaks only if an earlier tier is still held after the
        // first handover.
        let earlier_left = plan[first + 1..]
            .iter()
            .filter(|(_, h, _)| *h == giver)
            .flat_map(|(_, _, p)| p)
            .any(|p| tier(p) < tier(&late));
        prop_assume!(earlier_left);
        // Move the whole family, if it has one, so only priority breaks.
        let family: Vec<_> = plan[last]
            .2
            .iter()
            .filter(|p| {
                let a = &setup.roster.persons()[setup.roster.index_of_id(p).expect("p")];
                let b = &setup.roster.persons()[setup.roster.index_of_id(&late).expect("p")];
                *p == &late || (a.group.is_some() && a.group == b.group)
            })
            .cloned()
            .collect();
        plan[last].2.retain(|p| !family.contains(p));
        plan[first].2.extend(family);
        let found = rules(&setup, &plan);
        prop_assert!(found.contains(&Rule::Priority), "{found:?}");
    }

    #[test]
    fn a_day_above_its_limit_is_found(opts in deal_options()) {
        let mut setup = Setup::new(generated(&opts));
        let plan = convoys(&setup.plan);
        let giver = setup.terms.exchanges[0].gives.holder.clone();
        let most = plan
            .iter()
            .filter(|(_, h, _)| *h == giver.as_str())
            .map(|(_, _, p)| p.len() as u32)
            .max();
        let Some(most) = most else { return Ok(()) };
        prop_assume!(most >= 2);
        // The same execution against a daily maximum one lower.
        if let Some(r) = setup.terms.rosters.get_mut(&giver) {
            r.max_per_day = Some(most - 1);
            r.min_per_day = None;
        }
        let (ex, _) = execute(&setup, &plan);
        let found: Vec<Rule> = ex.findings(setup.counts_only()).iter().map(|f| f.rule).collect();
        prop_assert!(found.contains(&Rule::DailyMax), "{found:?}");
    }
}
