/*
 * dataset_internal.h: what the dataset adapters (extes.c, esconv.c) share
 * with dataset.c, and the file helpers fetch.c uses. Not a public header.
 *
 * An adapter gets the file's bytes (NUL-terminated), parses them, and
 * appends dialogues with es_ds_dialogue_new / es_ds_turn_add, using
 * es_ds_text and es_ds_strategy so that every text is validated, trimmed and
 * copied the same way and every strategy is normalised and counted the same
 * way. dataset.c then drops empty dialogues, counts runs of one speaker,
 * computes the ids and drops duplicates (es_ds_finish).
 */
#ifndef ES_DATASET_INTERNAL_H
#define ES_DATASET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "dialogue.h"

/* ---- adapters ----------------------------------------------------------- */

/* An adapter parses one element of the file's top-level JSON array (the
 * dialogue at index i) into ds, which holds name and path already; it may
 * add no dialogue (a dropped one, counted). Returns 0 or -1 with err (the
 * message names ds->path). Partially added dialogues are freed by the
 * caller. */
typedef int (*es_ds_parse_fn)(es_dataset *ds, const cJSON *item, size_t i,
                              const es_labelset *labels, es_error *err);

int es_extes_dialogue(es_dataset *ds, const cJSON *item, size_t i, const es_labelset *labels,
                      es_error *err);
int es_esconv_dialogue(es_dataset *ds, const cJSON *item, size_t i, const es_labelset *labels,
                       es_error *err);

/* Parses buf as one JSON value with cJSON; a syntax error becomes
 * "path:line:col: malformed JSON" with the line and a caret, and a value
 * that is not an array "'path': expected a JSON array of dialogues". Returns
 * the array (the caller cJSON_Deletes it) or NULL with err. */
cJSON *es_ds_parse_json_array(const char *path, const char *buf, size_t len, es_error *err);

/* Appends an empty dialogue (source_index = index in the file) and returns
 * it, or NULL when out of memory. The pointer is valid until the next call. */
es_dialogue *es_ds_dialogue_new(es_dataset *ds, size_t source_index);
/* Appends a turn to d; takes ownership of text and raw_strategy (both freed
 * on failure). Returns the turn, or NULL when out of memory. */
es_turn *es_ds_turn_add(es_dialogue *d, es_speaker sp, char *text, char *raw_strategy,
                        long strategy);

/* Where a value sits in the file, for messages: "[i].key" when list is NULL,
 * else "[i].list[j].key" (a JSON path; i is the dialogue's index). */
typedef struct {
  size_t i;
  const char *list;  /* "content" (ExTES) / "dialog" (ESConv), or NULL */
  size_t j;
  const char *key;
} es_ds_loc;

/* The members of object o named names[0..n) into found[k] (the first of
 * each name; NULL when absent). Returns 1 when o has members of other
 * names or repeats one, else 0. */
int es_ds_pick(const cJSON *o, const char *const *names, const cJSON **found, size_t n);

/* A dialogue-level string field (scenario, situation) of dialogue i: its
 * validated, trimmed copy in *out, or NULL when v is absent or not a
 * string (the caller counts that). 0, or -1 with err. */
int es_ds_dialogue_field(const es_dataset *ds, const cJSON *v, size_t i, char **out,
                         es_error *err);

/* Formats loc into buf (cap bytes). Returns buf. */
const char *es_ds_loc_str(const es_ds_loc *loc, char *buf, size_t cap);

/* The text s checked for valid UTF-8 (an error names ds->path and loc),
 * trimmed of ASCII white space and copied into *out; *out is NULL when the
 * trimmed text is empty. Returns 0, or -1 with err (invalid UTF-8, out of
 * memory). */
int es_ds_text(const es_dataset *ds, const char *s, const es_ds_loc *loc, char **out,
               es_error *err);

/* Normalises a supporter turn's strategy value v (NULL when the key is
 * absent) against labels and counts what it found: strategy_missing_key,
 * strategy_empty (null, or "" after trimming), strategy_not_string,
 * strategy_case_variant, strategy_alias, strategy_unknown. Fills *raw
 * (malloc'ed, trimmed; NULL when none) and *index (-1 when none or
 * unknown). With labels NULL every label is kept raw with index -1 and only
 * missing / empty / not-a-string are counted. Returns 0 or -1 with err
 * (invalid UTF-8, out of memory). */
int es_ds_strategy(es_dataset *ds, const es_labelset *labels, const cJSON *v,
                   const es_ds_loc *loc, char **raw, long *index, es_error *err);

/* After parsing: drops dialogues without turns (dialogue_dropped_no_turns),
 * counts turns that follow a turn of the same speaker (turn_same_speaker),
 * computes the ids, and drops each dialogue whose id equals an earlier one's
 * (dialogue_duplicate_dropped, the first in file order is kept). A dataset
 * left without dialogues is an error naming the counts (items: how many the
 * file held). Returns 0 or -1 with err. */
int es_ds_finish(es_dataset *ds, size_t items, es_error *err);

/* ---- files and hashes (dataset.c; fetch.c uses them too) ---------------- */

/* Reads a whole file into a malloc'ed NUL-terminated buffer (*len bytes
 * without the NUL) and, when sha256 is not NULL, its lower-case hex sha256.
 * Returns 0 or -1 with err ("cannot read 'path': reason", ES_EXIT_USAGE). */
int es_ds_read_file(const char *path, char **buf, size_t *len, char sha256[65], es_error *err);

/* 1 when s[0..n) is valid UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF), else 0 with the offset of the first bad byte in *bad. */
int es_ds_utf8_valid(const char *s, size_t n, size_t *bad);

/* Lower-case hex of n bytes into out (2n + 1 bytes with the NUL). */
void es_ds_hex(const unsigned char *bytes, size_t n, char *out);

/* The dialogue id of d: the first 16 hex digits of the sha256 of its
 * canonical form (see dataset.c). Returns 0 or -1 when the digest fails. */
int es_ds_dialogue_id(const es_dialogue *d, char id[17]);

#endif
