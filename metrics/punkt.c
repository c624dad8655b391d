/*
 * punkt.c: nltk 3.8's Punkt sentence splitter with the pretrained English
 * model, i.e. sent_tokenize(text, "english"), the first step of
 * word_tokenize.
 *
 * It follows PunktSentenceTokenizer.span_tokenize step by step:
 *
 *   candidates   every '.', '?' or '!' that the period-context regex
 *                matches: followed by one of Punkt's non-word characters
 *                )";}]*:@'({[?! or by white space and a token;
 *   contexts     _match_potential_end_contexts: the word before the
 *                candidate (back to the last ASCII white space, merged with
 *                the previous candidate's word when no white space lies
 *                between them, in which case the previous candidate is
 *                dropped), the end character and what follows it;
 *   decision     text_contains_sentbreak(context): the context is cut into
 *                Punkt words (PunktLanguageVars.word_tokenize, per line),
 *                annotated by the first pass (sentence-end characters,
 *                ellipses, known abbreviations) and the second pass
 *                (collocations, the orthographic heuristic, frequent
 *                sentence starters, initials and numbers), and the
 *                candidate ends a sentence when a word other than the last
 *                is a sentence break ('?', '!' and "letters." contexts, most
 *                of real text, are decided directly: see quick_sentbreak);
 *   slices       a sentence ends after the candidate, the next starts at
 *                the following token; the last ends at text.rstrip();
 *   realignment  _realign_boundaries moves closing quotes and brackets
 *                that follow a break back into the sentence they close.
 *
 * Python indexes code points and this file bytes. Every offset the rules
 * compute comes from an ASCII character (the end characters, ASCII white
 * space, closing punctuation), so the arithmetic is the same.
 */
#include "punkt.h"

#include <stdlib.h>
#include <string.h>

/* nltk's _ORTHO_* flags */
#define ORTHO_BEG_UC (1u << 1)
#define ORTHO_MID_UC (1u << 2)
#define ORTHO_UNK_UC (1u << 3)
#define ORTHO_BEG_LC (1u << 4)
#define ORTHO_MID_LC (1u << 5)
#define ORTHO_UNK_LC (1u << 6)
#define ORTHO_UC (ORTHO_BEG_UC | ORTHO_MID_UC | ORTHO_UNK_UC)
#define ORTHO_LC (ORTHO_BEG_LC | ORTHO_MID_LC | ORTHO_UNK_LC)

#define NO_TOKEN ((size_t)-1)

static const char NUMBER_TYPE[] = "##number##";
#define NUMBER_TYPE_LEN (sizeof NUMBER_TYPE - 1)

/* Byte classes of the ASCII characters the rules name. */
enum {
  C_END = 1,        /* . ? !        sentence-end characters */
  C_NONWORD = 2,    /* )";}]*:@'({[?!  _re_non_word_chars */
  C_NOSTART = 4,    /* ("`{[:;&#*@)}]-,  cannot start a word (_re_word_start) */
  C_CLOSE = 8,      /* "')]}       re_boundary_realignment */
  C_ASCII_WS = 16,  /* string.whitespace */
  C_INWORD = 32,    /* may end a word: non-word characters, - . , */
};

static const uint8_t cls[256] = {
    ['.'] = C_END | C_INWORD,
    ['?'] = C_END | C_NONWORD | C_INWORD,
    ['!'] = C_END | C_NONWORD | C_INWORD,
    [')'] = C_NONWORD | C_NOSTART | C_CLOSE | C_INWORD,
    ['"'] = C_NONWORD | C_NOSTART | C_CLOSE | C_INWORD,
    [';'] = C_NONWORD | C_NOSTART | C_INWORD,
    ['}'] = C_NONWORD | C_NOSTART | C_CLOSE | C_INWORD,
    [']'] = C_NONWORD | C_NOSTART | C_CLOSE | C_INWORD,
    ['*'] = C_NONWORD | C_NOSTART | C_INWORD,
    [':'] = C_NONWORD | C_NOSTART | C_INWORD,
    ['@'] = C_NONWORD | C_NOSTART | C_INWORD,
    ['\''] = C_NONWORD | C_CLOSE | C_INWORD,
    ['('] = C_NONWORD | C_NOSTART | C_INWORD,
    ['{'] = C_NONWORD | C_NOSTART | C_INWORD,
    ['['] = C_NONWORD | C_NOSTART | C_INWORD,
    ['`'] = C_NOSTART,
    ['&'] = C_NOSTART,
    ['#'] = C_NOSTART,
    ['-'] = C_NOSTART | C_INWORD,
    [','] = C_NOSTART | C_INWORD,
    [' '] = C_ASCII_WS,
    ['\t'] = C_ASCII_WS,
    ['\n'] = C_ASCII_WS,
    ['\r'] = C_ASCII_WS,
    ['\v'] = C_ASCII_WS,
    ['\f'] = C_ASCII_WS,
};

/* A Punkt word of the context being judged (PunktToken). */
typedef struct {
  size_t start, len;   /* the word: bytes of the context */
  size_t lower, llen;  /* word.lower(): bytes of p->arena */
  unsigned char number;       /* its type is ##number## */
  unsigned char period_final; /* ends with '.' */
  unsigned char sentbreak, abbr, ellipsis;
} pword;

struct es_punkt {
  es_punkt_span *slices, *spans;
  size_t nslices, nspans, slices_cap, spans_cap;
  pword *words;
  size_t nwords, words_cap;
  char *arena; /* lower-cased words */
  size_t arena_len, arena_cap;
  char *low; /* es_utf8_lower scratch */
  size_t low_cap;
  char *key; /* collocation key scratch */
  size_t key_cap;
};

es_status es_punkt_new(es_punkt **out) {
  *out = calloc(1, sizeof **out);
  return *out ? ES_OK : ES_ERR_NOMEM;
}

void es_punkt_free(es_punkt *p) {
  if (!p) return;
  free(p->slices);
  free(p->spans);
  free(p->words);
  free(p->arena);
  free(p->low);
  free(p->key);
  free(p);
}

/* buf (capacity *cap elements of size elem) grown to hold need elements:
 * the new pointer, buf itself when it is big enough, or NULL (buf kept)
 * when memory fails. */
static void *grow(void *buf, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return buf;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2 / elem) return NULL;
    ncap *= 2;
  }
  void *nb = realloc(buf, ncap * elem);
  if (nb) *cap = ncap;
  return nb;
}

static size_t cp_len(unsigned char c) {
  return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

/* ---- the English model ------------------------------------------------------ */

/* Index of key[0..n) in set, or -1. */
static long set_find(const es_punkt_strset *set, const char *key, size_t n) {
  if (n == 0) return -1; /* no set holds the empty string */
  unsigned char b = (unsigned char)key[0];
  size_t lo = set->first[b], hi = set->first[b + 1];
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const unsigned char *e = (const unsigned char *)set->blob + set->offset[mid];
    const unsigned char *k = (const unsigned char *)key;
    int c = 0; /* key vs entry, as memcmp then length */
    for (size_t i = 0; i < n && c == 0; i++) {
      if (e[i] == '\0') c = 1; /* the entry ends first (keys may hold NUL bytes) */
      else c = (int)k[i] - (int)e[i];
    }
    if (c == 0 && e[n] != '\0') c = -1; /* key is a proper prefix of the entry */
    if (c == 0) return (long)mid;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return -1;
}

static unsigned ortho_context(const char *type, size_t n) {
  long i = set_find(&es_punkt_ortho_types, type, n);
  return i < 0 ? 0 : es_punkt_ortho_flags[i];
}

static int is_collocation(es_punkt *p, const char *a, size_t na, const char *b, size_t nb) {
  char *key = grow(p->key, &p->key_cap, na + nb + 1, 1);
  if (!key) return -1;
  p->key = key;
  memcpy(p->key, a, na);
  p->key[na] = '\t';
  memcpy(p->key + na + 1, b, nb);
  return set_find(&es_punkt_collocations, p->key, na + nb + 1) >= 0;
}

/* ---- Punkt words (PunktLanguageVars.word_tokenize) ------------------------- */

/* Length of _re_multi_char_punct at s[i] (i < n): -{2,}, \.{2,} or
 * (?:\.\s){2,}\. with the regex's backtracking; 0 when it does not match. */
static size_t multi_char(const unsigned char *s, size_t n, size_t i) {
  if (i + 1 >= n) return 0;
  if ((s[i] == '-' || s[i] == '.') && s[i + 1] == s[i]) {
    size_t j = i + 2;
    while (j < n && s[j] == s[i]) j++;
    return j - i;
  }
  if (s[i] != '.') return 0;
  size_t p = i, pairs = 0, last_pair = i, w;
  while (p + 1 < n && s[p] == '.' && (w = es_py_space(s, n, p + 1))) {
    last_pair = p;
    p += 1 + w;
    pairs++;
  }
  if (pairs >= 2 && p < n && s[p] == '.') return p + 1 - i;
  if (pairs >= 3) return last_pair + 1 - i; /* give back the last ". " */
  return 0;
}

/* Whether a word that reached s[j] ends there: the lookahead of
 * _word_tokenize_fmt (white space, end of line, non-word character,
 * multi-character punctuation, or a comma followed by one of those). */
static int word_ends(const unsigned char *s, size_t n, size_t j) {
  if (j >= n || es_py_space(s, n, j) || (cls[s[j]] & C_NONWORD) || multi_char(s, n, j)) return 1;
  if (s[j] != ',') return 0;
  j++;
  return j >= n || es_py_space(s, n, j) || (cls[s[j]] & C_NONWORD) || multi_char(s, n, j);
}

/* Whether lower-cased word w[0..n) matches _RE_NUMERIC,
 * ^-?[\.,]?\d[\d,\.-]*\.?$ (the final \.? is covered by the class). */
static int is_numeric(const unsigned char *w, size_t n) {
  size_t i = 0, len;
  if (i < n && w[i] == '-') i++;
  if (i < n && (w[i] == '.' || w[i] == ',')) i++;
  if (i >= n || !(es_uc_at(w, n, i, &len) & ES_UC_DIGIT)) return 0;
  for (i += len; i < n; i += len) {
    if (w[i] == ',' || w[i] == '.' || w[i] == '-') {
      len = 1;
      continue;
    }
    if (!(es_uc_at(w, n, i, &len) & ES_UC_DIGIT)) return 0;
  }
  return 1;
}

/* Appends the lower-cased s[0..n) to the arena; its offset in *off. */
static int arena_lower(es_punkt *p, const unsigned char *s, size_t n, size_t *off, size_t *len) {
  size_t i = 0;
  while (i < n && s[i] < 0x80) i++;
  const unsigned char *src = s;
  size_t out = n;
  if (i < n) {
    if (es_utf8_lower((const char *)s, n, &p->low, &p->low_cap, &out) != ES_OK) return -1;
    src = (const unsigned char *)p->low;
  }
  char *arena = grow(p->arena, &p->arena_cap, p->arena_len + out, 1);
  if (!arena) return -1;
  p->arena = arena;
  char *d = p->arena + p->arena_len;
  if (src == s) {
    for (size_t k = 0; k < n; k++) d[k] = (char)((unsigned)(s[k] - 'A') < 26u ? s[k] + 32 : s[k]);
  } else {
    memcpy(d, src, out);
  }
  *off = p->arena_len;
  *len = out;
  p->arena_len += out;
  return 0;
}

/* PunktBaseClass._first_pass_annotation of the word just added. */
static void first_pass(es_punkt *p, const unsigned char *ctx, pword *w) {
  const unsigned char *t = ctx + w->start;
  size_t n = w->len;
  if (n == 1 && (cls[t[0]] & C_END)) {
    w->sentbreak = 1;
    return;
  }
  size_t dots = 0;
  while (dots < n && t[dots] == '.') dots++;
  if (n >= 2 && dots == n) {
    w->ellipsis = 1;
    return;
  }
  if (!w->period_final || (n >= 2 && t[n - 2] == '.')) return;
  /* tok[:-1].lower(): the final '.' is case-ignorable, so this is the
   * word's lower() without its last byte */
  const char *low = p->arena + w->lower;
  size_t ln = w->llen - 1;
  size_t dash = ln;
  while (dash > 0 && low[dash - 1] != '-') dash--;
  if (set_find(&es_punkt_abbrev, low, ln) >= 0 ||
      (dash > 0 && set_find(&es_punkt_abbrev, low + dash, ln - dash) >= 0))
    w->abbr = 1;
  else
    w->sentbreak = 1;
}

/* Adds context word ctx[a..b) with its type and first-pass annotation. */
static int add_word(es_punkt *p, const unsigned char *ctx, size_t a, size_t b) {
  pword *words = grow(p->words, &p->words_cap, p->nwords + 1, sizeof *p->words);
  if (!words) return -1;
  p->words = words;
  pword *w = &p->words[p->nwords++];
  memset(w, 0, sizeof *w);
  w->start = a;
  w->len = b - a;
  w->period_final = ctx[b - 1] == '.';
  if (arena_lower(p, ctx + a, b - a, &w->lower, &w->llen)) return -1;
  w->number = (unsigned char)is_numeric((const unsigned char *)p->arena + w->lower, w->llen);
  first_pass(p, ctx, w);
  return 0;
}

/* PunktLanguageVars.word_tokenize (the findall of _word_tokenizer_re) on
 * each line of ctx[0..n), as PunktBaseClass._tokenize_words runs it. */
static int tokenize_words(es_punkt *p, const unsigned char *ctx, size_t n) {
  p->nwords = 0;
  p->arena_len = 0;
  size_t ls = 0;
  while (ls <= n) {
    const unsigned char *nl = memchr(ctx + ls, '\n', n - ls);
    size_t le = nl ? (size_t)(nl - ctx) : n;
    size_t i = ls, w;
    while (i < le) {
      if ((w = es_py_space(ctx, le, i))) {
        i += w;
        continue;
      }
      size_t end = i + multi_char(ctx, le, i);
      if (end == i) {
        end = i + cp_len(ctx[i]);
        if (!(cls[ctx[i]] & C_NOSTART))
          for (;;) {
            while (end < le && ctx[end] > ' ' && ctx[end] < 0x80 && !(cls[ctx[end]] & C_INWORD))
              end++; /* cannot end a word here */
            if (word_ends(ctx, le, end)) break;
            end += cp_len(ctx[end]);
          }
      }
      if (add_word(p, ctx, i, end)) return -1;
      i = end;
    }
    ls = le + 1;
  }
  return 0;
}

/* ---- the second pass (PunktSentenceTokenizer._second_pass_annotation) --- */

enum { ORTHO_FALSE, ORTHO_TRUE, ORTHO_UNKNOWN };

static const char *word_type(const es_punkt *p, const pword *w, size_t *n) {
  if (w->number) {
    *n = NUMBER_TYPE_LEN;
    return NUMBER_TYPE;
  }
  *n = w->llen;
  return p->arena + w->lower;
}

/* type_no_period: the type without a final period, if it has more. */
static const char *type_no_period(const es_punkt *p, const pword *w, size_t *n) {
  const char *t = word_type(p, w, n);
  if (*n > 1 && t[*n - 1] == '.') (*n)--;
  return t;
}

static const char *type_no_sentperiod(const es_punkt *p, const pword *w, size_t *n) {
  return w->sentbreak ? type_no_period(p, w, n) : word_type(p, w, n);
}

static unsigned first_flags(const unsigned char *ctx, const pword *w) {
  size_t len;
  return es_uc_at(ctx + w->start, w->len, 0, &len);
}

/* _ortho_heuristic: whether w starts a sentence, by its case. */
static int ortho_heuristic(const es_punkt *p, const unsigned char *ctx, const pword *w) {
  const unsigned char *t = ctx + w->start;
  if (w->len == 1 && memchr(";:,.!?", t[0], 6)) return ORTHO_FALSE;
  size_t n;
  const char *typ = type_no_sentperiod(p, w, &n);
  unsigned oc = ortho_context(typ, n), f = first_flags(ctx, w);
  if ((f & ES_UC_UPPER) && (oc & ORTHO_LC) && !(oc & ORTHO_MID_UC)) return ORTHO_TRUE;
  if ((f & ES_UC_LOWER) && ((oc & ORTHO_UC) || !(oc & ORTHO_BEG_LC))) return ORTHO_FALSE;
  return ORTHO_UNKNOWN;
}

/* _RE_INITIAL, [^\W\d]\.$: one letter (or '_') and a period. */
static int is_initial(const unsigned char *ctx, const pword *w) {
  size_t len;
  unsigned f = es_uc_at(ctx + w->start, w->len, 0, &len);
  return w->len == len + 1 && w->period_final && (f & ES_UC_WORD) && !(f & ES_UC_DIGIT);
}

static int second_pass(es_punkt *p, const unsigned char *ctx, pword *w1, const pword *w2) {
  if (!w1->period_final) return 0;
  size_t tn, nn;
  const char *typ = type_no_period(p, w1, &tn);
  const char *next = type_no_sentperiod(p, w2, &nn);
  int initial = is_initial(ctx, w1);
  int coll = is_collocation(p, typ, tn, next, nn);
  if (coll < 0) return -1;
  if (coll) {
    w1->sentbreak = 0;
    w1->abbr = 1;
    return 0;
  }
  if ((w1->abbr || w1->ellipsis) && !initial) {
    int h = ortho_heuristic(p, ctx, w2);
    if (h == ORTHO_TRUE) {
      w1->sentbreak = 1;
      return 0;
    }
    if ((first_flags(ctx, w2) & ES_UC_UPPER) &&
        set_find(&es_punkt_sent_starters, next, nn) >= 0) {
      w1->sentbreak = 1;
      return 0;
    }
  }
  if (initial || (tn == NUMBER_TYPE_LEN && memcmp(typ, NUMBER_TYPE, tn) == 0)) {
    int h = ortho_heuristic(p, ctx, w2);
    if (h == ORTHO_FALSE) {
      w1->sentbreak = 0;
      w1->abbr = 1;
      return 0;
    }
    if (h == ORTHO_UNKNOWN && initial && (first_flags(ctx, w2) & ES_UC_UPPER) &&
        !(ortho_context(next, nn) & ORTHO_LC)) {
      w1->sentbreak = 0;
      w1->abbr = 1;
    }
  }
  return 0;
}

/* text_contains_sentbreak(ctx[0..n)): 1 when a word other than the last is
 * a sentence break after both passes, 0 when none is, -1 out of memory. */
static int contains_sentbreak(es_punkt *p, const unsigned char *ctx, size_t n) {
  if (tokenize_words(p, ctx, n)) return -1;
  for (size_t i = 0; i + 1 < p->nwords; i++) {
    if (second_pass(p, ctx, &p->words[i], &p->words[i + 1])) return -1;
    if (p->words[i].sentbreak) return 1;
  }
  return 0;
}

/* ---- sentence spans ----------------------------------------------------------- */

/* A candidate: the end character at pos, the word before it from word,
 * after_tok ending at after_end, next_tok starting at next_tok (NO_TOKEN
 * when after_tok is a punctuation character). */
typedef struct {
  size_t word, pos, after_end, next_tok;
} candidate;

/* The period-context regex at s[i] (an end character). */
static int period_context(const unsigned char *s, size_t n, size_t i, candidate *c) {
  size_t j = i + 1, w;
  if (j >= n) return 0;
  c->pos = i;
  if (cls[s[j]] & C_NONWORD) {
    c->after_end = j + 1;
    c->next_tok = NO_TOKEN;
    return 1;
  }
  if (!(w = es_py_space(s, n, j))) return 0;
  for (j += w; j < n && (w = es_py_space(s, n, j));) j += w;
  if (j >= n) return 0;
  c->next_tok = j;
  while (j < n && !es_py_space(s, n, j)) j += cp_len(s[j]);
  c->after_end = j;
  return 1;
}

static int push_span(es_punkt_span **v, size_t *len, size_t *cap, size_t a, size_t b) {
  es_punkt_span *nv = grow(*v, cap, *len + 1, sizeof **v);
  if (!nv) return -1;
  *v = nv;
  (*v)[*len].start = a;
  (*v)[*len].end = b;
  (*len)++;
  return 0;
}

/* Whether some collocation has first element a[0..n): binary search for
 * the first entry not below "a\t", which starts with it if any does. */
static int collocation_first(const char *a, size_t n) {
  const es_punkt_strset *set = &es_punkt_collocations;
  size_t lo = 0, hi = set->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const unsigned char *e = (const unsigned char *)set->blob + set->offset[mid];
    int c = 0; /* entry vs a + "\t" */
    for (size_t i = 0; i <= n && c == 0; i++) {
      if (e[i] == '\0') c = -1; /* the entry ends first */
      else c = (int)e[i] - (int)(i < n ? (unsigned char)a[i] : '\t');
    }
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo == set->n) return 0;
  const char *e = set->blob + set->offset[lo];
  for (size_t i = 0; i < n; i++)
    if (e[i] == '\0' || e[i] != a[i]) return 0;
  return e[n] == '\t';
}

/* text_contains_sentbreak for the two contexts that make up most text,
 * decided without the general machinery; -1 when the context is another.
 *
 * '?' and '!' always break: Punkt's word tokenizer cuts a word before them,
 * so the end character is a word of its own, a sentence break in the first
 * pass that the second pass (which looks only at period-final words) keeps,
 * and it is never the last word since after_tok yields at least one more.
 *
 * "letters." before white space or punctuation, with two or more ASCII
 * letters: the first word is "letters." whatever follows; it breaks unless
 * it is a known abbreviation, and the second pass changes it only for a
 * collocation (so only if its type starts one), an initial (one letter) or
 * a number. */
static int quick_sentbreak(const unsigned char *s, const candidate *c) {
  if (s[c->pos] != '.') return 1;
  size_t n = c->pos - c->word;
  char low[32];
  if (n < 2 || n > sizeof low) return -1;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = s[c->word + i] | 0x20;
    if (ch < 'a' || ch > 'z') return -1;
    low[i] = (char)ch;
  }
  if (set_find(&es_punkt_abbrev, low, n) >= 0 || collocation_first(low, n)) return -1;
  return 1;
}

/* Judges candidate c; on a break adds the slice and moves *last_break. */
static int judge(es_punkt *p, const unsigned char *s, const candidate *c, size_t *last_break) {
  int br = quick_sentbreak(s, c);
  if (br < 0) br = contains_sentbreak(p, s + c->word, c->after_end - c->word);
  if (br <= 0) return br;
  if (push_span(&p->slices, &p->nslices, &p->slices_cap, *last_break, c->pos + 1)) return -1;
  *last_break = c->next_tok != NO_TOKEN ? c->next_tok : c->pos + 1;
  return 0;
}

/* len(text.rstrip()) */
static size_t rstrip_len(const unsigned char *s, size_t n) {
  while (n > 0) {
    size_t i = es_utf8_prev(s, n);
    if (!es_py_space(s, n, i)) break;
    n = i;
  }
  return n;
}

/* The offset of the first '.', '?' or '!' in s[i..n), or n. */
static size_t next_end(const unsigned char *s, size_t n, size_t i) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* eight bytes at a time; the lowest flagged byte of each zero-byte test
   * is exact, so the lowest of all three is the first end character */
  const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, a, b, c;
    memcpy(&x, s + i, 8);
    a = x ^ (ones * '.');
    b = x ^ (ones * '?');
    c = x ^ (ones * '!');
    uint64_t z = ((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c);
    if (z & high) return i + ((size_t)__builtin_ctzll(z & high) >> 3);
  }
#endif
  while (i < n && !(cls[s[i]] & C_END)) i++;
  return i;
}

/* _slices_from_text: the sentence slices before realignment. */
static int find_slices(es_punkt *p, const unsigned char *s, size_t n) {
  candidate prev = {0, 0, 0, 0}, cur;
  int have_prev = 0;
  size_t last_break = 0;
  p->nslices = 0;
  for (size_t i = next_end(s, n, 0); i < n; i = next_end(s, n, i + 1)) {
    if (!period_context(s, n, i, &cur)) continue;
    /* the word before: from the last ASCII white space after the previous
     * candidate (index 0 of that stretch counts as none, as in nltk) */
    size_t from = have_prev ? prev.pos : 0, k = i;
    while (k > from && !(cls[s[k - 1]] & C_ASCII_WS)) k--;
    if (k > from + 1) cur.word = k;
    else cur.word = have_prev ? prev.word : 0;
    if (have_prev && prev.pos <= cur.word && judge(p, s, &prev, &last_break)) return -1;
    prev = cur;
    have_prev = 1;
  }
  if (have_prev && judge(p, s, &prev, &last_break)) return -1;
  return push_span(&p->slices, &p->nslices, &p->slices_cap, last_break, rstrip_len(s, n));
}

/* re_boundary_realignment, ["\')\]}]+?(?:\s+|(?=--)|$) (MULTILINE), matched
 * at the start of s[a..b): returns the length of the closing characters and
 * the match's end in *end, or 0 when it does not match. */
static size_t realignment(const unsigned char *s, size_t a, size_t b, size_t *end) {
  size_t p = a, w;
  if (p >= b || !(cls[s[p]] & C_CLOSE)) return 0;
  for (p++;; p++) {
    if (p < b && (w = es_py_space(s, b, p))) {
      size_t q = p + w;
      while (q < b && (w = es_py_space(s, b, q))) q += w;
      *end = q;
      return p - a;
    }
    if (p == b || (p + 1 < b && s[p] == '-' && s[p + 1] == '-')) {
      *end = p;
      return p - a;
    }
    if (!(cls[s[p]] & C_CLOSE)) return 0;
  }
}

es_status es_punkt_split(es_punkt *p, const char *text, size_t len, const es_punkt_span **spans,
                         size_t *nspans) {
  const unsigned char *s = (const unsigned char *)text;
  *spans = NULL;
  *nspans = 0;
  p->nspans = 0;
  if (find_slices(p, s, len)) return ES_ERR_NOMEM;
  size_t realign = 0;
  for (size_t k = 0; k < p->nslices; k++) {
    size_t a = p->slices[k].start + realign, b = p->slices[k].end;
    if (k + 1 < p->nslices) {
      const es_punkt_span *s2 = &p->slices[k + 1];
      size_t end, close = realignment(s, s2->start, s2->end, &end);
      if (close) {
        if (push_span(&p->spans, &p->nspans, &p->spans_cap, a, s2->start + close))
          return ES_ERR_NOMEM;
        realign = end - s2->start;
        continue;
      }
      realign = 0;
    }
    if (a < b && push_span(&p->spans, &p->nspans, &p->spans_cap, a, b)) return ES_ERR_NOMEM;
  }
  *spans = p->spans;
  *nspans = p->nspans;
  return ES_OK;
}
