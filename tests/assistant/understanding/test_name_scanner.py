"""The zone and city name scanner finds what a regex alternation of the names (longest first) finds."""

import random
import re

from assistant import slots


def _alternation(names):
    words = sorted(names, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) if not w.isascii() else rf"(?<![a-z]){re.escape(w)}(?![a-z])"
                               for w in words))


def test_the_scanner_matches_the_alternation():
    rng = random.Random(13)
    for names in (slots._city_zones(), slots._zone_names()):
        pool = sorted(names)
        scanner, pattern = slots._NameScanner(names), _alternation(names)
        pieces = [" ", "a", "in ", "时间", "x", "-", "在", "lima", "东京"]
        for _ in range(2000):
            text = "".join(rng.choice(pool) if rng.random() < 0.4 else rng.choice(pool)[:3] if rng.random() < 0.3
                           else rng.choice(pieces) for _ in range(rng.randint(1, 10)))
            assert [(m.group(0), m.start(), m.end()) for m in scanner.finditer(text)] == \
                   [(m.group(0), m.start(), m.end()) for m in pattern.finditer(text)], text
        assert scanner.search("nothing here") is None or pattern.search("nothing here") is not None
