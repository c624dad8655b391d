/*
 * test_suite.c: loading and validating suites.
 *
 * The error cases are data: every tests/fixtures/suites/bad/NAME.yaml opens
 * with comment lines that say what loading it must report:
 *
 *   # what the case is about
 *   # env: NAME=value      set before loading (any number)
 *   # unset: NAME          unset before loading (any number)
 *   # file: ../labels/x.yaml   the error is in this file (relative to the
 *                              fixture's folder), not in the fixture
 *   # expect: LINE:COL: message fragment   (TESTS stands for the tests dir)
 *
 * and the test checks "file:LINE:COL: " and the fragment on the first line
 * of the message, the quoted source line on the second and the caret under
 * COL on the third. To add a case, add a file. The good fixtures and the
 * shipped suites are checked field by field below.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcode.h"
#include "suite.h"
#include "testlib.h"

static char *path_join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  snprintf(p, n, "%s/%s", a, b);
  return p;
}

/* "TESTS" in s replaced by the tests folder. */
static char *with_tests_dir(const char *s) {
  const char *t = strstr(s, "TESTS");
  if (!t) return strdup(s);
  const char *dir = test_tests_dir();
  size_t n = strlen(s) + strlen(dir) + 1;
  char *out = malloc(n);
  snprintf(out, n, "%.*s%s%s", (int)(t - s), s, dir, t + 5);
  return out;
}

/* Line number line (1-based) of file, malloc'ed, without its newline. */
static char *file_line(const char *file, size_t line) {
  size_t len;
  char *buf = test_read_file(file, &len);
  if (!buf) return NULL;
  char *p = buf;
  for (size_t l = 1; l < line && p; l++) {
    p = strchr(p, '\n');
    if (p) p++;
  }
  char *out = p ? strndup(p, strcspn(p, "\r\n")) : NULL;
  free(buf);
  return out;
}

static int is_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return 0;
  return 1;
}

/* One bad fixture: loads it and checks the message against its header. */
static void check_bad(const char *dir, const char *name) {
  char *path = path_join(dir, name), *errfile = NULL, *expect = NULL;
  size_t len, nlines, line = 0, col = 0;
  char *buf = test_read_file(path, &len);
  CHECK_MSG(buf != NULL, "cannot read %s", path);
  if (!buf) goto out;
  char **lines = test_split_lines(buf, &nlines);
  char *setvars[8];
  size_t nset = 0;
  for (size_t i = 0; i < nlines && lines[i][0] == '#'; i++) {
    const char *l = lines[i];
    if (!strncmp(l, "# env: ", 7) && nset < 8) {
      char *kv = strdup(l + 7), *eq = strchr(kv, '=');
      *eq = '\0';
      setenv(kv, eq + 1, 1);
      setvars[nset++] = kv;
    } else if (!strncmp(l, "# unset: ", 9)) {
      unsetenv(l + 9);
    } else if (!strncmp(l, "# file: ", 8)) {
      errfile = path_join(dir, l + 8);
    } else if (!strncmp(l, "# expect: ", 10)) {
      int off = 0;
      if (sscanf(l + 10, "%zu:%zu: %n", &line, &col, &off) == 2 && off > 0)
        expect = with_tests_dir(l + 10 + off);
    }
  }
  free(lines);
  free(buf);
  CHECK_MSG(expect != NULL, "%s: no '# expect: LINE:COL: message' line", name);
  if (!expect) goto out;
  if (!errfile) errfile = strdup(path);

  es_suite *s = (es_suite *)1;
  es_error err = {0};
  int rc = es_suite_load(path, &s, &err);
  for (size_t i = 0; i < nset; i++) {
    unsetenv(setvars[i]);
    free(setvars[i]);
  }
  CHECK_MSG(rc == -1 && s == NULL, "%s: loaded without an error", name);
  if (rc != -1) {
    if (rc == 0) es_suite_free(s);
    goto out;
  }
  CHECK_MSG(err.exit == ES_EXIT_USAGE, "%s: exit %d", name, err.exit);

  /* first line: file:line:col: message */
  char prefix[4096];
  snprintf(prefix, sizeof prefix, "%s:%zu:%zu: ", errfile, line, col);
  char *nl = strchr(err.msg, '\n');
  size_t first = nl ? (size_t)(nl - err.msg) : strlen(err.msg);
  char *msg1 = strndup(err.msg, first);
  CHECK_MSG(strncmp(msg1, prefix, strlen(prefix)) == 0, "%s: expected the prefix '%s', got '%s'",
            name, prefix, msg1);
  CHECK_MSG(strstr(msg1, expect) != NULL, "%s: expected '%s' in '%s'", name, expect, msg1);
  free(msg1);

  /* then the source line and the caret under the column */
  char *text = file_line(errfile, line);
  char want[2048], caret[1024];
  size_t k = 0;
  for (size_t i = 0; text && i + 1 < col && text[i] && k + 2 < sizeof caret; i++)
    caret[k++] = text[i] == '\t' ? '\t' : ' ';
  caret[k++] = '^';
  caret[k] = '\0';
  if (text && is_ascii(text))
    snprintf(want, sizeof want, "\n %5zu | %s\n       | %s", line, text, caret);
  else
    snprintf(want, sizeof want, "\n %5zu | ", line); /* non-ASCII lines are sanitised */
  CHECK_MSG(nl && strncmp(nl, want, strlen(want)) == 0, "%s: expected the quoted line%s\ngot:\n%s",
            name, want, err.msg);
  if (text && !is_ascii(text))
    CHECK_MSG(nl && strstr(nl, "\n       | ") && strchr(nl, '^'), "%s: no caret in\n%s", name,
              err.msg);
  free(text);
out:
  free(path);
  free(errfile);
  free(expect);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_bad_fixtures(void) {
  char *dir = path_join(test_tests_dir(), "fixtures/suites/bad");
  DIR *d = opendir(dir);
  CHECK_MSG(d != NULL, "cannot open %s", dir);
  if (!d) {
    free(dir);
    return;
  }
  char **names = NULL;
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml")) {
      names = realloc(names, (n + 1) * sizeof *names);
      names[n++] = strdup(e->d_name);
    }
  }
  closedir(d);
  qsort(names, n, sizeof *names, by_name);
  int before = test_failures;
  for (size_t i = 0; i < n; i++) {
    check_bad(dir, names[i]);
    free(names[i]);
  }
  free(names);
  free(dir);
  CHECK(n >= 60);
  printf("bad fixtures: %zu checked, %s\n", n,
         test_failures == before ? "all as expected" : "FAILURES");
}

static const char *source_dir(void) {
  static char buf[PATH_MAX];
  const char *s = getenv("ESBENCH_SRC");
  if (s && *s) return s;
  snprintf(buf, sizeof buf, "%s/..", test_tests_dir());
  return buf;
}

static es_suite *load_ok(const char *path) {
  es_suite *s = NULL;
  es_error err = {0};
  int rc = es_suite_load(path, &s, &err);
  CHECK_MSG(rc == 0 && s, "loading %s: %s", path, err.msg);
  return rc == 0 ? s : NULL;
}

/* The shipped suites, with their ${ESBENCH_*_PATH:-} unset, set, empty. */
static void test_shipped(const char *which, const char *var, const char *file, size_t nlabels,
                         size_t naliases) {
  char rel[64], *path;
  snprintf(rel, sizeof rel, "suites/%s.yaml", which);
  path = path_join(source_dir(), rel);
  char *dir = path_join(source_dir(), "suites");

  unsetenv(var);
  es_suite *s = load_ok(path);
  if (s) {
    CHECK_STR(s->name, which);
    CHECK_STR(s->dataset.name, which);
    CHECK_STR(s->dataset.file, file);
    CHECK(s->dataset.path == NULL);
    CHECK_STR(s->dataset.split, "test");
    CHECK(s->dataset.ratio[0] == 8 && s->dataset.ratio[1] == 1 && s->dataset.ratio[2] == 1);
    CHECK(s->dataset.split_file == NULL);
    CHECK_INT(s->dataset.context_turns, 8);
    CHECK_INT(s->dataset.max_instances, 0);
    char *want = path_join(dir, "prompts");
    CHECK(strncmp(s->task.prompt_file, want, strlen(want)) == 0);
    free(want);
    CHECK(strncmp(s->task.prompt, "You are a supportive listener", 29) == 0);
    CHECK_STR(s->task.reply_format, "[Strategy] reply");
    CHECK_STR(s->task.strategy_pattern, "^\\s*\\[([^\\]\\[]{1,80})\\]\\s*");
    snprintf(rel, sizeof rel, "labels/%s.yaml", which);
    want = path_join(dir, rel);
    CHECK_STR(s->labels_file, want);
    free(want);
    CHECK_INT(s->labels.n, nlabels);
    CHECK_INT(s->labels.nalias, naliases);
    CHECK_INT(s->nmodels, 3);
    if (s->nmodels == 3) {
      CHECK_STR(s->models[0].name, "retrieval");
      CHECK_STR(s->models[1].builtin, "majority");
      CHECK_STR(s->models[2].builtin, "reference");
      CHECK(s->models[0].type == ES_MODEL_BUILTIN && s->models[0].path == NULL);
    }
    CHECK_STR(s->metrics.profile, "esconv");
    CHECK_INT(s->metrics.nnames, 9);
    if (s->metrics.nnames == 9) {
      CHECK_STR(s->metrics.names[0], "bleu-1");
      CHECK_STR(s->metrics.names[8], "strategy");
    }
    CHECK_INT(s->judge.enabled, 0);
    CHECK_STR(s->stats.baseline, "retrieval");
    CHECK_INT(s->stats.seed, 12345);
    CHECK_INT(s->stats.bootstrap, 1000);
    CHECK_INT(s->stats.permutations, 10000);
    CHECK_NEAR(s->stats.alpha, 0.05, 0);
    CHECK_STR(s->report.dir, "runs");
    CHECK(s->report.nformats == 3 && !strcmp(s->report.formats[2], "html"));
    CHECK(es_suite_model(s, "majority") == &s->models[1]);
    CHECK(es_suite_model(s, "gpt") == NULL);
    es_suite_free(s);
  }

  /* an absolute path is kept; a relative one is the suite folder's */
  setenv(var, "/data/x.json", 1);
  if ((s = load_ok(path))) CHECK_STR(s->dataset.path, "/data/x.json");
  es_suite_free(s);
  setenv(var, "data/x.json", 1);
  if ((s = load_ok(path))) {
    char *want = path_join(dir, "data/x.json");
    CHECK_STR(s->dataset.path, want);
    free(want);
  }
  es_suite_free(s);
  setenv(var, "", 1);
  if ((s = load_ok(path))) CHECK(s->dataset.path == NULL);
  es_suite_free(s);
  unsetenv(var);
  free(dir);
  free(path);
}

static char *good(const char *name) {
  char rel[256];
  snprintf(rel, sizeof rel, "fixtures/suites/good/%s", name);
  return path_join(test_tests_dir(), rel);
}

static void test_defaults(void) {
  char *path = good("minimal.yaml"), *dir = good("");
  dir[strlen(dir) - 1] = '\0';
  es_suite *s = load_ok(path);
  if (s) {
    CHECK_STR(s->path, path);
    CHECK_STR(s->dir, dir);
    CHECK_STR(s->name, "minimal");
    CHECK(s->description == NULL);
    CHECK_STR(s->dataset.file, "ESConv.json");
    CHECK(s->dataset.path == NULL && s->dataset.split_file == NULL);
    CHECK_STR(s->dataset.split, "test");
    CHECK(s->dataset.ratio[0] == 8 && s->dataset.ratio[1] == 1 && s->dataset.ratio[2] == 1);
    CHECK_INT(s->dataset.context_turns, 8);
    CHECK_INT(s->dataset.max_instances, 0);
    CHECK_STR(s->task.prompt, "You are a supportive listener. Strategies:\n{{strategies}}\n");
    CHECK_STR(s->task.reply_format, "[Strategy] reply");
    CHECK_STR(s->task.strategy_pattern, "^\\s*\\[([^\\]\\[]{1,80})\\]\\s*");
    CHECK_STR(s->metrics.profile, "esconv");
    CHECK_INT(s->metrics.nnames, 9);
    CHECK_INT(s->judge.enabled, 0);
    CHECK_STR(s->stats.baseline, "majority");
    CHECK_INT(s->stats.seed, 12345);
    CHECK_INT(s->stats.bootstrap, 1000);
    CHECK_INT(s->stats.permutations, 10000);
    CHECK_NEAR(s->stats.alpha, 0.05, 0);
    CHECK_STR(s->report.dir, "runs");
    CHECK(s->report.nformats == 2 && !strcmp(s->report.formats[0], "json") &&
          !strcmp(s->report.formats[1], "csv"));
    CHECK(s->nmodels == 1 && s->models[0].reply == NULL);
    CHECK(s->models[0].line == 8 && s->models[0].col == 5);
  }
  es_suite_free(s);
  free(path);
  free(dir);
}

/* Every key away from its default, values built by ${VAR} expansion. */
static void test_full(void) {
  char *path = good("full.yaml");
  setenv("ESBENCH_TEST_SET", "set-value", 1);
  setenv("ESBENCH_TEST_EMPTY", "", 1);
  unsetenv("ESBENCH_TEST_UNSET");
  es_suite *s = load_ok(path);
  if (s) {
    char *want;
    CHECK_STR(s->name, "full-set-value");
    CHECK_STR(s->description, "costs $5, nested default; a lone $ stays");
    CHECK_STR(s->dataset.name, "extes");
    CHECK_STR(s->dataset.file, "Other.json"); /* set but empty: the default */
    CHECK_STR(s->dataset.path, want = good("data/set-value.json"));
    free(want);
    CHECK_STR(s->dataset.split, "valid");
    CHECK(s->dataset.ratio[0] == 7 && s->dataset.ratio[1] == 2 && s->dataset.ratio[2] == 1);
    CHECK_STR(s->dataset.split_file, want = good("splits/ids.tsv"));
    free(want);
    CHECK_INT(s->dataset.context_turns, 0);
    CHECK_INT(s->dataset.max_instances, 25);
    CHECK_STR(s->task.reply_format, "{strategy}: {reply}");
    CHECK_STR(s->task.strategy_pattern, "^(\\w+):\\s*$");
    CHECK_INT(s->nmodels, 4);
    if (s->nmodels == 4) {
      CHECK_STR(s->models[0].builtin, "reference");
      CHECK_STR(s->models[1].reply, "I hear you.");
      CHECK_STR(s->models[2].name, "replayed:v1.2");
      CHECK(s->models[2].type == ES_MODEL_REPLAY && s->models[2].builtin == NULL);
      CHECK_STR(s->models[2].path, want = good("replies/a.jsonl"));
      free(want);
      CHECK_STR(s->models[3].path, "/tmp/esbench-abs.jsonl");
      CHECK(s->models[2].line == 32 && s->models[2].col == 5);
    }
    CHECK_STR(s->metrics.profile, "sacrebleu");
    CHECK(s->metrics.nnames == 4 && !strcmp(s->metrics.names[1], "sentence-bleu") &&
          !strcmp(s->metrics.names[3], "length"));
    CHECK_INT(s->judge.enabled, 0);
    CHECK_STR(s->stats.baseline, "most-common");
    CHECK(s->stats.seed == ULONG_MAX);
    CHECK_INT(s->stats.bootstrap, 200);
    CHECK_INT(s->stats.permutations, 500); /* a quoted number is a number */
    CHECK_NEAR(s->stats.alpha, 0.01, 0);
    CHECK_STR(s->report.dir, "out");
    CHECK(s->report.nformats == 1 && !strcmp(s->report.formats[0], "csv"));
  }
  es_suite_free(s);
  unsetenv("ESBENCH_TEST_SET");
  unsetenv("ESBENCH_TEST_EMPTY");
  free(path);
}

/* A byte order mark, flow mappings, an anchor, null sections; CR LF. */
static void test_bom(void) {
  char *path = good("bom.yaml");
  es_suite *s = load_ok(path);
  if (s) {
    CHECK_STR(s->name, "bom");
    CHECK(s->description == NULL);
    CHECK_STR(s->dataset.split, "train");
    CHECK_INT(s->nmodels, 2);
    CHECK_STR(s->stats.baseline, "s");
    CHECK(s->models[0].line == 6 && s->models[0].col == 5);
  }
  es_suite_free(s);
  free(path);

  path = good("crlf.yaml"); /* minimal.yaml with CR LF line ends */
  if ((s = load_ok(path))) {
    CHECK_STR(s->name, "crlf");
    CHECK_STR(s->dataset.name, "esconv");
    CHECK(s->models[0].line == 8 && s->models[0].col == 5);
  }
  es_suite_free(s);
  free(path);
}

/* Paths relative to a suite named without a folder stay relative. */
static void test_cwd(void) {
  char cwd[PATH_MAX], *dir = good("");
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  CHECK(chdir(dir) == 0);
  es_suite *s = load_ok("minimal.yaml");
  if (s) {
    CHECK_STR(s->dir, ".");
    CHECK_STR(s->labels_file, "../labels/good.yaml");
    CHECK_STR(s->task.prompt_file, "../prompts/p.txt");
  }
  es_suite_free(s);
  CHECK(chdir(cwd) == 0);
  free(dir);
}

static void test_files(void) {
  es_suite *s = (es_suite *)1;
  es_error err = {0};
  CHECK_INT(es_suite_load("nothere.yaml", &s, &err), -1);
  CHECK(s == NULL);
  CHECK_STR(err.msg, "cannot open 'nothere.yaml': No such file or directory");
  CHECK_INT(err.exit, ES_EXIT_USAGE);

  char *dir = path_join(test_tests_dir(), "fixtures/suites/good"), want[4096];
  CHECK_INT(es_suite_load(dir, &s, &err), -1);
  snprintf(want, sizeof want, "cannot read '%s': Is a directory", dir);
  CHECK_STR(err.msg, want);
  free(dir);

  es_labelset ls = {0};
  CHECK_INT(es_suite_load_labels("nothere.yaml", &ls, &err), -1);
  CHECK_STR(err.msg, "cannot open 'nothere.yaml': No such file or directory");
  CHECK(ls.n == 0 && ls.names == NULL);
  char *lf = path_join(test_tests_dir(), "fixtures/suites/labels/bad-alias.yaml");
  CHECK_INT(es_suite_load_labels(lf, &ls, &err), -1);
  CHECK(strstr(err.msg, "bad-alias.yaml:6:20: alias 'Direct Guidance' names an unknown") != NULL);
  CHECK(ls.n == 0 && ls.names == NULL);
  free(lf);
  lf = path_join(test_tests_dir(), "fixtures/suites/labels/good.yaml");
  CHECK_INT(es_suite_load_labels(lf, &ls, &err), 0);
  CHECK_INT(ls.n, 4);
  CHECK_INT(es_labelset_find(&ls, "RESTATEMENT", 11), 1);
  es_labelset_release(&ls);
  free(lf);

  es_suite_free(NULL);
  CHECK(es_suite_model(NULL, "x") == NULL);
}

/* openai and exec models: their keys, defaults and canonical params. */
static void test_servers(void) {
  char *path = good("servers.yaml");
  unsetenv("ESBENCH_TEST_ORG");
  es_suite *s = load_ok(path);
  if (s && s->nmodels == 3) {
    const es_model_cfg *m = &s->models[0];
    CHECK(m->type == ES_MODEL_OPENAI);
    CHECK_STR(es_model_type_name(m->type), "openai");
    CHECK_STR(m->base_url, "http://127.0.0.1:8000/v1");
    CHECK_STR(m->model, "Qwen2.5-7B-Instruct");
    CHECK_STR(m->api_key_env, "ESBENCH_TEST_KEY");
    /* keys sorted, typed as YAML reads plain scalars; quoted ones stay strings */
    CHECK_STR(m->params_json,
              "{\"echo\":false,\"logit_bias\":{\"50256\":-100},\"max_tokens\":256,"
              "\"note\":null,\"seed\":7,\"stop\":[\"\\n\\n\",\"END\"],\"temperature\":0,"
              "\"top_p\":0.9,\"user\":\"0\"}");
    CHECK(m->nheaders == 1 && !strcmp(m->headers[0], "X-Org: acme"));
    CHECK_INT(m->concurrency, 32);
    CHECK_NEAR(m->timeout, 30, 0);
    CHECK_NEAR(m->connect_timeout, 2.5, 0);
    CHECK_INT(m->retries, 9);
    CHECK_NEAR(m->retry_total, 120, 0);
    CHECK_NEAR(m->rpm, 600, 0);
    CHECK_NEAR(m->tpm, 100000, 0);
    m = &s->models[1];
    CHECK_STR(m->model, "defaults"); /* the model's own name */
    CHECK(m->api_key_env == NULL && m->nheaders == 0);
    CHECK_STR(m->params_json, "{}");
    CHECK_INT(m->concurrency, 8);
    CHECK_NEAR(m->timeout, 120, 0);
    CHECK_NEAR(m->connect_timeout, 10, 0);
    CHECK_INT(m->retries, 5);
    CHECK_NEAR(m->retry_total, 600, 0);
    CHECK(m->rpm == 0 && m->tpm == 0);
    m = &s->models[2];
    CHECK(m->type == ES_MODEL_EXEC);
    CHECK(m->ncommand == 4 && m->command[4] == NULL);
    if (m->ncommand == 4) {
      CHECK_STR(m->command[0], "python3");
      CHECK_STR(m->command[3], "0");
    }
    CHECK_INT(m->workers, 4);
    CHECK_NEAR(m->timeout, 15, 0);
    CHECK_NEAR(m->start_timeout, 90, 0);
    CHECK_INT(m->max_restarts, 2);
    CHECK_STR(m->params_json, "{\"max_tokens\":64}");
    CHECK(m->base_url == NULL && m->model == NULL);
  } else {
    CHECK_MSG(0, "servers.yaml: expected 3 models");
  }
  es_suite_free(s);
  free(path);
}

int main(void) {
  test_bad_fixtures();
  test_shipped("extes", "ESBENCH_EXTES_PATH", "ExTES.json", 16, 9);
  test_shipped("esconv", "ESBENCH_ESCONV_PATH", "ESConv.json", 8, 6);
  test_defaults();
  test_full();
  test_servers();
  test_bom();
  test_cwd();
  test_files();
  return test_finish("suite");
}
