//! The room's HTML, rendered on the server with maud (escaped by
//! construction). No inline script or style: behaviour comes from
//! `/room/assets/room.js`, looks from `/room/assets/room.css`. Ids, numbers
//! and hashes sit in `<bdi dir="ltr">` so they read the same in Arabic and
//! Hebrew pages.

use maud::{DOCTYPE, Markup, html};
use truce_ledger::Role;

use crate::api::EventView;
use crate::room::data::{PlanRow, Replan, Snapshot, TimelinePage};
use crate::room::i18n::Lang;
use crate::room::session::Session;
use crate::room::shared::View;
use crate::state::Caller;

pub(crate) struct Page<'a> {
    pub lang: Lang,
    pub view: View,
    pub session: &'a Session,
    pub snap: &'a Snapshot,
    /// The Persons search.
    pub query: &'a str,
}

/// An id, hash or number kept left to right in any page.
fn ltr(text: impl std::fmt::Display) -> Markup {
    html! { bdi.ltr dir="ltr" { (text) } }
}

/// "from → to" as read in the page's direction: the arrow points from the
/// giver to the receiver in Arabic and Hebrew too.
fn arrow(lang: Lang) -> &'static str {
    if lang.dir() == "rtl" {
        " ← "
    } else {
        " → "
    }
}

fn role_name(lang: Lang, role: Role) -> &'static str {
    lang.t(&format!("role.{role}"))
}

/// `YYYY-MM-DD HH:MM UTC` of Unix milliseconds.
pub(crate) fn utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let (h, m) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02} UTC")
}

/// The page around `main`. `keep` is what the language links keep of the
/// page's query (`&before=…` on an older timeline page), so switching the
/// language stays on the same page.
fn layout(
    lang: Lang,
    title: &str,
    session: Option<&Session>,
    current: Option<View>,
    keep: &str,
    main: Markup,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                @if let Some(s) = session {
                    meta name="csrf-token" content=(s.csrf);
                }
                title { (title) " · truce" }
                link rel="stylesheet" href="/room/assets/room.css";
                script src="/room/assets/room.js" defer {}
            }
            body data-m-keyok=(lang.t("js.key_ok")) data-m-keybad=(lang.t("js.key_bad"))
                data-m-keyparty=(lang.t("js.key_party")) data-m-nocrypto=(lang.t("js.no_crypto"))
                data-m-signing=(lang.t("js.signing")) data-m-recorded=(lang.t("js.recorded"))
                data-m-refused=(lang.t("js.refused")) data-m-live=(lang.t("js.live"))
                data-m-reconnecting=(lang.t("js.reconnecting"))
                data-m-statementsigned=(lang.t("js.statement_signed"))
                data-m-voted=(lang.t("js.voted")) data-m-textposted=(lang.t("js.text_posted"))
                data-m-algdone=(lang.t("js.alg_done")) data-m-withdrawn=(lang.t("js.withdrawn"))
                data-m-nopersonkey=(lang.t("js.no_person_key")) data-m-badseed=(lang.t("js.bad_seed"))
                data-m-vnotjson=(lang.t("js.v_not_json")) data-m-vnotcanonical=(lang.t("js.v_not_canonical"))
                data-m-vseq=(lang.t("js.v_seq")) data-m-vprev=(lang.t("js.v_prev"))
                data-m-votherdeal=(lang.t("js.v_other_deal")) data-m-vnokey=(lang.t("js.v_no_key"))
                data-m-vbadsignature=(lang.t("js.v_bad_signature")) {
                a.skip href="#main" { (lang.t("nav.skip")) }
                header.top {
                    span.brand { "truce" }
                    @if let Some(s) = session {
                        span.who {
                            (lang.t("header.you")) " " (ltr(&s.caller.party))
                            " (" (role_name(lang, s.caller.role)) ") · "
                            (lang.t("header.deal")) " " (ltr(&s.caller.deal))
                        }
                    }
                    nav.langs aria-label=(lang.t("nav.languages")) {
                        @for l in Lang::ALL {
                            a href={ "?lang=" (l.code()) (keep) } lang=(l.code()) hreflang=(l.code())
                                aria-current=[(l == lang).then_some("true")] { (l.native_name()) }
                        }
                    }
                    @if let Some(s) = session {
                        form.signout method="post" action="/room/signout" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button type="submit" { (lang.t("header.signout")) }
                        }
                    }
                }
                @if let (Some(s), Some(current)) = (session, current) {
                    nav.views aria-label=(lang.t("nav.views")) {
                        ul {
                            @for v in View::ALL {
                                @if v.allowed(s.caller.role) {
                                    li {
                                        a href={ "/room/" (v.slug()) }
                                            aria-current=[(v == current).then_some("page")] {
                                            (lang.t(&format!("view.{}", v.slug())))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (main) }
            }
        }
    }
}

/// The sign-in page.
pub(crate) fn signin(lang: Lang, csrf: &str, error: Option<&str>) -> Markup {
    let main = html! {
        h1 { (lang.t("signin.title")) }
        p { (lang.t("signin.intro")) }
        @if let Some(e) = error {
            p.error role="alert" { (e) }
        }
        form #signin method="post" action="/room/signin" autocomplete="off" {
            input type="hidden" name="csrf" value=(csrf);
            div.field {
                label for="token" { (lang.t("signin.token")) }
                input #token type="password" name="token" autocomplete="off" spellcheck="false" dir="ltr";
            }
            p.or { (lang.t("signin.or")) }
            div.field {
                label for="code" { (lang.t("signin.code")) }
                input #code type="text" name="code" autocomplete="one-time-code" spellcheck="false" dir="ltr";
            }
            button type="submit" { (lang.t("signin.submit")) }
        }
    };
    layout(lang, lang.t("signin.title"), None, None, "", main)
}

/// The answer to a view the role may not open (403).
pub(crate) fn not_for_role(lang: Lang, session: &Session) -> Markup {
    let main = html! {
        h1 { (lang.t("error.forbidden_title")) }
        p role="alert" { (lang.t("error.forbidden_view")) }
        p { a href="/room/overview" { (lang.t("view.overview")) } }
    };
    layout(
        lang,
        lang.t("error.forbidden_title"),
        Some(session),
        Some(View::Overview),
        "",
        main,
    )
}

/// A signed view of the deal.
pub(crate) fn view(p: &Page<'_>) -> Markup {
    let lang = p.lang;
    let main = match p.view {
        View::Overview => overview(p),
        View::Plan => plan(p),
        View::Timeline => timeline(p),
        View::Texts => texts(p),
        View::Persons => persons(p),
        View::Manifest => manifest(p),
        View::Ledger => ledger(p),
    };
    let keep = match p.snap.page {
        Some(page) if p.view == View::Timeline && !page.is_first() => {
            format!("&before={}", page.newest + 1)
        }
        _ => String::new(),
    };
    layout(
        lang,
        lang.t(&format!("view.{}", p.view.slug())),
        Some(p.session),
        Some(p.view),
        &keep,
        main,
    )
}

/// Where the party loads its key file: read in the page, never sent.
fn key_panel(lang: Lang, caller: &Caller) -> Markup {
    html! {
        section.keypanel aria-labelledby="key-h" {
            h2 #key-h { (lang.t("key.title")) }
            p { (lang.t("key.explain")) }
            div.field {
                label for="keyfile" { (lang.t("key.file")) " (" (ltr(&caller.party)) ")" }
                input #keyfile type="file" accept=".json,application/json" data-party=(caller.party);
            }
            p #key-status role="status" aria-live="polite" { (lang.t("key.none")) }
        }
    }
}

/// A form whose submit signs `event` (plus its fields) in the page.
fn sign_form(event: &serde_json::Value, label: &str, fields: Markup) -> Markup {
    html! {
        form.sign data-event=(event.to_string()) {
            (fields)
            button type="submit" disabled { (label) }
            output.result role="status" aria-live="polite" {}
        }
    }
}

/// Most breach reports and findings the overview lists (open ones first);
/// the timeline has them all.
const SHOWN: usize = 50;

fn overview(p: &Page<'_>) -> Markup {
    let (lang, s, role) = (p.lang, p.snap, p.session.caller.role);
    let e = &s.exec;
    let next: Vec<&PlanRow> = s
        .plan
        .iter()
        .flatten()
        .filter(|r| !r.recorded)
        .take(4)
        .collect();
    let left = e.pause_days.saturating_sub(e.day);
    html! {
        h1 { (lang.t("view.overview")) }
        p #live-status role="status" aria-live="polite" { (lang.t("overview.live")) }
        // The script replaces this block with the server's fresh rendering
        // as each event is recorded (room.js, "the live overview").
        div #overview data-after=(s.head_seq) {
        dl.facts {
            dt { (lang.t("overview.state")) } dd { (lang.t(&format!("phase.{}", s.phase))) }
            dt { (lang.t("overview.day")) }
            dd #day-of { (lang.t("overview.day_n")) " " (ltr(e.day)) " " (lang.t("overview.of")) " " (ltr(e.pause_days)) }
            dt { (lang.t("overview.days_left")) } dd { (ltr(left)) }
            @if let Some(end) = &e.pause_end {
                dt { (lang.t("overview.pause_end")) } dd { (ltr(end)) }
            }
            @if let Some(ended) = &e.ended {
                dt { (lang.t("overview.ended")) } dd { (lang.t(&format!("phase.{ended}"))) }
            }
        }
        section aria-labelledby="rel-h" {
            h2 #rel-h { (lang.t("overview.released")) }
            table {
                thead { tr {
                    th scope="col" { (lang.t("col.holder")) } th scope="col" { (lang.t("col.category")) }
                    th scope="col" { (lang.t("col.released")) } th scope="col" { (lang.t("col.planned")) }
                    th scope="col" { (lang.t("col.roster")) }
                } }
                tbody {
                    @for r in &e.released {
                        tr {
                            td { (ltr(&r.holder)) } td { (ltr(&r.category)) }
                            td.num { (ltr(r.released)) }
                            td.num { @if let Some(n) = r.planned { (ltr(n)) } @else { "—" } }
                            td.num { (ltr(r.roster)) }
                        }
                    }
                }
            }
        }
        section aria-labelledby="exp-h" {
            h2 #exp-h { (lang.t("overview.exposure")) }
            @if e.exposure_now.is_empty() { p { (lang.t("overview.none")) } }
            ul {
                @for x in &e.exposure_now {
                    li { (lang.t("overview.rule")) " " (ltr(x.rule)) ", " (ltr(&x.side)) ": " (ltr(format!("{:.1}", x.exposure))) }
                }
            }
            p { (lang.t("overview.max_exposure")) " " (ltr(format!("{:.1}", e.max_exposure))) }
        }
        section aria-labelledby="next-h" {
            h2 #next-h { (lang.t("overview.next")) }
            @if next.is_empty() { p { (lang.t("overview.none")) } }
            ul {
                @for r in &next {
                    li { (lang.t("col.day")) " " (ltr(r.day)) ": " (ltr(&r.from)) (arrow(lang))
                        (ltr(r.to.as_deref().unwrap_or("?"))) ", " (ltr(r.total)) " " (lang.t("overview.persons")) }
                }
            }
        }
        section aria-labelledby="br-h" {
            h2 #br-h { (lang.t("overview.breaches")) }
            @if e.open_breaches.is_empty() { p { (lang.t("overview.none")) } }
            @if e.open_breaches.len() > SHOWN {
                p { (ltr(e.open_breaches.len())) " " (lang.t("overview.open")) "; "
                    (lang.t("overview.first")) " " (ltr(SHOWN)) " — " a href="/room/timeline" { (lang.t("view.timeline")) } }
            }
            ul {
                @for b in e.open_breaches.iter().take(SHOWN) {
                    li {
                        (lang.t("overview.breach")) " " (ltr(format!("#{b}")))
                        @if role == Role::Mediator {
                            (sign_form(&serde_json::json!({"type": "breach-resolved", "breach": b}),
                                lang.t("action.rule"), html! {
                                label for={ "breach-" (b) } { (lang.t("action.finding")) }
                                select id={ "breach-" (b) } data-field="finding" {
                                    option value="upheld" { (lang.t("ruling.upheld")) }
                                    option value="dismissed" { (lang.t("ruling.dismissed")) }
                                }
                            }))
                        }
                    }
                }
            }
        }
        (flows_and_lists(lang, e))
        section aria-labelledby="fi-h" {
            h2 #fi-h { (lang.t("overview.findings")) " (" (ltr(e.open_findings)) " " (lang.t("overview.open")) ")" }
            @if e.findings.is_empty() { p { (lang.t("overview.none")) } }
            @if e.findings.len() > SHOWN {
                p { (lang.t("overview.first")) " " (ltr(SHOWN)) " — " a href="/room/timeline" { (lang.t("view.timeline")) } }
            }
            ul.findings {
                @for f in e.findings.iter().filter(|f| f.ruling.is_none()).chain(e.findings.iter().filter(|f| f.ruling.is_some())).take(SHOWN) {
                    li {
                        (ltr(&f.id)) " — " (f.message) " "
                        @if let Some(r) = &f.ruling {
                            strong { (lang.t(&format!("ruling.{r}"))) }
                        } @else if role == Role::Mediator {
                            (sign_form(&serde_json::json!({"type": "finding-ruled", "finding": f.id}),
                                lang.t("action.rule"), html! {
                                label for={ "ruling-" (f.id) } { (lang.t("action.ruling")) }
                                select id={ "ruling-" (f.id) } data-field="ruling" {
                                    option value="excused" { (lang.t("ruling.excused")) }
                                    option value="upheld" { (lang.t("ruling.upheld")) }
                                }
                                label for={ "reason-" (f.id) } { (lang.t("action.reason")) }
                                input id={ "reason-" (f.id) } type="text" data-field="reason" required maxlength="1000" dir="auto";
                            }))
                        } @else {
                            em { (lang.t("overview.open")) }
                        }
                    }
                }
            }
        }
        }
        (amendments(p))
        section aria-labelledby="report-h" {
            h2 #report-h { (lang.t("action.report")) }
            (sign_form(&serde_json::json!({"type": "breach-reported"}), lang.t("action.report_submit"), html! {
                label for="against" { (lang.t("action.against")) }
                select #against data-field="against" {
                    @for (party, _) in s.parties.iter().filter(|(id, _)| *id != p.session.caller.party.as_str()) {
                        option value=(party) { (party) }
                    }
                }
                label for="summary" { (lang.t("action.summary")) }
                textarea #summary data-field="summary" required maxlength="1000" rows="3" dir="auto" {}
            }))
        }
        (key_panel(lang, &p.session.caller))
    }
}

/// The terms' resource flows, each day's recorded deliveries against the
/// agreed minimum, and the release days' lists (their size and whether the
/// receiving side acknowledged them, never a person), from `/state`.
fn flows_and_lists(lang: Lang, e: &crate::api::ExecutionView) -> Markup {
    html! {
        @if !e.flows.is_empty() {
            section aria-labelledby="flows-h" {
                h2 #flows-h { (lang.t("flows.title")) }
                @for f in &e.flows {
                    @let short = f.per_day.iter().filter(|q| **q < u64::from(f.min_per_day)).count();
                    table.flow data-flow=(f.flow) {
                        caption {
                            (ltr(&f.flow)) " (" (ltr(&f.unit)) "), " (lang.t("flows.by")) " " (ltr(&f.by)) ": "
                            (lang.t("flows.minimum")) " " (ltr(f.min_per_day)) " " (lang.t("flows.per_day")) "; "
                            (lang.t("flows.total")) " " (ltr(f.delivered))
                            @if short > 0 { "; " (ltr(short)) " " (lang.t("flows.days_short")) }
                        }
                        thead { tr {
                            th scope="col" { (lang.t("col.day")) }
                            th scope="col" { (lang.t("flows.delivered_col")) }
                            th scope="col" { (lang.t("flows.minimum_col")) }
                            th scope="col" { (lang.t("col.status")) }
                        } }
                        tbody {
                            @if f.per_day.is_empty() {
                                tr { td colspan="4" { (lang.t("flows.none")) } }
                            }
                            @for (i, q) in f.per_day.iter().enumerate() {
                                @let met = *q >= u64::from(f.min_per_day);
                                tr class=(if met { "met" } else { "short" }) data-day=(i + 1) {
                                    td.num { (ltr(i + 1)) }
                                    td.num { (ltr(q)) }
                                    td.num { (ltr(f.min_per_day)) }
                                    td { (lang.t(if met { "flows.met" } else { "flows.short" })) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !e.lists.is_empty() {
            section aria-labelledby="lists-h" {
                h2 #lists-h { (lang.t("lists.title")) }
                table #lists {
                    thead { tr {
                        th scope="col" { (lang.t("col.day")) }
                        th scope="col" { (lang.t("col.from")) }
                        th scope="col" { (lang.t("col.to")) }
                        th scope="col" { (lang.t("col.persons")) }
                        th scope="col" { (lang.t("col.status")) }
                    } }
                    tbody {
                        @for l in &e.lists {
                            tr data-seq=(l.seq) {
                                td.num { (ltr(l.day)) }
                                td { (ltr(&l.holder)) }
                                td { (ltr(&l.to)) }
                                td.num { (ltr(l.count)) }
                                td { (lang.t(if l.acknowledged { "lists.acknowledged" } else { "lists.waiting" })) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Single text with people: every text and whether its round closed, for
/// every role; the votes only as the API shows them (the mediator every
/// vote, a side its own; none for anyone else: the view renders the API's
/// own answer, `crate::texts::list_texts`). The mediator signs the next
/// text, its own or the algorithm's, and may withdraw the open text
/// (posted in error); a side signs its vote; all in the page. A withdrawn
/// text is labelled so for every role, its votes listed as before. The
/// live page swaps in the server's fresh `#texts` block (room.js).
fn texts(p: &Page<'_>) -> Markup {
    let (lang, caller) = (p.lang, &p.session.caller);
    let Some(t) = &p.snap.texts else {
        return html! {};
    };
    let role = caller.role;
    let talks = matches!(role, Role::Mediator | Role::Side);
    html! {
        h1 { (lang.t("view.texts")) }
        p #live-status role="status" aria-live="polite" { (lang.t("texts.live")) }
        p { (lang.t("texts.intro")) }
        div #texts data-after=(p.snap.head_seq) data-deal=(caller.deal) {
        @if t.issues.is_empty() {
            p { (lang.t("texts.no_issues")) }
        }
        @if t.concluded {
            p.ok { (lang.t("texts.concluded")) }
        }
        @if let Some(a) = &t.agreed {
            section aria-labelledby="agreed-h" {
                h2 #agreed-h { (lang.t("texts.agreed")) }
                p {
                    (lang.t("agree.text")) " " (ltr(a.round)) "; " (lang.t("agree.hash")) " " code { (ltr(a.deal_hash)) }
                }
                @if !t.concluded {
                    p { a href="/room/overview#amend-h" { (lang.t("texts.sign_in_overview")) } }
                }
            }
        }
        section aria-labelledby="rounds-h" {
            h2 #rounds-h { (lang.t("texts.rounds")) }
            @if t.texts.is_empty() { p { (lang.t("texts.none")) } }
            @for text in t.texts.iter().rev() {
                article.text data-round=(text.round) data-closed=(text.closed)
                    data-withdrawn=(text.withdrawn.is_some()) {
                    h3 { (lang.t("agree.text")) " " (ltr(text.round)) }
                    dl.facts {
                        @for issue in &t.issues {
                            dt { (ltr(&issue.id)) }
                            dd { (ltr(text.outcome.get(&issue.id).map_or("—", String::as_str))) }
                        }
                        dt { (lang.t("texts.author")) }
                        dd {
                            (ltr(&text.author))
                            @if let Some(alg) = &text.algorithm {
                                " · " (lang.t("texts.algorithm")) " " (ltr(&alg.mediator))
                                " (" (lang.t("texts.seed")) " " (ltr(alg.seed)) ", " (ltr(alg.rounds)) " " (lang.t("texts.rounds_max")) ")"
                            } @else {
                                " · " (lang.t("texts.by_person"))
                            }
                        }
                        dt { (lang.t("texts.hash")) } dd { code { (ltr(text.text_hash)) } }
                        dt { (lang.t("col.status")) }
                        dd.round-status {
                            @if let Some(w) = &text.withdrawn {
                                (lang.t("texts.withdrawn")) " (" (ltr(&w.author)) ")"
                            } @else if !text.closed {
                                (lang.t("texts.open"))
                            } @else if let Some(acc) = text.accepted {
                                (lang.t(if acc { "texts.accepted" } else { "texts.rejected" }))
                            } @else {
                                (lang.t("texts.closed"))
                            }
                        }
                        @if let Some(votes) = &text.votes {
                            dt { (lang.t(if role == Role::Mediator { "texts.votes" } else { "texts.your_vote" })) }
                            dd.votes {
                                @if votes.is_empty() { (lang.t("texts.no_vote")) }
                                @for v in votes {
                                    span.vote data-party=(v.party) data-accept=(v.accept) {
                                        (ltr(&v.party)) ": " (lang.t(if v.accept { "texts.accept" } else { "texts.reject" }))
                                    }
                                    " "
                                }
                            }
                        }
                    }
                    @if role == Role::Mediator && !t.concluded && !text.closed && text.withdrawn.is_none() {
                        form.sign.withdraw data-round=(text.round) data-text=(text.text_hash) {
                            p { (lang.t("texts.withdraw_note")) }
                            button type="submit" disabled { (lang.t("texts.withdraw")) }
                            output.result role="status" aria-live="polite" {}
                        }
                    }
                    @if role == Role::Side && !t.concluded && !text.closed && text.withdrawn.is_none()
                        && text.votes.as_ref().is_some_and(|v| v.iter().all(|v| v.party != caller.party)) {
                        form.sign.vote data-round=(text.round) data-text=(text.text_hash) {
                            label for={ "vote-" (text.round) } { (lang.t("texts.your_vote")) }
                            select id={ "vote-" (text.round) } data-field="accept" {
                                option value="true" { (lang.t("texts.accept")) }
                                option value="false" { (lang.t("texts.reject")) }
                            }
                            button type="submit" disabled { (lang.t("texts.sign_vote")) }
                            output.result role="status" aria-live="polite" {}
                        }
                    }
                }
            }
        }
        @if role == Role::Mediator && !t.concluded && !t.issues.is_empty() {
            section aria-labelledby="next-text-h" {
                h2 #next-text-h { (lang.t("texts.next")) " " (ltr(t.next_round)) }
                @if t.open {
                    p { (lang.t("texts.waiting")) }
                } @else {
                    form.sign.text data-round=(t.next_round) {
                        fieldset {
                            legend { (lang.t("texts.write")) }
                            @for issue in &t.issues {
                                div.field {
                                    label for={ "issue-" (issue.id) } { (ltr(&issue.id)) }
                                    select id={ "issue-" (issue.id) } data-issue=(issue.id) {
                                        @for o in &issue.options { option value=(o) { (o) } }
                                    }
                                }
                            }
                        }
                        button type="submit" disabled { (lang.t("texts.sign_text")) }
                        output.result role="status" aria-live="polite" {}
                    }
                    form.sign.algorithm data-round=(t.next_round) {
                        fieldset {
                            legend { (lang.t("texts.ask_algorithm")) }
                            div.field {
                                label for="alg-mediator" { (lang.t("texts.algorithm")) }
                                select #alg-mediator data-alg="mediator" {
                                    @for k in truce_agents::MediatorKind::STEPPABLE {
                                        option value=(k.name()) selected[k == truce_agents::MediatorKind::Feedback] { (k.name()) }
                                    }
                                }
                            }
                            div.field {
                                label for="alg-seed" { (lang.t("texts.seed")) }
                                input #alg-seed type="number" min="0" value="1" data-alg="seed" dir="ltr";
                            }
                            div.field {
                                label for="alg-rounds" { (lang.t("texts.rounds_max")) }
                                input #alg-rounds type="number" min="1" max=(crate::MAX_ALGORITHM_ROUNDS) value=(crate::api::DEFAULT_TEXT_ROUNDS) data-alg="rounds" dir="ltr";
                            }
                        }
                        button type="submit" disabled { (lang.t("texts.sign_algorithm")) }
                        output.result role="status" aria-live="polite" {}
                    }
                }
            }
        }
        }
        @if talks { (key_panel(lang, caller)) }
    }
}

/// What waits for the sides' signatures: the agreement while the deal is
/// negotiated, then amendments kept and not yet recorded, with what each
/// changes and who signed. A side signs in the page, the mediator records
/// the event once every side has (`room/amend.rs`).
///
/// The block is there, empty, when nothing waits, so the live overview
/// (room.js) can swap in a section that appears: it refetches the block
/// on each event and each signature kept (`signed` on the stream).
fn amendments(p: &Page<'_>) -> Markup {
    let (lang, caller) = (p.lang, &p.session.caller);
    if !matches!(caller.role, Role::Mediator | Role::Side) {
        return html! {};
    }
    let Some(first) = p.snap.pending.first() else {
        return html! { div #amendments data-pending="0" {} };
    };
    let agreement = first.amendment.is_none();
    html! {
        div #amendments data-pending=(p.snap.pending.len()) {
        section aria-labelledby="amend-h" {
            h2 #amend-h { (lang.t(if agreement { "agree.title" } else { "amend.title" })) }
            @for (i, a) in p.snap.pending.iter().enumerate() {
                @let signed_by: Vec<&str> = a.signatures.keys().map(String::as_str).collect();
                article.amendment data-deal-hash=(a.deal_hash) data-signed-by=(signed_by.join(" ")) {
                    @if let Some((n, replaces)) = a.amendment {
                        h3 { (lang.t("amend.number")) " " (ltr(n)) }
                        dl.facts {
                            dt { (lang.t("amend.replaces")) } dd { code { (ltr(replaces)) } }
                            dt { (lang.t("amend.new")) } dd { code { (ltr(a.deal_hash)) } }
                        }
                    } @else {
                        dl.facts {
                            dt { (lang.t("agree.hash")) } dd { code { (ltr(a.deal_hash)) } }
                            dt { (lang.t("agree.what")) }
                            dd.agreed-text data-round=[a.text_round] {
                                @if let Some(round) = a.text_round {
                                    (lang.t("agree.text")) " " (ltr(round)) " — "
                                    a href="/room/texts" { (lang.t("view.texts")) }
                                } @else {
                                    (lang.t("agree.draft"))
                                }
                            }
                        }
                    }
                    dl.facts {
                        dt { (lang.t("amend.signed")) }
                        dd.signed { @for (party, _) in &a.signatures { (ltr(party)) " " } }
                        @let waiting: Vec<&String> = a.sides.iter().filter(|s| !a.signatures.contains_key(*s)).collect();
                        @if !waiting.is_empty() {
                            dt { (lang.t("amend.waiting")) }
                            dd.waiting { @for party in &waiting { (ltr(party)) " " } }
                        }
                    }
                    @if !agreement {
                        h4 { (lang.t("amend.changes")) }
                        @if a.changes.is_empty() { p { (lang.t("amend.no_changes")) } }
                        ul.changes {
                            @for c in &a.changes {
                                li { (ltr(&c.path)) ": " (ltr(&c.old)) (arrow(lang)) (ltr(&c.new)) }
                            }
                        }
                    }
                    @if caller.role == Role::Side {
                        @if a.signatures.contains_key(caller.party.as_str()) {
                            p.ok { (lang.t(if agreement { "agree.you_signed" } else { "amend.you_signed" })) }
                        } @else {
                            form class={ "sign " (if agreement { "agree" } else { "amend" }) }
                                data-statement=(a.statement(caller.deal.as_str()).to_string())
                                data-domain=(a.domain()) data-post=(a.post_to()) {
                                button type="submit" disabled { (lang.t(if agreement { "agree.sign" } else { "amend.sign" })) }
                                output.result role="status" aria-live="polite" {}
                            }
                        }
                    }
                    @if caller.role == Role::Mediator && a.complete() {
                        @if agreement {
                            (sign_form(&a.event(), lang.t("agree.record"), html! {}))
                        } @else {
                            (sign_form(&a.event(), lang.t("amend.record"), html! {
                                label for={ "amend-reason-" (i) } { (lang.t("amend.reason")) }
                                input id={ "amend-reason-" (i) } type="text" data-field="reason" required maxlength="1000" dir="auto";
                            }))
                        }
                    }
                }
            }
        }
        }
    }
}

/// The plan's chart: persons per planned day, carried days filled,
/// re-planned days marked; days run with the reading direction (mirrored
/// in Arabic and Hebrew).
fn chart(lang: Lang, rows: &[PlanRow], days: u32) -> Markup {
    let days = days.max(1);
    // (persons, every handover carried, any re-planned)
    let mut per_day = vec![(0usize, true, false); days as usize];
    for r in rows {
        if let Some(slot) = per_day.get_mut(r.day.saturating_sub(1) as usize) {
            slot.0 += r.total;
            slot.1 &= r.recorded;
            slot.2 |= r.replanned.is_some();
        }
    }
    let max = per_day.iter().map(|d| d.0).max().unwrap_or(1).max(1);
    // At least ten slots wide, so a short plan's bars and labels keep a
    // readable size instead of filling the page.
    let (w, h, bar) = (40 * days.max(10) + 20, 140u32, 28u32);
    let rtl = lang.dir() == "rtl";
    html! {
        svg.chart viewBox={ "0 0 " (w) " " (h) } role="img" aria-labelledby="chart-t" {
            title #chart-t { (lang.t("plan.chart")) }
            @for (i, (n, done, replanned)) in per_day.iter().enumerate() {
                @let bh = (100 * *n / max) as u32;
                @let x0 = 10 + 40 * i as u32;
                @let x = if rtl { w - x0 - bar } else { x0 };
                @let class = if *done { "bar done" } else if *replanned { "bar replanned" } else { "bar" };
                rect class=(class) x=(x) y=(110 - bh) width=(bar) height=(bh) {}
                text x=(x + bar / 2) y="128" text-anchor="middle" { (i + 1) }
            }
        }
    }
}

/// The class of a plan row: carried out, re-planned, both or neither.
fn row_class(r: &PlanRow) -> Option<&'static str> {
    match (r.recorded, r.replanned.is_some()) {
        (true, true) => Some("done replanned"),
        (true, false) => Some("done"),
        (false, true) => Some("replanned"),
        (false, false) => None,
    }
}

/// A plan's handovers, day by day: the plan in force (`replans` names the
/// re-plan that changed a row's day) or an earlier one.
fn plan_table(lang: Lang, class: &str, rows: &[PlanRow], replans: &[Replan]) -> Markup {
    html! {
        table class=(class) {
            thead { tr {
                th scope="col" { (lang.t("col.day")) } th scope="col" { (lang.t("col.from")) }
                th scope="col" { (lang.t("col.to")) } th scope="col" { (lang.t("col.via")) }
                th scope="col" { (lang.t("col.persons")) } th scope="col" { (lang.t("col.status")) }
            } }
            tbody {
                @for r in rows {
                    tr class=[row_class(r)] {
                        td.num { (ltr(r.day)) }
                        td { (ltr(&r.from)) }
                        td { (ltr(r.to.as_deref().unwrap_or("?"))) }
                        td { (ltr(r.via.as_deref().unwrap_or("—"))) }
                        td {
                            (ltr(r.total))
                            @for (c, n) in &r.counts { " · " (ltr(c)) " " (ltr(n)) }
                            @if let Some(ids) = &r.persons {
                                details { summary { (lang.t("plan.ids")) } p.ids { @for id in ids { (ltr(id)) " " } } }
                            }
                        }
                        td {
                            @if r.recorded { "✓ " (lang.t("plan.carried")) } @else { (lang.t("plan.planned")) }
                            @if let Some(x) = r.replanned.and_then(|i| replans.get(i)) {
                                br;
                                span.replanned { "↻ " (lang.t("plan.replanned")) " " (ltr(format!("#{}", x.seq))) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A hash as its first 12 hex digits, the whole in a tooltip.
fn short_hash(hash: &truce_ledger::Hash) -> Markup {
    let full = hash.to_string();
    html! { code title=(full) { (ltr(full.get(..12).unwrap_or_default())) } }
}

/// The plans that replaced others, newest first: which plan, when, after
/// which amendment, the days it changed, and the plan it replaced.
fn replans(lang: Lang, replans: &[Replan]) -> Markup {
    html! {
        section #replans aria-labelledby="replans-h" {
            h2 #replans-h { (lang.t("plan.replans")) }
            @for (i, x) in replans.iter().enumerate().rev() {
                article.replan aria-labelledby={ "replan-" (i) } {
                    h3 id={ "replan-" (i) } { (lang.t("plan.new_plan")) " " (short_hash(&x.plan_hash)) }
                    dl.facts {
                        dt { (lang.t("plan.adopted_at")) } dd { (ltr(format!("#{}", x.seq))) }
                        dt { (lang.t("plan.after_amendment")) }
                        dd { @if let Some((n, at)) = x.amendment { (ltr(n)) " (" (ltr(format!("#{at}"))) ")" } @else { "—" } }
                        dt { (lang.t("plan.replaced")) } dd { (short_hash(&x.replaced)) }
                        dt { (lang.t("plan.days_replanned")) }
                        dd {
                            @if x.days.is_empty() { (lang.t("overview.none")) }
                            @for (k, d) in x.days.iter().enumerate() { @if k > 0 { ", " } (ltr(d)) }
                        }
                    }
                    details.earlier {
                        summary { (lang.t("plan.earlier")) " " (short_hash(&x.replaced)) }
                        (plan_table(lang, "earlier-plan", &x.earlier, &[]))
                    }
                }
            }
        }
    }
}

fn plan(p: &Page<'_>) -> Markup {
    let (lang, s) = (p.lang, p.snap);
    html! {
        h1 { (lang.t("view.plan")) }
        @match &s.plan {
            None => p { (lang.t("plan.none")) },
            Some(rows) => {
                (chart(lang, rows, s.plan_days))
                p.legend {
                    span.swatch.done {} " " (lang.t("plan.carried")) " "
                    @if !s.replans.is_empty() { span.swatch.replanned {} " " (lang.t("plan.replanned")) " " }
                    span.swatch {} " " (lang.t("plan.planned"))
                }
                (plan_table(lang, "plan", rows, &s.replans))
                @if !s.replans.is_empty() { (replans(lang, &s.replans)) }
            }
        }
    }
}

/// One timeline row: what was signed, when, by whom.
pub(crate) fn event_row(
    lang: Lang,
    caller: &Caller,
    ev: &EventView,
    unconfirmed: &[u64],
) -> Markup {
    let e = &ev.signed["event"];
    let s = |k: &str| e[k].as_str().unwrap_or("").to_owned();
    let n = |k: &str| e[k].as_u64().map(|v| v.to_string()).unwrap_or_default();
    let confirmable = ev.kind == "handover-recorded"
        && s("to") == caller.party.as_str()
        && unconfirmed.contains(&ev.seq);
    html! {
        li.event data-seq=(ev.seq) data-kind=(ev.kind) data-confirms=[(ev.kind == "handover-confirmed").then(|| n("handover"))] {
            span.seq { (ltr(format!("#{}", ev.seq))) }
            " "
            time datetime=(ev.at_ms) { (ltr(utc(ev.at_ms))) }
            " "
            strong.kind { (lang.t(&format!("kind.{}", ev.kind))) }
            " "
            span.by { (lang.t("timeline.signed_by")) " " (ltr(&ev.author)) }
            div.detail {
                @match ev.kind.as_str() {
                    "handover-recorded" => {
                        (lang.t("col.day")) " " (ltr(n("day"))) ": " (ltr(s("holder"))) (arrow(lang)) (ltr(s("to"))) ", "
                        (ltr(e["pseudonyms"].as_array().map_or(0, Vec::len))) " " (lang.t("overview.persons"))
                        @if let Some(ids) = &ev.persons { " (" @for id in ids { (ltr(id)) " " } ")" }
                    }
                    "handover-confirmed" => { (lang.t("timeline.handover")) " " (ltr(format!("#{}", n("handover")))) }
                    "breach-reported" => { (lang.t("action.against")) " " (ltr(s("against"))) ": " bdi { (s("summary")) } }
                    "breach-resolved" => { (lang.t("overview.breach")) " " (ltr(format!("#{}", n("breach")))) ": " (lang.t(&format!("ruling.{}", s("finding")))) }
                    "finding-ruled" => { (ltr(s("finding"))) ": " (lang.t(&format!("ruling.{}", s("ruling")))) " — " bdi { (s("reason")) } }
                    "suspended" | "collapsed" => { bdi { (s("reason")) } }
                    "extended" => { "+" (ltr(n("days"))) }
                    "plan-adopted" => { (ltr(n("days"))) " · " (ltr(s("plan_hash").get(..12).unwrap_or_default())) }
                    "deal-agreed" => { (ltr(s("deal_hash").get(..12).unwrap_or_default())) }
                    "flow-recorded" => {
                        (ltr(s("flow"))) ", " (lang.t("col.day")) " " (ltr(n("day"))) ": "
                        (ltr(n("quantity"))) " " (lang.t("flows.delivered"))
                    }
                    "lists-exchanged" => {
                        (lang.t("col.day")) " " (ltr(n("day"))) ": " (lang.t("lists.list_to")) " " (ltr(s("to"))) ", "
                        (ltr(n("count"))) " " (lang.t("overview.persons"))
                    }
                    "list-acknowledged" => { (lang.t("lists.list")) " " (ltr(format!("#{}", n("list")))) }
                    "deal-amended" => {
                        (lang.t("amend.number")) " " (ltr(n("amendment"))) " · "
                        (ltr(s("deal_hash").get(..12).unwrap_or_default())) " — " bdi { (s("reason")) }
                    }
                    _ => {}
                }
            }
            @if confirmable {
                (sign_form(&serde_json::json!({"type": "handover-confirmed", "handover": ev.seq}),
                    lang.t("action.confirm"), html! {}))
            }
        }
    }
}

/// The link to a timeline page (`None`: the newest).
fn timeline_href(before: Option<u64>) -> String {
    match before {
        Some(b) => format!("/room/timeline?before={b}"),
        None => "/room/timeline".to_owned(),
    }
}

/// Links to the newer and the older page of the timeline.
fn timeline_pages(lang: Lang, page: TimelinePage) -> Markup {
    html! {
        nav.pages aria-label=(lang.t("timeline.pages")) {
            p {
                (lang.t("timeline.events")) " "
                @if page.newest >= page.oldest { (ltr(format!("{}–{}", page.oldest, page.newest))) } @else { (ltr(0)) }
                " " (lang.t("overview.of")) " " (ltr(page.head))
            }
            ul {
                @if let Some(newer) = page.newer() {
                    li { a href=(timeline_href(newer)) rel="prev" { (lang.t("timeline.newer")) } }
                }
                @if let Some(older) = page.older() {
                    li { a href=(timeline_href(Some(older))) rel="next" { (lang.t("timeline.older")) } }
                }
            }
        }
    }
}

fn timeline(p: &Page<'_>) -> Markup {
    let lang = p.lang;
    let unconfirmed: Vec<u64> = p
        .snap
        .handovers
        .iter()
        .filter(|h| !h.confirmed)
        .map(|h| h.seq)
        .collect();
    let page = p
        .snap
        .page
        .unwrap_or_else(|| TimelinePage::before(p.snap.head_seq, None));
    html! {
        h1 { (lang.t("view.timeline")) }
        @if page.is_first() {
            p #live-status role="status" aria-live="polite" { (lang.t("timeline.live")) }
        } @else {
            p { (lang.t("timeline.older_page")) " " a href="/room/timeline" { (lang.t("timeline.newest")) } }
        }
        (timeline_pages(lang, page))
        // Only the newest page follows the stream (room.js reads data-after).
        ol #timeline reversed data-after=[page.is_first().then_some(page.head)] {
            @for ev in &p.snap.events {
                (event_row(lang, &p.session.caller, ev, &unconfirmed))
            }
        }
        @if let Some(older) = page.older() {
            p.pages { a href=(timeline_href(Some(older))) rel="next" { (lang.t("timeline.older")) } }
        }
        (key_panel(lang, &p.session.caller))
    }
}

fn persons(p: &Page<'_>) -> Markup {
    let lang = p.lang;
    let q = p.query.trim().to_lowercase();
    let rows: Vec<_> = p
        .snap
        .persons
        .iter()
        .filter(|r| {
            q.is_empty()
                || r.id.to_lowercase().contains(&q)
                || r.category.contains(&q)
                || r.holder.contains(&q)
                || r.group
                    .as_deref()
                    .is_some_and(|g| g.to_lowercase().contains(&q))
        })
        .collect();
    html! {
        h1 { (lang.t("view.persons")) }
        form.search method="get" action="/room/persons" role="search" {
            label for="q" { (lang.t("persons.search")) }
            input #q type="search" name="q" value=(p.query) data-filter="persons" dir="auto";
            button type="submit" { (lang.t("persons.search_submit")) }
        }
        p role="status" { (ltr(rows.len())) " " (lang.t("overview.persons")) }
        table #persons {
            thead { tr {
                th scope="col" { (lang.t("col.id")) } th scope="col" { (lang.t("col.holder")) }
                th scope="col" { (lang.t("col.category")) } th scope="col" { (lang.t("col.group")) }
                th scope="col" { (lang.t("col.planned_day")) } th scope="col" { (lang.t("col.actual_day")) }
            } }
            tbody {
                @for r in rows {
                    tr {
                        td { (ltr(&r.id)) } td { (ltr(&r.holder)) } td { (ltr(&r.category)) }
                        td { @if let Some(g) = &r.group { (ltr(g)) } }
                        td.num { @if let Some(d) = r.planned_day { (ltr(d)) } }
                        td.num { @if let Some(d) = r.actual_day { (ltr(d)) } }
                    }
                }
            }
        }
    }
}

fn manifest(p: &Page<'_>) -> Markup {
    let (lang, caller) = (p.lang, &p.session.caller);
    let rows: Vec<&PlanRow> = p
        .snap
        .plan
        .iter()
        .flatten()
        .filter(|r| {
            caller.role == Role::Mediator || r.via.as_deref() == Some(caller.party.as_str())
        })
        .collect();
    html! {
        h1 { (lang.t("view.manifest")) }
        p.noprint { button #print type="button" hidden { (lang.t("manifest.print")) } }
        @if rows.is_empty() { p { (lang.t("plan.none")) } }
        @for (i, r) in rows.iter().enumerate() {
            section.convoy aria-labelledby={ "convoy-" (i) } {
                h2 id={ "convoy-" (i) } {
                    (lang.t("col.day")) " " (ltr(r.day)) " — " (lang.t("manifest.convoy")) " " (ltr(i + 1))
                }
                dl.facts {
                    dt { (lang.t("col.from")) } dd { (ltr(&r.from)) }
                    dt { (lang.t("col.to")) } dd { (ltr(r.to.as_deref().unwrap_or("?"))) }
                    dt { (lang.t("col.via")) } dd { (ltr(r.via.as_deref().unwrap_or("—"))) }
                    dt { (lang.t("col.persons")) } dd { (ltr(r.total)) }
                    dt { (lang.t("col.status")) } dd { @if r.recorded { (lang.t("plan.carried")) } @else { (lang.t("plan.planned")) } }
                }
                table {
                    thead { tr { th scope="col" { (lang.t("col.category")) } th scope="col" { (lang.t("col.persons")) } } }
                    tbody { @for (c, n) in &r.counts { tr { td { (ltr(c)) } td.num { (ltr(n)) } } } }
                }
                @if let Some(ids) = &r.persons {
                    table.ids {
                        thead { tr { th scope="col" { "#" } th scope="col" { (lang.t("col.id")) } th scope="col" { (lang.t("manifest.check")) } } }
                        tbody { @for (k, id) in ids.iter().enumerate() { tr { td.num { (ltr(k + 1)) } td { (ltr(id)) } td.check {} } } }
                    }
                    @if !r.recorded && caller.role == Role::Intermediary {
                        div.noprint {
                            (sign_form(&serde_json::json!({
                                "type": "handover-recorded", "day": r.day, "holder": r.from,
                                "to": r.to, "counts": r.counts,
                            }), lang.t("action.record"), html! {
                                input type="hidden" data-persons=(serde_json::to_string(ids).unwrap_or_default());
                            }))
                        }
                    }
                }
            }
        }
        @if caller.role == Role::Intermediary { div.noprint { (key_panel(lang, caller)) } }
    }
}

fn ledger(p: &Page<'_>) -> Markup {
    let (lang, e) = (p.lang, &p.snap.exec);
    html! {
        h1 { (lang.t("view.ledger")) }
        p { a href="/room/ledger.jsonl" download="ledger.jsonl" { (lang.t("ledger.export")) " (" (ltr("ledger.jsonl")) ")" } " · "
            a href="/room/keys.json" download="keys.json" { (lang.t("ledger.keys")) " (" (ltr("keys.json")) ")" } }
        p { (lang.t("ledger.explain")) }
        p { (lang.t("ledger.offline")) " " code dir="ltr" { "truce verify ledger.jsonl --keys keys.json" } }
        button #verify type="button" disabled { (lang.t("ledger.verify")) }
        p #verify-result role="status" aria-live="polite" data-ok=(lang.t("ledger.ok")) data-bad=(lang.t("ledger.bad")) {}
        h2 { (lang.t("ledger.compliance")) }
        p { (ltr(e.findings.len())) " " (lang.t("overview.findings")) ", " (ltr(e.open_findings)) " " (lang.t("overview.open")) }
    }
}
