"""The answerability model: fitting, calibration report, operating point, per-index percentiles."""

import numpy as np
import pytest

from assistant.evidence.calibration import FEATURES, Calibration, fit, operating_point, percentile, reliability


def _rows(n, rng):
    rows = []
    for _ in range(n):
        answerable = rng.random() < 0.6
        centre = 0.7 if answerable else 0.3
        rows.append(({name: float(np.clip(rng.normal(centre, 0.2), 0, 1)) for name in FEATURES}, answerable))
    return rows


def test_fit_separates_answerable_from_not_and_reports_its_calibration():
    rng = np.random.default_rng(7)
    calibration = fit(_rows(400, rng), dense_reference=[0.2, 0.4, 0.6], lexical_reference=[1.0, 5.0])
    assert calibration.questions == 400 and len(calibration.coef) == len(FEATURES)
    assert all(c > 0 for c in calibration.coef)  # every feature points towards "answerable" here
    assert calibration.ece is not None and calibration.ece < 0.1
    assert sum(row["n"] for row in calibration.reliability) == 400
    assert calibration.operating_point["false_abstention"] <= 0.01
    high = np.full(len(FEATURES), 0.9)
    low = np.full(len(FEATURES), 0.1)
    assert calibration.probability(high) > calibration.threshold > calibration.probability(low)
    assert Calibration.from_json(calibration.to_json()) == calibration


def test_the_out_of_fold_report_scores_each_question_without_it():
    rng = np.random.default_rng(11)
    rows = _rows(200, rng)
    calibration = fit(rows, dense_reference=[], lexical_reference=[])
    assert sum(row["n"] for row in calibration.cv_reliability) == 200
    assert calibration.cv_ece is not None and calibration.cv_ece < 0.15
    assert set(calibration.cv_operating_point) == {"false_abstention", "correct_abstention"}
    # Labels that no feature predicts: in sample the threshold is placed on the noise it fitted, so out of
    # fold the same threshold refuses more answerable questions than the in-sample report says.
    noise = [(features, bool(rng.random() < 0.5)) for features, _ in rows]
    shuffled = fit(noise, dense_reference=[], lexical_reference=[])
    assert shuffled.cv_operating_point["false_abstention"] > shuffled.operating_point["false_abstention"]


def test_fit_refuses_one_sided_data():
    rows = [({name: 0.5 for name in FEATURES}, True)] * 20
    with pytest.raises(ValueError):
        fit(rows, [], [])


def test_percentile_is_relative_to_the_index_reference():
    reference = [0.1, 0.2, 0.3, 0.4]
    assert percentile(reference, 0.05) == 0.0 and percentile(reference, 0.3) == 0.75
    assert percentile(reference, 0.9) == 1.0 and percentile([], 0.3) == 0.5


def test_reliability_of_a_perfectly_calibrated_predictor_is_near_zero():
    p = np.array([0.1] * 10 + [0.9] * 10)
    y = np.array([0] * 9 + [1] + [1] * 9 + [0])
    ece, table = reliability(p, y)
    assert ece == pytest.approx(0.0, abs=1e-9) and len(table) == 2


def test_the_operating_point_keeps_false_abstention_within_the_cap():
    p = np.array([0.2, 0.3, 0.6, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 1, 1, 1, 1])
    threshold, point = operating_point(p, y, max_false=0.0)
    assert 0.3 < threshold <= 0.6 and point == {"false_abstention": 0.0, "correct_abstention": 1.0}
