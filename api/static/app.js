// Chat page: streams /v1/chat/stream, renders tool cards, citation cards, follow-ups and feedback.
setupCommon();
const log = document.getElementById("log");
const form = document.getElementById("ask");
const input = document.getElementById("q");
let sessionId = sessionStorage.getItem("sessionId") || newSession();

function newSession() {
  const id = "web-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  sessionStorage.setItem("sessionId", id);
  return id;
}

document.getElementById("new").addEventListener("click", () => {
  sessionId = newSession();
  log.replaceChildren();
  input.focus();
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = input.value.trim();
  if (!message) return;
  input.value = "";
  log.append(el("div", { class: "turn user" }, el("div", { class: "who", text: t("you") }), el("div", { class: "answer", text: message })));
  const turn = el("article", { class: "turn bot", "aria-busy": "true" }, el("div", { class: "who", text: t("assistant") }));
  const text = el("div", { class: "answer", text: t("thinking") });
  const cards = el("div", { class: "cards" });
  turn.append(text, cards);
  log.append(turn);
  turn.scrollIntoView({ block: "end" });
  document.getElementById("send").disabled = true;
  try {
    await stream(message, text, cards, turn);
  } catch (error) {
    text.textContent = t("error") + " " + error.message;
    text.classList.add("error");
  } finally {
    turn.setAttribute("aria-busy", "false");
    document.getElementById("send").disabled = false;
    input.focus();
  }
});

async function stream(message, text, cards, turn) {
  const response = await fetch("/v1/chat/stream", {
    method: "POST", headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify({ message: message, session_id: sessionId }),
  });
  if (!response.ok) throw new Error(await errorText(response));
  const reader = response.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let started = false;
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
        if (!started) { text.textContent = ""; started = true; }
        text.textContent += data.text;
      } else if (kind === "tool_call") {
        cards.append(toolCard(data));
      } else if (kind === "done") {
        const answer = data.answer;
        if (answer.abstained) turn.classList.add("abstained");
        for (const citation of answer.citations) cards.append(citationCard(citation));
        if (answer.follow_up) turn.append(el("div", { class: "follow" }, el("strong", { text: t("follow") + " " }), answer.follow_up));
        turn.append(feedbackBox(data.answer_id));
      }
    }
  }
}

function toolCard(call) {
  const rows = el("tbody");
  const skip = new Set(["explanation_zh", "explanation_en", "trace", "rule_refs"]);
  const add = (k, v) => rows.append(el("tr", {}, el("th", { scope: "row", text: k }), el("td", { text: typeof v === "string" ? v : JSON.stringify(v) })));
  const section = (label) => rows.append(el("tr", { class: "section" }, el("th", { colspan: "2", scope: "rowgroup", text: label })));
  section(t("inputs"));
  for (const [k, v] of Object.entries(call.arguments)) add(k, v);
  section(t("outputs"));
  for (const [k, v] of Object.entries(call.result)) if (!skip.has(k) && v !== null) add(k, v);
  section(t("trace"));
  rows.append(el("tr", {}, el("td", { colspan: "2", class: "quote", text: (call.result.trace || []).join("\n") })));
  return el("details", { class: "card tool", open: "" }, el("summary", { text: t("tool") + ": " + call.name }), el("table", {}, rows));
}

function citationCard(c) {
  return el("details", { class: "card citation" },
    el("summary", { text: t("citations") + ": " + (c.quote.length > 60 ? c.quote.slice(0, 60) + "…" : c.quote) }),
    el("p", { class: "quote", text: "「" + c.quote + "」" }),
    c.menu_path ? el("p", { class: "meta", text: t("menu") + ": " + c.menu_path }) : null,
    el("p", { class: "meta", text: t("source") + ": " + c.source + " (" + c.chunk_id.slice(0, 10) + ")" }),
    el("details", {}, el("summary", { text: t("full_text") }), el("p", { class: "quote", text: c.text })));
}

function feedbackBox(answerId) {
  const box = el("div", { class: "feedback" });
  const comment = el("textarea", { "aria-label": t("comment"), placeholder: t("comment") });
  const corrected = el("textarea", { "aria-label": t("corrected"), placeholder: t("corrected") });
  const status = el("span", { class: "meta", role: "status" });
  let rating = null;
  const up = el("button", { type: "button", "aria-pressed": "false", text: t("helpful") });
  const down = el("button", { type: "button", "aria-pressed": "false", text: t("not_helpful") });
  const submit = el("button", { type: "button", class: "primary", text: t("submit") });
  const pick = (value) => { rating = value; up.setAttribute("aria-pressed", String(value === "up")); down.setAttribute("aria-pressed", String(value === "down")); };
  up.addEventListener("click", () => pick("up"));
  down.addEventListener("click", () => pick("down"));
  submit.addEventListener("click", async () => {
    if (!rating) { pick("down"); }
    const body = { answer_id: answerId, rating: rating };
    if (comment.value.trim()) body.comment = comment.value.trim();
    if (corrected.value.trim()) body.corrected_answer = corrected.value.trim();
    const response = await fetch("/v1/feedback", { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(body) });
    status.textContent = response.ok ? t("thanks") : t("error") + " " + (await errorText(response));
    if (response.ok) submit.disabled = true;
  });
  box.append(up, down, comment, corrected, submit, status);
  return box;
}
