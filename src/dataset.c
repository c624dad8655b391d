/*
 * dataset.c: loading a dataset file into an es_dataset (dialogue.h).
 *
 * This file owns what every adapter shares: the table of adapters, reading
 * the file and hashing it, JSON syntax errors as file:line:column, UTF-8
 * checks, trimming and copying texts, normalising and counting strategy
 * labels, dialogue ids, and the final pass that drops empty and duplicate
 * dialogues. The adapters (extes.c, esconv.c) know only their own schema.
 *
 * Dialogue ids. The id is the first 16 hex digits of the sha256 of the
 * dialogue's canonical form: for each turn, in order,
 *     "seeker" or "supporter", ' ', the text's length in bytes (decimal),
 *     ':', the text, '\n'
 * The length prefix makes the form unambiguous (no text can fake a turn
 * boundary). Scenario, situation and strategy labels are left out, so
 * relabelling a dialogue or fixing its scene does not move it to another
 * split, and the id does not depend on the dialogue's place in the file.
 *
 * Duplicates. Two dialogues with the same turns have the same id. The later
 * one (in file order) is dropped and counted as dialogue_duplicate_dropped:
 * keeping both would put the same instances twice into one split and make
 * ids ambiguous in split files and results.
 */
#include "dataset_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "es_common.h"
#include "exitcode.h"

/* The adapters. To add a dataset: write NAME.c with a dialogue parser of
 * type es_ds_parse_fn (see extes.c), declare it in dataset_internal.h, and
 * add a row here; document its counts in a table at the top of NAME.c. */
static const struct {
  const char *name;
  es_ds_parse_fn parse;
} adapters[] = {
    {"extes", es_extes_dialogue},
    {"esconv", es_esconv_dialogue},
};

/* ---- files and hashes ----------------------------------------------------- */

void es_ds_hex(const unsigned char *bytes, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15];
  }
  out[2 * n] = '\0';
}

int es_ds_read_file(const char *path, char **buf, size_t *len, char sha256[65], es_error *err) {
  int fd = -1, rc = -1;
  char *data = NULL;
  struct stat st;

  *buf = NULL;
  *len = 0;
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) != 0) {
    es_error_set(err, ES_EXIT_USAGE, "cannot open '%s': %s", path, strerror(errno));
    goto out;
  }
  if (S_ISDIR(st.st_mode)) {
    es_error_set(err, ES_EXIT_USAGE, "cannot read '%s': Is a directory", path);
    goto out;
  }
  size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, n = 0;
  data = malloc(cap);
  if (!data) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory reading '%s'", path);
    goto out;
  }
  for (;;) {
    if (n + 1 == cap) { /* the file grew, or st_size was 0 (a pipe) */
      char *bigger = realloc(data, cap * 2);
      if (!bigger) {
        es_error_set(err, ES_EXIT_INTERNAL, "out of memory reading '%s'", path);
        goto out;
      }
      data = bigger;
      cap *= 2;
    }
    ssize_t got = read(fd, data + n, cap - 1 - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      es_error_set(err, ES_EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
      goto out;
    }
    if (got == 0) break;
    n += (size_t)got;
  }
  data[n] = '\0';
  if (sha256) {
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (!EVP_Digest(data, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != sizeof md) {
      es_error_set(err, ES_EXIT_INTERNAL, "cannot hash '%s': sha256 failed", path);
      goto out;
    }
    es_ds_hex(md, sizeof md, sha256);
  }
  *buf = data;
  *len = n;
  data = NULL;
  rc = 0;
out:
  free(data);
  if (fd >= 0) close(fd);
  return rc;
}

int es_ds_utf8_valid(const char *s, size_t n, size_t *bad) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* bounds of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;      /* overlong */
      if (c == 0xED) hi = 0x9F;      /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;      /* overlong */
      if (c == 0xF4) hi = 0x8F;      /* above U+10FFFF */
    } else {
      goto invalid;
    }
    if (n - i < len || p[i + 1] < lo || p[i + 1] > hi) goto invalid;
    for (size_t k = 2; k < len; k++)
      if ((p[i + k] & 0xC0) != 0x80) goto invalid;
    i += len;
  }
  return 1;
invalid:
  if (bad) *bad = i;
  return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static const char *json_type_name(const cJSON *v) {
  if (cJSON_IsObject(v)) return "an object";
  if (cJSON_IsString(v)) return "a string";
  if (cJSON_IsNumber(v)) return "a number";
  if (cJSON_IsBool(v)) return "a boolean";
  if (cJSON_IsNull(v)) return "null";
  return "an unknown value";
}

/* A syntax error at byte offset off of buf: "path:line:col: what" and the
 * line with a caret. Long lines (a JSON file is often one line) are shown
 * as a window around the column. */
static int json_error(const char *path, const char *buf, size_t len, size_t off,
                      const char *what, es_error *err) {
  enum { BEFORE = 60, AFTER = 20 };
  size_t line = 1, start = 0;
  if (off > len) off = len;
  for (size_t i = 0; i < off; i++)
    if (buf[i] == '\n') {
      line++;
      start = i + 1;
    }
  size_t col = es_utf8_chars(buf + start, off - start) + 1, end = start;
  while (end < len && buf[end] != '\n' && buf[end] != '\r') end++;
  if (end - start < 200) {
    char text[256];
    for (size_t i = start; i < end; i++) /* control bytes would garble the terminal */
      text[i - start] = (unsigned char)buf[i] < 0x20 && buf[i] != '\t' ? ' ' : buf[i];
    text[end - start] = '\0';
    return es_error_at(err, ES_EXIT_USAGE, path, line, col, text, "%s", what);
  }
  size_t from = off - start > BEFORE ? off - BEFORE : start;
  while (from < off && ((unsigned char)buf[from] & 0xC0) == 0x80) from++; /* whole characters */
  size_t to = end - off > AFTER ? off + AFTER : end;
  while (to > off && to < end && ((unsigned char)buf[to] & 0xC0) == 0x80) to--;
  char window[BEFORE + AFTER + 8], caret[BEFORE + 8];
  size_t k = 0, c = 0;
  if (from > start) k += (size_t)snprintf(window, sizeof window, "...");
  for (size_t i = from; i < to; i++) window[k++] = (unsigned char)buf[i] < 0x20 ? ' ' : buf[i];
  window[k] = '\0';
  size_t pad = (from > start ? 3 : 0);
  for (size_t i = from; i < off; i++) /* one cell per character */
    if (((unsigned char)buf[i] & 0xC0) != 0x80) pad++;
  for (; c < pad && c + 2 < sizeof caret; c++) caret[c] = ' ';
  caret[c++] = '^';
  caret[c] = '\0';
  return es_error_set(err, ES_EXIT_USAGE, "%s:%zu:%zu: %s\n %5zu | %s\n       | %s", path,
                      line, col, what, line, window, caret);
}

cJSON *es_ds_parse_json_array(const char *path, const char *buf, size_t len, es_error *err) {
  /* cJSON stops at a NUL byte; JSON never holds one outside a string escape */
  const char *nul = memchr(buf, '\0', len);
  if (nul) {
    json_error(path, buf, len, (size_t)(nul - buf), "malformed JSON: NUL byte", err);
    return NULL;
  }
  const char *end = NULL;
  size_t bom = len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* editors add one */
  /* len + 1 lets cJSON see the terminating NUL it requires */
  cJSON *root = cJSON_ParseWithLengthOpts(buf + bom, len - bom + 1, &end, 1);
  if (!root) {
    size_t off = end && end >= buf ? (size_t)(end - buf) : 0;
    int at_end = 1;
    for (size_t i = off; i < len && at_end; i++)
      if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r') at_end = 0;
    json_error(path, buf, len, off,
               at_end ? "malformed JSON: unexpected end of file" : "malformed JSON", err);
    return NULL;
  }
  if (!cJSON_IsArray(root)) {
    es_error_set(err, ES_EXIT_USAGE, "'%s': expected a JSON array of dialogues, found %s",
                 path, json_type_name(root));
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* ---- building dialogues ----------------------------------------------------- */

/* Arrays grow when their length reaches a power of two (from 16), so
 * neither es_dataset nor es_dialogue needs a capacity field. */
static int grow(void **items, size_t n, size_t size) {
  if (n != 0 && (n < 16 || (n & (n - 1)) != 0)) return 0;
  size_t cap = n == 0 ? 16 : 2 * n;
  void *bigger = realloc(*items, cap * size);
  if (!bigger) return -1;
  *items = bigger;
  return 0;
}

es_dialogue *es_ds_dialogue_new(es_dataset *ds, size_t source_index) {
  if (grow((void **)&ds->dialogues, ds->n, sizeof *ds->dialogues) != 0) return NULL;
  es_dialogue *d = &ds->dialogues[ds->n++];
  memset(d, 0, sizeof *d);
  d->source_index = source_index;
  return d;
}

es_turn *es_ds_turn_add(es_dialogue *d, es_speaker sp, char *text, char *raw_strategy,
                        long strategy) {
  if (grow((void **)&d->turns, d->nturns, sizeof *d->turns) != 0) {
    free(text);
    free(raw_strategy);
    return NULL;
  }
  es_turn *t = &d->turns[d->nturns++];
  t->speaker = sp;
  t->text = text;
  t->raw_strategy = raw_strategy;
  t->strategy = strategy;
  return t;
}

const char *es_ds_loc_str(const es_ds_loc *loc, char *buf, size_t cap) {
  if (loc->list)
    snprintf(buf, cap, "[%zu].%s[%zu]%s%s", loc->i, loc->list, loc->j, loc->key ? "." : "",
             loc->key ? loc->key : "");
  else
    snprintf(buf, cap, "[%zu]%s%s", loc->i, loc->key ? "." : "", loc->key ? loc->key : "");
  return buf;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* s trimmed: its first non-space byte in *start, its length in *n */
static void trim(const char *s, const char **start, size_t *n) {
  size_t len = strlen(s);
  while (len && is_space(*s)) s++, len--;
  while (len && is_space(s[len - 1])) len--;
  *start = s;
  *n = len;
}

int es_ds_text(const es_dataset *ds, const char *s, const es_ds_loc *loc, char **out,
               es_error *err) {
  const char *p;
  size_t n, bad;
  char where[160];
  *out = NULL;
  trim(s, &p, &n);
  if (!es_ds_utf8_valid(p, n, &bad))
    return es_error_set(err, ES_EXIT_USAGE, "'%s': invalid UTF-8 in %s (dialogue %zu, byte %zu)",
                        ds->path, es_ds_loc_str(loc, where, sizeof where), loc->i,
                        (size_t)(p - s) + bad);
  if (n == 0) return 0;
  *out = malloc(n + 1);
  if (!*out) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  memcpy(*out, p, n);
  (*out)[n] = '\0';
  return 0;
}

int es_ds_strategy(es_dataset *ds, const es_labelset *labels, const cJSON *v,
                   const es_ds_loc *loc, char **raw, long *index, es_error *err) {
  *raw = NULL;
  *index = -1;
  if (!v) {
    es_dataset_count(ds, "strategy_missing_key", 1);
    return 0;
  }
  if (cJSON_IsNull(v)) {
    es_dataset_count(ds, "strategy_empty", 1);
    return 0;
  }
  if (!cJSON_IsString(v) || !v->valuestring) {
    es_dataset_count(ds, "strategy_not_string", 1);
    return 0;
  }
  if (es_ds_text(ds, v->valuestring, loc, raw, err) != 0) return -1;
  if (!*raw) {
    es_dataset_count(ds, "strategy_empty", 1);
    return 0;
  }
  if (!labels) return 0;
  size_t n = strlen(*raw);
  *index = es_labelset_find(labels, *raw, n);
  if (*index < 0) {
    es_dataset_count(ds, "strategy_unknown", 1);
  } else if (strcmp(*raw, labels->names[*index]) != 0) {
    const char *name = labels->names[*index];
    es_dataset_count(ds,
                     es_labelset_same(*raw, n, name, strlen(name)) ? "strategy_case_variant"
                                                                   : "strategy_alias",
                     1);
  }
  return 0;
}

/* ---- ids and the final pass ------------------------------------------------- */

int es_ds_dialogue_id(const es_dialogue *d, char id[17]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  int ok;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  for (size_t t = 0; ok && t < d->nturns; t++) {
    char head[48];
    size_t n = strlen(d->turns[t].text);
    int hn = snprintf(head, sizeof head, "%s %zu:",
                      d->turns[t].speaker == ES_SEEKER ? "seeker" : "supporter", n);
    ok = EVP_DigestUpdate(ctx, head, (size_t)hn) && EVP_DigestUpdate(ctx, d->turns[t].text, n) &&
         EVP_DigestUpdate(ctx, "\n", 1);
  }
  ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen >= 8;
  EVP_MD_CTX_free(ctx);
  if (!ok) return -1;
  es_ds_hex(md, 8, id);
  return 0;
}

static void dialogue_release(es_dialogue *d) {
  for (size_t t = 0; t < d->nturns; t++) {
    free(d->turns[t].text);
    free(d->turns[t].raw_strategy);
  }
  free(d->turns);
  free(d->scenario);
  free(d->situation);
}

typedef struct {
  char id[17];
  size_t pos;
} id_pos;

static int id_pos_cmp(const void *a, const void *b) {
  const id_pos *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  if (c) return c;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Keeps the dialogues with keep[i] set, in order; frees the others. */
static void compact(es_dataset *ds, const unsigned char *keep) {
  size_t k = 0;
  for (size_t i = 0; i < ds->n; i++) {
    if (keep[i])
      ds->dialogues[k++] = ds->dialogues[i];
    else
      dialogue_release(&ds->dialogues[i]);
  }
  ds->n = k;
}

int es_ds_finish(es_dataset *ds, size_t items, es_error *err) {
  int rc = -1;
  size_t empty = 0, same = 0, dup = 0;
  unsigned char *keep = malloc(ds->n ? ds->n : 1);
  id_pos *ids = malloc((ds->n ? ds->n : 1) * sizeof *ids);
  if (!keep || !ids) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < ds->n; i++) {
    keep[i] = ds->dialogues[i].nturns > 0;
    empty += !keep[i];
  }
  es_dataset_count(ds, "dialogue_dropped_no_turns", empty);
  compact(ds, keep);
  for (size_t i = 0; i < ds->n; i++) {
    es_dialogue *d = &ds->dialogues[i];
    for (size_t t = 1; t < d->nturns; t++) same += d->turns[t].speaker == d->turns[t - 1].speaker;
    if (es_ds_dialogue_id(d, d->id) != 0) {
      es_error_set(err, ES_EXIT_INTERNAL, "cannot hash dialogue %zu: sha256 failed",
                   d->source_index);
      goto out;
    }
    memcpy(ids[i].id, d->id, sizeof d->id);
    ids[i].pos = i;
    keep[i] = 1;
  }
  es_dataset_count(ds, "turn_same_speaker", same);
  qsort(ids, ds->n, sizeof *ids, id_pos_cmp);
  for (size_t i = 1; i < ds->n; i++)
    if (strcmp(ids[i].id, ids[i - 1].id) == 0) {
      keep[ids[i].pos] = 0;
      dup++;
    }
  es_dataset_count(ds, "dialogue_duplicate_dropped", dup);
  compact(ds, keep);
  if (ds->n == 0) {
    if (items == 0) {
      es_error_set(err, ES_EXIT_USAGE, "'%s': holds no dialogues", ds->path);
    } else { /* say what went wrong: often a file of the other dataset */
      char why[512];
      size_t k = 0;
      why[0] = '\0';
      for (size_t i = 0; i < ds->ncounts && k + 64 < sizeof why; i++)
        k += (size_t)snprintf(why + k, sizeof why - k, "%s%s %zu", i ? ", " : "",
                              ds->counts[i].what, ds->counts[i].n);
      es_error_set(err, ES_EXIT_USAGE,
                   "'%s': none of its %zu dialogues is usable as %s (%s)", ds->path, items,
                   ds->name, why);
    }
    goto out;
  }
  rc = 0;
out:
  free(keep);
  free(ids);
  return rc;
}

/* ---- public API -------------------------------------------------------------- */

void es_dataset_count(es_dataset *ds, const char *what, size_t n) {
  if (!ds || n == 0) return;
  for (size_t i = 0; i < ds->ncounts; i++)
    if (ds->counts[i].what == what || strcmp(ds->counts[i].what, what) == 0) {
      ds->counts[i].n += n;
      return;
    }
  if (ds->ncounts == ES_MAX_COUNTS) { /* never expected: fold into the last slot */
    ds->counts[ES_MAX_COUNTS - 1].what = "other_counts";
    ds->counts[ES_MAX_COUNTS - 1].n += n;
    return;
  }
  ds->counts[ds->ncounts].what = what;
  ds->counts[ds->ncounts].n = n;
  ds->ncounts++;
}

size_t es_dataset_count_get(const es_dataset *ds, const char *what) {
  if (!ds) return 0;
  for (size_t i = 0; i < ds->ncounts; i++)
    if (strcmp(ds->counts[i].what, what) == 0) return ds->counts[i].n;
  return 0;
}

void es_dataset_free(es_dataset *ds) {
  if (!ds) return;
  for (size_t i = 0; i < ds->n; i++) dialogue_release(&ds->dialogues[i]);
  free(ds->dialogues);
  free(ds->name);
  free(ds->path);
  free(ds);
}

int es_dataset_load(const char *name, const char *path, const es_labelset *labels,
                    es_dataset **out, es_error *err) {
  int rc = -1;
  char *buf = NULL;
  size_t len = 0;
  es_ds_parse_fn parse = NULL;
  es_dataset *ds = NULL;

  *out = NULL;
  for (size_t i = 0; i < sizeof adapters / sizeof adapters[0]; i++)
    if (strcmp(name, adapters[i].name) == 0) parse = adapters[i].parse;
  if (!parse) {
    es_error_set(err, ES_EXIT_USAGE, "unknown dataset '%s' (known: extes, esconv)", name);
    goto out;
  }
  ds = calloc(1, sizeof *ds);
  if (!ds || !(ds->name = strdup(name)) || !(ds->path = strdup(path))) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  if (es_ds_read_file(path, &buf, &len, ds->sha256, err) != 0) goto out;
  cJSON *root = es_ds_parse_json_array(path, buf, len, err);
  if (!root) goto out;
  size_t items = 0;
  int parsed = 0;
  for (const cJSON *item = root->child; item && parsed == 0; item = item->next, items++)
    parsed = parse(ds, item, items, labels, err);
  cJSON_Delete(root);
  if (parsed != 0 || es_ds_finish(ds, items, err) != 0) goto out;
  *out = ds;
  ds = NULL;
  rc = 0;
out:
  free(buf);
  es_dataset_free(ds);
  return rc;
}

int es_ds_dialogue_field(const es_dataset *ds, const cJSON *v, size_t i, char **out,
                         es_error *err) {
  *out = NULL;
  if (!cJSON_IsString(v) || !v->valuestring) return 0;
  es_ds_loc loc = {i, NULL, 0, v->string};
  return es_ds_text(ds, v->valuestring, &loc, out, err);
}

int es_ds_pick(const cJSON *o, const char *const *names, const cJSON **found, size_t n) {
  int extra = 0;
  for (size_t k = 0; k < n; k++) found[k] = NULL;
  for (const cJSON *c = o->child; c; c = c->next) {
    size_t k = 0;
    while (k < n && !(c->string && strcmp(c->string, names[k]) == 0)) k++;
    if (k == n || found[k]) extra = 1; /* another name, or a repeat (the first counts) */
    else found[k] = c;
  }
  return extra;
}
