/*
 * test_esconv.c: the ESConv adapter on a small fixture written for the test
 * (tests/fixtures/esconv/small.json: every speaker spelling and label
 * variant the adapter handles) and on the real FailedESConv.json from
 * ../shared (skipped when absent): dialogue, turn and label counts, the
 * file hash, and dialogue ids computed independently in Python.
 */
#include <stdlib.h>
#include <string.h>

#include "dialogue.h"
#include "exitcode.h"
#include "testlib.h"

static es_labelset labels;

static long label(const char *name) { return es_labelset_find(&labels, name, strlen(name)); }

typedef struct {
  const char *what;
  size_t n;
} count;

/* Checks that ds holds exactly the counts in want (n of them). */
static void check_counts(const es_dataset *ds, const count *want, size_t n) {
  for (size_t i = 0; i < n; i++)
    CHECK_MSG(es_dataset_count_get(ds, want[i].what) == want[i].n, "%s: %zu, expected %zu",
              want[i].what, es_dataset_count_get(ds, want[i].what), want[i].n);
  CHECK_INT(ds->ncounts, n);
  for (size_t i = 0; i < ds->ncounts; i++) {
    size_t k = 0;
    while (k < n && strcmp(want[k].what, ds->counts[i].what) != 0) k++;
    CHECK_MSG(k < n, "unexpected count %s = %zu", ds->counts[i].what, ds->counts[i].n);
  }
}

static void test_small(void) {
  static const count want[] = {
      {"speaker_variant", 14},       /* speaker/listener 6, usr/sys 6, Seeker/Supporter 2 */
      {"strategy_alias", 3},         /* Questions, Other, Direct Guidance */
      {"strategy_case_variant", 1},  /* reflection of feelings */
      {"strategy_unknown", 1},       /* Chit-chat */
      {"strategy_missing_key", 1},   /* sys turn without annotation */
      {"strategy_on_seeker_turn", 1},
      {"turn_empty_dropped", 1},
      {"turn_speaker_unknown_dropped", 1}, /* narrator */
      {"dialog_missing", 1},
      {"extra_top_level_keys", 1},
      {"problem_type_missing", 1},
      {"turn_same_speaker", 3},
  };
  char path[1024];
  snprintf(path, sizeof path, "%s/fixtures/esconv/small.json", test_tests_dir());
  es_dataset *ds = NULL;
  es_error err = {0};
  CHECK_MSG(es_dataset_load("esconv", path, &labels, &ds, &err) == 0, "load: %s", err.msg);
  if (!ds) return;
  check_counts(ds, want, sizeof want / sizeof want[0]);
  CHECK_STR(ds->name, "esconv");
  CHECK_INT(ds->n, 4);
  const es_dialogue *d = &ds->dialogues[0];
  CHECK_STR(d->scenario, "job crisis");
  CHECK_STR(d->situation, "I may lose my job next month.");
  CHECK_STR(d->turns[0].text, "Hello, I'm worried about my job.");
  CHECK_INT(d->turns[1].strategy, label("Question"));
  CHECK_INT(d->turns[3].strategy, label("Restatement or Paraphrasing"));
  d = &ds->dialogues[1];
  CHECK_INT(d->nturns, 6);
  CHECK(d->turns[0].speaker == ES_SEEKER && d->turns[1].speaker == ES_SEEKER &&
        d->turns[2].speaker == ES_SUPPORTER);
  CHECK_INT(d->turns[2].strategy, label("Question"));
  CHECK_STR(d->turns[2].raw_strategy, "Questions");
  CHECK_INT(d->turns[4].strategy, label("Reflection of feelings"));
  CHECK_INT(d->turns[5].strategy, label("Others"));
  d = &ds->dialogues[2];
  CHECK_INT(d->nturns, 5);
  CHECK_STR(d->turns[0].text, "Nothing feels good anymore.");
  CHECK_INT(d->turns[1].strategy, label("Providing Suggestions"));
  CHECK(d->turns[2].raw_strategy == NULL && d->turns[2].strategy == -1);
  CHECK_STR(d->turns[3].raw_strategy, "Chit-chat");
  CHECK_INT(d->turns[3].strategy, -1);
  CHECK(d->turns[4].raw_strategy == NULL && d->turns[4].strategy == -1);
  d = &ds->dialogues[3];
  CHECK_INT(d->source_index, 4);
  CHECK(d->scenario == NULL);
  CHECK_INT(d->turns[1].strategy, label("Affirmation and Reassurance"));
  es_dataset_free(ds);
}

static void test_failed_esconv(void) {
  static const count want[] = {
      {"speaker_variant", 5230},   /* every turn: "speaker" / "listener" */
      {"strategy_alias", 941},     /* Questions 520, Other 400, Direct Guidance 11,
                                      Approval and Reassurance 7, Restatement 3 */
      {"turn_same_speaker", 1262},
  };
  static const struct {
    const char *name;
    size_t n;
  } per_label[] = {
      {"Question", 528},                     /* 520 "Questions" + 8 "Question" */
      {"Restatement or Paraphrasing", 179},  /* 176 + 3 "Restatement" */
      {"Reflection of feelings", 200},
      {"Self-disclosure", 195},
      {"Affirmation and Reassurance", 341},  /* 334 + 7 "Approval and Reassurance" */
      {"Providing Suggestions", 403},        /* 392 + 11 "Direct Guidance" */
      {"Information", 131},
      {"Others", 400},                       /* all spelled "Other" */
  };
  char path[1024];
  const char *shared = test_shared_dir_opt("the FailedESConv.json checks");
  if (!shared) return;
  snprintf(path, sizeof path, "%s/data/esconv/FailedESConv.json", shared);
  es_dataset *ds = NULL;
  es_error err = {0};
  CHECK_MSG(es_dataset_load("esconv", path, &labels, &ds, &err) == 0, "load: %s", err.msg);
  if (!ds) return;
  check_counts(ds, want, sizeof want / sizeof want[0]);
  CHECK_INT(ds->n, 196);
  CHECK_STR(ds->sha256, "d21bad5409d88ecbca18abfee26a8c188d09c34b03962cb53a4c30d8de95b279");
  size_t seeker = 0, supporter = 0, by_label[8] = {0};
  for (size_t i = 0; i < ds->n; i++)
    for (size_t t = 0; t < ds->dialogues[i].nturns; t++) {
      const es_turn *turn = &ds->dialogues[i].turns[t];
      if (turn->speaker == ES_SEEKER) {
        seeker++;
        CHECK(turn->raw_strategy == NULL && turn->strategy == -1);
        continue;
      }
      supporter++;
      CHECK(turn->strategy >= 0 && turn->strategy < 8);
      if (turn->strategy >= 0 && turn->strategy < 8) by_label[turn->strategy]++;
    }
  CHECK_INT(supporter, 2377);
  CHECK_INT(seeker, 2853);
  for (size_t k = 0; k < 8; k++)
    CHECK_MSG(by_label[label(per_label[k].name)] == per_label[k].n, "%s: %zu, expected %zu",
              per_label[k].name, by_label[label(per_label[k].name)], per_label[k].n);
  const es_dialogue *d = &ds->dialogues[0];
  CHECK_STR(d->scenario, "ongoing depression");
  CHECK_STR(d->situation, "General depression made worse by the ongoing pandemic in my country.");
  CHECK_STR(d->turns[0].text, "Hey there");
  CHECK_STR(d->turns[2].raw_strategy, "Other");
  /* ids computed by a Python one-off from the canonical form in dataset.c */
  CHECK_STR(ds->dialogues[0].id, "4efde8315726443c");
  CHECK_STR(ds->dialogues[1].id, "1c716df2adb29880");
  CHECK_STR(ds->dialogues[2].id, "84edb7a41f9ef36c");
  es_dataset_free(ds);
}

int main(void) {
  test_load_labels("esconv.yaml", &labels);
  CHECK_INT(labels.n, 8);
  test_small();
  test_failed_esconv();
  es_labelset_release(&labels);
  return test_finish("esconv");
}
