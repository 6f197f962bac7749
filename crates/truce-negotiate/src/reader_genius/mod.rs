//! GENIUS XML: the domain template (`<negotiation_template>`) and the
//! utility-space profiles (`<utility_space>`), with discrete, integer and real
//! evaluators, weights, reservation values, discount factors and non-linear
//! hyper-rectangle spaces.

mod profile;
mod rects;
mod template;
mod xml;

pub(crate) use profile::read_profile;
pub(crate) use template::read_domain;
pub(crate) use xml::{
    IssueMeta, MAX_ISSUE_VALUES, MAX_ISSUES, WEIGHT_SUM_TOLERANCE, first_duplicate, parse_xml, stem,
};
