/*
 * tokenize.c: the tokenizer dispatcher and the whitespace tokenizer.
 *
 * es_tokenizer validates UTF-8, lower-cases when asked (es_utf8_lower, the
 * Python str.lower() table in unicase.c), then hands the text to the
 * implementation named in the table below.
 */
#include "tok_impl.h"

#include <stdlib.h>
#include <string.h>

static es_status space_new(void **state) {
  *state = NULL;
  return ES_OK;
}

static void space_free(void *state) { (void)state; }

static es_status space_run(void *state, const char *text, size_t len, es_token_cb cb,
                           void *ctx) {
  (void)state;
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0, start = 0;
  int in_tok = 0;
  while (i < len) {
    size_t w = es_tok_space_len(s + i, len - i);
    if (w) {
      if (in_tok && cb(ctx, text + start, i - start)) return ES_ERR_NOMEM;
      in_tok = 0;
      i += w;
    } else {
      if (!in_tok) start = i;
      in_tok = 1;
      i++;
    }
  }
  if (in_tok && cb(ctx, text + start, len - start)) return ES_ERR_NOMEM;
  return ES_OK;
}

/* The table of tokenizers, indexed by es_tok_kind. */
static const struct {
  const char *name;
  es_tok_new_fn make;
  es_tok_run_fn run;
  es_tok_free_fn destroy;
} tokenizers[] = {
    [ES_TOK_SPACE] = {"none", space_new, space_run, space_free},
    [ES_TOK_13A] = {"13a", es_tok13a_new, es_tok13a_run, es_tok13a_free},
    [ES_TOK_ROUGE] = {"rouge", es_tokrouge_new, es_tokrouge_run, es_tokrouge_free},
    [ES_TOK_ROUGE_PORTER] = {"rouge-porter", es_tokrouge_porter_new, es_tokrouge_run,
                             es_tokrouge_free},
    [ES_TOK_NLTK] = {"nltk-word", es_toknltk_new, es_toknltk_run, es_toknltk_free},
};
#define NTOKENIZERS (sizeof tokenizers / sizeof tokenizers[0])

struct es_tokenizer {
  es_tok_kind kind;
  unsigned flags;
  void *state;
  char *lower;  /* lower-cased copy of the text */
  size_t lower_cap;
};

const char *es_tok_kind_name(es_tok_kind kind) {
  return (unsigned)kind < NTOKENIZERS ? tokenizers[kind].name : "?";
}

int es_tok_kind_parse(const char *name) {
  for (size_t i = 0; i < NTOKENIZERS; i++)
    if (strcmp(tokenizers[i].name, name) == 0) return (int)i;
  return -1;
}

es_status es_tokenizer_new(es_tok_kind kind, unsigned flags, es_tokenizer **out) {
  *out = NULL;
  if ((unsigned)kind >= NTOKENIZERS || (flags & ~(ES_TOK_LOWER | ES_TOK_VALID_UTF8))) return ES_ERR_ARG;
  es_tokenizer *t = calloc(1, sizeof *t);
  if (!t) return ES_ERR_NOMEM;
  t->kind = kind;
  t->flags = flags;
  es_status st = tokenizers[kind].make(&t->state);
  if (st != ES_OK) {
    free(t);
    return st;
  }
  *out = t;
  return ES_OK;
}

void es_tokenizer_free(es_tokenizer *t) {
  if (!t) return;
  tokenizers[t->kind].destroy(t->state);
  free(t->lower);
  free(t);
}

es_status es_tokenize_cb(es_tokenizer *t, const char *text, size_t len, es_token_cb cb,
                         void *ctx) {
  es_status st;
  if (!(t->flags & ES_TOK_VALID_UTF8) && (st = es_utf8_validate(text, len, NULL)) != ES_OK)
    return st;
  if (t->flags & ES_TOK_LOWER) {
    st = es_utf8_lower(text, len, &t->lower, &t->lower_cap, &len);
    if (st != ES_OK) return st;
    text = t->lower;
  }
  return tokenizers[t->kind].run(t->state, text, len, cb, ctx);
}

struct intern_ctx {
  es_vocab *v;
  es_seq *out;
};

static int intern_cb(void *ctx, const char *tok, size_t len) {
  struct intern_ctx *c = ctx;
  int32_t id = es_vocab_intern(c->v, tok, len);
  return id < 0 || es_seq_push(c->out, id) != ES_OK;
}

es_status es_tokenize_ids(es_tokenizer *t, const char *text, size_t len, es_vocab *v,
                          es_seq *out) {
  size_t before = out->len;
  struct intern_ctx c = {v, out};
  es_status st = es_tokenize_cb(t, text, len, intern_cb, &c);
  if (st != ES_OK) out->len = before;
  return st;
}
