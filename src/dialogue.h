/*
 * dialogue.h: the dataset model every adapter produces.
 *
 * An adapter (extes.c, esconv.c) reads one dataset file into an es_dataset:
 * dialogues of seeker and supporter turns, each supporter turn with its
 * strategy normalised against the suite's label set. Everything the adapter
 * repaired or dropped is counted by kind in `counts` (a quirk's name such as
 * "turn_key_variant" with how often it occurred), and those counts go into
 * results.json.
 *
 * Ownership: the dataset owns every string in it; es_dataset_free frees all.
 */
#ifndef ES_DIALOGUE_H
#define ES_DIALOGUE_H

#include <stddef.h>

#include "error.h"
#include "labels.h"

typedef enum { ES_SEEKER = 0, ES_SUPPORTER = 1 } es_speaker;

typedef struct {
  es_speaker speaker;
  char *text;          /* the utterance, trimmed, valid UTF-8, never NULL */
  char *raw_strategy;  /* supporter turns: the label as written, NULL if none */
  long strategy;       /* index into the label set, -1 if none or unknown */
} es_turn;

typedef struct {
  char id[17];         /* first 16 hex digits (lower case) of the sha256 of
                          the content (speakers and texts of the turns, see
                          dataset.c): stable under reordering of the file */
  size_t source_index; /* position in the file (0-based) */
  char *scenario;      /* ExTES scene / ESConv problem_type; NULL if absent */
  char *situation;     /* ExTES description / ESConv situation; may be NULL */
  es_turn *turns;
  size_t nturns;
} es_dialogue;

#define ES_MAX_COUNTS 48

typedef struct {
  const char *what;    /* static string: the quirk's name */
  size_t n;
} es_count;

typedef struct {
  char *name;          /* "extes" or "esconv" */
  char *path;          /* the file read */
  char sha256[65];     /* of the file's bytes, lower-case hex */
  es_dialogue *dialogues;
  size_t n;
  es_count counts[ES_MAX_COUNTS]; /* repaired / dropped, by kind, in first-seen order */
  size_t ncounts;
} es_dataset;

/* Reads the dataset `name` ("extes" or "esconv") from path, normalising
 * strategies against labels (NULL: labels are kept raw, strategy -1).
 * Returns 0 and the dataset in *out, or -1 with err filled (exit
 * ES_EXIT_USAGE for bad input: the message names the file and, for malformed
 * JSON, line:column; for invalid UTF-8 the JSON path of the value, such as
 * [12].content[3].AI; a file with no usable dialogue is an error too).
 * Dialogues with identical turns are kept once (the first in file order;
 * count "dialogue_duplicate_dropped"). The counts each adapter keeps are
 * listed in a table at the top of extes.c and esconv.c. */
int es_dataset_load(const char *name, const char *path, const es_labelset *labels,
                    es_dataset **out, es_error *err);
/* Frees the dataset and everything in it. Accepts NULL. */
void es_dataset_free(es_dataset *ds);
/* Adds n to the count named what (a static string); n == 0 adds nothing. */
void es_dataset_count(es_dataset *ds, const char *what, size_t n);
/* The count named what, 0 when it never occurred. */
size_t es_dataset_count_get(const es_dataset *ds, const char *what);

/* ---- split ------------------------------------------------------------- */

typedef enum { ES_SPLIT_TRAIN = 0, ES_SPLIT_VALID = 1, ES_SPLIT_TEST = 2 } es_split;

/* Assigns every dialogue to a split. With split_file NULL, by content hash:
 * the dialogue id's value modulo (ratio[0]+ratio[1]+ratio[2]) against the
 * cumulative ratios, so the assignment is stable under reordering and
 * across dataset versions. With split_file, a text file of lines
 * "train|valid|test<TAB>dialogue-id" (# comments allowed) that must name
 * every dialogue (any run of blanks may stand for the TAB). Fills out[i]
 * for dialogue i (out holds ds->n entries). Returns 0 or -1 with err: an
 * unknown split name, a malformed or unknown id or an id listed twice is
 * "file:line:col: ..." with the line and a caret; dialogues missing from the
 * file are counted and the first is named. */
int es_split_assign(const es_dataset *ds, const unsigned ratio[3], const char *split_file,
                    es_split *out, es_error *err);
const char *es_split_name(es_split s);

#endif
