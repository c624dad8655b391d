/* extract.c: strategy extraction from replies with PCRE2. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "extract.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"

/* Limits that bound a pathological user pattern instead of letting it run
 * for minutes: far above what "[Strategy] reply" patterns need. */
#define MATCH_LIMIT 1000000
#define DEPTH_LIMIT 100000

struct es_extractor {
  pcre2_code *re;
  pcre2_match_data *md;
  pcre2_match_context *mc;
  const es_labelset *labels;
};

es_extractor *es_extractor_new(const char *pattern, const es_labelset *labels, es_error *err) {
  int code;
  PCRE2_SIZE off;
  es_extractor *x = calloc(1, sizeof *x);
  if (!x) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    return NULL;
  }
  x->labels = labels;
  x->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                        PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code, &off, NULL);
  if (!x->re) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof msg);
    es_error_set(err, ES_EXIT_USAGE, "invalid strategy pattern '%s' at offset %zu: %s", pattern,
                 (size_t)off, (char *)msg);
    goto fail;
  }
  uint32_t groups = 0;
  pcre2_pattern_info(x->re, PCRE2_INFO_CAPTURECOUNT, &groups);
  if (groups < 1) {
    es_error_set(err, ES_EXIT_USAGE,
                 "strategy pattern '%s' has no capture group: group 1 must hold the strategy",
                 pattern);
    goto fail;
  }
  pcre2_jit_compile(x->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
  x->md = pcre2_match_data_create_from_pattern(x->re, NULL);
  x->mc = pcre2_match_context_create(NULL);
  if (!x->md || !x->mc) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto fail;
  }
  pcre2_set_match_limit(x->mc, MATCH_LIMIT);
  pcre2_set_depth_limit(x->mc, DEPTH_LIMIT);
  return x;
fail:
  es_extractor_free(x);
  return NULL;
}

void es_extractor_free(es_extractor *x) {
  if (!x) return;
  pcre2_match_data_free(x->md);
  pcre2_match_context_free(x->mc);
  pcre2_code_free(x->re);
  free(x);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int es_extract(es_extractor *x, const char *reply, size_t len, es_extraction *out,
               es_error *err) {
  memset(out, 0, sizeof *out);
  out->strategy = -1;
  int rc = pcre2_match(x->re, (PCRE2_SPTR)reply, len, 0, 0, x->md, x->mc);
  if (rc == PCRE2_ERROR_NOMATCH) {
    out->status = ES_STRAT_MISSING;
    return 0;
  }
  if (rc < 0) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return es_error_set(err, ES_EXIT_USAGE, "the strategy pattern cannot be matched: %s",
                        (char *)msg);
  }
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(x->md);
  if (rc < 2 || ov[2] == PCRE2_UNSET) {
    out->status = ES_STRAT_MISSING;
    return 0;
  }
  out->raw_off = ov[2];
  out->raw_len = ov[3] - ov[2];
  out->cut_off = ov[0];
  out->cut_len = ov[1] - ov[0];
  out->strategy = es_labelset_find(x->labels, reply + ov[2], ov[3] - ov[2]);
  out->status = out->strategy >= 0 ? ES_STRAT_OK : ES_STRAT_UNKNOWN;
  return 0;
}

/* Appends s[a..b) trimmed to out at *n, with one space before it when
 * both it and what is already there are non-empty. */
static void add_trimmed(const char *s, size_t a, size_t b, char *out, size_t *n) {
  while (a < b && is_space(s[a])) a++;
  while (b > a && is_space(s[b - 1])) b--;
  if (a == b) return;
  if (*n) out[(*n)++] = ' ';
  memcpy(out + *n, s + a, b - a);
  *n += b - a;
}

size_t es_extract_body(const char *reply, size_t len, const es_extraction *e, char *out) {
  size_t n = 0;
  if (e->cut_len) {
    add_trimmed(reply, 0, e->cut_off, out, &n);
    add_trimmed(reply, e->cut_off + e->cut_len, len, out, &n);
  } else {
    add_trimmed(reply, 0, len, out, &n);
  }
  out[n] = '\0';
  return n;
}

const char *es_strat_status_name(es_strat_status st) {
  switch (st) {
    case ES_STRAT_OK: return "ok";
    case ES_STRAT_MISSING: return "missing";
    case ES_STRAT_UNKNOWN: return "unknown";
  }
  return "?";
}
