/* instances.c: cutting dialogues into evaluation instances. */
#include "instances.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"

int es_instances_build(const es_dataset *ds, const es_split *split, es_split want,
                       int context_turns, long max, es_instances *out, es_error *err) {
  memset(out, 0, sizeof *out);
  size_t cap = 0;
  for (size_t d = 0; d < ds->n; d++) {
    if (split[d] != want) continue;
    const es_dialogue *dlg = &ds->dialogues[d];
    int seen_seeker = 0;
    for (size_t t = 0; t < dlg->nturns; t++) {
      const es_turn *turn = &dlg->turns[t];
      if (turn->speaker == ES_SEEKER) {
        seen_seeker = 1;
        continue;
      }
      if (!seen_seeker) {
        out->skipped_no_seeker++;
        continue;
      }
      if (max > 0 && out->n >= (size_t)max) return 0;
      if (out->n == cap) {
        cap = cap ? cap * 2 : 1024;
        es_instance *items = realloc(out->items, cap * sizeof *items);
        if (!items) {
          es_instances_release(out);
          return es_error_set(err, ES_EXIT_INTERNAL, "out of memory building instances");
        }
        out->items = items;
      }
      es_instance *in = &out->items[out->n++];
      snprintf(in->id, sizeof in->id, "%s:%zu", dlg->id, t);
      in->dialogue = dlg;
      in->turn = t;
      in->ctx_start = context_turns > 0 && t > (size_t)context_turns ? t - (size_t)context_turns : 0;
      /* the window must still hold a seeker turn: widen it back to the last one */
      size_t last_seeker = t;
      while (last_seeker > 0 && dlg->turns[last_seeker - 1].speaker != ES_SEEKER) last_seeker--;
      if (last_seeker > 0 && in->ctx_start > last_seeker - 1) in->ctx_start = last_seeker - 1;
      in->gold = turn->text;
      in->gold_strategy = turn->strategy;
      if (turn->strategy < 0) out->no_strategy++;
    }
  }
  return 0;
}

void es_instances_release(es_instances *in) {
  if (!in) return;
  free(in->items);
  memset(in, 0, sizeof *in);
}

const char *es_instance_last_seeker(const es_instance *in) {
  for (size_t t = in->turn; t > 0; t--)
    if (in->dialogue->turns[t - 1].speaker == ES_SEEKER) return in->dialogue->turns[t - 1].text;
  return "";
}
