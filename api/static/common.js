// Shared by the chat and triage pages: language strings, API key, fetch with localised errors, formatting.
const I18N = {
  zh: { title: "伙伴中心规则助手", nav_chat: "对话", nav_triage: "工单分诊", new: "新对话", send: "发送", stop: "停止",
    skip: "跳到提问框", language: "语言", conversation: "对话记录",
    intro: "回答均引用伙伴中心规则原文;日期、截止时间和金额由规则引擎精确计算。资料不支持时会直接说明。",
    placeholder: "例如:8月的伙伴账单什么时候生成?(Enter 发送,Shift+Enter 换行)", ask_label: "问题",
    you: "您", assistant: "助手", citations: "来源", tool: "规则计算", inputs: "输入", outputs: "结果", trace: "计算步骤",
    source: "出处", menu: "菜单路径", full_text: "原文", open_source: "打开原始页面", follow: "需要补充:",
    helpful: "有帮助", not_helpful: "没帮助", comment: "哪里不对?(可选)", corrected: "正确答案(可选)",
    submit: "提交说明", thanks: "已收到反馈,谢谢!", feedback_failed: "反馈未能提交:", thinking: "正在查找",
    abstained: "资料不支持回答", error: "出错了:", unreachable: "无法连接服务器,请检查网络或服务是否在运行。",
    retry: "重试", stopped: "已停止。问题已放回输入框。", stopped_kept: "已停止。您后来输入的内容仍在输入框中;停止的问题在上方,可点“重试”再问。", copy: "复制回答", copied: "已复制",
    key_needed: "此服务需要 API 密钥", key_invalid: "API 密钥无效,请重新输入。", save: "保存",
    forbidden: "您的 API 密钥没有使用此功能的权限。", rate_limited: "请求太频繁,请 {s} 秒后再试。",
    timeout: "服务器处理超时,请稍后重试。", server_error: "服务器出错,请稍后重试。", too_large: "内容太长。",
    not_ready: "索引尚未就绪,请稍后重试。", session_expired: "对话已过期,已开始新对话,请重新提问。",
    try: "可以这样问", try_from: "帮助中心里的问题({l})", in_zh: "中文", in_en: "英文", next: "接着可以问", where_is: "{t}在哪里查看?", where_is_en: "Where do I find {t}?",
    close: "关闭", history: "历史对话", search_history: "搜索对话", rename: "重命名", delete: "删除", untitled: "未命名对话",
    rename_prompt: "新的标题", deleted: "已删除", no_history: "还没有对话", turns: "{n} 轮", turn_one: "{n} 轮",
    move_new: "新问题", move_continue: "接着上文", move_modify: "修改条件", move_switch: "换个话题", move_refer_back: "回到前文",
    move_convert: "换算", move_unclear: "意思不明确",
    subject: "主题", body: "内容", role: "伙伴角色(可选)", received_at: "收到时间(可选,默认取案例中写明的日期)",
    analyze: "分析", upload: "批量上传 (JSONL/CSV)", analyzing: "正在分析…",
    category: "类别", priority: "优先级", human: "需要人工", entities: "提取的信息", missing: "缺少的信息",
    draft: "回复草稿", copy_reply: "复制回复", tools: "规则计算", yes: "是", no: "否", none: "无",
    basis_rule: "规则", basis_interpretation: "理解", basis_not_stated: "资料未说明", basis_input: "输入",
    raw_trace: "引擎原始记录(英文)", download_jsonl: "下载 JSONL", applied_at: "按此时间计算", beijing_time: "北京时间",
    from_case: "收到时间", from_stated: "案例中写明的日期", from_clock: "服务器时间(案例未写明日期)", download_csv: "下载 CSV", line: "第 {n} 行",
    cat_invoicing: "开票", cat_po_assessment: "PO 考核", cat_billing: "账单", cat_performance: "业绩",
    cat_consumption: "客户消费", cat_stored_value_card: "储值卡", cat_attribution: "客户归属", cat_opportunity: "商机",
    cat_orders: "订单", cat_error_code: "错误码", cat_navigation: "菜单导航", cat_deadlines: "期限",cat_general: "一般咨询",
    cat_out_of_scope: "超出范围", pri_high: "高", pri_normal: "普通", pri_low: "低",
    ent_dates: "日期", ent_billing_periods: "账期", ent_timestamps: "时间", ent_amounts: "金额", ent_error_codes: "错误码",
    ent_http_statuses: "HTTP 状态码", ent_po_ids: "PO 编号", ent_payment_request_ids: "申付单号",
    asks: "案例中的问题", ask_answered: "草稿已回答", ask_asked_back: "需伙伴补充", ask_uncovered: "需人工答复" },
  en: { title: "Partner Rules Assistant", nav_chat: "Chat", nav_triage: "Triage", new: "New chat", send: "Send", stop: "Stop",
    skip: "Skip to the question box", language: "Language", conversation: "Conversation",
    intro: "Answers quote the Partner Center rules; dates, deadlines and amounts are computed exactly by the rules engine. When the documentation does not support an answer, it says so.",
    placeholder: "e.g. When is the August partner bill generated? (Enter sends, Shift+Enter new line)", ask_label: "Question",
    you: "You", assistant: "Assistant", citations: "Sources", tool: "Rule computation", inputs: "Inputs", outputs: "Results",
    trace: "Steps", source: "Source", menu: "Menu path", full_text: "Full text", open_source: "Open the original page",
    follow: "Needed:", helpful: "Helpful", not_helpful: "Not helpful", comment: "What was wrong? (optional)",
    corrected: "Correct answer (optional)", submit: "Send details", thanks: "Feedback received, thank you!",
    feedback_failed: "Feedback was not saved:", thinking: "Looking it up",
    abstained: "Not supported by the documentation", error: "Error:",
    unreachable: "Cannot reach the server. Check your connection or whether the service is running.",
    retry: "Retry", stopped: "Stopped. Your question is back in the box.", stopped_kept: "Stopped. What you typed since is still in the box; the stopped question is above: press Retry to ask it again.", copy: "Copy answer", copied: "Copied",
    key_needed: "This service needs an API key", key_invalid: "The API key is not valid; enter it again.", save: "Save",
    forbidden: "Your API key may not use this feature.", rate_limited: "Too many requests; try again in {s} s.",
    timeout: "The server took too long; try again later.", server_error: "The server failed; try again later.",
    too_large: "The text is too long.", not_ready: "The index is not ready yet; try again shortly.",
    session_expired: "The conversation expired; a new one has started. Please ask again.",
    try: "Try asking", try_from: "Questions from the help centre ({l})", in_zh: "Chinese", in_en: "English", next: "You could ask next", where_is: "Where do I find {t}?", where_is_en: "Where do I find {t}?",
    close: "Close", history: "Conversations", search_history: "Search conversations", rename: "Rename", delete: "Delete",
    untitled: "Untitled conversation", rename_prompt: "New title", deleted: "Deleted", no_history: "No conversations yet",
    turns: "{n} turns", turn_one: "{n} turn", move_new: "New question", move_continue: "Continuing", move_modify: "Changed a detail",
    move_switch: "New topic", move_refer_back: "Back to earlier", move_convert: "Conversion", move_unclear: "Unclear",
    subject: "Subject", body: "Body", role: "Partner role (optional)",
    received_at: "Received at (optional; defaults to the date stated in the case)", analyze: "Analyze",
    upload: "Batch upload (JSONL/CSV)", analyzing: "Analyzing…",
    category: "Category", priority: "Priority", human: "Needs a person", entities: "Extracted entities",
    missing: "Missing information", draft: "Draft reply", copy_reply: "Copy reply", tools: "Rule computations",
    yes: "yes", no: "no", none: "none", basis_rule: "Rule", basis_interpretation: "Reading", basis_not_stated: "Not stated", basis_input: "Input",
    raw_trace: "Engine log", download_jsonl: "Download JSONL", applied_at: "Rules applied at", beijing_time: "Beijing time",
    from_case: "received time", from_stated: "the date the case states", from_clock: "server time (the case states no date)", download_csv: "Download CSV", line: "line {n}",
    cat_invoicing: "Invoicing", cat_po_assessment: "PO assessment", cat_billing: "Billing", cat_performance: "Performance",
    cat_consumption: "Customer consumption", cat_stored_value_card: "Stored-value card", cat_attribution: "Customer attribution",
    cat_opportunity: "Opportunities", cat_orders: "Orders", cat_error_code: "Error code", cat_navigation: "Navigation", cat_deadlines: "Deadlines",
    cat_general: "General question", cat_out_of_scope: "Out of scope", pri_high: "High", pri_normal: "Normal", pri_low: "Low",
    ent_dates: "Dates", ent_billing_periods: "Billing periods", ent_timestamps: "Times", ent_amounts: "Amounts",
    ent_error_codes: "Error codes", ent_http_statuses: "HTTP statuses", ent_po_ids: "PO ids",
    asks: "The case's asks", ask_answered: "answered in the draft", ask_asked_back: "asks the partner", ask_uncovered: "left to a person",
    ent_payment_request_ids: "Payment request ids" },
};
// Rules-engine names and fields, so tool cards read in the page language (unknown keys fall back to the key).
const TOOL_LABELS = {
  zh: { invoice_merge_check: "能否合并开票", po_assessment_check: "PO 流转与考核口径", bill_timing: "伙伴账单生成时间",
    performance_visibility: "业绩何时可见", consumption_lookback: "客户消费可查范围", stored_value_card_credit: "储值卡业绩",
    attribution_start: "客户归属起算时间", opportunity_permission: "商机报备权限", order_visibility: "客户订单可见性",
    error_code_lookup: "错误码查询", menu_path_lookup: "菜单路径",
    incentives: "激励", linked_to: "关联对象", billing_period: "账期", event_time: "发生时间", now: "当前时间",
    timezone: "时区", business_date: "业务日期", calendar: "日历", requested_start: "查询起始", transaction: "交易类型",
    amount: "金额", assigned_at: "分配时间", dashboard: "看板", role: "角色", customer_relation: "客户关系",
    customer_under_their_name: "客户在其名下", http_status: "HTTP 状态码", error_code: "错误码", task: "任务",
    can_share_one_invoice: "可以开在同一张发票上", invoices_needed_at_least: "至少需要的发票数", invoice_groups: "发票分组",
    can_flow: "可以流转", counts_toward_assessment: "计入考核口径", period_start_beijing: "账期开始(北京时间)",
    period_end_beijing: "账期结束(北京时间)", generation_deadline_beijing: "生成截止时间(北京时间)",
    generation_deadline_local: "生成截止时间(当地时间)", status: "状态", visible_date: "可查看日期",
    visible_weekday: "可查看日期是星期几", calendar_fallback: "使用了周一至周五的备用日历", queryable: "可以查询",
    earliest_queryable_date: "最早可查日期", interpretation: "理解方式", credited_amount: "计入业绩的金额",
    stated_in_corpus: "规则中有明确说明", counts_from_beijing: "起算时间(北京时间)", can_register: "可以报备",
    can_view: "可以查看", owner: "归属", visible: "可见", status_class: "状态类别", known_code: "已知错误码",
    consistent: "状态码与错误码一致", action: "处理建议", description: "说明", known_pairs: "已知组合", found: "找到",
    matches: "匹配的菜单", available: "已生成", pending: "尚未生成", unknown: "未知", depends: "视情况而定",
    batch: "批量申请", single: "单独申请" },
  en: { invoice_merge_check: "Combining invoices", po_assessment_check: "PO flow and assessment scope",
    bill_timing: "Partner bill timing", performance_visibility: "When performance shows",
    consumption_lookback: "Consumption look-back", stored_value_card_credit: "Stored-value card performance",
    attribution_start: "Customer attribution start", opportunity_permission: "Opportunity registration rights",
    order_visibility: "Customer order visibility", error_code_lookup: "Error code lookup", menu_path_lookup: "Menu path",
    incentives: "Incentives", linked_to: "Linked to", billing_period: "Billing period", event_time: "Event time",
    now: "Current time", timezone: "Time zone", business_date: "Business date", calendar: "Calendar",
    requested_start: "Requested start", transaction: "Transaction", amount: "Amount", assigned_at: "Assigned at",
    dashboard: "Dashboard", role: "Role", customer_relation: "Customer relation",
    customer_under_their_name: "Customer under their name", http_status: "HTTP status", error_code: "Error code",
    task: "Task", can_share_one_invoice: "Can share one invoice", invoices_needed_at_least: "Invoices needed (at least)",
    invoice_groups: "Invoice groups", can_flow: "Can flow", counts_toward_assessment: "Counts toward assessment",
    period_start_beijing: "Period start (Beijing time)", period_end_beijing: "Period end (Beijing time)",
    generation_deadline_beijing: "Generation deadline (Beijing time)", generation_deadline_local: "Generation deadline (local time)",
    status: "Status", visible_date: "Visible on", visible_weekday: "Weekday", calendar_fallback: "Monday-Friday fallback calendar",
    queryable: "Queryable", earliest_queryable_date: "Earliest queryable date", interpretation: "Interpretation",
    credited_amount: "Credited amount", stated_in_corpus: "Stated in the rules", counts_from_beijing: "Counts from (Beijing time)",
    can_register: "Can register", can_view: "Can view", owner: "Owner", visible: "Visible", status_class: "Status class",
    known_code: "Known code", consistent: "Status and code agree", action: "What to do", description: "Description",
    known_pairs: "Known pairs", found: "Found", matches: "Matching menus", available: "available", pending: "not yet generated",
    unknown: "unknown", depends: "depends", batch: "batch application", single: "single application" },
};
const LANGUAGE_NAMES = { zh: "中文", "zh-Hans": "简体中文", "zh-Hant": "繁體中文", en: "English" };
const WEEKDAYS = { zh: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
  en: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] };

let LANG = sessionStorage.getItem("lang") || localStorage.getItem("lang") ||
  ((navigator.language || "zh").slice(0, 2) === "en" ? "en" : "zh");
function t(key, vars) {
  let text = (I18N[LANG] || I18N.zh)[key] || I18N.zh[key] || key;
  for (const [k, v] of Object.entries(vars || {})) text = text.replace("{" + k + "}", v);
  return text;
}
function label(key) { return (TOOL_LABELS[LANG] || {})[key] || key; }
function applyI18n() {
  document.documentElement.lang = LANG === "en" ? "en" : "zh-CN";
  document.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((node) => { node.placeholder = t(node.dataset.i18nPlaceholder); });
  document.querySelectorAll("[data-i18n-label]").forEach((node) => { node.setAttribute("aria-label", t(node.dataset.i18nLabel)); });
  const select = document.getElementById("lang");
  if (select) select.value = LANG;
}
let onLanguage = () => {};
function setupCommon(rerender) {
  onLanguage = rerender || onLanguage;
  const select = document.getElementById("lang");
  select.addEventListener("change", () => {
    LANG = select.value; localStorage.setItem("lang", LANG); sessionStorage.setItem("lang", LANG);
    applyI18n(); onLanguage();
  });
  const keybox = document.getElementById("keybox");
  const key = document.getElementById("key");
  if (sessionStorage.getItem("apiKey")) { key.value = sessionStorage.getItem("apiKey"); keybox.hidden = false; }
  keybox.addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("apiKey", key.value.trim());
    keybox.classList.remove("alert");
    document.dispatchEvent(new CustomEvent("apikey"));
  });
  applyI18n();
}
function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = sessionStorage.getItem("apiKey");
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

// A failed request, in words for the user; `kind` lets callers react (show the key box, start a new session).
// `key`/`vars` name the message so it can be drawn again in another language.
class RequestError extends Error {
  constructor(kind, key, vars, status, detail) {
    super(t(key, vars) + (detail ? " " + detail : ""));
    this.kind = kind; this.key = key; this.vars = vars || {}; this.status = status; this.detail = detail || "";
  }
  localised() { return t(this.key, this.vars) + (this.detail ? " " + this.detail : ""); }
}
async function api(path, options) {
  let response;
  try {
    response = await fetch(path, Object.assign({}, options, { headers: headers((options || {}).headers) }));
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new RequestError("unreachable", "unreachable", null, 0);
  }
  if (response.ok) return response;
  let code = "", message = response.status + " " + response.statusText;
  try { const data = await response.json(); code = data.error.code; message = data.error.message || message; } catch (e) { /* not JSON */ }
  if (response.status === 401) {
    const box = document.getElementById("keybox");
    if (box) { box.hidden = false; box.classList.add("alert"); document.getElementById("key").focus(); }
    throw new RequestError("auth", code === "invalid_api_key" ? "key_invalid" : "key_needed", null, 401);
  }
  const known = { 403: "forbidden", 410: "session_expired", 413: "too_large", 504: "timeout", 503: "not_ready" };
  if (response.status === 429) throw new RequestError("rate", "rate_limited", { s: response.headers.get("Retry-After") || "60" }, 429);
  if (known[response.status]) throw new RequestError(known[response.status], known[response.status], null, response.status);
  if (response.status >= 500) throw new RequestError("server", "server_error", null, response.status);
  throw new RequestError("client", "error", null, response.status, message);
}

// "2026-09-05T12:00:00.123+08:00" -> "2026-09-05 12:00 (星期六)"; other offsets are kept; plain dates get a weekday.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
function formatValue(value) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  if (Array.isArray(value)) return value.map(formatValue).join("; ");
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => label(k) + ": " + formatValue(v)).join(", ");
  const text = String(value);
  const m = text.match(ISO);
  if (!m) return label(text);
  const day = WEEKDAYS[LANG === "en" ? "en" : "zh"][new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay()];
  let out = `${m[1]}-${m[2]}-${m[3]}`;
  if (m[4]) out += ` ${m[4]}:${m[5]}`;
  out += ` (${day})`;
  if (m[6] && m[6] !== "+08:00") out += m[6] === "Z" || m[6] === "+00:00" ? " UTC" : " UTC" + m[6];
  return out;
}
// What a citation card is called: its menu path, else the passage's title, else the start of its quote
// (answers stored before citations carried titles); never a file name and line number.
function citationLabel(c) {
  if (c.menu_path) return c.menu_path;
  if (c.title) return c.title;
  const quote = (c.quote || c.text || "").trim();
  return quote.length > 40 ? quote.slice(0, 40) + "…" : quote;
}
// formatValue leaves Beijing time (+08:00, the rules' own zone) unmarked: where a time stands alone, say so.
function zoneNote(value) { return /T\d{2}:\d{2}.*\+08:00$/.test(String(value)) ? " " + t("beijing_time") : ""; }
// Times inside free text (traces) lose their seconds' fractions.
function tidy(text) { return String(text).replace(/(\d{2}:\d{2}:\d{2})\.\d+/g, "$1"); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}
async function copyText(text) {
  try { await navigator.clipboard.writeText(text); return true; } catch (e) {
    const area = el("textarea", { class: "sr-only", "aria-hidden": "true" }); area.value = text; document.body.append(area);
    area.select(); const ok = document.execCommand("copy"); area.remove(); return ok;
  }
}
function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type: type }));
  const link = el("a", { href: url, download: name }); document.body.append(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
