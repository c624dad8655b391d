/*
 * es_common.h: the types every esmetrics module shares.
 *
 * Status codes, the vocabulary that interns token strings to dense integer
 * ids, and the token-id sequence that tokenizers fill and metrics read.
 * Metrics never compare strings: every tokenizer interns its tokens into an
 * es_vocab, and BLEU, ROUGE and Distinct work on the ids.
 *
 * Thread safety: an es_vocab is not synchronised; use one per thread, or
 * intern on one thread and only read afterwards.
 */
#ifndef ES_COMMON_H
#define ES_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* One error type for the metrics layer; es_status_str() names it. */
typedef enum {
  ES_OK = 0,
  ES_ERR_NOMEM,   /* allocation failed */
  ES_ERR_UTF8,    /* input is not valid UTF-8 */
  ES_ERR_ARG,     /* invalid argument (e.g. mismatched lengths, bad option) */
  ES_ERR_REGEX,   /* a built-in pattern failed to compile or match */
  ES_ERR_IO,      /* a data file could not be read */
} es_status;

const char *es_status_str(es_status st);

/* ---- vocabulary -------------------------------------------------------- */

typedef struct es_vocab es_vocab;

/* A new empty vocabulary, or NULL when out of memory. */
es_vocab *es_vocab_new(void);
/* Frees the vocabulary and every string in it; accepts NULL. */
void es_vocab_free(es_vocab *v);
/* The id of the n-byte string s (interned on first sight; ids are dense,
 * 0, 1, 2, ... in order of first sight), or -1 when out of memory. The
 * vocabulary copies s. */
int32_t es_vocab_intern(es_vocab *v, const char *s, size_t n);
/* The id of s if it is interned, else -1; never inserts. */
int32_t es_vocab_find(const es_vocab *v, const char *s, size_t n);
/* The string of id (NUL-terminated, owned by the vocabulary); its byte
 * length in *len when len is not NULL. NULL for an unknown id. */
const char *es_vocab_str(const es_vocab *v, int32_t id, size_t *len);
/* Number of interned strings. */
size_t es_vocab_size(const es_vocab *v);

/* ---- token-id sequences --------------------------------------------------- */

/* A growable array of token ids. Zero-initialise ({0}) before first use;
 * es_seq_release() frees the array, es_seq_clear() keeps it for reuse. */
typedef struct {
  int32_t *ids;
  size_t len, cap;
} es_seq;

/* Appends id (amortised O(1)); ES_ERR_NOMEM leaves s as it was. */
es_status es_seq_grow_push(es_seq *s, int32_t id);
static inline es_status es_seq_push(es_seq *s, int32_t id) {
  if (s->len == s->cap) return es_seq_grow_push(s, id);
  s->ids[s->len++] = id;
  return ES_OK;
}
void es_seq_clear(es_seq *s);
void es_seq_release(es_seq *s);

/* ---- UTF-8 ------------------------------------------------------------- */

/* ES_OK when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code point above U+10FFFF), else ES_ERR_UTF8 with the byte offset of the
 * first bad byte in *bad_offset (when not NULL). */
es_status es_utf8_validate(const char *s, size_t n, size_t *bad_offset);
/* The number of characters that start in s[0..n) (bytes that are not UTF-8
 * continuation bytes): the 0-based character column of byte offset n of a
 * line, as editors and the error messages count columns. */
size_t es_utf8_chars(const char *s, size_t n);

#endif
