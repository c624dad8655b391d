/*
 * labels.h: strategy label sets, as data.
 *
 * A suite names its strategy list and the aliases that map the spellings
 * found in data and in model replies onto it (suites/labels/*.yaml). Lookup
 * folds case and runs of white space, so "Avoid Judgment and Criticism" and
 * "avoid  judgment AND criticism" both find the canonical name; aliases are
 * matched the same way.
 */
#ifndef ES_LABELS_H
#define ES_LABELS_H

#include <stddef.h>

typedef struct {
  char **names;        /* canonical strategy names, in the suite's order */
  size_t n;
  char **alias_from;   /* alias spelling ... */
  size_t *alias_to;    /* ... and the index of the name it maps to */
  size_t nalias;
} es_labelset;

/* The index of the canonical name that s (n bytes) denotes, directly or by
 * alias, or -1 when it is none of them. */
long es_labelset_find(const es_labelset *ls, const char *s, size_t n);
/* Adds a name / an alias (copies the strings); 0 or -1 when out of memory. */
int es_labelset_add(es_labelset *ls, const char *name);
int es_labelset_add_alias(es_labelset *ls, const char *from, size_t to);
/* Frees the contents; the struct itself is the caller's. Accepts NULL. */
void es_labelset_release(es_labelset *ls);

#endif
