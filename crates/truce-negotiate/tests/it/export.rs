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
