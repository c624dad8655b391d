/* prompt.c: the system prompt template and the context messages. */
#include "prompt.h"

#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "strbuf.h"

/* The template placeholders. To add one: a row here and a case in value(). */
static const char *const placeholders[] = {"strategies", "scenario", "situation",
                                           "reply_format"};
#define NPLACEHOLDERS (sizeof placeholders / sizeof placeholders[0])

int es_prompt_check(const es_suite *s, es_error *err) {
  const char *t = s->task.prompt;
  size_t line = 1, col = 1;
  for (const char *p = t; *p; p++) {
    if (p[0] == '{' && p[1] == '{') {
      const char *end = strstr(p + 2, "}}");
      const char *nl = strchr(p + 2, '\n');
      if (!end || (nl && nl < end))
        return es_error_at(err, ES_EXIT_USAGE, s->task.prompt_file, line, col, NULL,
                           "unterminated placeholder '{{' in prompt template");
      size_t n = (size_t)(end - (p + 2)), k;
      for (k = 0; k < NPLACEHOLDERS; k++)
        if (strlen(placeholders[k]) == n && !memcmp(placeholders[k], p + 2, n)) break;
      if (k == NPLACEHOLDERS)
        return es_error_at(err, ES_EXIT_USAGE, s->task.prompt_file, line, col, NULL,
                           "unknown placeholder '{{%.*s}}' in prompt template (known: "
                           "strategies, scenario, situation, reply_format)",
                           (int)n, p + 2);
      col += (size_t)(end + 2 - p);
      p = end + 1;
      continue;
    }
    if (*p == '\n') {
      line++;
      col = 1;
    } else if (((unsigned char)*p & 0xc0) != 0x80) { /* columns count characters */
      col++;
    }
  }
  return 0;
}

static void value(es_strbuf *b, const es_suite *s, const es_instance *in, const char *name,
                  size_t n) {
  if (n == 10 && !memcmp(name, "strategies", 10)) {
    for (size_t i = 0; i < s->labels.n; i++) {
      es_strbuf_puts(b, i ? "\n- " : "- ");
      es_strbuf_puts(b, s->labels.names[i]);
    }
  } else if (n == 8 && !memcmp(name, "scenario", 8)) {
    es_strbuf_puts(b, in->dialogue->scenario ? in->dialogue->scenario : "an unspecified problem");
  } else if (n == 9 && !memcmp(name, "situation", 9)) {
    es_strbuf_puts(b, in->dialogue->situation ? in->dialogue->situation : "");
  } else if (n == 12 && !memcmp(name, "reply_format", 12)) {
    es_strbuf_puts(b, s->task.reply_format ? s->task.reply_format : "");
  }
}

static int add_message(cJSON *arr, const char *role, const char *content) {
  cJSON *m = cJSON_CreateObject();
  if (!m) return -1;
  cJSON_AddItemToArray(arr, m);
  return cJSON_AddStringToObject(m, "role", role) && cJSON_AddStringToObject(m, "content", content)
             ? 0
             : -1;
}

cJSON *es_prompt_render(const es_suite *s, const es_instance *in) {
  es_strbuf b = {0};
  cJSON *arr = cJSON_CreateArray();
  if (!arr) return NULL;
  const char *t = s->task.prompt;
  while (*t) {
    const char *open = strstr(t, "{{");
    const char *close = open ? strstr(open + 2, "}}") : NULL;
    if (!open || !close) {
      es_strbuf_puts(&b, t);
      break;
    }
    es_strbuf_add(&b, t, (size_t)(open - t));
    value(&b, s, in, open + 2, (size_t)(close - open - 2));
    t = close + 2;
  }
  /* trailing newlines of the file are not part of the prompt */
  while (b.len && b.buf[b.len - 1] == '\n') b.buf[--b.len] = '\0';
  if (b.oom || add_message(arr, "system", b.buf ? b.buf : "") != 0) goto fail;
  for (size_t i = in->ctx_start; i < in->turn; i++) {
    const es_turn *turn = &in->dialogue->turns[i];
    if (turn->speaker == ES_SEEKER) {
      if (add_message(arr, "user", turn->text) != 0) goto fail;
      continue;
    }
    b.len = 0;
    if (turn->strategy >= 0) {
      es_strbuf_puts(&b, "[");
      es_strbuf_puts(&b, s->labels.names[turn->strategy]);
      es_strbuf_puts(&b, "] ");
    }
    es_strbuf_puts(&b, turn->text);
    if (b.oom || add_message(arr, "assistant", b.buf) != 0) goto fail;
  }
  free(b.buf);
  return arr;
fail:
  free(b.buf);
  cJSON_Delete(arr);
  return NULL;
}
