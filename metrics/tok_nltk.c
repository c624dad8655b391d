/*
 * tok_nltk.c: nltk 3.8's word_tokenize(text) (language "english",
 * preserve_line False): Punkt sentences (punkt.c), then NLTKWordTokenizer
 * on each sentence, the Treebank regex cascade:
 *
 *   STARTING_QUOTES  «“‘„ and `+ padded; ^" to ``; `` padded;
 *                    [ ([{<] then " or '' to `` ; '<letter> split
 *   PUNCTUATION      the final period (two rules), , and : before a
 *                    non-digit or at the end, .. runs, ;@#$%&, ?!, ' after
 *                    a character and before a space, *
 *   PARENS_BRACKETS  ][(){}<> padded (optionally -LRB- etc.)
 *   DOUBLE_DASHES    -- padded
 *   ENDING_QUOTES    (on " " + text + " ") »”’ padded; '' and " to '';
 *                    's 'm 'd ' and 'll 're 've n't split off
 *   CONTRACTIONS2/3  cannot gimme gonna gotta lemme more'n wanna d'ye
 *                    'tis 'twas split in two
 *   then str.split().
 *
 * Two implementations of the cascade live here. The regex one compiles
 * nltk's patterns for PCRE2 (UTF + UCP) and applies them one by one with
 * pcre2_substitute: it is the reference, slow, and used only by tests. The
 * default one is hand-written: one C pass per rule that emulates Python's
 * re.sub for that pattern exactly (leftmost non-overlapping matches, the
 * regex's backtracking, Unicode \w \d \s \b as Python 3.11 defines them),
 * and skips every rule whose trigger characters are absent from the
 * sentence. tests/unit/test_tok_nltk.c checks that both agree on golden
 * text and on random strings.
 *
 * Patterns written for PCRE2 differ from nltk's source only where Python's
 * re and PCRE2 disagree: \s is spelled out as Python's white space (PCRE2's
 * lacks U+001C..U+001F and has U+180E), and (?i) letters are spelled out as
 * the characters Python's case-insensitive matching accepts (i also matches
 * U+0130 and U+0131, s also U+017F). PCRE2's \w, \d and \b with UCP are
 * Python's (the test checks every code point).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "punkt.h"
#include "tok_impl.h"

#include <stdlib.h>
#include <string.h>

#define NOCHANGE ((size_t)-1)

/* ---- helpers ------------------------------------------------------------------- */

static inline unsigned char *put(unsigned char *w, const unsigned char *s, size_t n) {
  memcpy(w, s, n);
  return w + n;
}

static inline int word_at(const unsigned char *s, size_t n, size_t i) {
  size_t len;
  return i < n && (es_uc_at(s, n, i, &len) & ES_UC_WORD);
}

static inline int word_before(const unsigned char *s, size_t i) {
  if (i == 0) return 0;
  size_t p = es_utf8_prev(s, i), len;
  return (es_uc_at(s, i, p, &len) & ES_UC_WORD) != 0;
}

/* Whether s[i..] starts with the closing quote » (C2 BB), ” (E2 80 9D) or
 * ’ (E2 80 99); its length or 0. */
static inline size_t close_quote(const unsigned char *s, size_t n, size_t i) {
  if (s[i] == 0xc2 && i + 1 < n && s[i + 1] == 0xbb) return 2;
  if (s[i] == 0xe2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0x9d || s[i + 2] == 0x99))
    return 3;
  return 0;
}

/* The offset of the first byte a or b in s[i..n), or n. */
static size_t find2(const unsigned char *s, size_t i, size_t n, unsigned char a, unsigned char b) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* eight bytes at a time: the lowest flag of a zero-byte test is exact */
  const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, p, q;
    memcpy(&x, s + i, 8);
    p = x ^ (ones * a);
    q = x ^ (ones * b);
    uint64_t z = (((p - ones) & ~p) | ((q - ones) & ~q)) & high;
    if (z) return i + ((size_t)__builtin_ctzll(z) >> 3);
  }
#endif
  while (i < n && s[i] != a && s[i] != b) i++;
  return i;
}

/* ---- the hand-written passes ---------------------------------------------------- *
 * Each pass reads s[0..n) and writes the substituted text to o (room for
 * 5n + 16 bytes), returning its length, or NOCHANGE (having written
 * nothing that matters) when the pattern never matches. */

/* Pads every character of set (one byte each) with spaces: " \g<0> ". */
static size_t pad_chars(const unsigned char *s, size_t n, unsigned char *o, const uint8_t *set) {
  unsigned char *w = o;
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    if (!set[s[i]]) continue;
    w = put(w, s + from, i - from);
    *w++ = ' ';
    *w++ = s[i];
    *w++ = ' ';
    from = i + 1;
  }
  if (from == 0) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* Pads every a and b with spaces: [?!] and [*] -> " \g<0> ". */
static size_t pad_two(const unsigned char *s, size_t n, unsigned char *o, unsigned char a,
                      unsigned char b) {
  unsigned char *w = o;
  size_t from = 0;
  for (size_t i = find2(s, 0, n, a, b); i < n; i = find2(s, i + 1, n, a, b)) {
    w = put(w, s + from, i - from);
    *w++ = ' ';
    *w++ = s[i];
    *w++ = ' ';
    from = i + 1;
  }
  if (from == 0) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* ([«“‘„]|[`]+) -> " \1 " */
static size_t open_quotes(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  size_t from = 0, i = 0;
  int changed = 0;
  while (i < n) {
    size_t m = 0;
    if (s[i] == '`') {
      m = 1;
      while (i + m < n && s[i + m] == '`') m++;
    } else if (s[i] == 0xc2) {
      m = i + 1 < n && s[i + 1] == 0xab ? 2 : 0;
    } else if (s[i] == 0xe2) {
      m = i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0x9c || s[i + 2] == 0x98 || s[i + 2] == 0x9e)
              ? 3
              : 0;
    }
    if (!m) {
      i++;
      continue;
    }
    w = put(w, s + from, i - from);
    *w++ = ' ';
    w = put(w, s + i, m);
    *w++ = ' ';
    i += m;
    from = i;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* ^\" -> `` */
static size_t initial_quote(const unsigned char *s, size_t n, unsigned char *o) {
  if (n == 0 || s[0] != '"') return NOCHANGE;
  o[0] = o[1] = '`';
  memcpy(o + 2, s + 1, n - 1);
  return n + 1;
}

/* Replaces every non-overlapping occurrence of the two bytes a b (left to
 * right) by rep: (``) -> " `` ", -- -> " -- ", '' -> " '' ". */
static size_t pairs(const unsigned char *s, size_t n, unsigned char *o, unsigned char a,
                    unsigned char b, const char *rep, size_t rlen) {
  unsigned char *w = o;
  size_t from = 0, i = 0;
  int changed = 0;
  while (i + 1 < n) {
    const unsigned char *p = memchr(s + i, a, n - 1 - i);
    if (!p) break;
    i = (size_t)(p - s);
    if (s[i + 1] != b) {
      i++;
      continue;
    }
    w = put(w, s + from, i - from);
    w = put(w, (const unsigned char *)rep, rlen);
    i += 2;
    from = i;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* ([ \(\[{<])(\"|\'{2}) -> "\1 `` " */
static size_t opening_double_quote(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  size_t from = 0, i = 0;
  int changed = 0;
  for (; i + 1 < n; i++) {
    unsigned char c = s[i];
    if (c != ' ' && c != '(' && c != '[' && c != '{' && c != '<') continue;
    size_t m;
    if (s[i + 1] == '"') m = 2;
    else if (s[i + 1] == '\'' && i + 2 < n && s[i + 2] == '\'') m = 3;
    else continue;
    w = put(w, s + from, i + 1 - from);
    w = put(w, (const unsigned char *)" `` ", 4);
    i += m - 1;
    from = i + 1;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* (?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b -> "\1 \2": a quote, then one word
 * character alone (the two-letter alternatives can never hold before \b). */
static size_t quote_letter(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  size_t from = 0, i = 0;
  int changed = 0;
  while (i + 1 < n) {
    const unsigned char *p = memchr(s + i, '\'', n - 1 - i);
    if (!p) break;
    i = (size_t)(p - s);
    size_t len, j = i + 1;
    if (!(es_uc_at(s, n, j, &len) & ES_UC_WORD) || word_at(s, n, j + len)) {
      i++;
      continue;
    }
    unsigned char c = s[j], f = c | 0x20;
    if (len == 1 && (f == 'm' || f == 't' || f == 's' || f == 'd' || f == 'n')) {
      i++;
      continue;
    }
    if (len == 2 && c == 0xc5 && s[j + 1] == 0xbf) { /* long s: (?i)s matches it */
      i++;
      continue;
    }
    w = put(w, s + from, i + 1 - from);
    *w++ = ' ';
    w = put(w, s + j, len);
    i = j + len;
    from = i;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* The final-period rules:
 *   ([^\.])(\.)([\]\)}>"\'»”’ ]*)\s*$  -> "\1 \2 \3 "   (wide)
 *   ([^\.])(\.)([\]\)}>"\']*)\s*$      -> "\1 \2\3 "    (!wide)
 * Only the last period can match (everything after it must be closing
 * characters then white space), and only when a non-period precedes it. */
static size_t final_period(const unsigned char *s, size_t n, unsigned char *o, int wide) {
  size_t d = n;
  while (d > 0 && s[d - 1] != '.') d--;
  if (d-- < 2 || s[d - 1] == '.') return NOCHANGE;
  size_t k = d + 1, len;
  for (;;) {
    if (k >= n) break;
    unsigned char c = s[k];
    if (c == ']' || c == ')' || c == '}' || c == '>' || c == '"' || c == '\'' ||
        (wide && c == ' ')) {
      k++;
      continue;
    }
    if (wide && (len = close_quote(s, n, k))) {
      k += len;
      continue;
    }
    break;
  }
  for (size_t r = k; r < n; r += len)
    if (!(len = es_py_space(s, n, r))) return NOCHANGE;
  unsigned char *w = put(o, s, d);
  *w++ = ' ';
  *w++ = '.';
  if (wide) *w++ = ' ';
  w = put(w, s + d + 1, k - d - 1);
  *w++ = ' ';
  return (size_t)(w - o);
}

/* ([:,])([^\d]) -> " \1 \2" */
static size_t comma_colon(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  size_t from = 0, i = 0, len;
  int changed = 0;
  while ((i = find2(s, i, n, ',', ':')) + 1 < n) {
    if (es_uc_at(s, n, i + 1, &len) & ES_UC_DIGIT) {
      i++;
      continue;
    }
    w = put(w, s + from, i - from);
    *w++ = ' ';
    *w++ = s[i];
    *w++ = ' ';
    w = put(w, s + i + 1, len);
    i += 1 + len;
    from = i;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* ([:,])$ -> " \1 " ($: at the end or before a final newline) */
static size_t final_comma_colon(const unsigned char *s, size_t n, unsigned char *o) {
  size_t i;
  if (n >= 1 && (s[n - 1] == ',' || s[n - 1] == ':')) i = n - 1;
  else if (n >= 2 && s[n - 1] == '\n' && (s[n - 2] == ',' || s[n - 2] == ':')) i = n - 2;
  else return NOCHANGE;
  unsigned char *w = put(o, s, i);
  *w++ = ' ';
  *w++ = s[i];
  *w++ = ' ';
  w = put(w, s + i + 1, n - i - 1);
  return (size_t)(w - o);
}

/* \.{2,} -> " \g<0> " */
static size_t dot_runs(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  size_t from = 0, i = 0;
  int changed = 0;
  while (i + 1 < n) {
    const unsigned char *p = memchr(s + i, '.', n - 1 - i);
    if (!p) break;
    i = (size_t)(p - s);
    size_t e = i + 1;
    while (e < n && s[e] == '.') e++;
    if (e - i < 2) {
      i = e;
      continue;
    }
    w = put(w, s + from, i - from);
    *w++ = ' ';
    w = put(w, s + i, e - i);
    *w++ = ' ';
    i = from = e;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* ([^'])' -> "\1 ' " */
static size_t quote_space(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  size_t from = 0, i = 1;
  int changed = 0;
  while (i + 1 < n) {
    const unsigned char *p = memchr(s + i, '\'', n - 1 - i);
    if (!p) break;
    i = (size_t)(p - s);
    size_t x = es_utf8_prev(s, i);
    if (s[i + 1] != ' ' || x < from || s[x] == '\'') {
      i++;
      continue;
    }
    w = put(w, s + from, i - from);
    w = put(w, (const unsigned char *)" ' ", 3);
    i += 2;
    from = i;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

static const char *const ptb_brackets[][2] = {
    {"(", "-LRB-"}, {")", "-RRB-"}, {"[", "-LSB-"}, {"]", "-RSB-"}, {"{", "-LCB-"}, {"}", "-RCB-"},
};

/* CONVERT_PARENTHESES: ( -> -LRB- and so on. */
static size_t convert_brackets(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  int changed = 0;
  for (size_t i = 0; i < n; i++) {
    const char *rep = NULL;
    for (size_t k = 0; k < 6; k++)
      if (s[i] == (unsigned char)ptb_brackets[k][0][0]) rep = ptb_brackets[k][1];
    if (rep) {
      w = put(w, (const unsigned char *)rep, 5);
      changed = 1;
    } else {
      *w++ = s[i];
    }
  }
  return changed ? (size_t)(w - o) : NOCHANGE;
}

/* " " + text + " " */
static size_t wrap(const unsigned char *s, size_t n, unsigned char *o) {
  o[0] = ' ';
  memcpy(o + 1, s, n);
  o[n + 1] = ' ';
  return n + 2;
}

/* ([»”’]) -> " \1 " */
static size_t close_quotes(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  size_t from = 0, i = 0;
  int changed = 0;
  while (i < n) {
    size_t m = (s[i] == 0xc2 || s[i] == 0xe2) ? close_quote(s, n, i) : 0;
    if (!m) {
      i++;
      continue;
    }
    w = put(w, s + from, i - from);
    *w++ = ' ';
    w = put(w, s + i, m);
    *w++ = ' ';
    i += m;
    from = i;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* " -> " '' " */
static size_t double_quotes(const unsigned char *s, size_t n, unsigned char *o) {
  unsigned char *w = o;
  int changed = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') {
      w = put(w, (const unsigned char *)" '' ", 4);
      changed = 1;
    } else {
      *w++ = s[i];
    }
  }
  return changed ? (size_t)(w - o) : NOCHANGE;
}

/* The clitic rules, both "([^' ])(<clitic>) " -> "\1 \2 ":
 *   ('[sS]|'[mM]|'[dD]|')               (!second)
 *   ('ll|'LL|'re|'RE|'ve|'VE|n't|N'T)  (second)
 * Candidates are found from their quote; the character before the clitic
 * must not be a quote or a space nor belong to the previous match. */
static size_t clitics(const unsigned char *s, size_t n, unsigned char *o, int second) {
  unsigned char *w = o;
  size_t from = 0, i = 1;
  int changed = 0;
  while (i + 1 < n) {
    const unsigned char *p = memchr(s + i, '\'', n - 1 - i);
    if (!p) break;
    i = (size_t)(p - s);
    size_t cl = i, end; /* the clitic is s[cl..end-1), a space at end-1 */
    unsigned char a = s[i + 1], b = i + 2 < n ? s[i + 2] : 0;
    if (!second) {
      unsigned char fa = a | 0x20;
      if ((fa == 's' || fa == 'm' || fa == 'd') && b == ' ') end = i + 3;
      else if (a == ' ') end = i + 2;
      else end = 0;
    } else {
      unsigned char c = i + 3 < n ? s[i + 3] : 0;
      if (c == ' ' && ((a == 'l' && b == 'l') || (a == 'L' && b == 'L') || (a == 'r' && b == 'e') ||
                       (a == 'R' && b == 'E') || (a == 'v' && b == 'e') || (a == 'V' && b == 'E')))
        end = i + 4;
      else if (b == ' ' && ((a == 't' && s[i - 1] == 'n') || (a == 'T' && s[i - 1] == 'N'))) {
        cl = i - 1;
        end = i + 3;
      } else {
        end = 0;
      }
    }
    if (!end || cl == 0) {
      i++;
      continue;
    }
    size_t x = es_utf8_prev(s, cl);
    if (x < from || s[x] == '\'' || s[x] == ' ') {
      i++;
      continue;
    }
    w = put(w, s + from, cl - from);
    *w++ = ' ';
    w = put(w, s + cl, end - cl);
    i = from = end;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* Matches the ASCII pattern text lit at s[i] the way Python's (?i) does
 * (i also matches U+0130 and U+0131, s also U+017F, k also U+212A);
 * returns the end of the match or 0. */
static size_t match_ci(const unsigned char *s, size_t n, size_t i, const char *lit) {
  for (; *lit; lit++) {
    if (i >= n) return 0;
    unsigned char c = s[i], l = (unsigned char)*lit;
    if (c == l || (l >= 'a' && l <= 'z' && c == l - 32)) {
      i++;
      continue;
    }
    if (i + 1 < n && ((l == 'i' && c == 0xc4 && (s[i + 1] == 0xb0 || s[i + 1] == 0xb1)) ||
                      (l == 's' && c == 0xc5 && s[i + 1] == 0xbf))) {
      i += 2;
      continue;
    }
    if (l == 'k' && i + 2 < n && c == 0xe2 && s[i + 1] == 0x84 && s[i + 2] == 0xaa) {
      i += 3;
      continue;
    }
    return 0;
  }
  return i;
}

/* CONTRACTIONS2 and CONTRACTIONS3, in order: "(?i)\b(a)(b)\b" (or, for
 * wanna, "(?=\s)" at the end) and "(?i) ('t)(is|was)\b"; each -> " \1 \2 ".
 * For the latter a is " 't" with the space outside the group. */
static const struct {
  const char *a, *b;
  int ws_after; /* (?=\s) instead of \b */
} contractions[] = {
    {"can", "not", 0}, {"d", "'ye", 0}, {"gim", "me", 0},  {"gon", "na", 0},
    {"got", "ta", 0},  {"lem", "me", 0}, {"more", "'n", 0}, {"wan", "na", 1},
    {" 't", "is", 0},  {" 't", "was", 0},
};
#define NCONTRACTIONS (sizeof contractions / sizeof contractions[0])
#define FIRST_CONTRACTION3 8

/* Which contractions may start with a byte (bit k for contractions[k]). */
static const uint16_t contraction_start[256] = {
    ['c'] = 1u << 0, ['C'] = 1u << 0, ['d'] = 1u << 1, ['D'] = 1u << 1,
    ['g'] = 7u << 2, ['G'] = 7u << 2, ['l'] = 1u << 5, ['L'] = 1u << 5,
    ['m'] = 1u << 6, ['M'] = 1u << 6, ['w'] = 1u << 7, ['W'] = 1u << 7,
    [' '] = 3u << 8,
};

/* The contractions first..last-1 in one scan. For CONTRACTIONS2 that is
 * the same as running them one after the other: every match is bounded by
 * \b (or white space) on both sides, so no two can overlap and the spaces
 * a substitution adds create no boundary that was not there; the pieces it
 * leaves are never a whole pattern. Not so for CONTRACTIONS3, whose
 * patterns start with a space: " 'tis'twas" becomes " 't is 'twas" and
 * only then can 'twas match, so those run one at a time. */
static size_t contractions_pass(const unsigned char *s, size_t n, unsigned char *o, size_t first,
                                size_t last) {
  uint16_t group = (uint16_t)(((1u << last) - 1) & ~((1u << first) - 1));
  unsigned char *w = o;
  size_t from = 0, i = 0;
  int changed = 0;
  while (i < n) {
    unsigned cand = contraction_start[s[i]] & group;
    if (!cand || (first < FIRST_CONTRACTION3 && word_before(s, i))) {
      i++;
      continue;
    }
    size_t m1 = 0, m2 = 0, k = first;
    for (; k < last; k++) {
      if (!(cand & (1u << k))) continue;
      m1 = match_ci(s, n, i, contractions[k].a);
      m2 = m1 ? match_ci(s, n, m1, contractions[k].b) : 0;
      if (!m2) continue;
      if (contractions[k].ws_after ? m2 < n && es_py_space(s, n, m2) : !word_at(s, n, m2)) break;
    }
    if (k == last) {
      i++;
      continue;
    }
    size_t skip = k >= FIRST_CONTRACTION3; /* the space before 't is no group */
    w = put(w, s + from, i - from);
    *w++ = ' ';
    w = put(w, s + i + skip, m1 - i - skip);
    *w++ = ' ';
    w = put(w, s + m1, m2 - m1);
    *w++ = ' ';
    i = from = m2;
    changed = 1;
  }
  if (!changed) return NOCHANGE;
  w = put(w, s + from, n - from);
  return (size_t)(w - o);
}

/* Whether " 't" or " 'T" occurs (CONTRACTIONS3). */
static int may_contract3(const unsigned char *s, size_t n) {
  for (size_t i = 1; i + 1 < n; i++) {
    const unsigned char *p = memchr(s + i, '\'', n - 1 - i);
    if (!p) return 0;
    i = (size_t)(p - s);
    if (s[i - 1] == ' ' && (s[i + 1] | 0x20) == 't') return 1;
  }
  return 0;
}

/* ---- the cascade ------------------------------------------------------------------ */

/* Which characters a sentence holds, for skipping rules. */
enum {
  H_BACKTICK = 1u << 0,
  H_DQUOTE = 1u << 1,
  H_SQUOTE = 1u << 2,
  H_PERIOD = 1u << 3,
  H_COMMA = 1u << 4, /* , or : */
  H_PUNCT5 = 1u << 5, /* ;@#$%& */
  H_QUEST = 1u << 6,  /* ?! */
  H_STAR = 1u << 7,
  H_BRACKET = 1u << 8, /* ][(){}<> */
  H_DASH = 1u << 9,
  H_C2 = 1u << 10, /* lead byte 0xC2: « » */
  H_E2 = 1u << 11, /* lead byte 0xE2: “ ‘ „ ” ’ */
  /* runs of adjacent bytes: the cascade inserts only spaces, quotes,
   * brackets and -LRB- style names between characters and joins none, so
   * a run missing from the sentence never appears later */
  H_CONTRACT2 = 1u << 12,  /* nno mme nna tta 'ye e'n (any case): each
                              CONTRACTIONS2 word holds one */
  H_QUOTE_T = 1u << 13,    /* 't: CONTRACTIONS3 */
  H_TWO_QUOTES = 1u << 14, /* '' */
  H_TWO_DOTS = 1u << 15,   /* .. */
};

/* Quote classes for the pairs above. */
enum { L_NONE, L_T, L_QUOTE, L_DOT, L_COUNT };
static const uint8_t pair_class[256] = {['t'] = L_T, ['T'] = L_T, ['\''] = L_QUOTE, ['.'] = L_DOT};
static const uint16_t pair_bits[L_COUNT][L_COUNT] = {
    [L_QUOTE][L_T] = H_QUOTE_T,
    [L_QUOTE][L_QUOTE] = H_TWO_QUOTES,
    [L_DOT][L_DOT] = H_TWO_DOTS,
};

static const uint16_t has_bits[256] = {
    ['`'] = H_BACKTICK, ['"'] = H_DQUOTE,  ['\''] = H_SQUOTE, ['.'] = H_PERIOD,
    [','] = H_COMMA,    [':'] = H_COMMA,   [';'] = H_PUNCT5,  ['@'] = H_PUNCT5,
    ['#'] = H_PUNCT5,   ['$'] = H_PUNCT5,  ['%'] = H_PUNCT5,  ['&'] = H_PUNCT5,
    ['?'] = H_QUEST,    ['!'] = H_QUEST,   ['*'] = H_STAR,    [']'] = H_BRACKET,
    ['['] = H_BRACKET,  ['('] = H_BRACKET, [')'] = H_BRACKET, ['{'] = H_BRACKET,
    ['}'] = H_BRACKET,  ['<'] = H_BRACKET, ['>'] = H_BRACKET, ['-'] = H_DASH,
    [0xc2] = H_C2,      [0xe2] = H_E2,
};

static inline unsigned fold(const unsigned char *s, size_t n, size_t i) {
  return i < n ? s[i] | 0x20u : 0;
}

/* Whether a CONTRACTIONS2 trigram starts at s[i], a letter that equals the
 * next one (any case) or a quote: nno nna mme tta, 'ye, or e'n around it. */
static int contraction_trigram(const unsigned char *s, size_t n, size_t i) {
  unsigned a = s[i] | 0x20u, c = fold(s, n, i + 2);
  if (s[i] == '\'')
    return (fold(s, n, i + 1) == 'y' && c == 'e') ||
           (i > 0 && (s[i - 1] | 0x20u) == 'e' && fold(s, n, i + 1) == 'n');
  if (fold(s, n, i + 1) != a) return 0;
  return (a == 'n' && (c == 'o' || c == 'a')) || (a == 'm' && c == 'e') || (a == 't' && c == 'a');
}

/* The H_* flags of s[0..n). Eight bytes at a time: doubled letters by one
 * comparison of the chunk with itself shifted, then only the bytes that
 * are neither letters nor spaces through the tables. */
static unsigned scan_sentence(const unsigned char *s, size_t n) {
  unsigned has = 0, prev = L_NONE;
  size_t i = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const uint64_t high = 0x8080808080808080u, low7 = 0x7f7f7f7f7f7f7f7fu;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    memcpy(&x, s + i, 8);
    uint64_t f = x | 0x2020202020202020u; /* ASCII letters folded to lower case */
    uint64_t ge_a = (f | high) - 0x6161616161616161u, ge_brace = (f | high) - 0x7b7b7b7b7b7b7b7bu;
    uint64_t sp = f ^ 0x2020202020202020u;
    sp = ~(((sp & low7) + low7) | sp | low7); /* high bit where the byte is ' ' or NUL */
    uint64_t odd = (x | ~((ge_a & ~ge_brace) | sp)) & high; /* neither letter nor space */
    has |= pair_bits[prev][pair_class[s[i]]];
    if (i > 0 && (s[i - 1] | 0x20u) == (s[i] | 0x20u) && contraction_trigram(s, n, i - 1))
      has |= H_CONTRACT2;
    uint64_t d = f ^ (f >> 8); /* zero in lane k: bytes k and k+1 fold to the same */
    for (uint64_t z = ~(((d & low7) + low7) | d | low7) & 0x0080808080808080u; z; z &= z - 1)
      if (contraction_trigram(s, n, i + ((size_t)__builtin_ctzll(z) >> 3))) has |= H_CONTRACT2;
    for (; odd; odd &= odd - 1) {
      size_t k = i + ((size_t)__builtin_ctzll(odd) >> 3);
      has |= has_bits[s[k]];
      if (s[k] == '\'' || s[k] == '.') {
        if (k + 1 < n) has |= pair_bits[pair_class[s[k]]][pair_class[s[k + 1]]];
        if (s[k] == '\'' && contraction_trigram(s, n, k)) has |= H_CONTRACT2;
      }
    }
    prev = pair_class[s[i + 7]];
  }
#endif
  for (; i < n; i++) {
    unsigned k = pair_class[s[i]];
    has |= has_bits[s[i]] | pair_bits[prev][k];
    prev = k;
    if ((s[i] == '\'' || (i > 0 && (s[i - 1] | 0x20u) == (s[i] | 0x20u))) &&
        contraction_trigram(s, n, s[i] == '\'' ? i : i - 1))
      has |= H_CONTRACT2;
  }
  return has;
}

static const uint8_t set_punct5[256] = {[';'] = 1, ['@'] = 1, ['#'] = 1,
                                        ['$'] = 1, ['%'] = 1, ['&'] = 1};
static const uint8_t set_brackets[256] = {[']'] = 1, ['['] = 1, ['('] = 1, [')'] = 1,
                                          ['{'] = 1, ['}'] = 1, ['<'] = 1, ['>'] = 1};

/* The regex reference: nltk's patterns in order, rewritten for PCRE2 as
 * the file comment says. PYS is Python's \s. */
#define PYS "[\\t-\\r\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
#define CI_I "[iI\\x{130}\\x{131}]"
#define CI_S "[sS\\x{17f}]"

enum { RX_PLAIN, RX_PARENS, RX_WRAP }; /* always / only with convert_parentheses / " "+text+" " */

static const struct {
  const char *pattern, *replacement;
  int kind;
} regex_rules[] = {
    /* STARTING_QUOTES */
    {"([\\x{ab}\\x{201c}\\x{2018}\\x{201e}]|[`]+)", " $1 ", RX_PLAIN},
    {"^\\\"", "``", RX_PLAIN},
    {"(``)", " $1 ", RX_PLAIN},
    {"([ \\(\\[{<])(\\\"|\\'{2})", "$1 `` ", RX_PLAIN},
    {"(\\')(?![rR][eE]|[vV][eE]|[lL][lL]|[mM]|[tT]|" CI_S "|[dD]|[nN])(\\w)\\b", "$1 $2", RX_PLAIN},
    /* PUNCTUATION */
    {"([^\\.])(\\.)([\\]\\)}>\"\\'\\x{bb}\\x{201d}\\x{2019} ]*)" PYS "*$", "$1 $2 $3 ", RX_PLAIN},
    {"([:,])([^\\d])", " $1 $2", RX_PLAIN},
    {"([:,])$", " $1 ", RX_PLAIN},
    {"\\.{2,}", " $0 ", RX_PLAIN},
    {"[;@#$%&]", " $0 ", RX_PLAIN},
    {"([^\\.])(\\.)([\\]\\)}>\"\\']*)" PYS "*$", "$1 $2$3 ", RX_PLAIN},
    {"[?!]", " $0 ", RX_PLAIN},
    {"([^'])' ", "$1 ' ", RX_PLAIN},
    {"[*]", " $0 ", RX_PLAIN},
    /* PARENS_BRACKETS, CONVERT_PARENTHESES */
    {"[\\]\\[\\(\\)\\{\\}\\<\\>]", " $0 ", RX_PLAIN},
    {"\\(", "-LRB-", RX_PARENS},
    {"\\)", "-RRB-", RX_PARENS},
    {"\\[", "-LSB-", RX_PARENS},
    {"\\]", "-RSB-", RX_PARENS},
    {"\\{", "-LCB-", RX_PARENS},
    {"\\}", "-RCB-", RX_PARENS},
    /* DOUBLE_DASHES */
    {"--", " -- ", RX_PLAIN},
    {NULL, NULL, RX_WRAP},
    /* ENDING_QUOTES */
    {"([\\x{bb}\\x{201d}\\x{2019}])", " $1 ", RX_PLAIN},
    {"''", " '' ", RX_PLAIN},
    {"\"", " '' ", RX_PLAIN},
    {"([^' ])('[sS]|'[mM]|'[dD]|') ", "$1 $2 ", RX_PLAIN},
    {"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", "$1 $2 ", RX_PLAIN},
    /* CONTRACTIONS2 */
    {"\\b([cC][aA][nN])([nN][oO][tT])\\b", " $1 $2 ", RX_PLAIN},
    {"\\b([dD])('[yY][eE])\\b", " $1 $2 ", RX_PLAIN},
    {"\\b([gG]" CI_I "[mM])([mM][eE])\\b", " $1 $2 ", RX_PLAIN},
    {"\\b([gG][oO][nN])([nN][aA])\\b", " $1 $2 ", RX_PLAIN},
    {"\\b([gG][oO][tT])([tT][aA])\\b", " $1 $2 ", RX_PLAIN},
    {"\\b([lL][eE][mM])([mM][eE])\\b", " $1 $2 ", RX_PLAIN},
    {"\\b([mM][oO][rR][eE])('[nN])\\b", " $1 $2 ", RX_PLAIN},
    {"\\b([wW][aA][nN])([nN][aA])(?=" PYS ")", " $1 $2 ", RX_PLAIN},
    /* CONTRACTIONS3 */
    {" ('[tT])(" CI_I CI_S ")\\b", " $1 $2 ", RX_PLAIN},
    {" ('[tT])([wW][aA]" CI_S ")\\b", " $1 $2 ", RX_PLAIN},
};
#define NREGEX (sizeof regex_rules / sizeof regex_rules[0])

struct es_treebank {
  unsigned char *buf[2];
  size_t cap;
  pcre2_code *code[NREGEX]; /* compiled on first ES_TREEBANK_REGEX use */
  pcre2_match_data *md;
  int compiled;
};

es_status es_treebank_new(es_treebank **out) {
  *out = calloc(1, sizeof **out);
  return *out ? ES_OK : ES_ERR_NOMEM;
}

void es_treebank_free(es_treebank *t) {
  if (!t) return;
  free(t->buf[0]);
  free(t->buf[1]);
  for (size_t i = 0; i < NREGEX; i++) pcre2_code_free(t->code[i]);
  pcre2_match_data_free(t->md);
  free(t);
}

/* Makes both buffers hold at least need bytes (their contents are kept). */
static int reserve(es_treebank *t, size_t need) {
  if (need <= t->cap) return 0;
  size_t cap = t->cap ? t->cap : 256;
  while (cap < need) {
    if (cap > SIZE_MAX / 2) return -1;
    cap *= 2;
  }
  for (int k = 0; k < 2; k++) {
    unsigned char *nb = realloc(t->buf[k], cap);
    if (!nb) return -1;
    t->buf[k] = nb;
  }
  t->cap = cap;
  return 0;
}

/* For str.split(): 1 for ASCII white space, 2 for the lead bytes of the
 * other white space (U+0085, U+00A0, U+1680, U+2000.., U+3000). */
static const uint8_t space_byte[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [0x1c] = 1, [0x1d] = 1,
    [0x1e] = 1,  [0x1f] = 1,  [' '] = 1,  [0xc2] = 2, [0xe1] = 2, [0xe2] = 2, [0xe3] = 2,
};

/* Whether byte p of s belongs to a white-space character. */
static int space_byte_at(const unsigned char *s, size_t n, size_t p) {
  unsigned c = s[p];
  if (c < 0x80) return space_byte[c] == 1;
  size_t q = p;
  while (q > 0 && (s[q] & 0xc0) == 0x80 && p - q < 3) q--;
  return space_byte[s[q]] == 2 && es_py_space(s, n, q) > p - q;
}

/* Bit k set when byte k of s[0..m) (m <= 64) belongs to white space. Runs
 * of eight printable ASCII bytes or spaces are done at once (a zero-byte
 * test for ' ', the eight flags gathered by one multiplication). */
static uint64_t space_bits(const unsigned char *s, size_t n, size_t base, size_t m) {
  uint64_t bits = 0;
  size_t k = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const uint64_t high = 0x8080808080808080u, low7 = 0x7f7f7f7f7f7f7f7fu;
  for (; k + 8 <= m; k += 8) {
    uint64_t x;
    memcpy(&x, s + base + k, 8);
    uint64_t odd = (x & high) | (~((x | high) - 0x2121212121212121u) & high);
    uint64_t sp = x ^ 0x2020202020202020u;
    sp = ~(((sp & low7) + low7) | sp | low7); /* high bit where the byte is ' ' */
    if (odd & ~sp) break;                     /* control or non-ASCII bytes */
    bits |= (((sp >> 7) * 0x0102040810204080u) >> 56) << k;
  }
#endif
  for (; k < m; k++)
    if (space_byte_at(s, n, base + k)) bits |= (uint64_t)1 << k;
  return bits;
}

/* str.split(): calls cb for each run of non-white-space characters. The
 * text is read 64 bytes at a time into a bit map of white space whose
 * word starts and ends are then taken with count-trailing-zeros. */
static es_status split_tokens(const unsigned char *s, size_t n, es_token_cb cb, void *ctx) {
  size_t start = 0;
  int in_word = 0;
  uint64_t carry = 0; /* 1 when the last byte of the previous block was in a word */
  for (size_t base = 0; base < n; base += 64) {
    size_t m = n - base < 64 ? n - base : 64;
    uint64_t valid = m == 64 ? ~(uint64_t)0 : ((uint64_t)1 << m) - 1;
    uint64_t word = ~space_bits(s, n, base, m) & valid;
    uint64_t prev = (word << 1) | carry;
    uint64_t starts = word & ~prev, ends = ~word & prev & valid;
    carry = word >> 63;
    for (;;) {
      if (in_word) {
        if (!ends) break;
        size_t end = base + (size_t)__builtin_ctzll(ends);
        ends &= ends - 1;
        if (cb(ctx, (const char *)s + start, end - start)) return ES_ERR_NOMEM;
        in_word = 0;
      } else {
        if (!starts) break;
        start = base + (size_t)__builtin_ctzll(starts);
        starts &= starts - 1;
        in_word = 1;
      }
    }
    if (m < 64) carry = 0;
  }
  if (in_word && cb(ctx, (const char *)s + start, n - start)) return ES_ERR_NOMEM;
  return ES_OK;
}

/* The state of one run of the hand-written cascade: the text is s[0..n),
 * either the caller's input (cur == -1) or t->buf[cur]. */
typedef struct {
  es_treebank *t;
  const unsigned char *s;
  size_t n;
  int cur;
} cascade;

typedef size_t (*pass_fn)(const unsigned char *s, size_t n, unsigned char *o);

/* Runs one pass; on a change the output becomes the text. */
static int run(cascade *c, pass_fn fn) {
  if (c->n > (SIZE_MAX - 16) / 5 || reserve(c->t, 5 * c->n + 16)) return -1;
  if (c->cur >= 0) c->s = c->t->buf[c->cur];
  int out = c->cur == 0 ? 1 : 0;
  size_t m = fn(c->s, c->n, c->t->buf[out]);
  if (m != NOCHANGE) {
    c->cur = out;
    c->s = c->t->buf[out];
    c->n = m;
  }
  return 0;
}

#define PASS(name, expr)                                                       \
  static size_t name(const unsigned char *s, size_t n, unsigned char *o) { \
    return expr;                                                               \
  }
PASS(p_pairs_backtick, pairs(s, n, o, '`', '`', " `` ", 4))
PASS(p_pairs_dash, pairs(s, n, o, '-', '-', " -- ", 4))
PASS(p_pairs_squote, pairs(s, n, o, '\'', '\'', " '' ", 4))
PASS(p_final_period_wide, final_period(s, n, o, 1))
PASS(p_final_period, final_period(s, n, o, 0))
PASS(p_punct5, pad_chars(s, n, o, set_punct5))
PASS(p_quest, pad_two(s, n, o, '?', '!'))
PASS(p_star, pad_two(s, n, o, '*', '*'))
PASS(p_brackets, pad_chars(s, n, o, set_brackets))
PASS(p_clitics1, clitics(s, n, o, 0))
PASS(p_clitics2, clitics(s, n, o, 1))
PASS(p_contractions2, contractions_pass(s, n, o, 0, FIRST_CONTRACTION3))
PASS(p_contraction_tis, contractions_pass(s, n, o, FIRST_CONTRACTION3, FIRST_CONTRACTION3 + 1))
PASS(p_contraction_twas, contractions_pass(s, n, o, FIRST_CONTRACTION3 + 1, NCONTRACTIONS))

static es_status treebank_fast(es_treebank *t, const unsigned char *text, size_t len,
                               unsigned flags, es_token_cb cb, void *ctx) {
  unsigned has = scan_sentence(text, len);
  cascade c = {t, text, len, -1};
#define RUN(fn) \
  if (run(&c, fn)) return ES_ERR_NOMEM
  /* STARTING_QUOTES */
  if (has & (H_BACKTICK | H_C2 | H_E2)) RUN(open_quotes);
  if (len && text[0] == '"') {
    RUN(initial_quote);
    has |= H_BACKTICK;
  }
  if (has & H_BACKTICK) RUN(p_pairs_backtick);
  if (has & (H_DQUOTE | H_TWO_QUOTES)) RUN(opening_double_quote);
  if (has & H_SQUOTE) RUN(quote_letter);
  /* PUNCTUATION */
  if (has & H_PERIOD) RUN(p_final_period_wide);
  if (has & H_COMMA) {
    RUN(comma_colon);
    RUN(final_comma_colon);
  }
  if (has & H_TWO_DOTS) RUN(dot_runs);
  if (has & H_PUNCT5) RUN(p_punct5);
  if (has & H_PERIOD) RUN(p_final_period);
  if (has & H_QUEST) RUN(p_quest);
  if (has & H_SQUOTE) RUN(quote_space);
  if (has & H_STAR) RUN(p_star);
  /* PARENS_BRACKETS, CONVERT_PARENTHESES, DOUBLE_DASHES */
  if (has & H_BRACKET) {
    RUN(p_brackets);
    if (flags & ES_TREEBANK_PARENS) RUN(convert_brackets);
  }
  if (has & H_DASH) RUN(p_pairs_dash);
  /* ENDING_QUOTES work on " " + text + " "; only clitics need the spaces */
  if (has & (H_C2 | H_E2)) RUN(close_quotes);
  if (has & H_TWO_QUOTES) RUN(p_pairs_squote);
  if (has & H_DQUOTE) {
    RUN(double_quotes);
    has |= H_SQUOTE;
  }
  /* the wrap only matters to rules that look at the spaces around words */
  if (has & (H_SQUOTE | H_CONTRACT2)) RUN(wrap);
  if (has & H_SQUOTE) {
    RUN(p_clitics1);
    RUN(p_clitics2);
  }
  if (has & H_CONTRACT2) RUN(p_contractions2);
  /* CONTRACTIONS2 may put the space before 't that CONTRACTIONS3 needs */
  if ((has & H_QUOTE_T) && may_contract3(c.s, c.n)) {
    RUN(p_contraction_tis);
    RUN(p_contraction_twas);
  }
#undef RUN
  return split_tokens(c.s, c.n, cb, ctx);
}

/* ---- the PCRE2 reference --------------------------------------------------------- */

/* Compiles the cascade once; -1 (nothing kept) when memory or a pattern
 * fails. $ must see only \n as a newline, as Python's does. */
static int compile_regexes(es_treebank *t) {
  if (t->compiled) return 0;
  pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
  int ok = cc && pcre2_set_newline(cc, PCRE2_NEWLINE_LF) == 0;
  for (size_t i = 0; ok && i < NREGEX; i++) {
    if (!regex_rules[i].pattern) continue;
    int err;
    PCRE2_SIZE off;
    t->code[i] = pcre2_compile((PCRE2_SPTR)regex_rules[i].pattern, PCRE2_ZERO_TERMINATED,
                               PCRE2_UTF | PCRE2_UCP, &err, &off, cc);
    ok = t->code[i] != NULL;
    if (ok) pcre2_jit_compile(t->code[i], PCRE2_JIT_COMPLETE); /* optional: falls back */
  }
  pcre2_compile_context_free(cc);
  if (ok && !t->md) ok = (t->md = pcre2_match_data_create(16, NULL)) != NULL;
  if (!ok) {
    for (size_t i = 0; i < NREGEX; i++) {
      pcre2_code_free(t->code[i]);
      t->code[i] = NULL;
    }
    return -1;
  }
  t->compiled = 1;
  return 0;
}

static es_status treebank_regex(es_treebank *t, const unsigned char *text, size_t len,
                                unsigned flags, es_token_cb cb, void *ctx) {
  if (compile_regexes(t)) return ES_ERR_REGEX;
  if (len > SIZE_MAX / 8 || reserve(t, 2 * len + 64)) return ES_ERR_NOMEM;
  memcpy(t->buf[0], text, len);
  size_t n = len;
  int cur = 0;
  for (size_t i = 0; i < NREGEX; i++) {
    int kind = regex_rules[i].kind;
    if (kind == RX_PARENS && !(flags & ES_TREEBANK_PARENS)) continue;
    if (n > (SIZE_MAX - 64) / 5 || reserve(t, 5 * n + 64)) return ES_ERR_NOMEM;
    unsigned char *out = t->buf[!cur];
    if (kind == RX_WRAP) {
      n = wrap(t->buf[cur], n, out);
      cur = !cur;
      continue;
    }
    for (;;) {
      PCRE2_SIZE olen = t->cap;
      int rc = pcre2_substitute(t->code[i], t->buf[cur], n, 0,
                                PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, t->md,
                                NULL, (PCRE2_SPTR)regex_rules[i].replacement,
                                PCRE2_ZERO_TERMINATED, out, &olen);
      if (rc == PCRE2_ERROR_NOMEMORY) {
        if (reserve(t, olen + 1)) return ES_ERR_NOMEM;
        out = t->buf[!cur];
        continue;
      }
      if (rc < 0) return ES_ERR_REGEX;
      n = olen;
      cur = !cur;
      break;
    }
  }
  return split_tokens(t->buf[cur], n, cb, ctx);
}

es_status es_treebank_tokenize(es_treebank *t, const char *text, size_t len, unsigned flags,
                               es_token_cb cb, void *ctx) {
  if (flags & ES_TREEBANK_REGEX)
    return treebank_regex(t, (const unsigned char *)text, len, flags, cb, ctx);
  return treebank_fast(t, (const unsigned char *)text, len, flags, cb, ctx);
}

/* ---- word_tokenize ---------------------------------------------------------------- */

typedef struct {
  es_punkt *punkt;
  es_treebank *treebank;
} toknltk;

es_status es_toknltk_new(void **state) {
  *state = NULL;
  toknltk *k = calloc(1, sizeof *k);
  if (!k) return ES_ERR_NOMEM;
  if (es_punkt_new(&k->punkt) != ES_OK || es_treebank_new(&k->treebank) != ES_OK) {
    es_toknltk_free(k);
    return ES_ERR_NOMEM;
  }
  *state = k;
  return ES_OK;
}

void es_toknltk_free(void *state) {
  toknltk *k = state;
  if (!k) return;
  es_punkt_free(k->punkt);
  es_treebank_free(k->treebank);
  free(k);
}

es_status es_toknltk_run(void *state, const char *text, size_t len, es_token_cb cb, void *ctx) {
  toknltk *k = state;
  const es_punkt_span *spans;
  size_t n;
  es_status st = es_punkt_split(k->punkt, text, len, &spans, &n);
  for (size_t i = 0; st == ES_OK && i < n; i++)
    st = treebank_fast(k->treebank, (const unsigned char *)text + spans[i].start,
                       spans[i].end - spans[i].start, 0, cb, ctx);
  return st;
}
