/*
 * esconv.c: the ESConv adapter: ESConv.json (and FailedESConv.json) into
 * dialogues.
 *
 * The file is a JSON array of dialogues in the schema of the ESConv
 * repository (thu-coai/Emotional-Support-Conversation):
 *   {"experience_type": ..., "emotion_type": ..., "problem_type": ...,
 *    "situation": ..., "survey_score": {...},
 *    "dialog": [{"speaker": "seeker", "annotation": {"feedback": "4"},
 *                "content": "..."},
 *               {"speaker": "supporter", "annotation": {"strategy": "Question"},
 *                "content": "..."}, ...]}
 * scenario is problem_type, situation is situation. FailedESConv.json names
 * the speakers "speaker" (seeker) and "listener" (supporter); older copies
 * use "usr" / "sys". Labels are normalised through the suite's label set
 * (suites/labels/esconv.yaml maps "Questions", "Other", "Direct Guidance",
 * ... onto the 8 strategies). What the adapter repairs or drops is counted:
 *
 *   name                          what                               action
 *   dialogue_invalid_dropped      array element is not an object     dialogue dropped
 *   dialog_missing                "dialog" absent or not an array    dialogue dropped
 *   dialogue_dropped_no_turns     no usable turn left                dialogue dropped
 *   dialogue_duplicate_dropped    same turns as an earlier dialogue  later one dropped
 *   problem_type_missing          absent, null, blank or not a       scenario NULL
 *                                 string
 *   situation_missing             the same for "situation"           situation NULL
 *   extra_top_level_keys          keys besides the six above         ignored
 *                                 (counted per dialogue)
 *   speaker_variant               "speaker"/"listener"/"usr"/"sys"   read as seeker /
 *                                 or another case (per turn)         supporter
 *   turn_speaker_unknown_dropped  "speaker" absent or unknown        turn dropped
 *   turn_extra_keys               a turn with keys besides speaker,  ignored
 *                                 annotation, content (per turn)
 *   turn_empty_dropped            a turn that is null, or whose      turn dropped
 *                                 content is absent, null or blank
 *   turn_invalid_dropped          a turn that is not an object, or   turn dropped
 *                                 content of another JSON type
 *   strategy_on_seeker_turn       a seeker turn with a strategy      ignored
 *   strategy_missing_key          supporter turn without             strategy -1
 *                                 annotation.strategy
 *   strategy_empty, strategy_not_string, strategy_case_variant,
 *   strategy_alias, strategy_unknown, turn_same_speaker
 *                                 as in extes.c
 *
 * Consecutive turns of one speaker are frequent in ESConv (a seeker often
 * writes two messages in a row) and are kept as separate turns.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dataset_internal.h"
#include "exitcode.h"

/* The speaker names. To accept another spelling add a row (variant 1). */
static const struct {
  const char *name;
  es_speaker speaker;
  int variant;
} speakers[] = {
    {"seeker", ES_SEEKER, 0},  {"supporter", ES_SUPPORTER, 0},
    {"speaker", ES_SEEKER, 1}, {"listener", ES_SUPPORTER, 1},
    {"usr", ES_SEEKER, 1},     {"sys", ES_SUPPORTER, 1},
};

static const char *const dialogue_keys[] = {"experience_type", "emotion_type", "problem_type",
                                            "situation",       "survey_score", "dialog"};

/* Speaker of v into *sp; returns 0, or -1 when v names no known speaker. */
static int speaker_of(es_dataset *ds, const cJSON *v, es_speaker *sp) {
  if (!cJSON_IsString(v) || !v->valuestring) return -1;
  for (size_t k = 0; k < sizeof speakers / sizeof speakers[0]; k++) {
    if (strcmp(v->valuestring, speakers[k].name) == 0) {
      if (speakers[k].variant) es_dataset_count(ds, "speaker_variant", 1);
    } else if (strcasecmp(v->valuestring, speakers[k].name) == 0) {
      es_dataset_count(ds, "speaker_variant", 1);
    } else {
      continue;
    }
    *sp = speakers[k].speaker;
    return 0;
  }
  return -1;
}

static int parse_turn(es_dataset *ds, es_dialogue *d, const cJSON *t, size_t i, size_t j,
                      const es_labelset *labels, es_error *err) {
  const cJSON *speaker = NULL, *annotation = NULL, *content = NULL;
  char *text = NULL, *raw = NULL;
  long index = -1;
  int extra = 0;
  es_speaker sp;

  if (!t || cJSON_IsNull(t)) {
    es_dataset_count(ds, "turn_empty_dropped", 1);
    return 0;
  }
  if (!cJSON_IsObject(t)) {
    es_dataset_count(ds, "turn_invalid_dropped", 1);
    return 0;
  }
  static const char *const names[3] = {"speaker", "annotation", "content"};
  const cJSON *got[3];
  extra = es_ds_pick(t, names, got, 3);
  speaker = got[0];
  annotation = got[1];
  content = got[2];
  if (extra) es_dataset_count(ds, "turn_extra_keys", 1);
  if (speaker_of(ds, speaker, &sp) != 0) {
    es_dataset_count(ds, "turn_speaker_unknown_dropped", 1);
    return 0;
  }
  if (content && !cJSON_IsNull(content) && !cJSON_IsString(content)) {
    es_dataset_count(ds, "turn_invalid_dropped", 1);
    return 0;
  }
  es_ds_loc loc = {i, "dialog", j, "content"};
  if (cJSON_IsString(content) && es_ds_text(ds, content->valuestring, &loc, &text, err) != 0)
    return -1;
  if (!text) {
    es_dataset_count(ds, "turn_empty_dropped", 1);
    return 0;
  }
  const cJSON *strategy =
      cJSON_IsObject(annotation) ? cJSON_GetObjectItemCaseSensitive(annotation, "strategy") : NULL;
  if (sp == ES_SUPPORTER) {
    loc.key = "annotation.strategy";
    if (es_ds_strategy(ds, labels, strategy, &loc, &raw, &index, err) != 0) {
      free(text);
      return -1;
    }
  } else if (strategy) {
    es_dataset_count(ds, "strategy_on_seeker_turn", 1);
  }
  if (!es_ds_turn_add(d, sp, text, raw, index))
    return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  return 0;
}

int es_esconv_dialogue(es_dataset *ds, const cJSON *item, size_t i, const es_labelset *labels,
                          es_error *err) {
  if (!cJSON_IsObject(item)) {
    es_dataset_count(ds, "dialogue_invalid_dropped", 1);
    return 0;
  }
  int extra = 0;
  for (const cJSON *c = item->child; c && !extra; c = c->next) {
    size_t k = 0, nk = sizeof dialogue_keys / sizeof dialogue_keys[0];
    while (k < nk && !(c->string && strcmp(c->string, dialogue_keys[k]) == 0)) k++;
    extra = k == nk;
  }
  if (extra) es_dataset_count(ds, "extra_top_level_keys", 1);
  const cJSON *dialog = cJSON_GetObjectItemCaseSensitive(item, "dialog");
  if (!cJSON_IsArray(dialog)) {
    es_dataset_count(ds, "dialog_missing", 1);
    return 0;
  }
  es_dialogue *d = es_ds_dialogue_new(ds, i);
  if (!d) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  const cJSON *problem = cJSON_GetObjectItemCaseSensitive(item, "problem_type");
  const cJSON *situation = cJSON_GetObjectItemCaseSensitive(item, "situation");
  if (es_ds_dialogue_field(ds, problem, i, &d->scenario, err) != 0) return -1;
  if (!d->scenario) es_dataset_count(ds, "problem_type_missing", 1);
  if (es_ds_dialogue_field(ds, situation, i, &d->situation, err) != 0) return -1;
  if (!d->situation) es_dataset_count(ds, "situation_missing", 1);
  size_t j = 0;
  for (const cJSON *t = dialog->child; t; t = t->next, j++)
    if (parse_turn(ds, d, t, i, j, labels, err) != 0) return -1;
  return 0;
}
