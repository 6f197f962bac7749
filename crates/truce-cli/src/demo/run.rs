//! The demo's parties on the service: a leaf module that `execute` (the
//! service and the story's frame) and `timeline` (the story's events) both
//! act through, so neither depends on the other's internals.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use truce_ledger::{DealId, Event, PartyKey, Receipt};
use truce_server::client::Client;
use truce_spec::Role;

use crate::error::{AnyError, CliError};

/// A party's identity in the demo: its key and its service token.
pub(super) struct Party {
    pub(super) key: PartyKey,
    pub(super) token: String,
    pub(super) role: Role,
}

/// The service, the deal on it and every party's means to act.
pub struct Run {
    pub(super) client: Client,
    pub deal: DealId,
    pub(super) parties: BTreeMap<String, Party>,
    pub(super) receipts: Vec<Receipt>,
    pub(super) text: String,
}

impl Run {
    /// `author` records `event` at `at_ms`; returns its seq.
    pub async fn record(
        &mut self,
        author: &str,
        at_ms: u64,
        event: Event,
    ) -> Result<u64, CliError> {
        let party = self
            .parties
            .get(author)
            .ok_or_else(|| failed(format!("{author} is not a party")))?;
        let kind = event.kind();
        let (_, receipt) = self
            .client
            .record(&self.deal, &party.token, &party.key, at_ms, event)
            .await
            .map_err(|e| failed_at(format!("{author}'s {kind}"), e))?;
        self.receipts.push(Receipt {
            deal: self.deal.clone(),
            seq: receipt.seq,
            hash: receipt.hash,
        });
        Ok(receipt.seq)
    }

    /// A party's signing key.
    pub fn key(&self, party: &str) -> Result<&PartyKey, CliError> {
        self.parties
            .get(party)
            .map(|p| &p.key)
            .ok_or_else(|| failed(format!("{party} is not a party")))
    }

    /// `party` (the mediator) hands the plan to the service to keep; its
    /// canonical hash is what `plan-adopted` names.
    pub async fn keep_plan(
        &mut self,
        party: &str,
        plan_json: &str,
    ) -> Result<truce_server::PlanKept, CliError> {
        let token = self.token(party)?;
        self.client
            .keep_plan(&self.deal, &token, plan_json)
            .await
            .map_err(|e| failed_at(format!("{party} keeping the plan"), e))
    }

    /// What execution shows so far, as `party` reads it from `/state`.
    pub async fn execution(
        &mut self,
        party: &str,
    ) -> Result<truce_server::ExecutionView, CliError> {
        let token = self.token(party)?;
        self.client
            .state(&self.deal, &token)
            .await
            .map(|s| s.execution)
            .map_err(|e| failed_at(format!("{party} reading /state"), e))
    }

    fn token(&self, party: &str) -> Result<String, CliError> {
        self.parties
            .get(party)
            .map(|p| p.token.clone())
            .ok_or_else(|| failed(format!("{party} is not a party")))
    }

    pub fn say(&mut self, line: String) {
        let _ = writeln!(self.text, "{line}");
    }
}

/// The demo found its own data wrong (a bug), in its words.
pub fn failed(what: String) -> CliError {
    CliError::DemoStep(format!("the demo's execution failed: {what}"))
}

/// A library refused a step of the demo: `what` names the step.
pub fn failed_at(what: String, source: impl Into<AnyError>) -> CliError {
    CliError::demo(format!("the demo's execution failed: {what}"), source)
}

/// A library refused a step of the demo.
pub fn failed_with(source: impl Into<AnyError>) -> CliError {
    CliError::demo("the demo's execution failed", source)
}
