//! Deals loaded from memory, with an in-memory stand-in for the CLI's roster
//! reader (`truce-cli`'s `DiskRosters`): a roster is found by its path in
//! the deal, and one larger than the loader's cap is refused as the CLI
//! refuses it.

use truce_spec::{AgreedDeal, Deal, LoadOptions, Loaded, ReadError, RosterReader};

/// Rosters held in memory as (path in the deal, bytes).
#[derive(Debug, Clone, Copy)]
pub struct MemoryRosters<'a>(pub &'a [(&'a str, &'a [u8])]);

impl RosterReader for MemoryRosters<'_> {
    fn read(&mut self, path: &str, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
        match self.0.iter().find(|(p, _)| *p == path) {
            Some((_, bytes)) if bytes.len() as u64 > max_bytes => {
                Err(ReadError::TooLarge { limit: max_bytes })
            }
            Some((_, bytes)) => Ok(bytes.to_vec()),
            None => Err(ReadError::NotFound),
        }
    }
}

/// Loads a deal file's bytes, its rosters from `rosters`.
pub fn load(deal: &[u8], rosters: &[(&str, &[u8])], opts: &LoadOptions) -> Loaded {
    truce_spec::load("deal.toml", deal, &mut MemoryRosters(rosters), opts)
}

/// Loads in-memory files as (path, text): `deal.toml` and its rosters, with
/// the default options.
pub fn load_files(files: &[(String, String)]) -> Loaded {
    let rosters: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_bytes()))
        .collect();
    let deal = rosters
        .iter()
        .find(|(p, _)| *p == "deal.toml")
        .map_or(&[][..], |(_, t)| *t);
    load(deal, &rosters, &LoadOptions::default())
}

/// The valid deal of in-memory files; panics with its diagnostics if it is
/// not valid.
pub fn deal_of(files: &[(String, String)]) -> Deal {
    let loaded = load_files(files);
    match loaded.deal {
        Some(deal) => deal,
        None => panic!(
            "the deal is not valid:\n{}",
            truce_spec::render_text(&loaded.diagnostics, &loaded.sources)
        ),
    }
}

/// The deal of in-memory files, planned as drafted: open issues keep the
/// values written in the deal.
pub fn drafted(files: &[(String, String)]) -> AgreedDeal {
    AgreedDeal::as_drafted(deal_of(files))
}

/// A shipped example's files (`examples/NAME`): `deal.toml` and the rosters
/// it names under `rosters/`.
pub fn example_files(name: &str) -> Vec<(String, String)> {
    let dir = crate::repository().join("examples").join(name);
    let read = |p: &str| std::fs::read_to_string(dir.join(p)).expect("example file");
    let mut files = vec![("deal.toml".to_owned(), read("deal.toml"))];
    let mut rosters: Vec<String> = std::fs::read_dir(dir.join("rosters"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| format!("rosters/{}", e.file_name().to_string_lossy()))
        .collect();
    rosters.sort();
    files.extend(rosters.into_iter().map(|p| {
        let text = read(&p);
        (p, text)
    }));
    files
}
