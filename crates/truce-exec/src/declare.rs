//! Declarations that must be earned or agreed, checked before the service
//! records them: an extension, the deal's completion, the adopted plan's
//! pause, a handover's signed counts. Physical facts (a handover itself)
//! are never refused for breaking the terms; a wrong declaration is.

use truce_ledger::{Event, PartyId};

use crate::execution::{Context, Execution};
use crate::findings::Rule;

/// Why the terms do not allow a declaration: the rule, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    /// A stable name (`extension-limit`, `total-min`, `counts-mismatch`…).
    pub rule: &'static str,
    /// What the terms say and the figures; never a person id.
    pub message: String,
}

fn refuse(rule: &'static str, message: String) -> Result<(), Refusal> {
    Err(Refusal { rule, message })
}

impl Execution {
    /// Whether the terms allow `event` now. Only declarations are checked;
    /// every other event passes.
    pub fn check_declaration(&self, ctx: Context<'_>, event: &Event) -> Result<(), Refusal> {
        let t = ctx.terms;
        match event {
            Event::PlanAdopted { days, .. } if *days != t.days => refuse(
                "plan-days",
                format!(
                    "the agreed terms set a pause of {} days, not {days}; adopt the plan with `days` = {}",
                    t.days, t.days
                ),
            ),
            Event::Extended { days } => {
                let Some(e) = &t.extension else {
                    return refuse(
                        "no-extension-rule",
                        "the agreed terms have no extension rule: extending the pause needs an amendment both sides sign".to_owned(),
                    );
                };
                let granted = self.extension_days();
                if granted.saturating_add(*days) > e.max_days {
                    return refuse(
                        "extension-limit",
                        format!(
                            "the extension rule allows at most {} extra day(s); {granted} granted so far, so at most {} more",
                            e.max_days,
                            e.max_days.saturating_sub(granted)
                        ),
                    );
                }
                if let Some(f) = self
                    .findings(ctx)
                    .into_iter()
                    .find(|f| f.rule == Rule::ExtensionUnearned && f.is_open())
                {
                    return refuse(
                        "extension-unearned",
                        format!(
                            "each extra day is earned by its own releases, and an earlier one was not ({}); rule on finding {} first",
                            f.message, f.id
                        ),
                    );
                }
                Ok(())
            }
            Event::Completed {} => self.check_completion(ctx),
            Event::HandoverRecorded {
                counts,
                holder,
                pseudonyms,
                ..
            } => {
                let Some(counts) = counts else {
                    return refuse(
                        "counts-required",
                        "a handover must carry its signed `counts` of persons per category"
                            .to_owned(),
                    );
                };
                for c in counts.keys() {
                    if !t.tiers.contains_key(c) {
                        return refuse(
                            "counts-mismatch",
                            format!("`counts` names category {c}, which the deal does not define"),
                        );
                    }
                }
                if let Some(r) = ctx.roster {
                    let known: Option<Vec<usize>> =
                        pseudonyms.iter().map(|p| r.index_of(p)).collect();
                    if let Some(known) = known
                        && &r.counts(&known) != counts
                    {
                        return refuse(
                            "counts-mismatch",
                            format!(
                                "`counts` must give the persons of this handover from {holder} per category as the roster has them; they differ"
                            ),
                        );
                    }
                }
                Ok(())
            }
            Event::FlowRecorded { flow, .. } => match t.flow(flow) {
                Some(_) => Ok(()),
                None => refuse(
                    "unknown-flow",
                    if t.flows.is_empty() {
                        format!("the agreed terms have no resource flow, so none named `{flow}`")
                    } else {
                        format!(
                            "the agreed terms have no resource flow `{flow}`; their flows are {}",
                            t.flows
                                .iter()
                                .map(|f| f.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    },
                ),
            },
            _ => Ok(()),
        }
    }

    /// Whether `author` may record `event` under the terms: a flow's
    /// delivery is recorded by the side that delivers it, by the
    /// intermediary it goes through (its `via`), or, when it names none, by
    /// any intermediary of the deal. Every other event passes (the ledger's
    /// lifecycle rules check roles).
    pub fn check_recorder(
        &self,
        ctx: Context<'_>,
        author: &PartyId,
        event: &Event,
    ) -> Result<(), Refusal> {
        let Event::FlowRecorded { flow, .. } = event else {
            return Ok(());
        };
        let Some(f) = ctx.terms.flow(flow) else {
            return Ok(());
        };
        let allowed = author == &f.by
            || match &f.via {
                Some(via) => author == via,
                None => ctx.terms.intermediaries.contains_key(author),
            };
        if allowed {
            return Ok(());
        }
        let carrier = match &f.via {
            Some(via) => format!("or {via}, the intermediary it goes through"),
            None => "or an intermediary of the deal".to_owned(),
        };
        refuse(
            "flow-recorder",
            format!(
                "flow {flow} is recorded by {}, the side that delivers it, {carrier}; not by {author}",
                f.by
            ),
        )
    }

    fn check_completion(&self, ctx: Context<'_>) -> Result<(), Refusal> {
        let t = ctx.terms;
        for (holder, r) in &t.rosters {
            if let Some(min) = r.total_min {
                let n = self.released_under_roster(t, holder);
                if n < u64::from(min) {
                    return refuse(
                        "total-min",
                        format!(
                            "{holder} has released {n} of the at least {min} the terms guarantee; the deal is not complete"
                        ),
                    );
                }
            }
        }
        for (k, rule) in t.exchanges.iter().enumerate() {
            let (g, r) = self.handovers.iter().fold((0, 0), |(g, r), h| {
                let (dg, dr) = rule.split(&h.holder, &h.counts);
                (g + dg, r + dr)
            });
            let owed = g * u64::from(rule.ratio);
            if r < owed {
                return refuse(
                    "counter-release-owed",
                    format!(
                        "under exchange rule {}, {} still owes {} of the {owed} counter-releases for the {g} released by {}",
                        k + 1,
                        rule.receives.holder,
                        owed - r,
                        rule.gives.holder
                    ),
                );
            }
        }
        if let Some(plan) = ctx.plan {
            let released: u64 = self.handovers.iter().map(|h| u64::from(h.total)).sum();
            let planned = plan.planned() as u64;
            if released < planned {
                return refuse(
                    "plan-unfinished",
                    format!(
                        "the adopted plan releases {planned} persons and {released} have been released; adopt an amended plan or record what stopped it"
                    ),
                );
            }
        }
        Ok(())
    }
}
