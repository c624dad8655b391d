/*
 * tokenize.h: the tokenizers the reference implementations use.
 *
 *   ES_TOK_SPACE        Python str.split(): runs of Unicode white space
 *   ES_TOK_13A          sacrebleu's Tokenizer13a (mteval-v13a.pl rules)
 *   ES_TOK_ROUGE        rouge_score's default tokenizer: lower-case, every
 *                       run of [^a-z0-9] becomes a space, split
 *   ES_TOK_ROUGE_PORTER the same, then nltk 3.8's PorterStemmer
 *                       (NLTK_EXTENSIONS mode) on tokens longer than 3 bytes
 *   ES_TOK_NLTK         nltk 3.8 word_tokenize(text): Punkt sentence
 *                       splitting with the English model, then the
 *                       NLTKWordTokenizer (Treebank) rules per sentence
 *
 * With ES_TOK_LOWER the text is lower-cased first exactly as Python's
 * str.lower() does (full Unicode mapping), so ES_TOK_NLTK|ES_TOK_LOWER is
 * the ESConv metric code's word_tokenize(text.lower()).
 *
 * Input must be valid UTF-8 (ES_ERR_UTF8 otherwise, nothing emitted),
 * unless the caller promises it is with ES_TOK_VALID_UTF8 (it then need not
 * be checked again by each tokenizer). A tokenizer keeps scratch buffers:
 * use one per thread.
 */
#ifndef ES_TOKENIZE_H
#define ES_TOKENIZE_H

#include "es_common.h"

typedef enum {
  ES_TOK_SPACE,
  ES_TOK_13A,
  ES_TOK_ROUGE,
  ES_TOK_ROUGE_PORTER,
  ES_TOK_NLTK,
} es_tok_kind;

#define ES_TOK_LOWER 1u      /* lower-case like Python str.lower() first */
#define ES_TOK_VALID_UTF8 2u /* the caller has validated every text it passes
                                (es_utf8_validate): skip the check; passing
                                invalid text with this flag is a caller bug */

typedef struct es_tokenizer es_tokenizer;

/* Called once per token, in order; tok is not NUL-terminated and is valid
 * only during the call. Return 0 to go on, non-zero to stop (the tokenizer
 * then returns ES_ERR_NOMEM: callbacks fail only for memory). */
typedef int (*es_token_cb)(void *ctx, const char *tok, size_t len);

/* A tokenizer of the given kind in *out (free with es_tokenizer_free). */
es_status es_tokenizer_new(es_tok_kind kind, unsigned flags, es_tokenizer **out);
void es_tokenizer_free(es_tokenizer *t);

/* Tokenizes text[0..len) and calls cb for each token. */
es_status es_tokenize_cb(es_tokenizer *t, const char *text, size_t len,
                         es_token_cb cb, void *ctx);
/* Tokenizes and appends the token ids (interned in v) to out. On error out
 * keeps what it held before the call. */
es_status es_tokenize_ids(es_tokenizer *t, const char *text, size_t len,
                          es_vocab *v, es_seq *out);

/* Stable names for signatures and the CLI: "none", "13a", "rouge",
 * "rouge-porter", "nltk-word". es_tok_kind_parse returns -1 when unknown. */
const char *es_tok_kind_name(es_tok_kind kind);
int es_tok_kind_parse(const char *name);

/* Python str.lower() of valid UTF-8 s[0..n): writes into *buf (realloc'ed,
 * capacity in *cap) and its length into *out_len; NUL-terminated. */
es_status es_utf8_lower(const char *s, size_t n, char **buf, size_t *cap, size_t *out_len);

#endif
