"""`index build PATH`, `index status` and serve's index policy: an index built from chosen documents is
served as it is, never silently replaced by the bundled corpus."""

import json

from typer.testing import CliRunner

from api.cli import _ensure_index, _settings
from api.cli import app as cli

runner = CliRunner()


def test_status_says_what_is_indexed_and_serve_keeps_a_chosen_index(tmp_path):
    env = {"PARTNER_ASSISTANT_DATA_DIR": str(tmp_path / "data"), "PARTNER_ASSISTANT_EMBEDDER": "hash"}
    page = tmp_path / "page.md"
    page.write_text("---\nurl: https://example.com/p.html\n---\n# Vouchers\n\nChoose Sales > Vouchers > Issue to "
                    "issue one.\n\n| Item | Rule |\n| --- | --- |\n| Face value | CNY 1 to 5,000 |\n", encoding="utf-8")
    built = runner.invoke(cli, ["index", "build", str(page), "--json"], env=env)
    assert built.exit_code == 0, built.output
    # None of the rules engine's anchors is in this page: the build says so instead of dropping citations.
    assert "bill.generation_deadline" in json.loads(built.output)["unanchored_rules"]
    status = runner.invoke(cli, ["index", "status"], env=env)
    data = json.loads(status.output)
    assert data["contents"]["files"] == {"page.md": data["chunk_count"]}
    assert data["contents"]["languages"] == {"en": data["chunk_count"]} and data["contents"]["with_source_url"] >= 1
    assert "calibration" in data

    import os

    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        from api.app import sources

        settings = _settings()
        message = _ensure_index(settings, sources(settings))
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert message.startswith("serving the active index") and str(page) in message
    again = json.loads(runner.invoke(cli, ["index", "status"], env=env).output)
    assert again["collection"] == data["collection"]  # not rebuilt from the bundled corpus


def test_a_build_reports_whether_the_vocabulary_rule_earned_its_place(tmp_path):
    env = {"PARTNER_ASSISTANT_DATA_DIR": str(tmp_path / "data"), "PARTNER_ASSISTANT_EMBEDDER": "hash"}
    built = runner.invoke(cli, ["index", "build", "--json"], env=env)  # the bundled corpus: its dev questions fit
    assert built.exit_code == 0, built.output
    calibration = json.loads(built.output)["calibration"]
    counts = calibration["veto_counts"]
    assert isinstance(calibration["vocabulary_veto"], bool) and counts["answerable"] > 0 and counts["must_abstain"] > 0
    kept = counts["must_abstain_vetoed"] >= 0.9 * (counts["must_abstain_vetoed"] + counts["answerable_vetoed"]) > 0
    assert calibration["vocabulary_veto"] == kept
    status = json.loads(runner.invoke(cli, ["index", "status"], env=env).output)
    assert status["calibration"]["veto_counts"] == counts
