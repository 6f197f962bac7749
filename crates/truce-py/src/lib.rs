//! `truce._truce`: the native half of the Python package `truce`.
//!
//! Every function returns plain Python objects (dicts, lists, floats,
//! strings) built from the same JSON the `truce` command prints, so a
//! notebook sees exactly the CLI's contract; tables (`rows`, `moves`,
//! `pareto`) are lists of flat dicts that `pandas.DataFrame` takes as they
//! are. Errors are Python exceptions: `ValueError` for bad input (naming the
//! file), `OSError` for files that cannot be read.

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};
use serde::Serialize;
use serde_json::Value;

use truce_agents::{
    Agent, AgentKind, MediatorKind, OutcomeId, Prepared, PrivateView, Protocol, PublicOffer,
    SessionOptions, TournamentOptions, Turn,
};
use truce_negotiate::{
    AnalyzeOptions, Domain, DomainFiles, ReadOptions, Reading, Trace, TraceStep,
};

/// Largest file read from a domain folder (the CLI's cap for domain files).
const MAX_FILE: u64 = 64 * 1024 * 1024;

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// JSON value to Python object.
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let items = a
                .iter()
                .map(|x| to_py(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

fn ser<'py>(py: Python<'py>, v: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(v).map_err(value_error)?;
    to_py(py, &json)
}

fn reading_of(reading: &str) -> PyResult<ReadOptions> {
    let reading = match reading.to_ascii_lowercase().as_str() {
        "genius" => Reading::Genius,
        "raw" => Reading::Raw,
        other => {
            return Err(value_error(format!(
                "unknown reading `{other}` (valid readings: genius, raw)"
            )));
        }
    };
    Ok(ReadOptions {
        reading,
        ..ReadOptions::default()
    })
}

fn read_folder(dir: &Path) -> PyResult<DomainFiles> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| PyOSError::new_err(format!("{}: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| PyOSError::new_err(format!("{}: {e}", dir.display())))?;
        let path = entry.path();
        let meta = entry
            .metadata()
            .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?;
        if !meta.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".json")) {
            continue;
        }
        if meta.len() > MAX_FILE {
            return Err(value_error(format!(
                "{}: {} bytes, more than the {MAX_FILE} a domain file may have",
                path.display(),
                meta.len()
            )));
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| PyOSError::new_err(format!("{}: {e}", path.display())))?;
        files.push((name, text));
    }
    files.sort();
    Ok(DomainFiles { files })
}

/// A negotiation domain: issues, their values and each party's profile.
#[pyclass(module = "truce", frozen)]
struct DomainHandle {
    domain: Arc<Domain>,
    prepared: Mutex<Option<Arc<Prepared>>>,
}

impl DomainHandle {
    fn new(domain: Domain) -> Self {
        Self {
            domain: Arc::new(domain),
            prepared: Mutex::new(None),
        }
    }

    /// The enumerated outcome space, made once per domain.
    fn prepared(&self) -> PyResult<Arc<Prepared>> {
        let mut slot = self
            .prepared
            .lock()
            .map_err(|_| value_error("a previous call on this domain panicked"))?;
        if let Some(p) = slot.as_ref() {
            return Ok(Arc::clone(p));
        }
        let p = Arc::new(Prepared::new(&self.domain).map_err(value_error)?);
        *slot = Some(Arc::clone(&p));
        Ok(p)
    }

    fn indices(&self, offer: &[String]) -> PyResult<Vec<usize>> {
        let refs: Vec<&str> = offer.iter().map(String::as_str).collect();
        self.domain.outcome_indices(&refs).ok_or_else(|| {
            value_error(format!(
                "{offer:?} is not an outcome of `{}` (one value per issue, in issue order: {})",
                self.domain.name,
                self.domain
                    .issues
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }
}

#[pymethods]
impl DomainHandle {
    /// The domain's name.
    #[getter]
    fn name(&self) -> String {
        self.domain.name.clone()
    }

    /// `[{"name": ..., "values": [...]}, ...]` in issue order.
    #[getter]
    fn issues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser(py, &self.domain.issues)
    }

    /// Party names, in profile-file order.
    #[getter]
    fn parties(&self) -> Vec<String> {
        self.domain.parties.iter().map(|p| p.name.clone()).collect()
    }

    /// Each party's reservation value.
    #[getter]
    fn reservations(&self) -> Vec<f64> {
        self.domain.parties.iter().map(|p| p.reservation).collect()
    }

    /// Number of outcomes (saturating at 2^128 - 1).
    #[getter]
    fn outcomes(&self) -> u128 {
        self.domain.outcome_count()
    }

    /// Notes the reader made (weights that do not add up to 1, ...).
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.domain.notes.clone()
    }

    /// Every party's utility of an outcome given as values in issue order.
    fn utilities(&self, offer: Vec<String>) -> PyResult<Vec<f64>> {
        Ok(self.domain.utilities(&self.indices(&offer)?))
    }

    fn __repr__(&self) -> String {
        format!(
            "<truce.Domain {:?}: {} issues, {} parties, {} outcomes>",
            self.domain.name,
            self.domain.issues.len(),
            self.domain.parties.len(),
            self.domain.outcome_count()
        )
    }
}

/// Loads a domain from a folder of GENIUS XML or GeniusWeb JSON files.
#[pyfunction]
#[pyo3(signature = (path, reading = "genius"))]
fn load_domain(py: Python<'_>, path: std::path::PathBuf, reading: &str) -> PyResult<DomainHandle> {
    let opts = reading_of(reading)?;
    let files = read_folder(&path)?;
    py.detach(|| truce_negotiate::read_domain(&files, &opts))
        .map(DomainHandle::new)
        .map_err(|e| value_error(format!("{}: {e}", path.display())))
}

/// Loads a domain from `{file name: text}`.
#[pyfunction]
#[pyo3(signature = (files, reading = "genius"))]
fn load_domain_files(files: Vec<(String, String)>, reading: &str) -> PyResult<DomainHandle> {
    let opts = reading_of(reading)?;
    truce_negotiate::read_domain(&DomainFiles { files }, &opts)
        .map(DomainHandle::new)
        .map_err(value_error)
}

/// Pareto frontier, Nash and Kalai points, welfare, opposition.
#[pyfunction]
#[pyo3(signature = (domain, tolerance = None, list_ties = false))]
fn analyze<'py>(
    py: Python<'py>,
    domain: &DomainHandle,
    tolerance: Option<f64>,
    list_ties: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let mut opts = AnalyzeOptions {
        list_ties,
        ..AnalyzeOptions::default()
    };
    if let Some(t) = tolerance {
        if !(t >= 0.0 && t.is_finite()) {
            return Err(value_error(format!(
                "tolerance must be a finite number >= 0, not {t}"
            )));
        }
        opts.tolerance = t;
    }
    let d = Arc::clone(&domain.domain);
    let analysis = py.detach(|| truce_negotiate::analyze(&d, &opts));
    ser(py, &analysis)
}

fn session_options(
    agents: &[String],
    protocol: &str,
    rounds: u32,
    seed: u64,
    mediator: &str,
) -> PyResult<SessionOptions> {
    Ok(SessionOptions {
        agents: agents
            .iter()
            .map(|a| AgentKind::from_str(a))
            .collect::<Result<_, _>>()
            .map_err(value_error)?,
        protocol: Protocol::from_str(protocol).map_err(value_error)?,
        rounds,
        time_limit: None,
        seed,
        mediator: MediatorKind::from_str(mediator).map_err(value_error)?,
    })
}

/// One session between built-in agents (or single text with a mediator).
#[pyfunction]
#[pyo3(signature = (domain, agents = vec!["aspiration".to_owned(), "boulware".to_owned()], protocol = "sao", rounds = 100, seed = 0, mediator = "feedback"))]
fn negotiate<'py>(
    py: Python<'py>,
    domain: &DomainHandle,
    agents: Vec<String>,
    protocol: &str,
    rounds: u32,
    seed: u64,
    mediator: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let opts = session_options(&agents, protocol, rounds, seed, mediator)?;
    let prepared = domain.prepared()?;
    let d = Arc::clone(&domain.domain);
    let session = py
        .detach(|| truce_agents::run_prepared(&d, &prepared, &opts, None))
        .map_err(value_error)?;
    ser(py, &session)
}

/// A party played from Python: an object with `propose(state)` returning
/// values (or `None` to leave) and `respond(state, offer)` returning a bool.
#[derive(Debug)]
struct PyPlayer {
    player: Py<PyAny>,
    domain: Arc<Domain>,
    prepared: Arc<Prepared>,
    party: usize,
    error: Arc<Mutex<Option<PyErr>>>,
}

impl PyPlayer {
    fn state<'py>(&self, py: Python<'py>, turn: &Turn) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("round", turn.round)?;
        d.set_item("relative_time", turn.relative_time)?;
        d.set_item("party", self.party)?;
        d.set_item("offers", turn.offers.len())?;
        if let Some(last) = turn.offers.last() {
            d.set_item("last_offer", self.values(last.outcome))?;
            d.set_item("last_proposer", last.proposer)?;
        }
        Ok(d)
    }

    fn values(&self, id: OutcomeId) -> Vec<String> {
        self.domain
            .outcome_values(&self.prepared.space().decode(id))
    }

    fn keep(&self, e: PyErr) {
        if let Ok(mut slot) = self.error.lock()
            && slot.is_none()
        {
            *slot = Some(e);
        }
    }
}

impl Agent for PyPlayer {
    fn accepts(&mut self, turn: &Turn, offer: OutcomeId) -> bool {
        Python::attach(|py| {
            let r = self.state(py, turn).and_then(|state| {
                self.player
                    .call_method1(py, "respond", (state, self.values(offer)))?
                    .is_truthy(py)
            });
            r.unwrap_or_else(|e| {
                self.keep(e);
                false
            })
        })
    }

    fn propose(&mut self, turn: &Turn) -> Option<OutcomeId> {
        Python::attach(|py| {
            let r = self.state(py, turn).and_then(|state| {
                let out = self.player.call_method1(py, "propose", (state,))?;
                if out.is_none(py) {
                    return Ok(None);
                }
                let values: Vec<String> = out.extract(py)?;
                let refs: Vec<&str> = values.iter().map(String::as_str).collect();
                let idx = self.domain.outcome_indices(&refs).ok_or_else(|| {
                    value_error(format!(
                        "player {} proposed {values:?}, not an outcome",
                        self.party
                    ))
                })?;
                self.prepared.space().encode(&idx).map(Some).ok_or_else(|| {
                    value_error(format!(
                        "player {} proposed {values:?}, outside the session's sampled outcomes",
                        self.party
                    ))
                })
            });
            r.unwrap_or_else(|e| {
                self.keep(e);
                None
            })
        })
    }
}

/// One SAO session where each party is a built-in agent's name or a Python
/// object with `propose(state)` and `respond(state, offer)`.
#[pyfunction]
#[pyo3(signature = (domain, players, rounds = 100, seed = 0))]
fn negotiate_with<'py>(
    py: Python<'py>,
    domain: &DomainHandle,
    players: Vec<Bound<'py, PyAny>>,
    rounds: u32,
    seed: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let prepared = domain.prepared()?;
    if players.len() != prepared.parties() {
        return Err(value_error(format!(
            "{} players for {} parties",
            players.len(),
            prepared.parties()
        )));
    }
    if rounds == 0 || rounds > truce_agents::MAX_ROUNDS {
        return Err(value_error(format!(
            "rounds must be between 1 and {}",
            truce_agents::MAX_ROUNDS
        )));
    }
    enum Seat {
        Builtin(AgentKind),
        Python(Py<PyAny>),
    }
    let mut seats = Vec::with_capacity(players.len());
    for p in &players {
        if let Ok(name) = p.extract::<String>() {
            seats.push(Seat::Builtin(
                AgentKind::from_str(&name).map_err(value_error)?,
            ));
        } else {
            seats.push(Seat::Python(p.clone().unbind()));
        }
    }
    let error = Arc::new(Mutex::new(None));
    let d = Arc::clone(&domain.domain);
    let mut seats = seats.into_iter();
    let mut make = |view: PrivateView| -> Box<dyn Agent> {
        let party = view.party();
        match seats.next() {
            Some(Seat::Builtin(kind)) => kind.build(view, mix(seed, party as u64)),
            Some(Seat::Python(player)) => Box::new(PyPlayer {
                player,
                domain: Arc::clone(&d),
                prepared: Arc::clone(&prepared),
                party,
                error: Arc::clone(&error),
            }),
            None => AgentKind::Hardliner.build(view, 0),
        }
    };
    let outcome = truce_agents::sao::run_with(&prepared, &mut make, rounds);
    if let Some(e) = error.lock().ok().and_then(|mut e| e.take()) {
        return Err(e);
    }
    let values = |id: OutcomeId| d.outcome_values(&prepared.space().decode(id));
    let names: Vec<String> = d.parties.iter().map(|p| p.name.clone()).collect();
    let trace: Vec<Value> = outcome
        .offers
        .iter()
        .map(|o: &PublicOffer| {
            serde_json::json!({
                "round": o.round,
                "proposer": names.get(o.proposer).cloned().unwrap_or_default(),
                "offer": values(o.outcome),
                "utilities": prepared.utilities(o.outcome),
            })
        })
        .collect();
    let result = serde_json::json!({
        "domain": d.name,
        "protocol": "sao",
        "issues": d.issues.iter().map(|i| i.name.clone()).collect::<Vec<_>>(),
        "parties": names,
        "seed": seed,
        "agreement": outcome.agreement.map(values),
        "utilities": match outcome.agreement {
            Some(id) => prepared.utilities(id),
            None => d.parties.iter().map(|p| p.reservation).collect(),
        },
        "rounds": outcome.rounds,
        "end": outcome.end,
        "trace": trace,
    });
    to_py(py, &result)
}

/// SplitMix64 of two seeds (the same mixing the sessions use).
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x6A09_E667_F3BC_C909);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One built-in agent, stepped from Python (for NegMAS's mechanisms): it
/// holds only its own party's preferences.
#[pyclass(module = "truce", frozen)]
struct AgentHandle {
    state: Mutex<AgentState>,
    domain: Arc<Domain>,
    prepared: Arc<Prepared>,
}

/// The agent and the offers it has seen.
struct AgentState {
    agent: Box<dyn Agent>,
    offers: Vec<PublicOffer>,
}

impl AgentHandle {
    fn id_of(&self, offer: &[String]) -> PyResult<OutcomeId> {
        let refs: Vec<&str> = offer.iter().map(String::as_str).collect();
        self.domain
            .outcome_indices(&refs)
            .and_then(|idx| self.prepared.space().encode(&idx))
            .ok_or_else(|| value_error(format!("{offer:?} is not an outcome of the session")))
    }

    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, AgentState>> {
        self.state
            .lock()
            .map_err(|_| value_error("a previous call on this agent panicked"))
    }
}

#[pymethods]
impl AgentHandle {
    #[new]
    #[pyo3(signature = (domain, party, kind, seed = 0))]
    fn new(domain: &DomainHandle, party: usize, kind: &str, seed: u64) -> PyResult<Self> {
        let prepared = domain.prepared()?;
        let kind = AgentKind::from_str(kind).map_err(value_error)?;
        let view = prepared.views().nth(party).ok_or_else(|| {
            value_error(format!(
                "no party {party}: the domain has {}",
                prepared.parties()
            ))
        })?;
        Ok(Self {
            state: Mutex::new(AgentState {
                agent: kind.build(view, mix(seed, party as u64)),
                offers: Vec::new(),
            }),
            domain: Arc::clone(&domain.domain),
            prepared,
        })
    }

    /// Records another party's offer (every offer made, in order).
    fn observe(&self, round: u32, proposer: usize, offer: Vec<String>) -> PyResult<()> {
        let outcome = self.id_of(&offer)?;
        self.lock()?.offers.push(PublicOffer {
            round,
            proposer,
            outcome,
        });
        Ok(())
    }

    /// The agent's offer at `round` and `relative_time`, or `None` if it
    /// leaves.
    fn propose(&self, round: u32, relative_time: f64, me: usize) -> PyResult<Option<Vec<String>>> {
        let mut guard = self.lock()?;
        let AgentState { agent, offers } = &mut *guard;
        let turn = Turn {
            round,
            relative_time,
            offers,
        };
        let Some(id) = agent.propose(&turn) else {
            return Ok(None);
        };
        offers.push(PublicOffer {
            round,
            proposer: me,
            outcome: id,
        });
        Ok(Some(
            self.domain
                .outcome_values(&self.prepared.space().decode(id)),
        ))
    }

    /// Whether the agent accepts `offer` (already observed) now.
    fn accepts(&self, round: u32, relative_time: f64, offer: Vec<String>) -> PyResult<bool> {
        let id = self.id_of(&offer)?;
        let mut guard = self.lock()?;
        let AgentState { agent, offers } = &mut *guard;
        let turn = Turn {
            round,
            relative_time,
            offers,
        };
        Ok(agent.accepts(&turn, id))
    }
}

/// Every ordered pairing of agents on every domain, repeated.
#[pyfunction]
#[pyo3(signature = (domains, agents = None, repetitions = 1, rounds = 100, protocol = "sao", seed = 0, threads = 0, mediator = "feedback"))]
#[expect(clippy::too_many_arguments, reason = "Python keyword arguments")]
fn tournament<'py>(
    py: Python<'py>,
    domains: Vec<PyRef<'py, DomainHandle>>,
    agents: Option<Vec<String>>,
    repetitions: u32,
    rounds: u32,
    protocol: &str,
    seed: u64,
    threads: usize,
    mediator: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let agents = match agents {
        Some(a) => a
            .iter()
            .map(|x| AgentKind::from_str(x))
            .collect::<Result<Vec<_>, _>>()
            .map_err(value_error)?,
        None => AgentKind::ALL.to_vec(),
    };
    let opts = TournamentOptions {
        domains: domains.iter().map(|d| (*d.domain).clone()).collect(),
        agents,
        repetitions,
        rounds,
        protocol: Protocol::from_str(protocol).map_err(value_error)?,
        seed,
        threads,
        mediator: MediatorKind::from_str(mediator).map_err(value_error)?,
    };
    let results = py
        .detach(|| truce_agents::run_tournament(&opts, &|_, _| {}))
        .map_err(value_error)?;
    ser(py, &results)
}

/// Concession curves, DANS move classes and outcome metrics of a trace: a
/// session dict as `negotiate` returns it, or any dict with `trace`
/// (`[{round, proposer, offer}]`, proposer a party name, index or
/// `"mediator"`), `agreement` and `rounds`.
#[pyfunction]
fn moves<'py>(
    py: Python<'py>,
    domain: &DomainHandle,
    session: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = &domain.domain;
    let get = |k: &str| session.get_item(k);
    let trace_list = get("trace")?.ok_or_else(|| value_error("the session has no `trace`"))?;
    let mut steps = Vec::new();
    for (k, step) in trace_list.try_iter()?.enumerate() {
        let step = step?;
        let item = |key: &str| -> PyResult<Bound<'py, PyAny>> {
            step.get_item(key)
                .map_err(|_| value_error(format!("trace step {k} has no `{key}`")))
        };
        let proposer = item("proposer")?;
        let proposer = if let Ok(i) = proposer.extract::<usize>() {
            Some(i)
        } else {
            let name: String = proposer.extract()?;
            d.parties.iter().position(|p| p.name == name)
        };
        steps.push(TraceStep {
            round: item("round")?.extract()?,
            proposer,
            offer: item("offer")?.extract()?,
        });
    }
    let agreement = match get("agreement")? {
        Some(a) if !a.is_none() => Some(a.extract::<Vec<String>>()?),
        _ => None,
    };
    let rounds = match get("rounds")? {
        Some(r) => r.extract()?,
        None => steps.last().map_or(0, |s: &TraceStep| s.round + 1),
    };
    let trace = Trace {
        steps,
        agreement,
        rounds,
    };
    let dd = Arc::clone(d);
    let dynamics = py
        .detach(|| {
            let analysis = truce_negotiate::analyze(&dd, &AnalyzeOptions::default());
            truce_negotiate::analyze_trace(&dd, &analysis, &trace)
        })
        .map_err(value_error)?;
    ser(py, &dynamics)
}

/// Verifies a ledger (JSON lines, as `truce export` writes it) against the
/// parties' public keys (`keys.json` text).
#[pyfunction]
fn verify_ledger<'py>(py: Python<'py>, ledger: &[u8], keys: &str) -> PyResult<Bound<'py, PyAny>> {
    let ring = truce_ledger::KeyRing::parse(keys).map_err(|e| value_error(format!("keys: {e}")))?;
    let report = py
        .detach(|| truce_ledger::verify_bytes(ledger, &ring))
        .map_err(|e| value_error(format!("ledger: {e}")))?;
    ser(py, &report)
}

/// The domain as GENIUS XML files: `{file name: text}`.
#[pyfunction]
fn to_genius_xml(domain: &DomainHandle) -> PyResult<Vec<(String, String)>> {
    truce_negotiate::to_genius_xml(&domain.domain).map_err(value_error)
}

/// The domain as GeniusWeb JSON files: `{file name: text}`.
#[pyfunction]
fn to_geniusweb_json(domain: &DomainHandle) -> PyResult<Vec<(String, String)>> {
    truce_negotiate::to_geniusweb_json(&domain.domain).map_err(value_error)
}

/// Runs `analyze` `n` times and returns the mean seconds per call measured
/// in Rust (the benchmark's in-process reference for the Python overhead).
#[pyfunction]
fn _analyze_seconds_in_rust(py: Python<'_>, domain: &DomainHandle, n: u32) -> f64 {
    let d = Arc::clone(&domain.domain);
    py.detach(|| {
        let start = std::time::Instant::now();
        for _ in 0..n.max(1) {
            let a = truce_negotiate::analyze(&d, &AnalyzeOptions::default());
            // Serialising is part of what the Python call returns.
            std::hint::black_box(serde_json::to_value(&a).ok());
        }
        start.elapsed().as_secs_f64() / f64::from(n.max(1))
    })
}

#[pymodule]
fn _truce(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<DomainHandle>()?;
    m.add_class::<AgentHandle>()?;
    m.add_function(wrap_pyfunction!(load_domain, m)?)?;
    m.add_function(wrap_pyfunction!(load_domain_files, m)?)?;
    m.add_function(wrap_pyfunction!(analyze, m)?)?;
    m.add_function(wrap_pyfunction!(negotiate, m)?)?;
    m.add_function(wrap_pyfunction!(negotiate_with, m)?)?;
    m.add_function(wrap_pyfunction!(tournament, m)?)?;
    m.add_function(wrap_pyfunction!(moves, m)?)?;
    m.add_function(wrap_pyfunction!(verify_ledger, m)?)?;
    m.add_function(wrap_pyfunction!(to_genius_xml, m)?)?;
    m.add_function(wrap_pyfunction!(to_geniusweb_json, m)?)?;
    m.add_function(wrap_pyfunction!(_analyze_seconds_in_rust, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
