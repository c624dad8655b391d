/*
 * tok_13a.c: sacrebleu's Tokenizer13a (the mteval-v13a.pl rules) as one scan.
 *
 * sacrebleu 2.6.0 tokenizes a line in two steps, and BLEU then splits the
 * result with Python's str.split():
 *
 *   1. literal replacements, each over the whole line, in this order:
 *      "<skipped>" -> "", "-\n" -> "", "\n" -> " ", "&quot;" -> '"',
 *      "&amp;" -> "&", "&lt;" -> "<", "&gt;" -> ">"; then the line is padded
 *      with one space on each side;
 *   2. four regex substitutions (re.sub, left to right, non-overlapping):
 *        R1 ([\{-\~\[-\` -\&\(-\+\:-\@\/])  -> " \1 "
 *        R2 ([^0-9])([\.,])                  -> "\1 \2 "
 *        R3 ([\.,])([^0-9])                  -> " \1 \2"
 *        R4 ([0-9])(-)                       -> "\1 \2 "
 *      and ' '.join(line.split()).
 *
 * Every substitution only inserts spaces, so a token is a run of characters
 * between white space and "isolated" characters, and an isolated character
 * is a token of its own. Which characters are isolated follows from the
 * rules without building the intermediate strings:
 *
 *   - R1 characters (ASCII punctuation except ' , - . and the space, which
 *     is white space anyway) are always isolated;
 *   - a '-' is isolated when the character before it is an ASCII digit (R1
 *     to R3 never insert a space between a digit and a '-');
 *   - a '.' or ',' (call it p) is isolated when R2 matches it
 *     (m2: the character before p is not a digit, and is not a p that R2
 *     itself matched, since that character was consumed by the previous
 *     match) or when R3 does. R2 always leaves a space between two adjacent
 *     p, so R3 never finds its first group consumed, and it matches p
 *     exactly when the character after p in R2's output is not a digit:
 *     when m2 holds (R2 put a space there) or the next input character is
 *     not a digit. So: isolated(p) = m2(p) || !digit(next).
 *
 * The characters before the first and after the last one are the padding
 * spaces. White space is Python's str.isspace() set (so a bare CR inside a
 * line separates tokens). test_tok13a.c checks this scan against a literal
 * multi-pass implementation of the rules on random strings.
 *
 * Tokens are slices of the input (or of the replaced copy when step 1
 * changed something); no allocation unless the line contains '<', '&' or
 * '\n'.
 *
 * sacrebleu's BLEU rstrip()s a segment before tokenizing it. That changes
 * the tokens only when the text ends in '-' followed by white space that
 * starts with '\n' ("a -\n": rstrip keeps the '-', step 1 alone joins it
 * away), which lines split on '\n' never do; callers scoring multi-line
 * strings strip them first.
 */
#include "tok_impl.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  char *buf; /* copy of the line for the step-1 replacements */
  size_t cap;
} tok13a;

/* Byte classes. C_OTHER and C_DIGIT always extend the current token (the
 * scan's fast path); bytes >= 0x80 are C_OTHER except the lead bytes of the
 * multi-byte white space characters (C_MBLEAD), which es_tok_space_len()
 * checks. */
enum { C_OTHER, C_DIGIT, C_SPACE, C_ISO, C_PERIOD, C_DASH, C_MBLEAD };

static const unsigned char cls[256] = {
    ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE,
    ['\r'] = C_SPACE, [0x1c] = C_SPACE,  [0x1d] = C_SPACE,  [0x1e] = C_SPACE,
    [0x1f] = C_SPACE,  [' '] = C_SPACE,
    /* R1: 0x21-0x26, 0x28-0x2b, 0x3a-0x40, 0x5b-0x60, 0x7b-0x7e and '/' */
    ['!'] = C_ISO,  ['"'] = C_ISO, ['#'] = C_ISO, ['$'] = C_ISO, ['%'] = C_ISO,
    ['&'] = C_ISO,  ['('] = C_ISO, [')'] = C_ISO, ['*'] = C_ISO, ['+'] = C_ISO,
    [':'] = C_ISO,  [';'] = C_ISO, ['<'] = C_ISO, ['='] = C_ISO, ['>'] = C_ISO,
    ['?'] = C_ISO,  ['@'] = C_ISO, ['['] = C_ISO, ['\\'] = C_ISO, [']'] = C_ISO,
    ['^'] = C_ISO,  ['_'] = C_ISO, ['`'] = C_ISO, ['{'] = C_ISO, ['|'] = C_ISO,
    ['}'] = C_ISO,  ['~'] = C_ISO, ['/'] = C_ISO,
    ['.'] = C_PERIOD, [','] = C_PERIOD, ['-'] = C_DASH,
    ['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT,
    ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT, ['8'] = C_DIGIT, ['9'] = C_DIGIT,
    [0xc2] = C_MBLEAD, [0xe1] = C_MBLEAD, [0xe2] = C_MBLEAD, [0xe3] = C_MBLEAD,
};

es_status es_tok13a_new(void **state) {
  tok13a *t = calloc(1, sizeof *t);
  *state = t;
  return t ? ES_OK : ES_ERR_NOMEM;
}

void es_tok13a_free(void *state) {
  tok13a *t = state;
  if (!t) return;
  free(t->buf);
  free(t);
}

/* Python's s.replace(pat, rep) in place, for len(rep) <= len(pat): left to
 * right, non-overlapping. Returns the new length. */
static size_t replace_all(char *s, size_t n, const char *pat, size_t pn, const char *rep,
                          size_t rn) {
  if (!memchr(s, pat[0], n)) return n;
  size_t r = 0, w = 0;
  while (r < n) {
    if (s[r] == pat[0] && n - r >= pn && memcmp(s + r, pat, pn) == 0) {
      memcpy(s + w, rep, rn);
      w += rn;
      r += pn;
    } else {
      s[w++] = s[r++];
    }
  }
  return w;
}

/* Step 1 on a private copy when the line has anything it could change. */
static es_status replace_step(tok13a *t, const char **text, size_t *len) {
  const char *s = *text;
  size_t n = *len;
  if (!memchr(s, '<', n) && !memchr(s, '\n', n) && !memchr(s, '&', n)) return ES_OK;
  if (n + 1 > t->cap) {
    char *b = realloc(t->buf, n + 1);
    if (!b) return ES_ERR_NOMEM;
    t->buf = b;
    t->cap = n + 1;
  }
  memcpy(t->buf, s, n);
  n = replace_all(t->buf, n, "<skipped>", 9, "", 0);
  n = replace_all(t->buf, n, "-\n", 2, "", 0);
  n = replace_all(t->buf, n, "\n", 1, " ", 1);
  n = replace_all(t->buf, n, "&quot;", 6, "\"", 1);
  n = replace_all(t->buf, n, "&amp;", 5, "&", 1);
  n = replace_all(t->buf, n, "&lt;", 4, "<", 1);
  n = replace_all(t->buf, n, "&gt;", 4, ">", 1);
  *text = t->buf;
  *len = n;
  return ES_OK;
}

es_status es_tok13a_run(void *state, const char *text, size_t len, es_token_cb cb, void *ctx) {
  es_status st = replace_step(state, &text, &len);
  if (st != ES_OK) return st;

  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0, start = 0;
  int in_tok = 0;
  int prev_m2 = 0; /* s[i-1] is a '.'/',' that R2 matched */

#define FLUSH()                                                           \
  do {                                                                    \
    if (in_tok && cb(ctx, text + start, i - start)) return ES_ERR_NOMEM;  \
    in_tok = 0;                                                           \
  } while (0)
#define ISOLATE()                                  \
  do {                                             \
    FLUSH();                                       \
    if (cb(ctx, text + i, 1)) return ES_ERR_NOMEM; \
  } while (0)
#define EXTEND()   \
  do {             \
    if (!in_tok) { \
      start = i;   \
      in_tok = 1;  \
    }              \
  } while (0)

  while (i < len) {
    if (cls[s[i]] <= C_DIGIT) { /* the common case: a run of word bytes */
      EXTEND();
      do i++;
      while (i < len && cls[s[i]] <= C_DIGIT);
      prev_m2 = 0;
      if (i < len && s[i] == ' ') { /* the usual end of a word */
        FLUSH();
        i++;
      }
      continue;
    }
    /* The character before this one, as R2-R4 see it: a white space or R1
     * neighbour counts as a space, and neither is a digit or '.'/','. */
    unsigned prev = i ? s[i - 1] : ' ';
    int m2 = 0;
    switch (cls[s[i]]) {
      case C_SPACE:
        FLUSH();
        break;
      case C_ISO:
        ISOLATE();
        break;
      case C_PERIOD: {
        unsigned next = i + 1 < len ? s[i + 1] : ' ';
        m2 = cls[prev] != C_DIGIT && !(cls[prev] == C_PERIOD && prev_m2);
        if (m2 || cls[next] != C_DIGIT)
          ISOLATE();
        else
          EXTEND();
        break;
      }
      case C_DASH:
        if (cls[prev] == C_DIGIT)
          ISOLATE();
        else
          EXTEND();
        break;
      default: { /* C_MBLEAD */
        size_t w = es_tok_space_len(s + i, len - i);
        if (w) {
          FLUSH();
          i += w;
          prev_m2 = 0;
          continue;
        }
        EXTEND();
        break;
      }
    }
    prev_m2 = m2;
    i++;
  }
  FLUSH();
  return ES_OK;
#undef FLUSH
#undef ISOLATE
#undef EXTEND
}
