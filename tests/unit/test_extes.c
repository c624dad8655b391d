/*
 * test_extes.c: the ExTES adapter on fixtures written to the documented
 * schema (tests/fixtures/extes/): a clean file, a file with every known
 * quirk in a known dialogue (each count checked exactly), malformed JSON
 * (line:column), invalid UTF-8, a top level that is not an array, an empty
 * array; and the load time of a synthetic file the size of the real one.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dialogue.h"
#include "exitcode.h"
#include "testlib.h"

static es_labelset labels;

static char *fixture(const char *name) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/fixtures/extes/%s", test_tests_dir(), name);
  return path;
}

static es_dataset *load(const char *path, es_error *err) {
  es_dataset *ds = NULL;
  memset(err, 0, sizeof *err);
  if (es_dataset_load("extes", path, &labels, &ds, err) != 0) return NULL;
  return ds;
}

static long label(const char *name) { return es_labelset_find(&labels, name, strlen(name)); }

static const es_dialogue *by_source(const es_dataset *ds, size_t i) {
  for (size_t k = 0; k < ds->n; k++)
    if (ds->dialogues[k].source_index == i) return &ds->dialogues[k];
  return NULL;
}

static void test_clean(void) {
  es_error err;
  es_dataset *ds = load(fixture("clean.json"), &err);
  CHECK_MSG(ds != NULL, "load: %s", err.msg);
  if (!ds) return;
  CHECK_STR(ds->name, "extes");
  CHECK_INT(ds->n, 3);
  CHECK_INT(ds->ncounts, 0);
  const es_dialogue *d = &ds->dialogues[0];
  CHECK_STR(d->scenario, "Communication Challenges");
  CHECK(strncmp(d->situation, "After a long day", 16) == 0);
  CHECK_INT(d->nturns, 6);
  CHECK_INT(d->turns[0].speaker, ES_SEEKER);
  CHECK_STR(d->turns[0].text, "Hey, are you free? I need someone to talk to.");
  CHECK(d->turns[0].raw_strategy == NULL);
  CHECK_INT(d->turns[0].strategy, -1);
  CHECK_INT(d->turns[1].speaker, ES_SUPPORTER);
  CHECK_STR(d->turns[1].raw_strategy, "Clarification");
  CHECK_INT(d->turns[1].strategy, 1);
  CHECK_INT(d->turns[3].strategy, 0);
  CHECK_INT(d->turns[5].strategy, 2);
  CHECK_INT(ds->dialogues[2].turns[3].strategy, label("Collaborative Planning"));
  for (size_t i = 0; i < ds->n; i++) {
    CHECK_INT(strlen(ds->dialogues[i].id), 16);
    CHECK_INT(strspn(ds->dialogues[i].id, "0123456789abcdef"), 16);
    CHECK_INT(ds->dialogues[i].source_index, i);
  }
  /* the recorded hash is the file's */
  size_t len;
  char *bytes = test_read_file(fixture("clean.json"), &len);
  unsigned char md[32];
  unsigned int mdlen;
  char hex[65];
  EVP_Digest(bytes, len, md, &mdlen, EVP_sha256(), NULL);
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", md[i]);
  CHECK_STR(ds->sha256, hex);
  free(bytes);
  es_dataset_free(ds);
}

/* Each quirk of SCHEMA.md sits in a known dialogue of quirks.json (its
 * description names it: "d8: empty turns"); the counts are exact. */
static void test_quirks(void) {
  static const struct {
    const char *what;
    size_t n;
    const char *where;
  } expected[] = {
      {"strategy_empty", 2, "d0 greeting, and its copy d17"},
      {"strategy_missing_key", 1, "d1"},
      {"strategy_case_variant", 1, "d1 'Avoid Judgment and Criticism'"},
      {"strategy_alias", 1, "d2 'Refective Statements'"},
      {"strategy_unknown", 1, "d2 'Humor'"},
      {"strategy_not_string", 1, "d2 3"},
      {"turn_key_variant", 4, "d3 User A, AI_strategy, user, AI Strategies"},
      {"scene_missing", 2, "d4 no key, d5 null"},
      {"description_missing", 1, "d5"},
      {"extra_top_level_keys", 1, "d6"},
      {"ai_object_response", 1, "d7"},
      {"turn_empty_dropped", 7, "d8 {}, null, User null, User blank, AI null; d16 null, {}"},
      {"turn_invalid_dropped", 3, "d9 string turn, User 42, AI object without Response"},
      {"turn_both_speakers_split", 1, "d10"},
      {"strategy_on_seeker_turn", 1, "d11"},
      {"turn_extra_keys", 1, "d11 emotion"},
      {"turn_duplicate_key", 1, "d11 AI Strategy + AI_strategy"},
      {"content_missing", 2, "d12 absent, d13 a string"},
      {"dialogue_invalid_dropped", 1, "d14 42"},
      {"dialogue_dropped_no_turns", 2, "d15 [], d16 only unusable turns"},
      {"dialogue_duplicate_dropped", 1, "d17 copy of d0"},
      {"turn_same_speaker", 2, "d18 User User, AI AI"},
  };
  es_error err;
  es_dataset *ds = load(fixture("quirks.json"), &err);
  CHECK_MSG(ds != NULL, "load: %s", err.msg);
  if (!ds) return;
  size_t nexp = sizeof expected / sizeof expected[0];
  for (size_t i = 0; i < nexp; i++)
    CHECK_MSG(es_dataset_count_get(ds, expected[i].what) == expected[i].n,
              "%s: %zu, expected %zu (%s)", expected[i].what,
              es_dataset_count_get(ds, expected[i].what), expected[i].n, expected[i].where);
  CHECK_INT(ds->ncounts, nexp); /* and nothing else */
  for (size_t i = 0; i < ds->ncounts; i++) {
    size_t k = 0;
    while (k < nexp && strcmp(expected[k].what, ds->counts[i].what) != 0) k++;
    CHECK_MSG(k < nexp, "unexpected count %s = %zu", ds->counts[i].what, ds->counts[i].n);
  }
  CHECK_INT(ds->n, 14);
  CHECK(by_source(ds, 12) == NULL && by_source(ds, 14) == NULL && by_source(ds, 17) == NULL);

  const es_dialogue *d = by_source(ds, 1);
  CHECK(d && d->turns[1].raw_strategy == NULL && d->turns[1].strategy == -1);
  CHECK(d && d->turns[3].strategy == label("Avoid Judgment And Criticism"));
  CHECK_STR(d ? d->turns[3].raw_strategy : NULL, "Avoid Judgment and Criticism");
  d = by_source(ds, 2);
  CHECK(d && d->turns[1].strategy == label("Reflective Statements"));
  CHECK_STR(d ? d->turns[3].raw_strategy : NULL, "Humor");
  CHECK(d && d->turns[3].strategy == -1);
  CHECK(d && d->turns[5].raw_strategy == NULL && d->turns[5].strategy == -1);
  d = by_source(ds, 3);
  CHECK(d && d->nturns == 4 && d->turns[0].speaker == ES_SEEKER && d->turns[2].speaker == ES_SEEKER);
  CHECK(d && d->turns[1].strategy == label("Affirmation") && d->turns[3].strategy == label("Offer Hope"));
  d = by_source(ds, 4);
  CHECK(d && d->scenario == NULL && d->situation != NULL);
  d = by_source(ds, 5);
  CHECK(d && d->scenario == NULL && d->situation == NULL);
  d = by_source(ds, 7);
  CHECK_STR(d ? d->turns[1].text : NULL, "d7 You're handling this with courage.");
  d = by_source(ds, 8);
  CHECK(d && d->nturns == 2);
  CHECK_STR(d ? d->turns[1].text : NULL, "d8 Your feelings matter.");
  d = by_source(ds, 9);
  CHECK(d && d->nturns == 2);
  d = by_source(ds, 10);
  CHECK(d && d->nturns == 4 && d->turns[0].speaker == ES_SEEKER && d->turns[1].speaker == ES_SUPPORTER);
  CHECK_STR(d ? d->turns[1].text : NULL, "d10 That takes courage.");
  d = by_source(ds, 11);
  CHECK(d && d->nturns == 4 && d->turns[0].raw_strategy == NULL);
  CHECK(d && d->turns[3].strategy == label("Normalize Experiences")); /* the first key wins */
  d = by_source(ds, 18);
  CHECK(d && d->nturns == 5 && d->turns[1].speaker == ES_SEEKER && d->turns[3].speaker == ES_SUPPORTER);
  d = by_source(ds, 19);
  CHECK_STR(d ? d->scenario : NULL, "Self-Esteem");
  CHECK_STR(d ? d->situation : NULL, "d19: texts to trim.");
  CHECK_STR(d ? d->turns[0].text : NULL, "d19 I hate how I look.");
  CHECK_STR(d ? d->turns[1].text : NULL, "d19 What would you say to a friend who said that?");
  CHECK_STR(d ? d->turns[1].raw_strategy : NULL, "Provide Different Perspectives");
  CHECK(d && d->turns[1].strategy == label("Provide Different Perspectives"));
  /* the kept copy of d0 is the first one */
  d = by_source(ds, 0);
  CHECK_STR(d ? d->scenario : NULL, "Breakup");
  es_dataset_free(ds);

  /* without a label set every label is kept raw, and none is judged */
  ds = NULL;
  CHECK(es_dataset_load("extes", fixture("quirks.json"), NULL, &ds, &err) == 0);
  if (ds) {
    d = by_source(ds, 2);
    CHECK_STR(d ? d->turns[1].raw_strategy : NULL, "Refective Statements");
    CHECK(d && d->turns[1].strategy == -1);
    CHECK_INT(es_dataset_count_get(ds, "strategy_unknown"), 0);
    CHECK_INT(es_dataset_count_get(ds, "strategy_alias"), 0);
    CHECK_INT(es_dataset_count_get(ds, "strategy_empty"), 2);
  }
  es_dataset_free(ds);
}

static void test_errors(void) {
  es_error err;
  char want[1200];

  CHECK(load(fixture("malformed.json"), &err) == NULL);
  snprintf(want, sizeof want, "%s:5:6: malformed JSON\n", fixture("malformed.json"));
  CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);
  CHECK(strstr(err.msg, "|      {\"AI Strategy\"") != NULL);
  CHECK(strstr(err.msg, "\n       |      ^") != NULL);
  CHECK_INT(err.exit, ES_EXIT_USAGE);

  CHECK(load(fixture("bad_utf8.json"), &err) == NULL);
  CHECK_MSG(strstr(err.msg, "bad_utf8.json': invalid UTF-8 in [1].content[2].User (dialogue 1") !=
                NULL,
            "got: %s", err.msg);
  CHECK_INT(err.exit, ES_EXIT_USAGE);

  CHECK(load(fixture("not_array.json"), &err) == NULL);
  CHECK(strstr(err.msg, "not_array.json': expected a JSON array of dialogues, found an object") !=
        NULL);
  CHECK(load(fixture("empty.json"), &err) == NULL);
  CHECK_MSG(strstr(err.msg, "empty.json': holds no dialogues") != NULL, "got: %s", err.msg);
  /* an ESConv file read as ExTES */
  char esconv[1024];
  snprintf(esconv, sizeof esconv, "%s/fixtures/esconv/small.json", test_tests_dir());
  CHECK(load(esconv, &err) == NULL);
  CHECK_MSG(strstr(err.msg, "small.json': none of its 5 dialogues is usable as extes "
                            "(extra_top_level_keys 5, content_missing 5)") != NULL,
            "got: %s", err.msg);
  CHECK(load(fixture("no-such-file.json"), &err) == NULL);
  CHECK(strstr(err.msg, "cannot open '") && strstr(err.msg, "No such file or directory"));

  es_dataset *ds = NULL;
  CHECK(es_dataset_load("extez", fixture("clean.json"), &labels, &ds, &err) != 0);
  CHECK(strstr(err.msg, "unknown dataset 'extez'") != NULL);
  CHECK(ds == NULL);
}

/* Writes text to a fresh file in dir; returns its path (static buffer). */
static const char *write_temp(const char *dir, const char *name, const char *text, size_t n) {
  static char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f) return path;
  fwrite(text, 1, n, f);
  fclose(f);
  return path;
}

/* Errors in files written on one line (as json.dump does), at the end of
 * the file, and from a NUL byte or trailing garbage. */
static void test_positions(const char *dir) {
  es_error err;
  char want[1200];
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  n += (size_t)snprintf(buf, cap, "[");
  for (int i = 0; i < 40; i++)
    n += (size_t)snprintf(buf + n, cap - n,
                          "{\"scene\": \"s%d\", \"content\": [{\"User\": \"hello %d\"}, "
                          "{\"AI Strategy\": \"Affirmation\", \"AI\": \"fine %d\"}]}, ",
                          i, i, i);
  size_t col = n + 1; /* the ']' where a value must come */
  n += (size_t)snprintf(buf + n, cap - n, "]");
  const char *path = write_temp(dir, "oneline.json", buf, n);
  CHECK(load(path, &err) == NULL);
  snprintf(want, sizeof want, "%s:1:%zu: malformed JSON\n", path, col);
  CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);
  CHECK(strstr(err.msg, "...") && strstr(err.msg, "fine 39\"}]}, ]"));
  /* the caret sits under the ']' */
  const char *window = strstr(err.msg, "| ..."), *caret = strrchr(err.msg, '^');
  const char *bracket = window ? strrchr(window, ']') : NULL;
  const char *caret_line = caret ? caret : NULL;
  while (caret_line && caret_line > err.msg && caret_line[-1] != '\n') caret_line--;
  const char *window_line = window;
  while (window_line && window_line > err.msg && window_line[-1] != '\n') window_line--;
  CHECK(bracket && caret && bracket - window_line == caret - caret_line);

  const char *eof = "[\n {\"scene\": \"x\", \"content\": [\n";
  path = write_temp(dir, "eof.json", eof, strlen(eof));
  CHECK(load(path, &err) == NULL);
  CHECK_MSG(strstr(err.msg, "malformed JSON: unexpected end of file") != NULL, "got: %s", err.msg);

  const char nul[] = "[{\"scene\": \"x\"}]\0";
  path = write_temp(dir, "nul.json", nul, sizeof nul - 1);
  CHECK(load(path, &err) == NULL);
  snprintf(want, sizeof want, "%s:1:17: malformed JSON: NUL byte", path);
  CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);

  const char *garbage = "[{\"content\": [{\"User\": \"a\"}]}]\n]";
  path = write_temp(dir, "garbage.json", garbage, strlen(garbage));
  CHECK(load(path, &err) == NULL);
  snprintf(want, sizeof want, "%s:2:1: malformed JSON", path);
  CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "got: %s", err.msg);

  /* invalid UTF-8 in a label and in a scene */
  const char *badlabel = "[{\"content\": [{\"User\": \"a\"}, {\"AI Strategy\": \"Aff\xe9\", \"AI\": \"b\"}]}]";
  path = write_temp(dir, "badlabel.json", badlabel, strlen(badlabel));
  CHECK(load(path, &err) == NULL);
  CHECK_MSG(strstr(err.msg, "invalid UTF-8 in [0].content[1].AI Strategy") != NULL, "got: %s",
            err.msg);
  const char *badscene = "[{\"scene\": \"\xed\xa0\x80\", \"content\": [{\"User\": \"a\"}]}]";
  path = write_temp(dir, "badscene.json", badscene, strlen(badscene));
  CHECK(load(path, &err) == NULL);
  CHECK_MSG(strstr(err.msg, "invalid UTF-8 in [0].scene") != NULL, "got: %s", err.msg);
  /* valid multi-byte text and \u escapes pass */
  const char *good = "[{\"scene\": \"caf\xc3\xa9 \\u00e9 \\ud83d\\ude00 \xf0\x9f\x98\x80\", "
                     "\"content\": [{\"User\": \"a\"}]}]";
  path = write_temp(dir, "good.json", good, strlen(good));
  es_dataset *ds = load(path, &err);
  CHECK_MSG(ds != NULL, "got: %s", err.msg);
  if (ds) CHECK_STR(ds->dialogues[0].scenario, "caf\xc3\xa9 \xc3\xa9 \xf0\x9f\x98\x80 \xf0\x9f\x98\x80");
  es_dataset_free(ds);
  /* a byte order mark is skipped */
  const char *bom = "\xEF\xBB\xBF[{\"content\": [{\"User\": \"a\"}]}]";
  path = write_temp(dir, "bom.json", bom, strlen(bom));
  ds = load(path, &err);
  CHECK_MSG(ds && ds->n == 1, "bom: %s", err.msg);
  es_dataset_free(ds);
  free(buf);
}

/* A synthetic file shaped like the real one (11,177 dialogues, 18 turns of
 * about 22 words, 44 MB): the load time is printed and bounded loosely. */
static void test_speed(const char *dir) {
  static const char *const words[] = {"I", "feel", "so", "tired", "of", "everything", "and",
                                      "my", "friends", "don't", "understand", "what", "it's",
                                      "like", "to", "carry", "this", "every", "single", "day"};
  size_t cap = 64u << 20, n = 0;
  char *buf = malloc(cap);
  unsigned seed = 1;
  buf[n++] = '[';
  for (int d = 0; d < 11177; d++) {
    n += (size_t)snprintf(buf + n, cap - n,
                          "%s{\"scene\": \"Scene %d\", \"description\": \"Situation %d of a "
                          "synthetic dialogue written for the speed test.\", \"content\": [",
                          d ? ", " : "", d % 36, d);
    for (int t = 0; t < 18; t++) {
      const char *fmt = t % 2 ? "%s{\"AI Strategy\": \"%s\", \"AI\": \"" : "%s{\"User\": \"";
      n += (size_t)snprintf(buf + n, cap - n, fmt, t ? ", " : "",
                            labels.names[(size_t)(d + t) % labels.n]);
      n += (size_t)snprintf(buf + n, cap - n, "%d.%d", d, t);
      for (int w = 0; w < 28; w++) {
        seed = seed * 1103515245u + 12345u;
        n += (size_t)snprintf(buf + n, cap - n, " %s", words[(seed >> 16) % 20]);
      }
      n += (size_t)snprintf(buf + n, cap - n, "\"}");
    }
    n += (size_t)snprintf(buf + n, cap - n, "]}");
  }
  buf[n++] = ']';
  const char *path = write_temp(dir, "big.json", buf, n);
  free(buf);
  es_error err;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  es_dataset *ds = load(path, &err);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  CHECK_MSG(ds != NULL, "load: %s", err.msg);
  if (ds) {
    CHECK_INT(ds->n, 11177);
    CHECK_INT(ds->ncounts, 0);
    fprintf(stderr, "speed: %zu dialogues, %.1f MB in %.3f s\n", ds->n, (double)n / 1e6, secs);
  }
  CHECK(secs < 10.0); /* loose: sanitizer builds on a busy machine; about 0.3 s in release */
  es_dataset_free(ds);
  unlink(path);
}

int main(void) {
  char dir[] = "/tmp/esbench-test-extes-XXXXXX";
  if (!mkdtemp(dir)) return 1;
  test_load_labels("extes.yaml", &labels);
  CHECK_INT(labels.n, 16);
  test_clean();
  test_quirks();
  test_errors();
  test_positions(dir);
  test_speed(dir);
  es_labelset_release(&labels);
  char cmd[1100];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
  return test_finish("extes");
}
