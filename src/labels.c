/*
 * labels.c: strategy label sets and their folded lookup.
 *
 * Every name and alias is entered in an open-addressing hash table keyed by
 * its folded spelling: ASCII letters lower-cased, leading and trailing white
 * space dropped, every inner run of white space turned into one space. A
 * lookup folds the query on the fly (no copy, no allocation), hashes it with
 * FNV-1a, and compares folded bytes against the stored folded key, so one
 * es_labelset_find costs about one pass over the query.
 */
#include "labels.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct es_label_slot {
  char *key;     /* folded spelling, NUL-terminated; NULL: empty slot */
  size_t len;    /* strlen(key) */
  uint64_t hash; /* of key */
  size_t index;  /* name index it denotes */
};

/* ===== Folding ===== */

/* Yields the folded bytes of a string one at a time. */
typedef struct {
  const unsigned char *p, *end;
} fold_iter;

static int is_space(unsigned c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void fold_init(fold_iter *it, const char *s, size_t n) {
  it->p = (const unsigned char *)s;
  it->end = it->p + n;
  while (it->p < it->end && is_space(*it->p)) it->p++;
}

/* The next folded byte, or -1 at the end (trailing white space included). */
static int fold_next(fold_iter *it) {
  if (it->p == it->end) return -1;
  unsigned c = *it->p;
  if (is_space(c)) {
    while (it->p < it->end && is_space(*it->p)) it->p++;
    return it->p == it->end ? -1 : ' ';
  }
  it->p++;
  return c >= 'A' && c <= 'Z' ? (int)(c - 'A' + 'a') : (int)c;
}

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

/* Hash and folded length of s. */
static uint64_t fold_hash(const char *s, size_t n, size_t *flen) {
  fold_iter it;
  uint64_t h = FNV_OFFSET;
  size_t len = 0;
  int c;
  fold_init(&it, s, n);
  while ((c = fold_next(&it)) >= 0) {
    h = (h ^ (unsigned)c) * FNV_PRIME;
    len++;
  }
  *flen = len;
  return h;
}

/* Whether s folds to exactly key (len bytes, already folded). */
static int fold_equal(const char *s, size_t n, const char *key, size_t len) {
  fold_iter it;
  size_t i = 0;
  int c;
  fold_init(&it, s, n);
  while ((c = fold_next(&it)) >= 0) {
    if (i == len || (unsigned char)key[i] != (unsigned)c) return 0;
    i++;
  }
  return i == len;
}

/* The folded copy of s (malloc'ed), or NULL when out of memory. */
static char *fold_dup(const char *s, size_t n, size_t len) {
  char *k = malloc(len + 1);
  if (!k) return NULL;
  fold_iter it;
  size_t i = 0;
  int c;
  fold_init(&it, s, n);
  while ((c = fold_next(&it)) >= 0) k[i++] = (char)c;
  k[i] = '\0';
  return k;
}

int es_labelset_same(const char *a, size_t an, const char *b, size_t bn) {
  fold_iter ia, ib;
  int ca, cb;
  fold_init(&ia, a, an);
  fold_init(&ib, b, bn);
  do {
    ca = fold_next(&ia);
    cb = fold_next(&ib);
    if (ca != cb) return 0;
  } while (ca >= 0);
  return 1;
}

/* ===== The hash table ===== */

/* The slot holding a key equal to s, or the empty slot where it would go. */
static struct es_label_slot *probe(struct es_label_slot *slots, size_t nslots, uint64_t h,
                                   const char *s, size_t n, size_t flen) {
  size_t mask = nslots - 1, i = (size_t)h & mask;
  for (;;) {
    struct es_label_slot *sl = &slots[i];
    if (!sl->key) return sl;
    if (sl->hash == h && sl->len == flen && fold_equal(s, n, sl->key, sl->len)) return sl;
    i = (i + 1) & mask;
  }
}

/* Keeps the table at most half full. */
static int grow(es_labelset *ls) {
  if (ls->nslots && (ls->nused + 1) * 2 <= ls->nslots) return 0;
  size_t nslots = ls->nslots ? ls->nslots * 2 : 32;
  struct es_label_slot *slots = calloc(nslots, sizeof *slots);
  if (!slots) return -1;
  for (size_t i = 0; i < ls->nslots; i++) {
    struct es_label_slot *old = &ls->slots[i];
    if (!old->key) continue;
    *probe(slots, nslots, old->hash, old->key, old->len, old->len) = *old;
  }
  free(ls->slots);
  ls->slots = slots;
  ls->nslots = nslots;
  return 0;
}

/* Enters spelling s for name index; an existing equal key keeps its index. */
static int insert(es_labelset *ls, const char *s, size_t index) {
  size_t n = strlen(s), flen;
  uint64_t h = fold_hash(s, n, &flen);
  if (flen == 0) return 0; /* never found: lookups of blanks return -1 */
  if (grow(ls) != 0) return -1;
  struct es_label_slot *sl = probe(ls->slots, ls->nslots, h, s, n, flen);
  if (sl->key) return 0;
  if (!(sl->key = fold_dup(s, n, flen))) return -1;
  sl->len = flen;
  sl->hash = h;
  sl->index = index;
  ls->nused++;
  return 0;
}

/* ===== Public API ===== */

long es_labelset_find(const es_labelset *ls, const char *s, size_t n) {
  if (!ls || !ls->nused) return -1;
  /* fold and hash in one pass into a stack buffer, so that probing is a
   * memcmp; spellings longer than the buffer take the streaming path */
  char folded[128];
  fold_iter it;
  uint64_t h = FNV_OFFSET;
  size_t flen = 0;
  int c;
  fold_init(&it, s, n);
  while ((c = fold_next(&it)) >= 0) {
    h = (h ^ (unsigned)c) * FNV_PRIME;
    if (flen < sizeof folded) folded[flen] = (char)c;
    flen++;
  }
  if (flen == 0) return -1;
  if (flen > sizeof folded) {
    const struct es_label_slot *sl = probe(ls->slots, ls->nslots, h, s, n, flen);
    return sl->key ? (long)sl->index : -1;
  }
  size_t mask = ls->nslots - 1;
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    const struct es_label_slot *sl = &ls->slots[i];
    if (!sl->key) return -1;
    if (sl->hash == h && sl->len == flen && memcmp(sl->key, folded, flen) == 0)
      return (long)sl->index;
  }
}

int es_labelset_add(es_labelset *ls, const char *name) {
  char **names = realloc(ls->names, (ls->n + 1) * sizeof *names);
  if (!names) return -1;
  ls->names = names;
  if (!(names[ls->n] = strdup(name))) return -1;
  ls->n++;
  return insert(ls, name, ls->n - 1);
}

int es_labelset_add_alias(es_labelset *ls, const char *from, size_t to) {
  if (to >= ls->n) return -1;
  char **af = realloc(ls->alias_from, (ls->nalias + 1) * sizeof *af);
  if (!af) return -1;
  ls->alias_from = af;
  size_t *at = realloc(ls->alias_to, (ls->nalias + 1) * sizeof *at);
  if (!at) return -1;
  ls->alias_to = at;
  if (!(af[ls->nalias] = strdup(from))) return -1;
  at[ls->nalias++] = to;
  return insert(ls, from, to);
}

void es_labelset_release(es_labelset *ls) {
  if (!ls) return;
  for (size_t i = 0; i < ls->n; i++) free(ls->names[i]);
  for (size_t i = 0; i < ls->nalias; i++) free(ls->alias_from[i]);
  for (size_t i = 0; i < ls->nslots; i++) free(ls->slots[i].key);
  free(ls->names);
  free(ls->alias_from);
  free(ls->alias_to);
  free(ls->slots);
  memset(ls, 0, sizeof *ls);
}
