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
 * lacks U+001C..U+001F and U+0085), and (?i) letters are spelled out as
 * the characters Python's case-insensitive matching accepts (i also matches
 * U+0130 and U+0131, s also U+017F).
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

/* Flags of the code point at s[i] (i < n), ASCII inline. */
static inline unsigned flags_at(const unsigned char *s, size_t n, size_t i, size_t *len) {
  return es_uc_at(s, n, i, len);
}

static inline int word_at(const unsigned char *s, size_t n, size_t i) {
  size_t len;
  return i < n && (flags_at(s, n, i, &len) & ES_UC_WORD);
}

static inline int word_before(const unsigned char *s, size_t i) {
  if (i == 0) return 0;
  size_t p = es_utf8_prev(s, i), len;
  return (flags_at(s, i, p, &len) & ES_UC_WORD) != 0;
}

static inline size_t cp_len(unsigned char c) {
  return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* The end of the code point that starts at s[i]. */
static inline size_t cp_end(const unsigned char *s, size_t n, size_t i) {
  size_t e = i + cp_len(s[i]);
  return e > n ? n : e;
}

/* Whether s[i..] starts with the closing quote » (C2 BB), ” (E2 80 9D) or
 * ’ (E2 80 99); its length or 0. */
static inline size_t close_quote(const unsigned char *s, size_t n, size_t i) {
  if (s[i] == 0xc2 && i + 1 < n && s[i + 1] == 0xbb) return 2;
  if (s[i] == 0xe2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0x9d || s[i + 2] == 0x99))
    return 3;
  return 0;
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
    if (!(flags_at(s, n, j, &len) & ES_UC_WORD) || word_at(s, n, j + len)) {
      i++;
      continue;
    }
    unsigned char c = s[j];
    if (len == 1 && strchr("mtsdnMTSDN", c)) {
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
  while (i + 1 < n) {
    if (s[i] != ',' && s[i] != ':') {
      i++;
      continue;
    }
    if (flags_at(s, n, i + 1, &len) & ES_UC_DIGIT) {
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
      if (strchr("sSmMdD", a) && a && b == ' ') end = i + 3;
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

static size_t contraction(const unsigned char *s, size_t n, unsigned char *o, size_t k) {
  const char *a = contractions[k].a, *b = contractions[k].b;
  int c3 = k >= FIRST_CONTRACTION3;
  unsigned char first = (unsigned char)a[0];
  unsigned char *w = o;
  size_t from = 0, i = 0;
  int changed = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c != first && !(first >= 'a' && c == first - 32)) {
      i++;
      continue;
    }
    size_t m1, m2;
    if ((!c3 && word_before(s, i)) || !(m1 = match_ci(s, n, i, a)) || !(m2 = match_ci(s, n, m1, b))) {
      i++;
      continue;
    }
    if (contractions[k].ws_after ? !(m2 < n && es_py_space(s, n, m2)) : word_at(s, n, m2)) {
      i++;
      continue;
    }
    w = put(w, s + from, i - from);
    *w++ = ' ';
    w = put(w, s + i + c3, m1 - i - c3);
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
  for (size_t i = 1; i + 1 < n; i++)
    if (s[i] == '\'' && s[i - 1] == ' ' && (s[i + 1] | 0x20) == 't') return 1;
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
  /* pairs of adjacent bytes (any case): the cascade inserts only spaces,
   * quotes, brackets and -LRB- style names between characters and joins
   * none, so a pair missing from the sentence never appears later */
  H_CONTRACT2 = 1u << 12, /* nn mm tt 'n 'y: each CONTRACTIONS2 word has one */
  H_QUOTE_T = 1u << 13,   /* 't: CONTRACTIONS3 */
  H_TWO_QUOTES = 1u << 14, /* '' */
};

/* Letter classes for the pairs above, and the flags of each pair. */
enum { L_NONE, L_N, L_M, L_T, L_Y, L_QUOTE, L_COUNT };
static const uint8_t pair_class[256] = {
    ['n'] = L_N, ['N'] = L_N, ['m'] = L_M, ['M'] = L_M, ['t'] = L_T,
    ['T'] = L_T, ['y'] = L_Y, ['Y'] = L_Y, ['\''] = L_QUOTE,
};
static const uint16_t pair_bits[L_COUNT][L_COUNT] = {
    [L_N][L_N] = H_CONTRACT2,     [L_M][L_M] = H_CONTRACT2,     [L_T][L_T] = H_CONTRACT2,
    [L_QUOTE][L_N] = H_CONTRACT2, [L_QUOTE][L_Y] = H_CONTRACT2, [L_QUOTE][L_T] = H_QUOTE_T,
    [L_QUOTE][L_QUOTE] = H_TWO_QUOTES,
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

static const uint8_t set_punct5[256] = {[';'] = 1, ['@'] = 1, ['#'] = 1,
                                        ['$'] = 1, ['%'] = 1, ['&'] = 1};
static const uint8_t set_quest[256] = {['?'] = 1, ['!'] = 1};
static const uint8_t set_star[256] = {['*'] = 1};
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

/* Length of the white space at s[i], or 0. */
static inline size_t space_at(const unsigned char *s, size_t n, size_t i) {
  unsigned k = space_byte[s[i]];
  return k == 1 ? 1 : k ? es_py_space(s, n, i) : 0;
}

/* str.split(): calls cb for each run of non-white-space characters. */
static es_status split_tokens(const unsigned char *s, size_t n, es_token_cb cb, void *ctx) {
  size_t i = 0, w;
  while (i < n) {
    while (i < n && (w = space_at(s, n, i))) i += w;
    if (i >= n) break;
    size_t start = i;
    while (i < n && !space_byte[s[i]]) i++;
    while (i < n && !space_at(s, n, i)) {
      i += cp_len(s[i]);
      while (i < n && !space_byte[s[i]]) i++;
    }
    if (cb(ctx, (const char *)s + start, i - start)) return ES_ERR_NOMEM;
  }
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
PASS(p_quest, pad_chars(s, n, o, set_quest))
PASS(p_star, pad_chars(s, n, o, set_star))
PASS(p_brackets, pad_chars(s, n, o, set_brackets))
PASS(p_clitics1, clitics(s, n, o, 0))
PASS(p_clitics2, clitics(s, n, o, 1))

static es_status treebank_fast(es_treebank *t, const unsigned char *text, size_t len,
                               unsigned flags, es_token_cb cb, void *ctx) {
  unsigned has = 0, prev = L_NONE;
  for (size_t i = 0; i < len; i++) {
    unsigned k = pair_class[text[i]];
    has |= has_bits[text[i]] | pair_bits[prev][k];
    prev = k;
  }
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
  if (has & H_PERIOD) RUN(dot_runs);
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
  for (size_t k = 0; k < NCONTRACTIONS; k++) {
    /* CONTRACTIONS2 may put the space before 't that CONTRACTIONS3 needs */
    if (k < FIRST_CONTRACTION3 ? !(has & H_CONTRACT2)
                               : !((has & H_QUOTE_T) && may_contract3(c.s, c.n)))
      continue;
    if (c.n > (SIZE_MAX - 16) / 5 || reserve(t, 5 * c.n + 16)) return ES_ERR_NOMEM;
    if (c.cur >= 0) c.s = t->buf[c.cur];
    int out = c.cur == 0 ? 1 : 0;
    size_t m = contraction(c.s, c.n, t->buf[out], k);
    if (m != NOCHANGE) {
      c.cur = out;
      c.s = t->buf[out];
      c.n = m;
    }
  }
#undef RUN
  return split_tokens(c.s, c.n, cb, ctx);
}

/* ---- the PCRE2 reference --------------------------------------------------------- */

static int compile_regexes(es_treebank *t) {
  if (t->compiled) return 0;
  for (size_t i = 0; i < NREGEX; i++) {
    if (!regex_rules[i].pattern) continue;
    int err;
    PCRE2_SIZE off;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc) return -1;
    pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
    t->code[i] = pcre2_compile((PCRE2_SPTR)regex_rules[i].pattern, PCRE2_ZERO_TERMINATED,
                               PCRE2_UTF | PCRE2_UCP, &err, &off, cc);
    pcre2_compile_context_free(cc);
    if (!t->code[i]) return -1;
    pcre2_jit_compile(t->code[i], PCRE2_JIT_COMPLETE); /* optional: falls back */
  }
  t->md = pcre2_match_data_create(16, NULL);
  if (!t->md) return -1;
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
    if (reserve(t, 5 * n + 64)) return ES_ERR_NOMEM;
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
