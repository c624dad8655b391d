/*
 * tok_impl.h: private interface between tokenize.c (the dispatcher) and the
 * tokenizer implementations. Not installed; not part of esmetrics.h.
 *
 * Each implementation has a constructor for its private state, a run
 * function that tokenizes valid UTF-8 (the dispatcher has validated and, for
 * ES_TOK_LOWER, lower-cased it) and a destructor that accepts NULL.
 *
 * Adding a tokenizer: add its es_tok_kind in tokenize.h, its three functions
 * here, and a row in the table in tokenize.c.
 */
#ifndef ES_TOK_IMPL_H
#define ES_TOK_IMPL_H

#include "tokenize.h"

/* Byte length of the Python str.isspace() character at s (valid UTF-8, n
 * bytes left, n >= 1), or 0 when it is not white space. Inline: tokenizers
 * call it for every byte. */
static inline size_t es_tok_space_len(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) return 1;
  if (c == 0xc2 && n >= 2 && (s[1] == 0x85 || s[1] == 0xa0)) return 2;
  if (c == 0xe1 && n >= 3 && s[1] == 0x9a && s[2] == 0x80) return 3;            /* U+1680 */
  if (c == 0xe2 && n >= 3) {
    if (s[1] == 0x80 && ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 ||
                         s[2] == 0xaf))
      return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
    if (s[1] == 0x81 && s[2] == 0x9f) return 3; /* U+205F */
  }
  if (c == 0xe3 && n >= 3 && s[1] == 0x80 && s[2] == 0x80) return 3; /* U+3000 */
  return 0;
}


typedef es_status (*es_tok_new_fn)(void **state);
typedef es_status (*es_tok_run_fn)(void *state, const char *text, size_t len,
                                   es_token_cb cb, void *ctx);
typedef void (*es_tok_free_fn)(void *state);

/* sacrebleu 13a (tok_13a.c) */
es_status es_tok13a_new(void **state);
es_status es_tok13a_run(void *state, const char *text, size_t len, es_token_cb cb, void *ctx);
void es_tok13a_free(void *state);

/* rouge_score default tokenizer, without and with the Porter stemmer (tok_rouge.c) */
es_status es_tokrouge_new(void **state);
es_status es_tokrouge_porter_new(void **state);
es_status es_tokrouge_run(void *state, const char *text, size_t len, es_token_cb cb, void *ctx);
void es_tokrouge_free(void *state);

/* nltk word_tokenize (tok_nltk.c, punkt.c) */
es_status es_toknltk_new(void **state);
es_status es_toknltk_run(void *state, const char *text, size_t len, es_token_cb cb, void *ctx);
void es_toknltk_free(void *state);

#endif
