/*
 * suite.h: a validated suite (the YAML files in suites/), read with libyaml.
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
 * After a successful load every field is filled: defaults stand in for
 * what the file left out, and only the fields marked "or NULL" may be NULL.
 * Every string and array is owned by the suite (es_suite_free).
 *
 * See suites/README.md for the schema, key by key.
 */
#ifndef ES_SUITE_H
#define ES_SUITE_H

#include <stddef.h>

#include "error.h"
#include "labels.h"

typedef enum { ES_MODEL_BUILTIN, ES_MODEL_REPLAY, ES_MODEL_OPENAI, ES_MODEL_EXEC } es_model_type;

/* The name of a model type as the suite spells it ("builtin", "openai", ...). */
const char *es_model_type_name(es_model_type t);

typedef struct {
  char *name;          /* unique within the suite */
  es_model_type type;
  char *builtin;       /* builtin: "retrieval", "reference" or "majority"; else NULL */
  char *path;          /* replay: the JSONL file (resolved); else NULL */
  char *reply;         /* majority: its fixed reply text, or NULL */
  size_t line, col;    /* where the model is defined (1-based), for later errors */

  /* openai and exec (server-backed) models; zero/NULL for the others */
  char *params_json;   /* generation params: canonical JSON object (keys sorted,
                          compact), "{}" when none */
  double timeout;      /* seconds per request attempt (default 120) */
  int retries;         /* openai: retries after the first attempt (default 5) */
  /* openai */
  char *base_url;      /* e.g. http://127.0.0.1:8000/v1 (no credentials) */
  char *model;         /* the "model" sent (default: name) */
  char *api_key_env;   /* the variable holding the key, or NULL */
  char **headers;      /* "Name: value" lines (values may hold secrets: never
                          written anywhere) */
  size_t nheaders;
  int concurrency;     /* requests in flight at most (default 8) */
  double connect_timeout; /* seconds (default 10) */
  double retry_total;  /* seconds: no retry after this (default 600) */
  double rpm, tpm;     /* requests / tokens per minute; 0 = no limit */
  /* exec */
  char **command;      /* program and arguments, NULL-terminated */
  size_t ncommand;
  int workers;         /* worker processes (default 1) */
  double start_timeout; /* extra seconds for a worker's first request (default 60) */
  int max_restarts;    /* restarts per worker (default 3) */
} es_model_cfg;

/* A judge rubric (suites/judges/NAME.yaml). */
typedef struct {
  char *name;
  char *file;          /* resolved path */
  char *description;   /* or NULL */
  int pairwise;        /* kind: 0 score (1..scale), 1 pairwise (A, B or C for a tie) */
  char *template_text; /* the prompt, with {{placeholders}} (see suites/judges/README.md) */
  char *pattern;       /* PCRE2: group 1 is the score, or the verdict letter */
  int match_first;     /* 1: the first match counts; 0 (default): the last */
  char *reminder;      /* added to the prompt when a reply is retried after a parse
                          failure (placeholders allowed) */
} es_rubric;

typedef struct {
  char *path;          /* the suite file as given */
  char *dir;           /* its folder ("." when path has none) */
  char *name;          /* suite name (default: file name without .yaml / .yml) */
  char *description;   /* or NULL */

  struct {
    char *name;           /* "extes" | "esconv" */
    char *path;           /* explicit file path (resolved), or NULL: look up `file` */
    char *file;           /* file name to look for in the data dirs (default
                             "ExTES.json" / "ESConv.json" by name) */
    char *split;          /* "train" | "valid" | "test" (default "test") */
    unsigned ratio[3];    /* train, valid, test (default 8 1 1); the chosen split's is > 0 */
    char *split_file;     /* (resolved), or NULL */
    int context_turns;    /* turns of context before the reply (default 8; 0 = all) */
    long max_instances;   /* 0 = all; else the first N instances of the split */
  } dataset;

  struct {
    char *prompt_file;    /* resolved path of the system prompt template (required) */
    char *prompt;         /* its text: valid UTF-8, no NUL */
    char *reply_format;   /* shown to users and models (default "[Strategy] reply") */
    char *strategy_pattern; /* PCRE2; group 1 is the strategy, the match is removed
                               from the reply text; checked to compile with
                               PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS and to have a
                               group (default '^\s*\[([^\]\[]{1,80})\]\s*') */
  } task;

  char *labels_file;      /* resolved path of the label set file (required) */
  es_labelset labels;

  es_model_cfg *models;   /* at least one, names unique */
  size_t nmodels;

  struct {
    char *profile;        /* "esconv" | "sacrebleu" | "rouge_score" (default "esconv") */
    char **names;         /* metrics to report, distinct, of bleu-1..bleu-4, rouge-l,
                             dist-1..dist-3, f1, length, sentence-bleu, strategy
                             (default bleu-1..4, rouge-l, dist-1..3, strategy) */
    size_t nnames;
  } metrics;

  struct {
    int enabled;          /* default false; the rest is filled only when true */
    es_model_cfg model;   /* the judge: an openai or exec model entry (name
                             default "judge") */
    es_rubric *rubrics;   /* score rubrics (at least one unless pairwise is set) */
    size_t nrubrics;
    es_rubric *pairwise;  /* a pairwise rubric, or NULL: every model against the
                             baseline, each pair asked in both orders */
    int scale_min, scale_max; /* default 1 and 10 */
    int samples;          /* judge samples per item, 1 .. 100 (default 1) */
    double temperature;   /* sent as params.temperature (default 0) */
  } judge;

  struct {
    char *baseline;       /* a model's name (default: the first model) */
    unsigned long seed;   /* default 12345 */
    long bootstrap;       /* 1 .. 1e8, default 1000 */
    long permutations;    /* 1 .. 1e8, default 10000 */
    double alpha;         /* in (0, 1), default 0.05 */
  } stats;

  struct {
    char *dir;            /* output root, relative to the working directory, not
                             resolved (default "runs") */
    char **formats;       /* distinct, of "json", "csv", "html", "latex", "markdown"
                             (default json, csv) */
    size_t nformats;
  } report;
} es_suite;

/* Loads and validates path. Returns 0 and the suite in *out (the caller
 * frees it with es_suite_free), or -1 with *out NULL and err filled:
 * ES_EXIT_USAGE for anything wrong with the files, ES_EXIT_INTERNAL when out
 * of memory. */
int es_suite_load(const char *path, es_suite **out, es_error *err);
/* Reads a label set file (suites/labels/NAME.yaml: `strategies`, `aliases`)
 * into *ls, which must be empty (zeroed). Returns 0, or -1 with err filled
 * as es_suite_load does and *ls left empty. */
int es_suite_load_labels(const char *path, es_labelset *ls, es_error *err);
/* Frees everything; accepts NULL. */
void es_suite_free(es_suite *s);
/* The model named name, or NULL. */
const es_model_cfg *es_suite_model(const es_suite *s, const char *name);

#endif
