//! Typed reading errors: every one names the file, a 1-based line and column,
//! what is wrong and how to fix it.

/// A domain or profile file that cannot be read, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {kind}\n  hint: {hint}", hint = self.kind.hint())]
pub struct ReadError {
    /// The file name as handed to the reader.
    pub file: String,
    /// 1-based line (1 when the problem concerns the whole file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub kind: ReadErrorKind,
}

/// What is wrong with a domain or profile file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The file is not well-formed XML.
    #[error("malformed xml: {0}")]
    Xml(String),
    /// The file is not well-formed JSON, or JSON of the wrong shape.
    #[error("malformed json: {0}")]
    Json(String),
    /// No file of the directory is a domain (issue list).
    #[error("no domain file among the {files} files given")]
    NoDomain {
        /// How many files were looked at.
        files: usize,
    },
    /// Two files both describe the domain.
    #[error("two domain files: `{first}` and this one")]
    TwoDomains {
        /// The domain file found first.
        first: String,
    },
    /// The directory holds a domain but no profile.
    #[error("no utility profile found")]
    NoProfiles,
    /// The directory holds a single profile: a negotiation needs two.
    #[error("only one utility profile found (this file); a negotiation needs at least two")]
    OneProfile,
    /// An XML or JSON file that is neither a domain nor a profile.
    #[error("neither a domain nor a utility profile: {what}")]
    NotDomainOrProfile {
        /// What the file holds instead.
        what: String,
    },
    /// A required element or key is absent.
    #[error("missing {what}")]
    Missing {
        /// The element, attribute or key that is absent.
        what: String,
    },
    /// A number could not be parsed.
    #[error("`{text}` is not a number ({what})")]
    BadNumber {
        /// The text found.
        text: String,
        /// Which attribute or key it was.
        what: String,
    },
    /// A profile names an issue its domain does not have.
    #[error("unknown issue `{issue}`")]
    UnknownIssue {
        /// The issue name as written in the profile.
        issue: String,
    },
    /// A profile gives a utility for a value its domain does not have.
    #[error("unknown value `{value}` for issue `{issue}`")]
    UnknownValue {
        /// The issue.
        issue: String,
        /// The value as written in the profile.
        value: String,
    },
    /// A profile gives no utility for a value of the domain.
    #[error("issue `{issue}` has no utility for value `{value}`")]
    MissingValue {
        /// The issue.
        issue: String,
        /// The domain value left without a utility.
        value: String,
    },
    /// A profile leaves out an issue of the domain.
    #[error("the profile does not cover issue `{issue}`")]
    MissingIssue {
        /// The issue of the domain.
        issue: String,
    },
    /// Issue weights whose sum is too far from one to be rounding.
    #[error("issue weights add up to {sum}, not 1")]
    WeightSum {
        /// The sum found.
        sum: f64,
    },
    /// A weight or utility that is negative or not finite.
    #[error("{what} is {value}, which is not a finite number >= 0")]
    BadWeight {
        /// Which weight or utility.
        what: String,
        /// The value found.
        value: f64,
    },
    /// A profile written for another domain.
    #[error("the profile is for domain `{profile}`, but the domain file is `{domain}`")]
    OtherDomain {
        /// Domain name inside the profile.
        profile: String,
        /// Domain name of the domain file.
        domain: String,
    },
    /// An issue with no values, or bounds the wrong way round.
    #[error("issue `{issue}` has no values")]
    EmptyIssue {
        /// The issue.
        issue: String,
    },
    /// An issue with more values than analytics can index.
    #[error("issue `{issue}` has more than {limit} values")]
    TooManyValues {
        /// The issue.
        issue: String,
        /// The largest number of values allowed.
        limit: u64,
    },
    /// An issue or value named twice.
    #[error("{what} `{name}` is listed twice")]
    Duplicate {
        /// "issue" or "value of issue `x`".
        what: String,
        /// The repeated name.
        name: String,
    },
    /// A domain with more issues than the analytics index.
    #[error("the domain has more than {limit} issues")]
    TooManyIssues {
        /// The largest number of issues allowed.
        limit: usize,
    },
    /// GENIUS XML and GeniusWeb JSON files in one directory.
    #[error("this file's format differs from the domain file's (GENIUS XML vs GeniusWeb JSON)")]
    MixedFormats,
    /// A construct the reader knows but does not evaluate.
    #[error("unsupported {0}")]
    Unsupported(String),
}

impl ReadErrorKind {
    /// How to fix it, in one sentence.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Xml(_) => {
                "fix the XML syntax at this position (GENIUS originals often contain a raw `&` \
                 or an XML declaration after a comment)"
            }
            Self::Json(_) => "fix the JSON at this position",
            Self::NoDomain { .. } => {
                "add the domain file: GENIUS `<negotiation_template>` XML or GeniusWeb JSON \
                 with `issuesValues`"
            }
            Self::TwoDomains { .. } => "keep one domain file per directory",
            Self::NoProfiles => {
                "add one profile per party: GENIUS `<utility_space>` XML or GeniusWeb JSON \
                 with `LinearAdditiveUtilitySpace`"
            }
            Self::OneProfile => "add the other party's profile to the directory",
            Self::NotDomainOrProfile { .. } => {
                "fix the file (a GENIUS profile's root element is <utility_space>, a GeniusWeb \
                 profile's key is LinearAdditiveUtilitySpace), or move it out of the directory"
            }
            Self::Missing { .. } => "add it; see the GENIUS or GeniusWeb format",
            Self::BadNumber { .. } => "write a decimal number such as 0.25",
            Self::UnknownIssue { .. } => {
                "use an issue name of the domain file, or check that the profile belongs \
                 to this domain"
            }
            Self::UnknownValue { .. } => {
                "use a value listed for this issue in the domain file (names are case-sensitive)"
            }
            Self::MissingValue { .. } => "give every value of the issue a utility",
            Self::MissingIssue { .. } => "give the issue a weight and value utilities",
            Self::WeightSum { .. } => "make the issue weights add up to 1",
            Self::BadWeight { .. } => "use a number >= 0",
            Self::OtherDomain { .. } => "put the profile beside the domain it was written for",
            Self::EmptyIssue { .. } => "list at least one value (lowerbound <= upperbound)",
            Self::TooManyValues { .. } => {
                "narrow the bounds, or turn the issue into a few discrete values"
            }
            Self::Duplicate { .. } => "remove or rename one of the two",
            Self::TooManyIssues { .. } => "split the domain; no negotiation has this many issues",
            Self::MixedFormats => "keep the domain and all its profiles in one format",
            Self::Unsupported(_) => {
                "truce reads linear-additive profiles (discrete, integer, real, number \
                 utilities) and GENIUS PlainUfun hyper-rectangles with INCLUDES bounds; \
                 convert the profile to one of these"
            }
        }
    }
}

impl ReadError {
    /// An error at a 1-based position.
    pub fn at(file: &str, (line, column): (usize, usize), kind: ReadErrorKind) -> Self {
        Self {
            file: file.to_owned(),
            line,
            column,
            kind,
        }
    }
}
