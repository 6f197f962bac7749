//! The command line: every subcommand, flag and its help text.

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// truce: model, plan and verify staged exchange agreements: a pause in
/// hostilities traded for staged releases of captives and detainees.
#[derive(Debug, Parser)]
#[command(name = "truce", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 success; 1 valid input, negative answer (the deal has \
errors, a plan is infeasible, verification failed); 2 usage or input error; 3 the \
planner found neither a plan nor a proof that none exists within its step budget.\n\n\
Start with `truce demo`."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a deal and its rosters, reporting every problem found.
    Check(CheckArgs),
    /// Record agreed values of open issues: a new deal file beside the old one.
    Agree(AgreeArgs),
    /// Negotiation analytics of a GENIUS / GeniusWeb domain folder, or of a deal's open issues.
    Analyze(AnalyzeArgs),
    /// Rehearse one negotiation between automated agents, with its trace.
    Negotiate(NegotiateArgs),
    /// Every pairing of agents in both roles on every domain, with a results table.
    Tournament(TournamentArgs),
    /// The optimal day-by-day release plan of an agreed deal, with its proof.
    Plan(PlanArgs),
    /// Monte-Carlo execution of plans under a risk model; compares drafts.
    Simulate(SimulateArgs),
    /// The mediator service (HTTP API) on the embedded SQLite database or PostgreSQL.
    Serve(ServeArgs),
    /// Create ed25519 key pairs: a secret key file per party and the public `keys.json`.
    Keygen(KeygenArgs),
    /// A party's key as PEM (PKCS#8, RFC 8410) for OpenSSL and other tools, and back.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Verify an exported ledger offline, with only the parties' public keys.
    Verify(VerifyArgs),
    /// Register an agreed deal with a running service: one token per party.
    Register(RegisterArgs),
    /// A side's signature agreeing a deal file, for the mediator's `deal-agreed` event.
    SignAgreement(SignAgreementArgs),
    /// Sign an event with a party's key and record it on the service.
    Record(RecordArgs),
    /// Download a deal's ledger from the service, for `truce verify`.
    Export(ExportArgs),
    /// Where a deal stands on the service: day, released against planned, exposure, findings.
    Status(StatusArgs),
    /// Re-plan the rest of a deal from the service's ledger and adopt the plan (the mediator).
    Replan(ReplanArgs),
    /// Single text with people on the service: the mediator posts texts over the open issues
    /// (its own or an algorithm's), each side votes accept or reject.
    #[command(subcommand)]
    Text(TextCommand),
    /// The whole story of the shipped example: negotiated, planned, executed on the service, verified.
    Demo(DemoArgs),
    /// Write a valid synthetic deal of a given size, for tests and benchmarks.
    Generate(GenerateArgs),
    /// Print a shell completion script (e.g. `truce completions bash > truce.bash`).
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For tools: the JSON contract of DESIGN.md.
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The deal file (TOML), or a folder holding `deal.toml`.
    pub deal: PathBuf,
    /// Also verify this plan (JSON, as `truce plan --out` writes it) against the deal.
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Output format; with `json`, a valid deal is printed normalised, rosters inlined
    /// (or, with --plan, the checker's report).
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// A plan export for people and their tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Export {
    /// One row per person released.
    Csv,
    /// One calendar event per handover, from the deal's start date.
    Ics,
    /// A chart of cumulative releases per side and exposure per day.
    Svg,
}

impl Export {
    pub fn extension(self) -> &'static str {
        match self {
            Export::Csv => "csv",
            Export::Ics => "ics",
            Export::Svg => "svg",
        }
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The deal file (TOML), or a folder holding `deal.toml`.
    pub deal: PathBuf,
    /// Write the plan (JSON) to this file; exports are written beside it.
    #[arg(long, value_name = "PLAN")]
    pub out: Option<PathBuf>,
    /// Export the plan as CSV, calendar or chart (repeatable). Without --out, one
    /// export is printed to stdout instead of the table.
    #[arg(long, value_enum)]
    pub export: Vec<Export>,
    /// Plan the deal's current text although open issues remain (a rehearsal).
    #[arg(long)]
    pub as_drafted: bool,
    /// Re-plan the rest from what was carried out: a plan JSON whose stages (up to
    /// --through-day) are the handovers done, kept unchanged.
    #[arg(long, value_name = "PLAN")]
    pub carried_out: Option<PathBuf>,
    /// Re-plan the rest from a deal's exported ledger (`truce export`): its handovers are
    /// the days carried out, even where they broke terms; counter-releases they owe are
    /// made good first. DEAL is the deal in force (the last amended one, if amended).
    #[arg(
        long,
        value_name = "LEDGER",
        conflicts_with = "carried_out",
        requires = "person_key"
    )]
    pub from_ledger: Option<PathBuf>,
    /// With --from-ledger: the deal's person key, to know the persons behind the pseudonyms.
    #[arg(long = "person-key", value_name = "FILE", requires = "from_ledger")]
    pub person_key: Option<PathBuf>,
    /// With --carried-out or --from-ledger: the last day that has passed (default: the
    /// last day with a handover).
    #[arg(long, value_name = "DAY")]
    pub through_day: Option<u32>,
    /// Work the exact search may do before it settles for a plan with a stated
    /// gap (a count of steps, not a time, so every party gets the same plan).
    #[arg(long, value_name = "STEPS", default_value_t = truce_plan::PlanOptions::default().step_budget,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub step_budget: u64,
    /// Output format of the plan.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also write the example's deal, rosters and report into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Keep the demo's service running after the story and print one sign-in link per
    /// party for the web room (until Ctrl-C).
    #[arg(long)]
    pub serve: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The folder to write `deal.toml` and `rosters/` into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Captives held by side-b (side-a holds `ratio` times as many detainees).
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub persons: u32,
    /// Base days of the pause.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// Priority tiers among the captives' categories.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=9))]
    pub tiers: u32,
    /// Detainees released per captive.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub ratio: u32,
    /// Share of captives travelling in families, from 0 to 1.
    #[arg(long, default_value_t = 0.3)]
    pub family_share: f64,
    /// Generate no extension rule.
    #[arg(long)]
    pub no_extension: bool,
    /// Random seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Overwrite an existing deal in the folder.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// A party to create a key pair for (repeatable): its id in the deal.
    #[arg(long = "party", value_name = "ID", required = true)]
    pub parties: Vec<String>,
    /// The folder for `<party>.key` (owner-only permissions) and `keys.json`.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace existing key files.
    #[arg(long)]
    pub force: bool,
}

/// `truce keys`: ed25519 keys as PEM, the form OpenSSL writes
/// (`openssl genpkey -algorithm ed25519`, `openssl pkey -pubout`).
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Write a secret key file (`truce keygen`) as PKCS#8 PEM (`PRIVATE KEY`), or its public
    /// key as `PUBLIC KEY` PEM with --public.
    Export {
        /// The party's secret key file (`<party>.key`).
        key: PathBuf,
        /// Only the public key.
        #[arg(long)]
        public: bool,
        /// Write to this file (a secret key: owner-only) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Read a PEM key: a `PRIVATE KEY` becomes the party's secret key file (owner-only); a
    /// `PUBLIC KEY` is added to the `keys.json` given as --out (created if missing).
    Import {
        /// The PEM file (PKCS#8 `PRIVATE KEY` or `PUBLIC KEY`, ed25519).
        pem: PathBuf,
        /// The party the key belongs to: its id in the deal.
        #[arg(long, value_name = "ID")]
        party: String,
        /// The secret key file to write, or the `keys.json` to add the public key to.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing secret key file, or the party's key in `keys.json`.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The exported ledger (`ledger.jsonl`: one signed event per line).
    pub ledger: PathBuf,
    /// The parties' public keys (`keys.json`).
    #[arg(long, value_name = "KEYS")]
    pub keys: PathBuf,
    /// Receipts a party kept (`receipts.json`: an array of
    /// `{"deal","seq","hash"}` as the service answered them): the ledger must
    /// still hold each, which catches events cut off its end.
    #[arg(long, value_name = "FILE")]
    pub receipts: Option<PathBuf>,
    /// The deal file the sides agreed: its hash must be the one every side
    /// signed in the ledger's `deal-agreed` event.
    #[arg(long, value_name = "DEAL")]
    pub deal: Option<PathBuf>,
    /// The plan file the mediator adopted (`plan.json`): its canonical hash
    /// must be the ledger's `plan-adopted` hash, and with the deal and the
    /// person key, execution is compared with it person by person.
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// A plan adopted earlier and superseded by a later `plan-adopted`
    /// (repeatable): the days it governed are compared with it.
    #[arg(long = "earlier-plan", value_name = "PLAN", requires = "plan")]
    pub earlier_plans: Vec<PathBuf>,
    /// An amended deal file (repeatable), for each `deal-amended` event of the
    /// ledger: execution after the amendment is checked against its terms.
    #[arg(long = "amended", value_name = "DEAL", requires = "deal")]
    pub amended: Vec<PathBuf>,
    /// The deal as the service shows a party (`truce export --terms`), for a
    /// party without the deal file: compliance is checked on the handovers'
    /// signed counts.
    #[arg(long, value_name = "FILE", conflicts_with = "deal")]
    pub terms: Option<PathBuf>,
    /// The deal's person key (with --deal): the persons behind the
    /// pseudonyms are checked too (priority, families, signed counts, plan).
    #[arg(long = "person-key", value_name = "FILE", requires = "deal")]
    pub person_key: Option<PathBuf>,
    /// Report deviations from the terms without failing: exit 0 when the
    /// ledger is intact whatever compliance finds.
    #[arg(long)]
    pub report_only: bool,
    /// A checkpoint the service signed (`truce export --checkpoint`, or a receipt's): the
    /// ledger must hold its event, which catches a cut-off tail or a second history
    /// (repeatable; needs --service-key).
    #[arg(long, value_name = "FILE", requires = "service_key")]
    pub checkpoint: Vec<PathBuf>,
    /// The service's verifier key (`<name>+<id>+<key>`, from `GET /api/v1/service-key`), or a
    /// file holding it.
    #[arg(long = "service-key", value_name = "KEY")]
    pub service_key: Option<String>,
    /// The deal this ledger must record: an event of any other deal fails
    /// verification, even a genuine one (spliced in from another deal whose
    /// parties hold the same keys).
    #[arg(long, value_name = "ID")]
    pub deal_id: Option<String>,
    /// Output format of the verification report.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct AgreeArgs {
    /// The deal file (TOML), or a folder holding `deal.toml`.
    pub deal: PathBuf,
    /// An agreed value, `ISSUE=VALUE` (repeatable): one of the issue's options.
    #[arg(long = "set", value_name = "ISSUE=VALUE", required = true)]
    pub values: Vec<String>,
    /// The agreed deal to write, in the deal's folder (beside its rosters).
    #[arg(long, value_name = "FILE", default_value = "agreed.toml")]
    pub out: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// How GENIUS XML numbers are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReadingArg {
    /// GENIUS's own: per-issue max normalisation, weights renormalised.
    #[default]
    Genius,
    /// The raw evaluation numbers, as written.
    Raw,
}

/// The disagreement point of the Nash and max-min Kalai solutions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DisagreementArg {
    /// Each party's reservation value (GENIUS).
    #[default]
    Reservation,
    /// The higher of the reservation value and the worst utility (NegMAS).
    Worst,
}

/// Where a negotiation domain comes from.
#[derive(Debug, Args)]
pub struct DomainArgs {
    /// A domain folder (domain file and one profile per party), or a deal (file or
    /// folder) whose open issues are negotiated with the sides' preference files.
    pub domain: PathBuf,
    /// With a deal: the folder of preference profiles, one per party
    /// (default: `preferences/` beside the deal).
    #[arg(long, value_name = "DIR")]
    pub preferences: Option<PathBuf>,
    /// How GENIUS XML utilities are read.
    #[arg(long, value_enum, default_value_t)]
    pub reading: ReadingArg,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub source: DomainArgs,
    /// The disagreement point of the Nash and max-min Kalai points.
    #[arg(long, value_enum, default_value_t)]
    pub disagreement: DisagreementArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Write an SVG chart of the outcomes, the frontier and the solution points
    /// (with --trace: and the trace's offers).
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Utilities closer than this count as equal where dominance is decided
    /// (0: exact comparison, as GENIUS does).
    #[arg(long, value_name = "T", default_value_t = truce_negotiate::DOMINANCE_TOLERANCE)]
    pub tolerance: f64,
    /// List every outcome tied at a frontier point (up to 10,000 rows) instead
    /// of one outcome and a summary of the values the tied outcomes take.
    #[arg(long)]
    pub list_ties: bool,
    /// Analyse a negotiation trace on this domain: each party's concession
    /// curve, the DANS class of every move, the distance of the outcome to the
    /// frontier, Nash and Kalai. FILE is JSON as `truce negotiate --format json`
    /// writes it: `agreement`, `rounds`, `trace[{round, proposer, offer}]`.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct NegotiateArgs {
    #[command(flatten)]
    pub source: DomainArgs,
    /// One agent per party, in profile order (the first opens): boulware, linear,
    /// conceder, aspiration, tit-for-tat, hardliner, random.
    #[arg(long, value_name = "A,B", default_value = "aspiration,boulware")]
    pub agents: String,
    /// `sao` (stacked alternating offers) or `single-text` (a mediator proposes,
    /// parties only accept or reject: no one reveals its preferences).
    #[arg(long, default_value = "sao")]
    pub protocol: String,
    /// Single-text mediator: `feedback` (GENIUS's feedback mediator: parties say
    /// better, same or worse), `annealing` (Klein et al.'s annealing voters),
    /// `mopac` (MOPaC rounds: every party offers, votes and may extend its
    /// votes) or `hill-climb` (random one-issue changes); all but the last
    /// polish the text until no one- or two-issue change pleases every party.
    #[arg(long, default_value = "feedback")]
    pub mediator: String,
    /// Deadline in rounds.
    #[arg(long, default_value_t = 100)]
    pub rounds: u32,
    /// Seed of every random choice: the same seed gives the same session.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Run K negotiations and report negotiations per second (measured in-process).
    #[arg(long, value_name = "K")]
    pub repeat: Option<usize>,
    /// With a deal: write the deal with the agreed values filled in (beside it).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Add the concession and move analysis of the trace: each party's
    /// concession curve, the DANS class of every move, the outcome's distance
    /// to the frontier, Nash and Kalai (JSON: a `moves` object).
    #[arg(long)]
    pub moves: bool,
    /// Write an SVG of the offers in utility space over the Pareto frontier.
    #[arg(long, value_name = "FILE")]
    pub trajectory: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TournamentArgs {
    /// Domain folders or deals (comma-separated or repeated).
    #[arg(long, value_name = "DIR", value_delimiter = ',', required = true)]
    pub domains: Vec<PathBuf>,
    /// Agents (comma-separated); default: all of them.
    #[arg(long, value_name = "A,B,…")]
    pub agents: Option<String>,
    /// Sessions per pairing and domain.
    #[arg(long, default_value_t = 1)]
    pub repetitions: u32,
    /// Deadline in rounds of each session.
    #[arg(long, default_value_t = 100)]
    pub rounds: u32,
    /// `sao` or `single-text`.
    #[arg(long, default_value = "sao")]
    pub protocol: String,
    /// Single-text mediator: `feedback`, `annealing`, `mopac` or `hill-climb` (see `negotiate`).
    #[arg(long, default_value = "feedback")]
    pub mediator: String,
    /// Tournament seed: results are the same for a seed whatever the threads.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (0 = every core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// How GENIUS XML utilities are read.
    #[arg(long, value_enum, default_value_t)]
    pub reading: ReadingArg,
    /// Write one CSV row per session to this file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Environment (never on the command line, which other users can read):
  TRUCE_ADMIN_TOKEN            the token POST /deals requires (needed beyond loopback)
  TRUCE_AT_REST_KEY[_FILE]     64 hex digits: seal rosters and person keys in the database
  TRUCE_AT_REST_PREVIOUS_KEY[_FILE]
                               the key being rotated out (values are re-sealed at start)
  TRUCE_LOG_FORMAT             `json` for one JSON object per log line (default: text)
  RUST_LOG                     log filter, e.g. `info` (default) or `warn,truce_server=debug`
Every flag above can also be set by the variable shown beside it.")]
pub struct ServeArgs {
    /// `sqlite://PATH` or a file path (created if missing), or
    /// `postgres://…` (TLS: `?sslmode=verify-full&sslrootcert=CA.pem`).
    #[arg(
        long,
        value_name = "URL",
        default_value = "truce.db",
        env = "TRUCE_DATABASE_URL"
    )]
    pub database_url: String,
    /// Address to listen on.
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        env = "TRUCE_LISTEN"
    )]
    pub listen: std::net::SocketAddr,
    /// The service's secret key file, which signs the checkpoint in every receipt (created
    /// owner-only if missing). Without it, a key for this run only.
    #[arg(long = "service-key", value_name = "FILE", env = "TRUCE_SERVICE_KEY")]
    pub service_key: Option<std::path::PathBuf>,
    /// The service's name in its signatures, when --service-key creates the key.
    #[arg(
        long = "service-name",
        value_name = "NAME",
        default_value = "truce-service",
        env = "TRUCE_SERVICE_NAME"
    )]
    pub service_name: String,
    /// Serve HTTPS with this certificate chain (PEM, the server's
    /// certificate first); needs --tls-key.
    #[arg(long, value_name = "PEM", requires = "tls_key", env = "TRUCE_TLS_CERT")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "PEM", requires = "tls_cert", env = "TRUCE_TLS_KEY")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Most connections open at once; beyond it the connection idle longest
    /// is closed to make room.
    #[arg(
        long,
        value_name = "N",
        default_value_t = truce_server::MAX_CONNECTIONS,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000).map(|n| n as usize),
        env = "TRUCE_MAX_CONNECTIONS"
    )]
    pub max_connections: usize,
    /// Most connections open at once from one peer (an IPv4 address, an
    /// IPv6 /64). Behind a reverse proxy every client is the proxy: raise
    /// it to --max-connections there.
    #[arg(
        long,
        value_name = "N",
        default_value_t = truce_server::MAX_CONNECTIONS_PER_PEER,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000).map(|n| n as usize),
        env = "TRUCE_MAX_CONNECTIONS_PER_PEER"
    )]
    pub max_connections_per_peer: usize,
}

/// Where the service is and which deal.
#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// The service's address, `https://HOST:PORT` or, on this machine or
    /// through a tunnel, `http://HOST:PORT`.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    pub service: String,
    /// The certificate authority (PEM) that signed an `https://` service's
    /// certificate, when it is not one of the public ones (Mozilla's list)
    /// trusted by default.
    #[arg(long, value_name = "PEM")]
    pub ca_cert: Option<std::path::PathBuf>,
    /// The deal's id on the service (lowercase letters, digits and `-`).
    #[arg(long = "deal-id", value_name = "ID")]
    pub deal_id: String,
}

#[derive(Debug, Args)]
pub struct RegisterArgs {
    /// The agreed deal file (TOML), or a folder holding `deal.toml`.
    pub deal: PathBuf,
    #[command(flatten)]
    pub at: ServiceArgs,
    /// Every party's public key (`keys.json` from `truce keygen`).
    #[arg(long, value_name = "KEYS")]
    pub keys: PathBuf,
    /// The folder for `<party>.token` and `person.key` (owner-only files:
    /// hand each to its party, and the person key to those who see persons).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace existing token files.
    #[arg(long)]
    pub force: bool,
    /// Register a deal whose open issues are still to be negotiated (`truce text`); the
    /// sides then sign the deal resolved to the agreed text.
    #[arg(long)]
    pub with_open_issues: bool,
}

#[derive(Debug, Args)]
pub struct SignAgreementArgs {
    /// The agreed deal file the side signs (its own copy).
    pub deal: PathBuf,
    /// The deal's id on the service.
    #[arg(long = "deal-id", value_name = "ID")]
    pub deal_id: String,
    /// The side's secret key file.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// Sign an amendment of an agreed deal instead: its number (1 for the first; `truce
    /// status` shows how many there were). DEAL is then the amended deal file.
    #[arg(long, value_name = "N", requires = "replaces")]
    pub amendment: Option<u32>,
    /// With --amendment: the deal hash in force that the amendment replaces.
    #[arg(long, value_name = "HASH", requires = "amendment")]
    pub replaces: Option<String>,
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The event as JSON, as the ledger writes it (`{"type":"handover-confirmed","handover":6}`),
    /// or `@FILE`. A `handover-recorded` may list `persons` by id (with --person-key), and so
    /// may a `lists-exchanged` (only their count and commitment are sent); a
    /// `deal-agreed` may leave out `deal_hash` and `signatures` (with --agreement), and a
    /// `deal-amended` also `amendment` and `replaces` (with --agreement and --deal); a
    /// `plan-adopted` may leave out `plan_hash` (with --plan); a `deal-created` may leave
    /// out `name` and `parties` (the service's registered ones are used).
    pub event: String,
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The recording party's secret key file.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The party's token file (from `truce register`).
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// The deal's person key (from `truce register`): turns `persons` into pseudonyms.
    #[arg(long = "person-key", value_name = "FILE")]
    pub person_key: Option<PathBuf>,
    /// A side's signature from `truce sign-agreement` (repeatable, one per side).
    #[arg(long = "agreement", value_name = "FILE")]
    pub agreements: Vec<PathBuf>,
    /// The deal file: the categories of a handover's `persons` fill its `counts` (without it,
    /// the deal as the service shows this party); for a `deal-amended`, the amended deal,
    /// sent to the service to keep.
    #[arg(long, value_name = "DEAL")]
    pub deal: Option<PathBuf>,
    /// The plan file being adopted: sent to the service to keep, its canonical hash fills
    /// `plan_hash` and the agreed pause fills `days`.
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PathBuf>,
    /// Add the service's receipt to this file (a JSON array, for `truce verify --receipts`).
    #[arg(long, value_name = "FILE")]
    pub receipts: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The party's token file.
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// Where to write the ledger (`ledger.jsonl`).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write the deal as this party may see it (terms, counts per holder and category,
    /// persons where the role sees them): `truce verify --terms` input.
    #[arg(long, value_name = "FILE")]
    pub terms: Option<PathBuf>,
    /// Also write the service's signed checkpoint of the deal's head, and beside it
    /// (`FILE.key`) the service's verifier key: `truce verify --checkpoint` input.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Exit codes: 0 the plan was adopted (or, with --dry-run, would be); 1 nothing was adopted: the plan
in force still holds, the caller is not the mediator, the ledger does not verify, the planner found
no plan or could not prove one (without --accept-feasible), the service refused, or another event
was recorded after the ledger was read (run the command again); 2 a usage or input error; 3 the
planner could decide nothing within --step-budget.")]
pub struct ReplanArgs {
    /// The deal file in force (TOML, with its rosters), or a folder holding `deal.toml`: the
    /// agreed deal, or the last amendment. Default: the deal in force as the service holds it
    /// (its normalised JSON, checked against the deal hash the verified ledger names); a file
    /// given here is used instead, checked the same way.
    pub deal: Option<PathBuf>,
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The mediator's secret key file: signs the `plan-adopted` event.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The mediator's token file (from `truce register`).
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// Every party's public key (`keys.json`): the ledger is verified with them before
    /// anything is planned from it.
    #[arg(long, value_name = "KEYS")]
    pub keys: PathBuf,
    /// The deal's person key (from `truce register`); default: the one the service shows the
    /// mediator.
    #[arg(long = "person-key", value_name = "FILE")]
    pub person_key: Option<PathBuf>,
    /// The last day carried out; default: the last day with a handover in the ledger.
    #[arg(long, value_name = "DAY")]
    pub through_day: Option<u32>,
    /// Show what would change and stop: nothing is kept or recorded.
    #[arg(long)]
    pub dry_run: bool,
    /// Re-plan from the record as it stood at this event (the `head` a dry run printed) and
    /// adopt only if it is still the last one: what was reviewed is what is adopted.
    #[arg(long, value_name = "HASH")]
    pub head: Option<String>,
    /// Adopt a plan the planner found but could not prove optimal (`feasible`): a decision
    /// the mediation team takes, never the default.
    #[arg(long)]
    pub accept_feasible: bool,
    /// Also write the re-planned plan (JSON) to this file.
    #[arg(long, value_name = "PLAN")]
    pub out: Option<PathBuf>,
    /// Work the exact search may do before it settles for a plan with a stated gap (as
    /// `truce plan --step-budget`).
    #[arg(long, value_name = "STEPS", default_value_t = truce_plan::PlanOptions::default().step_budget,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub step_budget: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The party's token file.
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
#[command(after_help = "\
The risk model is the user's assumption: `--risk FILE`, else `risk.toml` beside the first deal,
else the illustrative defaults (docs/risk.example.toml), which are not data. Several deals are
drafts compared on the same random numbers; differences come with 95% intervals.")]
pub struct SimulateArgs {
    /// Deal files (or folders holding `deal.toml`): one, or several drafts to compare.
    #[arg(required = true, value_name = "DEAL")]
    pub deals: Vec<PathBuf>,
    /// A plan (JSON) for each deal, in order; default: each deal's optimal plan.
    #[arg(long, value_name = "PLAN")]
    pub plan: Vec<PathBuf>,
    /// The risk model (TOML).
    #[arg(long, value_name = "RISK.toml")]
    pub risk: Option<PathBuf>,
    /// Simulated executions per draft.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=truce_sim::MAX_RUNS))]
    pub runs: u64,
    /// Seed: the same seed gives the same result, on any number of threads.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (0 = every core); the result does not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Write `survival.svg` and `released.svg` into this folder, and `delivered.svg` (aid,
    /// fuel and releases outside the exchange) when a draft has flows or channels.
    #[arg(long, value_name = "DIR")]
    pub svg: Option<PathBuf>,
    /// Among the plans releasing the most, choose the one with the least
    /// expected loss under the model, and say what it gives up (one deal).
    #[arg(long, conflicts_with = "plan")]
    pub robust: bool,
    /// With --robust: write the chosen plan (JSON) to this file.
    #[arg(long, value_name = "PLAN", requires = "robust")]
    pub out: Option<PathBuf>,
    /// Simulate deals with open issues as their text stands.
    #[arg(long)]
    pub as_drafted: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `truce text …`: single text with people.
#[derive(Debug, Subcommand)]
pub enum TextCommand {
    /// The deal's texts as your role may see them (votes: the mediator all, a side its own).
    Status(TextStatusArgs),
    /// The mediator posts its own text: one option for every open issue.
    Post(TextPostArgs),
    /// The mediator asks the algorithm for the next text (and with --post, signs and posts it).
    Next(TextNextArgs),
    /// A side votes on a text with its key.
    Vote(TextVoteArgs),
    /// The mediator withdraws a text posted in error, while its round is open.
    Withdraw(TextWithdrawArgs),
    /// The agreed text written into your copy of the deal file, checked against the service.
    Agreed(TextAgreedArgs),
}

#[derive(Debug, Args)]
pub struct TextStatusArgs {
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The party's token file.
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TextPostArgs {
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The mediator's token file.
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// The mediator's secret key file.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// An option for each open issue, `ISSUE=OPTION` (repeatable).
    #[arg(long = "set", value_name = "ISSUE=OPTION", required = true)]
    pub values: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TextNextArgs {
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The mediator's token file.
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// The algorithm: feedback, annealing or hill-climb.
    #[arg(long, value_name = "NAME", default_value = "feedback")]
    pub mediator: String,
    /// The seed of the algorithm's random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The most texts the algorithm proposes.
    #[arg(long, default_value_t = truce_server::DEFAULT_TEXT_ROUNDS)]
    pub rounds: u32,
    /// Sign the proposal with this key file and post it.
    #[arg(long, value_name = "KEY")]
    pub post: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TextVoteArgs {
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The side's token file.
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// The side's secret key file.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The text's number (`truce text status`).
    pub round: u32,
    /// `accept` or `reject`.
    pub answer: VoteAnswer,
}

#[derive(Debug, Args)]
pub struct TextWithdrawArgs {
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The mediator's token file.
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// The mediator's secret key file.
    #[arg(long, value_name = "KEY")]
    pub key: PathBuf,
    /// The text's number (`truce text status`): the open one.
    pub round: u32,
}

/// A side's answer to a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VoteAnswer {
    /// Accept the text.
    Accept,
    /// Reject it.
    Reject,
}

#[derive(Debug, Args)]
pub struct TextAgreedArgs {
    /// Your copy of the deal file with its open issues (TOML), or its folder.
    pub deal: PathBuf,
    #[command(flatten)]
    pub at: ServiceArgs,
    /// The party's token file (the mediator's or a side's).
    #[arg(long = "token-file", value_name = "FILE")]
    pub token_file: PathBuf,
    /// The agreed deal to write, in the deal's folder (beside its rosters).
    #[arg(long, value_name = "FILE", default_value = "agreed.toml")]
    pub out: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}
