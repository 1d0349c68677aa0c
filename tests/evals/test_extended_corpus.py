"""The extended development corpus and its questions agree with each other.

Checked on the raw files (a line of a .txt export, a heading section of a .md or .html page), not through
the project's loaders, so a loader that loses text shows up in the evals rather than hiding it here.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evals.cases import load_cases

ROOT = Path(__file__).parents[2]
CORPUS = ROOT / "evals" / "corpus_extended"
DATASET = ROOT / "evals" / "datasets" / "extended_retrieval.jsonl"
HEADING = re.compile(r"^#{1,6} ", re.M)


class _Sections(HTMLParser):
    """Visible text of an HTML page, one string per heading section (scripts and styles dropped)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections, self._skip = [[]], 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skip += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.sections.append([])
        elif tag in {"td", "th", "br", "p", "li", "tr"}:
            self.sections[-1].append(" ")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.sections[-1].append(data)


def _flat(text: str) -> str:
    return " ".join(text.split())


def excerpts() -> list[str]:
    """Every excerpt: a .txt line, or a heading section of a page."""
    out = []
    for path in sorted(CORPUS.iterdir()):
        if path.name == "README.md":  # describes the corpus; not part of it
            continue
        text = path.read_text("utf-8")
        if path.suffix == ".txt":
            out += [line for line in text.splitlines() if line.strip()]
        elif path.suffix == ".md":
            starts = [m.start() for m in HEADING.finditer(text)] + [len(text)]
            out += [_flat(text[a:b]) for a, b in zip([0] + starts, starts) if text[a:b].strip()]
        elif path.suffix == ".html":
            parser = _Sections()
            parser.feed(text)
            out += [_flat("".join(s)) for s in parser.sections if "".join(s).strip()]
    return out


@pytest.fixture(scope="module")
def corpus():
    return excerpts()


@pytest.fixture(scope="module")
def cases():
    return load_cases(DATASET)


def test_every_anchor_is_in_some_excerpt(corpus, cases):
    missing = [(c.id, a) for c in cases for a in c.expected_anchors if not any(a in t for t in corpus)]
    assert not missing


def test_every_expected_fact_sits_with_each_anchor(corpus, cases):
    """Any anchor may be the hit, so each one has an excerpt that also holds the fact (a truncated copy may not)."""
    for case in cases:
        if case.expected_fact is not None:
            for anchor in case.expected_anchors:
                assert any(case.expected_fact in t for t in corpus if anchor in t), (case.id, anchor)


def test_abstentions_have_no_anchor_and_no_fact(cases):
    for case in cases:
        assert case.abstain == (not case.expected_anchors), case.id
        assert (case.expected_fact is None) == case.abstain, case.id


def test_ids_and_splits(cases):
    assert all(c.id.startswith("x") for c in cases)
    assert {c.split for c in cases} == {"dev", "held-out"}
    assert {c.language for c in cases} == {"zh-Hans", "zh-Hant", "en"}
    assert len({c.question for c in cases}) == len(cases)


def test_the_checker_sees_page_sections(tmp_path):
    parser = _Sections()
    parser.feed("<nav>menu</nav><h1>A</h1><p>one <b>two</b></p><script>x()</script><h2>B</h2><td>3</td>")
    assert [_flat("".join(s)) for s in parser.sections] == ["menu", "A one two", "B 3"]


BANNERS = ("检测到您已登录华为云国际站账号", "不再显示此消息", "欢迎访问华为云帮助中心", "关闭")


def test_sizes_languages_and_abstentions(cases):
    lines = [line for p in CORPUS.glob("*.txt") for line in p.read_text("utf-8").splitlines()
             if line.strip() and not line.startswith(BANNERS)]
    assert len(lines) >= 300
    assert len(cases) >= 250
    assert sum(c.abstain for c in cases) >= 80
    assert sum(c.language == "zh-Hant" for c in cases) >= 40
    assert sum(c.language == "en" for c in cases) >= 50


def test_every_page_names_its_source_url():
    pages = [p for p in sorted(CORPUS.glob("*.md")) + sorted(CORPUS.glob("*.html")) if p.name != "README.md"]
    assert sum(p.name.startswith("en_") for p in pages) >= 12
    for page in pages:
        text = page.read_text("utf-8")
        found = re.search(r"^url: (https://\S+)$", text, re.M) if page.suffix == ".md" else \
            re.search(r'<link rel="canonical" href="(https://[^"]+)"', text)
        assert found, page.name
