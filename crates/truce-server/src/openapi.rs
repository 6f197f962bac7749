//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! the API types (utoipa), served at `/api/v1/openapi.json` beside the
//! vendored Swagger UI explorer at `/api/v1/explorer/`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;
use crate::error::Problem;
use crate::handlers;
use crate::texts;

/// The service's OpenAPI description (utoipa); [`openapi`] builds it.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "truce mediator service",
        description = "Staged exchange agreements: deals, per-party tokens, signed hash-chained events, role-filtered views. Errors are application/problem+json.",
        license(name = "Apache-2.0"),
    ),
    paths(
        handlers::health,
        handlers::service_key,
        handlers::create_deal,
        handlers::get_deal,
        handlers::get_state,
        handlers::post_plan,
        handlers::get_plan,
        handlers::post_amendment,
        handlers::append_event,
        handlers::list_events,
        handlers::export_ledger,
        handlers::checkpoint,
        texts::list_texts,
        texts::post_text,
        texts::post_vote,
        texts::next_text,
        texts::withdraw_text,
    ),
    components(schemas(
        api::CreateDeal, api::CreatedDeal, api::PartyToken, api::PartyView, api::Aggregate,
        api::DealView, api::StateView, api::ReceiptView, api::EventView,
        api::EventPage, api::Health, api::ExecutionView, api::ReleasedView,
        api::ExposureView, api::FindingView, api::FlowView, api::ListView, api::PlanKept, api::AmendmentKept, api::EarlierTerms, api::ServiceKeyView, Problem,
        api::AlgorithmChoice, api::PostText, api::PostVote, api::VoteView, api::TextView,
        api::TextIssue, api::AgreedText, api::TextsView, api::VoteKept, api::TextKept,
        api::NextTextView, api::PostWithdrawal, api::WithdrawalView, api::TextWithdrawn,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "service", description = "health"),
        (name = "deals", description = "create a deal, read it as your role may"),
        (name = "events", description = "append signed events, read and export the chain"),
        (name = "texts", description = "single text with people: the mediator's texts over the open issues, the sides' votes (the mediator's and their own only), the algorithm's next text, the mediator's withdrawal of a text posted in error"),
    ),
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the paths refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
