"""CC-CEDICT's mapped tables hold what parsing the dictionary file gives."""

from assistant.understanding import bilingual


def test_the_tables_hold_the_parse():
    glosses, headwords = bilingual._parse()
    counted, persons = bilingual._parse_classes()
    mapped = bilingual._english_to_chinese()
    for english in sorted(glosses)[::7] + ["bill", "customer", "colleague"]:
        assert sorted(mapped.get(english)) == sorted(glosses.get(english, ())), english
        assert (english in mapped) == (english in glosses)
    assert "qwzx" not in mapped and mapped.get("qwzx") == ()
    trie = bilingual.chinese_headwords()
    assert len(trie) == len(headwords) and all(word in trie for word in sorted(headwords)[::11])
    assert "不是一个词语" not in trie
    assert bilingual.counted_words() == counted and bilingual.person_nouns() == persons
    assert "同事" in persons and "台" in counted
