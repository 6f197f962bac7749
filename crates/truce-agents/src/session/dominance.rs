//! Dominance between two outcomes' utilities, as every assessment of an
//! agreement judges it: a leaf module, so `session` and its `additive`
//! child both use it without a cycle.

/// Whether utilities `u` dominate `than` within
/// [`truce_negotiate::DOMINANCE_TOLERANCE`]: at least as good for every
/// party less the tolerance, better for one by more than it.
pub(super) fn dominates(u: &[f64], than: &[f64]) -> bool {
    let tol = truce_negotiate::DOMINANCE_TOLERANCE;
    let mut better = false;
    for (&v, &t) in u.iter().zip(than) {
        if v < t - tol {
            return false;
        }
        better |= v > t + tol;
    }
    better
}
