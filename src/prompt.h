/*
 * prompt.h: rendering an instance into chat messages.
 *
 * The suite's system prompt template may use {{strategies}} (the label set,
 * one "- Name" per line), {{scenario}}, {{situation}} and {{reply_format}}.
 * The context turns follow as alternating "user" (seeker) and "assistant"
 * (supporter) messages; a supporter turn with a known strategy is written
 * in the reply format, "[Strategy] text", so the model sees the format it
 * must answer in.
 */
#ifndef ES_PROMPT_H
#define ES_PROMPT_H

#include <cjson/cJSON.h>

#include "error.h"
#include "instances.h"
#include "suite.h"

/* Checks the template for unknown or unterminated {{placeholders}}; errors
 * point at the prompt file's line and column. Returns 0 or -1 with err. */
int es_prompt_check(const es_suite *s, es_error *err);

/* The messages for one instance: a new cJSON array of {"role","content"}
 * objects (the caller owns it), or NULL when out of memory. */
cJSON *es_prompt_render(const es_suite *s, const es_instance *in);

#endif
