"""error_code_lookup: HTTP status and CBC error codes (状态码 / 错误码)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .model import ToolInput, ToolOutput, explained, given, interpretation, not_stated, rule

#: The code-to-status pairs the corpus lists. Its excerpts are cut before the descriptions.
KNOWN_CODES: dict[str, int] = {"CBC.0000": 200, "CBC.30000010": 400, "CBC.0100": 400}


class ErrorCodeInput(ToolInput):
    http_status: int | None = Field(default=None, ge=100, le=599, description="HTTP status code, e.g. 400")
    error_code: str | None = Field(default=None, pattern=r"^(?i:CBC)\.\d{1,10}$", max_length=20,
                                   description="Error code such as CBC.30000010")

    @model_validator(mode="after")
    def _at_least_one(self) -> ErrorCodeInput:
        if self.http_status is None and self.error_code is None:
            raise ValueError("give http_status, error_code, or both")
        if self.error_code is not None:
            self.error_code = "CBC." + self.error_code.split(".", 1)[1]
        return self


class CodePair(ToolInput):
    error_code: str
    http_status: int


class ErrorCodeResult(ToolOutput):
    http_status: int | None = Field(description="The status given, or the one the corpus pairs with the code")
    status_class: Literal["success", "client_error", "server_error", "other", "unknown"]
    known_code: bool
    consistent: bool | None = Field(description="Whether the given status matches the code's known status")
    action_zh: str | None
    action_en: str | None
    description: None = Field(default=None, description="Always null: the corpus excerpts are cut before "
                                                         "the descriptions, and none are invented")
    known_pairs: list[CodePair]


_ACTIONS = {
    "client_error": ("请及时检查请求消息的正确性,重新发起请求。",
                     "Check that the request is correct and send it again.", "status.4xx"),
    "server_error": ("可及时联系华为云客服处理。",
                     "Contact Huawei Cloud customer service.", "status.5xx"),
}


def error_code_lookup(args: ErrorCodeInput) -> ErrorCodeResult:
    """Classify an HTTP status / CBC error code and say what to do, from the corpus's status-code table."""
    trace: list[str] = []
    refs: list[str] = []
    code = args.error_code
    known_status = KNOWN_CODES.get(code) if code else None
    if code:
        trace.append(f"{code}: " + (f"listed with HTTP {known_status}" if known_status else "not listed in the corpus"))
        if known_status:
            refs.append(f"status.code.{code}")
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
        if known_status:
            said.append(rule(f"错误码 {code} 在资料中对应 HTTP 状态码 {known_status}。",
                             f"Error code {code} is listed with HTTP status {known_status}.", f"status.code.{code}"))
        else:
            said.append(not_stated(f"资料中没有错误码 {code} 的记录。",
                                   f"The documentation does not list error code {code}."))
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
    if code and known_status:
        said.append(not_stated("资料摘录在描述列之前被截断,未给出该错误码的描述。",
                               "The excerpt is cut before the description column, so no description is given "
                               "(not stated)."))
    return ErrorCodeResult(
        http_status=status, status_class=status_class, known_code=known_status is not None,
        consistent=consistent, action_zh=action[0] if action else None, action_en=action[1] if action else None,
        known_pairs=[CodePair(error_code=c, http_status=s) for c, s in KNOWN_CODES.items()],
        trace=trace, rule_refs=refs, **explained(said))
