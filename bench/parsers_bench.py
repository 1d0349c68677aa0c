"""Parser candidates on the labelled expressions set (dev split): accuracy by language, ms per message,
start-up time and resident memory.

    python bench/parsers_bench.py [--split dev]

Each candidate runs in its own process (clean memory and start-up): it is imported, then asked for
every case's text with the case's ``now``; a case counts as right when one of the candidate's
readings of the case's kind equals the expected value exactly. Candidates read what they can: a
library without a notion of time zones or money misses those cases (shown per kind in the JSON).
``ours`` is the project's layer (``assistant.understanding.parsers``: cn2an for Chinese numerals plus
the slot reader). Results go to bench/results/parsers.json.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from isolated import IsolatedRunFailed, run_one  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CANDIDATES = ("ours", "dateparser", "jionlp", "cn2an", "recognizers", "parsedatetime", "timefhuman", "text2num",
              "number_parser")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- adapters: text, now -> [(kind, value)] -------------------------------------------------------

def _from_datetime(moment: datetime, now: datetime) -> list[tuple[str, dict]]:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return [("datetime", {"datetime": moment.isoformat(timespec="seconds")}),
            ("date", {"date": moment.date().isoformat()}), ("time", {"time": moment.strftime("%H:%M")}),
            ("month", {"month": moment.strftime("%Y-%m")}), ("year", {"year": moment.strftime("%Y")})]


def _ours():
    from assistant.understanding import normalise
    from assistant.understanding.parsers import read

    def run(text: str, now: datetime) -> list[tuple[str, dict]]:
        return [(r.kind, r.value) for r in read(normalise(text).simplified, now).items]
    return run


def _dateparser():
    from dateparser.search import search_dates

    def run(text: str, now: datetime) -> list[tuple[str, dict]]:
        base = now.replace(tzinfo=None)
        found = search_dates(text, languages=["zh", "en"], settings={"RELATIVE_BASE": base}) or []
        return [pair for _, moment in found for pair in _from_datetime(moment, now)]
    return run


def _jionlp():
    import jionlp

    def run(text: str, now: datetime) -> list[tuple[str, dict]]:
        out: list[tuple[str, dict]] = []
        for item in jionlp.ner.extract_time(text, time_base=now.timestamp()):
            detail = item["detail"]
            times = detail.get("time")
            if detail["type"] in ("time_point", "time_span") and isinstance(times, list):
                start = datetime.fromisoformat(times[0]).replace(tzinfo=now.tzinfo)
                end = datetime.fromisoformat(times[1])
                out += _from_datetime(start, now)
                out.append(("quarter", {"start": start.date().isoformat(), "end": end.date().isoformat()}))
            elif detail["type"] == "time_delta" and isinstance(times, dict):
                for unit, value in times.items():
                    out.append(("duration", {"value": value, "unit": unit.rstrip("s")}))
        for item in jionlp.ner.extract_money(text):
            number = item["detail"].get("num")
            unit = item["detail"].get("case", "元")
            if number:
                out.append(("money", {"amount": f"{float(number):.2f}",
                                      "currency": {"元": "CNY", "美元": "USD", "新台币": "TWD"}.get(unit, "CNY")}))
        return out
    return run


def _cn2an():
    import cn2an

    def run(text: str, now: datetime) -> list[tuple[str, dict]]:
        converted = cn2an.transform(text, "cn2an")
        out = []
        for m in re.finditer(r"(\d+(?:\.\d+)?)\s*(万)?\s*(元|块|yuan|rmb)", converted, re.I):
            value = float(m.group(1)) * (10000 if m.group(2) else 1)
            out.append(("money", {"amount": f"{value:.2f}", "currency": "CNY"}))
        for m in re.finditer(r"\d+", converted):
            out.append(("number", {"value": m.group(0)}))
        return out
    return run


def _recognizers():
    from recognizers_suite import Culture, recognize_currency, recognize_datetime, recognize_number

    def run(text: str, now: datetime) -> list[tuple[str, dict]]:
        culture = Culture.English if re.fullmatch(r"[\x00-\x7f]*", text) else Culture.Chinese
        out: list[tuple[str, dict]] = []
        for result in recognize_datetime(text, culture, reference=now.replace(tzinfo=None)):
            for value in (result.resolution or {}).get("values", []):
                if value.get("type") in ("date", "datetime") and "value" in value:
                    out += _from_datetime(datetime.fromisoformat(value["value"]), now)
                elif value.get("type") == "time" and "value" in value:
                    out.append(("time", {"time": value["value"][:5]}))
                elif value.get("type") == "daterange" and "start" in value and "end" in value:
                    start, end = value["start"], value["end"]
                    out.append(("quarter", {"start": start, "end": (datetime.fromisoformat(end)
                                                                    - timedelta(days=1)).date().isoformat()}))
                    out.append(("month", {"month": start[:7]}))
                    out.append(("year", {"year": start[:4]}))
                elif value.get("type") == "duration" and "value" in value:
                    out.append(("duration", {"value": float(value["value"]), "unit": "second"}))
        for result in recognize_currency(text, culture):
            resolution = result.resolution or {}
            if resolution.get("value"):
                out.append(("money", {"amount": f"{float(resolution['value']):.2f}",
                                      "currency": resolution.get("isoCurrency") or "CNY"}))
        for result in recognize_number(text, culture):
            out.append(("number", {"value": str((result.resolution or {}).get("value"))}))
        return out
    return run


def _parsedatetime():
    import parsedatetime

    calendar = parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)

    def run(text: str, now: datetime) -> list[tuple[str, dict]]:
        found = calendar.nlp(text, sourceTime=now.replace(tzinfo=None)) or ()
        return [pair for moment, *_ in found for pair in _from_datetime(moment, now)]
    return run


def _timefhuman():
    from timefhuman import timefhuman
    from timefhuman.main import tfhConfig

    def run(text: str, now: datetime) -> list[tuple[str, dict]]:
        found = timefhuman(text, config=tfhConfig(now=now.replace(tzinfo=None)))
        found = found if isinstance(found, list) else [found]
        out: list[tuple[str, dict]] = []
        for item in found:
            for moment in (item if isinstance(item, tuple) else (item,)):
                if isinstance(moment, datetime):
                    out += _from_datetime(moment, now)
                elif isinstance(moment, timedelta):
                    out.append(("datetime", {"datetime": (now + moment).isoformat(timespec="seconds")}))
        return out
    return run


_AMOUNT = re.compile(r"(¥|rmb|cny|us\$|\$|usd)?\s*(\d[\d,]*(?:\.\d+)?)\s*(k|thousand|million)?\s*"
                     r"(yuan|rmb|cny|usd|dollars?)?", re.I)


def _digits_then_amounts(convert):
    """An English number-word library: words to digits, then numbers and plainly marked amounts."""
    def run(text: str, now: datetime) -> list[tuple[str, dict]]:
        converted = convert(text)
        out: list[tuple[str, dict]] = []
        for m in _AMOUNT.finditer(converted):
            prefix, number, scale, unit = m.groups()
            if prefix or unit:
                value = float(number.replace(",", "")) * {"k": 1e3, "thousand": 1e3, "million": 1e6}.get(
                    (scale or "").lower(), 1)
                named = (prefix or unit or "").lower()
                out.append(("money", {"amount": f"{value:.2f}",
                                      "currency": "USD" if "$" in named or "usd" in named or "dollar" in named
                                      else "CNY"}))
        out += [("number", {"value": m.group(0)}) for m in re.finditer(r"\d+(?:\.\d+)?", converted)]
        return out
    return run


def _text2num():
    from text_to_num import alpha2digit
    return _digits_then_amounts(lambda text: alpha2digit(text, "en", threshold=0))


def _number_parser():
    from number_parser import parse
    return _digits_then_amounts(parse)


ADAPTERS = {"ours": _ours, "dateparser": _dateparser, "jionlp": _jionlp, "cn2an": _cn2an,
            "recognizers": _recognizers, "parsedatetime": _parsedatetime, "timefhuman": _timefhuman,
            "text2num": _text2num, "number_parser": _number_parser}


def _same(kind: str, got: dict, expected: dict) -> bool:
    if kind == "duration":
        return got.get("unit") == expected["unit"] and float(got.get("value", -1)) == float(expected["value"])
    return {k: str(v) for k, v in got.items()} == {k: str(v) for k, v in expected.items()}


def measure_one(name: str, split: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from evals.cases import load_expression_cases

    # enumerated tool details are the planner's readings, not generic parsing: no candidate library reads them
    cases = [c for c in load_expression_cases(split=split) if c.kind != "detail"]
    rss0 = _rss_mb()
    started = time.perf_counter()
    try:
        run = ADAPTERS[name]()
    except Exception as exc:  # noqa: BLE001 - a candidate that does not install or load is reported as such
        return {"name": name, "error": f"{type(exc).__name__}: {exc}"}
    # loads lazy parts (cn2an, CLDR names, text2num, the CC-CEDICT classifier scan for bare amounts)
    for warm in ("东京时间三千元 8月31日", "Two weeks ago at 3pm, 2,000 yuan", "客户花了两千五"):
        try:
            run(warm, datetime.fromisoformat("2026-11-27T10:00:00+08:00"))
        except Exception:  # noqa: BLE001 - a crash on one text is a miss, counted below
            pass
    startup = time.perf_counter() - started
    right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    times = []
    for case in cases:
        t0 = time.perf_counter()
        try:
            readings = run(case.text, case.now)
        except Exception:  # noqa: BLE001 - a crash on one text is a miss
            readings = []
        times.append((time.perf_counter() - t0) * 1000)
        if "absent" in case.expected:  # the message states no value of this kind (几张 asks one)
            ok = not any(kind == case.kind for kind, _ in readings)
        else:
            ok = any(kind == case.kind and _same(kind, value, case.expected) for kind, value in readings)
        for key, table in ((case.language, right), ("all", right), (case.kind, by_kind)):
            table[key][0] += ok
            table[key][1] += 1
    times.sort()
    return {"name": name, "cases": len(cases),
            "accuracy": {k: round(a / n, 3) for k, (a, n) in sorted(right.items())},
            "by_kind": {k: round(a / n, 3) for k, (a, n) in sorted(by_kind.items())},
            "ms_per_message_median": round(times[len(times) // 2], 3),
            "ms_per_message_mean": round(sum(times) / len(times), 3),
            "startup_s": round(startup, 2), "rss_mb_added": round(_rss_mb() - rss0, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.split)))
        return
    rows = []
    for name in CANDIDATES:
        try:
            rows.append(run_one(__file__, name, "--split", args.split, cwd=ROOT, timeout=900))
        except IsolatedRunFailed as failed:  # a candidate that does not install or load is reported, not fatal
            rows.append({"name": name, "error": str(failed)})
    langs = ("zh-Hans", "zh-Hant", "en", "mixed", "all")
    print(f"{'candidate':<12}" + "".join(f"{lang:>9}" for lang in langs) + f"{'ms/msg':>9}{'start s':>9}{'MB':>7}")
    for row in rows:
        if "error" in row:
            print(f"{row['name']:<12} did not load: {row['error'][:80]}")
            continue
        acc = row["accuracy"]
        print(f"{row['name']:<12}" + "".join(f"{acc.get(lang, 0):>9.3f}" for lang in langs)
              + f"{row['ms_per_message_median']:>9.2f}{row['startup_s']:>9.2f}{row['rss_mb_added']:>7.1f}")
    out = ROOT / "bench" / "results" / "parsers.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"split": args.split, "created_at": datetime.now().isoformat(timespec="seconds"),
                               "candidates": rows}, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
