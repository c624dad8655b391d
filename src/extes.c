/*
 * extes.c: the ExTES adapter: ExTES.json into dialogues.
 *
 * The file is a JSON array of dialogues (see shared/data/extes/SCHEMA.md):
 *   {"scene": "...", "description": "...",
 *    "content": [{"User": "..."}, {"AI Strategy": "...", "AI": "..."}, ...]}
 * "User" turns are the seeker's, "AI" turns the supporter's. The real file
 * has quirks; each is repaired or dropped and counted (es_dataset_count)
 * under one of these names, so results.json says what the loader did:
 *
 *   name                        what                               action
 *   dialogue_invalid_dropped    array element is not an object     dialogue dropped
 *   content_missing             "content" absent or not an array   dialogue dropped
 *   dialogue_dropped_no_turns   no usable turn left                dialogue dropped
 *   dialogue_duplicate_dropped  same turns as an earlier dialogue  later one dropped
 *   scene_missing               "scene" absent, null, empty or     scenario NULL
 *                               not a string
 *   description_missing         the same for "description"         situation NULL
 *   extra_top_level_keys        a dialogue with keys besides the   keys ignored
 *                               three above (counted per dialogue)
 *   turn_key_variant            "User A", "AI_strategy", "AI        read as "User",
 *                               Strategies", other case or          "AI", "AI Strategy"
 *                               separator spellings (per key)
 *   turn_duplicate_key          a turn with a key twice (or a      the first is used
 *                               key and its variant)
 *   turn_extra_keys             a turn with other keys (per turn)  keys ignored
 *   ai_object_response          "AI" is an object holding the      its "Response" used
 *                               text under "Response"
 *   turn_empty_dropped          a turn that is null, holds neither turn dropped
 *                               "User" nor "AI", or whose text is
 *                               null or blank (per User/AI part)
 *   turn_invalid_dropped        a turn that is not an object, or   turn dropped
 *                               a text of another JSON type
 *   turn_both_speakers_split    a turn holding "User" and "AI"     two turns, User first
 *   strategy_on_seeker_turn     "AI Strategy" on a "User" turn     ignored
 *   strategy_missing_key        "AI" turn without "AI Strategy"    strategy -1
 *   strategy_empty              "AI Strategy" null or blank        strategy -1
 *                               (greetings and closings)
 *   strategy_not_string         "AI Strategy" of another type      strategy -1
 *   strategy_case_variant       label differs from the canonical   normalised
 *                               name in case or white space only
 *   strategy_alias              label is an alias of the label     normalised
 *                               set (a typo such as "Refective")
 *   strategy_unknown            label outside the label set        raw_strategy kept,
 *                                                                  strategy -1
 *   turn_same_speaker           a turn by the same speaker as the  kept (both turns)
 *                               one before it
 *
 * Consecutive turns of one speaker are kept as separate turns, not merged:
 * an instance's gold reply is exactly one supporter turn, and merging would
 * invent replies no one wrote. Texts are trimmed of ASCII white space;
 * invalid UTF-8 anywhere in a text, scene, description or label is an error
 * naming the file and the JSON path of the value ("[12].content[3].AI").
 *
 * To add a quirk: repair it in parse_turn / es_extes_dialogue, count it under
 * a new static name, and add a row above and a case to the quirks fixture
 * (tests/fixtures/extes/quirks.json, checked by tests/unit/test_extes.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_internal.h"
#include "exitcode.h"

typedef enum { KEY_OTHER, KEY_USER, KEY_AI, KEY_STRATEGY } turn_key;

/* What a turn's key means; *variant is set when it is not the canonical
 * spelling. Variants are compared with case folded and everything but
 * letters and digits removed ("User A" -> "usera"). */
static turn_key classify_key(const char *key, int *variant) {
  static const struct {
    const char *folded;
    turn_key kind;
  } variants[] = {
      {"user", KEY_USER},           {"usera", KEY_USER},
      {"ai", KEY_AI},               {"aistrategy", KEY_STRATEGY},
      {"aistrategies", KEY_STRATEGY},
  };
  char folded[32];
  size_t n = 0;

  *variant = 0;
  if (!key) return KEY_OTHER;
  if (strcmp(key, "User") == 0) return KEY_USER;
  if (strcmp(key, "AI") == 0) return KEY_AI;
  if (strcmp(key, "AI Strategy") == 0) return KEY_STRATEGY;
  for (const char *p = key; *p; p++) {
    char c = *p;
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) continue;
    if (n + 1 == sizeof folded) return KEY_OTHER;
    folded[n++] = c;
  }
  folded[n] = '\0';
  for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
    if (strcmp(folded, variants[i].folded) == 0) {
      *variant = 1;
      return variants[i].kind;
    }
  return KEY_OTHER;
}

/* The text of a "User" or "AI" value v into *text (NULL when there is none).
 * Counts turn_empty_dropped / turn_invalid_dropped / ai_object_response.
 * Returns 0 or -1 with err. */
static int turn_text(es_dataset *ds, const cJSON *v, int is_ai, es_ds_loc *loc, char **text,
                     es_error *err) {
  char key[96];
  *text = NULL;
  if (cJSON_IsNull(v)) {
    es_dataset_count(ds, "turn_empty_dropped", 1);
    return 0;
  }
  if (is_ai && cJSON_IsObject(v)) {
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(v, "Response");
    if (!r) r = cJSON_GetObjectItem(v, "response");
    if (!cJSON_IsString(r)) {
      es_dataset_count(ds, "turn_invalid_dropped", 1);
      return 0;
    }
    es_dataset_count(ds, "ai_object_response", 1);
    snprintf(key, sizeof key, "%s.%s", v->string, r->string);
    loc->key = key;
    v = r;
  }
  if (!cJSON_IsString(v) || !v->valuestring) {
    es_dataset_count(ds, "turn_invalid_dropped", 1);
    return 0;
  }
  if (es_ds_text(ds, v->valuestring, loc, text, err) != 0) return -1;
  if (!*text) es_dataset_count(ds, "turn_empty_dropped", 1);
  return 0;
}

/* Turn j of dialogue i (t) into zero, one or two turns of d. */
static int parse_turn(es_dataset *ds, es_dialogue *d, const cJSON *t, size_t i, size_t j,
                      const es_labelset *labels, es_error *err) {
  const cJSON *user = NULL, *ai = NULL, *strategy = NULL;
  char *utext = NULL, *atext = NULL, *raw = NULL;
  long index = -1;
  int extra = 0, rc = -1;

  if (!t || cJSON_IsNull(t)) {
    es_dataset_count(ds, "turn_empty_dropped", 1);
    return 0;
  }
  if (!cJSON_IsObject(t)) {
    es_dataset_count(ds, "turn_invalid_dropped", 1);
    return 0;
  }
  for (const cJSON *c = t->child; c; c = c->next) {
    int variant;
    const cJSON **slot;
    switch (classify_key(c->string, &variant)) {
    case KEY_USER: slot = &user; break;
    case KEY_AI: slot = &ai; break;
    case KEY_STRATEGY: slot = &strategy; break;
    default: extra = 1; continue;
    }
    if (*slot) {
      es_dataset_count(ds, "turn_duplicate_key", 1);
      continue;
    }
    *slot = c;
    if (variant) es_dataset_count(ds, "turn_key_variant", 1);
  }
  if (extra) es_dataset_count(ds, "turn_extra_keys", 1);
  if (!user && !ai) {
    es_dataset_count(ds, "turn_empty_dropped", 1);
    return 0;
  }

  es_ds_loc loc = {i, "content", j, NULL};
  if (user) {
    loc.key = user->string;
    if (turn_text(ds, user, 0, &loc, &utext, err) != 0) goto out;
  }
  if (ai) {
    loc.key = ai->string;
    if (turn_text(ds, ai, 1, &loc, &atext, err) != 0) goto out;
  }
  if (atext) {
    loc.key = strategy ? strategy->string : NULL;
    if (es_ds_strategy(ds, labels, strategy, &loc, &raw, &index, err) != 0) goto out;
  } else if (strategy && !ai) {
    es_dataset_count(ds, "strategy_on_seeker_turn", 1);
  }
  if (utext && atext) es_dataset_count(ds, "turn_both_speakers_split", 1);
  if (utext) {
    es_turn *turn = es_ds_turn_add(d, ES_SEEKER, utext, NULL, -1);
    utext = NULL;
    if (!turn) goto oom;
  }
  if (atext) {
    es_turn *turn = es_ds_turn_add(d, ES_SUPPORTER, atext, raw, index);
    atext = raw = NULL;
    if (!turn) goto oom;
  }
  rc = 0;
  goto out;
oom:
  es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
out:
  free(utext);
  free(atext);
  free(raw);
  return rc;
}

int es_extes_dialogue(es_dataset *ds, const cJSON *item, size_t i, const es_labelset *labels,
                          es_error *err) {
  const cJSON *scene = NULL, *description = NULL, *content = NULL;
  int extra = 0;

  if (!cJSON_IsObject(item)) {
    es_dataset_count(ds, "dialogue_invalid_dropped", 1);
    return 0;
  }
  static const char *const names[3] = {"scene", "description", "content"};
  const cJSON *got[3];
  extra = es_ds_pick(item, names, got, 3);
  scene = got[0];
  description = got[1];
  content = got[2];
  if (extra) es_dataset_count(ds, "extra_top_level_keys", 1);
  if (!cJSON_IsArray(content)) {
    es_dataset_count(ds, "content_missing", 1);
    return 0;
  }
  es_dialogue *d = es_ds_dialogue_new(ds, i);
  if (!d) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  if (es_ds_dialogue_field(ds, scene, i, &d->scenario, err) != 0) return -1;
  if (!d->scenario) es_dataset_count(ds, "scene_missing", 1);
  if (es_ds_dialogue_field(ds, description, i, &d->situation, err) != 0) return -1;
  if (!d->situation) es_dataset_count(ds, "description_missing", 1);
  size_t j = 0;
  for (const cJSON *t = content->child; t; t = t->next, j++)
    if (parse_turn(ds, d, t, i, j, labels, err) != 0) return -1;
  return 0;
}
