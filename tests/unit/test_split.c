/*
 * test_split.c: dialogue ids and splits. Ids and hash splits do not change
 * when the file is reordered; the 8:1:1 split of a few thousand synthetic
 * dialogues stays within binomial bounds; split files are read and their
 * errors point at file:line:column; FailedESConv's split matches the one a
 * Python one-off computed from the documented rule.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dialogue.h"
#include "exitcode.h"
#include "testlib.h"

enum { N = 4000 };

static char dir[] = "/tmp/esbench-test-split-XXXXXX";

static const char *temp_path(const char *name) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "cannot write %s\n", path);
    exit(1);
  }
  fputs(text, f);
  fclose(f);
}

/* An ExTES file of N synthetic dialogues, dialogue k of the file being
 * synthetic dialogue order[k]. */
static void write_synthetic(const char *path, const size_t *order) {
  FILE *f = fopen(path, "wb");
  if (!f) exit(1);
  fputc('[', f);
  for (size_t k = 0; k < N; k++) {
    size_t i = order[k];
    fprintf(f,
            "%s{\"scene\": \"s%zu\", \"content\": [{\"User\": \"I feel low, day %zu.\"}, "
            "{\"AI Strategy\": \"Affirmation\", \"AI\": \"You matter, %zu.\"}]}\n",
            k ? "," : "", i % 7, i, i * 7919);
  }
  fputs("]\n", f);
  fclose(f);
}

static es_dataset *load(const char *name, const char *path) {
  es_dataset *ds = NULL;
  es_error err = {0};
  if (es_dataset_load(name, path, NULL, &ds, &err) != 0)
    fprintf(stderr, "load '%s': %s\n", path, err.msg);
  return ds;
}

static void test_reordering_and_ratio(void) {
  size_t *order = malloc(N * sizeof *order), *rev = malloc(N * sizeof *rev);
  for (size_t i = 0; i < N; i++) order[i] = i;
  write_synthetic(temp_path("a.json"), order);
  unsigned seed = 7; /* a shuffle of the same dialogues */
  for (size_t i = N - 1; i > 0; i--) {
    seed = seed * 1103515245u + 12345u;
    size_t j = (seed >> 8) % (i + 1), t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  write_synthetic(temp_path("b.json"), order);
  es_dataset *a = load("extes", temp_path("a.json")), *b = load("extes", temp_path("b.json"));
  CHECK(a && b);
  if (!a || !b) goto out;
  CHECK_INT(a->n, N);
  CHECK_INT(b->n, N);
  CHECK(strcmp(a->sha256, b->sha256) != 0);
  static const unsigned ratio[3] = {8, 1, 1};
  es_split *sa = malloc(N * sizeof *sa), *sb = malloc(N * sizeof *sb);
  es_error err = {0};
  CHECK(es_split_assign(a, ratio, NULL, sa, &err) == 0);
  CHECK(es_split_assign(b, ratio, NULL, sb, &err) == 0);
  size_t same_id = 0, same_split = 0, per[3] = {0};
  for (size_t k = 0; k < N; k++) { /* b's dialogue k is a's dialogue order[k] */
    same_id += strcmp(b->dialogues[k].id, a->dialogues[order[k]].id) == 0;
    same_split += sb[k] == sa[order[k]];
    rev[order[k]] = k;
    per[sa[k]]++;
  }
  CHECK_INT(same_id, N);
  CHECK_INT(same_split, N);
  CHECK_INT(rev[0] < N, 1);
  /* each split's size within 4 standard deviations of its binomial mean */
  for (int s = 0; s < 3; s++) {
    double p = ratio[s] / 10.0, mean = N * p, sd = sqrt(N * p * (1 - p));
    CHECK_MSG(fabs((double)per[s] - mean) <= 4 * sd, "%s: %zu of %d (expected %.0f +- %.0f)",
              es_split_name((es_split)s), per[s], N, mean, 4 * sd);
  }
  fprintf(stderr, "8:1:1 of %d: %zu %zu %zu\n", N, per[0], per[1], per[2]);
  /* ids are distinct */
  size_t dup = 0;
  for (size_t k = 1; k < N; k++) dup += strcmp(a->dialogues[k].id, a->dialogues[k - 1].id) == 0;
  CHECK_INT(dup, 0);

  static const unsigned r622[3] = {6, 2, 2}, all_train[3] = {1, 0, 0}, none[3] = {0, 0, 0};
  memset(per, 0, sizeof per);
  CHECK(es_split_assign(a, r622, NULL, sa, &err) == 0);
  for (size_t k = 0; k < N; k++) per[sa[k]]++;
  for (int s = 0; s < 3; s++) {
    double p = r622[s] / 10.0, mean = N * p, sd = sqrt(N * p * (1 - p));
    CHECK(fabs((double)per[s] - mean) <= 4 * sd);
  }
  CHECK(es_split_assign(a, all_train, NULL, sa, &err) == 0);
  size_t train = 0;
  for (size_t k = 0; k < N; k++) train += sa[k] == ES_SPLIT_TRAIN;
  CHECK_INT(train, N);
  CHECK(es_split_assign(a, none, NULL, sa, &err) == -1);
  CHECK_STR(err.msg, "split ratio 0:0:0 assigns nothing");
  free(sa);
  free(sb);
out:
  es_dataset_free(a);
  es_dataset_free(b);
  free(order);
  free(rev);
}

/* Split files, on the three dialogues of the clean ExTES fixture. */
static void test_split_file(void) {
  char path[1024], text[1024], want[4096];
  snprintf(path, sizeof path, "%s/fixtures/extes/clean.json", test_tests_dir());
  es_dataset *ds = load("extes", path);
  CHECK(ds && ds->n == 3);
  if (!ds) return;
  const char *id0 = ds->dialogues[0].id, *id1 = ds->dialogues[1].id, *id2 = ds->dialogues[2].id;
  es_split out[3];
  es_error err = {0};
  static const unsigned ratio[3] = {8, 1, 1};
  const char *sf = temp_path("split.tsv");
  char upper[17];
  for (int k = 0; k < 17; k++) upper[k] = (char)(id2[k] >= 'a' ? id2[k] - 32 : id2[k]);

  /* comments, blank lines, CRLF, spaces instead of a tab, upper-case hex */
  snprintf(text, sizeof text, "# split of clean.json\n\ntest\t%s\r\n  valid   %s  # why\ntrain\t%s\n",
           id1, id0, upper);
  write_file(sf, text);
  CHECK_MSG(es_split_assign(ds, ratio, sf, out, &err) == 0, "%s", err.msg);
  CHECK(out[0] == ES_SPLIT_VALID && out[1] == ES_SPLIT_TEST && out[2] == ES_SPLIT_TRAIN);

  snprintf(text, sizeof text, "test\t%s\ndev\t%s\ntrain\t%s\n", id0, id1, id2);
  write_file(sf, text);
  CHECK(es_split_assign(ds, ratio, sf, out, &err) == -1);
  snprintf(want, sizeof want,
           "%s:2:1: unknown split 'dev' (expected train, valid or test)\n     2 | dev\t%s\n"
           "       | ^",
           sf, id1);
  CHECK_STR(err.msg, want);
  CHECK_INT(err.exit, ES_EXIT_USAGE);

  snprintf(text, sizeof text, "test\t%s\ntrain\t%.15s\n", id0, id1);
  write_file(sf, text);
  CHECK(es_split_assign(ds, ratio, sf, out, &err) == -1);
  snprintf(want, sizeof want, "%s:2:7: expected a dialogue id (16 hex digits)", sf);
  CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);

  snprintf(text, sizeof text, "test\t%s extra\n", id0);
  write_file(sf, text);
  CHECK(es_split_assign(ds, ratio, sf, out, &err) == -1);
  snprintf(want, sizeof want, "%s:1:6: expected a dialogue id", sf);
  CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);

  snprintf(text, sizeof text, "test\t%s\nvalid\t0123456789abcdef\n", id0);
  write_file(sf, text);
  CHECK(es_split_assign(ds, ratio, sf, out, &err) == -1);
  snprintf(want, sizeof want, "%s:2:7: dialogue '0123456789abcdef' is not in '%s'", sf, path);
  CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);

  snprintf(text, sizeof text, "test\t%s\n# c\nvalid\t%s\n", id0, id0);
  write_file(sf, text);
  CHECK(es_split_assign(ds, ratio, sf, out, &err) == -1);
  snprintf(want, sizeof want, "%s:3:7: dialogue '%s' is listed twice (first on line 1)", sf, id0);
  CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);

  snprintf(text, sizeof text, "test\t%s\n", id1);
  write_file(sf, text);
  CHECK(es_split_assign(ds, ratio, sf, out, &err) == -1);
  snprintf(want, sizeof want,
           "%s:2: 2 of 3 dialogues of '%s' are missing from the split file, the first '%s' "
           "(dialogue [0])",
           sf, path, id0);
  CHECK_STR(err.msg, want);

  CHECK(es_split_assign(ds, ratio, temp_path("absent.tsv"), out, &err) == -1);
  CHECK(strstr(err.msg, "cannot open '") != NULL);
  CHECK_STR(es_split_name(ES_SPLIT_VALID), "valid");
  es_dataset_free(ds);
}

/* The split of the real FailedESConv.json, against a Python one-off that
 * applies the documented rule (ids from dataset.c, value mod 10). */
static void test_failed_esconv(void) {
  char path[1024];
  const char *shared = test_shared_dir_opt("the FailedESConv.json checks");
  if (!shared) return;
  snprintf(path, sizeof path, "%s/data/esconv/FailedESConv.json", shared);
  es_dataset *ds = load("esconv", path);
  CHECK(ds && ds->n == 196);
  if (!ds) return;
  es_split out[196];
  es_error err = {0};
  static const unsigned ratio[3] = {8, 1, 1};
  CHECK(es_split_assign(ds, ratio, NULL, out, &err) == 0);
  size_t per[3] = {0};
  for (size_t i = 0; i < ds->n; i++) per[out[i]]++;
  CHECK_INT(per[ES_SPLIT_TRAIN], 158);
  CHECK_INT(per[ES_SPLIT_VALID], 20);
  CHECK_INT(per[ES_SPLIT_TEST], 18);
  es_dataset_free(ds);
}

static void cleanup(void) {
  char cmd[1100];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

int main(void) {
  if (!mkdtemp(dir)) return 1;
  atexit(cleanup);
  test_reordering_and_ratio();
  test_split_file();
  test_failed_esconv();
  return test_finish("split");
}
