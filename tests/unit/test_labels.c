/*
 * test_labels.c: label sets: folded lookup (case, white space), aliases,
 * growth of the hash table, the shipped label set files, and the cost of a
 * lookup.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "labels.h"
#include "suite.h"
#include "testlib.h"

static long find(const es_labelset *ls, const char *s) {
  return es_labelset_find(ls, s, strlen(s));
}

static void test_basic(void) {
  es_labelset ls = {0};
  CHECK_INT(find(&ls, "Question"), -1); /* empty set */
  CHECK_INT(es_labelset_add(&ls, "Question"), 0);
  CHECK_INT(es_labelset_add(&ls, "Avoid Judgment And Criticism"), 0);
  CHECK_INT(es_labelset_add(&ls, "Self-disclosure"), 0);
  CHECK_INT(ls.n, 3);
  CHECK_STR(ls.names[1], "Avoid Judgment And Criticism");

  CHECK_INT(find(&ls, "Question"), 0);
  CHECK_INT(find(&ls, "question"), 0);
  CHECK_INT(find(&ls, "QUESTION"), 0);
  CHECK_INT(find(&ls, "Avoid Judgment and Criticism"), 1);
  CHECK_INT(find(&ls, "avoid  judgment AND criticism"), 1);
  CHECK_INT(find(&ls, " \t Avoid\tJudgment\r\n And Criticism \n"), 1);
  CHECK_INT(find(&ls, "Self-Disclosure"), 2);
  CHECK_INT(find(&ls, "Self Disclosure"), -1); /* hyphens are not folded: that is an alias */
  CHECK_INT(find(&ls, "AvoidJudgment And Criticism"), -1);
  CHECK_INT(find(&ls, "Questions"), -1);
  CHECK_INT(find(&ls, "Quest"), -1);
  CHECK_INT(find(&ls, ""), -1);
  CHECK_INT(find(&ls, "   "), -1);
  /* only n bytes count: no NUL terminator needed */
  CHECK_INT(es_labelset_find(&ls, "Questionnaire", 8), 0);
  CHECK_INT(es_labelset_find(&ls, "Question\0x", 10), -1);
  /* non-ASCII bytes are compared as they are */
  CHECK_INT(find(&ls, "Qu\xc3\xa9stion"), -1);

  CHECK_INT(es_labelset_add_alias(&ls, "Questions", 0), 0);
  CHECK_INT(es_labelset_add_alias(&ls, "Self Disclosure", 2), 0);
  CHECK_INT(es_labelset_add_alias(&ls, "nowhere", 3), -1); /* no such name */
  CHECK_INT(ls.nalias, 2);
  CHECK_STR(ls.alias_from[1], "Self Disclosure");
  CHECK_INT(ls.alias_to[1], 2);
  CHECK_INT(find(&ls, "questions"), 0);
  CHECK_INT(find(&ls, "  SELF   disclosure"), 2);

  /* a spelling already present keeps its first meaning */
  CHECK_INT(es_labelset_add_alias(&ls, "QUESTION", 2), 0);
  CHECK_INT(find(&ls, "question"), 0);
  CHECK_INT(es_labelset_add(&ls, "self-DISCLOSURE"), 0);
  CHECK_INT(ls.n, 4);
  CHECK_INT(find(&ls, "Self-disclosure"), 2);

  /* spellings longer than the lookup's stack buffer */
  char longname[512], query[1024];
  size_t k = 0;
  for (int i = 0; i < 45; i++)
    k += (size_t)snprintf(longname + k, sizeof longname - k, "Word%d ", i);
  longname[k - 1] = '\0';
  CHECK_INT(es_labelset_add(&ls, longname), 0);
  k = 0; /* the same upper-cased, each space widened to " \t " */
  for (const char *p = longname; *p; p++) {
    if (*p == ' ') {
      memcpy(query + k, " \t ", 3);
      k += 3;
    } else {
      query[k++] = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;
    }
  }
  query[k] = '\0';
  CHECK(strlen(longname) > 300);
  CHECK_INT(find(&ls, query), 4);
  query[k - 1] = 'X';
  CHECK_INT(find(&ls, query), -1);

  es_labelset_release(&ls);
  CHECK(ls.names == NULL && ls.n == 0 && ls.nalias == 0 && ls.slots == NULL);
  CHECK_INT(find(&ls, "Question"), -1);
  es_labelset_release(&ls); /* twice is fine */
  es_labelset_release(NULL);
}

static void test_same(void) {
  CHECK(es_labelset_same("Avoid Judgment and Criticism", 28, "avoid judgment AND  criticism ",
                         30));
  CHECK(es_labelset_same("  a\tb ", 6, "A B", 3));
  CHECK(es_labelset_same("", 0, " \n ", 3));
  CHECK(!es_labelset_same("ab", 2, "a b", 3));
  CHECK(!es_labelset_same("Question", 8, "Questions", 9));
  CHECK(!es_labelset_same("Questions", 9, "Question", 8));
}

/* Thousands of names force the table to grow several times. */
static void test_growth(void) {
  es_labelset ls = {0};
  char buf[64];
  enum { N = 5000 };
  for (int i = 0; i < N; i++) {
    snprintf(buf, sizeof buf, "Label Number %d", i);
    CHECK_INT(es_labelset_add(&ls, buf), 0);
  }
  for (int i = 0; i < N; i += 2) {
    snprintf(buf, sizeof buf, "alias-%d", i);
    CHECK_INT(es_labelset_add_alias(&ls, buf, (size_t)i), 0);
  }
  int bad = 0;
  for (int i = 0; i < N; i++) {
    snprintf(buf, sizeof buf, "  LABEL   number %d ", i);
    if (find(&ls, buf) != i) bad++;
    snprintf(buf, sizeof buf, "ALIAS-%d", i);
    if (find(&ls, buf) != (i % 2 ? -1 : i)) bad++;
  }
  CHECK_INT(bad, 0);
  CHECK(ls.nused == N + N / 2 && ls.nslots >= 2 * ls.nused);
  es_labelset_release(&ls);
}

static char *suites_file(const char *rel) {
  const char *src = getenv("ESBENCH_SRC");
  char *p = malloc(4096);
  if (src && *src) snprintf(p, 4096, "%s/suites/%s", src, rel);
  else snprintf(p, 4096, "%s/../suites/%s", test_tests_dir(), rel);
  return p;
}

/* The shipped label sets: every spelling the data uses finds its strategy. */
static void test_shipped(void) {
  es_labelset ls = {0};
  es_error err = {0};
  char *path = suites_file("labels/extes.yaml");
  CHECK_MSG(es_suite_load_labels(path, &ls, &err) == 0, "%s", err.msg);
  free(path);
  CHECK_INT(ls.n, 16);
  CHECK_INT(ls.nalias, 9);
  for (size_t i = 0; i < ls.n; i++) CHECK_INT(find(&ls, ls.names[i]), (long)i);
  for (size_t i = 0; i < ls.nalias; i++)
    CHECK_INT(find(&ls, ls.alias_from[i]), (long)ls.alias_to[i]);
  long avoid = find(&ls, "Avoid Judgment And Criticism");
  CHECK(avoid >= 0);
  CHECK_INT(find(&ls, "Avoid Judgment and Criticism"), avoid);
  CHECK_INT(find(&ls, "avoid judgement and criticism"), avoid);
  CHECK_INT(find(&ls, "Refective Statements"), find(&ls, "Reflective Statements"));
  CHECK_INT(find(&ls, "promote self care practices"), find(&ls, "Promote Self-Care Practices"));
  CHECK_INT(find(&ls, "other"), 15);
  CHECK_INT(find(&ls, "Reflection of feelings"), -1);
  es_labelset_release(&ls);

  path = suites_file("labels/esconv.yaml");
  CHECK_MSG(es_suite_load_labels(path, &ls, &err) == 0, "%s", err.msg);
  free(path);
  CHECK_INT(ls.n, 8);
  CHECK_INT(find(&ls, "Reflection of Feelings"), 2);
  CHECK_INT(find(&ls, "Restatement"), 1);
  CHECK_INT(find(&ls, "Approval and Reassurance"), 4);
  CHECK_INT(find(&ls, "Direct Guidance"), 5);
  CHECK_INT(find(&ls, "Other"), 7);
  CHECK_INT(find(&ls, "Others"), 7);
  es_labelset_release(&ls);
}

/* Lookups per second on a realistic mix (hits, alias hits, misses). */
static void test_speed(void) {
  es_labelset ls = {0};
  es_error err = {0};
  char *path = suites_file("labels/extes.yaml");
  if (es_suite_load_labels(path, &ls, &err) != 0) {
    free(path);
    return;
  }
  free(path);
  static const char *const q[] = {"Emotional Validation", "avoid judgment and criticism",
                                  "Refective Statements",  "Offer Hope",
                                  "not a strategy at all", "  Suggest   Options "};
  enum { N = 3000000 };
  long sum = 0;
  size_t lens[6];
  for (int i = 0; i < 6; i++) lens[i] = strlen(q[i]);
  clock_t t0 = clock();
  for (int i = 0; i < N; i++) sum += es_labelset_find(&ls, q[i % 6], lens[i % 6]);
  double sec = (double)(clock() - t0) / CLOCKS_PER_SEC;
  printf("es_labelset_find: %.1f ns per lookup (%d lookups, checksum %ld)\n", sec * 1e9 / N, N,
         sum);
  CHECK(sec * 1e9 / N < 2000); /* generous: sanitizer builds are slow */
  es_labelset_release(&ls);
}

int main(void) {
  test_basic();
  test_same();
  test_growth();
  test_shipped();
  test_speed();
  return test_finish("labels");
}
