/*
 * instances.h: evaluation instances cut from dialogues.
 *
 * An instance is one supporter turn with at least one seeker turn before it
 * in its dialogue: the context (the turns before it, at most context_turns
 * of them, 0 = all), the gold reply and the gold strategy. Its id is
 * "<dialogue id>:<turn index>", stable across runs, file orders and
 * machines. Instances point into the dataset, which must outlive them.
 */
#ifndef ES_INSTANCES_H
#define ES_INSTANCES_H

#include <stddef.h>

#include "dialogue.h"
#include "error.h"

typedef struct {
  char id[48];
  const es_dialogue *dialogue;
  size_t turn;          /* index of the supporter turn in dialogue->turns */
  size_t ctx_start;     /* first context turn (ctx is turns[ctx_start..turn)) */
  const char *gold;     /* dialogue->turns[turn].text */
  long gold_strategy;   /* label index, -1 when the turn has none (greeting) or an unknown one */
} es_instance;

typedef struct {
  es_instance *items;
  size_t n;
  size_t no_strategy;   /* instances whose gold turn has no known strategy */
  size_t skipped_no_seeker; /* supporter turns with no seeker turn before them */
} es_instances;

/* Builds the instances of every dialogue d with split[d] == want, in
 * dataset order, keeping at most max (0 = all). Returns 0 or -1 with err. */
int es_instances_build(const es_dataset *ds, const es_split *split, es_split want,
                       int context_turns, long max, es_instances *out, es_error *err);
/* Frees the array; the struct is the caller's. Accepts NULL. */
void es_instances_release(es_instances *in);
/* The last seeker turn of the instance's context (always exists). */
const char *es_instance_last_seeker(const es_instance *in);

#endif
