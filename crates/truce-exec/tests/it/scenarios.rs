//! The shipped example, and what issue 11 found accepted-but-wrong: a
//! later tier released early under strict priority, an extension beyond
//! the rule, a plan adopted for a pause the terms do not say; and what the
//! findings say to a party without the roster.

use truce_exec::Rule;
use truce_ledger::{Event, Hash, PersonId, Ruling};

use crate::support::{Setup, convoys, example, execute};

fn humanitarian() -> Setup {
    Setup::new(example("humanitarian-pause"))
}

#[test]
fn the_example_executed_as_planned_keeps_every_term() {
    let setup = humanitarian();
    let (ex, refused) = execute(&setup, &convoys(&setup.plan));
    assert_eq!(refused, Vec::<(String, String)>::new());
    assert_eq!(ex.findings(setup.context()), Vec::new());
    let status = ex.status(setup.context());
    assert_eq!(status.ended, Some("completed"));
    assert_eq!(status.pause_end.as_deref(), Some("2026-03-06"));
    assert!(status.exposure_now.iter().all(|e| e.exposure == 0.0));
}

#[test]
fn a_late_tier_on_day_two_breaks_strict_priority_and_the_plan() {
    let setup = humanitarian();
    let mut plan = convoys(&setup.plan);
    // A person planned for the last day (tier 2) goes with day 2's convoy.
    let last = plan
        .iter()
        .rposition(|(_, h, _)| h == "side-b")
        .expect("side-b");
    let person: PersonId = plan[last].2.pop().expect("persons");
    let day2 = plan
        .iter()
        .position(|(d, h, _)| *d == 2 && h == "side-b")
        .expect("day 2");
    plan[day2].2.push(person);
    let (ex, _) = execute(&setup, &plan);
    let findings = ex.findings(setup.context());
    let rules: Vec<Rule> = findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&Rule::Priority), "{findings:#?}");
    assert!(rules.contains(&Rule::PlanDeviation), "{findings:#?}");
    // Eleven on day 2 is within side-b's 12 a day, but the counter-release
    // of 30 pays for 10: short by three.
    assert!(rules.contains(&Rule::CounterRelease), "{findings:#?}");
    let priority = findings
        .iter()
        .find(|f| f.rule == Rule::Priority)
        .expect("p");
    assert!(priority.id.starts_with("priority@seq-"), "{}", priority.id);
    assert_eq!(priority.day, Some(2));
    // No person id in any message.
    for f in &findings {
        for p in setup.roster.persons() {
            assert!(!f.message.contains(p.id.as_str()), "{}", f.message);
        }
    }
}

#[test]
fn declarations_the_terms_forbid_are_refused() {
    let setup = humanitarian();
    let ctx = setup.context();
    let (ex, _) = execute(&setup, &[]);
    let refusal = |event: Event| ex.check_declaration(ctx, &event).map_err(|r| r.rule);
    // The rule allows 6 extra days.
    assert_eq!(
        refusal(Event::Extended { days: 40 }),
        Err("extension-limit")
    );
    assert_eq!(refusal(Event::Extended { days: 6 }), Ok(()));
    // The terms agree 4 days.
    let adopted = |days| Event::PlanAdopted {
        days,
        plan_hash: Hash::of(b"plan"),
    };
    assert_eq!(refusal(adopted(1)), Err("plan-days"));
    assert_eq!(refusal(adopted(4)), Ok(()));
    // Nothing released: side-b guarantees 40.
    assert_eq!(refusal(Event::Completed {}), Err("total-min"));
    // A handover must sign counts that match its persons.
    let mut h = setup.handover(1, "side-b", &setup.plan.handovers[0].persons);
    if let Event::HandoverRecorded { counts, .. } = &mut h {
        let c = counts.as_mut().expect("counts");
        let first = c.keys().next().cloned().expect("a category");
        *c.get_mut(&first).expect("n") += 1;
    }
    assert_eq!(refusal(h), Err("counts-mismatch"));
}

#[test]
fn an_unearned_extension_day_is_found_and_blocks_the_next() {
    let setup = humanitarian();
    let mut plan = convoys(&setup.plan);
    // Day 5 (an extra day) sees side-b release fewer than the 10 that earn it.
    let day5 = plan
        .iter()
        .position(|(d, h, _)| *d == 5 && h == "side-b")
        .expect("day 5");
    plan[day5].2.truncate(4);
    let (ex, _) = execute(&setup, &plan);
    let findings = ex.findings(setup.context());
    let unearned = findings
        .iter()
        .find(|f| f.rule == Rule::ExtensionUnearned)
        .expect("found");
    assert_eq!(unearned.id, "extension-unearned@day-5@side-b");
    assert!(
        unearned.message.contains("released 4 persons"),
        "{}",
        unearned.message
    );
    let refused = ex
        .check_declaration(setup.context(), &Event::Extended { days: 1 })
        .map_err(|r| r.rule);
    assert_eq!(refused, Err("extension-unearned"));
}

#[test]
fn a_ruling_closes_a_finding() {
    let setup = humanitarian();
    let mut plan = convoys(&setup.plan);
    let i = plan
        .iter()
        .position(|(_, h, _)| h == "side-a")
        .expect("side-a");
    let (day, holder, persons) = plan[i].clone();
    let (a, b) = persons.split_at(persons.len() / 2);
    plan[i] = (day, holder.clone(), a.to_vec());
    plan.insert(i + 1, (day, holder, b.to_vec()));
    let (mut ex, _) = execute(&setup, &plan);
    let findings = ex.findings(setup.context());
    assert_eq!(
        findings.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        vec!["handovers-per-day@day-1@relief"]
    );
    let ruling = setup.sign(
        &setup.mediator(),
        999,
        Event::FindingRuled {
            finding: findings[0].id.clone(),
            reason: "The crossing closed at noon.".to_owned(),
            ruling: Ruling::Excused,
        },
    );
    ex.apply(Some(&setup.roster), &ruling);
    let after = ex.findings(setup.context());
    assert_eq!(after[0].ruling, Some((999, Ruling::Excused)));
    assert!(!after[0].is_open());
}

/// The November 2023 example executed as planned: its 24 foreign nationals
/// go on day 1 through the separate channel, beside 13 released under the
/// exchange. They count against no roster limit (13 a day), guarantee or
/// intermediary, so the execution keeps every term.
#[test]
fn releases_outside_the_exchange_count_against_no_roster_limit() {
    let setup = Setup::new(example("november-2023-pause"));
    assert_eq!(setup.terms.channels.len(), 1);
    assert_eq!(setup.terms.flows.len(), 3);
    let (ex, refused) = execute(&setup, &convoys(&setup.plan));
    assert_eq!(refused, Vec::<(String, String)>::new());
    assert_eq!(ex.findings(setup.context()), Vec::new());
    assert_eq!(ex.findings(setup.counts_only()), Vec::new());
    assert_eq!(ex.status(setup.context()).ended, Some("completed"));
}

/// A swap on a bridge: 3 children for 3 detainees at one moment, under a
/// bound of no exposure at all. Recorded as two handovers (the children,
/// then the detainees), it is one exchange: no exposure finding. The same
/// record under a rule handed over in turn breaks the bound.
#[test]
fn a_swap_is_one_moment_not_an_exposure() {
    let deal = |swap: bool| {
        let text = format!(
            "format_version = 1\nname = \"bridge\"\n\
             [[party]]\nid = \"side-a\"\nrole = \"side\"\n\
             [[party]]\nid = \"side-b\"\nrole = \"side\"\n\
             [[party]]\nid = \"mediator\"\nrole = \"mediator\"\n\
             [[party]]\nid = \"relief\"\nrole = \"intermediary\"\n\
             [pause]\ndays = 1\n\
             [[category]]\nid = \"child\"\ntier = 1\n\
             [[category]]\nid = \"detainee\"\ntier = 1\n\
             [[roster]]\nholder = \"side-a\"\nfile = \"a.csv\"\n\
             [[roster]]\nholder = \"side-b\"\nfile = \"b.csv\"\n\
             [[exchange]]\ngives = {{ holder = \"side-b\", categories = [\"child\"] }}\n\
             receives = {{ holder = \"side-a\", categories = [\"detainee\"] }}\nratio = 1\n\
             simultaneous = {swap}\n\
             [release]\nmax_exposure = 0\nvia = \"relief\"\n"
        );
        crate::support::load(&[
            ("deal.toml".into(), text),
            (
                "a.csv".into(),
                "id,category\nA-0001,detainee\nA-0002,detainee\nA-0003,detainee\n".into(),
            ),
            (
                "b.csv".into(),
                "id,category\nB-0001,child\nB-0002,child\nB-0003,child\n".into(),
            ),
        ])
    };
    let swap = Setup::new(deal(true));
    let plan = convoys(&swap.plan);
    assert_eq!(plan.len(), 2, "{plan:?}");
    let (ex, _) = execute(&swap, &plan);
    assert_eq!(ex.findings(swap.context()), Vec::new());
    let in_turn = Setup::with_plan(deal(false), swap.plan.clone());
    let (ex, _) = execute(&in_turn, &plan);
    let rules: Vec<Rule> = ex
        .findings(in_turn.context())
        .iter()
        .map(|f| f.rule)
        .collect();
    assert!(rules.contains(&Rule::Exposure), "{rules:?}");
}

/// The November 2023 example guarantees 50 women and children within the
/// four base days; three fewer on day 1 (and their counter-releases) leave
/// 49 when the base days are over: found, against side-b.
#[test]
fn a_minimum_within_the_base_days_is_judged_when_they_end() {
    let setup = Setup::new(example("november-2023-pause"));
    let mut plan = convoys(&setup.plan);
    let b = plan
        .iter()
        .position(|(d, h, p)| *d == 1 && h == "side-b" && p.len() == 13)
        .expect("day 1's exchange convoy");
    plan[b].2.truncate(10);
    let a = plan
        .iter()
        .position(|(d, h, _)| *d == 1 && h == "side-a")
        .expect("day 1's counter-release");
    plan[a].2.truncate(30);
    let (ex, _) = execute(&setup, &plan);
    let findings = ex.findings(setup.context());
    let base: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == Rule::BaseDaysMin)
        .collect();
    assert_eq!(base.len(), 1, "{findings:#?}");
    assert_eq!(base[0].party.as_ref().map(|p| p.as_str()), Some("side-b"));
    assert!(base[0].message.contains("49"), "{}", base[0].message);
}

/// Two crossings: side-b's children at `north` (2 a day), side-a's
/// detainees at `south` (3 a day), 1:1. Carried out as planned (each
/// handover recorded by its crossing), every term holds; one more pair on
/// day 1 overloads `north` only, and a handover a side records is judged
/// against its persons' crossing.
#[test]
fn each_crossing_is_judged_by_its_own_capacity() {
    let text = "format_version = 1\nname = \"two crossings\"\n\
         [[party]]\nid = \"side-a\"\nrole = \"side\"\n\
         [[party]]\nid = \"side-b\"\nrole = \"side\"\n\
         [[party]]\nid = \"mediator\"\nrole = \"mediator\"\n\
         [[party]]\nid = \"north\"\nrole = \"intermediary\"\ncapacity_per_day = 2\n\
         [[party]]\nid = \"south\"\nrole = \"intermediary\"\ncapacity_per_day = 3\n\
         [pause]\ndays = 3\n\
         [[category]]\nid = \"child\"\ntier = 1\nvia = \"north\"\n\
         [[category]]\nid = \"detainee\"\ntier = 1\n\
         [[roster]]\nholder = \"side-a\"\nfile = \"a.csv\"\nvia = \"south\"\n\
         [[roster]]\nholder = \"side-b\"\nfile = \"b.csv\"\n\
         [[exchange]]\ngives = { holder = \"side-b\", categories = [\"child\"] }\n\
         receives = { holder = \"side-a\", categories = [\"detainee\"] }\nratio = 1\n\
         [release]\n";
    let deal = crate::support::load(&[
        ("deal.toml".into(), text.into()),
        (
            "a.csv".into(),
            "id,category\nA-0001,detainee\nA-0002,detainee\nA-0003,detainee\nA-0004,detainee\n"
                .into(),
        ),
        (
            "b.csv".into(),
            "id,category\nB-0001,child\nB-0002,child\nB-0003,child\nB-0004,child\n".into(),
        ),
    ]);
    let setup = Setup::new(deal);
    let mut plan = convoys(&setup.plan);
    assert_eq!(plan.len(), 8, "{plan:?}");
    let (ex, _) = execute(&setup, &plan);
    assert_eq!(ex.findings(setup.context()), Vec::new());
    // Day 2's first child and first detainee join day 1's first handovers.
    let day2 = plan.iter().position(|c| c.0 == 2).expect("day 2");
    let child = plan[day2].2.pop().expect("a child");
    let detainee = plan[day2 + 1].2.pop().expect("a detainee");
    plan[0].2.push(child);
    plan[1].2.push(detainee);
    let (ex, _) = execute(&setup, &plan);
    let capacity: Vec<(Rule, String)> = ex
        .findings(setup.context())
        .iter()
        .filter(|f| f.rule == Rule::Capacity)
        .map(|f| (f.rule, f.message.clone()))
        .collect();
    assert_eq!(capacity.len(), 1, "{capacity:?}");
    assert!(capacity[0].1.starts_with("north carried 3"), "{capacity:?}");
}
