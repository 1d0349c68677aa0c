// Triage page: one case from the form, or a JSONL/CSV batch; shows the analysis and a copyable reply.
setupCommon();
const results = document.getElementById("results");

document.getElementById("case").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { subject: document.getElementById("subject").value.trim(), body: document.getElementById("body").value };
  const role = document.getElementById("role").value.trim();
  if (role) body.partner_role = role;
  const response = await fetch("/v1/triage", { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(body) });
  results.replaceChildren();
  if (!response.ok) { results.append(el("p", { class: "error", text: t("error") + " " + (await errorText(response)) })); return; }
  results.append(render(body.subject, await response.json()));
});

document.getElementById("file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const type = file.name.endsWith(".csv") ? "text/csv" : "application/x-ndjson";
  const response = await fetch("/v1/triage/batch", { method: "POST", headers: headers({ "Content-Type": type }), body: await file.text() });
  results.replaceChildren();
  if (!response.ok) { results.append(el("p", { class: "error", text: t("error") + " " + (await errorText(response)) })); return; }
  for (const line of (await response.text()).split("\n").filter(Boolean)) {
    const item = JSON.parse(line);
    results.append(item.result ? render("#" + item.line, item.result) : el("p", { class: "error", text: "#" + item.line + ": " + item.error.message }));
  }
});

function render(title, r) {
  const box = el("article", { class: "result" }, el("h2", { text: title }));
  const facts = el("dl");
  const fact = (k, v) => { facts.append(el("dt", { text: t(k) }), el("dd", { text: v })); };
  fact("category", r.category);
  fact("priority", r.priority);
  fact("human", r.needs_human ? t("yes") : t("no"));
  box.append(facts);
  const chips = el("div", { class: "chips" });
  for (const [k, values] of Object.entries(r.entities)) for (const v of values) chips.append(el("span", { text: k + ": " + v }));
  box.append(el("h3", { text: t("entities") }), chips.childElementCount ? chips : el("p", { class: "meta", text: t("none") }));
  if (r.tool_calls.length) {
    box.append(el("h3", { text: t("tools") }));
    for (const call of r.tool_calls) box.append(el("p", { class: "meta", text: call.name + " → " + (call.result.explanation_zh || "") }));
  }
  box.append(el("h3", { text: t("missing") }), el("p", { text: r.missing_information.join(" ") || t("none") }));
  const draft = el("pre", { class: "quote", text: r.draft_reply });
  const copy = el("button", { type: "button", text: t("copy") });
  copy.addEventListener("click", async () => {
    try { await navigator.clipboard.writeText(r.draft_reply); }
    catch (e) { const range = document.createRange(); range.selectNodeContents(draft); const s = getSelection(); s.removeAllRanges(); s.addRange(range); document.execCommand("copy"); }
    copy.textContent = t("copied");
  });
  box.append(el("h3", { text: t("draft") }), draft, copy);
  return box;
}
