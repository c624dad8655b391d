/* testlib: assertion tally and file helpers for esbench's unit tests. */
#include "testlib.h"

#include "suite.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>

int test_checks;
int test_failures;

void test_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  test_failures++;
  if (test_failures > 50) return; /* keep a broken run readable */
  fprintf(stderr, "%s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int test_near(double a, double b, double tol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (isinf(a) || isinf(b)) return a == b;
  double scale = fabs(b) > 1.0 ? fabs(b) : 1.0;
  return fabs(a - b) <= tol * scale;
}

const char *test_shared_dir(void) {
  const char *d = getenv("ESBENCH_SHARED");
  const char *req = getenv("ESBENCH_REQUIRE_SHARED");
  struct stat st;
  if (d && *d && stat(d, &st) == 0 && S_ISDIR(st.st_mode)) return d;
  if (req && strcmp(req, "1") == 0) {
    fprintf(stderr, "shared data folder '%s' is missing but ESBENCH_REQUIRE_SHARED=1\n",
            d ? d : "(unset)");
    exit(1);
  }
  fprintf(stderr, "SKIP: shared data folder '%s' is absent (tests on ../shared data skipped)\n",
          d ? d : "(unset)");
  exit(77);
}

const char *test_shared_dir_opt(const char *skipped) {
  const char *d = getenv("ESBENCH_SHARED");
  const char *req = getenv("ESBENCH_REQUIRE_SHARED");
  struct stat st;
  if (d && *d && stat(d, &st) == 0 && S_ISDIR(st.st_mode)) return d;
  if (req && strcmp(req, "1") == 0) return test_shared_dir(); /* fails */
  printf("SKIP (part): shared data folder '%s' is absent: %s not checked\n", d ? d : "(unset)",
         skipped);
  return NULL;
}

const char *test_tests_dir(void) {
  const char *d = getenv("ESBENCH_TESTS");
  return d && *d ? d : ESBENCH_SOURCE_DIR "/tests";
}

void test_load_labels(const char *file, es_labelset *ls) {
  char path[1024];
  es_error err = {0};
  snprintf(path, sizeof path, "%s/../suites/labels/%s", test_tests_dir(), file);
  if (es_suite_load_labels(path, ls, &err) != 0) {
    fprintf(stderr, "%s\n", err.msg);
    exit(1);
  }
}

cJSON *test_json_at(cJSON *o, const char *dotted) {
  char key[256];
  while (o && *dotted) {
    size_t k = strcspn(dotted, ".");
    if (k >= sizeof key) return NULL;
    memcpy(key, dotted, k);
    key[k] = '\0';
    o = cJSON_GetObjectItemCaseSensitive(o, key);
    dotted += k + (dotted[k] == '.');
  }
  return o;
}

static int is_dir(const char *p) {
  struct stat st;
  return p && *p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int test_golden_dir(const char *set, char *out, size_t cap) {
  snprintf(out, cap, "%s/golden/%s", test_tests_dir(), set);
  if (is_dir(out)) return 1;
  const char *sh = getenv("ESBENCH_SHARED");
  if (!is_dir(sh)) return 0;
  snprintf(out, cap, "%s/golden/%s", sh, set);
  return is_dir(out);
}

char *test_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t cap = 0, n = 0;
  if (!f) return NULL;
  for (;;) {
    if (n + 65536 + 1 > cap) {
      cap = cap ? cap * 2 : 131072;
      char *nb = realloc(buf, cap);
      if (!nb) { free(buf); fclose(f); return NULL; }
      buf = nb;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  fclose(f);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

char **test_split_lines(char *buf, size_t *n) {
  size_t cap = 1024, k = 0;
  char **lines = malloc(cap * sizeof *lines);
  char *p = buf;
  while (lines && *p) {
    char *nl = strchr(p, '\n');
    if (k == cap) {
      cap *= 2;
      char **nl2 = realloc(lines, cap * sizeof *lines);
      if (!nl2) { free(lines); return NULL; }
      lines = nl2;
    }
    lines[k++] = p;
    if (!nl) break;
    *nl = '\0';
    p = nl + 1;
  }
  *n = k;
  return lines;
}

int test_finish(const char *name) {
  printf("%s: %d checks, %d failed\n", name, test_checks, test_failures);
  return test_failures ? 1 : 0;
}
