//! Export round trips: every shared domain with additive profiles, written as
//! GENIUS XML and as GeniusWeb JSON and read back, gives the same utilities.

use truce_negotiate::{
    Domain, DomainFiles, ReadOptions, Reading, Utility, read_domain, to_genius_xml,
    to_geniusweb_json,
};

use crate::common::{domain_names, load};

/// Up to 2,000 outcomes spread over the space (a mixed-radix walk).
fn sample(domain: &Domain) -> Vec<Vec<usize>> {
    let sizes: Vec<usize> = domain.issues.iter().map(|i| i.values.len()).collect();
    let mut out = Vec::new();
    let mut x: u64 = 12345;
    for _ in 0..2000 {
        let mut o = Vec::with_capacity(sizes.len());
        for &s in &sizes {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            o.push(((x >> 33) as usize) % s);
        }
        out.push(o);
    }
    out
}

fn same_utilities(name: &str, a: &Domain, b: &Domain, genius_xml: bool) {
    assert_eq!(a.issues, b.issues, "{name}");
    assert_eq!(a.parties.len(), b.parties.len(), "{name}");
    for o in sample(a) {
        for (x, y) in a.utilities(&o).iter().zip(b.utilities(&o)) {
            // GeniusWeb has no clip at 1 (see the export's docs).
            let y = if genius_xml { y } else { y.min(1.0) };
            assert!((x - y).abs() < 1e-12, "{name}: {x} vs {y} at {o:?}");
        }
    }
    if genius_xml {
        for (p, q) in a.parties.iter().zip(&b.parties) {
            assert_eq!(p.reservation, q.reservation, "{name}");
        }
    }
}

#[test]
fn additive_domains_round_trip_through_both_formats() {
    let mut exported = 0;
    let mut xml_exported = 0;
    for name in domain_names() {
        let domain = load(&name, Reading::Genius);
        if domain
            .parties
            .iter()
            .any(|p| matches!(p.utility, Utility::HyperRectangles(_)))
        {
            let e = to_genius_xml(&domain).unwrap_err().to_string();
            assert!(e.contains("only additive profiles"), "{e}");
            continue;
        }
        match to_genius_xml(&domain) {
            Ok(xml) => {
                assert_eq!(xml.len(), domain.parties.len() + 1);
                let back = read_domain(&DomainFiles { files: xml }, &ReadOptions::default())
                    .unwrap_or_else(|e| panic!("{name} (GENIUS XML): {e}"));
                same_utilities(&name, &domain, &back, true);
                xml_exported += 1;
            }
            // Only a GeniusWeb profile whose best values are worth less
            // than 1 has no GENIUS form.
            Err(e) => {
                assert!(
                    e.to_string().contains("no GENIUS")
                        || e.to_string().contains("GeniusWeb JSON instead"),
                    "{name}: {e}"
                );
                assert_eq!(
                    domain.format,
                    truce_negotiate::Format::GeniusWebJson,
                    "{name}"
                );
            }
        }
        let json = to_geniusweb_json(&domain).unwrap();
        let back = read_domain(&DomainFiles { files: json }, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{name} (GeniusWeb JSON): {e}"));
        same_utilities(&name, &domain, &back, false);
        exported += 1;
    }
    assert!(exported >= 15, "{exported}");
    assert!(xml_exported >= 12, "{xml_exported}");
}

/// Every outcome of a domain (small domains only).
fn all_outcomes(domain: &Domain) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for issue in &domain.issues {
        out = out
            .into_iter()
            .flat_map(|o| {
                (0..issue.values.len()).map(move |v| {
                    let mut o = o.clone();
                    o.push(v);
                    o
                })
            })
            .collect();
    }
    out
}

/// The GeniusWeb export states a reservation bid: read back, it is worth at
/// least the reservation value, and (by enumeration) no outcome lies between
/// the reservation value and the bid's worth.
#[test]
fn geniusweb_export_writes_the_closest_reservation_bid_at_or_above() {
    let mut checked = 0;
    for name in domain_names() {
        let mut domain = load(&name, Reading::Genius);
        if domain.outcome_count() > 20_000
            || domain
                .parties
                .iter()
                .any(|p| matches!(p.utility, Utility::HyperRectangles(_)))
        {
            continue;
        }
        // The domain's own reservation values where it has some, else
        // values that make the search do some work.
        if domain.parties.iter().all(|p| p.reservation <= 0.0) {
            for (k, p) in domain.parties.iter_mut().enumerate() {
                p.reservation = 0.37 + 0.21 * k as f64;
            }
        }
        let json = to_geniusweb_json(&domain).unwrap();
        assert!(
            json.iter()
                .skip(1)
                .all(|(_, t)| t.contains("reservationBid")),
            "{name}"
        );
        let back = read_domain(&DomainFiles { files: json }, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{name} (GeniusWeb JSON): {e}"));
        let outcomes = all_outcomes(&back);
        for (p, q) in domain.parties.iter().zip(&back.parties) {
            let best = outcomes
                .iter()
                .map(|o| q.utility.eval(o))
                .fold(f64::NEG_INFINITY, f64::max);
            if best < p.reservation {
                assert_eq!(q.reservation, best, "{name}: unreachable → the best bid");
                continue;
            }
            assert!(
                q.reservation >= p.reservation,
                "{name}/{}: bid worth {} below the reservation value {}",
                p.name,
                q.reservation,
                p.reservation
            );
            let closer = outcomes
                .iter()
                .map(|o| q.utility.eval(o))
                .filter(|&u| u >= p.reservation && u < q.reservation)
                .count();
            assert_eq!(closer, 0, "{name}/{}: a closer bid exists", p.name);
        }
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
}

/// A reservation value of 0 writes no reservation bid (GeniusWeb's reading
/// of a profile without one is 0).
#[test]
fn geniusweb_export_writes_no_bid_for_a_zero_reservation() {
    let mut domain = load("Laptop", Reading::Genius);
    for p in &mut domain.parties {
        p.reservation = 0.0;
    }
    let json = to_geniusweb_json(&domain).unwrap();
    assert!(json.iter().all(|(_, t)| !t.contains("reservationBid")));
}
