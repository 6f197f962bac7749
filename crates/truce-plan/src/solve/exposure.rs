//! A peak exposure as an exact fraction: a leaf module that the day's
//! takes (`day`) and their order (`intraday`) both compare with.

use std::cmp::Ordering;

/// An exposure as an exact fraction (persons of the payer).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Exposure {
    pub num: u64,
    pub den: u64,
}

impl Exposure {
    pub const ZERO: Exposure = Exposure { num: 0, den: 1 };

    pub fn whole(n: u64) -> Self {
        Exposure { num: n, den: 1 }
    }

    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl PartialEq for Exposure {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Exposure {}

impl PartialOrd for Exposure {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Exposure {
    fn cmp(&self, other: &Self) -> Ordering {
        (u128::from(self.num) * u128::from(other.den))
            .cmp(&(u128::from(other.num) * u128::from(self.den)))
    }
}
