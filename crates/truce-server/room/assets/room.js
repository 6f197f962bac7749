// The room's only script: progressive enhancement of server-rendered pages.
// - signs events in the page with the party's own ed25519 key (WebCrypto);
//   the key file is read here and never leaves the page
// - the live timeline, overview and texts (server-sent events)
// - single text with people: the mediator's texts and the sides' votes,
//   signed in the page
// - verifies the exported ledger in the browser with the deal's public keys
// Every page works for reading without it.
"use strict";
(function () {
  const enc = new TextEncoder();
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const msg = (name) => document.body.dataset["m" + name] || name;
  // Set an element's text from parts: strings in the page's language, and
  // [text] for an id, number or hash kept left to right (as the server's
  // <bdi dir="ltr"> does) in Arabic and Hebrew pages.
  function say(el, ...parts) {
    el.textContent = "";
    parts.forEach((part, i) => {
      if (i > 0) el.append(" ");
      if (Array.isArray(part)) {
        const b = document.createElement("bdi");
        b.dir = "ltr";
        b.className = "ltr";
        b.textContent = String(part[0]);
        el.append(b);
      } else {
        el.append(String(part));
      }
    });
  }
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  const unhex = (h) => {
    if (!/^([0-9a-f]{2})*$/i.test(h)) throw new Error("not hex");
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
    return out;
  };
  // RFC 8785 canonical JSON for what the ledger holds: strings, safe
  // integers, booleans, null, arrays and objects (keys in UTF-16 order).
  function canon(v) {
    if (v === null || typeof v !== "object") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
    return "{" + Object.keys(v).sort().filter((k) => v[k] !== undefined)
      .map((k) => JSON.stringify(k) + ":" + canon(v[k])).join(",") + "}";
  }
  const sha256 = async (text) => hex(await crypto.subtle.digest("SHA-256", enc.encode(text)));
  const csrf = () => ($('meta[name="csrf-token"]') || {}).content || "";

  // ---- the signing key ------------------------------------------------
  let signingKey = null;
  // PKCS#8 wrapping of a raw 32-byte ed25519 seed (RFC 8410).
  const PKCS8_PREFIX = unhex("302e020100300506032b657004220420");
  async function importSeed(seedHex) {
    const seed = unhex(seedHex.trim());
    if (seed.length !== 32) throw new Error(msg("Badseed"));
    const der = new Uint8Array(48);
    der.set(PKCS8_PREFIX);
    der.set(seed, 16);
    return crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, false, ["sign"]);
  }
  function enableForms() {
    $$("form.sign button").forEach((b) => { b.disabled = !signingKey; });
  }
  const keyInput = $("#keyfile");
  if (keyInput) {
    keyInput.addEventListener("change", async () => {
      const status = $("#key-status");
      const file = keyInput.files && keyInput.files[0];
      keyInput.value = "";
      if (!file) return;
      try {
        const k = JSON.parse(await file.text());
        if (k.party !== keyInput.dataset.party) {
          say(status, msg("Keyparty"), [k.party]);
          status.className = "bad";
          return;
        }
        signingKey = await importSeed(String(k.secret_key || ""));
        status.textContent = msg("Keyok");
        status.className = "ok";
      } catch (e) {
        signingKey = null;
        say(status, window.crypto && crypto.subtle ? msg("Keybad") : msg("Nocrypto"), [e.message]);
        status.className = "bad";
      }
      enableForms();
    });
  }

  async function pseudonyms(personKeyHex, deal, ids) {
    const key = await crypto.subtle.importKey("raw", unhex(personKeyHex), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const out = [];
    for (const id of ids) {
      out.push(hex(await crypto.subtle.sign("HMAC", key, enc.encode("truce/person/v1\n" + deal + "\n" + id))));
    }
    return out;
  }

  async function signAndSend(form) {
    const out = $("output.result", form);
    const button = $("button", form);
    out.className = "result";
    out.textContent = msg("Signing");
    form.dataset.sent = "1";
    button.disabled = true;
    try {
      if (form.dataset.statement) {
        await signStatement(form, out);
        return;
      }
      if (form.classList.contains("vote") || form.classList.contains("text") ||
          form.classList.contains("algorithm") || form.classList.contains("withdraw")) {
        await signTalks(form, out);
        return;
      }
      const event = JSON.parse(form.dataset.event);
      $$("[data-field]", form).forEach((el) => { event[el.dataset.field] = el.value; });
      const st = await (await fetch("/room/sign", { credentials: "same-origin" })).json();
      const persons = $("[data-persons]", form);
      if (persons) {
        if (!st.person_key) throw new Error(msg("Nopersonkey"));
        event.pseudonyms = await pseudonyms(st.person_key, st.deal, JSON.parse(persons.dataset.persons));
      }
      const body = { at_ms: Date.now(), author: st.party, deal: st.deal, event: event,
        format_version: 1, prev: st.head, seq: st.next_seq };
      const sig = await crypto.subtle.sign({ name: "Ed25519" }, signingKey,
        enc.encode("truce/event/v1\n" + canon(body)));
      body.signature = hex(sig);
      const res = await fetch("/room/events", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify(body),
      });
      const answer = await res.json().catch(() => ({}));
      if (res.status === 201) {
        say(out, msg("Recorded"), ["#" + answer.seq]);
        out.className = "result ok";
        form.dataset.done = "1";
        return;
      }
      // The service's reason, as it words it (left to right).
      say(out, msg("Refused"), [answer.detail || answer.title || res.status]);
      out.className = "result bad";
    } catch (e) {
      say(out, msg("Refused"), [e.message]);
      out.className = "result bad";
    }
    button.disabled = !signingKey;
  }
  // A side's signature on the agreement or an amendment: the form's domain
  // tag, a newline, then its statement's canonical JSON, as
  // truce_ledger::agreement_message / amendment_message build them; the
  // service keeps it until the mediator records the event.
  async function signStatement(form, out) {
    const stmt = JSON.parse(form.dataset.statement);
    const sig = await crypto.subtle.sign({ name: "Ed25519" }, signingKey,
      enc.encode(form.dataset.domain + "\n" + canon(stmt)));
    const body = Object.assign({}, stmt, { signature: hex(sig) });
    delete body.deal;
    const res = await fetch(form.dataset.post, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    if (res.status !== 201) throw new Error(answer.detail || answer.title || String(res.status));
    out.textContent = msg("Statementsigned");
    out.className = "result ok";
    form.dataset.done = "1";
  }
  // Single text with people (the Texts view). A side's vote: the domain
  // tag "truce/vote/v1", a newline, then the canonical JSON
  // {"accept","deal","round","text"} (truce_ledger::vote_message). The
  // mediator's text: "truce/text/v1", a newline, then {"deal","outcome",
  // "round"} (truce_ledger::text_message); for the algorithm's text the
  // page first asks the service what the algorithm proposes now. The
  // mediator's withdrawal of an open text: "truce/withdraw/v1", a newline,
  // then {"deal","round","text"} (truce_ledger::withdraw_message).
  async function post(url, body) {
    const res = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    return { status: res.status, answer: answer };
  }
  const refused = (r) => new Error(r.answer.detail || r.answer.title || String(r.status));
  async function signTalks(form, out) {
    const deal = $("#texts").dataset.deal;
    const round = Number(form.dataset.round);
    if (form.classList.contains("vote")) {
      const accept = $('[data-field="accept"]', form).value === "true";
      const stmt = { accept: accept, deal: deal, round: round, text: form.dataset.text };
      const sig = await crypto.subtle.sign({ name: "Ed25519" }, signingKey,
        enc.encode("truce/vote/v1\n" + canon(stmt)));
      const r = await post("/room/text/" + round + "/votes", { accept: accept, signature: hex(sig) });
      if (r.status !== 201) throw refused(r);
      out.textContent = msg("Voted");
      out.className = "result ok";
      form.dataset.done = "1";
      return;
    }
    if (form.classList.contains("withdraw")) {
      const stmt = { deal: deal, round: round, text: form.dataset.text };
      const sig = await crypto.subtle.sign({ name: "Ed25519" }, signingKey,
        enc.encode("truce/withdraw/v1\n" + canon(stmt)));
      const r = await post("/room/text/" + round + "/withdraw", { signature: hex(sig) });
      if (r.status !== 201) throw refused(r);
      out.textContent = msg("Withdrawn");
      out.className = "result ok";
      form.dataset.done = "1";
      return;
    }
    let outcome = {};
    let algorithm;
    let number = round;
    if (form.classList.contains("text")) {
      $$("[data-issue]", form).forEach((el) => { outcome[el.dataset.issue] = el.value; });
    } else {
      algorithm = { mediator: $('[data-alg="mediator"]', form).value,
        seed: Number($('[data-alg="seed"]', form).value || 0),
        rounds: Number($('[data-alg="rounds"]', form).value || 1) };
      const r = await post("/room/text/next", algorithm);
      if (r.status !== 200) throw refused(r);
      if (!r.answer.outcome) {
        say(out, msg("Algdone"), [canon(r.answer.done || {})]);
        out.className = "result";
        $("button", form).disabled = !signingKey;
        return;
      }
      outcome = r.answer.outcome;
      number = r.answer.round;
    }
    const stmt = { deal: deal, outcome: outcome, round: number };
    const sig = await crypto.subtle.sign({ name: "Ed25519" }, signingKey,
      enc.encode("truce/text/v1\n" + canon(stmt)));
    const body = { outcome: outcome, round: number, signature: hex(sig) };
    if (algorithm) body.algorithm = algorithm;
    const r = await post("/room/text", body);
    if (r.status !== 201) throw refused(r);
    say(out, msg("Textposted"), [number]);
    out.className = "result ok";
    form.dataset.done = "1";
  }
  document.addEventListener("submit", (ev) => {
    const form = ev.target;
    if (form.matches && form.matches("form.sign")) {
      ev.preventDefault();
      if (signingKey && !form.dataset.done) signAndSend(form);
    }
  });

  // ---- the live timeline ----------------------------------------------
  // Only the newest page follows the stream: older pages have no data-after.
  const list = $("#timeline");
  if (list && list.dataset.after !== undefined && window.EventSource) {
    const status = $("#live-status");
    const es = new EventSource("/room/stream?after=" + encodeURIComponent(list.dataset.after || "0"));
    es.addEventListener("open", () => { status.textContent = msg("Live"); status.dataset.state = "open"; });
    es.addEventListener("error", () => { status.textContent = msg("Reconnecting"); status.dataset.state = "reconnecting"; });
    es.addEventListener("appended", (e) => {
      if ($('li.event[data-seq="' + e.lastEventId + '"]', list)) return;
      list.insertAdjacentHTML("afterbegin", e.data);
      const li = list.firstElementChild;
      li.classList.add("new");
      const confirms = li.dataset.confirms;
      if (confirms) {
        // Confirmed: the button goes; a form that just signed keeps its answer.
        const f = $('li.event[data-seq="' + confirms + '"] form.sign', list);
        if (f && f.dataset.sent) $("button", f).remove();
        else if (f) f.remove();
      }
      enableForms();
    });
  }

  // ---- the live overview ----------------------------------------------
  // Each recorded event (the same stream as the timeline) and each side's
  // signature kept on the agreement or an amendment (`signed`) fetches the
  // page again and swaps in the server's fresh live blocks (#overview, and
  // #amendments: who signed, the mediator's record form), so the figures
  // stay the server's, cut to the role, never recomputed here. Events that
  // arrive during a fetch are covered by one more fetch; a block with a
  // field being typed in (a ruling's reason) is swapped once it loses the
  // focus. What a form just answered here (signed, recorded, refused)
  // stays in view at the top of the fresh block.
  // The Texts view follows the same way: its #texts block is swapped in
  // fresh on each event, each text and each closed round (`signed`), and
  // for the mediator and the sides each vote (the stream tells no other
  // role of a vote; the block the server renders for them has none).
  const overview = $("#overview") || $("#texts");
  if (overview && window.EventSource) {
    const status = $("#live-status");
    const live = status.textContent;
    const BLOCKS = ["#overview", "#amendments", "#texts"];
    let busy = false;
    let again = false;
    const typing = (block) => block.contains(document.activeElement) &&
      document.activeElement.matches("input, select, textarea");
    const swap = (current, fresh) => {
      const said = $$("form.sign[data-sent] output.result, .said output.result", current)
        .filter((o) => o.textContent);
      if (said.length) {
        const box = document.createElement("div");
        box.className = "said";
        said.forEach((o) => box.append(o));
        fresh.prepend(box);
      }
      current.replaceWith(document.adoptNode(fresh));
    };
    const refresh = async () => {
      if (busy) { again = true; return; }
      busy = true;
      try {
        do {
          again = false;
          const r = await fetch(location.pathname, { credentials: "same-origin", cache: "no-store" });
          if (!r.ok) { status.textContent = msg("Reconnecting"); break; }
          const doc = new DOMParser().parseFromString(await r.text(), "text/html");
          for (const id of BLOCKS) {
            const fresh = $(id, doc);
            const current = $(id);
            if (!fresh || !current) continue;
            if (typing(current)) {
              current.addEventListener("focusout", refresh, { once: true });
              continue;
            }
            swap(current, fresh);
          }
          status.textContent = live;
        } while (again);
      } catch (e) {
        status.textContent = msg("Reconnecting");
      } finally {
        busy = false;
      }
      enableForms();
    };
    const es = new EventSource("/room/stream?after=" + encodeURIComponent(overview.dataset.after || "0"));
    // The server ends each stream after a while and the browser reconnects;
    // events come back by Last-Event-ID, but a signature, text or vote kept
    // while no stream was open has none: a reconnect refreshes once.
    let opened = false;
    es.addEventListener("open", () => {
      status.textContent = live;
      status.dataset.state = "open";
      if (opened) refresh();
      opened = true;
    });
    es.addEventListener("error", () => { status.textContent = msg("Reconnecting"); status.dataset.state = "reconnecting"; });
    es.addEventListener("appended", refresh);
    es.addEventListener("signed", refresh);
  }

  // ---- persons: filter as you type -------------------------------------
  const filter = $("input[data-filter]");
  if (filter) {
    const rows = $$("#" + filter.dataset.filter + " tbody tr");
    filter.addEventListener("input", () => {
      const q = filter.value.trim().toLowerCase();
      rows.forEach((r) => { r.hidden = q !== "" && !r.textContent.toLowerCase().includes(q); });
    });
  }

  // ---- manifest: print ---------------------------------------------------
  const print = $("#print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", () => window.print());
  }

  // ---- ledger: verify in the browser ------------------------------------
  const verify = $("#verify");
  if (verify) {
    verify.disabled = false;
    verify.addEventListener("click", async () => {
      const out = $("#verify-result");
      out.className = "";
      out.textContent = "…";
      try {
        const report = await verifyLedger();
        if (report.ok) say(out, out.dataset.ok, [report.events], "·", [report.head]);
        else say(out, out.dataset.bad, ["#" + report.seq], "—", ...report.why);
        out.className = report.ok ? "ok" : "bad";
      } catch (e) {
        say(out, out.dataset.bad, [e.message]);
        out.className = "bad";
      }
    });
  }
  async function verifyLedger() {
    const [text, keyFile] = await Promise.all([
      fetch("/room/ledger.jsonl", { credentials: "same-origin" }).then((r) => r.text()),
      fetch("/room/keys.json", { credentials: "same-origin" }).then((r) => r.json()),
    ]);
    const keys = {};
    for (const p of keyFile.parties) {
      keys[p.id] = await crypto.subtle.importKey("raw", unhex(p.public_key), { name: "Ed25519" }, false, ["verify"]);
    }
    const lines = text.split("\n").filter((l) => l.length > 0);
    let prev = null, deal = null;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const bad = (...why) => ({ ok: false, seq: i + 1, why: why });
      let ev;
      try { ev = JSON.parse(line); } catch (e) { return bad(msg("Vnotjson")); }
      if (canon(ev) !== line) return bad(msg("Vnotcanonical"));
      if (ev.seq !== i + 1) return bad(msg("Vseq"), [ev.seq]);
      if (ev.prev !== prev) return bad(msg("Vprev"));
      if (deal !== null && ev.deal !== deal) return bad(msg("Votherdeal"));
      deal = ev.deal;
      const key = keys[ev.author];
      if (!key) return bad(msg("Vnokey"), [ev.author]);
      const body = Object.assign({}, ev);
      delete body.signature;
      const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, unhex(String(ev.signature)),
        enc.encode("truce/event/v1\n" + canon(body)));
      if (!ok) return bad(msg("Vbadsignature"));
      prev = await sha256(line);
    }
    return { ok: true, events: lines.length, head: prev };
  }

  // ---- sign-in link: the code rides in the fragment ---------------------
  const signin = $("form#signin");
  if (signin && location.hash.startsWith("#code=")) {
    const code = decodeURIComponent(location.hash.slice(6));
    history.replaceState(null, "", location.pathname + location.search);
    $("#code").value = code;
    signin.submit();
  }
  enableForms();
})();
