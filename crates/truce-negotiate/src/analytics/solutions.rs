//! Solution concepts over the rational part of the frontier. Each is a
//! maximum over frontier points; ties go to the first point in frontier order
//! (lexicographically descending utilities), so results are deterministic.

use super::analysis::Disagreement;

/// Indices into the frontier of each solution.
pub(crate) struct Solutions {
    pub(crate) disagreement: Vec<f64>,
    pub(crate) nash: Option<usize>,
    pub(crate) kalai: Option<usize>,
    pub(crate) kalai_maxmin: Option<usize>,
    pub(crate) max_welfare: Option<usize>,
    pub(crate) opposition: Option<f64>,
}

/// Every party gets at least its reservation value.
pub(crate) fn rational(u: &[f64], reservation: &[f64]) -> bool {
    u.iter().zip(reservation).all(|(x, r)| x >= r)
}

fn argmax<'a>(
    points: impl Iterator<Item = (usize, &'a Vec<f64>)>,
    score: impl Fn(&[f64]) -> f64,
) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (k, u) in points {
        let s = score(u);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((k, s));
        }
    }
    best.map(|b| b.0)
}

pub(crate) fn solve<W>(
    points: &[(Vec<f64>, u128, W)],
    reservation: &[f64],
    minima: &[f64],
    maxima: &[f64],
    disagreement: Disagreement,
) -> Solutions {
    let d: Vec<f64> = match disagreement {
        Disagreement::Reservation => reservation.to_vec(),
        Disagreement::ReservationOrWorst => reservation
            .iter()
            .zip(minima)
            .map(|(r, m)| if m.is_finite() { r.max(*m) } else { *r })
            .collect(),
    };
    let rational_points = || {
        points
            .iter()
            .enumerate()
            .filter(|(_, p)| rational(&p.0, reservation))
            .map(|(k, p)| (k, &p.0))
    };
    let nash = argmax(rational_points(), |u| {
        u.iter().zip(&d).map(|(x, y)| x - y).product()
    });
    let kalai = argmax(rational_points(), |u| {
        let hi = u.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = u.iter().copied().fold(f64::INFINITY, f64::min);
        -(hi - lo)
    });
    let kalai_maxmin = argmax(rational_points(), |u| {
        u.iter()
            .zip(&d)
            .map(|(x, y)| x - y)
            .fold(f64::INFINITY, f64::min)
    });
    let max_welfare = argmax(rational_points(), |u| u.iter().sum());
    let opposition = rational_points()
        .map(|(_, u)| {
            u.iter()
                .zip(maxima)
                .map(|(x, m)| {
                    let r = if *m != 0.0 { x / m } else { *x };
                    (1.0 - r) * (1.0 - r)
                })
                .sum::<f64>()
                .sqrt()
        })
        .fold(None, |best: Option<f64>, x| {
            Some(best.map_or(x, |b| b.min(x)))
        });
    Solutions {
        disagreement: d,
        nash,
        kalai,
        kalai_maxmin,
        max_welfare,
        opposition,
    }
}
