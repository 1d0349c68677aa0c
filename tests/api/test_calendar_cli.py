"""`partner-assistant calendar import FILE`: validated, atomic, merged by year, used by `tool run`."""

import json
from datetime import datetime

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()
NOTICE_2027 = {"source": "State Council notice for 2027", "years": {"2027": {
    "holidays": ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
                 "2027-02-10", "2027-02-11"],
    "workdays": ["2027-02-20"]}}}


def _run_visibility(data_dir, day):
    out = runner.invoke(app, ["tool", "run", "performance_visibility", "--json", json.dumps({"business_date": day})],
                        env={"PARTNER_ASSISTANT_DATA_DIR": str(data_dir)})
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_import_then_tool_run_uses_the_official_schedule(tmp_path):
    data_dir = tmp_path / "data"
    before = _run_visibility(data_dir, "2027-02-04")
    assert before["calendar_status"] == "provisional" and before["visible_date"] == "2027-02-09"  # eve to day 3 are statutory
    notice = tmp_path / "notice.json"
    notice.write_text(json.dumps(NOTICE_2027), encoding="utf-8")
    done = runner.invoke(app, ["calendar", "import", str(notice), "--data-dir", str(data_dir)])
    assert done.exit_code == 0, done.output
    assert "2027" in done.stdout
    after = _run_visibility(data_dir, "2027-02-04")
    # the notice's bridging days (9-11 February) are off; the next working day is Friday 12 February
    assert after["calendar_status"] == "official" and after["visible_date"] == "2027-02-12"


def test_a_second_import_merges_by_year(tmp_path):
    data_dir = tmp_path / "data"
    for year, holiday in (("2027", "2027-01-01"), ("2028", "2028-01-03")):
        notice = tmp_path / f"{year}.json"
        notice.write_text(json.dumps({"source": year, "years": {year: {"holidays": [holiday]}}}), encoding="utf-8")
        assert runner.invoke(app, ["calendar", "import", str(notice), "--data-dir", str(data_dir)]).exit_code == 0
    stored = json.loads((data_dir / "calendar.json").read_text(encoding="utf-8"))
    assert set(stored["years"]) == {"2027", "2028"}


def test_a_bad_file_is_refused_and_the_previous_schedule_kept(tmp_path):
    data_dir = tmp_path / "data"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(NOTICE_2027), encoding="utf-8")
    assert runner.invoke(app, ["calendar", "import", str(good), "--data-dir", str(data_dir)]).exit_code == 0
    kept = (data_dir / "calendar.json").read_bytes()
    for content, message in ((json.dumps({"years": {"2027": {"workdays": ["2027-01-04"]}}}), "weekdays"),
                             ('{"years": ', "not UTF-8 JSON"),
                             (json.dumps({"years": {"2027": {"holidays": ["2026-12-31"]}}}), "not in 2027")):
        bad = tmp_path / "bad.json"
        bad.write_text(content, encoding="utf-8")
        out = runner.invoke(app, ["calendar", "import", str(bad), "--data-dir", str(data_dir)])
        assert out.exit_code == 2 and message in out.output and "Traceback" not in out.output
        assert (data_dir / "calendar.json").read_bytes() == kept
    missing = runner.invoke(app, ["calendar", "import", str(tmp_path / "nope.json"), "--data-dir", str(data_dir)])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    assert not [p for p in data_dir.iterdir() if p.name.startswith(".calendar-")]


def test_the_assistant_answers_with_the_imported_schedule(tmp_path):
    from assistant import Assistant, Settings
    from knowledge.calendars import import_calendar

    data_dir = tmp_path / "data"
    notice = tmp_path / "notice.json"
    notice.write_text(json.dumps(NOTICE_2027), encoding="utf-8")
    import_calendar(notice, data_dir)
    bot = Assistant.from_settings(Settings(data_dir=data_dir, embedder="hash"))
    bot.index.build()
    answer = bot.answer("2027年2月4日的业绩什么时候能看到?", now=datetime.fromisoformat("2026-11-27T10:00:00+08:00"))
    calls = [c for c in answer.tool_calls if c.name == "performance_visibility"]
    assert calls and calls[0].result["visible_date"] == "2027-02-12"
    assert calls[0].result["calendar_status"] == "official"


def test_the_tool_endpoint_uses_the_imported_schedule(tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from assistant import Assistant, Settings
    from knowledge.calendars import import_calendar

    data_dir = tmp_path / "data"
    notice = tmp_path / "notice.json"
    notice.write_text(json.dumps(NOTICE_2027), encoding="utf-8")
    import_calendar(notice, data_dir)
    Assistant.from_settings(Settings(data_dir=data_dir, embedder="hash")).index.build()
    with TestClient(create_app(Settings(data_dir=data_dir, embedder="hash"))) as client:
        done = client.post("/v1/tools/performance_visibility", json={"business_date": "2027-02-04"})
        assert done.status_code == 200, done.text
        assert done.json()["visible_date"] == "2027-02-12" and done.json()["calendar_status"] == "official"
        edge = client.post("/v1/tools/performance_visibility", json={"business_date": "9999-12-31"})
        assert edge.status_code == 422 and "business_date" in edge.text
