/*
 * suite.h: a validated suite (suites/*.yaml), read with libyaml.
 *
 * The suite is the whole configuration of a run: dataset, task (prompt and
 * reply format), label set, models, metrics, judge, stats, report and gate.
 * es_suite_load() expands ${VAR} and ${VAR:-default} in scalar values from
 * the environment, checks every key against the schema (an unknown key is
 * an error that suggests the nearest valid one), resolves relative paths
 * against the suite file's folder, and loads the prompt template and the
 * label set file. Every error is "file:line:column: message" with the line
 * and a caret, exit code ES_EXIT_USAGE.
 *
 * See suites/README.md for the schema, key by key.
 */
#ifndef ES_SUITE_H
#define ES_SUITE_H

#include <stddef.h>

#include "error.h"
#include "labels.h"

typedef enum { ES_MODEL_BUILTIN, ES_MODEL_REPLAY } es_model_type;

typedef struct {
  char *name;          /* unique within the suite */
  es_model_type type;
  char *builtin;       /* builtin: "retrieval", "reference" or "majority" */
  char *path;          /* replay: the JSONL file (resolved) */
  char *reply;         /* majority: its fixed reply text (optional) */
  size_t line, col;    /* where the model is defined, for later errors */
} es_model_cfg;

typedef struct {
  char *path;          /* the suite file as given */
  char *dir;           /* its folder */
  char *name;          /* suite name (default: file name without .yaml) */
  char *description;   /* optional */

  struct {
    char *name;           /* "extes" | "esconv" */
    char *path;           /* explicit file path (resolved), or NULL: look up `file` */
    char *file;           /* file name to look for in the data dirs, e.g. "ExTES.json" */
    char *split;          /* "train" | "valid" | "test" (default "test") */
    unsigned ratio[3];    /* default 8 1 1 */
    char *split_file;     /* optional (resolved) */
    int context_turns;    /* turns of context before the reply (default 8; 0 = all) */
    long max_instances;   /* 0 = all; else the first N instances of the split */
  } dataset;

  struct {
    char *prompt_file;    /* resolved path of the system prompt template */
    char *prompt;         /* its text */
    char *reply_format;   /* e.g. "[{strategy}] {reply}", shown to users and models */
    char *strategy_pattern; /* PCRE2; group 1 is the strategy, the match is removed
                               from the reply text */
  } task;

  char *labels_file;      /* resolved path of the label set file */
  es_labelset labels;

  es_model_cfg *models;
  size_t nmodels;

  struct {
    char *profile;        /* "esconv" | "sacrebleu" | "rouge_score" */
    char **names;         /* metrics to report, e.g. "bleu-4", "rouge-l", "dist-2", "strategy" */
    size_t nnames;
  } metrics;

  struct {
    int enabled;          /* only false is accepted until the judge exists */
  } judge;

  struct {
    char *baseline;       /* model name (default: the first model) */
    unsigned long seed;   /* default 12345 */
    long bootstrap;       /* default 1000 */
    long permutations;    /* default 10000 */
    double alpha;         /* default 0.05 */
  } stats;

  struct {
    char *dir;            /* output root (default "runs") */
    char **formats;       /* of "json", "csv", "html", "latex", "markdown" */
    size_t nformats;
  } report;
} es_suite;

/* Loads and validates path. Returns 0 and the suite in *out, or -1 with err
 * filled (ES_EXIT_USAGE). */
int es_suite_load(const char *path, es_suite **out, es_error *err);
/* Frees everything; accepts NULL. */
void es_suite_free(es_suite *s);
/* The model named name, or NULL. */
const es_model_cfg *es_suite_model(const es_suite *s, const char *name);

#endif
