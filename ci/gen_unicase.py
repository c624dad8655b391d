#!/usr/bin/env python3
"""gen_unicase.py: writes metrics/unicase_table.h, the table behind es_utf8_lower().

es_utf8_lower() must equal Python 3.11's str.lower() (Unicode 14.0.0), so the
table is read off that Python itself, one code point at a time:

  * the lower-case mapping of every code point (str.lower() of the single
    character; one code point, stored as a delta, or several, stored as
    UTF-8 in a side table: U+0130 -> "i\\u0307");
  * the class the final-sigma rule sees (CPython's handle_capital_sigma):
    CASE_IGNORABLE characters are skipped while looking for a neighbour,
    then the neighbour counts when it is CASED. A character that is both is
    skipped first, so only three classes matter and they are probed through
    str.lower() itself: "cΣ" ends in final sigma iff c is cased and not
    case-ignorable; otherwise "AcΣ" does iff c is case-ignorable.

With the mapping go the character properties the nltk tokenizer (punkt.c,
tok_nltk.c) tests, each as Python 3.11 computes it: str.isupper(),
str.islower(), str.isalpha() of the character, and whether re's \\d, \\w and
\\s match it (str patterns: Unicode-aware).

The table is two-stage: stage1[cp >> SHIFT] picks a block of stage2 entries
(identical blocks are shared), and a stage2 entry indexes the record array
{delta, multi, flags}.

Usage:
  python3 ci/gen_unicase.py > metrics/unicase_table.h
  python3 ci/gen_unicase.py --vectors   # every code point, for test_unicase.c
  python3 ci/gen_unicase.py --strings   # random strings around final sigma

--vectors prints one line per code point (surrogates excluded):
  <hex cp> TAB <hex UTF-8 of lower(c)> TAB <flags, decimal>
and --strings prints seeded random strings built from characters that
matter to the final-sigma rule, one per line:
  <hex UTF-8 of s> TAB <hex UTF-8 of s.lower()>
test_unicase.c compares both with the C implementation when python3 3.11 is
on the machine.
"""
import re
import sys

SIGMA = "\u03a3"
MAX_CP = 0x110000
SHIFT = 7

CLASS_OTHER, CLASS_CASED, CLASS_IGNORABLE = 0, 1, 2
# flag bits above the two bits of the sigma class (keep in step with ES_UC_* in punkt.h)
F_UPPER, F_LOWER, F_ALPHA, F_DIGIT, F_WORD, F_SPACE = 4, 8, 16, 32, 64, 128
RE_DIGIT, RE_WORD, RE_SPACE = re.compile(r"\d"), re.compile(r"\w"), re.compile(r"\s")


def check_python():
    if sys.version_info[:2] != (3, 11):
        sys.exit("gen_unicase.py: needs Python 3.11 (Unicode 14.0.0), this is %s"
                 % sys.version.split()[0])


def code_points():
    for cp in range(MAX_CP):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        yield cp


def sigma_class(c):
    if (c + SIGMA).lower()[-1] == "\u03c2":
        return CLASS_CASED
    if ("A" + c + SIGMA).lower()[-1] == "\u03c2":
        return CLASS_IGNORABLE
    return CLASS_OTHER


def flags(c):
    f = sigma_class(c)
    f |= F_UPPER if c.isupper() else 0
    f |= F_LOWER if c.islower() else 0
    f |= F_ALPHA if c.isalpha() else 0
    f |= F_DIGIT if RE_DIGIT.match(c) else 0
    f |= F_WORD if RE_WORD.match(c) else 0
    f |= F_SPACE if RE_SPACE.match(c) else 0
    return f


def records():
    """(cp, delta, multi string or None, flags) for every code point."""
    for cp in code_points():
        c = chr(cp)
        low = c.lower()
        flg = flags(c)
        if len(low) == 1:
            yield cp, ord(low) - cp, None, flg
        else:
            yield cp, 0, low, flg


def emit_vectors():
    out = sys.stdout
    for cp, delta, multi, flg in records():
        low = multi if multi is not None else chr(cp + delta)
        out.write("%x\t%s\t%d\n" % (cp, low.encode("utf-8").hex(), flg))


def emit_strings():
    import random
    rng = random.Random(20240611)
    pool = ["\u03a3", "\u03c3", "\u03c2", "A", "a", "Z", "1", " ", ".", "'",
            "\u00ad", "\u0345", "\u02b0", "\u0300", "\u0130", "\u212a", "\u00c9",
            "\u1f88", "\u2126", "\U0001f600", "\u200d", "\u3042", "\u00b7", "\u2019",
            "\U0001041c", "\u24b6", "\u2160", "\u0391", "\u0410", "\u1e9e"]
    out = sys.stdout
    for _ in range(20000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        out.write("%s\t%s\n" % (s.encode("utf-8").hex(), s.lower().encode("utf-8").hex()))


def emit_header():
    rec_index = {}
    rec_list = []
    multis = []
    per_cp = [0] * MAX_CP  # surrogates keep record 0 (identity, other)
    max_growth = 0.0
    rec_list.append((0, 0, 0))
    rec_index[(0, 0, 0)] = 0
    for cp, delta, multi, flg in records():
        if multi is not None:
            if multi not in multis:
                multis.append(multi)
            key = (0, multis.index(multi) + 1, flg)
            out_len = len(multi.encode("utf-8"))
        else:
            key = (delta, 0, flg)
            out_len = len(chr(cp + delta).encode("utf-8"))
        max_growth = max(max_growth, out_len / len(chr(cp).encode("utf-8")))
        if key not in rec_index:
            rec_index[key] = len(rec_list)
            rec_list.append(key)
        per_cp[cp] = rec_index[key]
    assert len(rec_list) < 256, "records no longer fit a byte"
    # The C code reserves 3 output bytes per 2 input bytes.
    assert max_growth <= 1.5, max_growth

    block = 1 << SHIFT
    blocks = []
    block_index = {}
    stage1 = []
    for start in range(0, MAX_CP, block):
        b = tuple(per_cp[start:start + block])
        if b not in block_index:
            block_index[b] = len(blocks)
            blocks.append(b)
        stage1.append(block_index[b])
    assert len(blocks) < 256, "blocks no longer fit a byte"

    w = sys.stdout.write
    w("/*\n * unicase_table.h: Python 3.11 str.lower() data (Unicode 14.0.0) for unicase.c.\n")
    w(" * GENERATED by ci/gen_unicase.py from Python's own str.lower(); do not edit.\n")
    w(" *\n * Lookup of code point cp (< 0x110000):\n")
    w(" *   r = unicase_records[unicase_stage2[unicase_stage1[cp >> %d] << %d | (cp & %d)]]\n"
      % (SHIFT, SHIFT, block - 1))
    w(" * r.multi == 0: lower(cp) = cp + r.delta; else lower(cp) is the UTF-8 string\n")
    w(" * unicase_multi[r.multi - 1]. r.flags: bits 0-1 the final-sigma class\n")
    w(" * (0 other, 1 cased, 2 case-ignorable), then isupper 4, islower 8,\n")
    w(" * isalpha 16, re \\d 32, re \\w 64, re \\s 128.\n */\n")
    w("#ifndef ES_UNICASE_TABLE_H\n#define ES_UNICASE_TABLE_H\n\n")
    w("#include <stdint.h>\n\n")
    w("#define UNICASE_SHIFT %d\n\n" % SHIFT)
    w("typedef struct {\n  int32_t delta;\n  uint8_t multi;\n  uint8_t flags;\n} unicase_record;\n\n")
    w("static const unicase_record unicase_records[%d] = {\n" % len(rec_list))
    for delta, multi, flg in rec_list:
        w("    {%d, %d, %d},\n" % (delta, multi, flg))
    w("};\n\n")
    w("static const char *const unicase_multi[%d] = {\n" % max(1, len(multis)))
    for m in multis:
        w('    "%s",\n' % "".join("\\x%02x" % b for b in m.encode("utf-8")))
    w("};\n\n")
    ascii = [rec_list[per_cp[cp]][2] for cp in range(128)]
    w("/* The flags of U+0000..U+007F, for es_uc_ascii[]. */\n")
    w("#define UNICASE_ASCII_FLAGS \\\n")
    for i in range(0, 128, 16):
        w("    " + ",".join(str(f) for f in ascii[i:i + 16]) + (", \\\n" if i < 112 else "\n\n"))
    write_bytes(w, "unicase_stage1", stage1)
    flat = [x for b in blocks for x in b]
    write_bytes(w, "unicase_stage2", flat)
    w("#endif\n")


def write_bytes(w, name, values):
    w("static const uint8_t %s[%d] = {\n" % (name, len(values)))
    for i in range(0, len(values), 24):
        w("    " + ",".join(str(v) for v in values[i:i + 24]) + ",\n")
    w("};\n\n")


def main():
    check_python()
    if len(sys.argv) > 1 and sys.argv[1] == "--vectors":
        emit_vectors()
    elif len(sys.argv) > 1 and sys.argv[1] == "--strings":
        emit_strings()
    elif len(sys.argv) == 1:
        emit_header()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
