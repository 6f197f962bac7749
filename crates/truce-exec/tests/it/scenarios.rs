//! The shipped example, and what issue 11 found accepted-but-wrong: a
//! later tier released early under strict priority, an extension beyond
//! the rule, a plan adopted for a pause the terms do not say; and what the
//! findings say to a party without the roster.

use truce_exec::Rule;
use truce_ledger::{Event, Hash, PersonId, Ruling};

use crate::support::{Convoy, Setup, convoys, example, execute};

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

fn record(setup: &Setup, ex: &mut truce_exec::Execution, seq: &mut u64, author: &str, e: Event) {
    *seq += 1;
    ex.apply(Some(&setup.roster), &setup.sign(author, *seq, e));
}

fn flow(day: u32, flow: &str, quantity: u32) -> Event {
    Event::FlowRecorded {
        day,
        flow: flow.into(),
        quantity,
    }
}

/// The November 2023 example: 200 aid trucks, 130,000 litres of diesel and
/// 4 trucks of gas a day. Day 2's aid arrives in two records adding up to
/// 180: found, named by the flow, once a later day shows day 2 is over; a
/// party without the roster finds it too (it rests on the signed figures).
#[test]
fn a_day_short_of_a_flows_minimum_is_found_once_the_day_is_over() {
    let setup = Setup::new(example("november-2023-pause"));
    let mut ex = truce_exec::Execution::new();
    let mut seq = 0;
    let plan = Event::PlanAdopted {
        days: 4,
        plan_hash: Hash::of(b"plan"),
    };
    record(&setup, &mut ex, &mut seq, "mediator", plan);
    record(
        &setup,
        &mut ex,
        &mut seq,
        "mediator",
        Event::PauseStarted {},
    );
    let full = [("aid-trucks", 200), ("diesel", 130_000), ("gas-trucks", 4)];
    for (id, n) in full {
        record(&setup, &mut ex, &mut seq, "rafah", flow(1, id, n));
    }
    record(
        &setup,
        &mut ex,
        &mut seq,
        "rafah",
        flow(2, "aid-trucks", 120),
    );
    record(
        &setup,
        &mut ex,
        &mut seq,
        "side-a",
        flow(2, "aid-trucks", 60),
    );
    record(
        &setup,
        &mut ex,
        &mut seq,
        "rafah",
        flow(2, "diesel", 130_000),
    );
    record(&setup, &mut ex, &mut seq, "rafah", flow(2, "gas-trucks", 4));
    let ids = |ex: &truce_exec::Execution| -> Vec<String> {
        ex.findings(setup.counts_only())
            .iter()
            .map(|f| f.id.clone())
            .collect()
    };
    assert_eq!(ids(&ex), Vec::<String>::new(), "day 2 is not over yet");
    record(
        &setup,
        &mut ex,
        &mut seq,
        "rafah",
        flow(3, "aid-trucks", 200),
    );
    assert_eq!(ids(&ex), ["flow-min@day-2@aid-trucks"]);
    // With the roster and the plan too (the plan's persons not released
    // are other findings).
    let findings = ex.findings(setup.context());
    let flows: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == Rule::FlowMin)
        .collect();
    assert_eq!(flows.len(), 1);
    let f = flows[0];
    assert_eq!(f.rule, Rule::FlowMin);
    assert_eq!(f.day, Some(2));
    assert_eq!(f.party.as_ref().map(|p| p.as_str()), Some("side-a"));
    assert!(
        f.message.contains("180") && f.message.contains("200"),
        "{}",
        f.message
    );
    let status = ex.status(setup.counts_only());
    let aid = &status.flows[0];
    assert_eq!((aid.flow.as_str(), aid.delivered), ("aid-trucks", 580));
    assert_eq!(aid.per_day, [200, 180, 200]);
    assert_eq!(status.flows[2].per_day, [4, 4, 0]);
}

/// The service refuses a flow the terms do not have, and a recorder that is
/// neither the delivering side nor the crossing the flow goes through.
#[test]
fn a_flow_the_terms_lack_or_an_unnamed_recorder_is_refused() {
    let setup = Setup::new(example("november-2023-pause"));
    let ex = truce_exec::Execution::new();
    let ctx = setup.context();
    let unknown = ex
        .check_declaration(ctx, &flow(1, "medicine", 10))
        .unwrap_err();
    assert_eq!(unknown.rule, "unknown-flow");
    assert!(
        unknown.message.contains("aid-trucks, diesel, gas-trucks"),
        "{}",
        unknown.message
    );
    assert_eq!(ex.check_declaration(ctx, &flow(1, "diesel", 10)), Ok(()));
    let by = |p: &str| {
        ex.check_recorder(
            ctx,
            &truce_ledger::PartyId::new(p).unwrap(),
            &flow(1, "diesel", 10),
        )
    };
    assert_eq!(by("rafah"), Ok(()));
    assert_eq!(by("side-a"), Ok(()));
    for other in ["icrc", "side-b", "mediator"] {
        assert_eq!(by(other).unwrap_err().rule, "flow-recorder", "{other}");
    }
}

/// Day 1 of the November 2023 example under `lists_night_before`: each
/// side's list for the day, delivered before its handovers. `lists` holds
/// each list as (holder, persons); `after` delivers them after the
/// handovers instead. Returns the list findings' ids.
fn list_findings(
    setup: &Setup,
    lists: &[(&str, Vec<PersonId>)],
    after: bool,
) -> (Vec<String>, Vec<String>) {
    let mut ex = truce_exec::Execution::new();
    let mut seq = 0;
    let plan = Event::PlanAdopted {
        days: 4,
        plan_hash: Hash::of(b"plan"),
    };
    record(setup, &mut ex, &mut seq, "mediator", plan);
    let list_events: Vec<(String, Event)> = lists
        .iter()
        .map(|(holder, ids)| {
            let pseudonyms: Vec<_> = ids
                .iter()
                .map(|p| setup.person_key.pseudonym(&setup.id, p))
                .collect();
            let event = Event::ListsExchanged {
                commitment: truce_ledger::list_commitment(&pseudonyms),
                count: ids.len() as u32,
                day: 1,
                to: truce_ledger::PartyId::new(&setup.receiver(holder)).unwrap(),
            };
            ((*holder).to_owned(), event)
        })
        .collect();
    if !after {
        for (holder, e) in &list_events {
            record(setup, &mut ex, &mut seq, holder, e.clone());
        }
    }
    record(setup, &mut ex, &mut seq, "mediator", Event::PauseStarted {});
    for (_, holder, persons) in convoys(&setup.plan).iter().filter(|c| c.0 == 1) {
        let e = setup.handover(1, holder, persons);
        record(setup, &mut ex, &mut seq, "icrc", e);
    }
    if after {
        for (holder, e) in &list_events {
            record(setup, &mut ex, &mut seq, holder, e.clone());
        }
    }
    let ids = |ctx| -> Vec<String> {
        ex.findings(ctx)
            .iter()
            .filter(|f| matches!(f.rule, Rule::ListMissing | Rule::Unlisted))
            .map(|f| f.id.clone())
            .collect()
    };
    (ids(setup.context()), ids(setup.counts_only()))
}

/// With `[release] lists_night_before = true`, a handover must follow its
/// day's list, and its persons must be on it. The ledger holds only each
/// list's count and commitment: a list one person short, or as long but
/// naming someone else, is caught; a missing or late list is too. A party
/// without the roster or the person key finds the same.
#[test]
fn handovers_are_checked_against_the_nights_lists() {
    let mut deal = example("november-2023-pause");
    deal.release.lists_night_before = true;
    let setup = Setup::new(deal);
    assert!(setup.terms.lists_night_before);
    let day_one = |holder: &str| -> Vec<PersonId> {
        convoys(&setup.plan)
            .into_iter()
            .filter(|(d, h, _)| *d == 1 && h == holder)
            .flat_map(|(_, _, p)| p)
            .collect()
    };
    let (a, b) = (day_one("side-a"), day_one("side-b"));
    assert!(a.len() > 1 && b.len() > 1, "both sides release on day 1");
    let both = |a: Vec<PersonId>, b: Vec<PersonId>| [("side-a", a), ("side-b", b)];
    let none: Vec<String> = Vec::new();
    // Lists in a different order than the handovers: the same commitment.
    let mut b_reversed = b.clone();
    b_reversed.reverse();
    let (found, without_roster) = list_findings(&setup, &both(a.clone(), b_reversed), false);
    assert_eq!((found, without_roster), (none.clone(), none.clone()));
    // side-a delivers no list.
    let (found, _) = list_findings(&setup, &[("side-b", b.clone())], false);
    assert_eq!(found, ["list-missing@day-1@side-a"]);
    // Lists delivered after the handovers are no lists the night before.
    let (found, _) = list_findings(&setup, &both(a.clone(), b.clone()), true);
    // (in the order of the handovers: side-b's convoy comes first)
    assert_eq!(
        found,
        ["list-missing@day-1@side-b", "list-missing@day-1@side-a"]
    );
    // side-b's list one person short: more handed over than listed.
    let short = b[..b.len() - 1].to_vec();
    let (found, without_roster) = list_findings(&setup, &both(a.clone(), short), false);
    assert_eq!(found, ["unlisted@day-1@side-b"]);
    assert_eq!(without_roster, found);
    // As many persons, one of them not the one handed over.
    let mut swapped = b.clone();
    let last = swapped.len() - 1;
    swapped[last] = PersonId::new("B-9999").unwrap();
    let (found, _) = list_findings(&setup, &both(a.clone(), swapped), false);
    assert_eq!(found, ["unlisted@day-1@side-b"]);
    // A list naming more persons than were handed over is not a finding of
    // this rule (a partial release; the plan and daily rules judge that).
    let mut longer = b.clone();
    longer.push(PersonId::new("B-9999").unwrap());
    let (found, _) = list_findings(&setup, &both(a, longer), false);
    assert_eq!(found, none);
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

/// One convoy a day, paid the next day (`deferred_days = 1`): side-b's 2
/// children on day 1, side-a's 2 detainees owed by the end of day 2.
fn convoy_a_day(deferral: u32) -> truce_spec::Deal {
    let text = format!(
        "format_version = 1\nname = \"convoy a day\"\n\
         [[party]]\nid = \"side-a\"\nrole = \"side\"\n\
         [[party]]\nid = \"side-b\"\nrole = \"side\"\n\
         [[party]]\nid = \"mediator\"\nrole = \"mediator\"\n\
         [[party]]\nid = \"relief\"\nrole = \"intermediary\"\nhandovers_per_day = 1\n\
         [pause]\ndays = 3\n\
         [[category]]\nid = \"child\"\ntier = 1\n\
         [[category]]\nid = \"detainee\"\ntier = 1\n\
         [[roster]]\nholder = \"side-a\"\nfile = \"a.csv\"\n\
         [[roster]]\nholder = \"side-b\"\nfile = \"b.csv\"\n\
         [[exchange]]\ngives = {{ holder = \"side-b\", categories = [\"child\"] }}\n\
         receives = {{ holder = \"side-a\", categories = [\"detainee\"] }}\nratio = 1\n\
         deferred_days = {deferral}\n\
         [release]\nvia = \"relief\"\n"
    );
    crate::support::load(&[
        ("deal.toml".into(), text),
        (
            "a.csv".into(),
            "id,category\nA-0001,detainee\nA-0002,detainee\n".into(),
        ),
        (
            "b.csv".into(),
            "id,category\nB-0001,child\nB-0002,child\n".into(),
        ),
    ])
}

/// The convoys (day, holder, persons) and a plan of exactly them (the
/// planner does not plan deferrals: the plan is written by hand).
fn deferred_setup(deferral: u32, convoys: &[(u32, &str, &[&str])]) -> (Setup, Vec<Convoy>) {
    let stages: Vec<serde_json::Value> = convoys
        .iter()
        .map(|(day, from, persons)| {
            serde_json::json!({"day": day, "handovers": [{"from": from, "via": "relief", "persons": persons}]})
        })
        .collect();
    let days_used = convoys.iter().map(|c| c.0).max().unwrap_or(0);
    let plan = serde_json::json!({"status": "feasible", "days_used": days_used, "stages": stages});
    let plan = truce_exec::PlanSchedule::from_json(&plan.to_string()).expect("plan");
    let convoys = convoys
        .iter()
        .map(|(day, from, persons)| {
            let ids = persons
                .iter()
                .map(|p| PersonId::new(p).expect("id"))
                .collect();
            (*day, (*from).to_owned(), ids)
        })
        .collect();
    (Setup::with_plan(convoy_a_day(deferral), plan), convoys)
}

#[test]
fn a_deferred_payment_on_the_next_day_keeps_every_term() {
    let paid_next_day: &[(u32, &str, &[&str])] = &[
        (1, "side-b", &["B-0001", "B-0002"]),
        (2, "side-a", &["A-0001", "A-0002"]),
    ];
    let (setup, convoys) = deferred_setup(1, paid_next_day);
    let (ex, refused) = execute(&setup, &convoys);
    assert_eq!(refused, Vec::<(String, String)>::new());
    assert_eq!(ex.findings(setup.context()), Vec::new());
    // Without the deferral, day 1's payment was owed that same day.
    let (setup, convoys) = deferred_setup(0, paid_next_day);
    let (ex, _) = execute(&setup, &convoys);
    let ids: Vec<String> = ex
        .findings(setup.context())
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert!(
        ids.contains(&"counter-release@day-1@rule-1@side-a".to_owned()),
        "{ids:?}"
    );
}

/// Paid on day 3 instead of day 2: found as soon as a later day shows day 2
/// is over (before the deal completes), once, against side-a.
#[test]
fn an_unpaid_deferral_is_found_when_its_due_day_ends() {
    let (setup, convoys) = deferred_setup(
        1,
        &[
            (1, "side-b", &["B-0001", "B-0002"]),
            (3, "side-a", &["A-0001", "A-0002"]),
        ],
    );
    let mut ex = truce_exec::Execution::new();
    let mut seq = 0;
    let plan = Event::PlanAdopted {
        days: 3,
        plan_hash: Hash::of(b"plan"),
    };
    record(&setup, &mut ex, &mut seq, "mediator", plan);
    record(
        &setup,
        &mut ex,
        &mut seq,
        "mediator",
        Event::PauseStarted {},
    );
    let (day, holder, persons) = &convoys[0];
    let day1 = setup.handover(*day, holder, persons);
    record(&setup, &mut ex, &mut seq, "relief", day1);
    // Day 2 is not over yet: nothing is owed.
    assert_eq!(ex.findings(setup.context()), Vec::new());
    let (day, holder, persons) = &convoys[1];
    let day3 = setup.handover(*day, holder, persons);
    record(&setup, &mut ex, &mut seq, "relief", day3);
    let findings = ex.findings(setup.context());
    let unpaid: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == Rule::DeferralUnpaid)
        .collect();
    assert_eq!(unpaid.len(), 1, "{findings:#?}");
    assert_eq!(unpaid[0].id, "deferral-unpaid@day-2@rule-1@side-a");
    assert_eq!(unpaid[0].party.as_ref().map(|p| p.as_str()), Some("side-a"));
    assert!(
        unpaid[0].message.contains("released 0 persons"),
        "{}",
        unpaid[0].message
    );
}

/// A deferral does not let the payer pay ahead: side-a's detainee on day 1,
/// before any child, is early.
#[test]
fn a_deferral_does_not_let_the_payer_pay_ahead() {
    let (setup, convoys) =
        deferred_setup(1, &[(1, "side-a", &["A-0001"]), (2, "side-b", &["B-0001"])]);
    let (ex, _) = execute(&setup, &convoys);
    let rules: Vec<Rule> = ex
        .findings(setup.context())
        .iter()
        .map(|f| f.rule)
        .collect();
    assert_eq!(rules, vec![Rule::CounterReleaseEarly]);
}
