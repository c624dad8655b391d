/*
 * test_distinct: Distinct-n counters (metrics/distinct.c).
 *
 *   1. hand cases: both variants, empty lines, lines shorter than n, dense
 *      per-line ids, argument checks
 *   2. random corpora: counts against a naive sort-and-count reference, and
 *      es_distinct_recount of bootstrap resamples against a counter built
 *      from the resampled lines
 *   3. golden sets synth and esconv-test: the ESConv variant (myMetrics
 *      dist-1..3) on the given word_tokenize tokens, the all-n-grams counts
 *      on the same tokens, and the standard distinct-1..3 of
 *      line.lower().split() (needs es_utf8_lower; skipped with a note when
 *      it is not there)
 */
#include "testlib.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "esmetrics.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) { /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dull;
}

/* ---- 1. hand cases ------------------------------------------------------- */

static void check_counts(const es_distinct *d, unsigned n, es_distinct_variant v, uint64_t unique,
                         uint64_t total) {
  es_distinct_counts c = es_distinct_get(d, n, v);
  CHECK_MSG(c.unique == unique && c.total == total, "n=%u %s: %llu/%llu, expected %llu/%llu", n,
            v == ES_DISTINCT_ESCONV ? "esconv" : "standard", (unsigned long long)c.unique,
            (unsigned long long)c.total, (unsigned long long)unique, (unsigned long long)total);
}

static void test_hand(void) {
  es_distinct *d = NULL;
  CHECK(es_distinct_new(0, &d) == ES_ERR_ARG && !d);
  CHECK(es_distinct_new(ES_DISTINCT_MAX_N + 1, &d) == ES_ERR_ARG && !d);
  CHECK(es_distinct_new(4, &d) == ES_OK && d);
  if (!d) return;
  CHECK(es_distinct_score(d, 1, ES_DISTINCT_STANDARD) == 0.0); /* no n-gram: 0 */
  CHECK(es_distinct_score(d, 1, ES_DISTINCT_ESCONV) == 0.0);
  int32_t l1[] = {1, 2, 3}, l2[] = {1, 2}, l4[] = {4};
  CHECK(es_distinct_add(d, l1, 3) == ES_OK);
  CHECK(es_distinct_add(d, l2, 2) == ES_OK);
  CHECK(es_distinct_add(d, NULL, 0) == ES_OK);
  CHECK(es_distinct_add(d, l4, 1) == ES_OK);
  CHECK(es_distinct_lines(d) == 4);
  check_counts(d, 1, ES_DISTINCT_STANDARD, 4, 6);
  check_counts(d, 2, ES_DISTINCT_STANDARD, 2, 3);
  check_counts(d, 3, ES_DISTINCT_STANDARD, 1, 1);
  check_counts(d, 4, ES_DISTINCT_STANDARD, 0, 0);
  /* range(0, len(sen) - k): [1 2 3] gives 1, 2 (k=1) and 1 2 (k=2); [1 2]
   * gives 1 (k=1); [4] and [] nothing */
  check_counts(d, 1, ES_DISTINCT_ESCONV, 2, 3);
  check_counts(d, 2, ES_DISTINCT_ESCONV, 1, 1);
  check_counts(d, 3, ES_DISTINCT_ESCONV, 0, 0);
  check_counts(d, 5, ES_DISTINCT_STANDARD, 0, 0); /* out of range */
  CHECK(es_distinct_score(d, 1, ES_DISTINCT_STANDARD) == 4.0 / 6);
  CHECK(es_distinct_score(d, 1, ES_DISTINCT_ESCONV) == 2.0 / 3);
  CHECK(es_distinct_score(d, 3, ES_DISTINCT_ESCONV) == 0.0);
  CHECK(es_distinct_types(d, 1) == 4 && es_distinct_types(d, 2) == 2);
  size_t n;
  const uint32_t *ids = es_distinct_line_ngrams(d, 0, 1, &n);
  CHECK(n == 3 && ids && ids[0] == 0 && ids[1] == 1 && ids[2] == 2);
  ids = es_distinct_line_ngrams(d, 1, 2, &n);
  CHECK(n == 1 && ids && ids[0] == 0); /* "1 2" again: the same dense id */
  CHECK(es_distinct_line_ngrams(d, 2, 1, &n) == NULL && n == 0);
  ids = es_distinct_line_ngrams(d, 3, 1, &n);
  CHECK(n == 1 && ids && ids[0] == 3);
  CHECK(es_distinct_line_ngrams(d, 4, 1, &n) == NULL && n == 0);
  unsigned char mark[8] = {0};
  size_t all[] = {0, 1, 2, 3}, twice[] = {1, 1, 3, 9}; /* 9: no such line, ignored */
  es_distinct_counts c = es_distinct_recount(d, 1, ES_DISTINCT_STANDARD, all, 4, mark);
  CHECK(c.unique == 4 && c.total == 6);
  c = es_distinct_recount(d, 1, ES_DISTINCT_STANDARD, twice, 4, mark);
  CHECK(c.unique == 3 && c.total == 5);
  c = es_distinct_recount(d, 1, ES_DISTINCT_ESCONV, twice, 4, mark);
  CHECK(c.unique == 1 && c.total == 2);
  CHECK(memcmp(mark, "\0\0\0\0\0\0\0\0", 8) == 0); /* left clean */
  es_distinct_free(d);
  es_distinct_free(NULL);
}

/* ---- 2. random corpora ------------------------------------------------------- */

static unsigned cmp_n;
static int cmp_gram(const void *a, const void *b) {
  return memcmp(*(const int32_t *const *)a, *(const int32_t *const *)b, cmp_n * sizeof(int32_t));
}

/* Naive counts: collect every counted n-gram, sort, count runs. */
static es_distinct_counts naive(int32_t **line, size_t *len, const size_t *pick, size_t npick,
                                unsigned n, int esconv) {
  es_distinct_counts c = {0, 0};
  size_t cap = 0;
  for (size_t i = 0; i < npick; i++) cap += len[pick[i]];
  const int32_t **g = malloc((cap + 1) * sizeof *g);
  if (!g) return c;
  size_t k = 0;
  for (size_t i = 0; i < npick; i++) {
    size_t L = len[pick[i]];
    size_t grams = L >= n ? L - n + 1 : 0;
    if (esconv && grams) grams--;
    for (size_t j = 0; j < grams; j++) g[k++] = line[pick[i]] + j;
  }
  cmp_n = n;
  qsort(g, k, sizeof *g, cmp_gram);
  c.total = k;
  for (size_t i = 0; i < k; i++) c.unique += i == 0 || cmp_gram(&g[i], &g[i - 1]) != 0;
  free(g);
  return c;
}

static void test_random(void) {
  enum { LINES = 400 };
  int32_t *line[LINES];
  size_t len[LINES], pick[LINES], ident[LINES];
  for (int round = 0; round < 6; round++) {
    unsigned alpha = round < 3 ? 3u + (unsigned)round * 4 : 5000u;
    es_distinct *d = NULL;
    CHECK(es_distinct_new(4, &d) == ES_OK);
    if (!d) return;
    for (size_t i = 0; i < LINES; i++) {
      len[i] = rnd() % 12;
      line[i] = malloc((len[i] + 1) * sizeof *line[i]);
      for (size_t j = 0; j < len[i]; j++) line[i][j] = (int32_t)(rnd() % alpha) - 7;
      CHECK(es_distinct_add(d, line[i], len[i]) == ES_OK);
      ident[i] = i;
    }
    for (unsigned n = 1; n <= 4; n++)
      for (int v = 0; v < 2; v++) {
        es_distinct_counts want = naive(line, len, ident, LINES, n, v);
        es_distinct_counts got = es_distinct_get(d, n, (es_distinct_variant)v);
        CHECK_MSG(got.unique == want.unique && got.total == want.total,
                  "round %d n=%u v=%d: %llu/%llu, naive %llu/%llu", round, n, v,
                  (unsigned long long)got.unique, (unsigned long long)got.total,
                  (unsigned long long)want.unique, (unsigned long long)want.total);
        /* a bootstrap resample: recount vs a counter of the resampled lines */
        for (size_t i = 0; i < LINES; i++) pick[i] = rnd() % LINES;
        unsigned char *mark = calloc(es_distinct_types(d, n) + 1, 1);
        es_distinct_counts rc =
            es_distinct_recount(d, n, (es_distinct_variant)v, pick, LINES, mark);
        es_distinct_counts rw = naive(line, len, pick, LINES, n, v);
        CHECK(rc.unique == rw.unique && rc.total == rw.total);
        int clean = 1;
        for (size_t t = 0; t < es_distinct_types(d, n); t++) clean &= !mark[t];
        CHECK(clean);
        free(mark);
      }
    for (size_t i = 0; i < LINES; i++) free(line[i]);
    es_distinct_free(d);
  }
  /* growth: many distinct n-grams (tables and arrays resize many times) */
  es_distinct *d = NULL;
  CHECK(es_distinct_new(2, &d) == ES_OK);
  int32_t buf[50];
  for (int i = 0; i < 20000 && d; i++) {
    for (int j = 0; j < 50; j++) buf[j] = i * 50 + j;
    CHECK(es_distinct_add(d, buf, 50) == ES_OK);
  }
  if (d) {
    check_counts(d, 1, ES_DISTINCT_STANDARD, 1000000, 1000000);
    check_counts(d, 2, ES_DISTINCT_ESCONV, 20000 * 48, 20000 * 48);
  }
  es_distinct_free(d);
}

/* ---- 3. golden sets ----------------------------------------------------------- */

static size_t compared;

static void expect_num(cJSON *exp, const char *set, const char *path, double got, double rel) {
  cJSON *n = test_json_at(exp, path);
  compared++;
  if (!cJSON_IsNumber(n)) {
    test_fail(__FILE__, __LINE__, "%s: no number at '%s'", set, path);
    return;
  }
  double w = n->valuedouble;
  CHECK_MSG(fabs(got - w) <= rel * fabs(w) || got == w, "%s %s: %.17g, expected %.17g", set, path,
            got, w);
}

/* Builds a counter over the lines of dir/name, tokenized by tok (NULL: the
 * esconv_tok files, tokens separated by single spaces). */
static es_distinct *count_file(const char *dir, const char *name, es_tokenizer *tok, int *ok) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t nlines;
  char *buf = test_read_file(path, NULL);
  char **line = buf ? test_split_lines(buf, &nlines) : NULL;
  es_distinct *d = NULL;
  es_vocab *v = es_vocab_new();
  es_seq s = {0};
  *ok = line && v && es_distinct_new(3, &d) == ES_OK;
  CHECK_MSG(*ok, "cannot read '%s'", path);
  for (size_t i = 0; *ok && i < nlines; i++) {
    s.len = 0;
    if (tok) {
      *ok = es_tokenize_ids(tok, line[i], strlen(line[i]), v, &s) == ES_OK;
    } else {
      for (const char *p = line[i]; *p;) {
        size_t k = strcspn(p, " ");
        if (k) es_seq_push(&s, es_vocab_intern(v, p, k));
        p += k + (p[k] == ' ');
      }
    }
    *ok = *ok && es_distinct_add(d, s.ids, s.len) == ES_OK;
  }
  es_seq_release(&s);
  es_vocab_free(v);
  free(line);
  free(buf);
  return d;
}

static void golden_set(const char *set, const char *dir) {
  char path[1024], key[256];
  snprintf(path, sizeof path, "%s/expected.json", dir);
  char *text = test_read_file(path, NULL);
  cJSON *exp = text ? cJSON_Parse(text) : NULL;
  free(text);
  CHECK_MSG(exp != NULL, "cannot parse '%s'", path);
  if (!exp) return;
  es_tokenizer *space = NULL;
  char *low = NULL;
  size_t cap = 0, n;
  int have_lower = es_utf8_lower("A", 1, &low, &cap, &n) == ES_OK;
  free(low);
  if (have_lower)
    CHECK(es_tokenizer_new(ES_TOK_SPACE, ES_TOK_LOWER, &space) == ES_OK);
  else
    printf("note: es_utf8_lower unavailable: standard distinct (lower().split()) of %s skipped\n",
           set);
  compared = 0;
  static const char *systems[] = {"hyp_a", "hyp_b"};
  for (int sys = 0; sys < 2; sys++) {
    const char *s = systems[sys];
    int ok;
    snprintf(path, sizeof path, "tokens/%s.esconv_tok.txt", s);
    es_distinct *d = count_file(dir, path, NULL, &ok);
    for (unsigned k = 1; ok && k <= 3; k++) {
      es_distinct_counts c = es_distinct_get(d, k, ES_DISTINCT_ESCONV);
      double value = es_distinct_ratio(c);
      snprintf(key, sizeof key, "systems.%s.distinct.esconv_variant.dist-%u", s, k);
      expect_num(exp, set, key, value, 1e-12);
      snprintf(key, sizeof key, "systems.%s.esconv_mymetrics.result.dist-%u", s, k);
      expect_num(exp, set, key, 100 * value, 1e-12);
      snprintf(key, sizeof key, "systems.%s.esconv_mymetrics.variants.dist-%u.unique", s, k);
      expect_num(exp, set, key, (double)c.unique, 0);
      snprintf(key, sizeof key, "systems.%s.esconv_mymetrics.variants.dist-%u.total", s, k);
      expect_num(exp, set, key, (double)c.total, 0);
      c = es_distinct_get(d, k, ES_DISTINCT_STANDARD);
      snprintf(key, sizeof key, "systems.%s.esconv_mymetrics.variants.dist-%u.standard_unique", s,
               k);
      expect_num(exp, set, key, (double)c.unique, 0);
      snprintf(key, sizeof key, "systems.%s.esconv_mymetrics.variants.dist-%u.standard_total", s,
               k);
      expect_num(exp, set, key, (double)c.total, 0);
      snprintf(key, sizeof key, "systems.%s.esconv_mymetrics.variants.dist-%u.standard_all_ngrams",
               s, k);
      expect_num(exp, set, key, 100 * es_distinct_ratio(c), 1e-12);
    }
    es_distinct_free(d);
    if (!space) continue;
    snprintf(path, sizeof path, "%s.txt", s);
    d = count_file(dir, path, space, &ok);
    for (unsigned k = 1; ok && k <= 3; k++) {
      es_distinct_counts c = es_distinct_get(d, k, ES_DISTINCT_STANDARD);
      snprintf(key, sizeof key, "systems.%s.distinct.distinct_%u", s, k);
      expect_num(exp, set, key, es_distinct_ratio(c), 1e-12);
      snprintf(key, sizeof key, "systems.%s.distinct.unique_%u", s, k);
      expect_num(exp, set, key, (double)c.unique, 0);
      snprintf(key, sizeof key, "systems.%s.distinct.total_%u", s, k);
      expect_num(exp, set, key, (double)c.total, 0);
    }
    es_distinct_free(d);
  }
  printf("golden %s: %zu values compared\n", set, compared);
  es_tokenizer_free(space);
  cJSON_Delete(exp);
}

int main(void) {
  test_hand();
  test_random();
  char dir[1024];
  if (test_golden_dir("synth", dir, sizeof dir))
    golden_set("synth", dir);
  else
    CHECK_MSG(0, "golden set synth not found");
  if (test_golden_dir("esconv-test", dir, sizeof dir))
    golden_set("esconv-test", dir);
  else
    printf("note: ESBENCH_SHARED absent: esconv-test skipped\n");
  return test_finish("distinct");
}
