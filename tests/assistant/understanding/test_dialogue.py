"""The move decision as a pure function of the message's cues and the stored dialogue state."""

import pytest

from assistant.understanding import Cues, DialogueState, LastResult, LastTopic, PendingTool, decide
from assistant.understanding.dialogue import Decision


def cues(routes=(), supplies=None, foreign=(), asks_where=False, zone=None, language=None, has_values=False,
         follows_up=True, bare=False, elsewhere=False):
    supplies = supplies or {}
    return Cues(routes=tuple(routes), supplies=lambda tool, carried=None: frozenset(supplies.get(tool, ())),
                foreign=lambda tools: frozenset(foreign), asks_where=asks_where, zone=zone, language=language,
                has_values=has_values, follows_up=follows_up, bare=bare, elsewhere=lambda tools: elsewhere)


BILL = LastResult(tool="bill_timing", filled={"billing_period": "2026-08", "timezone": "Asia/Tokyo"},
                  arguments={"billing_period": "2026-08", "timezone": "Asia/Tokyo"})
CARD_PENDING = PendingTool(tool="stored_value_card_credit", filled={"amount": "3000"}, missing="transaction")
TOPIC = LastTopic(question="8月的伙伴账单什么时候生成?", tools=["bill_timing"], citations=["c1"])


def test_a_new_topic_after_a_result_is_a_switch_and_never_reruns_the_earlier_tool():
    state = DialogueState(result=BILL, topic=TOPIC, facts={"timezone": "Asia/Tokyo"})
    decision = decide(cues(foreign={"联合立项"}), state)
    assert decision == Decision("switch", [])
    decision = decide(cues(routes=["opportunity_permission"], foreign={"商机"}), state)
    assert decision.move == "switch" and [t for t, _ in decision.tools] == ["opportunity_permission"]
    assert decision.tools[0][1] == {"timezone": "Asia/Tokyo"}  # a fact about the user carries over


def test_a_detail_for_the_pending_tool_continues_it_with_what_was_filled():
    state = DialogueState(pending=CARD_PENDING)
    decision = decide(cues(supplies={"stored_value_card_credit": {"transaction"}}), state)
    assert decision == Decision("continue", [("stored_value_card_credit", {"amount": "3000"})])


def test_a_pending_tool_does_not_swallow_another_topic_that_happens_to_hold_a_value():
    state = DialogueState(pending=CARD_PENDING)
    decision = decide(cues(routes=["bill_timing"], supplies={"stored_value_card_credit": {"amount"},
                                                           "bill_timing": {"billing_period"}},
                           foreign={"账单"}), state)
    assert decision.move == "switch" and [t for t, _ in decision.tools] == ["bill_timing"]


def test_a_changed_detail_modifies_the_last_result():
    state = DialogueState(result=BILL)
    decision = decide(cues(routes=["bill_timing", "consumption_lookback"],
                           supplies={"bill_timing": {"billing_period"}}), state)
    assert decision.move == "modify" and decision.tools == [("bill_timing", BILL.filled)]


@pytest.mark.parametrize("kind", ["zone", "language"])
def test_a_zone_or_language_alone_converts_the_last_result(kind):
    state = DialogueState(result=BILL)
    given = {"zone": "America/Los_Angeles"} if kind == "zone" else {"language": "en"}
    decision = decide(cues(supplies={"bill_timing": {"timezone"}} if kind == "zone" else {}, **given), state)
    assert decision.move == "convert"


def test_where_after_an_answer_refers_back():
    state = DialogueState(result=BILL, topic=TOPIC)
    assert decide(cues(asks_where=True), state).move == "refer_back"
    # ... unless it names a place of its own
    assert decide(cues(asks_where=True, routes=["menu_path_lookup"], foreign={"商机报备"}), state).move == "switch"


def test_a_bare_value_with_nothing_to_continue_is_unclear():
    assert decide(cues(has_values=True, routes=["bill_timing"], bare=True), DialogueState()).move == "unclear"
    assert decide(cues(asks_where=True, bare=True), DialogueState()).move == "unclear"  # "在哪里看?"
    assert decide(cues(has_values=True, foreign={"账单"}, routes=["bill_timing"]), DialogueState()).move == "new"
    # "今天天气怎么样": a value, but not phrased as a follow-up
    assert decide(cues(has_values=True, follows_up=False, bare=True), DialogueState()).move == "new"


def test_old_sessions_keep_their_pending_tool():
    state = DialogueState.from_stored(None, {"tool": "bill_timing", "carried": {"timezone": "UTC"}, "missing": "period"},
                                      {"tool": "order_visibility", "carried": {"customer_under_their_name": True}})
    assert state.pending == PendingTool(tool="bill_timing", filled={"timezone": "UTC"}, missing="period")
    assert state.result.tool == "order_visibility"
    assert DialogueState.from_stored(state.model_dump(mode="json")) == state


# ---- issue 11, fifth round: the evidence decides whether a follow-up has a topic of its own --------------
def test_a_where_question_the_evidence_cannot_place_alone_refers_back_even_if_a_word_routes_elsewhere():
    state = DialogueState(result=BILL, topic=TOPIC)
    # "那在门户哪个页面操作?": 操作/申请 route to another tool, but nothing supports the message on its own
    assert decide(cues(routes=["invoice_merge_check"], asks_where=True), state).move == "refer_back"
    # "订单在哪里看?": its own topic, supported on another passage, is a new menu question
    decision = decide(cues(routes=["order_visibility", "menu_path_lookup"], asks_where=True, elsewhere=True), state)
    assert decision.move == "switch"


def test_a_follow_up_changing_the_last_tools_detail_modifies_it_unless_it_is_about_another_passage():
    state = DialogueState(result=BILL, topic=TOPIC)
    given = {"supplies": {"bill_timing": {"billing_period"}}, "routes": ["consumption_lookback"], "follows_up": True}
    assert decide(cues(**given), state).move == "modify"
    assert decide(cues(**given, elsewhere=True), state).move == "switch"
    assert decide(cues(**{**given, "follows_up": False}), state).move == "switch"


def test_a_bare_follow_up_without_values_and_nothing_before_is_unclear():
    assert decide(cues(bare=True, follows_up=True), DialogueState()).move == "unclear"  # "what about the 15th?"
    assert decide(cues(bare=True, follows_up=False), DialogueState()).move == "new"


def test_a_bare_correction_of_a_value_modifies_the_last_result_whatever_the_value_alone_routes_to():
    """"不对,是9月的" is no follow-up by its markers, and a month alone may route to another tool: it names no
    topic of its own, so it changes the last result's detail."""
    state = DialogueState(result=BILL)
    decision = decide(cues(routes=["consumption_lookback"], supplies={"bill_timing": {"billing_period"}},
                           follows_up=False, bare=True), state)
    assert decision.move == "modify" and decision.tools == [("bill_timing", BILL.filled)]
    # with a topic word of its own the same value starts that topic
    decision = decide(cues(routes=["consumption_lookback"], supplies={"bill_timing": {"billing_period"}},
                           follows_up=False, bare=False), state)
    assert decision.move == "switch"



def test_going_back_restores_the_earlier_topic_with_its_details():
    card = LastResult(tool="stored_value_card_credit", filled={"transaction": "pay_with_card", "amount": "2000"})
    state = DialogueState(earlier=[card, BILL], topic=TOPIC)  # two topics left, the bill the more recent
    back = Cues(routes=(), supplies=lambda tool, carried=None: frozenset(), foreign=lambda tools: frozenset(),
                asks_where=False, returns=True)
    decision = decide(back, state)
    assert decision.move == "switch" and decision.restored
    assert decision.tools == [("bill_timing", {"billing_period": "2026-08", "timezone": "Asia/Tokyo"})]
    # the message's wording names the card topic: that one, though it was left earlier
    named = Cues(routes=("stored_value_card_credit",), supplies=lambda tool, carried=None: frozenset(),
                 foreign=lambda tools: frozenset(), asks_where=False, returns=True)
    assert decide(named, state).tools[0][0] == "stored_value_card_credit"
    # nothing left to go back to: an ordinary decision
    assert not decide(back, DialogueState(result=BILL, topic=TOPIC)).restored
