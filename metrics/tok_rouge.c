/*
 * tok_rouge.c: rouge_score 0.1.2's default tokenizer, with and without
 * nltk's Porter stemmer (ES_TOK_ROUGE, ES_TOK_ROUGE_PORTER).
 *
 * rouge_score/tokenize.py does
 *
 *     text = text.lower()
 *     text = re.sub(r"[^a-z0-9]+", " ", text)
 *     tokens = re.split(r"\s+", text)
 *     tokens = [stemmer.stem(x) if len(x) > 3 else x for x in tokens]  # stemmer only
 *     tokens = [x for x in tokens if re.match(r"^[a-z0-9]+$", x)]
 *
 * so a token is a maximal run of [a-z0-9] after Python's str.lower(); the
 * final filter only drops the empty strings split() leaves at either end.
 *
 * Lower-casing is done here, in the same pass, without a copy of the text:
 * only characters whose lower case contains an ASCII letter or digit can
 * matter, because every other character becomes a separator whatever its
 * case. Under Python 3.11's str.lower() (Unicode 14) those are A-Z and two
 * non-ASCII characters, U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE
 * ("i" + U+0307 COMBINING DOT ABOVE: an 'i' that ends the token) and U+212A
 * KELVIN SIGN ("k"). A unit test checks this claim against es_utf8_lower
 * over every code point. So the tokenizer lower-cases by itself whatever
 * ES_TOK_LOWER says, as rouge_score does.
 *
 * With the stemmer, stems are cached per tokenizer (a bounded hash table),
 * since the same words recur on almost every line.
 */
#include "tok_impl.h"
#include "porter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Stem cache: open addressing over (word, stem) pairs kept in an arena. It
 * is emptied when full, so its memory stays bounded. */
#define CACHE_SLOTS 8192u /* power of two; at most CACHE_SLOTS/2 entries */
#define CACHE_MAX_WORD 48 /* longer words are stemmed every time */

struct cache_entry {
  uint32_t hash;
  uint32_t off; /* of the word in the arena; the stem follows it */
  uint8_t wlen; /* 0: empty slot */
  uint8_t slen;
};

typedef struct {
  int stem;  /* apply the Porter stemmer */
  char *tok; /* a lower-cased copy of the token, when one is needed */
  size_t tok_cap;
  struct cache_entry *slots; /* CACHE_SLOTS entries (stemmer only) */
  char *arena;               /* CACHE_SLOTS/2 * 2 * CACHE_MAX_WORD bytes */
  size_t arena_len, entries;
} rouge_tok;

static es_status make(void **state, int stem) {
  rouge_tok *t = calloc(1, sizeof *t);
  if (!t) return ES_ERR_NOMEM;
  t->stem = stem;
  t->tok_cap = 64;
  t->tok = malloc(t->tok_cap);
  if (stem) {
    t->slots = calloc(CACHE_SLOTS, sizeof *t->slots);
    t->arena = malloc((size_t)CACHE_SLOTS * CACHE_MAX_WORD);
  }
  if (!t->tok || (stem && (!t->slots || !t->arena))) {
    es_tokrouge_free(t);
    return ES_ERR_NOMEM;
  }
  *state = t;
  return ES_OK;
}

es_status es_tokrouge_new(void **state) { return make(state, 0); }
es_status es_tokrouge_porter_new(void **state) { return make(state, 1); }

void es_tokrouge_free(void *state) {
  rouge_tok *t = state;
  if (!t) return;
  free(t->tok);
  free(t->slots);
  free(t->arena);
  free(t);
}

static uint32_t hash_word(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

/* Room for n bytes in t->tok; 0, or -1 when out of memory. */
static int reserve_tok(rouge_tok *t, size_t n) {
  if (n <= t->tok_cap) return 0;
  size_t cap = t->tok_cap;
  while (cap < n) cap *= 2;
  char *p = realloc(t->tok, cap);
  if (!p) return -1;
  t->tok = p;
  t->tok_cap = cap;
  return 0;
}

/* The stem of the n-byte word w, through the cache: sets *stem and *len
 * (into the arena, or into t->tok for words too long to cache); -1 when out
 * of memory. */
static int stem_word(rouge_tok *t, const char *w, size_t n, const char **stem, size_t *len) {
  if (n > CACHE_MAX_WORD) {
    if (w != t->tok) {
      if (reserve_tok(t, n)) return -1;
      memcpy(t->tok, w, n);
    }
    *len = es_porter_stem(t->tok, n, t->tok);
    *stem = t->tok;
    return 0;
  }
  uint32_t h = hash_word(w, n);
  size_t mask = CACHE_SLOTS - 1, i = h & mask;
  for (; t->slots[i].wlen; i = (i + 1) & mask) {
    struct cache_entry *e = &t->slots[i];
    if (e->hash == h && e->wlen == n && memcmp(t->arena + e->off, w, n) == 0) {
      *stem = t->arena + e->off + n;
      *len = e->slen;
      return 0;
    }
  }
  if (t->entries == CACHE_SLOTS / 2) { /* full: start over */
    memset(t->slots, 0, CACHE_SLOTS * sizeof *t->slots);
    t->entries = t->arena_len = 0;
    i = h & mask;
  }
  struct cache_entry *e = &t->slots[i];
  char *a = t->arena + t->arena_len;
  memcpy(a, w, n);
  size_t sl = es_porter_stem(a, n, a + n);
  e->hash = h;
  e->off = (uint32_t)t->arena_len;
  e->wlen = (uint8_t)n;
  e->slen = (uint8_t)sl;
  t->arena_len += n + sl;
  t->entries++;
  *stem = a + n;
  *len = sl;
  return 0;
}

/* Hands the lower-case token w[0..n) (stemmed first when asked) to cb;
 * non-zero when cb asks to stop or memory runs out. */
static int emit(rouge_tok *t, const char *w, size_t n, es_token_cb cb, void *ctx) {
  if (t->stem && n > 3) { /* rouge_score stems only tokens longer than 3 */
    if (stem_word(t, w, n, &w, &n)) return -1;
    if (n == 0) return 0; /* rouge_score's VALID_TOKEN filter (no stem is empty) */
  }
  return cb(ctx, w, n);
}

/* Byte classes: 1 a-z 0-9, 2 A-Z, 0 anything else. */
static const unsigned char ascii_class[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1,
    ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['A'] = 2, ['B'] = 2, ['C'] = 2, ['D'] = 2,
    ['E'] = 2, ['F'] = 2, ['G'] = 2, ['H'] = 2, ['I'] = 2, ['J'] = 2, ['K'] = 2, ['L'] = 2,
    ['M'] = 2, ['N'] = 2, ['O'] = 2, ['P'] = 2, ['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2,
    ['U'] = 2, ['V'] = 2, ['W'] = 2, ['X'] = 2, ['Y'] = 2, ['Z'] = 2,
};

/* The non-ASCII characters whose lower case has an ASCII letter. */
static int is_dotted_i(const unsigned char *s, size_t n) { /* U+0130 -> "i" U+0307 */
  return n >= 2 && s[0] == 0xc4 && s[1] == 0xb0;
}
static int is_kelvin(const unsigned char *s, size_t n) { /* U+212A -> "k" */
  return n >= 3 && s[0] == 0xe2 && s[1] == 0x84 && s[2] == 0xaa;
}

/* Builds the token starting at s[i] into t->tok, lower-casing and mapping
 * U+212A / U+0130 (the general, rare path); its length in *n. Returns the
 * index after the token, or (size_t)-1 when out of memory. */
static size_t slow_token(rouge_tok *t, const unsigned char *s, size_t len, size_t i, size_t *n) {
  size_t k = 0;
  for (;;) {
    char c;
    size_t w = 1, stop = 0;
    if (i < len && ascii_class[s[i]]) {
      c = (char)(s[i] | 0x20); /* lower-cases A-Z, keeps a-z and 0-9 */
    } else if (is_kelvin(s + i, len - i)) {
      c = 'k';
      w = 3;
    } else if (is_dotted_i(s + i, len - i)) {
      c = 'i';
      w = 2;
      stop = 1; /* U+0307 follows: a separator */
    } else {
      break;
    }
    if (k == t->tok_cap && reserve_tok(t, k + 1)) return (size_t)-1;
    t->tok[k++] = c;
    i += w;
    if (stop) break;
  }
  *n = k;
  return i;
}

es_status es_tokrouge_run(void *state, const char *text, size_t len, es_token_cb cb, void *ctx) {
  rouge_tok *t = state;
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    if (!ascii_class[c]) { /* a separator, unless one of the two specials */
      if (c < 0x80) {
        i++;
        continue;
      }
      if (!is_kelvin(s + i, len - i) && !is_dotted_i(s + i, len - i)) {
        i += c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2; /* valid UTF-8: the dispatcher checked */
        continue;
      }
    }
    /* a token starts at i: the common case is a run of ASCII letters and digits */
    size_t j = i;
    unsigned upper = 0;
    while (j < len && ascii_class[s[j]]) upper |= ascii_class[s[j++]];
    const char *w = text + i;
    size_t n = j - i;
    if (j < len && (is_kelvin(s + j, len - j) || is_dotted_i(s + j, len - j))) {
      j = slow_token(t, s, len, i, &n);
      if (j == (size_t)-1) return ES_ERR_NOMEM;
      w = t->tok;
    } else if (upper & 2) {
      if (reserve_tok(t, n)) return ES_ERR_NOMEM;
      for (size_t k = 0; k < n; k++) t->tok[k] = (char)(s[i + k] | 0x20);
      w = t->tok;
    }
    if (emit(t, w, n, cb, ctx)) return ES_ERR_NOMEM;
    i = j;
  }
  return ES_OK;
}
