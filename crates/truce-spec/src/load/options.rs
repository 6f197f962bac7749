//! What a load may read and how much: the limits, and where rosters come from.

/// Limits that keep a hostile or mistaken input from exhausting memory.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Largest deal file read, in bytes.
    pub max_deal_bytes: usize,
    /// Largest roster file read, in bytes.
    pub max_roster_bytes: u64,
    /// Most persons over all rosters.
    pub max_persons: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_deal_bytes: 1 << 20,
            max_roster_bytes: 256 << 20,
            max_persons: 5_000_000,
        }
    }
}

/// Why a roster file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// No file at that path.
    #[error("the file does not exist")]
    NotFound,
    /// The file is larger than the caller's limit.
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// Any other failure to read, described in words.
    #[error("{0}")]
    Other(String),
}

/// Reads a roster file named in the deal (a path relative to the deal file,
/// already checked to stay beside it). The CLI reads the disk; tests read
/// memory; this crate never touches the file system itself.
pub trait RosterReader {
    /// The bytes of the roster file at `path`, or [`ReadError::TooLarge`]
    /// when it holds more than `max_bytes`.
    fn read(&mut self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ReadError>;

    /// How diagnostics name the file (e.g. its path from where the user is).
    fn display_name(&self, path: &str) -> String {
        path.to_owned()
    }
}

impl<F: FnMut(&str, u64) -> Result<Vec<u8>, ReadError>> RosterReader for F {
    fn read(&mut self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
        self(path, max_bytes)
    }
}
