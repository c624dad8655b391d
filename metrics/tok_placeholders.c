/* tok_placeholders.c: temporary stand-ins so the tree links while the
 * tokenizer modules are written; each is deleted when its module lands. */
#include "tok_impl.h"
#include <string.h>
#include <stdlib.h>
#define STUB(p) \
  es_status p##_new(void **s) { *s = NULL; return ES_ERR_ARG; } \
  es_status p##_run(void *s, const char *t, size_t n, es_token_cb cb, void *c) { (void)s; (void)t; (void)n; (void)cb; (void)c; return ES_ERR_ARG; } \
  void p##_free(void *s) { (void)s; }
