"""A general reading of enumerated tool details (a role, whose customer, what a PO is linked to, how an
incentive was applied for) that does not list phrasings.

Each value of an enumerated slot is described once, in Chinese and in English, after the tool's own field
descriptions. A message is cut into clauses; each clause is matched to the values by meaning (the index's
multilingual sentence encoder, the same one retrieval uses) with the clause's negator taken out, and the
structure put back afterwards:

- a negator governing the clause (the negation scope of ``understanding.scope``, shared with the planner's
  tables: 不 / 没 / 未 / 非 / not / n't / never / neither / nor / without / unable, V不了 ...) rules the value it
  describes out, and when the slot has a complement for that value (a yes/no detail's other side, "none of the
  offerings" for "an offering", "someone else's" for "mine") the complement is read instead; a clause under a
  negated verb of knowing ("not sure whether ...", 不清楚) gives no reading;
- a third party named as the owner by possessive structure (同事的客户, 组长名下, "registered by the intern",
  ``scope.owned_by_speaker``: any noun that is not a personal pronoun) re-targets a self-value ("mine") to
  the slot's "someone else's" value.

The best clause decides when its similarity clears a floor and beats the value's runner-up by a margin;
otherwise there is no reading and the planner asks its short-option question instead of guessing. The
planner keeps its wording tables first: this reader is their fallback (measured on fresh paraphrases; see
README, understanding).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np

from .scope import CLAUSE, negated, owned_by_speaker, uncertain

# (tool, slot) -> value -> (Chinese description, English description). Written from the tools' field
# descriptions (tools/opportunities.py, tools/invoicing.py, tools/billing.py ...): what the value means,
# not how people happen to say it.
DESCRIPTIONS: dict[tuple[str, str], dict[Any, tuple[str, str]]] = {
    ("opportunity_permission", "role"): {
        "account_manager": ("我是客户经理,自己负责跟进和服务客户",
                            "I am an account manager who works with customers myself"),
        "account_manager_supervisor": ("我是客户经理主管,领导和管理一组客户经理",
                                       "I am a supervisor who leads and manages a team of account managers"),
    },
    ("opportunity_permission", "customer_relation"): {
        "registered_by_self": ("这个客户是我自己报备登记的", "I registered this customer myself"),
        "associated": ("这个客户和我有关联关系", "the customer is associated with me"),
        "other": ("这个客户属于别人,由其他客户经理负责", "the customer belongs to someone else, another account manager"),
    },
    ("order_visibility", "customer_under_their_name"): {
        True: ("这个客户在我名下,是分配给我的客户", "the customer is under my name, assigned to me"),
        False: ("这个客户在别人名下,属于其他同事", "the customer is under someone else's name, a colleague's"),
    },
    ("po_assessment_check", "linked_to"): {
        "baseline_solution": ("PO关联的是基线解决方案", "the PO is linked to a baseline solution"),
        "joint_operation_product": ("PO关联的是联营商品", "the PO is linked to a joint-operation product"),
        "other_offering": ("PO关联的是一个普通的Offering", "the PO is linked to an ordinary offering"),
        "nothing": ("PO没有关联任何Offering", "the PO is linked to no offering at all"),
    },
    ("invoice_merge_check", "application"): {
        "batch": ("这些激励是批量一起申请的", "the incentives were applied for together in one batch"),
        "single": ("每笔激励是单独分别申请的", "each incentive was applied for separately on its own"),
    },
    ("stored_value_card_credit", "transaction"): {
        "buy_card": ("客户购买了一张储值卡", "the customer bought a stored-value card"),
        "pay_with_card": ("客户用储值卡的余额支付云服务", "the customer paid for cloud services with the stored-value card"),
    },
    ("attribution_start", "dashboard"): {
        "performance": ("业绩看板", "the performance dashboard"),
        "consumption": ("消费看板,客户的消费金额", "the consumption dashboard, the customer's spending"),
    },
}

# The question each tool answers, with none of its details: a clause nearer to this than to every value is
# about the topic, not the detail ("can I register an opportunity?" names no role), and gives no reading.
BARE_QUESTIONS: dict[str, tuple[str, str]] = {
    "opportunity_permission": ("能否为客户报备商机", "can an opportunity be registered for a customer"),
    "order_visibility": ("能否查看客户的订单", "can the customer's orders be viewed"),
    "po_assessment_check": ("PO能否流转,是否计入考核口径", "can the PO flow, does it count toward the assessment"),
    "invoice_merge_check": ("这些激励能否合并开一张发票", "can these incentives share one invoice"),
    "stored_value_card_credit": ("储值卡能算多少业绩", "how much performance a stored-value card counts for"),
    "attribution_start": ("客户分配后从哪天开始计算", "from when a newly assigned customer is counted"),
}
_TOPIC = object()  # the topic as a pseudo-value

# What a negated value yields when nothing else is said: a yes/no detail's other side; "not linked to an
# offering" is none; a customer that is not mine (not registered by me, not associated) is someone else's.
# A value with no complement is only ruled out ("不是基线" leaves three values open).
COMPLEMENTS: dict[tuple[str, str], dict[Any, Any]] = {
    ("opportunity_permission", "role"): {"account_manager_supervisor": "account_manager",
                                         "account_manager": "account_manager_supervisor"},
    ("opportunity_permission", "customer_relation"): {"registered_by_self": "other", "associated": "other"},
    ("order_visibility", "customer_under_their_name"): {True: False, False: True},
    ("po_assessment_check", "linked_to"): {"other_offering": "nothing"},
    ("invoice_merge_check", "application"): {"batch": "single", "single": "batch"},
    ("stored_value_card_credit", "transaction"): {},
    ("attribution_start", "dashboard"): {},
}

# The values that say the customer is the speaker's own: otherness said of its owner re-targets them.
_SELF_VALUES: dict[tuple[str, str], dict[Any, Any]] = {
    ("opportunity_permission", "customer_relation"): {"registered_by_self": "other", "associated": "other"},
    ("order_visibility", "customer_under_their_name"): {True: False},
}

FLOOR = 0.5     # cosine of the best clause to its value: below it the clause is not about this slot
MARGIN = 0.12   # best value over the runner-up, per unit of distance between their descriptions: below it a guess
TOPIC_SLACK = 0.1  # how far the topic's own question may lie above the best value before the clause is the topic

# Clause boundaries: punctuation, a spaced dash, and the conjunctions that open a new predicate.
_CLAUSE = CLAUSE
_NEGATOR_STRIP = re.compile(r"(?:并|也|都|还|从|完全)?(?:不是|不|没有|没|未|非|无法|无)|"
                            r"\b(?:not|never|neither|nor|without|nothing|nobody|none|no)\b|n't\b", re.I)


@dataclass(frozen=True)
class ValueReading:
    value: Any
    score: float        # similarity of the deciding clause to the value's description
    margin: float       # over the runner-up value in that clause
    clause: str
    negated: bool       # the clause's negator turned the described value into its complement
    retargeted: bool    # otherness re-targeted a self-value to someone else's


class ValueReader:
    """Clause-to-value similarity over an embedder's sentence vectors, with the values' vectors built once."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self._values: dict[tuple[str, str], tuple[list[Any], np.ndarray]] = {}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _value_vectors(self, key: tuple[str, str]) -> tuple[list[Any], np.ndarray]:
        if key not in self._values:
            values = [*DESCRIPTIONS[key], _TOPIC]
            texts = [text for v in values for text in (BARE_QUESTIONS[key[0]] if v is _TOPIC else DESCRIPTIONS[key][v])]
            vectors = np.asarray(self.embedder.embed_documents(texts), dtype=np.float32)
            self._values[key] = (values, vectors.reshape(len(values), 2, -1))
        return self._values[key]

    def _vectors(self, clauses: list[str]) -> np.ndarray:
        with self._lock:
            missing = [c for c in dict.fromkeys(clauses) if c not in self._cache]
        if missing:
            found = np.asarray(self.embedder.embed_documents(missing), dtype=np.float32)
            with self._lock:
                for clause, vector in zip(missing, found, strict=True):
                    self._cache[clause] = vector
                while len(self._cache) > 4096:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.stack([self._cache[c] for c in clauses])

    def warm_up(self) -> None:
        for key in DESCRIPTIONS:
            self._value_vectors(key)

    def read(self, tool: str, slot: str, text: str) -> ValueReading | None:
        """The value the text gives ``slot`` of ``tool``, or None when no clause names one confidently."""
        key = (tool, slot)
        if key not in DESCRIPTIONS:
            return None
        values, vectors = self._value_vectors(key)
        # a clause under a negated verb of knowing ("not sure whether ...", 不清楚) gives no reading at all
        clauses = [c.strip() for c in _CLAUSE.split(text) if c and len(c.strip()) > 1 and not uncertain(c)]
        if not clauses:
            return None
        flags = [negated(c) for c in clauses]
        stripped = [_NEGATOR_STRIP.sub(" ", c) if f else c for c, f in zip(clauses, flags, strict=True)]
        raw = np.einsum("cd,vld->cvl", self._vectors(clauses), vectors).max(axis=2)  # clause x value
        bare = np.einsum("cd,vld->cvl", self._vectors(stripped), vectors).max(axis=2)
        centres = vectors.mean(axis=1)
        denials = set(COMPLEMENTS[key].values()) - set(COMPLEMENTS[key])  # values that are themselves a denial
        ruled_out: set[Any] = set()
        best: ValueReading | None = None
        for i, clause in enumerate(clauses):
            # A negated clause is matched twice: its negator taken out, against the values it can deny (read as
            # their complement: the denial is structural, the encoder barely sees it), and as written against the
            # values that are themselves a denial (none, someone else's).
            scored = []  # (similarity, value index, negated reading)
            for j, v in enumerate(values[:-1]):
                if not flags[i]:
                    scored.append((float(raw[i][j]), j, False))
                elif v in denials:
                    scored.append((float(raw[i][j]), j, False))
                else:
                    scored.append((float(bare[i][j]), j, True))
            scored.sort(reverse=True)
            (score, j, by_denial), (second, k, _) = scored[0], scored[1]
            # the margin over the runner-up, per unit of distance between the two descriptions: values described
            # alike (批量申请 / 单个申请) differ by a small cosine that is still a clear preference
            margin = (score - second) / max(float(np.linalg.norm(centres[j] - centres[k])), 1e-6)
            topic = float(raw[i][-1])
            if score < FLOOR or margin < MARGIN or topic - score > TOPIC_SLACK:
                continue
            top = values[j]
            value, was_negated, retargeted = top, False, False
            if by_denial:
                ruled_out.add(top)
                complement = COMPLEMENTS[key].get(top)
                if complement is None:
                    continue
                value, was_negated = complement, True
            elif top in _SELF_VALUES.get(key, {}) and owned_by_speaker(clause, elliptical=True) is False:
                # the clause names a third party as the owner (a colleague's, 组长名下, "registered by the
                # intern"): the possessive structure says whose, whatever noun names them
                value, retargeted = _SELF_VALUES[key][top], True
            if best is None or score > best.score:
                best = ValueReading(value, score, margin, clause, was_negated, retargeted)
        if best is None or best.value in ruled_out and not best.negated:
            return None
        return best


# The reader of the assistant answering in this context (each Assistant sets its own at the start of a turn):
# the planner's module-level functions read through it, and an assistant without a sentence encoder has none.
_CURRENT: ContextVar[ValueReader | None] = ContextVar("value_reader", default=None)


def reader_for(embedder: Any) -> ValueReader | None:
    """A reader over ``embedder``, or None for one that does not encode meaning (the hashed test double)."""
    if embedder is None or str(getattr(embedder, "name", "")).startswith("hash"):
        return None
    return ValueReader(embedder)


def use(reader: ValueReader | None) -> None:
    """Make ``reader`` the one this context's turn reads enumerated details with."""
    _CURRENT.set(reader)


def read_value(tool: str, slot: str, text: str) -> ValueReading | None:
    current = _CURRENT.get()
    return current.read(tool, slot, text) if current is not None else None
