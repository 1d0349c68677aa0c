"""The datasets written blind for issue 11: they load with their models, ids are unique, and they are
large and balanced enough to measure what they are for."""

from collections import Counter

from evals.cases import load_expression_cases


def test_expressions_load_with_unique_ids_and_cover_every_kind_and_language():
    cases = load_expression_cases()  # validates every line (shape of `expected` per kind, span in text)
    assert len(cases) >= 300
    assert len({c.id for c in cases}) == len(cases)
    assert all(c.id.startswith("e") for c in cases)
    assert {c.language for c in cases} == {"zh-Hans", "zh-Hant", "en", "mixed"}
    kinds = Counter(c.kind for c in cases)
    assert {"date", "datetime", "month", "quarter", "duration", "money", "number", "timezone"} <= set(kinds)
    for kind, count in kinds.items():
        held_out = sum(c.split == "held-out" for c in cases if c.kind == kind)
        assert 0.25 <= held_out / count <= 0.5, kind  # about 40% held out in every kind


def test_expression_datetimes_keep_a_stated_offset():
    for case in load_expression_cases():
        if case.kind == "datetime":
            assert case.expected["datetime"][-6] in "+-", case.id
