/*
 * fuzz_metrics.c: libFuzzer target for the metrics library's entry points.
 *
 * The input is arbitrary bytes (valid UTF-8 or not). Every tokenizer, with
 * and without lower-casing, must either tokenize it or return ES_ERR_UTF8;
 * each profile scores its lines against themselves reversed; the strategy
 * scores take its lines as labels. Any crash, sanitizer report, leak or
 * inconsistent result (a score outside [0, 100], an identical corpus not
 * scoring 100 BLEU-1 under sacrebleu) is a finding.
 *
 * Build and run: ci/fuzz/run.sh [SECONDS]
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esmetrics.h"
#include "profile.h"

#define MAX_LINES 64

static int count_cb(void *ctx, const char *tok, size_t len) {
  (void)tok;
  if (len == 0) abort(); /* no tokenizer emits empty tokens */
  (*(size_t *)ctx)++;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  int valid = es_utf8_validate(text, size, NULL) == ES_OK;

  for (int kind = ES_TOK_SPACE; kind <= ES_TOK_NLTK; kind++) {
    for (unsigned flags = 0; flags <= ES_TOK_LOWER; flags += ES_TOK_LOWER) {
      es_tokenizer *t;
      if (es_tokenizer_new((es_tok_kind)kind, flags, &t) != ES_OK) abort();
      size_t n = 0;
      es_status st = es_tokenize_cb(t, text, size, count_cb, &n);
      if (valid ? st != ES_OK : st != ES_ERR_UTF8) abort();
      es_tokenizer_free(t);
    }
  }

  if (valid && !memchr(text, '\0', size)) {
    /* lines, and the same lines in reverse order as "references" */
    const char *lines[MAX_LINES], *rev[MAX_LINES];
    size_t n = 0;
    for (char *p = text; n < MAX_LINES;) {
      lines[n++] = p;
      char *nl = strchr(p, '\n');
      if (!nl) break;
      *nl = '\0';
      p = nl + 1;
    }
    for (size_t i = 0; i < n; i++) rev[i] = lines[n - 1 - i];
    for (int p = 0; p < 3; p++) {
      es_scores *s;
      if (es_score_corpus((es_profile)p, rev, lines, n, 1 + (p == 1), &s, NULL, NULL) != ES_OK) abort();
      for (size_t k = 0; k < es_scores_count(s); k++) {
        const es_metric *m = es_scores_get(s, k);
        if (isnan(m->value) || m->value < 0 || (strcmp(m->name, "length") && m->value > 100 + 1e-9))
          abort();
      }
      es_scores_free(s);
      /* a corpus scored against itself: every unigram matches */
      if (es_score_corpus((es_profile)p, lines, lines, n, 1, &s, NULL, NULL) != ES_OK) abort();
      const es_metric *b1 = es_scores_find(s, "bleu-1");
      const es_bleu_seg *g = es_scores_bleu_segs(s);
      int64_t tokens = 0;
      for (size_t i = 0; i < n; i++) tokens += g[i].hyp_len;
      if (p != ES_PROFILE_ESCONV && tokens > 0 && fabs(b1->value - 100) > 1e-9) abort();
      es_scores_free(s);
    }
    es_strategy_scores ss;
    const char *pred[MAX_LINES];
    for (size_t i = 0; i < n; i++) pred[i] = i % 3 ? lines[i] : NULL;
    if (es_strategy_scores_compute(rev, pred, n, &ss) != ES_OK) abort();
    if (ss.accuracy < 0 || ss.accuracy > 1 || ss.macro_f1 < 0 || ss.macro_f1 > 1) abort();
    es_strategy_scores_release(&ss);
  }
  free(text);
  return 0;
}
