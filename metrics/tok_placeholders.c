/* tok_placeholders.c: temporary stand-ins so the tree links while the
 * tokenizer modules are written; each is deleted when its module lands. */
#include "tok_impl.h"
#include <string.h>
#include <stdlib.h>
#define STUB(p) \
  es_status p##_new(void **s) { *s = NULL; return ES_ERR_ARG; } \
  es_status p##_run(void *s, const char *t, size_t n, es_token_cb cb, void *c) { (void)s; (void)t; (void)n; (void)cb; (void)c; return ES_ERR_ARG; } \
  void p##_free(void *s) { (void)s; }
STUB(es_tok13a)
STUB(es_toknltk)
es_status es_tokrouge_new(void **s) { *s = NULL; return ES_ERR_ARG; }
es_status es_tokrouge_porter_new(void **s) { *s = NULL; return ES_ERR_ARG; }
es_status es_tokrouge_run(void *s, const char *t, size_t n, es_token_cb cb, void *c) { (void)s; (void)t; (void)n; (void)cb; (void)c; return ES_ERR_ARG; }
void es_tokrouge_free(void *s) { (void)s; }
es_status es_utf8_lower(const char *s, size_t n, char **buf, size_t *cap, size_t *out_len) { (void)s; (void)n; (void)buf; (void)cap; (void)out_len; return ES_ERR_ARG; }
