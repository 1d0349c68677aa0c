"""Fill a tool's arguments from the message, the extracted slots and what the session carried.

A plan is either complete (arguments ready) or names the one detail still missing, with the
follow-up question to ask. Enumerations are read from wording tables in zh and en; when a
message names two different values ("批量还是单个?") the slot stays open and is asked about.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from tools.model import BEIJING, add_months

from .slots import Slots, cn_number, extract, to_digits
from .understanding.cues import WHERE, asks_bound
from .understanding.determiners import quantity_phrase, quantity_table, resolve_definite
from .understanding.scope import has_verb, negations, object_of_speaker, owned_by_speaker, polarity
from .understanding.values import read_value

# (pattern, value) tables; patterns run on the lower-cased, Simplified message.
_APPLICATION = [(r"批量|一起申请|一次申请|\bbatch\b|\bbulk\b|in one application", "batch"),
                (r"单个申请|单独申请|单独|单个|单笔|逐笔|分别申请|一笔一笔|\bsingl[ey]\b|individual|separately|one by one",
                 "single")]
_LINKED = [(r"基线解决方案|基线|baseline", "baseline_solution"),
           (r"联营商品|联营|joint[- ]operation", "joint_operation_product"),
           # a negative quantifier as the object (linked to nothing / none): the slot's own "none" value
           (r"\b(?:linked|attached|tied|associated)\s+to\s+(?:nothing|none)\b|\bunlinked\b", "nothing"),
           # a determiner of otherness before the offering, with its modifiers (别的普通Offering, another paid offering)
           (r"(其他|其它|别的|另外的?|另一个)\S{0,4}(offering|商品)|\b(other|another|a different)\s+(\w+\s+)?offerings?",
            "other_offering")]
# What the PO detail is about: linking the PO (the field's verb) to an offering (its object). Denied with no
# value said ("挂不上任何Offering", "can't be tied to anything", "no offering it can be associated with"), the
# PO is linked to none (understanding.scope reads the negation and its scope).
_LINK = r"关联|挂|绑|link|attach|tie|tied|associat|offering|商品"
_TRANSACTION = [(r"(购买|买|充值|办|buy|buying|purchase|top up|top-up)[^\s,,。;;!?!?]{0,12}?(储值卡|stored[- ]value card|prepaid card)|"
                 r"\b(buy|buying|bought|purchas\w*|top(ped)? up)\s+(a\s+|an\s+|the\s+|one\s+)?(\S+\s+)?(stored[- ]value|prepaid) cards?|"
                 r"(储值卡|stored[- ]value card|prepaid card)\S{0,3}(充值|top up)", "buy_card"),
                (r"(用|使用|拿|刷)\S{0,4}(储值卡)|\b(with|using|by)\s+(a\s+|the\s+|my\s+|their\s+)?(stored[- ]value|prepaid) card|"
                 r"储值卡(支付|付款|付|消费|购买云|买云)|paid with (a |the )?(stored[- ]value|prepaid) card|"
                 # the card as the source of the money (a preposition of source, or its balance), not the thing bought
                 r"\b(of|from|out of)\s+(a\s+|the\s+|my\s+|our\s+|their\s+|its\s+)?(stored[- ]value|prepaid) card|"
                 # the card used as the means of paying ("used a prepaid card to pay 6,000 yuan")
                 r"\b(use|used|uses|using)\s+(a\s+|the\s+|my\s+|our\s+|their\s+)?(stored[- ]value|prepaid) cards?\s+"
                 r"(to|for)\s+(pay|buy|purchase|cover)|"
                 r"(stored[- ]value|prepaid) card'?s? balance|储值卡(里|中|内)?的?余额|"
                 # the card as the payer, the subject of a paying verb ("our stored-value card paid 1,200 yuan")
                 r"(stored[- ]value|prepaid) card\s+(paid|pays|covered|covers|was used|is used)\b", "pay_with_card"),
                (r"现金|cash", "pay_cash")]
_DASHBOARD = [(r"业绩看板|业绩|performance", "performance"), (r"消费看板|消费|consumption", "consumption")]
_ROLE = [(r"客户经理主管|主管|supervisor", "account_manager_supervisor"),
         (r"客户经理|account manager", "account_manager")]
_RELATION = [(r"自己报备|我报备的|自己的客户|own customer|registered by (me|them|him|her)|i registered", "registered_by_self"),
             (r"关联的客户|关联客户|associated", "associated")]
# (someone else's customer is read from the owner's structure, scope.owned_by_speaker, not listed)
# Under whose name, when no possessive structure names an owner (``scope.owned_by_speaker`` reads that first):
# a bare 名下 / "under the name" is the asker's own (denied: "isn't under the name" - the other value).
_UNDER_NAME = [(r"名下|\bunder\s+(?:(?:the|their|his|her|my|our)\s+)?names?\b|\bown customers?\b", True)]
# Whether the incentives are on one payment request or several: the request's determiner of quantity
# (同一个 / 一个 / the same / a single vs 不同 / 多个 / different / separate, or a plural), denied or not.
_SAME_REQUEST = quantity_table("申付单", "payment request", one="same", many="different")
# The payment request as a noun phrase with its determiners: a quantity said of it ("a single payment request",
# "单个申付单") is the request's, not an application type.
_REQUEST_PHRASE = quantity_phrase("申付单", "payment request")
# How many incentives: counted directly, or by the billing periods they are for (a payment request holds
# one incentive per period, "一个申付单包含着多个账期的激励"). Read on the message with its numbers as digits,
# whichever language wrote them (slots.to_digits: 三笔, 十二个, "seven"); a count may stand a few modifiers
# away from its noun (a relative clause ending in 的, or English adjectives) (四笔单独申请的激励, "five separately applied incentives").
_COUNT = re.compile(r"(?<![\d.])(\d+)\s*(?:笔|个|项)(?:[^\d\s,,。;;!?!?:]{0,7}的)?(?:激励|账期)|"
                    r"(?<![\d.,])(\d+)\s+(?:[a-z-]+\s+){0,2}?(?:incentives|billing periods|periods|months' incentives)",
                    re.I)
_CODE = re.compile(r"(?<![a-z0-9])[a-z]{2,6}\.\d{2,10}(?![0-9])", re.I)  # CBC.0100, PTN.4004, MKT.0001
_STATUS = re.compile(r"(?<![\d.])([1-5]\d{2})(?!\d|\.\d)")  # "HTTP 503." ends a sentence; 503.5 is no status
_STATUS_CONTEXT = re.compile(r"状态码|错误码|http|status|error|报错|返回|code|错误|接口|调用|请求|响应|报了?个?\s*\d|"
                             r"\b(api|call|calls|request|response|returns?|returned|getting|got|keep getting)\b", re.I)


def _readings(text: str, table: list[tuple[str, Any]], other: Callable[[int], bool] | None = None,
              agent: bool = False) -> list[tuple[int, Any, str]]:
    """Every value ``text`` names, in order, with how it is said (plainly, denied or unknown: see
    ``understanding.scope``). Tables list specific wording first; a match is blanked out so that a longer phrase
    ("客户经理主管", "不在名下") is not read again as the shorter one inside it. Two values written as one
    compound ("account manager supervisor", "客户经理 主管") name its head, the last word, in English as in
    Chinese: the modifier before it is no value of its own, said or denied. An ``agent`` table names who does
    something (a role): a negation reaching back over its clause (报备不了) denies the deed, not who the agent is."""
    spans = negations(text)
    if agent:
        spans = [n.forward() for n in spans]
    matches: list[tuple[int, int, Any]] = []
    for pattern, value in table:
        matches += [(m.start(), m.end(), value) for m in re.finditer(pattern, text, re.I)]
        text = re.sub(pattern, lambda m: " " * len(m.group(0)), text, flags=re.I)  # positions kept
    heads = [(s, e, v) for s, e, v in matches
             if not any(s2 >= e and re.fullmatch(r"[\s-]*", text[e:s2]) and v2 != v for s2, _, v2 in matches)]
    return sorted((s, v, "denied" if other is not None and other(s) else polarity(spans, s)) for s, _, v in heads)


def pick(text: str, table: list[tuple[str, Any]], other: Callable[[int], bool] | None = None,
         agent: bool = False, values: tuple[Any, ...] | None = None) -> tuple[Any, bool]:
    """The one value the text names, and whether it named conflicting ones (then the value is None).

    A value denied ("我不是主管", "isn't under my name", "None of them were applied for in a batch") is ruled
    out, not chosen; a yes/no detail with one value denied and none said is the other value. A value under a
    negated verb of knowing ("not sure whether ...") is neither: with nothing else said, no value is read.
    ``other(at)`` says that the value written at ``at`` is said of someone else (so it is not this one's), like
    a denial.
    """
    found, denied, unknown = [], [], []
    for _, value, said in _readings(text, table, other, agent):
        target = found if said == "said" else denied if said == "denied" else unknown
        if value not in target:
            target.append(value)
    # A value said plainly somewhere is said, whatever a negation elsewhere scopes over ("今天在业绩看板上还看不到
    # 这笔业绩。业绩看板从哪天开始算?" denies seeing the performance, not the performance dashboard), as _denied reads.
    denied = [v for v in denied if v not in found]
    if len(found) == 1:
        return found[0], False
    # the detail's own values (``values``) when the table names only some of them: a denied value leaves the
    # other one only when the detail has two
    values = list(values or dict.fromkeys(value for _, value in table))
    if not found and len(values) == 2 and len(denied) == 1 and not unknown:
        # a yes/no detail said under negation names the other value ("isn't under my name" -> not under it)
        return next(v for v in values if v not in denied), False
    return None, len(found) > 1


def _denied(text: str, pattern: str) -> bool:
    """Is what ``pattern`` names said only under negation in ``text`` (and never plainly)?"""
    said = [polarity(negations(text), m.start()) for m in re.finditer(pattern, text, re.I)]
    return "denied" in said and "said" not in said


def general(tool: str, slot: str, low: str, notes: tuple[list[str], list[str]] | None = None) -> Any:
    """The general reading of an enumerated detail (understanding.values): the tables' fallback, used when
    they name no value and the conversation carries none. The reading is stated in the plan's notes."""
    reading = read_value(tool, slot, low)
    if reading is None:
        return None
    if notes is not None:
        label_zh, label_en = _value_label(tool, slot, reading.value)
        notes[0].append(f"“{reading.clause}”按“{label_zh}”理解")
        notes[1].append(f"“{reading.clause}” was read as “{label_en}”")
    return reading.value


def _value_label(tool: str, slot: str, value: Any) -> tuple[str, str]:
    """A value in the words the follow-up question offers it with, else its description."""
    from .understanding.values import DESCRIPTIONS

    values = list(DESCRIPTIONS[(tool, slot)])
    choices = CHOICES.get((tool, slot))
    if choices and len(choices[0]) == len(values):
        at = values.index(value)
        return choices[0][at], choices[1][at]
    return DESCRIPTIONS[(tool, slot)][value]


@dataclass
class Plan:
    tool: str
    arguments: dict[str, Any]
    missing: str | None = None           # the slot still needed
    applicable: bool = True              # False: the wording shows the tool does not fit after all
    state: dict[str, Any] | None = None  # what later turns inherit (defaults to the arguments)
    notes_zh: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)
    also: list[Plan] = field(default_factory=list)  # the same tool again for another item the message gives

    @property
    def complete(self) -> bool:
        return self.missing is None

    @property
    def carried(self) -> dict[str, Any]:
        base = self.state if self.state is not None else self.arguments
        return {k: v for k, v in base.items() if v is not None and k != "now"}


# The rules each missing detail decides: a question back is worth asking only when the rule the answer rests
# on turns on it (whether a PO can keep flowing does not depend on what it is linked to; whether customer
# consumption can back an invoice does not depend on the month asked about).
DECIDES: dict[tuple[str, str], frozenset[str]] = {
    ("attribution_start", "assigned_at"): frozenset({"attribution.performance_next_day",
                                                     "attribution.consumption_from_assignment"}),
    ("attribution_start", "dashboard"): frozenset({"attribution.performance_next_day",
                                                   "attribution.consumption_from_assignment"}),
    ("bill_timing", "period"): frozenset({"bill.generation_deadline"}),
    ("consumption_lookback", "requested_start"): frozenset({"consumption.lookback_18m"}),
    ("error_code_lookup", "code"): frozenset({"status.4xx", "status.5xx"}),
    ("invoice_merge_check", "application"): frozenset({"invoice.batch_merge", "invoice.single_no_merge"}),
    ("invoice_merge_check", "payment_request"): frozenset({"invoice.batch_merge"}),
    ("opportunity_permission", "role"): frozenset({"opportunity.manager_scope", "opportunity.supervisor_view_only"}),
    ("order_visibility", "customer_under_their_name"): frozenset({"orders.salesperson_scope"}),
    ("performance_visibility", "business_date"): frozenset({"performance.next_working_day"}),
    ("po_assessment_check", "linked_to"): frozenset({"po.assessment_scope"}),
    ("stored_value_card_credit", "transaction"): frozenset({"svc.purchase_no_credit", "svc.pay_cash_value"}),
}

FOLLOW_UPS: dict[tuple[str, str], tuple[str, str]] = {
    ("invoice_merge_check", "application"): ("这些激励是批量申请发放的,还是单个申请发放的?",
                                             "Were these incentives paid out through a batch application or applied for singly?"),
    ("invoice_merge_check", "payment_request"): ("这些批量申请的激励是否在同一个申付单里?",
                                                 "Are these batch-applied incentives on the same payment request?"),
    ("po_assessment_check", "linked_to"): ("这个PO关联的是基线解决方案、联营商品、其他Offering,还是没有关联Offering?",
                                           "Is the PO linked to a baseline solution, a joint-operation product, another offering, or no offering?"),
    ("bill_timing", "period"): ("您想查哪个账期(哪个月)的伙伴账单?",
                                "Which billing period (month) do you mean?"),
    ("performance_visibility", "business_date"): ("您想查哪一天的业绩数据?",
                                                  "Which day's performance data do you mean?"),
    ("consumption_lookback", "requested_start"): ("您想从哪一天或哪个月开始查询客户消费?",
                                                  "From which day or month do you want to query customer consumption?"),
    ("stored_value_card_credit", "transaction"): ("是购买储值卡,还是使用储值卡支付云服务?",
                                                  "Is this buying a stored-value card, or paying for cloud services with one?"),
    ("attribution_start", "assigned_at"): ("客户是哪天(几点)分配给该客户经理的?",
                                           "When (date and time) was the customer assigned to the account manager?"),
    ("attribution_start", "dashboard"): ("您看的是业绩看板还是消费看板?",
                                         "Do you mean the performance dashboard or the consumption dashboard?"),
    ("opportunity_permission", "role"): ("您的角色是客户经理还是客户经理主管?",
                                         "Is the role an account manager or an account-manager supervisor?"),
    ("order_visibility", "customer_under_their_name"): ("这个客户在该业务员名下吗?",
                                                        "Is the customer under the salesperson's name?"),
    # no example code: the codes are the index's, and an answer states no number its sources lack
    ("error_code_lookup", "code"): ("请提供HTTP状态码或错误码(响应中的 error_code,形如“字母.数字”)。",
                                    "Which HTTP status or error code (the response's error_code, letters.digits) "
                                    "did you get?"),
}


# The short answers a follow-up question offers (shown as buttons); each one, sent back as the next
# message, fills the missing detail through the same planners. Free-form details (a date, a code) have none.
# Labels use the corpus's own wording where it has one (无法关联Offering) and say the same in both languages.
CHOICES: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("invoice_merge_check", "application"): (("批量申请", "单个申请"), ("batch application", "single application")),
    ("invoice_merge_check", "payment_request"): (("同一个申付单", "不同申付单"),
                                                 ("same payment request", "different payment requests")),
    ("po_assessment_check", "linked_to"): (("基线解决方案", "联营商品", "其他Offering", "无法关联Offering"),
                                           ("baseline solution", "joint-operation product", "another offering",
                                            "no offering")),
    ("stored_value_card_credit", "transaction"): (("购买储值卡", "用储值卡支付"),
                                                  ("buying a stored-value card", "paying with a stored-value card")),
    ("attribution_start", "dashboard"): (("业绩看板", "消费看板"), ("performance dashboard", "consumption dashboard")),
    ("opportunity_permission", "role"): (("客户经理", "客户经理主管"), ("account manager", "account-manager supervisor")),
    ("order_visibility", "customer_under_their_name"): (("在其名下", "不在其名下"),
                                                        ("under their name", "not under their name")),
    ("bill_timing", "period"): (("上个月", "这个月"), ("last month", "this month")),
}


# Short names of the tools' topics, for "which topic do you mean?" choices.
TOPICS: dict[str, tuple[str, str]] = {
    "bill_timing": ("伙伴账单生成时间", "when the partner bill is generated"),
    "performance_visibility": ("业绩数据何时可查看", "when performance data is visible"),
    "consumption_lookback": ("客户消费可查询范围", "how far back consumption can be queried"),
    "attribution_start": ("客户分配后的业绩归属", "attribution after a customer is assigned"),
    "stored_value_card_credit": ("储值卡业绩", "stored-value card performance"),
    "invoice_merge_check": ("激励合并开票", "merging incentives on one invoice"),
}
# Which kind of value each topic takes: a bare value ("10月", "3000元") can belong to these.
_TAKES = {"months": ("bill_timing", "consumption_lookback", "invoice_merge_check"),
          "dates": ("performance_visibility", "consumption_lookback", "attribution_start"),
          "datetimes": ("bill_timing", "attribution_start"),
          "amounts": ("stored_value_card_credit",)}


def topics_taking(slots: Slots) -> list[str]:
    """The topics a message's bare values could belong to (every topic when it holds none of these)."""
    found = [tool for kind, tools in _TAKES.items() if getattr(slots, kind) for tool in tools]
    return list(dict.fromkeys(found)) or list(TOPICS)


def plan(tool: str, text: str, slots: Slots, now: datetime, carried: dict[str, Any] | None = None) -> Plan:
    """Arguments for ``tool`` from this message (already normalised to Simplified Chinese by the
    normalise stage), falling back to what earlier turns carried."""
    low = text.lower()
    carried = dict(carried or {})
    corrected = bare_correction(tool, low, slots, carried)
    if corrected is not None:
        # a bare number after this tool answered ("改一下,是4000", "make it 503") is its numeric detail
        carried[corrected[0]], carried[BARE_CORRECTION] = corrected[1], corrected[0]
    return _PLANNERS[tool](low, slots, now, carried)


# Scope: a value said of one item ("其中一笔", "one of them") changes that item only, not all of them.
# A demonstrative with a classifier of one ("9月那笔", "that one") picks one item too.
_ONE_OF = re.compile(r"其中(的)?[一1](笔|个|项|张)|有[一1](笔|个|项)是|只有[一1](笔|个|项)|\bone of (them|those|these|the)\b|"
                     r"\bone (incentive|of)\b|\bonly one\b|[那这]一?(笔|项|张)|\b(that|this) one\b")


# A universal quantifier over the items (都, 全部, both, all of them): every item has the value said.
_ALL = re.compile(r"都|全部|全都|\bboth\b|\ball (?:of )?(?:them|the|three|two|four)\b|\beach\b")
# Items enumerated one by one ("一笔批量申请一笔单个申请", "one in a batch, the other singly"): each item's own value.
_ITEM = re.compile(r"(?:另)?[一1](?:笔|个|项)|\b(?:one|the other|another)\b")


def _itemised(low: str) -> list[str]:
    """The application of each item when the message enumerates the items with one value each, in order: read
    from the wording tables, else by meaning (understanding.values) for an item the tables name no value for
    ("one was applied for on its own")."""
    marks = list(_ITEM.finditer(low))
    if len(marks) < 2:
        return []
    values = []
    for mark, after in zip(marks, marks[1:] + [None]):
        part = low[mark.start():after.start() if after else len(low)]
        said, conflict = pick(part, _APPLICATION)
        if conflict:
            return []
        if said is None:
            reading = read_value("invoice_merge_check", "application", part)
            said = reading.value if reading is not None else None
        if said is not None:  # "one invoice" names an item of another kind: no value, skipped
            values.append(said)
    return values if len(values) >= 2 and len(set(values)) > 1 else []


def _invoice(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    said, conflict = pick(_REQUEST_PHRASE.sub(" ", low), _APPLICATION)
    if said and not conflict and _ALL.search(low):
        carried = {**carried, "odd_application": None, "odd_period": None}  # 两笔都是…, all of them: no odd item
    # items enumerated one by one (一笔批量申请一笔单个申请; two went through one batch, one on its own): each its own
    items = _itemised(_REQUEST_PHRASE.sub(" ", low)) if conflict or said else []
    if items:
        # one value per item: the items that differ are read as the odd ones, the first value as the rest's
        said, conflict = items[0], False
        odd_items = [v for v in items if v != items[0]]
        carried = {**carried, "odd_application": odd_items[0], "count": carried.get("count") or len(items)}
    general_notes: tuple[list[str], list[str]] = ([], [])
    if said is None and not conflict and not carried.get("application") and not items:
        said = general("invoice_merge_check", "application", _REQUEST_PHRASE.sub(" ", low), general_notes)
    one_of = bool(said and _ONE_OF.search(low) and carried.get("application"))
    application = carried.get("application") if one_of else said or carried.get("application")
    # Per-item applications when one item differs from the rest (kept over later turns).
    odd = said if said and said != application else carried.get("odd_application")
    request, _ = pick(low, _SAME_REQUEST)
    request = request or carried.get("payment_request")
    periods = slots.months or carried.get("periods") or []
    odd_period = carried.get("odd_period")
    known = carried.get("periods") or []
    if one_of and slots.months and set(slots.months) <= set(known):
        # the month names which of the earlier items differs ("如果9月那笔是单独申请的呢?"), not a new set of items
        periods, odd_period = known, slots.months[0]
    count_match = _COUNT.search(to_digits(low))
    count = carried.get("count")
    if count_match:
        count = int(count_match.group(1) or count_match.group(2))
    inferred = application is None and request is not None
    if inferred:  # a payment request comes from a batch application (corpus): the request says how they were applied
        application = "batch"
    state = {"application": application, "payment_request": request, "periods": periods, "count": count,
             "odd_application": odd, "odd_period": odd_period}
    result = Plan("invoice_merge_check", {}, state=state, notes_zh=general_notes[0], notes_en=general_notes[1])
    if inferred:
        result.notes_zh.append("申付单来自批量申请,按批量申请理解")
        result.notes_en.append("a payment request comes from a batch application, so read as batch-applied")
    if application is None:
        result.missing = "application"
        return result
    n = max(count or 0, len(periods), 2)
    if not count and not periods:
        result.notes_zh.append("未说明激励笔数,按两笔激励说明")
        result.notes_en.append("the number of incentives was not given, so two incentives were assumed")
    if application == "batch" and request is None:
        # One batch application yields one payment request (corpus): read it that way, and say so.
        request = "same"
        state["payment_request"] = "same"
        result.notes_zh.append("按同一次批量申请(一个申付单)理解")
        result.notes_en.append("read as one batch application, i.e. one payment request")
    if odd:
        result.notes_zh.append(f"按其中一笔为{'批量申请' if odd == 'batch' else '单个申请'}、其余不变理解")
        result.notes_en.append(f"read as one incentive {'in a batch application' if odd == 'batch' else 'applied for singly'}"
                               ", the others unchanged")
    incentives = []
    for i in range(n):
        at = periods.index(odd_period) if odd_period in periods else n - 1  # the item that differs
        kind = odd if odd and i == at else application
        item: dict[str, Any] = {"id": f"incentive-{i + 1}", "application": kind}
        if i < len(periods):
            item["billing_period"] = periods[i]
        if kind == "batch":
            item["payment_request_id"] = "payment-request-1" if request in ("same", None) else f"payment-request-{i + 1}"
        incentives.append(item)
    result.arguments = {"incentives": incentives}
    return result


def _one_choice(tool: str, argument: str, value: Any) -> Plan:
    """A tool with one required choice: run it, or ask for the choice."""
    if value is None:
        return Plan(tool, {}, missing=argument)
    return Plan(tool, {argument: value})


def _po(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    linked, conflict = pick(low, _LINKED)
    if linked is None and not conflict and _denied(low, _LINK):
        linked = "nothing"  # the link itself denied, no offering named: linked to none
    linked = linked or carried.get("linked_to")
    notes: tuple[list[str], list[str]] = ([], [])
    if linked is None and not conflict:
        linked = general("po_assessment_check", "linked_to", low, notes)
    result = _one_choice("po_assessment_check", "linked_to", linked)
    result.notes_zh, result.notes_en = notes
    return result


def _bill(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    args: dict[str, Any] = {"now": now.isoformat()}
    zone = slots.timezone or carried.get("timezone")
    if zone and zone != "Asia/Shanghai":
        args["timezone"] = zone
    if slots.datetimes:
        args["event_time"] = slots.datetimes[0].isoformat()
    elif len(slots.month_list) > 1:
        # a list of months (7/8/9月) is several billing periods: one call each, in the order said
        plans = [Plan("bill_timing", {**args, "billing_period": month}) for month in slots.month_list]
        plans[0].also = plans[1:]
        return plans[0]
    elif slots.months:
        args["billing_period"] = slots.months[0]
    elif carried.get("billing_period") or carried.get("event_time"):
        key = "billing_period" if carried.get("billing_period") else "event_time"
        args[key] = carried[key]
    else:
        return Plan("bill_timing", {k: v for k, v in args.items() if k != "now"}, missing="period")
    return Plan("bill_timing", args)


# A day of the month said alone ("the 30th", "15号", "Friday the 4th"): a closed grammar of date forms.
_DAY_ONLY = re.compile(r"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+|(?:周|星期|礼拜)[一二三四五六日天]\s*)?"
                       r"(?:the\s+)?(\d{1,2})\s*(?:st|nd|rd|th|号|日)?$", re.I)


def _day_in_month_before(day: date, slots: Slots, before: Any) -> tuple[date, list[str], list[str], bool]:
    """A follow-up naming only a day of the month ("那30号的呢", "sorry, I meant the 26th") changes the day of
    the date said before, in that date's month and year, whatever month today is (after Dec 31, "the 30th" is
    Dec 30, not the last 30th before today). Any month, year or relative word keeps its own reading. The last
    value says whether the message named only a day of the date said before."""
    spans = {span.strip() for span in slots.spans}
    if before is None or not spans or not all(_DAY_ONLY.match(span) for span in spans):
        return day, [], [], False
    try:
        base = date.fromisoformat(str(before)[:10])
        moved = base.replace(day=day.day)
    except ValueError:
        return day, [], [], False
    if moved == day:
        return day, [], [], True
    return (moved, [f"只说了日,按上文日期所在的月份理解:{moved.isoformat()}"],
            [f"only a day was given, read in the month of the date before: {moved.isoformat()}"], True)


def _performance(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    asked = slots.asked_dates
    day = asked[0] if asked else (slots.datetimes[0].date() if slots.datetimes else None)
    if day is None and carried.get("business_date"):
        return Plan("performance_visibility", {"business_date": carried["business_date"]})
    if day is None:
        return Plan("performance_visibility", {}, missing="business_date")
    day, notes_zh, notes_en, _ = _day_in_month_before(day, slots, carried.get("business_date"))
    return Plan("performance_visibility", {"business_date": day.isoformat()}, notes_zh=notes_zh, notes_en=notes_en)


def _lookback(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    if slots.asked_dates:  # "today" beside a month is when the question is asked, not the start
        start = slots.asked_dates[0].isoformat()
    elif slots.months:
        start = slots.months[0]
    elif slots.periods:
        start = slots.periods[0][0].strftime("%Y-%m")  # 上个季度: from the quarter's first month
    elif slots.years:  # 2024年全年的消费, "consumption for 2024": the year from its first month, as a period is read
        start = f"{slots.years[0]:04d}-01"
    else:
        match = re.search(r"([0-9两二三四五六七八九十]+)\s*(年|个月)(前|以前|之前)|(\d+)\s*(years?|months?)\s+ago", low)
        start = None
        if match:
            raw = match.group(1) or match.group(4)
            amount = cn_number(raw) or 0
            months = amount * 12 if (match.group(2) or match.group(5) or "").startswith(("年", "year")) else amount
            start = add_months(now.astimezone(BEIJING).date(), -months).isoformat()
        start = start or carried.get("requested_start")
    notes_zh, notes_en = [], []
    if start is None and asks_bound(low) == "earliest":
        # Asked for the earliest queryable day itself: the look-back computed from today gives it (the rule
        # asked about, not a quote of it). The reading is stated.
        start = now.astimezone(BEIJING).date().isoformat()
        notes_zh.append("问的是最早可查询的日期:按今天(北京时间)往前推算")
        notes_en.append("the earliest queryable day was asked for: counted back from today (Beijing time)")
    if start is None:
        return Plan("consumption_lookback", {}, missing="requested_start")
    return Plan("consumption_lookback", {"requested_start": start, "now": now.isoformat()},
                notes_zh=notes_zh, notes_en=notes_en)


# The card first, then a buying verb (储值卡买三千块, 储值卡里1.5万拿去买了ECS): what is bought decides. An
# amount or nothing is the card itself, bought (the object put first); anything else is bought with it.
_CARD_THEN_BUY = re.compile(r"(储值卡|stored[- ]value card|prepaid card)[^。?!?!]{0,12}?(购买|买|buy|bought|purchased?)"
                            r"(?:了|\s+)?\s*(\S?)")


def _card_then_buy(low: str) -> str | None:
    match = _CARD_THEN_BUY.search(low)
    if match is None:
        return None
    head = match.group(3)
    if not head or re.match(r"[\d零〇一二两三四五六七八九十百千万¥$,,。??]|算|计", head):
        return "buy_card"
    if head == "的" and re.match(r"\s*(?:[呢吗啊呀吧]|[,,。;;!?!?]|$)", low[match.end(3):]):
        return "buy_card"  # 储值卡是花8000买的: a 是…的 clause with nothing bought after the verb, the card itself was
    return "pay_with_card"


# A number with no unit, date or clock reading ("改一下,是4000", "make it 503", "sorry 是 1900"): after a tool
# answered, it corrects that tool's numeric detail (``bare_correction``). Not a date, time, count or rate.
# (a comma or full stop ends the number unless a digit follows: "900, not 700" is two numbers, the word after the
# comma no unit)
_BARE_NUMBER = re.compile(r"(?<![\d.,:])\d(?:\d|,(?=\d))*(?:\.\d+)?(?!\d|[.,]\d|\s*(?:%|％|年|月|日|号|个|笔|次|天|点|时|:|"
                          r"[a-z]))",  # a word after it is its unit (3 days, 5 POs)
                          re.I)
# The carried key saying which numeric detail this message's bare number corrected (set by ``plan``).
BARE_CORRECTION = "_bare_number"


def lone_number(low: str, slots: Slots) -> Decimal | None:
    """The one number a message writes with no unit and nothing else read as a value (no date, month, time,
    amount or zone): "改一下,是4000", "make it 503". A number said under negation beside it is the value it
    replaces (不是3000,是5000; "5000, not 3000"), not a second one. None otherwise."""
    if slots.dates or slots.months or slots.datetimes or slots.times or slots.periods or slots.amounts or \
            slots.timezone or slots.invalid_zone:
        return None
    found = list(_BARE_NUMBER.finditer(low))
    spans = negations(low)
    plain = [m for m in found if polarity(spans, m.start()) == "said"]
    numbers = [m.group(0).replace(",", "") for m in (plain if plain and len(plain) < len(found) else found)]
    if len(numbers) != 1:
        return None
    try:
        return Decimal(numbers[0])
    except InvalidOperation:
        return None


def _numeric_fields(tool: str) -> dict[str, Any]:
    """The tool's input fields that hold a number (int or Decimal, not a flag), with their field info."""
    import typing

    from tools import TOOLS

    def numeric(annotation: Any) -> bool:
        if annotation is bool:
            return False
        if annotation in (int, float, Decimal):
            return True
        return any(numeric(a) for a in typing.get_args(annotation))

    model = TOOLS[tool].input_model
    return {name: info for name, info in model.model_fields.items() if numeric(info.annotation)}


def bare_correction(tool: str, low: str, slots: Slots, carried: dict[str, Any]) -> tuple[str, Any] | None:
    """The numeric detail a bare number corrects, with its value: the most recent numeric detail the tool's
    last call was given (the last one set), or the tool's only numeric detail when none was, provided the
    tool's own field accepts the number (its type and bounds: an HTTP status is an integer from 100 to 599,
    an amount a non-negative decimal). None when the tool did not run in this conversation, has no numeric
    detail, or none accepts the number: the move decision then asks what the number refers to."""
    from pydantic import TypeAdapter, ValidationError
    from tools import TOOLS

    number = lone_number(low, slots)
    if number is None or tool not in TOOLS:
        return None
    fields = _numeric_fields(tool)
    if not fields or not any(k in carried for k in TOOLS[tool].input_model.model_fields):
        return None
    given = [k for k in carried if k in fields and carried[k] is not None]
    for name in (list(reversed(given)) or (list(fields) if len(fields) == 1 else [])):
        info = fields[name]
        try:
            value = TypeAdapter(typing_annotated(info)).validate_python(
                int(number) if number == number.to_integral_value() else number)
        except (ValidationError, ValueError, TypeError):
            continue
        if value is None:
            continue
        # the number as written when the field takes a decimal (amounts travel as their written digits)
        return name, format(number, "f") if isinstance(value, Decimal) else value
    return None


def typing_annotated(info: Any) -> Any:
    """A pydantic field's annotation with its constraints (ge / le ...), for validating one value alone."""
    from typing import Annotated

    return Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation


def _correction_amount(low: str, slots: Slots, carried: dict[str, Any]) -> str | None:
    """The one amount a message gives: its own (3000元, 两千五), or the bare number that corrects the amount
    of the transaction answered before (``bare_correction``, read by ``plan``)."""
    if slots.amounts:
        return str(slots.amounts[0]) if len(slots.amounts) == 1 else None
    if carried.get(BARE_CORRECTION) == "amount":
        return str(carried["amount"])
    return None


def _correct_step(low: str, slots: Slots, carried: dict[str, Any], named: str | None) -> Plan | None:
    """A correction of one step of an answer that computed two (a card bought, then paid with): the amount goes
    to the step the correction's words name (用卡买的是4000: paid with the card; 卡是8000买的: the card bought),
    or, when they name none, to the last step (said so); the other step keeps its amount. Both are recomputed."""
    steps = [list(step) for step in carried.get("steps") or []]
    amount = _correction_amount(low, slots, carried)
    if len(steps) != 2 or amount is None or slots.currency not in (None, "CNY"):
        return None
    kinds = [t for t, _ in steps]
    notes_zh, notes_en = [], []
    if named not in kinds:
        named = kinds[-1]
        label_zh, label_en = _value_label("stored_value_card_credit", "transaction", named)
        notes_zh.append(f"更正的金额未说明是哪一步,按“{label_zh}”的金额理解")
        notes_en.append(f"the corrected amount did not say which step it is, so it was read as “{label_en}”")
    steps[kinds.index(named)][1] = amount
    return _two_steps(steps, notes_zh, notes_en)


def _two_steps(steps: list[list[Any]], notes_zh: list[str] | None = None, notes_en: list[str] | None = None) -> Plan:
    """One call per step, in order; the first carries both steps for a later correction of either."""
    plans = [Plan("stored_value_card_credit", {"transaction": t, **({"amount": a} if a else {})}) for t, a in steps]
    first = plans[0]
    first.state = {**first.arguments, "steps": steps}
    first.notes_zh, first.notes_en = notes_zh or [], notes_en or []
    first.also = plans[1:]
    return first


# What the card is in its clause (understanding.roles): the means of paying, or the object of a verb. The rule
# covers two deeds (tools.rules svc.*): buying a card (its own verbs of acquiring) and paying with one (verbs of
# using and paying). Any other verb done to the card (退, 转让, refund, transfer ...) is a transaction it does not
# cover: "other", answered as not stated instead of guessed as a purchase.
_CARD = r"储值卡|stored[- ]?value cards?|prepaid cards?"
_BUY_VERBS = (frozenset({"买", "购买", "购", "充值", "充", "办", "办理", "订购", "购置"}),
              frozenset({"buy", "purchase", "top", "recharge", "load", "order", "acquire"}))
_PAY_VERBS = (frozenset({"用", "使用", "拿", "刷", "支付", "付", "付款", "结算", "扣", "扣款", "消费", "抵扣", "结账", "花"}),
              frozenset({"use", "pay", "spend", "charge", "swipe", "settle", "cover", "deduct"}))


def _card_kinds(low: str) -> list[tuple[str, str]]:
    """Each card mention's transaction kind, read from its role in its clause, with the word that decides it."""
    from .understanding.bilingual import lemmas
    from .understanding.roles import roles

    kinds = []
    for role in roles(low, _CARD):
        if role.relation == "means":
            kinds.append(("pay_with_card", role.word))
            continue
        chinese = bool(re.search(r"[\u4e00-\u9fff]", role.word))
        forms = {role.word} if chinese else set(lemmas(role.word))
        if forms & _BUY_VERBS[not chinese]:
            kinds.append(("buy_card", role.word))
        elif forms & _PAY_VERBS[not chinese]:
            kinds.append(("pay_with_card", role.word))
        elif role.verb:
            kinds.append(("other", role.word))
    return kinds


def _card_clauses(low: str, now: datetime) -> list[tuple[str, list[Decimal]]]:
    """Each clause that reads one covered card deed (bought, or paid with), in the order written, with the
    amounts that clause states: an amount belongs to the deed of its own clause ("bought a card for 3000 and
    later paid 1200 with it" - 3000 is no payment)."""
    from .understanding.scope import CLAUSE

    found = []
    for clause in CLAUSE.split(low):
        kinds = {kind for kind, _ in _card_kinds(clause or "")} - {"other"}
        if len(kinds) == 1:
            found.append((kinds.pop(), extract(clause, now).amounts))
    return found


def _clause_amount(kind: str, clauses: list[tuple[str, list[Decimal]]]) -> str | None:
    """The one amount the clauses reading ``kind`` state, if exactly one."""
    amounts = {a for k, said in clauses if k == kind for a in said}
    return str(amounts.pop()) if len(amounts) == 1 else None


def _ordered(text: str, table: list[tuple[str, Any]]) -> list[Any]:
    """The values a text names, in the order it names them (none said under negation)."""
    return list(dict.fromkeys(value for _, value, said in _readings(text, table) if said == "said"))


def _stored_value(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    if carried.get("transaction") or re.search(r"储值卡|stored[- ]value card|prepaid card", low):
        # a definite "the card" / bare 卡 refers to the card under discussion: one this message or the
        # conversation already named (alone, 买卡 could be any card: asked)
        low = resolve_definite(low, "储值卡", "stored-value card")
    transaction, conflict = pick(low, _TRANSACTION)
    kinds = _card_kinds(low)
    if kinds and all(kind == "other" for kind, _ in kinds) and not carried.get("steps"):
        # only deeds the rule does not cover are done to the card (a refund, a transfer): not stated, never guessed
        said = "、".join(dict.fromkeys(word for _, word in kinds))
        return Plan("stored_value_card_credit", {"transaction": "other"},
                    notes_zh=[f"“{said}”储值卡既不是购买储值卡,也不是用储值卡支付"],
                    notes_en=[f"'{said}' a stored-value card is neither buying one nor paying with one"])
    clauses = _card_clauses(low, now) if len(slots.amounts) > 1 or conflict else []
    both = _ordered(low, _TRANSACTION) if conflict else []
    in_clauses = list(dict.fromkeys(kind for kind, _ in clauses))
    if set(both) != {"buy_card", "pay_with_card"} and set(in_clauses) == {"buy_card", "pay_with_card"}:
        both = in_clauses  # the card's role in each clause tells both steps where no wording table does
    if set(both) == {"buy_card", "pay_with_card"}:
        # The message tells both steps (bought a card, then paid with it): each is computed, each with the
        # amount its own clause states (else one per step in the order written), in the order written.
        cny = slots.currency in (None, "CNY")
        amounts = [_clause_amount(t, clauses) if cny else None for t in both]
        if len(slots.amounts) == 2 and cny:
            # a step whose clause states none takes the amount no other step's clause holds
            rest = iter(str(a) for a in slots.amounts if str(a) not in amounts)
            amounts = [a or next(rest, None) for a in amounts]
        return _two_steps([[t, a] for t, a in zip(both, amounts, strict=True)])
    if transaction is None and not conflict:
        transaction = _card_then_buy(low)
    if transaction is None and not conflict and len({kind for kind, _ in kinds} - {"other"}) == 1:
        # no wording table reads it: the card's role in its clause does (through / via / 通过 the card pays)
        transaction = next(kind for kind, _ in kinds if kind != "other")
    if carried.get("steps") and not conflict:
        corrected = _correct_step(low, slots, carried, transaction)
        if corrected is not None:
            return corrected
    if transaction == "pay_cash" and re.search(r"储值卡|stored[- ]value|prepaid", low) and "现金支付的额度" not in low:
        transaction = None  # "cash" next to a card usually describes the card's cash value: ask
    transaction = transaction or carried.get("transaction")
    notes_zh, notes_en = [], []
    if transaction is None and not conflict:
        transaction = general("stored_value_card_credit", "transaction", low, (notes_zh, notes_en))
    # a step of an earlier two-step answer keeps its own amount when this message names it without one
    step_amount = dict(map(tuple, carried.get("steps") or [])).get(transaction, carried.get("amount"))
    amount = str(slots.amounts[0]) if slots.amounts else _correction_amount(low, slots, carried) or step_amount
    if len(slots.amounts) > 1 and transaction in ("buy_card", "pay_with_card"):
        # several amounts: the one in the clause whose card deed is the one computed (a card bought for 2000,
        # then 600 paid with it: the payment is 600); when no clause decides, the first, as before
        amount = _clause_amount(transaction, clauses or _card_clauses(low, now)) or amount
    if slots.amounts and slots.currency not in (None, "CNY"):
        # The tools' amounts are CNY (tools.model.Money). Another currency is kept as written and said
        # to be outside the rule's unit; it is never computed as if it were yuan, nor converted at a guessed rate.
        stated = f"{slots.currency} {slots.amounts[0]}"
        notes_zh.append(f"规则中的金额以人民币(CNY)计;{stated} 未换算,未代入计算")
        notes_en.append(f"the rule counts amounts in CNY; {stated} was not converted and not used in the calculation")
        amount = None
    state = {"transaction": transaction, "amount": amount}
    if transaction is None:
        return Plan("stored_value_card_credit", state, missing="transaction")
    # The amount is optional: the rule itself answers "does it count"; with an amount, it is exact.
    args = {"transaction": transaction}
    if amount is not None:
        args["amount"] = amount
    return Plan("stored_value_card_credit", args, notes_zh=notes_zh, notes_en=notes_en)


# The clause that tells the assignment ("客户是11月19号才分给客户经理的", "was handed to ... on 2026-12-01"):
# when a message gives several dates (the order's, the assignment's), the assignment's is the one in it.
_ASSIGNMENT = re.compile(r"分给|分配|划给|划到|转给|转到|assign\w*|hand(?:ed)? (?:over )?to|transferr\w* to")
_CLAUSES = re.compile(r"[,,;;。!?!?\n]|\s+-\s+|(?<=[a-z])\.\s")


def _assignment_slots(low: str, slots: Slots, now: datetime) -> Slots:
    if len(slots.dates) + len(slots.datetimes) < 2:
        return slots
    clauses = [c for c in _CLAUSES.split(low) if _ASSIGNMENT.search(c)]
    found = [extract(c, now) for c in clauses]
    dated = [f for f in found if f.dates or f.datetimes]
    return dated[0] if len(dated) == 1 else slots


def _attribution(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    dashboard, conflict = pick(low, _DASHBOARD)
    dashboard = dashboard or carried.get("dashboard")
    result = Plan("attribution_start", {})
    if dashboard is None and not conflict:
        dashboard = general("attribution_start", "dashboard", low, (result.notes_zh, result.notes_en))
    slots = _assignment_slots(low, slots, now)
    if slots.datetimes:
        assigned = slots.datetimes[0].isoformat()
    elif slots.dates:
        before = carried.get("assigned_at")
        day, notes_zh, notes_en, day_only = _day_in_month_before(slots.dates[0], slots, before)
        result.notes_zh += notes_zh
        result.notes_en += notes_en
        if day_only:  # only the day changed: the moment said before keeps its time of day
            moment = datetime.fromisoformat(str(before))
            assigned = datetime.combine(day, moment.timetz()).isoformat()
            result.notes_zh.append(f"分配时刻沿用上文的 {moment:%H:%M}")
            result.notes_en.append(f"the time of assignment said before ({moment:%H:%M}) still holds")
        else:
            assigned = datetime.combine(slots.dates[0], time(0), BEIJING).isoformat()
            result.notes_zh.append("未给出分配时刻,按当天 00:00(北京时间)计")
            result.notes_en.append("no time of assignment was given, so 00:00 Beijing time that day was used")
    else:
        assigned = carried.get("assigned_at")
    result.arguments = {"assigned_at": assigned, "dashboard": dashboard}
    if dashboard is None:
        result.missing = "dashboard"
    elif assigned is None:
        result.missing = "assigned_at"
    return result


def _object_of_role(low: str, at: int) -> bool:
    """Is the role noun at ``at`` the object of a verb whose subject is another role noun of the same stretch
    (主管(管着几个客户经理): the account managers are the supervisor's, the supervisor is who acts)? Only within
    a stretch with no clause break but brackets, the subject written first, a verb between."""
    for m in re.finditer("|".join(p for p, _ in _ROLE), low, re.I):
        if m.end() > at:
            break
        between = low[m.end():at]
        if re.search(r"[,,;;。!?!?:]", between) or not re.search(r"[\u4e00-\u9fff]", between):
            continue
        if has_verb(between.strip("(()) ")):
            return True
    return False


def _opportunity(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    # a role noun the speaker leads, manages or reports to is someone else's role, not the speaker's: the
    # speaker holds the other role ("I manage five account managers", 我向客户经理主管汇报)
    role, _ = pick(low, _ROLE, other=lambda at: object_of_speaker(low, at) or _object_of_role(low, at), agent=True)
    if role is None and re.search(r"我是主管|作为主管|i am a supervisor|i'm a supervisor", low):
        role = "account_manager_supervisor"
    notes: tuple[list[str], list[str]] = ([], [])
    role = role or carried.get("role") or general("opportunity_permission", "role", low, notes)
    relation, conflict = pick(low, _RELATION, values=("registered_by_self", "associated", "other"))
    if relation is None and not conflict:
        # who the customer belongs to or was registered by (这个客户是实习生报备的, "registered by our channel
        # manager"): a third party's is someone else's (the speaker's own may be registered or associated)
        relation = "other" if owned_by_speaker(low) is False else None
    relation = relation or carried.get("customer_relation")
    if relation is None and not conflict and role == "account_manager":
        # the customer's relation decides an account manager's registration only: a supervisor's answer does
        # not turn on it, so it is not read for one (a guess there could only add a wrong detail)
        relation = general("opportunity_permission", "customer_relation", low, notes)
    if role is None:
        return Plan("opportunity_permission", {"customer_relation": relation}, missing="role")
    args: dict[str, Any] = {"role": role}
    if relation:
        args["customer_relation"] = relation
    return Plan("opportunity_permission", args, notes_zh=notes[0], notes_en=notes[1])


def _orders(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    # whose customer: the owner a possessive structure names (我的 / 同事的 / 组长名下 / "Maria's" / "owned by
    # the intern"), any noun but a personal pronoun being a third party; else a bare 名下 (the asker's own)
    under = owned_by_speaker(low, elliptical=True)
    if under is None:
        under, _ = pick(low, _UNDER_NAME)
    if under is None:
        under = carried.get("customer_under_their_name")
    notes: tuple[list[str], list[str]] = ([], [])
    if under is None:
        under = general("order_visibility", "customer_under_their_name", low, notes)
    result = _one_choice("order_visibility", "customer_under_their_name", under)
    result.notes_zh, result.notes_en = notes
    return result


def _error_code(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    args: dict[str, Any] = {}
    code = _CODE.search(low)
    if code:
        args["error_code"] = code.group(0).upper()
    status = _STATUS.search(low)
    # a bare three-digit number is a status when the message says so, or when the conversation is already
    # about a status or code ("那 503 呢?" after a 404 answer)
    if status and (_STATUS_CONTEXT.search(low) or code or carried.get("http_status") or carried.get("error_code")):
        args["http_status"] = int(status.group(1))
    else:
        for digit, zh, en in (("4", "客户端错误类", "client-error"), ("5", "系统错误类", "system-error")):
            if re.search(rf"\b{digit}xx\b|{digit}开头|{digit}字头", low):
                args["http_status"] = int(digit) * 100
                return Plan("error_code_lookup", args, notes_zh=[f"{digit}xx 按{zh}(以 {digit}00 为例)说明"],
                            notes_en=[f"{digit}xx explained as the {en} class ({digit}00 as the example)"])
    if not args:
        # a message giving no code ("那怎么办?" after a code's answer) keeps the conversation's code and status
        args = {k: carried[k] for k in ("error_code", "http_status") if carried.get(k) is not None}
    if not args:
        return Plan("error_code_lookup", {}, missing="code")
    return Plan("error_code_lookup", args)


# where-questions (the understanding stage's grammar of them) and how to get to a page
_WHERE = re.compile(WHERE + r"|(怎么|如何|怎样)(查看|看|找|查询|导出|打开)|find the|"
                    r"how (do|can) i (view|see|find|open|check|export)|how to (view|see|find|open|check|export)", re.I)


def _menu(low: str, slots: Slots, now: datetime, carried: dict[str, Any]) -> Plan:
    # The menu tool answers "where is it"; a question about a rule that merely names a page is not one.
    return Plan("menu_path_lookup", {"task": low[:500]}, applicable=bool(_WHERE.search(low)))


_PLANNERS = {
    "invoice_merge_check": _invoice, "po_assessment_check": _po, "bill_timing": _bill,
    "performance_visibility": _performance, "consumption_lookback": _lookback,
    "stored_value_card_credit": _stored_value, "attribution_start": _attribution,
    "opportunity_permission": _opportunity, "order_visibility": _orders, "error_code_lookup": _error_code,
    "menu_path_lookup": _menu,
}
# The tools whose arguments `plan` reads from a message (a duration is planned from the passage it quotes).
PLANNED = frozenset(_PLANNERS)
