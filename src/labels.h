/*
 * labels.h: strategy label sets, as data.
 *
 * A suite names its strategy list and the aliases that map the spellings
 * found in data and in model replies onto it (files in suites/labels/, read
 * by es_suite_load_labels in suite.h). Lookup folds ASCII case, trims, and
 * turns every run of white space (space, tab, CR, LF, FF, VT) into one
 * space, so "Avoid Judgment and Criticism" and " avoid  judgment AND
 * criticism" both find the canonical name; aliases are matched the same
 * way. A lookup is one hash probe on the folded spelling, without
 * allocating (it runs once per reply).
 *
 * A zeroed es_labelset is a valid empty set:  es_labelset ls = {0};
 */
#ifndef ES_LABELS_H
#define ES_LABELS_H

#include <stddef.h>

struct es_label_slot;

typedef struct {
  char **names;        /* canonical strategy names, in the suite's order */
  size_t n;
  char **alias_from;   /* alias spelling ... */
  size_t *alias_to;    /* ... and the index of the name it maps to */
  size_t nalias;
  /* private: open-addressing hash from folded spelling to name index */
  struct es_label_slot *slots;
  size_t nslots, nused;
} es_labelset;

/* The index of the canonical name that s (n bytes) denotes, directly or by
 * alias, or -1 when it is none of them (or folds to the empty string). */
long es_labelset_find(const es_labelset *ls, const char *s, size_t n);
/* Adds a canonical name (es_labelset_add: it gets index ls->n - 1) or an
 * alias of name index to (< ls->n). Both copy the string. Returns 0, or -1
 * when out of memory or when to is out of range. A spelling that folds to
 * one already present is still stored, but lookups keep finding the earlier
 * entry: check with es_labelset_find first when that matters. */
int es_labelset_add(es_labelset *ls, const char *name);
int es_labelset_add_alias(es_labelset *ls, const char *from, size_t to);
/* 1 when a (an bytes) and b (bn bytes) fold to the same spelling, else 0. */
int es_labelset_same(const char *a, size_t an, const char *b, size_t bn);
/* Frees the contents and zeroes the struct (the struct itself is the
 * caller's). Accepts NULL. */
void es_labelset_release(es_labelset *ls);

#endif
