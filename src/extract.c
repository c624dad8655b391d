/* extract.c: strategy extraction from replies with PCRE2. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "extract.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"

struct es_extractor {
  pcre2_code *re;
  pcre2_match_data *md;
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
  if (!x->md) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto fail;
  }
  return x;
fail:
  es_extractor_free(x);
  return NULL;
}

void es_extractor_free(es_extractor *x) {
  if (!x) return;
  pcre2_match_data_free(x->md);
  pcre2_code_free(x->re);
  free(x);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int es_extract(es_extractor *x, const char *reply, size_t len, es_extraction *out,
               es_error *err) {
  memset(out, 0, sizeof *out);
  out->strategy = -1;
  out->body_len = len;
  int rc = pcre2_match(x->re, (PCRE2_SPTR)reply, len, 0, 0, x->md, NULL);
  if (rc == PCRE2_ERROR_NOMATCH) {
    out->status = ES_STRAT_MISSING;
  } else if (rc < 0) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(rc, msg, sizeof msg);
    return es_error_set(err, ES_EXIT_INTERNAL, "strategy pattern failed to match: %s",
                        (char *)msg);
  } else {
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(x->md);
    if (rc < 2 || ov[2] == PCRE2_UNSET) {
      out->status = ES_STRAT_MISSING;
    } else {
      out->raw_off = ov[2];
      out->raw_len = ov[3] - ov[2];
      out->strategy = es_labelset_find(x->labels, reply + ov[2], ov[3] - ov[2]);
      out->status = out->strategy >= 0 ? ES_STRAT_OK : ES_STRAT_UNKNOWN;
      if (ov[0] == 0) { /* a prefix: the body is what follows it */
        out->body_off = ov[1];
        out->body_len = len - ov[1];
      }
    }
  }
  while (out->body_len && is_space(reply[out->body_off])) {
    out->body_off++;
    out->body_len--;
  }
  while (out->body_len && is_space(reply[out->body_off + out->body_len - 1])) out->body_len--;
  return 0;
}

const char *es_strat_status_name(es_strat_status st) {
  switch (st) {
    case ES_STRAT_OK: return "ok";
    case ES_STRAT_MISSING: return "missing";
    case ES_STRAT_UNKNOWN: return "unknown";
  }
  return "?";
}
