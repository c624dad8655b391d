/* test_instances: cutting dialogues into instances, and their prompts. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "instances.h"
#include "prompt.h"
#include "testlib.h"

static es_turn T(es_speaker sp, const char *text, long strategy) {
  es_turn t = {sp, (char *)text, NULL, strategy};
  return t;
}

int main(void) {
  /* dialogue 0: AI greeting first (no seeker before it: not an instance),
   * then alternating turns; dialogue 1: in another split */
  es_turn d0[] = {T(ES_SUPPORTER, "Hello, how can I help?", -1),
                  T(ES_SEEKER, "I feel lonely.", -1),
                  T(ES_SUPPORTER, "That sounds hard.", 1),
                  T(ES_SEEKER, "Yes.", -1),
                  T(ES_SEEKER, "Nobody calls me.", -1),
                  T(ES_SUPPORTER, "You feel forgotten.", 0),
                  T(ES_SUPPORTER, "Take care.", -1)};
  es_turn d1[] = {T(ES_SEEKER, "Hi", -1), T(ES_SUPPORTER, "Hi there", 0)};
  es_dialogue dl[2] = {{"00000000000000aa", 0, "Loneliness", "alone", d0, 7},
                       {"00000000000000bb", 1, NULL, NULL, d1, 2}};
  es_dataset ds = {0};
  ds.dialogues = dl;
  ds.n = 2;
  es_split split[2] = {ES_SPLIT_TEST, ES_SPLIT_TRAIN};
  es_instances in;
  es_error err = {0};
  CHECK(es_instances_build(&ds, split, ES_SPLIT_TEST, 0, 0, &in, &err) == 0);
  CHECK_INT(in.n, 3);
  CHECK_INT(in.skipped_no_seeker, 1);
  CHECK_INT(in.no_strategy, 1);
  CHECK_STR(in.items[0].id, "00000000000000aa:2");
  CHECK_STR(in.items[0].gold, "That sounds hard.");
  CHECK_INT(in.items[0].gold_strategy, 1);
  CHECK_INT(in.items[0].ctx_start, 0);
  CHECK_STR(es_instance_last_seeker(&in.items[1]), "Nobody calls me.");
  CHECK_STR(in.items[2].id, "00000000000000aa:6");
  CHECK_STR(es_instance_last_seeker(&in.items[2]), "Nobody calls me.");
  es_instances_release(&in);

  /* a context window of 1 turn still reaches back to a seeker turn */
  CHECK(es_instances_build(&ds, split, ES_SPLIT_TEST, 1, 0, &in, &err) == 0);
  CHECK_INT(in.items[1].ctx_start, 4);
  CHECK_INT(in.items[2].ctx_start, 4); /* turn 6 follows a supporter turn */
  es_instances_release(&in);

  /* max instances */
  CHECK(es_instances_build(&ds, split, ES_SPLIT_TEST, 0, 2, &in, &err) == 0);
  CHECK_INT(in.n, 2);

  /* prompt: template placeholders and the context as chat messages */
  es_suite s;
  memset(&s, 0, sizeof s);
  CHECK(es_labelset_add(&s.labels, "Reflective Statements") == 0);
  CHECK(es_labelset_add(&s.labels, "Emotional Validation") == 0);
  s.task.prompt = "About {{scenario}}:\n{{strategies}}\nFormat: {{reply_format}}\n";
  s.task.prompt_file = "prompt.txt";
  s.task.reply_format = "[Strategy] reply";
  CHECK(es_prompt_check(&s, &err) == 0);
  cJSON *msgs = es_prompt_render(&s, &in.items[1]);
  CHECK(msgs != NULL);
  CHECK_INT(cJSON_GetArraySize(msgs), 6);
  CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "content")->valuestring,
            "About Loneliness:\n- Reflective Statements\n- Emotional Validation\nFormat: [Strategy] reply");
  /* the greeting has no strategy: written as it is */
  CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "role")->valuestring, "assistant");
  CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "content")->valuestring,
            "Hello, how can I help?");
  CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 2), "role")->valuestring, "user");
  CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 3), "role")->valuestring, "assistant");
  CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 3), "content")->valuestring,
            "[Emotional Validation] That sounds hard.");
  CHECK_STR(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 5), "content")->valuestring,
            "Nobody calls me.");
  cJSON_Delete(msgs);
  es_instances_release(&in);

  /* template errors point at the prompt file's line and column */
  s.task.prompt = "ok\n  {{strategy}}\n";
  CHECK(es_prompt_check(&s, &err) == -1);
  CHECK_MSG(strstr(err.msg, "prompt.txt:2:3: unknown placeholder '{{strategy}}'") != NULL,
            "message: %s", err.msg);
  s.task.prompt = "Hello caf\xc3\xa9 {{bogus}}\n"; /* columns count characters */
  CHECK(es_prompt_check(&s, &err) == -1);
  CHECK_MSG(strstr(err.msg, "prompt.txt:1:12: unknown placeholder") != NULL, "message: %s", err.msg);
  s.task.prompt = "{{scenario";
  CHECK(es_prompt_check(&s, &err) == -1);
  CHECK(strstr(err.msg, "prompt.txt:1:1: unterminated placeholder") != NULL);
  es_labelset_release(&s.labels);
  return test_finish("instances");
}
