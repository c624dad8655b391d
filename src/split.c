/*
 * split.c: assigning dialogues to train / valid / test (dialogue.h).
 *
 * Without a split file the split is a function of the dialogue id alone:
 * the id's 64-bit value modulo the sum of the ratios, against the
 * cumulative ratios. The id hashes the dialogue's turns, so the assignment
 * does not change when the file is reordered or other dialogues are added
 * or removed, and identical dialogues cannot land on both sides.
 *
 * A split file lists every dialogue, one per line:
 *     # comments and blank lines are ignored
 *     train<TAB>3f2a9c0e51b7d846
 *     test<TAB>0c1d2e3f40516273
 * (any run of tabs or spaces separates the two fields). Every error names
 * file:line:column with the line and a caret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_internal.h"
#include "exitcode.h"

static const char *const split_names[] = {"train", "valid", "test"};

const char *es_split_name(es_split s) {
  return (unsigned)s < 3 ? split_names[s] : "?";
}

static unsigned long long id_value(const char *id) {
  unsigned long long v = 0;
  for (const char *p = id; *p; p++) {
    char c = *p;
    v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

static int by_hash(const es_dataset *ds, const unsigned ratio[3], es_split *out, es_error *err) {
  unsigned long long sum = (unsigned long long)ratio[0] + ratio[1] + ratio[2];
  if (sum == 0) return es_error_set(err, ES_EXIT_USAGE, "split ratio 0:0:0 assigns nothing");
  for (size_t i = 0; i < ds->n; i++) {
    unsigned long long v = id_value(ds->dialogues[i].id) % sum;
    out[i] = v < ratio[0] ? ES_SPLIT_TRAIN : v < (unsigned long long)ratio[0] + ratio[1]
                                                 ? ES_SPLIT_VALID
                                                 : ES_SPLIT_TEST;
  }
  return 0;
}

/* ---- split files ------------------------------------------------------------ */

typedef struct {
  const char *id;
  size_t index;
} id_entry;

static int id_entry_cmp(const void *a, const void *b) {
  return strcmp(((const id_entry *)a)->id, ((const id_entry *)b)->id);
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

static int is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int from_file(const es_dataset *ds, const char *file, es_split *out, es_error *err) {
  int rc = -1;
  char *buf = NULL;
  size_t len = 0, missing = 0, first_missing = 0;
  id_entry *ids = malloc((ds->n ? ds->n : 1) * sizeof *ids);
  size_t *line_of = calloc(ds->n ? ds->n : 1, sizeof *line_of); /* 0: not yet assigned */

  if (!ids || !line_of) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < ds->n; i++) {
    ids[i].id = ds->dialogues[i].id;
    ids[i].index = i;
  }
  qsort(ids, ds->n, sizeof *ids, id_entry_cmp);
  if (es_ds_read_file(file, &buf, &len, NULL, err) != 0) goto out;

  size_t lineno = 0;
  for (char *line = buf, *next; line < buf + len; line = next) {
    char *nl = memchr(line, '\n', (size_t)(buf + len - line));
    next = nl ? nl + 1 : buf + len;
    if (nl) *nl = '\0';
    if (nl && nl > line && nl[-1] == '\r') nl[-1] = '\0';
    lineno++;

    char *p = line;
    while (is_blank(*p)) p++;
    if (*p == '\0' || *p == '#') continue;
    char *name = p;
    while (*p && !is_blank(*p)) p++;
    size_t name_len = (size_t)(p - name);
    es_split which = ES_SPLIT_TRAIN;
    int known = 0;
    for (int s = 0; s < 3 && !known; s++)
      if (strlen(split_names[s]) == name_len && strncmp(name, split_names[s], name_len) == 0) {
        which = (es_split)s;
        known = 1;
      }
    if (!known) {
      es_error_at(err, ES_EXIT_USAGE, file, lineno, (size_t)(name - line) + 1, line,
                  "unknown split '%.*s' (expected train, valid or test)", (int)name_len, name);
      goto out;
    }
    while (is_blank(*p)) p++;
    char *id = p;
    while (is_hex(*p)) p++;
    char *id_end = p;
    while (is_blank(*p)) p++;
    if (id_end - id != 16 || (*p && *p != '#')) {
      es_error_at(err, ES_EXIT_USAGE, file, lineno, (size_t)(id - line) + 1, line,
                  "expected a dialogue id (16 hex digits) after the split name");
      goto out;
    }
    char key[17];
    for (int k = 0; k < 16; k++) key[k] = (char)(id[k] | (id[k] >= 'A' ? 0x20 : 0)); /* lower case */
    key[16] = '\0';
    id_entry probe = {key, 0};
    id_entry *hit = ds->n ? bsearch(&probe, ids, ds->n, sizeof *ids, id_entry_cmp) : NULL;
    if (!hit) {
      es_error_at(err, ES_EXIT_USAGE, file, lineno, (size_t)(id - line) + 1, line,
                  "dialogue '%s' is not in '%s'", key, ds->path);
      goto out;
    }
    if (line_of[hit->index]) {
      es_error_at(err, ES_EXIT_USAGE, file, lineno, (size_t)(id - line) + 1, line,
                  "dialogue '%s' is listed twice (first on line %zu)", key, line_of[hit->index]);
      goto out;
    }
    line_of[hit->index] = lineno;
    out[hit->index] = which;
  }
  for (size_t i = 0; i < ds->n; i++)
    if (!line_of[i] && missing++ == 0) first_missing = i;
  if (missing) {
    es_error_set(err, ES_EXIT_USAGE,
                 "%s:%zu: %zu of %zu dialogues of '%s' are missing from the split file, the first "
                 "'%s' (dialogue [%zu])",
                 file, lineno + 1, missing, ds->n, ds->path, ds->dialogues[first_missing].id,
                 ds->dialogues[first_missing].source_index);
    goto out;
  }
  rc = 0;
out:
  free(buf);
  free(ids);
  free(line_of);
  return rc;
}

int es_split_assign(const es_dataset *ds, const unsigned ratio[3], const char *split_file,
                    es_split *out, es_error *err) {
  return split_file ? from_file(ds, split_file, out, err) : by_hash(ds, ratio, out, err);
}
