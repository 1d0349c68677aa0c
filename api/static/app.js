// Chat page: streams /v1/chat/stream and renders answers with numbered citations, tool cards, follow-up
// choices and feedback. Every turn is kept as data and rendered from it, so a language switch or a
// reload (the conversation comes back from the session store) draws the same page.
const log = document.getElementById("log");
const form = document.getElementById("ask");
const input = document.getElementById("q");
const sendButton = document.getElementById("send");
const stopButton = document.getElementById("stop");
const scroller = document.getElementById("scroller");
// The server issues a conversation's id with its first answer: the page never asks for a session it did
// not see created (a made-up id fetched at start-up was a 404 in the console on every fresh load).
const state = { sessionId: sessionStorage.getItem("sessionId"), turns: [], busy: false,
  controller: null, suggestions: [], next: [], sessionsApi: false };
setupCommon(() => { if (!state.busy) redrawTurns(); loadSuggestions(); Sidebar.render(); });

function newSessionId() {
  sessionStorage.removeItem("sessionId");
  return null;  // the next answer brings the new conversation's id
}
function adoptSessionId(id) {
  if (state.sessionId || !id) return;
  state.sessionId = id;
  sessionStorage.setItem("sessionId", id);
}
// The page's own copy, used when the server cannot list sessions (older server, no database).
function saveLocal() {
  if (state.sessionId) sessionStorage.setItem("turns:" + state.sessionId, JSON.stringify(state.turns));
}

function startNewChat() {
  if (state.busy) stop();
  state.sessionId = newSessionId();
  state.turns = [];
  renderAll();
  Sidebar.render();
  input.focus();
}
document.getElementById("new").addEventListener("click", startNewChat);
document.querySelector(".skip").addEventListener("click", (event) => { event.preventDefault(); input.focus(); });

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    if (!state.busy) form.requestSubmit();  // Enter does nothing while a request runs
  }
});
form.addEventListener("submit", (event) => { event.preventDefault(); send(input.value.trim(), true); });
stopButton.addEventListener("click", stop);
document.addEventListener("apikey", () => { Sidebar.load(); loadSuggestions(); });

function setBusy(busy) {
  state.busy = busy;
  sendButton.disabled = busy;
  sendButton.setAttribute("aria-disabled", String(busy));
  stopButton.hidden = !busy;
  form.classList.toggle("busy", busy);
}

function stop() { if (state.controller) state.controller.abort(); }

// `fromBox`: the message is what the box holds (typed and sent), so the box is emptied; a choice, a
// suggestion or a Retry leaves whatever the user is typing alone.
async function send(message, fromBox) {
  if (!message || state.busy) return;
  const turn = { message: message, answer: null, answer_id: null, pending: true };
  state.turns.push(turn);
  setBusy(true);
  // Earlier turns stay as drawn (open cards stay open); only their spent suggestions go.
  log.querySelectorAll(".next").forEach((next) => next.remove());
  state.next = [];  // the next answer brings its own
  log.querySelectorAll(".follow button, .next button").forEach((button) => { button.disabled = true; });
  document.getElementById("empty").hidden = true;
  const index = state.turns.length - 1;
  log.append(userNode(turn));
  let node = renderBot(turn, index, true);
  log.append(node);
  scroller.scrollTop = node.previousElementSibling.offsetTop - scroller.offsetTop - 8;  // the question at the top, the answer under it
  if (fromBox) input.value = "";
  state.controller = new AbortController();
  try {
    await stream(message, turn, node.querySelector(".answer"), state.controller.signal);
    delete turn.pending;
    saveLocal();
  } catch (error) {
    delete turn.pending;
    // Neither text is ever lost: an empty box gets the question back; text typed meanwhile stays, and the
    // stopped question keeps its own bubble with a Retry (the message says which of the two happened).
    const putBack = !input.value.trim() || input.value.trim() === message;
    turn.error = error.name === "AbortError" ? { kind: "stopped", key: putBack ? "stopped" : "stopped_kept" }
      : error instanceof RequestError ? { kind: error.kind, key: error.key, vars: error.vars, detail: error.detail }
      : { kind: "client", key: "error", detail: error.message };
    if (putBack) input.value = message;
    if (error.kind === "session_expired") state.sessionId = newSessionId();
  } finally {
    state.controller = null;
    setBusy(false);
    if (state.turns[index] === turn) {  // still the open conversation
      const drawn = renderBot(turn, index, true);
      node.replaceWith(drawn);
      node = drawn;
    }
    const last = log.lastElementChild;
    if (last && (last.getBoundingClientRect().top < scroller.getBoundingClientRect().top ||
                 last.getBoundingClientRect().top > scroller.getBoundingClientRect().bottom - 40)) {
      scroller.scrollTop = last.offsetTop - scroller.offsetTop - 8;
    }
    input.focus();
    Sidebar.load();
    if (turn.answer && state.turns[index] === turn) loadNext();
  }
}

async function stream(message, turn, text, signal) {
  const response = await api("/v1/chat/stream", {
    method: "POST", headers: { "Content-Type": "application/json" }, signal: signal,
    body: JSON.stringify({ message: message, session_id: state.sessionId }),
  });
  const reader = response.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "", started = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const kind = (block.match(/^event: (.*)$/m) || [])[1];
      const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "null");
      if (kind === "answer_delta") {
        if (!started) { text.replaceChildren(); started = true; }
        text.append(data.text);
      } else if (kind === "done") {
        turn.answer = data.answer;
        turn.answer_id = data.answer_id;
        adoptSessionId(data.answer.session_id);
      } else if (kind === "error") {
        throw new RequestError("server", "server_error", null, 500, data && data.message);
      }
    }
  }
  if (!turn.answer) throw new RequestError("server", "server_error", null, 500);
}

// ---- rendering ------------------------------------------------------------------------------------

// A language switch draws the page's own labels at once, then the answers themselves: the server renders
// each stored turn again in the new language from its neutral form, in one pass as the first time (our
// wording - 说明 / 依据 / 菜单路径, the follow-up and its choices - in that language; quotes as written).
async function redrawTurns() {
  state.next = [];  // asked again in the new language below
  renderAll(true);
  const id = state.sessionId, lang = LANG;
  if (!id || !state.sessionsApi || !state.turns.some((turn) => turn.answer_id)) { loadNext(); return; }
  try {
    const data = await (await api("/v1/sessions/" + encodeURIComponent(id) + "?lang=" + lang)).json();
    if (state.sessionId !== id || LANG !== lang || state.busy) return;  // the page moved on meanwhile
    const drawn = new Map((data.turns || []).map((turn) => [turn.answer_id, turn.answer]));
    for (const turn of state.turns) if (drawn.has(turn.answer_id)) turn.answer = drawn.get(turn.answer_id);
    renderAll(true);
    loadNext();
  } catch (error) { /* the answers stay as drawn */ }
}

// `keepOpen`: the same turns drawn again (a language switch): cards the user opened stay open.
function renderAll(keepOpen) {
  const open = keepOpen ? [...log.querySelectorAll("details")].map((d) => d.open) : [];
  log.replaceChildren();
  state.turns.forEach((turn, index) => {
    log.append(userNode(turn));
    log.append(renderBot(turn, index, index === state.turns.length - 1));
  });
  document.getElementById("empty").hidden = state.turns.length > 0;
  if (keepOpen) log.querySelectorAll("details").forEach((d, i) => { if (open[i]) d.open = true; });
}

function userNode(turn) {
  return el("div", { class: "turn user" }, el("div", { class: "who", text: t("you") }), el("div", { class: "answer", text: turn.message }));
}

function renderBot(turn, index, last) {
  const who = el("div", { class: "who", text: t("assistant") });
  if (turn.pending) {
    return el("article", { class: "turn bot", "aria-busy": "true" }, who,
      el("div", { class: "answer" }, el("span", { class: "typing", role: "status" }, t("thinking"),
        el("span", { class: "dots", "aria-hidden": "true" }, el("i"), el("i"), el("i")))));
  }
  if (turn.error) {
    const retry = el("button", { type: "button", text: t("retry"), onclick: () => retryTurn(index) });
    return el("article", { class: "turn bot failed" }, who,
      el("p", { class: "error", role: "alert", text: t(turn.error.key, turn.error.vars) + (turn.error.detail ? " " + turn.error.detail : "") }),
      turn.error.key === "stopped" ? null : retry);
  }
  const answer = turn.answer;
  const article = el("article", { class: "turn bot" + (answer.abstained ? " abstained" : ""), "data-move": answer.move || null });
  if (answer.move && answer.move !== "new" && I18N.zh["move_" + answer.move]) who.append(el("span", { class: "move", text: t("move_" + answer.move) }));
  article.append(who);
  const prefix = "t" + index + "-src";
  article.append(renderAnswerText(answer, prefix));
  if (answer.follow_up) {
    const choices = (answer.follow_up_choices || []).map((choice) =>
      el("li", {}, el("button", { type: "button", class: "choice", disabled: !last || state.busy, text: choice,
        onclick: () => send(choice) })));
    article.append(el("div", { class: "follow" }, el("strong", { text: t("follow") + " " }), answer.follow_up,
      choices.length ? el("ul", { class: "choices" }, ...choices) : null));
  }
  const cards = el("div", { class: "cards" });
  for (const call of answer.tool_calls || []) cards.append(toolCard(call));
  if ((answer.citations || []).length) {
    cards.append(el("h2", { class: "sources-title", text: t("citations") }));
    answer.citations.forEach((c, i) => cards.append(citationCard(c, i, prefix)));
  }
  article.append(cards);
  const copy = el("button", { type: "button", class: "copy", text: t("copy") });
  copy.addEventListener("click", async () => { if (await copyText(answer.answer)) copy.textContent = t("copied"); });
  article.append(el("div", { class: "actions" }, copy, turn.answer_id ? feedbackBox(turn) : null));
  // Node.append(null) writes the word "null": append the next questions only when there are some (they are
  // usually fetched after the answer is drawn, see loadNext)
  const next = last ? nextQuestions(answer) : null;
  if (next) article.append(next);
  return article;
}

function retryTurn(index) {
  const turn = state.turns[index];
  state.turns.splice(index, 1);
  renderAll();
  const fromBox = input.value.trim() === turn.message;  // the same question waiting in the box is sent, not kept twice
  send(turn.message, fromBox);
}

// The answer text with a numbered marker after each quote it cites; the follow-up question is shown
// once, below, with its choices (the composed text also ends with it).
function renderAnswerText(answer, prefix) {
  let text = answer.answer || "";
  if (answer.follow_up && text.trimEnd().endsWith(answer.follow_up.trim())) {
    text = text.trimEnd().slice(0, -answer.follow_up.trim().length).trimEnd();
  }
  const citations = answer.citations || [];
  const placed = new Set();
  const box = el("div", { class: "answer" });
  linesAndTables(text, box, (text) => {
    const line = el("p", {}, text);
    citations.forEach((c, n) => {
      const quoted = text.match(/「([^」]+)」/);
      if (!placed.has(n) && quoted && (c.quote.includes(quoted[1]) || quoted[1].includes(c.quote))) {
        line.append(marker(n, prefix)); placed.add(n);
      }
    });
    return line;
  });
  const rest = citations.map((_, n) => n).filter((n) => !placed.has(n));
  if (rest.length && box.firstChild) for (const n of rest) box.firstChild.append(marker(n, prefix));
  return box;
}
function marker(n, prefix) {
  return el("a", { class: "cite", href: "#" + prefix + n, "aria-label": t("citations") + " " + (n + 1), text: "[" + (n + 1) + "]",
    onclick: (event) => {
      event.preventDefault();
      const card = document.getElementById(prefix + n);
      card.open = true;
      card.scrollIntoView({ block: "nearest" });
      card.querySelector("summary").focus();
    } });
}
function isTableLine(line) { return /^\s*\|.*\|\s*$/.test(line); }
// Append text to box: each run of table-shaped lines as one table, every other line as render(line) makes it.
function linesAndTables(text, box, render) {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (isTableLine(lines[i])) {
      const rows = [];
      while (i < lines.length && isTableLine(lines[i])) rows.push(lines[i++]);
      i--;
      box.append(tableOf(rows));
    } else box.append(render(lines[i]));
  }
}
function tableOf(rows) {
  const cells = (row) => row.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
  const body = rows.filter((r) => !/^\s*\|[\s:|-]+\|\s*$/.test(r));
  const [head, ...rest] = body;
  return el("div", { class: "table-wrap" }, el("table", {},
    el("thead", {}, el("tr", {}, ...cells(head).map((c) => el("th", { scope: "col", text: c })))),
    el("tbody", {}, ...rest.map((r) => el("tr", {}, ...cells(r).map((c) => el("td", { text: c })))))));
}
// A passage with the quote highlighted; table-shaped lines become a table.
function passage(text, quote) {
  const box = el("div", { class: "passage" });
  let highlighted = false;
  linesAndTables(text, box, (line) => {
    const at = quote && !highlighted ? line.indexOf(quote) : -1;
    if (at < 0) return el("p", { text: line });
    highlighted = true;
    return el("p", {}, line.slice(0, at), el("mark", { text: quote }), line.slice(at + quote.length));
  });
  if (quote && !highlighted) box.prepend(el("p", {}, el("mark", { text: quote })));  // the quote is always shown
  return box;
}

function toolCard(call) {
  const rows = el("tbody");
  const add = (k, v) => rows.append(el("tr", {}, el("th", { scope: "row", text: label(k) }), el("td", { text: formatValue(v) })));
  const section = (name) => rows.append(el("tr", { class: "section" }, el("th", { colspan: "2", scope: "rowgroup", text: name })));
  section(t("inputs"));
  for (const [k, v] of Object.entries(call.arguments)) add(k, v);
  section(t("outputs"));
  const skip = new Set(["explanation_zh", "explanation_en", "statements", "trace", "rule_refs"]);
  for (const [k, v] of Object.entries(call.result)) {
    if (skip.has(k) || v === null) continue;
    const lang = k.match(/_(zh|en)$/);
    if (lang) { if (lang[1] === LANG) add(k.slice(0, -3), v); continue; }  // e.g. action_zh / action_en
    add(k, v);
  }
  const explanation = call.result["explanation_" + LANG] || call.result.explanation_zh || "";
  // The reasoning in the page language, sentence by sentence with what each rests on; the engine's raw
  // computation log (English) stays one click further down.
  const steps = (call.result.statements || []).map((step) => el("li", {},
    el("span", { class: "basis basis-" + step.basis, text: t("basis_" + step.basis) }), " ", tidy(LANG === "en" ? step.en : step.zh)));
  const raw = (call.result.trace || []).map((step) => el("li", { text: tidy(step) }));
  return el("details", { class: "card tool" },
    el("summary", { text: t("tool") + ": " + label(call.name) }),
    el("p", { class: "explanation", text: tidy(explanation) }),
    el("table", {}, rows),
    steps.length || raw.length ? el("details", { class: "trace" }, el("summary", { text: t("trace") }),
      steps.length ? el("ol", { class: "steps" }, ...steps) : null,
      raw.length ? el("details", { class: "raw" }, el("summary", { text: t("raw_trace") }), el("ol", { lang: "en" }, ...raw)) : null) : null);
}

function citationCard(c, n, prefix) {
  return el("details", { class: "card citation", id: prefix + n },
    el("summary", {}, el("span", { class: "num", text: "[" + (n + 1) + "] " }), citationLabel(c)),
    passage(c.text, c.quote),
    c.menu_path ? el("p", { class: "meta", text: t("menu") + ": " + c.menu_path }) : null,
    el("p", { class: "meta", text: t("source") + ": " + c.source + (c.language ? " · " + (LANGUAGE_NAMES[c.language] || c.language) : "") }),
    c.url ? el("p", {}, el("a", { href: c.url, target: "_blank", rel: "noopener", text: t("open_source") + " ↗" })) : null);
}

function feedbackBox(turn) {
  const box = el("div", { class: "feedback" });
  const status = el("span", { class: "meta", role: "status" });
  const up = el("button", { type: "button", "aria-pressed": String(turn.rating === "up"), text: t("helpful") });
  const down = el("button", { type: "button", "aria-pressed": String(turn.rating === "down"), text: t("not_helpful") });
  const details = el("div", { class: "details", hidden: turn.rating !== "down" || turn.detailsSent });
  const comment = el("textarea", { "aria-label": t("comment"), placeholder: t("comment"), maxlength: "4000" });
  const corrected = el("textarea", { "aria-label": t("corrected"), placeholder: t("corrected"), maxlength: "8000" });
  const submit = el("button", { type: "button", class: "primary", text: t("submit") });
  details.append(comment, corrected, submit);
  const post = async (body) => {
    try {
      await api("/v1/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ answer_id: turn.answer_id }, body)) });
      status.textContent = t("thanks"); status.classList.remove("error");
      return true;
    } catch (error) {
      status.textContent = t("feedback_failed") + " " + error.message; status.classList.add("error");
      return false;
    }
  };
  const rate = async (rating) => {
    up.disabled = down.disabled = true;
    if (await post({ rating: rating })) {
      turn.rating = rating; saveLocal();
      up.setAttribute("aria-pressed", String(rating === "up")); down.setAttribute("aria-pressed", String(rating === "down"));
      details.hidden = rating !== "down";
      if (rating === "down") comment.focus();
    }
    up.disabled = down.disabled = false;
  };
  up.addEventListener("click", () => rate("up"));
  down.addEventListener("click", () => rate("down"));
  submit.addEventListener("click", async () => {
    const body = { rating: "down" };
    if (comment.value.trim()) body.comment = comment.value.trim();
    if (corrected.value.trim()) body.corrected_answer = corrected.value.trim();
    if (!body.comment && !body.corrected_answer) { comment.focus(); return; }
    submit.disabled = true;
    if (await post(body)) { turn.detailsSent = true; saveLocal(); details.hidden = true; } else submit.disabled = false;
  });
  box.append(up, down, status, details);
  return box;
}

// ---- example and next questions, from the index's topics ------------------------------------------

async function loadSuggestions() {
  try {
    const data = await (await api("/v1/suggestions?lang=" + LANG)).json();
    state.suggestions = data.suggestions || [];
  } catch (error) { state.suggestions = []; }
  renderExamples();
  if (!state.busy && state.turns.length) renderAll(true);
}
// A topic is asked about in its own language (the server names each suggestion's): a Chinese menu name inside an
// English sentence ("Where do I find 客户消费?") is neither language
function suggestionText(s) { return s.question || ((s.language || LANG) === "en" ? I18N.en : I18N.zh).where_is.replace("{t}", s.topic); }
function renderExamples() {
  const list = document.getElementById("examples");
  const shown = state.suggestions.slice(0, 6);
  list.replaceChildren(...shown.map((s) =>
    el("li", {}, el("button", { type: "button", class: "choice", text: suggestionText(s), onclick: () => send(suggestionText(s)) }))));
  // The index may hold no passages in the page's language: then say whose words the examples are.
  const other = shown.find((s) => s.language && s.language !== LANG);
  document.getElementById("empty-title").textContent = other
    ? t("try_from", { l: t("in_" + other.language) }) : t("try");
  document.getElementById("empty").hidden = state.turns.length > 0 || !state.suggestions.length;
}
// Next questions come from the server, built around the conversation's last topic (GET /v1/suggestions with
// the session): never what the conversation already asked or was answered with, in the page's language.
function nextQuestions(answer) {
  const picks = state.next.slice(0, 3);
  if (!picks.length || answer.follow_up) return null;
  return el("div", { class: "next" }, el("h2", { text: t("next") }), el("ul", { class: "choices" },
    ...picks.map((s) => el("li", {}, el("button", { type: "button", class: "choice", text: s.question,
      onclick: () => send(s.question) })))));
}
async function loadNext() {
  const id = state.sessionId, lang = LANG, count = state.turns.length;
  const newest = state.turns[count - 1];
  state.next = [];
  // an answer asking back for a detail shows its choices instead: nothing to fetch
  if (id && state.sessionsApi && newest && newest.answer && !newest.answer.follow_up) {
    try {
      const data = await (await api("/v1/suggestions?limit=3&lang=" + lang + "&session_id=" + encodeURIComponent(id))).json();
      if (state.sessionId !== id || LANG !== lang || state.turns.length !== count || state.busy) return;
      state.next = data.suggestions || [];
    } catch (error) { state.next = []; }
  }
  const last = log.querySelector("article.turn.bot:last-of-type");
  const turn = state.turns[state.turns.length - 1];
  if (!last || !turn || !turn.answer) return;
  last.querySelectorAll(".next").forEach((node) => node.remove());
  const next = nextQuestions(turn.answer);
  if (next) last.append(next);
}

// ---- conversation history (the session store) -------------------------------------------------------

const Sidebar = {
  sessions: [], query: "",
  async load() {
    try {
      const q = this.query ? "?q=" + encodeURIComponent(this.query) : "";
      const data = await (await api("/v1/sessions" + q)).json();
      this.sessions = data.sessions || [];
      state.sessionsApi = true;
    } catch (error) {
      state.sessionsApi = false;
    }
    this.render();
  },
  render() {
    const aside = document.getElementById("history");
    const toggle = document.getElementById("history-toggle");
    aside.hidden = !state.sessionsApi;
    toggle.hidden = !state.sessionsApi;
    if (!state.sessionsApi) return;
    const list = document.getElementById("history-list");
    list.replaceChildren(...this.sessions.map((s) => {
      const current = s.session_id === state.sessionId;
      const open = el("button", { type: "button", class: "open", "aria-current": current ? "true" : null,
        onclick: () => openSession(s.session_id) },
        el("span", { class: "title", text: s.title || t("untitled") }),
        el("span", { class: "meta", text: formatValue((s.updated_at || "").slice(0, 10)) + " · " + t(s.turn_count === 1 ? "turn_one" : "turns", { n: s.turn_count }) }));
      const rename = el("button", { type: "button", class: "icon", "aria-label": t("rename") + ": " + (s.title || t("untitled")),
        text: "✎", onclick: () => this.rename(s) });
      const remove = el("button", { type: "button", class: "icon", "aria-label": t("delete") + ": " + (s.title || t("untitled")),
        text: "✕", onclick: () => this.remove(s) });
      return el("li", { class: current ? "current" : null }, open, rename, remove);
    }));
    document.getElementById("history-status").textContent = this.sessions.length ? "" : t("no_history");
  },
  // Renaming happens in place: the title becomes a text field; Enter saves, Escape cancels.
  rename(s) {
    const item = [...document.querySelectorAll("#history-list li")][this.sessions.indexOf(s)];
    const field = el("input", { type: "text", class: "rename", value: s.title || "", maxlength: "120",
      "aria-label": t("rename_prompt") });
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      if (save && field.value.trim() && field.value.trim() !== s.title) this.save(s, field.value.trim()); else this.render();
    };
    field.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); finish(true); }
      if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); finish(false); }
    });
    field.addEventListener("blur", () => finish(true));
    item.replaceChildren(field);
    field.focus();
    field.select();
  },
  async save(s, title) {
    try {
      await api("/v1/sessions/" + encodeURIComponent(s.session_id), { method: "PATCH",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: title.trim() }) });
      await this.load();
    } catch (error) { document.getElementById("history-status").textContent = error.message; }
  },
  async remove(s) {
    try {
      await api("/v1/sessions/" + encodeURIComponent(s.session_id), { method: "DELETE" });
      sessionStorage.removeItem("turns:" + s.session_id);
      if (s.session_id === state.sessionId) startNewChat();
      await this.load();
      document.getElementById("history-status").textContent = t("deleted");
    } catch (error) { document.getElementById("history-status").textContent = error.message; }
  },
};
let searchTimer = null;
document.getElementById("history-search").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => { Sidebar.query = event.target.value.trim(); Sidebar.load(); }, 250);
});
function showHistory(open) {
  document.body.classList.toggle("history-open", open);
  const toggle = document.getElementById("history-toggle");
  toggle.setAttribute("aria-expanded", String(open));
  if (open) document.getElementById("history-search").focus(); else if (document.activeElement.closest("#history")) toggle.focus();
}
document.getElementById("history-toggle").addEventListener("click", () => showHistory(!document.body.classList.contains("history-open")));
document.getElementById("history-close").addEventListener("click", () => showHistory(false));
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.body.classList.contains("history-open")) showHistory(false);
});

async function openSession(id) {
  if (state.busy) stop();
  state.sessionId = id;
  sessionStorage.setItem("sessionId", id);
  if (document.body.classList.contains("history-open")) showHistory(false);
  await restore(true);
  Sidebar.render();
}

// The conversation from the server's session store; the page's own copy when the server has none.
async function restore(replace) {
  const id = state.sessionId;
  let turns = null;
  if (!id) {  // a new conversation: nothing to fetch
    if (replace || !(state.turns.length || state.busy)) { state.turns = []; renderAll(); }
    return;
  }
  try {
    const data = await (await api("/v1/sessions/" + encodeURIComponent(state.sessionId) + "?lang=" + LANG)).json();
    turns = (data.turns || []).map((turn) => ({ message: turn.message, answer: turn.answer, answer_id: turn.answer_id }));
  } catch (error) {
    if (state.sessionsApi) turns = [];  // the server keeps sessions and has none by this id: a new conversation
  }
  if (turns === null) {  // a server without a session store: the page's own copy
    try { turns = JSON.parse(sessionStorage.getItem("turns:" + state.sessionId) || "[]"); } catch (e) { turns = []; }
    turns = turns.filter((turn) => turn.answer);
  }
  // At start-up the user may already have asked something, or switched conversations, meanwhile.
  if (state.sessionId !== id || (!replace && (state.turns.length || state.busy))) return;
  state.turns = turns;
  state.next = [];
  renderAll();
  scroller.scrollTop = scroller.scrollHeight;
  loadNext();
}

loadSuggestions();
Sidebar.load().then(() => restore(false));
