//! Seed derivation: every session's seed is a pure function of the
//! tournament seed and the session's coordinates, never of thread order.

/// SplitMix64 finaliser of `a` combined with `b`: well-mixed, stable across
/// platforms and versions.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x6A09_E667_F3BC_C909);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
