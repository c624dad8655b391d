/*
 * testlib: the few helpers every esbench unit test uses.
 *
 * A test is a main() that calls CHECK* macros; each failure prints
 * file:line and the values, and test_finish() returns the exit status
 * (0 all passed, 1 any failed). A test that needs ../shared calls
 * test_shared_dir(), which exits 77 (ctest's skip code) with a message when
 * the folder is absent, unless ESBENCH_REQUIRE_SHARED=1 (CI) makes that a
 * failure.
 */
#ifndef ESBENCH_TESTLIB_H
#define ESBENCH_TESTLIB_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "labels.h"

extern int test_checks;
extern int test_failures;

void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                        \
  do {                                                                     \
    test_checks++;                                                         \
    if (!(cond)) test_fail(__FILE__, __LINE__, "check failed: %s", #cond); \
  } while (0)

#define CHECK_MSG(cond, ...)                                 \
  do {                                                       \
    test_checks++;                                           \
    if (!(cond)) test_fail(__FILE__, __LINE__, __VA_ARGS__); \
  } while (0)

#define CHECK_INT(a, b)                                                      \
  do {                                                                       \
    long long a_ = (long long)(a), b_ = (long long)(b);                      \
    test_checks++;                                                           \
    if (a_ != b_)                                                            \
      test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); \
  } while (0)

#define CHECK_STR(a, b)                                                       \
  do {                                                                        \
    const char *a_ = (a), *b_ = (b);                                          \
    test_checks++;                                                            \
    if (!a_ || !b_ || strcmp(a_, b_) != 0)                                    \
      test_fail(__FILE__, __LINE__, "%s == %s: '%s' != '%s'", #a, #b,         \
                a_ ? a_ : "(null)", b_ ? b_ : "(null)");                      \
  } while (0)

/* |a - b| <= tol * max(1, |b|) (relative for large values, absolute near 0) */
#define CHECK_NEAR(a, b, tol)                                                  \
  do {                                                                         \
    double a_ = (a), b_ = (b);                                                 \
    test_checks++;                                                             \
    if (!test_near(a_, b_, (tol)))                                             \
      test_fail(__FILE__, __LINE__, "%s ~ %s: %.17g != %.17g", #a, #b, a_, b_); \
  } while (0)

int test_near(double a, double b, double tol);

/* The shared folder (ESBENCH_SHARED), or exit 77 with a message naming why. */
const char *test_shared_dir(void);
/* The shared folder, or NULL with a note naming what is skipped (the test
 * goes on with what needs no ../shared); under ESBENCH_REQUIRE_SHARED=1 an
 * absent folder is a failure instead. */
const char *test_shared_dir_opt(const char *skipped);
/* Loads the shipped label set suites/labels/FILE into ls (zeroed) with the
 * suite loader; exits 1 with the loader's message when it cannot. */
void test_load_labels(const char *file, es_labelset *ls);
/* The node of o at a dot-separated key path ("a.b.c"; keys compared
 * exactly), or NULL. */
cJSON *test_json_at(cJSON *o, const char *dotted);
/* The folder of golden set `set` into out: tests/golden/SET when it is
 * there (synth is copied into the project), else ESBENCH_SHARED/golden/SET.
 * 1 when it exists, else 0. */
int test_golden_dir(const char *set, char *out, size_t cap);
/* The tests folder (ESBENCH_TESTS, else the source tree's tests/). */
const char *test_tests_dir(void);
/* Whole file into a NUL-terminated malloc'ed buffer (size in *len), or NULL. */
char *test_read_file(const char *path, size_t *len);
/* Split a buffer into lines in place ('\n' ends a line; the final newline
 * does not start an empty line). Returns a malloc'ed array; count in *n. */
char **test_split_lines(char *buf, size_t *n);
/* Print the tally and return the process exit status. */
int test_finish(const char *name);

#endif
