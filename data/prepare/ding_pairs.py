"""English-German sentence pairs from the example sentences of the Ding dictionary.

Source: Debian package `trans-de-en` (version 1.9-6), file `/usr/share/trans/de-en`, the
German-English dictionary of TU Chemnitz (Frank Richter), GPL-2+.

    apt-get download trans-de-en          # trans-de-en_1.9-6_all.deb
    dpkg-deb -x trans-de-en_1.9-6_all.deb ding
    python3 data/prepare/ding_pairs.py ding/usr/share/trans/de-en data/ding_en_de.tsv

Each dictionary line is `German side :: English side`; each side holds `|`-separated entries
that correspond one to one. The filter keeps an aligned entry pair when:
  * both sides are one sentence: a capital first letter, exactly one final `.`, `!` or `?`;
  * neither side has alternatives or markup: no `;`, `/`, `|`, `{}`, `[]`, `()`, `<>`, `~`, `…`,
    and no placeholder abbreviations (etw., jdn., jdm., jds., sth., sb.);
  * both sides have 2 to 10 words.
Pairs are deduplicated: one German sentence per English sentence and one English sentence per
German sentence (the first in sorted order). The split is fixed by a hash of the English
sentence: 5 % test, 5 % validation, 90 % train, so the same sentence always lands in the same
split. Output: a TSV with a header `split, en, de`, sorted by split then English.
"""

import hashlib
import re
import sys

PLACEHOLDERS = re.compile(r"[{}\[\]()<>/|;~…]|\betw\.|\bjdn\.|\bjdm\.|\bjds\.|\bsth\.|\bsb\.|\bsb's\b")
SENTENCE = re.compile(r"^[A-ZÄÖÜ][^.!?]*[.!?]$")


def keep(text):
    words = text.split()
    return bool(SENTENCE.match(text)) and not PLACEHOLDERS.search(text) and 2 <= len(words) <= 10


def split_of(english):
    bucket = int(hashlib.sha256(english.encode("utf-8")).hexdigest(), 16) % 100
    return "test" if bucket < 5 else "valid" if bucket < 10 else "train"


def main(source, target):
    candidates = set()
    with open(source, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or " :: " not in line:
                continue
            german, english = line.rstrip("\n").split(" :: ", 1)
            de_entries, en_entries = german.split(" | "), english.split(" | ")
            if len(de_entries) != len(en_entries):
                continue
            for de, en in zip(de_entries, en_entries):
                de = " ".join(de.split()).replace("’", "'")
                en = " ".join(en.split()).replace("’", "'")
                if keep(de) and keep(en):
                    candidates.add((en, de))
    seen_en, seen_de, pairs = set(), set(), []
    for en, de in sorted(candidates):
        if en in seen_en or de in seen_de:
            continue
        seen_en.add(en)
        seen_de.add(de)
        pairs.append((split_of(en), en, de))
    order = {"train": 0, "valid": 1, "test": 2}
    pairs.sort(key=lambda p: (order[p[0]], p[1]))
    with open(target, "w", encoding="utf-8") as out:
        out.write("split\ten\tde\n")
        for split, en, de in pairs:
            out.write(f"{split}\t{en}\t{de}\n")
    counts = {s: sum(1 for p in pairs if p[0] == s) for s in order}
    print(f"wrote {len(pairs)} pairs to {target}: {counts}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
