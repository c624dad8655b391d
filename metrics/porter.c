/*
 * porter.c: nltk 3.8's Porter stemmer (NLTK_EXTENSIONS mode) in C.
 *
 * The steps follow nltk/stem/porter.py one for one; each says where nltk
 * departs from the 1980 paper. Rule lists keep nltk's semantics: the FIRST
 * rule whose suffix the word ends with decides, and when its condition fails
 * the word is returned unchanged (no later rule is tried).
 *
 * The word is edited in place in the caller's buffer; only its end ever
 * changes, so whether a position holds a consonant is recomputed on demand
 * from the bytes before it (cons_at) rather than kept in a side array.
 */
#include "porter.h"

#include <string.h>

typedef struct {
  char *s;
  size_t n;
} word;

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

/* nltk _is_consonant(word, i): a letter other than a e i o u, and other than
 * a y that follows a consonant. A y flips the status of the letter before it,
 * so walk back over the run of y's ending at i. */
static int cons_at(const char *s, size_t i) {
  size_t j = i;
  while (j > 0 && s[j] == 'y') j--;
  int c = s[j] == 'y' ? 1 : !is_vowel(s[j]); /* s[j] == 'y' only when j == 0 */
  return (i - j) & 1 ? !c : c;
}

/* _measure(s[0..len)): the number of "vc" pairs in the consonant/vowel
 * pattern, i.e. m in [C](VC){m}[V]. */
static unsigned measure(const char *s, size_t len) {
  unsigned m = 0;
  int prev = -1; /* consonant status of the previous letter */
  for (size_t i = 0; i < len; i++) {
    int c;
    if (is_vowel(s[i]))
      c = 0;
    else if (s[i] == 'y')
      c = i == 0 ? 1 : !prev;
    else
      c = 1;
    if (prev == 0 && c == 1) m++;
    prev = c;
  }
  return m;
}

/* _contains_vowel(s[0..len)) */
static int has_vowel(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (!cons_at(s, i)) return 1;
  return 0;
}

/* _ends_double_consonant (*d) of s[0..len) */
static int ends_double(const char *s, size_t len) {
  return len >= 2 && s[len - 1] == s[len - 2] && cons_at(s, len - 1);
}

/* _ends_cvc (*o) of s[0..len): consonant-vowel-consonant, the last not w, x
 * or y; nltk adds a two-letter vowel-consonant word (so "at" -> "ate"). */
static int ends_cvc(const char *s, size_t len) {
  if (len >= 3 && cons_at(s, len - 3) && !cons_at(s, len - 2) && cons_at(s, len - 1) &&
      s[len - 1] != 'w' && s[len - 1] != 'x' && s[len - 1] != 'y')
    return 1;
  return len == 2 && !cons_at(s, 0) && cons_at(s, 1);
}

static int ends_with(const word *w, const char *suffix, size_t k) {
  return w->n >= k && memcmp(w->s + w->n - k, suffix, k) == 0;
}

/* Replaces the last k bytes by rep (never longer than the word was). */
static void replace_end(word *w, size_t k, const char *rep) {
  size_t r = strlen(rep);
  memcpy(w->s + w->n - k, rep, r);
  w->n = w->n - k + r;
}

/* ---- rule lists ---------------------------------------------------------- */

enum cond { M_GT0, M_GT1, M_GT1_ST, M_LOGI };

struct rule {
  const char *suffix;
  size_t len;
  const char *rep;
  enum cond cond;
};

#define R(suf, rep, cond) \
  { suf, sizeof suf - 1, rep, cond }

static int cond_holds(const word *w, size_t stem_len, enum cond c) {
  switch (c) {
    case M_GT0:
      return measure(w->s, stem_len) > 0;
    case M_GT1:
      return measure(w->s, stem_len) > 1;
    case M_GT1_ST: /* (m>1 and (*S or *T)) ION */
      return measure(w->s, stem_len) > 1 &&
             (w->s[stem_len - 1] == 's' || w->s[stem_len - 1] == 't');
    case M_LOGI: /* the 'l' of "logi" stays with the stem: m(word[:-3]) > 0 */
      return measure(w->s, w->n - 3) > 0;
  }
  return 0;
}

/* nltk _apply_rule_list for plain suffixes: the first matching suffix
 * decides. */
static void apply_rules(word *w, const struct rule *rules, size_t nrules) {
  for (size_t i = 0; i < nrules; i++) {
    const struct rule *r = &rules[i];
    if (!ends_with(w, r->suffix, r->len)) continue;
    if (cond_holds(w, w->n - r->len, r->cond)) replace_end(w, r->len, r->rep);
    return;
  }
}

/* ---- the steps ----------------------------------------------------------- */

/* Step 1a: plurals. nltk first maps a four-letter "-ies" word to "-ie"
 * ("dies" -> "die"), then SSES -> SS, IES -> I, SS -> SS, S -> "". */
static void step1a(word *w) {
  if (w->n == 4 && ends_with(w, "ies", 3)) {
    w->n = 3;
    return;
  }
  if (ends_with(w, "sses", 4))
    w->n -= 2;
  else if (ends_with(w, "ies", 3))
    w->n -= 2;
  else if (ends_with(w, "ss", 2))
    return;
  else if (ends_with(w, "s", 1))
    w->n -= 1;
}

/* Step 1b: -eed, -ed, -ing. nltk first maps "-ied" to "-ie" for a
 * four-letter word ("died") and to "-i" otherwise ("spied" -> "spi"). */
static void step1b(word *w) {
  if (ends_with(w, "ied", 3)) {
    w->n -= w->n == 4 ? 1 : 2;
    return;
  }
  if (ends_with(w, "eed", 3)) { /* (m>0) EED -> EE */
    if (measure(w->s, w->n - 3) > 0) w->n -= 1;
    return;
  }
  size_t stem;
  if (ends_with(w, "ed", 2) && has_vowel(w->s, w->n - 2))
    stem = w->n - 2;
  else if (ends_with(w, "ing", 3) && has_vowel(w->s, w->n - 3))
    stem = w->n - 3;
  else
    return;
  w->n = stem;
  /* AT -> ATE, BL -> BLE, IZ -> IZE; (*d and not (*L or *S or *Z)) -> one
   * letter; (m=1 and *o) -> E. A double consonant ends the list whether or
   * not its letter is l, s or z. */
  if (ends_with(w, "at", 2) || ends_with(w, "bl", 2) || ends_with(w, "iz", 2)) {
    w->s[w->n++] = 'e';
  } else if (ends_double(w->s, w->n)) {
    char last = w->s[w->n - 1];
    if (last != 'l' && last != 's' && last != 'z') w->n -= 1;
  } else if (measure(w->s, w->n) == 1 && ends_cvc(w->s, w->n)) {
    w->s[w->n++] = 'e';
  }
}

/* Step 1c: Y -> I. nltk's condition: the y follows a consonant that is not
 * the first letter ("happy" -> "happi", "enjoy" and "by" unchanged). */
static void step1c(word *w) {
  if (ends_with(w, "y", 1) && w->n - 1 > 1 && cons_at(w->s, w->n - 2)) w->s[w->n - 1] = 'i';
}

static const struct rule step2_rules[] = {
    R("ational", "ate", M_GT0), R("tional", "tion", M_GT0), R("enci", "ence", M_GT0),
    R("anci", "ance", M_GT0),   R("izer", "ize", M_GT0),    R("bli", "ble", M_GT0),
    R("alli", "al", M_GT0),     R("entli", "ent", M_GT0),   R("eli", "e", M_GT0),
    R("ousli", "ous", M_GT0),   R("ization", "ize", M_GT0), R("ation", "ate", M_GT0),
    R("ator", "ate", M_GT0),    R("alism", "al", M_GT0),    R("iveness", "ive", M_GT0),
    R("fulness", "ful", M_GT0), R("ousness", "ous", M_GT0), R("aliti", "al", M_GT0),
    R("iviti", "ive", M_GT0),   R("biliti", "ble", M_GT0),  R("fulli", "ful", M_GT0),
    R("logi", "log", M_LOGI),
};

/* Step 2: double suffixes. nltk uses "bli" for the paper's "abli", adds
 * "fulli" and "logi", and tries ALLI -> AL first, running step 2 again on
 * the result when it applies ("conditionalli" -> "conditional" ->
 * "condition"). */
static void step2(word *w) {
  while (ends_with(w, "alli", 4) && measure(w->s, w->n - 4) > 0) w->n -= 2;
  apply_rules(w, step2_rules, sizeof step2_rules / sizeof step2_rules[0]);
}

static const struct rule step3_rules[] = {
    R("icate", "ic", M_GT0), R("ative", "", M_GT0),  R("alize", "al", M_GT0),
    R("iciti", "ic", M_GT0), R("ical", "ic", M_GT0), R("ful", "", M_GT0),
    R("ness", "", M_GT0),
};

static const struct rule step4_rules[] = {
    R("al", "", M_GT1),    R("ance", "", M_GT1), R("ence", "", M_GT1), R("er", "", M_GT1),
    R("ic", "", M_GT1),    R("able", "", M_GT1), R("ible", "", M_GT1), R("ant", "", M_GT1),
    R("ement", "", M_GT1), R("ment", "", M_GT1), R("ent", "", M_GT1),  R("ion", "", M_GT1_ST),
    R("ou", "", M_GT1),    R("ism", "", M_GT1),  R("ate", "", M_GT1),  R("iti", "", M_GT1),
    R("ous", "", M_GT1),   R("ive", "", M_GT1),  R("ize", "", M_GT1),
};

/* Step 5a: (m>1) E -> ; (m=1 and not *o) E -> . Both conditions are tried. */
static void step5a(word *w) {
  if (!ends_with(w, "e", 1)) return;
  unsigned m = measure(w->s, w->n - 1);
  if (m > 1 || (m == 1 && !ends_cvc(w->s, w->n - 1))) w->n -= 1;
}

/* Step 5b: (m>1 and *d and *L) -> single letter, m taken over the word
 * without its last l ("controll" -> "control", "roll" unchanged). */
static void step5b(word *w) {
  if (ends_with(w, "ll", 2) && measure(w->s, w->n - 1) > 1) w->n -= 1;
}

/* nltk's irregular forms: a word in the pool is mapped to its paradigm form
 * and not stemmed further. */
static const char *const pool[][2] = {
    {"sky", "sky"},        {"skies", "sky"},       {"dying", "die"},        {"lying", "lie"},
    {"tying", "tie"},      {"news", "news"},       {"innings", "inning"},   {"inning", "inning"},
    {"outings", "outing"}, {"outing", "outing"},   {"cannings", "canning"}, {"canning", "canning"},
    {"howe", "howe"},      {"proceed", "proceed"}, {"exceed", "exceed"},    {"succeed", "succeed"},
};

size_t es_porter_stem(const char *src, size_t n, char *out) {
  for (size_t i = 0; i < sizeof pool / sizeof pool[0]; i++) {
    size_t k = strlen(pool[i][0]);
    if (k == n && memcmp(src, pool[i][0], n) == 0) {
      size_t r = strlen(pool[i][1]); /* never longer than the word */
      memcpy(out, pool[i][1], r);
      return r;
    }
  }
  if (out != src) memcpy(out, src, n);
  /* nltk leaves words of one or two letters alone (not in the paper) */
  if (n <= 2) return n;
  word w = {out, n};
  step1a(&w);
  step1b(&w);
  step1c(&w);
  step2(&w);
  apply_rules(&w, step3_rules, sizeof step3_rules / sizeof step3_rules[0]);
  apply_rules(&w, step4_rules, sizeof step4_rules / sizeof step4_rules[0]);
  step5a(&w);
  step5b(&w);
  return w.n;
}
