//! The terms real agreements have (issue 15): channels outside the exchange,
//! resource flows, extra days agreed one by one. Each has a fixture whose
//! optimum is derived by hand beside it, and a plan the checker rejects.

use truce_plan::{ViolationKind as K, check_plan};
use truce_spec::AgreedDeal;

use crate::checker::{persons, planned, rejects};
use crate::deals::*;
use crate::infeasible::conflict_terms;
use crate::optimum::check;
use truce_plan::Status;

/// side-b's 2 children pay 1:1 for side-a's 2 detainees, at most one child a
/// day, over 2 days; its 3 foreign nationals go through a separate channel,
/// at most 2 a day. Hand-derived: the children take both days (1 a day), the
/// channel 2 on day 1 and 1 on day 2 (it is outside the children's
/// max_per_day), so 2 + 2 + 3 = 7 released in 2 days; each day's child is
/// paid after it is released: exposure 1.
fn channelled() -> AgreedDeal {
    B::new("channel")
        .days(2)
        .category("child", 1)
        .category("foreign-national", 1)
        .category("detainee", 1)
        .via("relief", None, Some(2))
        .carrier("consuls")
        .side("side-a", [None; 4], &many("detainee", 2))
        .side(
            "side-b",
            [None, Some(1), None, None],
            &[
                ("child", None),
                ("child", None),
                ("foreign-national", None),
                ("foreign-national", None),
                ("foreign-national", None),
            ],
        )
        .exchange(("side-b", &["child"]), ("side-a", &["detainee"]), 1)
        .channel("side-b", &["foreign-national"], "consuls", Some(2))
        .agreed()
}

#[test]
fn a_channel_outside_the_exchange() {
    let deal = channelled();
    let p = check(&deal, (Status::Optimal, 7, 2, 1.0));
    let via: Vec<Option<&str>> = p.stages[0]
        .handovers
        .iter()
        .map(|h| h.via.as_deref())
        .collect();
    assert!(via.contains(&Some("consuls")), "{via:?}");
}

#[test]
fn a_foreign_national_moved_into_the_exchange_is_rejected() {
    let deal = channelled();
    let mut p = planned(&deal);
    // Day 1: [channel, side-b's child, side-a's detainee].
    let moved = persons(&mut p, 0, 0).pop().expect("a channel person");
    persons(&mut p, 0, 1).push(moved);
    rejects(&deal, &p, K::OutsideChannel, Some(1));
}

#[test]
fn a_channel_handover_via_the_exchange_intermediary_is_rejected() {
    let deal = channelled();
    let mut p = planned(&deal);
    p["stages"][0]["handovers"][0]["via"] = "relief".into();
    rejects(&deal, &p, K::WrongVia, Some(1));
}

#[test]
fn a_channel_above_its_daily_limit_is_rejected() {
    let deal = channelled();
    let mut p = planned(&deal);
    let later = persons(&mut p, 1, 0).pop().expect("day 2's channel person");
    persons(&mut p, 0, 0).push(later);
    p["stages"][1]["handovers"]
        .as_array_mut()
        .expect("handovers")
        .remove(0);
    rejects(&deal, &p, K::MaxPerDay, Some(1));
}

/// Two days, one person a day; aid of at least 200 trucks a day. Hand-derived:
/// both persons (one a day, 2 days); the plan states 200 trucks on days 1–2.
pub fn with_aid() -> AgreedDeal {
    B::new("aid")
        .days(2)
        .category("child", 1)
        .side("side-a", [None; 4], &[])
        .side("side-b", [None, Some(1), None, None], &many("child", 2))
        .flow("aid-trucks", "truck", "side-a", 200)
        .agreed()
}

#[test]
fn a_flow_is_stated_on_every_day() {
    let deal = with_aid();
    let p = check(&deal, (Status::Optimal, 2, 2, 0.0));
    assert_eq!(p.flows.len(), 1);
    assert_eq!(
        (p.flows[0].per_day, &p.flows[0].days[..]),
        (200, &[1, 2][..])
    );
}

#[test]
fn a_flow_below_its_minimum_or_missing_is_rejected() {
    let deal = with_aid();
    let mut p = planned(&deal);
    p["flows"][0]["per_day"] = 150.into();
    rejects(&deal, &p, K::FlowBelowMinimum, Some(1));
    let mut p = planned(&deal);
    p["flows"][0]["days"] = serde_json::json!([1]);
    rejects(&deal, &p, K::FlowBelowMinimum, Some(2));
    let mut p = planned(&deal);
    p.as_object_mut().expect("plan").remove("flows");
    rejects(&deal, &p, K::FlowBelowMinimum, Some(1));
}

/// Four persons, one a day, two base days; an extension of up to 3 days,
/// each earned by one release of side-b and each agreed in turn, of which
/// one is agreed so far. Hand-derived: 3 days (2 + the agreed one), 3
/// released; not 4, because the other extra days are not agreed.
fn agreed_one_day() -> AgreedDeal {
    B::new("agreed days")
        .days(2)
        .extension("side-b", 1, 3)
        .agreed_days(1)
        .category("child", 1)
        .side("side-a", [None; 4], &[])
        .side("side-b", [None, Some(1), None, None], &many("child", 4))
        .agreed()
}

#[test]
fn only_agreed_extension_days_are_planned() {
    check(&agreed_one_day(), (Status::Optimal, 3, 3, 0.0));
}

#[test]
fn a_day_beyond_the_agreed_ones_is_rejected() {
    let deal = agreed_one_day();
    let mut p = planned(&deal);
    let stage = serde_json::json!({"day": 4, "handovers": [{"from": "side-b", "via": null, "persons": ["B-0004"]}]});
    p["stages"].as_array_mut().expect("stages").push(stage);
    rejects(&deal, &p, K::BeyondPause, Some(4));
}

/// The shipped November 2023 example. Hand-derived: side-b releases at most
/// 13 of its 80 women and children a day, so 52 in the 4 base days (no extra
/// day is agreed yet), paid with 3 × 52 = 156; its 24 foreign nationals go on
/// day 1 through the separate channel: 52 + 156 + 24 = 232 in 4 days. One
/// convoy each way a day, payer first: the exposure is the day's count, at
/// least ⌈52 / 4⌉ = 13. With the three extra days agreed later (27 and 29
/// Nov): all 80 need ⌈80 / 13⌉ = 7 days, so 80 + 240 + 24 = 344 (the 240
/// prisoners released in fact); the 50 guaranteed within the 4 base days
/// put some base day at ⌈50 / 4⌉ = 13 or more: exposure 13 (13, 13, 12, 12,
/// then 10 on each extra day, earning it). Without that guarantee 12 would
/// do (12 × 5 + 10 + 10).
#[test]
fn november_2023_pause() {
    let deal = example("november-2023-pause");
    check(&deal, (Status::Optimal, 232, 4, 13.0));
    let mut later = deal.into_inner();
    if let Some(e) = later.pause.extension.as_mut() {
        e.agreed_days = 3;
    }
    let later = AgreedDeal::new(later).expect("agreed");
    let p = check(&later, (Status::Optimal, 344, 7, 13.0));
    assert_eq!((p.released["side-a"], p.released["side-b"]), (240, 104));
    assert!(check_plan(&later, &truce_plan::to_json(&p)).is_valid());
    let mut unbound = later.into_inner();
    unbound
        .rosters
        .iter_mut()
        .for_each(|r| r.min_in_base_days = None);
    let unbound = AgreedDeal::new(unbound).expect("agreed");
    check(&unbound, (Status::Optimal, 344, 7, 12.0));
}

mod any_plan {
    use proptest::prelude::*;

    use super::*;

    fn handover() -> impl Strategy<Value = serde_json::Value> {
        (
            prop::sample::select(vec!["side-a", "side-b", "consuls"]),
            prop::option::of(prop::sample::select(vec!["relief", "consuls"])),
            prop::collection::vec(
                prop::sample::select(vec!["A-0001", "A-0002", "B-0001", "B-0003", "B-0005", "X"]),
                0..4,
            ),
        )
            .prop_map(|(from, via, persons)| {
                serde_json::json!({"from": from, "via": via, "persons": persons})
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// The checker never panics on a deal with channels and flows,
        /// whatever the plan holds.
        #[test]
        fn the_checker_reads_any_plan(
            stages in prop::collection::vec((0u32..5, prop::collection::vec(handover(), 0..4)), 0..4),
            flows in prop::collection::vec((0u32..300, prop::collection::vec(0u32..4, 0..3)), 0..2),
        ) {
            let mut deal = channelled().into_inner();
            deal.flows = with_aid().into_inner().flows;
            let deal = AgreedDeal::new(deal).expect("agreed");
            let stages: Vec<_> = stages
                .into_iter()
                .map(|(day, handovers)| serde_json::json!({"day": day, "handovers": handovers}))
                .collect();
            let flows: Vec<_> = flows
                .into_iter()
                .map(|(per_day, days)| serde_json::json!({"id": "aid-trucks", "per_day": per_day, "days": days}))
                .collect();
            let plan = serde_json::json!({"format_version": 1, "stages": stages, "flows": flows});
            let _ = check_plan(&deal, &plan.to_string());
        }
    }
}

/// One convoy a day, one base day and one extra day earned by a release of
/// side-b; side-a holds 2 minors, side-b 2 children. Without a minimum in
/// the base days: side-a's 2 on day 1, side-b's 2 on day 2 (earning it), 4
/// released. With side-b guaranteeing 1 within the base day, day 1 is
/// side-b's, and the extra day needs side-b again, so side-a never goes:
/// at most 2 released, and fewest days puts both children on day 1.
fn one_convoy(base_min: Option<u32>) -> AgreedDeal {
    let mut d = B::new("base days")
        .days(1)
        .extension("side-b", 1, 1)
        .category("child", 1)
        .category("minor", 1)
        .via("relief", None, Some(1))
        .side("side-a", [None; 4], &many("minor", 2))
        .side("side-b", [None; 4], &many("child", 2))
        .weighted();
    if let Some(n) = base_min {
        d = d.base_min("side-b", n);
    }
    d.agreed()
}

#[test]
fn a_minimum_within_the_base_days() {
    check(&one_convoy(None), (Status::Optimal, 4, 2, 0.0));
    let p = check(&one_convoy(Some(1)), (Status::Optimal, 2, 1, 0.0));
    assert_eq!(p.released["side-b"], 2);
}

#[test]
fn a_plan_short_of_the_base_days_minimum_is_rejected() {
    let without = planned(&one_convoy(None));
    rejects(&one_convoy(Some(1)), &without, K::BaseDaysMin, None);
}

#[test]
fn an_unmeetable_base_days_minimum_is_named() {
    let deal = B::new("base days, two guarantees")
        .days(1)
        .category("child", 1)
        .category("minor", 1)
        .via("relief", None, Some(1))
        .side("side-a", [None, None, Some(2), None], &many("minor", 2))
        .side("side-b", [None; 4], &many("child", 2))
        .base_min("side-b", 2)
        .weighted()
        .agreed();
    let terms = conflict_terms(&deal, &truce_plan::PlanOptions::default());
    assert!(
        terms.iter().any(|t| t == "roster.side-b.min_in_base_days"),
        "{terms:?}"
    );
}

/// One base day and one extra day earned by a release of side-b; side-b's
/// one child is free, its 2 foreign nationals go through a channel at most
/// 1 a day. The channel cannot open the extra day by itself (it earns
/// nothing), so beside the rest's plan (the child on day 1) it places one
/// person: a valid plan, `feasible` with `released` unproven against the
/// bound 3 (every person) — the optimum, 3 (the child on day 2 earns the
/// day for the second foreign national), obeys it.
#[test]
fn a_channel_never_uses_an_unearned_extension_day() {
    let deal = B::new("channel, extension")
        .days(1)
        .extension("side-b", 1, 1)
        .category("child", 1)
        .category("foreign-national", 1)
        .carrier("consuls")
        .side("side-a", [None; 4], &[])
        .side(
            "side-b",
            [None; 4],
            &[
                ("child", None),
                ("foreign-national", None),
                ("foreign-national", None),
            ],
        )
        .channel("side-b", &["foreign-national"], "consuls", Some(1))
        .agreed();
    let p = truce_plan::plan(&deal, &truce_plan::PlanOptions::default()).expect("an answer");
    let report = check_plan(&deal, &truce_plan::to_json(&p));
    assert!(report.is_valid(), "{:#?}", report.violations);
    assert_eq!(p.status, Status::Feasible);
    assert_eq!(
        (p.unproven, p.bound),
        (Some(truce_plan::Level::Released), Some(3.0))
    );
}

mod with_a_channel {
    use proptest::prelude::*;
    use truce_spec::{Category, Channel, Party, Person, PersonId, Role};

    use super::*;
    use crate::props::{deal_of, spec};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

        /// Random small deals plus side-b's foreign nationals through a
        /// channel: every plan passes the checker, is infeasible exactly when
        /// the deal without them is, and (without a daily limit) releases what
        /// the deal without them releases plus all of them, on the same days
        /// or day 1.
        #[test]
        fn a_channel_adds_its_persons_to_any_plan(
            s in spec(),
            n in 1usize..=3,
            cap in proptest::option::of(1u32..=2),
        ) {
            let rest = deal_of(&s);
            let mut deal = rest.clone().into_inner();
            deal.categories.push(Category { id: "foreign-national".into(), tier: 1, via: None });
            deal.parties.push(Party {
                id: "consuls".into(),
                role: Role::Intermediary,
                name: None,
                capacity_per_day: None,
                handovers_per_day: None,
            });
            for i in 1..=n {
                deal.persons.push(Person {
                    id: PersonId(format!("F-{i:04}")),
                    holder: "side-b".into(),
                    category: "foreign-national".into(),
                    group: None,
                });
            }
            deal.channels.push(Channel {
                holder: "side-b".into(),
                categories: vec!["foreign-national".into()],
                via: "consuls".into(),
                max_per_day: cap,
            });
            let deal = AgreedDeal::new(deal).expect("agreed");
            let opts = truce_plan::PlanOptions::default();
            let without = truce_plan::plan(&rest, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let p = truce_plan::plan(&deal, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(p.status == Status::Infeasible, without.status == Status::Infeasible);
            if p.status == Status::Infeasible {
                return Ok(());
            }
            let report = check_plan(&deal, &truce_plan::to_json(&p));
            prop_assert!(report.is_valid(), "{:#?}\n{}", report.violations, truce_plan::to_json(&p));
            if cap.is_none() && without.status == Status::Optimal {
                prop_assert_eq!(p.status, Status::Optimal);
                prop_assert_eq!(p.total_released(), without.total_released() + n as u32);
                prop_assert_eq!(p.days_used, without.days_used.max(1));
                prop_assert_eq!(p.max_exposure, without.max_exposure);
            }
        }
    }
}

/// side-b's 3 children pay 1:1 for side-a's 3 detainees, one day, one
/// convoy each way, and no side may be exposed at all (`max_exposure = 0`).
/// Handed over in turn, the first convoy always exposes its side, so the
/// best plan releases nobody (nothing is guaranteed). As a swap at one moment (a border bridge), nobody is exposed: all 6 on
/// day 1, exposure 0.
fn bridge(simultaneous: bool) -> AgreedDeal {
    let mut deal = B::new("bridge")
        .days(1)
        .category("child", 1)
        .category("detainee", 1)
        .via("relief", None, Some(2))
        .side("side-a", [None; 4], &many("detainee", 3))
        .side("side-b", [None; 4], &many("child", 3))
        .exchange(("side-b", &["child"]), ("side-a", &["detainee"]), 1)
        .max_exposure(0)
        .0;
    deal.exchanges[0].simultaneous = simultaneous;
    AgreedDeal::new(deal).expect("agreed")
}

#[test]
fn a_simultaneous_swap_carries_no_exposure() {
    check(&bridge(false), (Status::Optimal, 0, 0, 0.0));
    check(&bridge(true), (Status::Optimal, 6, 1, 0.0));
}

#[test]
fn a_swap_plan_checked_as_a_handover_in_turn_is_rejected() {
    // The swap's plan, against the same terms handed over in turn.
    let swap = planned(&bridge(true));
    rejects(&bridge(false), &swap, K::ExposureBound, Some(1));
}

mod swaps {
    use proptest::prelude::*;

    use super::*;
    use crate::props::{deal_of, spec};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

        /// Random small deals with their exchange made a swap: the optimum
        /// releases what the same deal releases with no exposure bound, in
        /// as many days, at exposure 0, and the checker accepts it.
        #[test]
        fn a_swap_is_the_deal_without_its_exposure(s in spec()) {
            let mut swap = deal_of(&s).into_inner();
            swap.exchanges.iter_mut().for_each(|e| e.simultaneous = true);
            let mut unbound = swap.clone();
            unbound.exchanges.iter_mut().for_each(|e| e.simultaneous = false);
            unbound.release.max_exposure = None;
            let swap = AgreedDeal::new(swap).expect("agreed");
            let unbound = AgreedDeal::new(unbound).expect("agreed");
            let opts = truce_plan::PlanOptions::default();
            let p = truce_plan::plan(&swap, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let u = truce_plan::plan(&unbound, &opts).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(p.status == Status::Infeasible, u.status == Status::Infeasible);
            if p.status == Status::Infeasible {
                return Ok(());
            }
            let report = check_plan(&swap, &truce_plan::to_json(&p));
            prop_assert!(report.is_valid(), "{:#?}\n{}", report.violations, truce_plan::to_json(&p));
            prop_assert_eq!(p.max_exposure, 0.0);
            if p.status == Status::Optimal && u.status == Status::Optimal {
                prop_assert_eq!((p.total_released(), p.days_used), (u.total_released(), u.days_used));
            }
        }
    }
}
