// Shared by the chat and triage pages: language strings, API key, fetch with JSON errors.
const I18N = {
  zh: { title: "伙伴中心规则助手", nav_chat: "对话", nav_triage: "工单分诊", new: "新对话", send: "发送",
    intro: "回答均引用伙伴中心规则原文;日期、截止时间和金额由规则引擎精确计算。资料不支持时会直接说明。",
    placeholder: "例如:8月的伙伴账单什么时候生成?(Enter 发送,Shift+Enter 换行)", ask_label: "问题",
    you: "您", assistant: "助手", citations: "引用", tool: "计算", inputs: "输入", outputs: "结果", trace: "步骤",
    source: "来源", menu: "菜单路径", full_text: "原文", follow: "需要补充:", helpful: "有帮助", not_helpful: "没帮助",
    comment: "意见(可选)", corrected: "正确答案(可选)", submit: "提交反馈", thanks: "已收到反馈,谢谢!",
    thinking: "正在查找…", abstained: "资料不支持回答", error: "出错了:",
    subject: "主题", body: "内容", role: "伙伴角色(可选)", analyze: "分析", upload: "批量上传 (JSONL/CSV)",
    category: "类别", priority: "优先级", human: "需要人工", entities: "提取的信息", missing: "缺少的信息",
    draft: "回复草稿", copy: "复制回复", copied: "已复制", tools: "规则计算", yes: "是", no: "否", none: "无" },
  en: { title: "Partner Rules Assistant", nav_chat: "Chat", nav_triage: "Triage", new: "New chat", send: "Send",
    intro: "Answers quote the Partner Center rules; dates, deadlines and amounts are computed exactly by the rules engine. When the documentation does not support an answer, it says so.",
    placeholder: "e.g. When is the August partner bill generated? (Enter sends, Shift+Enter new line)", ask_label: "Question",
    you: "You", assistant: "Assistant", citations: "Citations", tool: "Computation", inputs: "Inputs", outputs: "Results",
    trace: "Steps", source: "Source", menu: "Menu path", full_text: "Full text", follow: "Needed:", helpful: "Helpful",
    not_helpful: "Not helpful", comment: "Comment (optional)", corrected: "Correct answer (optional)",
    submit: "Send feedback", thanks: "Feedback received, thank you!", thinking: "Looking it up…",
    abstained: "Not supported by the documentation", error: "Error:",
    subject: "Subject", body: "Body", role: "Partner role (optional)", analyze: "Analyze", upload: "Batch upload (JSONL/CSV)",
    category: "Category", priority: "Priority", human: "Needs a person", entities: "Extracted entities",
    missing: "Missing information", draft: "Draft reply", copy: "Copy reply", copied: "Copied", tools: "Rule computations",
    yes: "yes", no: "no", none: "none" },
};
let LANG = sessionStorage.getItem("lang") || (navigator.language || "zh").slice(0, 2) === "en" ? "en" : "zh";
LANG = sessionStorage.getItem("lang") || LANG;
function t(key) { return (I18N[LANG] || I18N.zh)[key] || key; }
function applyI18n() {
  document.documentElement.lang = LANG === "en" ? "en" : "zh-CN";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  const select = document.getElementById("lang");
  if (select) select.value = LANG;
}
function setupCommon() {
  const select = document.getElementById("lang");
  select.addEventListener("change", () => { LANG = select.value; sessionStorage.setItem("lang", LANG); applyI18n(); });
  const key = document.getElementById("key");
  key.value = sessionStorage.getItem("apiKey") || "";
  key.addEventListener("change", () => sessionStorage.setItem("apiKey", key.value));
  applyI18n();
}
function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = sessionStorage.getItem("apiKey");
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}
async function errorText(response) {
  try { const data = await response.json(); return (data.error && data.error.message) || response.statusText; }
  catch (e) { return response.status + " " + response.statusText; }
}
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}
