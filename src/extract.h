/*
 * extract.h: the strategy a reply states, by the suite's PCRE2 pattern.
 *
 * The pattern's first capture group is the strategy; the whole match is
 * removed from the reply wherever it stands, and what remains (the parts
 * before and after it, trimmed, joined by one space) is the text that the
 * text metrics score. The strategy is looked up in the label set (case and
 * white space folded, aliases applied). An extractor is immutable after
 * creation except for its match data: use one per thread.
 */
#ifndef ES_EXTRACT_H
#define ES_EXTRACT_H

#include <stddef.h>

#include "error.h"
#include "labels.h"

typedef enum {
  ES_STRAT_OK = 0,     /* a known strategy */
  ES_STRAT_MISSING,    /* the pattern did not match: no strategy stated */
  ES_STRAT_UNKNOWN,    /* matched, but the name is not in the label set */
} es_strat_status;

typedef struct es_extractor es_extractor;

/* Compiles pattern (UTF, UCP, case-insensitive, JIT when available).
 * Returns NULL with err filled ("invalid strategy pattern at offset N: ...")
 * when it does not compile or has no capture group. */
es_extractor *es_extractor_new(const char *pattern, const es_labelset *labels, es_error *err);
void es_extractor_free(es_extractor *x);

typedef struct {
  es_strat_status status;
  long strategy;           /* label index when ES_STRAT_OK, else -1 */
  size_t raw_off, raw_len; /* the stated strategy in the reply (when matched) */
  size_t cut_off, cut_len; /* the whole match (cut_len 0 when none) */
} es_extraction;

/* Extracts from reply[0..len). Returns 0, or -1 with err (ES_EXIT_USAGE)
 * when the pattern cannot be matched (a match or depth limit: the pattern
 * backtracks too much). */
int es_extract(es_extractor *x, const char *reply, size_t len, es_extraction *out,
               es_error *err);

/* The reply without the match: the text before and after it, each trimmed,
 * joined by one space when both are non-empty. Writes it to out (at least
 * len + 1 bytes), NUL-terminated, and returns its length. */
size_t es_extract_body(const char *reply, size_t len, const es_extraction *e, char *out);

const char *es_strat_status_name(es_strat_status st);

#endif
