/* test_extract: strategy extraction from replies by the suite's pattern. */
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "testlib.h"

#define PATTERN "^\\s*\\[([^\\]\\[]{1,80})\\]\\s*"

static const struct {
  const char *reply;
  es_strat_status status;
  long strategy;
  const char *body;
  const char *raw;
} cases[] = {
    {"[Emotional Validation] That sounds hard.", ES_STRAT_OK, 1, "That sounds hard.", "Emotional Validation"},
    {"  [emotional   VALIDATION]   That sounds hard.  ", ES_STRAT_OK, 1, "That sounds hard.", "emotional   VALIDATION"},
    {"[Refective Statements] You feel alone.", ES_STRAT_OK, 0, "You feel alone.", "Refective Statements"},
    {"[Made Up] Hi.", ES_STRAT_UNKNOWN, -1, "Hi.", "Made Up"},
    {"No strategy here.", ES_STRAT_MISSING, -1, "No strategy here.", NULL},
    {"Mid-text [Affirmation] is not a prefix.", ES_STRAT_MISSING, -1, "Mid-text [Affirmation] is not a prefix.", NULL},
    {"", ES_STRAT_MISSING, -1, "", NULL},
    {"[Affirmation]", ES_STRAT_OK, 2, "", "Affirmation"},
    {"[] empty", ES_STRAT_MISSING, -1, "[] empty", NULL},
    {"[[Affirmation]] nested", ES_STRAT_MISSING, -1, "[[Affirmation]] nested", NULL},
    {"[Émotion] café", ES_STRAT_UNKNOWN, -1, "café", "Émotion"},
};

int main(void) {
  es_labelset ls = {0};
  CHECK(es_labelset_add(&ls, "Reflective Statements") == 0);
  CHECK(es_labelset_add(&ls, "Emotional Validation") == 0);
  CHECK(es_labelset_add(&ls, "Affirmation") == 0);
  CHECK(es_labelset_add_alias(&ls, "Refective Statements", 0) == 0);
  es_error err = {0};
  es_extractor *x = es_extractor_new(PATTERN, &ls, &err);
  CHECK_MSG(x != NULL, "extractor: %s", err.msg);
  for (size_t i = 0; x && i < sizeof cases / sizeof cases[0]; i++) {
    es_extraction e;
    const char *r = cases[i].reply;
    CHECK(es_extract(x, r, strlen(r), &e, &err) == 0);
    CHECK_MSG(e.status == cases[i].status, "case %zu '%s': status %s, want %s", i, r,
              es_strat_status_name(e.status), es_strat_status_name(cases[i].status));
    CHECK_MSG(e.strategy == cases[i].strategy, "case %zu: strategy %ld, want %ld", i, e.strategy,
              cases[i].strategy);
    char body[256];
    es_extract_body(r, strlen(r), &e, body);
    CHECK_MSG(!strcmp(body, cases[i].body), "case %zu: body '%s', want '%s'", i, body, cases[i].body);
    if (cases[i].raw)
      CHECK_MSG(e.raw_len == strlen(cases[i].raw) && !memcmp(r + e.raw_off, cases[i].raw, e.raw_len),
                "case %zu: raw '%.*s', want '%s'", i, (int)e.raw_len, r + e.raw_off, cases[i].raw);
  }
  es_extractor_free(x);

  /* an unanchored pattern: the match is cut out wherever it stands */
  x = es_extractor_new("\\s*\\(strategy: ([^)]+)\\)\\s*", &ls, &err);
  CHECK_MSG(x != NULL, "extractor: %s", err.msg);
  if (x) {
    static const struct {
      const char *reply, *body;
    } mid[] = {
        {"I hear you (strategy: Affirmation) and I am here.", "I hear you and I am here."},
        {"I hear you. (strategy: Affirmation)", "I hear you."},
        {"(strategy: Affirmation)  Hello", "Hello"},
        {"(strategy: Affirmation)", ""},
    };
    for (size_t i = 0; i < sizeof mid / sizeof mid[0]; i++) {
      es_extraction e;
      char body[256];
      CHECK(es_extract(x, mid[i].reply, strlen(mid[i].reply), &e, &err) == 0);
      CHECK_INT(e.strategy, 2);
      es_extract_body(mid[i].reply, strlen(mid[i].reply), &e, body);
      CHECK_STR(body, mid[i].body);
    }
    es_extractor_free(x);
  }

  /* a pattern that backtracks without end is stopped by the match limit */
  x = es_extractor_new("^(a|aa)+$()", &ls, &err);
  CHECK(x != NULL);
  if (x) {
    char evil[64];
    memset(evil, 'a', 40);
    strcpy(evil + 40, "b");
    es_extraction e;
    CHECK(es_extract(x, evil, strlen(evil), &e, &err) == -1);
    CHECK_MSG(strstr(err.msg, "cannot be matched") != NULL && err.exit == 2, "message: %s", err.msg);
    es_extractor_free(x);
  }

  /* bad patterns are config errors, not crashes */
  x = es_extractor_new("([unclosed", &ls, &err);
  CHECK(x == NULL);
  CHECK(strstr(err.msg, "invalid strategy pattern") != NULL);
  CHECK(err.exit == 2);
  x = es_extractor_new("^\\[[^\\]]+\\]", &ls, &err);
  CHECK(x == NULL);
  CHECK(strstr(err.msg, "no capture group") != NULL);
  es_labelset_release(&ls);
  return test_finish("extract");
}
