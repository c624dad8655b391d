#!/usr/bin/env python3
"""gen_punkt.py: writes metrics/punkt_english.c, the English Punkt model as C data.

nltk's word_tokenize splits sentences with Punkt's pretrained English model
before the Treebank rules run, so punkt.c needs the model's learned
parameters. They come as plain-text lists in the shared golden folder
(golden/punkt-english, see its README):

  abbrev_types.txt   one abbreviation type per line (final period dropped)
  sent_starters.txt  one frequent sentence starter per line
  collocations.tab   first TAB second: pairs that straddle a period
  ortho_context.tab  type TAB flags: orthographic contexts seen in training

Every list is written as a sorted string set (one blob of NUL-terminated
strings in strcmp order plus their offsets: no pointers to relocate, and
the range of entries for each first byte) so that punkt.c finds entries by
binary search within that range; a collocation is the string
"first\\tsecond" (types never hold a tab). Lines are taken verbatim apart from the
newline: the model really holds the abbreviation ". . " with its spaces.

Usage:
  python3 ci/gen_punkt.py [PUNKT_DIR] > metrics/punkt_english.c
  python3 ci/gen_punkt.py --oracle [PUNKT_DIR] < texts.jsonl
PUNKT_DIR defaults to ../shared/golden/punkt-english beside the source tree.

--oracle needs nltk 3.8 (Debian's python3-nltk): it builds nltk's own
PunktSentenceTokenizer from the same lists and, for each input line (a JSON
string), prints one JSON object: {"sents": sent_tokenize(text), "words":
word_tokenize(text), "treebank": NLTKWordTokenizer().tokenize(text)}.
tests/unit/test_tok_nltk.c uses it, when it is there, to compare punkt.c and
tok_nltk.c with nltk itself on random text.
"""
import os
import sys


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        data = f.read()
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        if "\r" in line:
            sys.exit("gen_punkt.py: carriage return in %s" % path)
    return lines


def c_string(s):
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F and c != "?":  # '?' could start a trigraph
            out.append(c)
        elif b == 0:
            out.append("\\0")
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def key(s):
    return s.encode("utf-8")


def oracle(d):
    import json
    import nltk
    from nltk.tokenize.destructive import NLTKWordTokenizer
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    if nltk.__version__ != "3.8":
        sys.exit("gen_punkt.py: --oracle needs nltk 3.8, this is %s" % nltk.__version__)
    params = PunktParameters()
    params.abbrev_types = set(read_lines(os.path.join(d, "abbrev_types.txt")))
    params.sent_starters = set(read_lines(os.path.join(d, "sent_starters.txt")))
    for line in read_lines(os.path.join(d, "collocations.tab")):
        params.collocations.add(tuple(line.split("\t")))
    for line in read_lines(os.path.join(d, "ortho_context.tab")):
        t, flags = line.split("\t")
        params.ortho_context[t] = int(flags)
    sent = PunktSentenceTokenizer(params)
    word = NLTKWordTokenizer()
    for line in sys.stdin:
        text = json.loads(line)
        sents = sent.tokenize(text)
        out = {
            "sents": sents,
            "words": [t for s in sents for t in word.tokenize(s)],
            "treebank": word.tokenize(text),
        }
        sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "..", "shared", "golden", "punkt-english")
    args = sys.argv[1:]
    if args and args[0] == "--oracle":
        oracle(args[1] if len(args) > 1 else default)
        return
    d = args[0] if args else default

    abbrev = sorted(set(read_lines(os.path.join(d, "abbrev_types.txt"))), key=key)
    starters = sorted(set(read_lines(os.path.join(d, "sent_starters.txt"))), key=key)
    colloc = set()
    for line in read_lines(os.path.join(d, "collocations.tab")):
        a, b = line.split("\t")
        colloc.add((a, b))
    colloc = sorted(colloc, key=lambda p: (key(p[0]), key(p[1])))
    ortho = {}
    for line in read_lines(os.path.join(d, "ortho_context.tab")):
        t, flags = line.split("\t")
        if t in ortho:
            sys.exit("gen_punkt.py: duplicate ortho_context type %r" % t)
        ortho[t] = int(flags)
    ortho_keys = sorted(ortho, key=key)

    for t in abbrev + starters + ortho_keys + [x for pair in colloc for x in pair]:
        if "\0" in t or "\t" in t or not t:
            sys.exit("gen_punkt.py: empty type, or NUL or tab in type %r" % t)
    colloc_keys = sorted((a + "\t" + b for a, b in colloc), key=key)

    w = sys.stdout.write
    w("/*\n * punkt_english.c: the pretrained English Punkt model (nltk_data\n")
    w(" * tokenizers/punkt, english) as sorted string sets for punkt.c.\n")
    w(" * GENERATED by ci/gen_punkt.py from golden/punkt-english; do not edit.\n")
    w(" * %d abbreviations, %d sentence starters, %d collocations,\n"
      % (len(abbrev), len(starters), len(colloc)))
    w(" * %d orthographic-context types.\n */\n" % len(ortho_keys))
    w('#include "punkt.h"\n\n')
    write_set(w, "abbrev", abbrev)
    write_set(w, "sent_starters", starters)
    write_set(w, "collocations", colloc_keys)
    write_set(w, "ortho_types", ortho_keys)
    w("const uint8_t es_punkt_ortho_flags[%d] = {\n" % len(ortho_keys))
    flags = [ortho[t] for t in ortho_keys]
    assert all(0 <= f < 256 for f in flags)
    for i in range(0, len(flags), 24):
        w("    " + ",".join(str(f) for f in flags[i:i + 24]) + ",\n")
    w("};\n")


def write_set(w, name, items):
    """A sorted set as one blob of NUL-terminated strings plus offsets."""
    offsets = []
    pos = 0
    for s in items:
        offsets.append(pos)
        pos += len(s.encode("utf-8")) + 1
    w("static const char %s_blob[] =\n" % name)
    line = []
    width = 0
    for s in items:
        piece = c_string(s + "\0")
        if width + len(piece) > 90 and line:
            w("    " + "".join(line) + "\n")
            line, width = [], 0
        line.append(piece)
        width += len(piece)
    w("    " + "".join(line) + ";\n")
    w("static const uint32_t %s_offset[%d] = {\n" % (name, len(items)))
    for i in range(0, len(offsets), 12):
        w("    " + ",".join(str(o) for o in offsets[i:i + 12]) + ",\n")
    w("};\n")
    # first[b]..first[b + 1]: the entries whose first byte is b
    first = [0] * 257
    for s in items:
        b = s.encode("utf-8")[0] if s else 0
        first[b + 1] += 1
    for b in range(256):
        first[b + 1] += first[b]
    w("static const uint32_t %s_first[257] = {\n" % name)
    for i in range(0, 257, 12):
        w("    " + ",".join(str(o) for o in first[i:i + 12]) + ",\n")
    w("};\n")
    w("const es_punkt_strset es_punkt_%s = {%s_blob, %s_offset, %s_first, %d};\n\n"
      % (name, name, name, name, len(items)))


if __name__ == "__main__":
    main()
