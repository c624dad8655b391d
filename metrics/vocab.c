/*
 * vocab.c: string interning (es_vocab), token-id sequences (es_seq),
 * status names and UTF-8 validation.
 *
 * The vocabulary is an open-addressing hash table (linear probing, load
 * factor at most 1/2) over an append-only string arena. Each slot holds the
 * id and the full hash, so a probe touches one cache line until the hashes
 * agree; interning a token already seen costs one hash, one slot read and
 * one compare, and allocates nothing.
 */
#include "es_common.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  uint64_t head; /* the string's first 8 bytes (zero-padded) */
  uint32_t hash;
  int32_t id;
  uint32_t len;  /* copies of length[id] and offset[id]: a probe of a */
  uint32_t off;  /* string of at most 8 bytes reads only the slot */
} slot;

struct es_vocab {
  char *arena;          /* every string, each followed by a NUL */
  size_t arena_len, arena_cap;
  size_t *offset;       /* offset[id] into arena */
  uint32_t *length;     /* length[id] in bytes */
  size_t n, ids_cap;
  slot *slots;          /* the table; id -1 marks an empty slot */
  size_t nslots;        /* power of two */
};

const char *es_status_str(es_status st) {
  switch (st) {
    case ES_OK: return "success";
    case ES_ERR_NOMEM: return "out of memory";
    case ES_ERR_UTF8: return "invalid UTF-8";
    case ES_ERR_ARG: return "invalid argument";
    case ES_ERR_REGEX: return "pattern error";
    case ES_ERR_IO: return "cannot read data file";
  }
  return "unknown error";
}

/* The first min(n, 8) bytes of s as a little-endian word, zero-padded. */
static inline uint64_t head_word(const char *s, size_t n) {
  uint64_t w = 0;
  if (n >= 8) {
    memcpy(&w, s, 8);
    return w;
  }
  switch (n) { /* no variable-length memcpy */
    case 7: w |= (uint64_t)(unsigned char)s[6] << 48; /* fall through */
    case 6: w |= (uint64_t)(unsigned char)s[5] << 40; /* fall through */
    case 5: w |= (uint64_t)(unsigned char)s[4] << 32; /* fall through */
    case 4: w |= (uint64_t)(unsigned char)s[3] << 24; /* fall through */
    case 3: w |= (uint64_t)(unsigned char)s[2] << 16; /* fall through */
    case 2: w |= (uint64_t)(unsigned char)s[1] << 8;  /* fall through */
    case 1: w |= (uint64_t)(unsigned char)s[0];
  }
  return w;
}

/* Hashes the head word, then the rest 8 bytes at a time. */
static inline uint32_t hash_bytes(const char *s, size_t n, uint64_t head) {
  uint64_t h = (0x9e3779b97f4a7c15ull ^ n ^ head) * 0xff51afd7ed558ccdull;
  for (size_t i = 8; i < n; i += 8) {
    h ^= h >> 32;
    h = (h ^ head_word(s + i, n - i)) * 0xc4ceb9fe1a85ec53ull;
  }
  h ^= h >> 29;
  return (uint32_t)h;
}

es_vocab *es_vocab_new(void) {
  es_vocab *v = calloc(1, sizeof *v);
  if (!v) return NULL;
  v->nslots = 1024;
  v->slots = malloc(v->nslots * sizeof *v->slots);
  if (!v->slots) {
    free(v);
    return NULL;
  }
  for (size_t i = 0; i < v->nslots; i++) v->slots[i].id = -1;
  return v;
}

void es_vocab_free(es_vocab *v) {
  if (!v) return;
  free(v->arena);
  free(v->offset);
  free(v->length);
  free(v->slots);
  free(v);
}

static int grow_table(es_vocab *v) {
  size_t ns = v->nslots * 2;
  slot *slots = malloc(ns * sizeof *slots);
  if (!slots) return -1;
  for (size_t i = 0; i < ns; i++) slots[i].id = -1;
  for (size_t k = 0; k < v->nslots; k++) {
    if (v->slots[k].id < 0) continue;
    size_t i = v->slots[k].hash & (ns - 1);
    while (slots[i].id >= 0) i = (i + 1) & (ns - 1);
    slots[i] = v->slots[k];
  }
  free(v->slots);
  v->slots = slots;
  v->nslots = ns;
  return 0;
}

/* Whether the bytes after the first 8 agree (strings longer than 8 bytes,
 * heads and lengths already equal). Out of line so that the probe loop
 * makes no call and needs no saved registers. */
static __attribute__((noinline)) int same_tail(const es_vocab *v, const slot *sl, const char *s,
                                               size_t n) {
  return memcmp(v->arena + sl->off + 8, s + 8, n - 8) == 0;
}

/* The slot holding s, or the empty slot where it would go. */
static inline size_t probe(const es_vocab *v, const char *s, size_t n, uint32_t h,
                           uint64_t head) {
  size_t i = h & (v->nslots - 1);
  for (;;) {
    const slot *sl = &v->slots[i];
    if (sl->id < 0) return i;
    if (sl->hash == h && sl->head == head && sl->len == n &&
        (n <= 8 || same_tail(v, sl, s, n)))
      return i;
    i = (i + 1) & (v->nslots - 1);
  }
}

int32_t es_vocab_find(const es_vocab *v, const char *s, size_t n) {
  uint64_t head = head_word(s, n);
  return v->slots[probe(v, s, n, hash_bytes(s, n, head), head)].id;
}

/* Adds s (not yet interned) at empty slot `at`; its hash and head word are
 * h and head. Kept out of line: the lookup that precedes it is the hot path. */
static __attribute__((noinline)) int32_t insert(es_vocab *v, const char *s, size_t n,
                                                 uint32_t h, uint64_t head, size_t at) {
  if (v->n >= INT32_MAX || n >= UINT32_MAX / 2 || v->arena_len + n + 1 > UINT32_MAX) return -1;
  if (v->n == v->ids_cap) {
    size_t cap = v->ids_cap ? v->ids_cap * 2 : 1024;
    size_t *off = realloc(v->offset, cap * sizeof *off);
    if (!off) return -1;
    v->offset = off;
    uint32_t *len = realloc(v->length, cap * sizeof *len);
    if (!len) return -1;
    v->length = len;
    v->ids_cap = cap;
  }
  if (v->arena_len + n + 1 > v->arena_cap) {
    size_t cap = v->arena_cap ? v->arena_cap : 16384;
    while (v->arena_len + n + 1 > cap) cap *= 2;
    char *a = realloc(v->arena, cap);
    if (!a) return -1;
    v->arena = a;
    v->arena_cap = cap;
  }
  /* grow before inserting: a table that could not grow must never fill up,
   * or probes for unknown strings would never find an empty slot */
  if ((v->n + 1) * 2 > v->nslots) {
    if (grow_table(v) != 0) return -1;
    at = probe(v, s, n, h, head);
  }
  int32_t id = (int32_t)v->n++;
  memcpy(v->arena + v->arena_len, s, n);
  v->arena[v->arena_len + n] = '\0';
  v->offset[id] = v->arena_len;
  v->length[id] = (uint32_t)n;
  v->arena_len += n + 1;
  v->slots[at] = (slot){head, h, id, (uint32_t)n, (uint32_t)v->offset[id]};
  return id;
}

int32_t es_vocab_intern(es_vocab *v, const char *s, size_t n) {
  uint64_t head = head_word(s, n);
  uint32_t h = hash_bytes(s, n, head);
  size_t at = probe(v, s, n, h, head);
  int32_t id = v->slots[at].id;
  return id >= 0 ? id : insert(v, s, n, h, head, at);
}

const char *es_vocab_str(const es_vocab *v, int32_t id, size_t *len) {
  if (id < 0 || (size_t)id >= v->n) return NULL;
  if (len) *len = v->length[id];
  return v->arena + v->offset[id];
}

size_t es_vocab_size(const es_vocab *v) { return v->n; }

es_status es_seq_grow_push(es_seq *s, int32_t id) {
  if (s->len == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 32;
    int32_t *ids = realloc(s->ids, cap * sizeof *ids);
    if (!ids) return ES_ERR_NOMEM;
    s->ids = ids;
    s->cap = cap;
  }
  s->ids[s->len++] = id;
  return ES_OK;
}

void es_seq_clear(es_seq *s) { s->len = 0; }

void es_seq_release(es_seq *s) {
  free(s->ids);
  s->ids = NULL;
  s->len = s->cap = 0;
}

es_status es_utf8_validate(const char *str, size_t n, size_t *bad_offset) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    /* ASCII fast path: 8 bytes at a time while none has its high bit set */
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t need;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      cp = c & 0x07;
    } else {
      goto bad;
    }
    if (i + need >= n) goto bad; /* truncated sequence */
    for (size_t k = 1; k <= need; k++) {
      if ((s[i + k] & 0xc0) != 0x80) goto bad;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      goto bad;
    i += need + 1;
  }
  return ES_OK;
bad:
  if (bad_offset) *bad_offset = i;
  return ES_ERR_UTF8;
}

size_t es_utf8_chars(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xc0) != 0x80;
  return c;
}
