"""A bare number after an answer corrects the last tool's numeric detail when that detail's own field accepts
it (planning.bare_correction), whatever the tool; otherwise nothing is read and the move asks what it means."""

from datetime import datetime

from assistant.planning import bare_correction, lone_number, plan
from assistant.slots import extract

NOW = datetime.fromisoformat("2026-12-02T09:00:00+08:00")


def _correction(tool, text, carried):
    return bare_correction(tool, text.lower(), extract(text, NOW, simplified=True), carried)


def test_the_status_the_last_lookup_took_is_corrected_by_a_fitting_number():
    assert _correction("error_code_lookup", "不对,是 404", {"http_status": 500}) == ("http_status", 404)
    assert plan("error_code_lookup", "hm, I meant 409", extract("hm, I meant 409", NOW), NOW,
                {"http_status": 400}).arguments == {"http_status": 409}


def test_a_number_the_field_rejects_corrects_nothing():
    assert _correction("error_code_lookup", "改成 7000", {"http_status": 500}) is None   # no status is 7000
    assert _correction("po_assessment_check", "改成 3", {"linked_to": "nothing"}) is None  # no numeric detail
    assert _correction("performance_visibility", "make it 12", {"business_date": "2026-12-01"}) is None


def test_an_amount_keeps_its_written_digits_and_needs_the_tool_to_have_run():
    assert _correction("stored_value_card_credit", "oops, 2750", {"transaction": "buy_card", "amount": "2500"}) \
        == ("amount", "2750")
    assert _correction("stored_value_card_credit", "2750", {}) is None  # nothing answered yet


def test_a_number_with_a_unit_or_a_date_is_no_bare_number():
    for text in ("改成 5 号", "make it 3 days", "是 2026-12-05", "换成 12月"):
        assert lone_number(text.lower(), extract(text, NOW, simplified=True)) is None, text
