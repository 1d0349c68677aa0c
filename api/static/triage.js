// Triage page: one case from the form, or a JSONL/CSV batch; shows the analysis, the cited draft reply,
// and offers the results as JSONL or CSV. Results are kept as data and drawn again on a language switch.
const results = document.getElementById("results");
const status = document.getElementById("status");
const analyze = document.getElementById("analyze");
let items = [];  // [{title, result} | {title, error}]
let failure = null;
setupCommon(render);

function busy(on) {
  analyze.disabled = on;
  document.getElementById("file").disabled = on;
  results.setAttribute("aria-busy", String(on));
  status.textContent = on ? t("analyzing") : "";
}

// datetime-local has no offset: the browser's own is the user's.
function receivedAt() {
  const value = document.getElementById("received").value;
  if (!value) return null;
  const offset = -new Date(value).getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0"), mm = String(Math.abs(offset) % 60).padStart(2, "0");
  return (value.length === 16 ? value + ":00" : value) + sign + hh + ":" + mm;
}

document.getElementById("case").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { subject: document.getElementById("subject").value.trim(), body: document.getElementById("body").value };
  const role = document.getElementById("role").value.trim();
  if (role) body.partner_role = role;
  const now = receivedAt();
  if (now) body.now = now;
  busy(true);
  try {
    const response = await api("/v1/triage", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    items = [{ title: body.subject, result: await response.json() }];
    failure = null;
  } catch (error) { items = []; failure = error; }
  busy(false);
  render();
});

document.getElementById("file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const type = file.name.endsWith(".csv") ? "text/csv" : "application/x-ndjson";
  busy(true);
  try {
    const response = await api("/v1/triage/batch", { method: "POST", headers: { "Content-Type": type }, body: await file.text() });
    items = (await response.text()).split("\n").filter(Boolean).map((line) => {
      const item = JSON.parse(line);
      return { line: item.line, title: item.subject || null, result: item.result, error: item.error };
    });
    failure = null;
  } catch (error) { items = []; failure = error; }
  event.target.value = "";
  busy(false);
  render();
});

function render() {
  results.replaceChildren();
  if (failure) { results.append(el("p", { class: "error", role: "alert", text: failure.localised ? failure.localised() : failure.message })); return; }
  for (const item of items) {
    const title = item.title || t("line", { n: item.line });
    results.append(item.result ? card(title, item.result)
      : el("p", { class: "error", text: title + " (" + t("line", { n: item.line }) + "): " + item.error.message }));
  }
  if (items.some((item) => item.result)) {
    results.append(el("div", { class: "downloads" },
      el("button", { type: "button", text: t("download_jsonl"), onclick: () => download("triage.jsonl", toJsonl(), "application/x-ndjson") }),
      el("button", { type: "button", text: t("download_csv"), onclick: () => download("triage.csv", toCsv(), "text/csv") })));
  }
}

function card(title, r) {
  const box = el("article", { class: "result" }, el("h2", { text: title }));
  const facts = el("dl");
  const fact = (k, v, cls) => { facts.append(el("dt", { text: t(k) }), el("dd", { class: cls || null, text: v })); };
  fact("category", t("cat_" + r.category));
  fact("priority", t("pri_" + r.priority), "pri-" + r.priority);
  fact("human", r.needs_human ? t("yes") : t("no"));
  if (r.received_at) fact("applied_at", formatValue(r.received_at) + zoneNote(r.received_at) + " · " + t("from_" + r.received_from));
  box.append(facts);
  // Each ask of a case with several and the one decision made about it: answered in the draft, asked back
  // to the partner, or left to a person (then named under missing information, never answered in the draft).
  if ((r.asks || []).length > 1) {
    box.append(el("h3", { text: t("asks") }), el("ul", { class: "asks" }, ...r.asks.map((a) =>
      el("li", { "data-status": a.status }, el("span", { class: "ask-status", text: t("ask_" + a.status) }), " " + a.text))));
  }
  const chips = el("div", { class: "chips" });
  for (const [k, values] of Object.entries(r.entities)) for (const v of values) chips.append(el("span", { text: t("ent_" + k) + ": " + formatValue(v) }));
  box.append(el("h3", { text: t("entities") }), chips.childElementCount ? chips : el("p", { class: "meta", text: t("none") }));
  if (r.tool_calls.length) {
    box.append(el("h3", { text: t("tools") }));
    for (const call of r.tool_calls) {
      box.append(el("p", {}, el("strong", { text: label(call.name) + ": " }), tidy(call.result["explanation_" + LANG] || call.result.explanation_zh || "")));
    }
  }
  box.append(el("h3", { text: t("missing") }), r.missing_information.length
    ? el("ul", {}, ...r.missing_information.map((m) => el("li", { text: m }))) : el("p", { class: "meta", text: t("none") }));
  const draft = el("pre", { class: "quote", text: r.draft_reply });
  const copy = el("button", { type: "button", text: t("copy_reply") });
  copy.addEventListener("click", async () => { if (await copyText(r.draft_reply)) copy.textContent = t("copied"); });
  box.append(el("h3", { text: t("draft") }), draft, copy);
  if ((r.citations || []).length) {
    box.append(el("h3", { text: t("citations") }));
    r.citations.forEach((c, n) => box.append(el("details", { class: "card citation" },
      el("summary", { text: "[" + (n + 1) + "] " + citationLabel(c) }),
      el("p", {}, el("mark", { text: c.quote })),
      el("p", { class: "meta", text: t("source") + ": " + c.source }),
      c.url ? el("p", {}, el("a", { href: c.url, target: "_blank", rel: "noopener", text: t("open_source") + " ↗" })) : null,
      el("details", {}, el("summary", { text: t("full_text") }), el("p", { class: "quote", text: c.text })))));
  }
  return box;
}

function rows() { return items.filter((item) => item.result); }
function toJsonl() {
  return rows().map((item) => JSON.stringify(Object.assign({ subject: item.title }, item.result))).join("\n") + "\n";
}
function toCsv() {
  const head = ["subject", "category", "priority", "needs_human", "tools", "missing_information", "draft_reply", "citations"];
  const quote = (v) => '"' + String(v).replace(/"/g, '""') + '"';
  const lines = rows().map(({ title, result: r }) => [title, r.category, r.priority, r.needs_human,
    r.tool_calls.map((c) => c.name).join(" "), r.missing_information.join(" | "), r.draft_reply,
    (r.citations || []).map((c) => c.source).join(" ")].map(quote).join(","));
  return "\ufeff" + [head.join(","), ...lines].join("\r\n") + "\r\n";  // BOM: Excel reads the Chinese text right
}
