"""error_code_lookup: HTTP statuses and error codes (状态码 / 错误码) from the indexed code tables.

The codes are data: the caller passes the code-table rows of the indexed documents (the index's catalogue,
``knowledge.catalogue``, read at build time), so a new corpus brings its own codes. A code no row states is
said to be absent, never guessed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .model import ToolInput, ToolOutput, explained, given, interpretation, not_stated, rule

CODE_PATTERN = r"^[A-Za-z]{2,6}\.\d{1,10}$"


class CodeRow(ToolInput):
    """One row of a code table in the indexed documents (the index's catalogue, read at build time)."""

    code: str
    http_status: int
    description: str | None = None
    sentence: str = Field(description="The row as the document states it")
    chunk_id: str
    language: str = "zh"


class ErrorCodeInput(ToolInput):
    http_status: int | None = Field(default=None, ge=100, le=599, description="HTTP status code, e.g. 400")
    error_code: str | None = Field(default=None, pattern=CODE_PATTERN, max_length=20,
                                   description="Error code such as CBC.30000010 or PTN.4004")
    catalogue: list[CodeRow] | None = Field(
        default=None, description="The code-table rows of the indexed documents; the assistant and the API pass "
                                  "their active index's. Without it no code is known.")

    @model_validator(mode="after")
    def _at_least_one(self) -> ErrorCodeInput:
        if self.http_status is None and self.error_code is None:
            raise ValueError("give http_status, error_code, or both")
        if self.error_code is not None:
            family, number = self.error_code.split(".", 1)
            self.error_code = f"{family.upper()}.{number}"
        return self


class ErrorCodeResult(ToolOutput):
    http_status: int | None = Field(description="The status given, or the one the corpus pairs with the code")
    status_class: Literal["success", "client_error", "server_error", "other", "unknown"]
    known_code: bool
    consistent: bool | None = Field(description="Whether the given status matches the code's known status")
    action_zh: str | None
    action_en: str | None
    description: str | None = Field(default=None, description="The code's meaning as its table row states it; null "
                                                               "when the row is cut before it (none is invented)")
    sources: list[CodeRow] = Field(default_factory=list, description="The indexed rows stating the code (cite them)")


_ACTIONS = {
    "client_error": ("请及时检查请求消息的正确性,重新发起请求。",
                     "Check that the request is correct and send it again.", "status.4xx"),
    "server_error": ("可及时联系华为云客服处理。",
                     "Contact Huawei Cloud customer service.", "status.5xx"),
}


def _status_of(rows: list[CodeRow]) -> int | None:
    if not rows:
        return None
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.http_status] = counts.get(row.http_status, 0) + 1
    return max(counts, key=lambda status: (counts[status], -status))


def error_code_lookup(args: ErrorCodeInput) -> ErrorCodeResult:
    """Classify an HTTP status / error code (CBC.xxxx, PTN.xxxx ...) from the code tables of the indexed
    documents: the status and meaning its row states, and what the status class asks you to do."""
    trace: list[str] = []
    refs: list[str] = []
    code = args.error_code
    rows = [r for r in (args.catalogue or []) if r.code == code] if code else []
    known_status = _status_of(rows)
    described = next((r for r in rows if r.description), None)
    # each explanation quotes the row in its own language when the index has one there
    zh_row = next((r for r in rows if r.description and r.language == "zh"), described)
    en_row = next((r for r in rows if r.description and r.language == "en"), described)
    if code:
        trace.append(f"{code}: " + (f"listed with HTTP {known_status} in {len(rows)} indexed row(s)" if rows
                                    else f"not in the indexed documents ({len(args.catalogue or [])} code rows)"))
    status = args.http_status if args.http_status is not None else known_status
    consistent = None
    if args.http_status is not None and known_status is not None:
        consistent = args.http_status == known_status
        trace.append(f"given HTTP {args.http_status} {'matches' if consistent else 'does not match'} "
                     f"the listed {known_status}")
    if status is None:
        status_class = "unknown"
    elif 200 <= status < 300:
        status_class = "success"
    elif 400 <= status < 500:
        status_class = "client_error"
    elif 500 <= status < 600:
        status_class = "server_error"
    else:
        status_class = "other"
    trace.append(f"status {status} -> {status_class}")
    action = _ACTIONS.get(status_class)
    if action:
        refs.append(action[2])

    said = []
    if code:
        if rows:
            zh, en = zh_row or rows[0], en_row or rows[0]
            meaning_zh = f",含义:{zh.description.rstrip('。.')}。" if zh.description else "。"
            meaning_en = f": {en.description.rstrip('。.')}." if en.description else "."
            said.append(rule(f"错误码 {code} 在资料中对应 HTTP 状态码 {known_status}{meaning_zh}",
                             f"Error code {code} is listed with HTTP status {known_status}{meaning_en}",
                             quote=(zh if zh.description else en).sentence))
        else:
            said.append(not_stated(f"已索引的资料中没有错误码 {code} 的记录,无法说明它的含义。",
                                   f"Error code {code} is not in the indexed documents, so its meaning is not stated."))
    if consistent is False:
        said.append(given(f"注意:您给出的状态码 {args.http_status} 与资料中的 {known_status} 不一致。",
                          f"Note: the status {args.http_status} you gave differs from the listed {known_status}."))
    if status is not None:
        if action:
            class_zh = "属于客户端错误(4xx)" if status_class == "client_error" else "属于华为云系统原因(5xx)"
            class_en = "is a client error (4xx)" if status_class == "client_error" else \
                "is a Huawei Cloud system error (5xx)"
            said.append(rule(f"HTTP {status} {class_zh}。{action[0]}", f"HTTP {status} {class_en}. {action[1]}",
                             action[2]))
        elif status_class == "success":
            said.append(interpretation(f"HTTP {status} 按通行的 HTTP 含义理解为成功(资料未解释 2xx)。",
                                       f"We read HTTP {status} as success, its usual HTTP meaning (the documentation "
                                       "does not explain 2xx)."))
        else:
            said.append(not_stated(f"资料未说明 HTTP {status} 这类状态码。",
                                   f"The documentation does not explain a status such as HTTP {status}."))
    if rows and described is None:
        said.append(not_stated("资料摘录在描述列之前被截断,未给出该错误码的描述。",
                               "The excerpt is cut before the description column, so no description is given "
                               "(not stated)."))
    return ErrorCodeResult(
        http_status=status, status_class=status_class, known_code=bool(rows),
        consistent=consistent, action_zh=action[0] if action else None, action_en=action[1] if action else None,
        description=described.description if described else None, sources=rows,
        trace=trace, rule_refs=refs, **explained(said))
