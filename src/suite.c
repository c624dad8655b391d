/*
 * suite.c: reading and validating suite files (suites/NAME.yaml) and the label
 * set files they name (suites/labels/NAME.yaml), with libyaml's document API.
 *
 * A file is read whole, parsed into a libyaml document, then walked by hand
 * against the schema that suites/README.md documents key by key. Every
 * scalar value of a suite goes through ${VAR} expansion before it is
 * converted; keys never do. Positions come from libyaml's marks (0-based
 * line and column, columns counted in characters) and are reported 1-based
 * through es_error_at, with the offending line and a caret.
 *
 * The top-level sections are a table (`sections` below): each row names a
 * key, the shape of its value and the function that reads it.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "suite.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>
#include <cjson/cJSON.h>

#include "es_common.h"
#include "exitcode.h"
#include "lines.h"
#include "openai.h"
#include "strbuf.h"

/* The defaults of task.reply_format and task.strategy_pattern. */
#define DEFAULT_REPLY_FORMAT "[Strategy] reply"
#define DEFAULT_STRATEGY_PATTERN "^\\s*\\[([^\\]\\[]{1,80})\\]\\s*"

/* ===== Strings and files ===== */

/* Length of the valid UTF-8 sequence at p (before end), or 0 when invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end) {
  unsigned c = p[0];
  size_t n;
  unsigned min;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
  else return 0;
  if ((size_t)(end - p) < n) return 0;
  unsigned cp = c & (0x7F >> n);
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

/* Reads path whole into a NUL-terminated malloc'ed buffer. Returns 0, -1
 * with a "cannot open 'x': reason" message in why, or -2 out of memory. */
static int read_file(const char *path, char **out, size_t *len, char *why, size_t whycap) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(why, whycap, "cannot open '%s': %s", path, strerror(errno));
    return -1;
  }
  int e = es_read_stream(f, out, len);
  fclose(f);
  if (e == ENOMEM) return -2;
  if (e) {
    snprintf(why, whycap, "cannot read '%s': %s", path, strerror(e));
    return -1;
  }
  return 0;
}

/* The folder of path ("." when it has none), malloc'ed. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  return strndup(path, n);
}

/* rel resolved against dir: absolute paths and dir "." leave it as is. */
static char *join_path(const char *dir, const char *rel) {
  if (rel[0] == '/' || strcmp(dir, ".") == 0) return strdup(rel);
  size_t dl = strlen(dir), rl = strlen(rel);
  int sep = dir[dl - 1] != '/';
  char *p = malloc(dl + sep + rl + 1);
  if (!p) return NULL;
  memcpy(p, dir, dl);
  if (sep) p[dl] = '/';
  memcpy(p + dl + sep, rel, rl + 1);
  return p;
}

/* ===== Suggestions ===== */

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions) between a and b, each at most 63 bytes. */
static size_t osa_distance(const char *a, const char *b) {
  size_t m = strlen(a), n = strlen(b);
  size_t d[64][64];
  for (size_t i = 0; i <= m; i++) d[i][0] = i;
  for (size_t j = 0; j <= n; j++) d[0][j] = j;
  for (size_t i = 1; i <= m; i++)
    for (size_t j = 1; j <= n; j++) {
      size_t cost = a[i - 1] != b[j - 1];
      size_t v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
    }
  return d[m][n];
}

/* The candidate nearest to s when it is close enough to be a likely typo
 * (distance at most max(2, length / 3) and less than the shorter length),
 * else NULL. cands has n entries. */
static const char *nearest(const char *s, const char *const *cands, size_t n) {
  const char *best = NULL;
  size_t bestd = (size_t)-1, sl = strlen(s);
  if (sl == 0 || sl > 63) return NULL;
  for (size_t i = 0; i < n; i++) {
    size_t cl = strlen(cands[i]);
    if (cl > 63) continue;
    size_t d = osa_distance(s, cands[i]);
    size_t longer = sl > cl ? sl : cl, shorter = sl < cl ? sl : cl;
    size_t limit = longer / 3 > 2 ? longer / 3 : 2;
    if (d <= limit && d < shorter && d < bestd) {
      best = cands[i];
      bestd = d;
    }
  }
  return best;
}

static size_t list_len(const char *const *list) {
  size_t n = 0;
  while (list[n]) n++;
  return n;
}

static long list_index(const char *const *list, const char *s) {
  for (size_t i = 0; list[i]; i++)
    if (strcmp(list[i], s) == 0) return (long)i;
  return -1;
}

/* " (did you mean 'x'?)" or " (expected one of: a, b, c)" into buf. */
static const char *hint(char *buf, size_t cap, const char *s, const char *const *list,
                        const char *lead) {
  const char *near = nearest(s, list, list_len(list));
  if (near) {
    snprintf(buf, cap, " (did you mean '%s'?)", near);
    return buf;
  }
  size_t k = (size_t)snprintf(buf, cap, " (%s ", lead);
  for (size_t i = 0; list[i] && k < cap; i++)
    k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? ", " : "", list[i]);
  if (k < cap) snprintf(buf + k, cap - k, ")");
  return buf;
}

/* ===== YAML documents and positioned errors ===== */

typedef struct {
  const char *file;     /* as named in messages */
  char *buf;            /* the file's bytes, BOM removed, NUL-terminated */
  size_t len;
  int expand;           /* expand ${VAR} in values (suites, not label sets) */
  yaml_document_t doc;
  int loaded;
  char **vals;          /* expanded values, by node index, filled lazily */
  size_t nvals;
  es_error *err;
} cfg;

static int oom(es_error *err) { return es_error_set(err, ES_EXIT_INTERNAL, "out of memory"); }

/* Line line0 (0-based) of the buffer, with invalid UTF-8 and control bytes
 * shown as '?' so the terminal shows what the caret points at. */
static void line_text(const char *buf, size_t len, size_t line0, char *out, size_t cap) {
  const unsigned char *p = (const unsigned char *)buf, *end = p + len;
  for (size_t l = 0; l < line0 && p < end; p++)
    if (*p == '\n') l++;
  size_t k = 0;
  while (p < end && *p != '\n' && *p != '\r' && k + 5 < cap) {
    size_t n = utf8_seq(p, end);
    if (n == 0 || (n == 1 && *p < 0x20 && *p != '\t') || *p == 0x7F) {
      out[k++] = '?';
      p++;
    } else {
      memcpy(out + k, p, n);
      k += n;
      p += n;
    }
  }
  out[k] = '\0';
}

static int cfg_verror(cfg *c, size_t line0, size_t col0, const char *fmt, va_list ap) {
  char msg[2048], text[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  line_text(c->buf, c->len, line0, text, sizeof text);
  return es_error_at(c->err, ES_EXIT_USAGE, c->file, line0 + 1, col0 + 1, text, "%s", msg);
}

/* A config error at 0-based line0:col0 of c's file; returns -1. */
static int cfg_error_pos(cfg *c, size_t line0, size_t col0, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int cfg_error_pos(cfg *c, size_t line0, size_t col0, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cfg_verror(c, line0, col0, fmt, ap);
  va_end(ap);
  return -1;
}

/* A config error at the start of node n; returns -1. */
static int cfg_error(cfg *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int cfg_error(cfg *c, const yaml_node_t *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cfg_verror(c, n->start_mark.line, n->start_mark.column, fmt, ap);
  va_end(ap);
  return -1;
}

/* 0-based line and column of byte offset off in c's buffer. */
static void offset_pos(const cfg *c, size_t off, size_t *line0, size_t *col0) {
  size_t line = 0, start = 0;
  if (off > c->len) off = c->len;
  for (size_t i = 0; i < off; i++)
    if (c->buf[i] == '\n') line++, start = i + 1;
  *line0 = line;
  *col0 = es_utf8_chars(c->buf + start, off - start);
}

/* Turns a libyaml parser failure into a positioned error. */
static int parser_error(cfg *c, const yaml_parser_t *p) {
  size_t line, col;
  const char *problem = p->problem ? p->problem : "cannot parse the file";
  switch (p->error) {
  case YAML_MEMORY_ERROR:
    return oom(c->err);
  case YAML_READER_ERROR:
    offset_pos(c, p->problem_offset, &line, &col);
    if (strstr(problem, "UTF-8") || strstr(problem, "Unicode"))
      return p->problem_value >= 0
                 ? cfg_error_pos(c, line, col, "not valid UTF-8: %s 0x%02x", problem,
                                 (unsigned)p->problem_value)
                 : cfg_error_pos(c, line, col, "not valid UTF-8: %s", problem);
    if (p->problem_value >= 0)
      return cfg_error_pos(c, line, col, "%s (0x%02x)", problem, (unsigned)p->problem_value);
    return cfg_error_pos(c, line, col, "%s", problem);
  default:
    break;
  }
  yaml_mark_t m = p->problem_mark;
  line = m.line;
  col = m.column;
  /* libyaml rejects tabs with a generic message: say what to do instead */
  char text[512];
  line_text(c->buf, c->len, line, text, sizeof text);
  size_t indent = strspn(text, " \t"); /* ASCII, so columns are bytes there */
  const char *tabs = col < indent && memchr(text, '\t', indent)
                         ? "; indent with spaces, YAML does not allow tabs"
                         : "";
  if (p->context && (p->context_mark.line != m.line || p->context_mark.column != m.column))
    return cfg_error_pos(c, line, col, "%s (%s at line %zu, column %zu)%s", problem, p->context,
                         p->context_mark.line + 1, p->context_mark.column + 1, tabs);
  if (p->context) return cfg_error_pos(c, line, col, "%s (%s)%s", problem, p->context, tabs);
  return cfg_error_pos(c, line, col, "%s%s", problem, tabs);
}

/* Parses c->buf (set by the caller with file, len, expand and err) into one
 * document whose root is a mapping. Returns 0 or -1 with the error set. */
static int cfg_parse(cfg *c) {
  int rc = -1;
  yaml_parser_t p;
  if (c->len >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0) {
    memmove(c->buf, c->buf + 3, c->len - 3 + 1);
    c->len -= 3;
  }
  if (!yaml_parser_initialize(&p)) return oom(c->err);
  yaml_parser_set_input_string(&p, (const unsigned char *)c->buf, c->len);
  yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
  if (!yaml_parser_load(&p, &c->doc)) {
    parser_error(c, &p);
    goto out;
  }
  c->loaded = 1;
  yaml_node_t *root = yaml_document_get_root_node(&c->doc);
  if (!root) {
    cfg_error_pos(c, 0, 0, "expected a mapping of keys, found an empty file");
    goto out;
  }
  if (root->type != YAML_MAPPING_NODE) {
    cfg_error(c, root, "expected a mapping of keys at the top of the file, found a %s",
              root->type == YAML_SEQUENCE_NODE ? "list" : "scalar");
    goto out;
  }
  yaml_document_t next;
  if (!yaml_parser_load(&p, &next)) {
    parser_error(c, &p);
    goto out;
  }
  yaml_node_t *root2 = yaml_document_get_root_node(&next);
  if (root2) cfg_error(c, root2, "expected one YAML document, found a second one");
  yaml_document_delete(&next);
  if (root2) goto out;
  c->nvals = (size_t)(c->doc.nodes.top - c->doc.nodes.start);
  if (!(c->vals = calloc(c->nvals ? c->nvals : 1, sizeof *c->vals))) {
    oom(c->err);
    goto out;
  }
  rc = 0;
out:
  yaml_parser_delete(&p);
  return rc;
}

static void cfg_release(cfg *c) {
  if (c->loaded) yaml_document_delete(&c->doc);
  for (size_t i = 0; i < c->nvals; i++) free(c->vals[i]);
  free(c->vals);
  free(c->buf);
}

static yaml_node_t *cfg_node(cfg *c, int id) { return yaml_document_get_node(&c->doc, id); }

static const char *raw(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* An absent value: a plain empty scalar, ~ or null. */
static int is_null(const yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
  const char *s = raw(n);
  return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
         !strcmp(s, "NULL");
}

static const char *shape(const yaml_node_t *n) {
  return n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a list"
                                                                                    : "a scalar";
}

/* ===== ${VAR} expansion ===== */

/* 0-based position of byte off of scalar n's value: exact when the scalar
 * sits on one line and its source is its value (no escapes or folding),
 * else the scalar's start. */
static void value_pos(const yaml_node_t *n, size_t off, size_t *line0, size_t *col0) {
  const yaml_mark_t *s = &n->start_mark, *e = &n->end_mark;
  size_t chars = es_utf8_chars(raw(n), n->data.scalar.length);
  size_t quotes = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                          n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
                      ? 1
                      : 0;
  *line0 = s->line;
  *col0 = s->column;
  if (s->line == e->line && e->column - s->column == chars + 2 * quotes &&
      (quotes || n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE))
    *col0 = s->column + quotes + es_utf8_chars(raw(n), off);
}

static int bad_reference(cfg *c, const yaml_node_t *n, const char *s, size_t len, size_t at) {
  size_t line, col, end = at;
  while (end < len && s[end] != '}' && end - at < 40) end++;
  value_pos(n, at, &line, &col);
  return cfg_error_pos(c, line, col,
                       "bad variable reference '%.*s%s': write ${NAME} or ${NAME:-default} "
                       "(and $$ for a literal $)",
                       (int)(end - at), s + at, end < len && s[end] == '}' ? "}" : "");
}

static int is_name_char(char ch, int first) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
         (!first && ch >= '0' && ch <= '9');
}

/* Expands s[*i..len) into b, up to the end or, inside a default (nested),
 * up to its unmatched '}'. emit == 0 only parses: the default of a set
 * variable is checked for syntax but its variables need not be set. */
static int expand(cfg *c, const yaml_node_t *n, const char *s, size_t len, size_t *i,
                  int nested, int emit, es_strbuf *b) {
  while (*i < len) {
    char ch = s[*i];
    if (nested && ch == '}') return 0;
    if (ch != '$' || *i + 1 == len || (s[*i + 1] != '$' && s[*i + 1] != '{')) {
      if (emit) es_strbuf_add(b, &ch, 1);
      (*i)++;
      continue;
    }
    if (s[*i + 1] == '$') {
      if (emit) es_strbuf_add(b, "$", 1);
      *i += 2;
      continue;
    }
    size_t at = *i, name = *i + 2, j = name;
    while (j < len && is_name_char(s[j], j == name)) j++;
    if (j == name || j - name > 255) return bad_reference(c, n, s, len, at);
    char var[256];
    memcpy(var, s + name, j - name);
    var[j - name] = '\0';
    const char *val = getenv(var);
    if (j < len && s[j] == '}') {
      if (emit && !val) {
        size_t line, col;
        value_pos(n, at, &line, &col);
        return cfg_error_pos(c, line, col,
                             "environment variable '%s' is not set (write ${%s:-default} "
                             "to give a default)",
                             var, var);
      }
      if (emit) es_strbuf_add(b, val, strlen(val));
      *i = j + 1;
      continue;
    }
    if (j + 1 < len && s[j] == ':' && s[j + 1] == '-') {
      int use_default = !val || !*val;
      if (emit && !use_default) es_strbuf_add(b, val, strlen(val));
      *i = j + 2;
      if (expand(c, n, s, len, i, 1, emit && use_default, b) != 0) return -1;
      if (*i == len) return bad_reference(c, n, s, len, at);
      (*i)++;
      continue;
    }
    return bad_reference(c, n, s, len, at);
  }
  return 0;
}

/* The value of scalar n, expanded when c->expand (cached; owned by c), or
 * NULL with the error set. */
static const char *cfg_value(cfg *c, const yaml_node_t *n) {
  size_t idx = (size_t)(n - c->doc.nodes.start);
  const char *s = raw(n);
  size_t len = n->data.scalar.length;
  if (strlen(s) != len) {
    cfg_error(c, n, "the value contains a NUL character");
    return NULL;
  }
  if (!c->expand || !strchr(s, '$')) return s;
  if (c->vals[idx]) return c->vals[idx];
  es_strbuf b = {0};
  size_t i = 0;
  es_strbuf_add(&b, "", 0);
  if (expand(c, n, s, len, &i, 0, 1, &b) != 0) {
    free(b.buf);
    return NULL;
  }
  if (b.oom) {
    free(b.buf);
    oom(c->err);
    return NULL;
  }
  return c->vals[idx] = b.buf;
}

/* ===== Schema helpers ===== */

/* A mapping being read: its node, where to point when a key is missing,
 * and its name in messages ("suite", "dataset", "model", ...). */
typedef struct {
  cfg *c;
  yaml_node_t *map;
  const yaml_node_t *at;
  const char *where;
} sect;

/* The sections' own keys, for "unknown key" checks and suggestions. */
static const char *const suite_keys[] = {"name",   "description", "dataset", "task",
                                         "labels", "models",      "metrics", "judge",
                                         "stats",  "report",      "gate",    NULL};
static const char *const dataset_keys[] = {"name",  "file",       "path",          "split",
                                           "ratio", "split_file", "context_turns", "max_instances",
                                           NULL};
static const char *const task_keys[] = {"prompt", "reply_format", "strategy_pattern", NULL};
static const char *const model_keys[] = {
    "name",        "type",    "builtin",     "path",          "reply",           "params",
    "timeout",     "retries", "base_url",    "model",         "api_key_env",     "headers",
    "concurrency", "connect_timeout",        "retry_total",   "rpm",             "tpm",
    "command",     "workers", "start_timeout", "max_restarts", NULL};
/* Which model types each key applies to: b(uiltin) r(eplay) o(penai) e(xec). */
static const struct {
  const char *key, *types;
} model_key_types[] = {
    {"builtin", "b"},      {"path", "r"},         {"reply", "b"},          {"params", "oe"},
    {"timeout", "oe"},     {"retries", "o"},      {"base_url", "o"},       {"model", "o"},
    {"api_key_env", "o"},  {"headers", "o"},      {"concurrency", "o"},    {"connect_timeout", "o"},
    {"retry_total", "o"},  {"rpm", "o"},          {"tpm", "o"},            {"command", "e"},
    {"workers", "e"},      {"start_timeout", "e"}, {"max_restarts", "e"},
};
static const char *const metrics_keys[] = {"profile", "list", NULL};
static const char *const judge_keys[] = {"enabled", "model",   "rubrics",     "pairwise",
                                         "scale",   "samples", "temperature", NULL};
static const char *const rubric_keys[] = {"name",    "kind",  "description", "template",
                                          "pattern", "match", "reminder",    NULL};
static const char *const stats_keys[] = {"baseline",     "seed",  "bootstrap",
                                         "permutations", "alpha", NULL};
static const char *const report_keys[] = {"dir", "formats", NULL};
static const char *const labelfile_keys[] = {"strategies", "aliases", NULL};

/* The section a key of another section belongs to, for a misplaced key. */
static const char *home_of(const char *key) {
  static const struct {
    const char *section;
    const char *const *keys;
  } homes[] = {{"dataset", dataset_keys}, {"task", task_keys},   {"metrics", metrics_keys},
               {"judge", judge_keys},     {"stats", stats_keys}, {"report", report_keys}};
  for (size_t i = 0; i < sizeof homes / sizeof homes[0]; i++)
    if (list_index(homes[i].keys, key) >= 0) return homes[i].section;
  return NULL;
}

/* Checks that every key of s->map is a scalar in keys, seen once. */
static int check_keys(sect *s, const char *const *keys) {
  cfg *c = s->c;
  yaml_node_pair_t *first = s->map->data.mapping.pairs.start;
  for (yaml_node_pair_t *p = first; p < s->map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = cfg_node(c, p->key);
    if (k->type != YAML_SCALAR_NODE)
      return cfg_error(c, k, "expected a key name in %s, found %s", s->where, shape(k));
    const char *name = raw(k);
    if (list_index(keys, name) < 0) {
      char h[512];
      const char *home = strcmp(s->where, "suite") == 0 ? home_of(name) : NULL;
      if (!keys[0])
        return cfg_error(c, k, "unknown key '%s' in %s", name, s->where);
      if (home && !nearest(name, keys, list_len(keys)))
        return cfg_error(c, k, "unknown key '%s' in suite (it belongs in '%s')", name, home);
      return cfg_error(c, k, "unknown key '%s' in %s%s", name, s->where,
                       hint(h, sizeof h, name, keys, "valid keys:"));
    }
    for (yaml_node_pair_t *q = first; q < p; q++) {
      yaml_node_t *k0 = cfg_node(c, q->key);
      if (strcmp(raw(k0), name) == 0)
        return cfg_error(c, k, "duplicate key '%s' in %s (first at line %zu)", name, s->where,
                         k0->start_mark.line + 1);
    }
  }
  return 0;
}

/* The value node of key, or NULL. Keys are unique once check_keys passed. */
static yaml_node_t *get(sect *s, const char *key) {
  for (yaml_node_pair_t *p = s->map->data.mapping.pairs.start; p < s->map->data.mapping.pairs.top;
       p++)
    if (strcmp(raw(cfg_node(s->c, p->key)), key) == 0) return cfg_node(s->c, p->value);
  return NULL;
}

static int missing(sect *s, const char *key, const yaml_node_t *v) {
  if (v) return cfg_error(s->c, v, "missing value for '%s'", key);
  return cfg_error(s->c, s->at, "missing key '%s' in %s", key, s->where);
}

static int wrong_type(cfg *c, const yaml_node_t *v, const char *want, const char *key) {
  if (v->type == YAML_SCALAR_NODE)
    return cfg_error(c, v, "expected %s for '%s', found '%s'", want, key, raw(v));
  return cfg_error(c, v, "expected %s for '%s', found %s", want, key, shape(v));
}

/* The expanded text of key's scalar value into *t, or *t = NULL when the
 * key is absent or null (an error when required). *vn gets the value node
 * (NULL when absent). want names the type for messages ("a string"). */
static int get_scalar(sect *s, const char *key, int required, const char *want, const char **t,
                      yaml_node_t **vn) {
  yaml_node_t *v = get(s, key);
  *t = NULL;
  if (vn) *vn = v;
  if (!v || is_null(v)) return required ? missing(s, key, v) : 0;
  if (v->type != YAML_SCALAR_NODE) return wrong_type(s->c, v, want, key);
  return (*t = cfg_value(s->c, v)) ? 0 : -1;
}

/* Like get_scalar for strings: a value that expands to "" counts as absent
 * (an error when required). */
static int get_text(sect *s, const char *key, int required, const char **t, yaml_node_t **vn) {
  yaml_node_t *v;
  if (get_scalar(s, key, required, "a string", t, &v) != 0) return -1;
  if (vn) *vn = v;
  if (*t && !**t) {
    *t = NULL;
    if (required) return cfg_error(s->c, v, "'%s' must not be empty", key);
  }
  return 0;
}

/* Like get_text, into a malloc'ed copy (*out untouched when absent). */
static int get_str(sect *s, const char *key, int required, char **out, yaml_node_t **vn) {
  const char *t;
  if (get_text(s, key, required, &t, vn) != 0) return -1;
  if (!t) return 0;
  free(*out);
  if (!(*out = strdup(t))) return oom(s->c->err);
  return 0;
}

/* A path value, resolved against the suite's folder. */
static int get_path(sect *s, const char *dir, const char *key, int required, char **out,
                    yaml_node_t **vn) {
  const char *t;
  if (get_text(s, key, required, &t, vn) != 0) return -1;
  if (!t) return 0;
  free(*out);
  if (!(*out = join_path(dir, t))) return oom(s->c->err);
  return 0;
}

/* key's value, one of choices (index into *idx; untouched when absent). */
static int get_choice(sect *s, const char *key, int required, const char *const *choices,
                      const char *noun, long *idx, yaml_node_t **vn) {
  const char *t;
  yaml_node_t *v;
  if (get_text(s, key, required, &t, &v) != 0) return -1;
  if (vn) *vn = v;
  if (!t) return 0;
  long k = list_index(choices, t);
  if (k < 0) {
    char h[512];
    return cfg_error(s->c, v, "unknown %s '%s'%s", noun, t,
                     hint(h, sizeof h, t, choices, "expected one of:"));
  }
  *idx = k;
  return 0;
}

/* Decimal integer in [min, max]: plain digits with an optional sign. */
static int to_long(cfg *c, const yaml_node_t *v, const char *key, const char *t, long min,
                   long max, long *out) {
  char *end = NULL;
  const char *d = t[0] == '-' || t[0] == '+' ? t + 1 : t;
  long x = 0;
  errno = 0;
  if (*d >= '0' && *d <= '9') x = strtol(t, &end, 10);
  if (!end || *end) return cfg_error(c, v, "expected an integer for '%s', found '%s'", key, t);
  int huge = max == LONG_MAX || max == INT_MAX;
  if (huge && (errno == ERANGE || x > max) && t[0] != '-')
    return cfg_error(c, v, "'%s' is too large, found %s", key, t);
  if (huge && (errno == ERANGE || x < min))
    return cfg_error(c, v, "'%s' must be %ld or more, found %s", key, min, t);
  if (errno == ERANGE || x < min || x > max)
    return cfg_error(c, v, "'%s' must be between %ld and %ld, found %s", key, min, max, t);
  *out = x;
  return 0;
}

static int get_long(sect *s, const char *key, long min, long max, long *out) {
  const char *t;
  yaml_node_t *v;
  if (get_scalar(s, key, 0, "an integer", &t, &v) != 0) return -1;
  return t ? to_long(s->c, v, key, t, min, max, out) : 0;
}

static int get_ulong(sect *s, const char *key, unsigned long *out) {
  const char *t;
  yaml_node_t *v;
  if (get_scalar(s, key, 0, "a non-negative integer", &t, &v) != 0) return -1;
  if (!t) return 0;
  char *end = NULL;
  errno = 0;
  unsigned long x = t[0] >= '0' && t[0] <= '9' ? strtoul(t, &end, 10) : 0;
  if (!end || *end)
    return cfg_error(s->c, v, "expected a non-negative integer for '%s', found '%s'", key, t);
  if (errno == ERANGE)
    return cfg_error(s->c, v, "'%s' must be at most %lu, found %s", key, ULONG_MAX, t);
  *out = x;
  return 0;
}

/* A number strictly between lo and hi. */
static int get_fraction(sect *s, const char *key, double lo, double hi, double *out) {
  const char *t;
  yaml_node_t *v;
  if (get_scalar(s, key, 0, "a number", &t, &v) != 0) return -1;
  if (!t) return 0;
  char *end;
  double x = strtod(t, &end);
  if (end == t || *end || !(t[0] == '-' || t[0] == '+' || t[0] == '.' ||
                            (t[0] >= '0' && t[0] <= '9')) || !isfinite(x))
    return cfg_error(s->c, v, "expected a number for '%s', found '%s'", key, t);
  if (!(x > lo && x < hi))
    return cfg_error(s->c, v, "'%s' must be between %g and %g (exclusive), found %s", key, lo,
                     hi, t);
  *out = x;
  return 0;
}

/* A number in [lo, hi]. */
static int get_number(sect *s, const char *key, double lo, double hi, double *out) {
  const char *t;
  yaml_node_t *v;
  if (get_scalar(s, key, 0, "a number", &t, &v) != 0) return -1;
  if (!t) return 0;
  char *end;
  double x = strtod(t, &end);
  if (end == t || *end || !(t[0] == '+' || t[0] == '.' || (t[0] >= '0' && t[0] <= '9')) ||
      !isfinite(x)) {
    if (t[0] == '-') return cfg_error(s->c, v, "'%s' must be %g or more, found %s", key, lo, t);
    return cfg_error(s->c, v, "expected a number for '%s', found '%s'", key, t);
  }
  if (x < lo || x > hi)
    return cfg_error(s->c, v, "'%s' must be between %g and %g, found %s", key, lo, hi, t);
  *out = x;
  return 0;
}

static int get_bool(sect *s, const char *key, int *out, yaml_node_t **vn) {
  static const char *const truths[] = {"true", "True", "TRUE", NULL};
  static const char *const lies[] = {"false", "False", "FALSE", NULL};
  const char *t;
  yaml_node_t *v;
  if (get_scalar(s, key, 0, "true or false", &t, &v) != 0) return -1;
  if (vn) *vn = v;
  if (!t) return 0;
  if (list_index(truths, t) >= 0) *out = 1;
  else if (list_index(lies, t) >= 0) *out = 0;
  else return cfg_error(s->c, v, "expected true or false for '%s', found '%s'", key, t);
  return 0;
}

/* A list of distinct choices into a malloc'ed array of copies. Absent: the
 * array is left alone. */
static int get_choice_list(sect *s, const char *key, const char *const *choices,
                           const char *noun, char ***out, size_t *nout) {
  cfg *c = s->c;
  yaml_node_t *v = get(s, key);
  if (!v || is_null(v)) return 0;
  if (v->type != YAML_SEQUENCE_NODE) return wrong_type(c, v, "a list", key);
  yaml_node_item_t *it = v->data.sequence.items.start, *top = v->data.sequence.items.top;
  size_t n = (size_t)(top - it);
  if (n == 0) return cfg_error(c, v, "'%s' must name at least one %s", key, noun);
  char **names = calloc(n, sizeof *names);
  if (!names) return oom(c->err);
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *e = cfg_node(c, it[i]);
    const char *t = NULL;
    char h[512];
    if (e->type != YAML_SCALAR_NODE || is_null(e)) {
      cfg_error(c, e, "expected a %s name in '%s', found %s", noun, key,
                e->type == YAML_SCALAR_NODE ? "nothing" : shape(e));
      goto fail;
    }
    if (!(t = cfg_value(c, e))) goto fail;
    if (list_index(choices, t) < 0) {
      cfg_error(c, e, "unknown %s '%s'%s", noun, t,
                hint(h, sizeof h, t, choices, "expected one of:"));
      goto fail;
    }
    for (size_t k = 0; k < i; k++)
      if (strcmp(names[k], t) == 0) {
        cfg_error(c, e, "duplicate %s '%s' in '%s'", noun, t, key);
        goto fail;
      }
    if (!(names[i] = strdup(t))) {
      oom(c->err);
      goto fail;
    }
  }
  for (size_t i = 0; i < *nout; i++) free((*out)[i]);
  free(*out);
  *out = names;
  *nout = n;
  return 0;
fail:
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return -1;
}

/* Names of suites and models: letters, digits and . _ - : + (they end up
 * in file names and table headers), starting with a letter or digit. */
static int check_name(cfg *c, const yaml_node_t *v, const char *what, const char *name) {
  size_t n = strlen(name);
  int ok = n <= 100 && ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') ||
                        (name[0] >= '0' && name[0] <= '9'));
  for (size_t i = 0; ok && i < n; i++)
    ok = is_name_char(name[i], 0) || strchr(".-:+", name[i]) != NULL;
  if (!ok)
    return cfg_error(c, v,
                     "bad %s name '%s': use letters, digits, '.', '_', '-', ':' and '+', "
                     "starting with a letter or digit (at most 100)",
                     what, name);
  return 0;
}

/* ===== Label set files ===== */

static int labels_strategies(cfg *c, yaml_node_t *v, es_labelset *ls) {
  if (v->type != YAML_SEQUENCE_NODE) return wrong_type(c, v, "a list", "strategies");
  yaml_node_item_t *it = v->data.sequence.items.start, *top = v->data.sequence.items.top;
  if (it == top) return cfg_error(c, v, "'strategies' must name at least one strategy");
  for (; it < top; it++) {
    yaml_node_t *e = cfg_node(c, *it);
    if (e->type != YAML_SCALAR_NODE) return wrong_type(c, e, "a strategy name", "strategies");
    const char *t = cfg_value(c, e);
    if (!t) return -1;
    if (!t[strspn(t, " \t\r\n\f\v")]) return cfg_error(c, e, "empty strategy name");
    long k = es_labelset_find(ls, t, strlen(t));
    if (k >= 0)
      return cfg_error(c, e,
                       "duplicate strategy '%s' (the same as '%s' when case and spaces are "
                       "ignored)",
                       t, ls->names[k]);
    if (es_labelset_add(ls, t) != 0) return oom(c->err);
  }
  return 0;
}

static int labels_aliases(cfg *c, yaml_node_t *v, es_labelset *ls) {
  if (v->type != YAML_MAPPING_NODE) return wrong_type(c, v, "a mapping", "aliases");
  for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
    yaml_node_t *k = cfg_node(c, p->key), *t = cfg_node(c, p->value);
    if (k->type != YAML_SCALAR_NODE || is_null(k))
      return cfg_error(c, k, "expected an alias spelling, found %s",
                       k->type == YAML_SCALAR_NODE ? "nothing" : shape(k));
    if (t->type != YAML_SCALAR_NODE || is_null(t))
      return cfg_error(c, t, "expected the strategy that '%s' stands for, found %s", raw(k),
                       t->type == YAML_SCALAR_NODE ? "nothing" : shape(t));
    const char *from = raw(k), *to = cfg_value(c, t);
    if (!to) return -1;
    long idx = es_labelset_find(ls, to, strlen(to));
    if (idx < 0 || !es_labelset_same(to, strlen(to), ls->names[idx], strlen(ls->names[idx]))) {
      char h[2048];
      const char **names = calloc(ls->n + 1, sizeof *names);
      if (!names) return oom(c->err);
      memcpy(names, ls->names, ls->n * sizeof *names);
      hint(h, sizeof h, to, names, "the strategies:");
      free(names);
      return cfg_error(c, t, "alias '%s' names an unknown strategy '%s'%s", from, to, h);
    }
    for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < p; q++) {
      yaml_node_t *k0 = cfg_node(c, q->key);
      if (strcmp(raw(k0), from) == 0)
        return cfg_error(c, k, "duplicate alias '%s' (first at line %zu)", from,
                         k0->start_mark.line + 1);
    }
    /* a spelling that already folds to its own target is harmless (the
     * shipped ESConv set lists "Reflection of Feelings" for clarity) */
    long dup = es_labelset_find(ls, from, strlen(from));
    if (dup >= 0 && dup != idx) {
      if (es_labelset_same(from, strlen(from), ls->names[dup], strlen(ls->names[dup])))
        return cfg_error(c, k,
                         "alias '%s' is the strategy '%s' (case and spaces are ignored), it "
                         "cannot stand for '%s'",
                         from, ls->names[dup], ls->names[idx]);
      return cfg_error(c, k,
                       "alias '%s' already stands for '%s' (case and spaces are ignored)", from,
                       ls->names[dup]);
    }
    if (es_labelset_add_alias(ls, from, (size_t)idx) != 0) return oom(c->err);
  }
  return 0;
}

/* Reads the label set in c (parsed) into ls. */
static int labels_read(cfg *c, es_labelset *ls) {
  yaml_node_t *root = yaml_document_get_root_node(&c->doc);
  sect s = {c, root, root, "label set"};
  if (check_keys(&s, labelfile_keys) != 0) return -1;
  yaml_node_t *v = get(&s, "strategies");
  if (!v || is_null(v)) return missing(&s, "strategies", v);
  if (labels_strategies(c, v, ls) != 0) return -1;
  v = get(&s, "aliases");
  if (v && !is_null(v) && labels_aliases(c, v, ls) != 0) return -1;
  return 0;
}

/* Loads the label set file path (already read into buf, len: taken over). */
static int labels_load_buf(const char *path, char *buf, size_t len, es_labelset *ls,
                           es_error *err) {
  cfg c = {.file = path, .buf = buf, .len = len, .expand = 0, .err = err};
  int rc = cfg_parse(&c) == 0 && labels_read(&c, ls) == 0 ? 0 : -1;
  cfg_release(&c);
  if (rc != 0) es_labelset_release(ls);
  return rc;
}

int es_suite_load_labels(const char *path, es_labelset *ls, es_error *err) {
  char *buf, why[1024];
  size_t len;
  int r = read_file(path, &buf, &len, why, sizeof why);
  if (r == -2) return oom(err);
  if (r != 0) return es_error_set(err, ES_EXIT_USAGE, "%s", why);
  return labels_load_buf(path, buf, len, ls, err);
}

/* ===== Sections ===== */

typedef struct {
  cfg c;
  es_suite *s;
  yaml_node_t *baseline; /* stats.baseline's value, checked once models are read */
} loader;

static const char *const dataset_names[] = {"extes", "esconv", NULL};
static const char *const dataset_files[] = {"ExTES.json", "ESConv.json"};
static const char *const split_names[] = {"train", "valid", "test", NULL};
static const char *const model_types[] = {"builtin", "replay", "openai", "exec", NULL};

const char *es_model_type_name(es_model_type t) {
  return (unsigned)t < 4 ? model_types[t] : "?";
}
static const char *const builtin_names[] = {"retrieval", "reference", "majority", NULL};
static const char *const profile_names[] = {"esconv", "sacrebleu", "rouge_score", NULL};
static const char *const metric_names[] = {
    "bleu-1", "bleu-2", "bleu-3",        "bleu-4",   "rouge-l", "rouge-l-p", "rouge-l-r",
    "dist-1", "dist-2", "dist-3",        "f1",       "length",  "sentence-bleu",
    "strategy", NULL};
static const char *const default_metrics[] = {"bleu-1", "bleu-2", "bleu-3",
                                              "bleu-4", "rouge-l", "dist-1",
                                              "dist-2", "dist-3",  "strategy", NULL};
static const char *const format_names[] = {"json", "csv", "html", "latex", "markdown", NULL};
static const char *const default_formats[] = {"json", "csv", NULL};

static int read_name(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, yaml_document_get_root_node(&L->c.doc), key, "suite"};
  (void)val;
  yaml_node_t *v;
  if (get_str(&s, "name", 0, &L->s->name, &v) != 0) return -1;
  return L->s->name ? check_name(&L->c, v, "suite", L->s->name) : 0;
}

static int read_description(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, yaml_document_get_root_node(&L->c.doc), key, "suite"};
  (void)val;
  return get_str(&s, "description", 0, &L->s->description, NULL);
}

static int read_dataset(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, val, key, "dataset"};
  es_suite *su = L->s;
  long name = -1, split = 2, n;
  yaml_node_t *ratio;
  if (check_keys(&s, dataset_keys) != 0) return -1;
  if (get_choice(&s, "name", 1, dataset_names, "dataset", &name, NULL) != 0) return -1;
  if (!(su->dataset.name = strdup(dataset_names[name]))) return oom(L->c.err);
  if (get_str(&s, "file", 0, &su->dataset.file, NULL) != 0) return -1;
  if (!su->dataset.file && !(su->dataset.file = strdup(dataset_files[name]))) return oom(L->c.err);
  if (get_path(&s, su->dir, "path", 0, &su->dataset.path, NULL) != 0) return -1;
  if (get_choice(&s, "split", 0, split_names, "split", &split, NULL) != 0) return -1;
  if (!(su->dataset.split = strdup(split_names[split]))) return oom(L->c.err);
  if ((ratio = get(&s, "ratio")) && !is_null(ratio)) {
    if (ratio->type != YAML_SEQUENCE_NODE)
      return wrong_type(&L->c, ratio, "a list of 3 numbers (train, valid, test)", "ratio");
    yaml_node_item_t *it = ratio->data.sequence.items.start;
    size_t cnt = (size_t)(ratio->data.sequence.items.top - it);
    if (cnt != 3)
      return cfg_error(&L->c, ratio, "'ratio' needs 3 numbers (train, valid, test), found %zu",
                       cnt);
    unsigned long sum = 0;
    for (size_t i = 0; i < 3; i++) {
      yaml_node_t *e = cfg_node(&L->c, it[i]);
      const char *t;
      long x;
      if (e->type != YAML_SCALAR_NODE || is_null(e))
        return wrong_type(&L->c, e, "an integer", "ratio");
      if (!(t = cfg_value(&L->c, e))) return -1;
      if (to_long(&L->c, e, "ratio", t, 0, 1000000, &x) != 0) return -1;
      su->dataset.ratio[i] = (unsigned)x;
      sum += (unsigned long)x;
    }
    if (su->dataset.ratio[split] == 0)
      return cfg_error(&L->c, ratio, "'ratio' gives the '%s' split no dialogues%s",
                       split_names[split], sum ? "" : " (all parts are 0)");
  }
  if (get_path(&s, su->dir, "split_file", 0, &su->dataset.split_file, NULL) != 0) return -1;
  n = su->dataset.context_turns;
  if (get_long(&s, "context_turns", 0, INT_MAX, &n) != 0) return -1;
  su->dataset.context_turns = (int)n;
  return get_long(&s, "max_instances", 0, LONG_MAX, &su->dataset.max_instances);
}

/* Checks that text (a prompt template, len bytes) is UTF-8 with no NUL. */
static int check_text(const char *file, const char *text, size_t len, es_error *err) {
  const unsigned char *p = (const unsigned char *)text, *end = p + len;
  while (p < end) {
    size_t n = *p ? utf8_seq(p, end) : 0;
    if (n == 0) {
      cfg c = {.file = file, .buf = (char *)text, .len = len, .err = err};
      size_t line, col;
      offset_pos(&c, (size_t)(p - (const unsigned char *)text), &line, &col);
      return *p ? cfg_error_pos(&c, line, col, "not valid UTF-8: byte 0x%02x", *p)
                : cfg_error_pos(&c, line, col, "the text contains a NUL character");
    }
    p += n;
  }
  return 0;
}

/* Checks that pattern compiles as the extractor compiles it (extract.c)
 * with at least one capture group; errors point into the value. */
static int check_pattern(cfg *c, const yaml_node_t *v, const char *key, const char *pattern) {
  int code;
  PCRE2_SIZE off;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &code, &off, NULL);
  if (!re) {
    PCRE2_UCHAR msg[256];
    size_t line, col;
    pcre2_get_error_message(code, msg, sizeof msg);
    if (strcmp(pattern, raw(v)) == 0) value_pos(v, off, &line, &col);
    else line = v->start_mark.line, col = v->start_mark.column;
    return cfg_error_pos(c, line, col, "bad %s: %s (at offset %zu)", key, (char *)msg,
                         (size_t)off);
  }
  uint32_t groups = 0;
  pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
  pcre2_code_free(re);
  if (groups < 1)
    return cfg_error(c, v, "%s has no capture group: group 1 must hold the %s", key,
                     strcmp(key, "strategy_pattern") ? "score or verdict" : "strategy");
  return 0;
}

static int read_task(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, val, key, "task"};
  es_suite *su = L->s;
  yaml_node_t *v;
  char why[1024];
  size_t len;
  if (check_keys(&s, task_keys) != 0) return -1;
  if (get_path(&s, su->dir, "prompt", 1, &su->task.prompt_file, &v) != 0) return -1;
  int r = read_file(su->task.prompt_file, &su->task.prompt, &len, why, sizeof why);
  if (r == -2) return oom(L->c.err);
  if (r != 0) return cfg_error(&L->c, v, "%s", why);
  if (check_text(su->task.prompt_file, su->task.prompt, len, L->c.err) != 0) return -1;
  if (get_str(&s, "reply_format", 0, &su->task.reply_format, NULL) != 0) return -1;
  if (get_str(&s, "strategy_pattern", 0, &su->task.strategy_pattern, &v) != 0) return -1;
  if (su->task.strategy_pattern && check_pattern(&L->c, v, "strategy_pattern", su->task.strategy_pattern) != 0)
    return -1;
  if (!su->task.reply_format && !(su->task.reply_format = strdup(DEFAULT_REPLY_FORMAT)))
    return oom(L->c.err);
  if (!su->task.strategy_pattern && !(su->task.strategy_pattern = strdup(DEFAULT_STRATEGY_PATTERN)))
    return oom(L->c.err);
  return 0;
}

static int read_labels(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, yaml_document_get_root_node(&L->c.doc), key, "suite"};
  es_suite *su = L->s;
  char *buf, why[1024];
  size_t len;
  (void)val;
  yaml_node_t *v;
  if (get_path(&s, su->dir, "labels", 1, &su->labels_file, &v) != 0) return -1;
  int r = read_file(su->labels_file, &buf, &len, why, sizeof why);
  if (r == -2) return oom(L->c.err);
  if (r != 0) return cfg_error(&L->c, v, "%s", why);
  return labels_load_buf(su->labels_file, buf, len, &su->labels, L->c.err);
}

/* ===== Server-backed models (openai, exec) ===== */

/* A plain scalar that YAML 1.2's core schema reads as a number. */
static int plain_number(const char *t, double *x) {
  char *end;
  const char *d = t[0] == '-' || t[0] == '+' ? t + 1 : t;
  if (!((*d >= '0' && *d <= '9') || (*d == '.' && d[1] >= '0' && d[1] <= '9'))) return 0;
  if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) return 0; /* no hex: strtod takes it */
  *x = strtod(t, &end);
  return !*end && isfinite(*x);
}

/* A JSON number for the plain scalar t (value x) that keeps its digits:
 * the source text, made valid JSON ("+1" -> "1", ".5" -> "0.5", "1." ->
 * "1.0"), so that 9007199254740993 or 0.30000000000000004 reach the
 * server as written (a double would round them, and cJSON would print
 * large integers in exponent form). Text that still is not a JSON number
 * (a leading zero: "007") goes through the double. */
static cJSON *json_number(const char *t, double x) {
  char buf[128];
  const char *p = t[0] == '+' ? t + 1 : t;
  size_t o = 0;
  if (*p == '-') buf[o++] = *p++;
  if (*p == '.') buf[o++] = '0';
  for (; *p && o + 2 < sizeof buf; p++) {
    buf[o++] = *p;
    if (*p == '.' && !(p[1] >= '0' && p[1] <= '9')) buf[o++] = '0';
  }
  buf[o] = '\0';
  /* JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  const char *q = buf;
  int ok = !*p; /* not cut short */
  if (*q == '-') q++;
  if (*q == '0') q++;
  else if (*q >= '1' && *q <= '9') q += strspn(q, "0123456789");
  else ok = 0;
  if (*q == '.') {
    size_t d = strspn(q + 1, "0123456789");
    ok = ok && d > 0;
    q += 1 + d;
  }
  if (*q == 'e' || *q == 'E') {
    q++;
    if (*q == '+' || *q == '-') q++;
    size_t d = strspn(q, "0123456789");
    ok = ok && d > 0;
    q += d;
  }
  ok = ok && !*q;
  return ok ? cJSON_CreateRaw(buf) : cJSON_CreateNumber(x);
}

/* The JSON value of a YAML node: mappings become objects (keys sorted, so
 * the text is canonical), lists arrays, plain scalars null, booleans or
 * numbers when they read so, everything else (quoted scalars included) a
 * string, after ${VAR} expansion. NULL with the error set. */
static cJSON *yaml_to_json(cfg *c, yaml_node_t *n, int depth, size_t *left) {
  if (depth > 32) {
    cfg_error(c, n, "params are nested too deeply (more than 32 levels)");
    return NULL;
  }
  if (*left == 0) return NULL; /* the caller reports it (aliases can multiply a
                                  small file into a huge tree) */
  (*left)--;
  if (n->type == YAML_SCALAR_NODE) {
    const char *t = cfg_value(c, n);
    double x;
    cJSON *j;
    if (!t) return NULL;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) j = cJSON_CreateString(t);
    else if (is_null(n)) j = cJSON_CreateNull();
    else if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE")) j = cJSON_CreateTrue();
    else if (!strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE")) j = cJSON_CreateFalse();
    else if (plain_number(t, &x)) j = json_number(t, x);
    else j = cJSON_CreateString(t);
    if (!j) oom(c->err);
    return j;
  }
  if (n->type == YAML_SEQUENCE_NODE) {
    cJSON *a = cJSON_CreateArray();
    if (!a) {
      oom(c->err);
      return NULL;
    }
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
      cJSON *e = yaml_to_json(c, cfg_node(c, *it), depth + 1, left);
      if (!e || !cJSON_AddItemToArray(a, e)) {
        if (e) oom(c->err);
        cJSON_Delete(e);
        cJSON_Delete(a);
        return NULL;
      }
    }
    return a;
  }
  /* a mapping: its pairs in key order (byte order of the UTF-8 keys) */
  size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
  yaml_node_pair_t **order = malloc((np ? np : 1) * sizeof *order);
  cJSON *o = cJSON_CreateObject();
  if (!order || !o) goto oom;
  for (size_t i = 0; i < np; i++) {
    yaml_node_pair_t *p = &n->data.mapping.pairs.start[i];
    yaml_node_t *k = cfg_node(c, p->key);
    if (k->type != YAML_SCALAR_NODE || is_null(k)) {
      cfg_error(c, k, "expected a parameter name, found %s",
                k->type == YAML_SCALAR_NODE ? "nothing" : shape(k));
      goto fail;
    }
    size_t at = i;
    while (at > 0 && strcmp(raw(cfg_node(c, order[at - 1]->key)), raw(k)) > 0) {
      order[at] = order[at - 1];
      at--;
    }
    if (at > 0 && !strcmp(raw(cfg_node(c, order[at - 1]->key)), raw(k))) {
      cfg_error(c, k, "duplicate key '%s' in params", raw(k));
      goto fail;
    }
    order[at] = p;
  }
  for (size_t i = 0; i < np; i++) {
    cJSON *e = yaml_to_json(c, cfg_node(c, order[i]->value), depth + 1, left);
    if (!e) goto fail;
    if (!cJSON_AddItemToObject(o, raw(cfg_node(c, order[i]->key)), e)) {
      cJSON_Delete(e);
      goto oom;
    }
  }
  free(order);
  return o;
oom:
  oom(c->err);
fail:
  free(order);
  cJSON_Delete(o);
  return NULL;
}

/* params: a mapping of generation parameters, kept as canonical JSON. The
 * request fields esbench sets itself cannot be given here. */
static int read_params(sect *s, es_model_cfg *mc) {
  static const char *const reserved[] = {"model", "messages", "stream", "n", NULL};
  yaml_node_t *v = get(s, "params");
  cJSON *o = NULL;
  if (v && !is_null(v)) {
    if (v->type != YAML_MAPPING_NODE)
      return wrong_type(s->c, v, "a mapping of generation parameters", "params");
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
      yaml_node_t *k = cfg_node(s->c, p->key);
      if (k->type == YAML_SCALAR_NODE && list_index(reserved, raw(k)) >= 0)
        return cfg_error(s->c, k,
                         "'%s' cannot be set in params: esbench sets it (one reply per request; "
                         "the model's name is 'model' of the model entry)",
                         raw(k));
    }
    size_t left = 10000;
    if (!(o = yaml_to_json(s->c, v, 0, &left)))
      return left ? -1 : cfg_error(s->c, v, "params are too large (more than 10000 values, aliases expanded)");
  } else if (!(o = cJSON_CreateObject())) {
    return oom(s->c->err);
  }
  mc->params_json = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return mc->params_json ? 0 : oom(s->c->err);
}

/* headers: a mapping of HTTP header names to values (values expanded; they
 * may carry secrets from the environment and are never written anywhere). */
static int read_headers(sect *s, es_model_cfg *mc) {
  yaml_node_t *v = get(s, "headers");
  if (!v || is_null(v)) return 0;
  if (v->type != YAML_MAPPING_NODE) return wrong_type(s->c, v, "a mapping of header names to values", "headers");
  size_t np = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
  if (!(mc->headers = calloc(np + 1, sizeof *mc->headers))) return oom(s->c->err);
  for (size_t i = 0; i < np; i++) {
    yaml_node_pair_t *p = &v->data.mapping.pairs.start[i];
    yaml_node_t *k = cfg_node(s->c, p->key), *val = cfg_node(s->c, p->value);
    if (k->type != YAML_SCALAR_NODE || is_null(k))
      return cfg_error(s->c, k, "expected a header name, found %s",
                       k->type == YAML_SCALAR_NODE ? "nothing" : shape(k));
    const char *name = raw(k);
    size_t nl = strlen(name);
    if (nl != strspn(name, "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
      return cfg_error(s->c, k, "bad header name '%s' (letters, digits and !#$%%&'*+-.^_`|~ only)", name);
    if (!strcasecmp(name, "Content-Type") || !strcasecmp(name, "Content-Length") ||
        !strcasecmp(name, "Host"))
      return cfg_error(s->c, k, "header '%s' is set by esbench", name);
    if (!strcasecmp(name, "Authorization") && mc->api_key_env)
      return cfg_error(s->c, k, "an Authorization header and api_key_env both set the key: keep one");
    if (val->type != YAML_SCALAR_NODE) return wrong_type(s->c, val, "a string", name);
    const char *t = cfg_value(s->c, val);
    if (!t) return -1;
    if (strpbrk(t, "\r\n")) /* do not echo the value: it may be a secret */
      return cfg_error(s->c, k, "the value of header '%s' contains a line break", name);
    if (!t[strspn(t, " \t")]) /* libcurl would drop the header without a word */
      return cfg_error(s->c, k, "the value of header '%s' is empty", name);
    size_t len = nl + 2 + strlen(t) + 1;
    for (size_t j = 0; j < i; j++)
      if (!strncasecmp(mc->headers[j], name, nl) && mc->headers[j][nl] == ':')
        return cfg_error(s->c, k, "duplicate header '%s'", name);
    if (!(mc->headers[i] = malloc(len))) return oom(s->c->err);
    snprintf(mc->headers[i], len, "%s: %s", name, t);
    mc->nheaders = i + 1;
  }
  return 0;
}

/* command: the program and its arguments, a list of strings. */
static int read_command(sect *s, es_model_cfg *mc) {
  yaml_node_t *v = get(s, "command");
  if (!v || is_null(v)) return missing(s, "command", v);
  if (v->type != YAML_SEQUENCE_NODE)
    return wrong_type(s->c, v, "a list (the program, then its arguments)", "command");
  size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
  if (n == 0) return cfg_error(s->c, v, "'command' must name a program");
  if (!(mc->command = calloc(n + 1, sizeof *mc->command))) return oom(s->c->err);
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *e = cfg_node(s->c, v->data.sequence.items.start[i]);
    if (e->type != YAML_SCALAR_NODE) return wrong_type(s->c, e, "a string", "command");
    const char *t = cfg_value(s->c, e);
    if (!t) return -1;
    if (i == 0 && !*t) return cfg_error(s->c, e, "the program name is empty");
    if (!(mc->command[i] = strdup(t))) return oom(s->c->err);
    mc->ncommand = i + 1;
  }
  return 0;
}

static int read_openai(sect *s, es_model_cfg *mc) {
  yaml_node_t *v;
  long n;
  if (get_str(s, "base_url", 1, &mc->base_url, &v) != 0) return -1;
  const char *u = mc->base_url;
  if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
    return cfg_error(s->c, v, "base_url must start with http:// or https://");
  const char *host = strstr(u, "//") + 2;
  const char *at = strchr(host, '@'), *slash = strchr(host, '/');
  if (at && (!slash || at < slash)) /* do not echo it: it holds a password */
    return cfg_error(s->c, v, "base_url must not carry credentials (user:password@): use api_key_env");
  if (get_str(s, "model", 0, &mc->model, NULL) != 0) return -1;
  if (!mc->model && !(mc->model = strdup(mc->name))) return oom(s->c->err);
  if (get_str(s, "api_key_env", 0, &mc->api_key_env, &v) != 0) return -1;
  if (mc->api_key_env) {
    for (const char *p = mc->api_key_env; *p; p++)
      if (!is_name_char(*p, p == mc->api_key_env))
        return cfg_error(s->c, v,
                         "api_key_env names an environment variable (letters, digits, '_'), "
                         "not the key itself");
  }
  if (read_headers(s, mc) != 0) return -1;
  n = mc->concurrency;
  if (get_long(s, "concurrency", 1, 1024, &n) != 0) return -1;
  mc->concurrency = (int)n;
  n = mc->retries;
  if (get_long(s, "retries", 0, 100, &n) != 0) return -1;
  mc->retries = (int)n;
  return get_number(s, "connect_timeout", 0.001, 3600, &mc->connect_timeout) ||
                 get_number(s, "retry_total", 0, 86400 * 7, &mc->retry_total) ||
                 get_number(s, "rpm", 0, 1e9, &mc->rpm) || get_number(s, "tpm", 0, 1e12, &mc->tpm)
             ? -1
             : 0;
}

static int read_exec(sect *s, es_model_cfg *mc) {
  long n;
  if (read_command(s, mc) != 0) return -1;
  n = mc->workers;
  if (get_long(s, "workers", 1, 256, &n) != 0) return -1;
  mc->workers = (int)n;
  n = mc->max_restarts;
  if (get_long(s, "max_restarts", 0, 1000, &n) != 0) return -1;
  mc->max_restarts = (int)n;
  return get_number(s, "start_timeout", 0, 86400, &mc->start_timeout);
}

/* Reads model entry m into mc. judge: the judge's model (its name may be
 * left out, and only openai and exec types serve). */
static int read_model(loader *L, yaml_node_t *m, es_model_cfg *mc, int judge) {
  sect s = {&L->c, m, m, judge ? "judge model" : "model"};
  es_suite *su = L->s;
  long type = -1, builtin = -1;
  yaml_node_t *v;
  if (m->type != YAML_MAPPING_NODE)
    return cfg_error(&L->c, m, "expected a mapping for a model (name, type, ...), found %s",
                     m->type == YAML_SCALAR_NODE ? "a scalar" : shape(m));
  mc->line = m->start_mark.line + 1;
  mc->col = m->start_mark.column + 1;
  if (check_keys(&s, model_keys) != 0) return -1;
  if (get_str(&s, "name", !judge, &mc->name, &v) != 0) return -1;
  if (!mc->name && !(mc->name = strdup("judge"))) return oom(L->c.err);
  if (v && check_name(&L->c, v, "model", mc->name) != 0) return -1;
  for (size_t o = 0; !judge && o < su->nmodels && &su->models[o] < mc; o++)
    if (strcmp(su->models[o].name, mc->name) == 0)
      return cfg_error(&L->c, v, "duplicate model name '%s' (first at line %zu)", mc->name,
                       su->models[o].line);
  if (get_choice(&s, "type", 1, model_types, "model type", &type, &v) != 0) return -1;
  mc->type = (es_model_type)type;
  if (judge && mc->type != ES_MODEL_OPENAI && mc->type != ES_MODEL_EXEC)
    return cfg_error(&L->c, v, "the judge must be an openai or exec model, not %s", model_types[type]);
  /* a key of another type is an error that names the types it belongs to */
  char letter = "broe"[type];
  for (size_t k = 0; k < sizeof model_key_types / sizeof model_key_types[0]; k++) {
    if (strchr(model_key_types[k].types, letter) || !(v = get(&s, model_key_types[k].key))) continue;
    char types[64] = "";
    for (const char *t = model_key_types[k].types; *t; t++) {
      if (t != model_key_types[k].types) strcat(types, t[1] ? ", " : " and ");
      strcat(types, model_types[strchr("broe", *t) - "broe"]);
    }
    return cfg_error(&L->c, v, "'%s' applies to %s models, not %s ones",
                     model_key_types[k].key, types, model_types[type]);
  }
  switch (mc->type) {
    case ES_MODEL_BUILTIN:
      if (get_choice(&s, "builtin", 1, builtin_names, "builtin model", &builtin, NULL) != 0)
        return -1;
      if (!(mc->builtin = strdup(builtin_names[builtin]))) return oom(L->c.err);
      if (strcmp(mc->builtin, "majority") != 0 && (v = get(&s, "reply")))
        return cfg_error(&L->c, v, "'reply' applies to the majority builtin only");
      return get_str(&s, "reply", 0, &mc->reply, NULL);
    case ES_MODEL_REPLAY:
      return get_path(&s, su->dir, "path", 1, &mc->path, NULL);
    case ES_MODEL_OPENAI:
    case ES_MODEL_EXEC: {
      /* the client's own defaults (openai.h), so the two never disagree */
      es_openai_config oc;
      es_openai_config_init(&oc);
      mc->timeout = oc.timeout;
      mc->retries = oc.max_retries;
      mc->concurrency = oc.max_concurrency;
      mc->connect_timeout = oc.connect_timeout;
      mc->retry_total = oc.retry_total;
      mc->workers = 1;
      mc->start_timeout = 60;
      mc->max_restarts = 3;
      if (read_params(&s, mc) != 0 || get_number(&s, "timeout", 0.001, 86400, &mc->timeout) != 0)
        return -1;
      return mc->type == ES_MODEL_OPENAI ? read_openai(&s, mc) : read_exec(&s, mc);
    }
  }
  return 0;
}

static int read_models(loader *L, yaml_node_t *key, yaml_node_t *val) {
  es_suite *su = L->s;
  size_t n = (size_t)(val->data.sequence.items.top - val->data.sequence.items.start);
  (void)key;
  if (n == 0) return cfg_error(&L->c, val, "'models' must list at least one model");
  if (!(su->models = calloc(n, sizeof *su->models))) return oom(L->c.err);
  for (size_t i = 0; i < n; i++) {
    su->nmodels = i + 1; /* so es_suite_free frees what was read */
    if (read_model(L, cfg_node(&L->c, val->data.sequence.items.start[i]), &su->models[i], 0) != 0)
      return -1;
  }
  return 0;
}

static int read_metrics(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, val, key, "metrics"};
  long profile = 0;
  if (check_keys(&s, metrics_keys) != 0) return -1;
  if (get_choice(&s, "profile", 0, profile_names, "metric profile", &profile, NULL) != 0)
    return -1;
  if (!(L->s->metrics.profile = strdup(profile_names[profile]))) return oom(L->c.err);
  return get_choice_list(&s, "list", metric_names, "metric", &L->s->metrics.names,
                         &L->s->metrics.nnames);
}

/* ===== Judge rubrics ===== */

static const char *const score_placeholders[] = {"context", "reply", "gold", "strategy",
                                                 "gold_strategy", "scenario", "scale_min",
                                                 "scale_max", NULL};
static const char *const pair_placeholders[] = {"context", "reply_a", "reply_b", "gold",
                                                "scenario", NULL};

/* Checks that every {{name}} in text (the value of node v) is one of names. */
static int check_placeholders(cfg *c, const yaml_node_t *v, const char *what, const char *text,
                              const char *const *names) {
  for (const char *p = text; (p = strstr(p, "{{"));) {
    const char *e = strstr(p + 2, "}}");
    if (!e) return cfg_error(c, v, "unterminated {{ in the %s", what);
    char name[64];
    size_t n = (size_t)(e - p - 2);
    snprintf(name, sizeof name, "%.*s", (int)(n < 63 ? n : 63), p + 2);
    if (list_index(names, name) < 0) {
      char h[512];
      return cfg_error(c, v, "unknown placeholder {{%s}} in the %s%s", name, what,
                       hint(h, sizeof h, name, names, "known:"));
    }
    p = e + 2;
  }
  return 0;
}

static void rubric_release(es_rubric *r) {
  free(r->name);
  free(r->file);
  free(r->description);
  free(r->template_text);
  free(r->pattern);
  free(r->reminder);
  memset(r, 0, sizeof *r);
}

/* Reads the rubric file in c (parsed) into r; pairwise: the kind wanted. */
static int rubric_read(cfg *c, es_rubric *r, int pairwise) {
  static const char *const kinds[] = {"score", "pairwise", NULL};
  static const char *const matches[] = {"last", "first", NULL};
  yaml_node_t *root = yaml_document_get_root_node(&c->doc), *v;
  if (!root || root->type != YAML_MAPPING_NODE)
    return cfg_error(c, root ? root : NULL, "a rubric file is a mapping (name, kind, template, pattern, ...)");
  sect s = {c, root, root, "rubric"};
  long kind = 0, match = 0;
  if (check_keys(&s, rubric_keys) != 0) return -1;
  if (get_str(&s, "name", 1, &r->name, &v) != 0 || check_name(c, v, "rubric", r->name) != 0) return -1;
  if (get_choice(&s, "kind", 0, kinds, "rubric kind", &kind, &v) != 0) return -1;
  if (kind != pairwise)
    return cfg_error(c, v ? v : root, "rubric '%s' is a %s rubric, but it is used as a %s one", r->name,
                     kinds[kind], kinds[pairwise]);
  r->pairwise = pairwise;
  if (get_str(&s, "description", 0, &r->description, NULL) != 0) return -1;
  if (get_str(&s, "template", 1, &r->template_text, &v) != 0) return -1;
  const char *const *names = pairwise ? pair_placeholders : score_placeholders;
  if (check_placeholders(c, v, "template", r->template_text, names) != 0) return -1;
  if (!strstr(r->template_text, pairwise ? "{{reply_a}}" : "{{reply}}") ||
      (pairwise && !strstr(r->template_text, "{{reply_b}}")))
    return cfg_error(c, v, "the template never shows the %s",
                     pairwise ? "two replies ({{reply_a}} and {{reply_b}})" : "reply ({{reply}})");
  if (get_str(&s, "pattern", 1, &r->pattern, &v) != 0 || check_pattern(c, v, "pattern", r->pattern) != 0)
    return -1;
  if (get_choice(&s, "match", 0, matches, "match", &match, NULL) != 0) return -1;
  r->match_first = match == 1;
  if (get_str(&s, "reminder", 1, &r->reminder, &v) != 0) return -1;
  return check_placeholders(c, v, "reminder", r->reminder, names);
}

/* Loads rubric ref (a name: <suite folder>/judges/NAME.yaml; or a path
 * ending in .yaml, relative to the suite folder) named at node at. */
static int rubric_load(loader *L, yaml_node_t *at, const char *ref, es_rubric *r, int pairwise) {
  char *buf, why[1024];
  size_t len, n = strlen(ref);
  int is_path = strchr(ref, '/') || (n > 5 && !strcmp(ref + n - 5, ".yaml"));
  char rel[512];
  snprintf(rel, sizeof rel, is_path ? "%s" : "judges/%s.yaml", ref);
  if (!(r->file = join_path(L->s->dir, rel))) return oom(L->c.err);
  int rc = read_file(r->file, &buf, &len, why, sizeof why);
  if (rc == -2) return oom(L->c.err);
  if (rc != 0) return cfg_error(&L->c, at, "rubric '%s': %s", ref, why);
  cfg c = {.file = r->file, .buf = buf, .len = len, .expand = 0, .err = L->c.err};
  rc = cfg_parse(&c) == 0 && rubric_read(&c, r, pairwise) == 0 ? 0 : -1;
  cfg_release(&c);
  return rc;
}

static int read_judge(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, val, key, "judge"};
  es_suite *su = L->s;
  yaml_node_t *v;
  long n;
  if (check_keys(&s, judge_keys) != 0) return -1;
  if (get_bool(&s, "enabled", &su->judge.enabled, &v) != 0) return -1;
  if (!su->judge.enabled) return 0; /* the rest is not read: a suite may keep it for later */
  v = get(&s, "model");
  if (!v || is_null(v)) return missing(&s, "model", v);
  if (v->type != YAML_MAPPING_NODE)
    return wrong_type(&L->c, v, "a model entry (type, base_url or command, ...)", "model");
  if (read_model(L, v, &su->judge.model, 1) != 0) return -1;
  su->judge.scale_min = 1;
  su->judge.scale_max = 10;
  if ((v = get(&s, "scale")) && !is_null(v)) {
    if (v->type == YAML_SCALAR_NODE) {
      n = 10;
      if (get_long(&s, "scale", 2, 100, &n) != 0) return -1;
      su->judge.scale_max = (int)n;
    } else if (v->type == YAML_SEQUENCE_NODE && v->data.sequence.items.top - v->data.sequence.items.start == 2) {
      long lim[2];
      for (int k = 0; k < 2; k++) {
        yaml_node_t *e = cfg_node(&L->c, v->data.sequence.items.start[k]);
        const char *t;
        if (e->type != YAML_SCALAR_NODE || !(t = cfg_value(&L->c, e))) return wrong_type(&L->c, e, "an integer", "scale");
        if (to_long(&L->c, e, "scale", t, -1000, 1000, &lim[k]) != 0) return -1;
      }
      if (lim[1] <= lim[0]) return cfg_error(&L->c, v, "'scale' needs [lowest, highest] with lowest < highest");
      su->judge.scale_min = (int)lim[0];
      su->judge.scale_max = (int)lim[1];
    } else {
      return wrong_type(&L->c, v, "the highest score (1 to N) or [lowest, highest]", "scale");
    }
  }
  n = 1;
  if (get_long(&s, "samples", 1, 100, &n) != 0) return -1;
  su->judge.samples = (int)n;
  su->judge.temperature = 0;
  if (get_number(&s, "temperature", 0, 2, &su->judge.temperature) != 0) return -1;
  if ((v = get(&s, "rubrics")) && !is_null(v)) {
    if (v->type != YAML_SEQUENCE_NODE) return wrong_type(&L->c, v, "a list of rubric names", "rubrics");
    size_t nr = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (!(su->judge.rubrics = calloc(nr ? nr : 1, sizeof *su->judge.rubrics))) return oom(L->c.err);
    for (size_t i = 0; i < nr; i++) {
      yaml_node_t *e = cfg_node(&L->c, v->data.sequence.items.start[i]);
      const char *t;
      if (e->type != YAML_SCALAR_NODE || is_null(e)) return wrong_type(&L->c, e, "a rubric name", "rubrics");
      if (!(t = cfg_value(&L->c, e))) return -1;
      su->judge.nrubrics = i + 1;
      if (rubric_load(L, e, t, &su->judge.rubrics[i], 0) != 0) return -1;
      for (size_t k = 0; k < i; k++)
        if (!strcmp(su->judge.rubrics[k].name, su->judge.rubrics[i].name))
          return cfg_error(&L->c, e, "rubric '%s' is listed twice", su->judge.rubrics[i].name);
    }
  }
  const char *pw;
  if (get_text(&s, "pairwise", 0, &pw, &v) != 0) return -1;
  if (pw) {
    if (!(su->judge.pairwise = calloc(1, sizeof *su->judge.pairwise))) return oom(L->c.err);
    if (rubric_load(L, v, pw, su->judge.pairwise, 1) != 0) return -1;
  }
  if (!su->judge.nrubrics && !su->judge.pairwise)
    return cfg_error(&L->c, key, "the judge has nothing to do: list 'rubrics', or name a 'pairwise' rubric");
  return 0;
}

static int read_stats(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, val, key, "stats"};
  es_suite *su = L->s;
  if (check_keys(&s, stats_keys) != 0) return -1;
  if (get_str(&s, "baseline", 0, &su->stats.baseline, &L->baseline) != 0) return -1;
  if (get_ulong(&s, "seed", &su->stats.seed) != 0) return -1;
  if (get_long(&s, "bootstrap", 1, 100000000, &su->stats.bootstrap) != 0) return -1;
  if (get_long(&s, "permutations", 1, 100000000, &su->stats.permutations) != 0) return -1;
  return get_fraction(&s, "alpha", 0, 1, &su->stats.alpha);
}

static int read_report(loader *L, yaml_node_t *key, yaml_node_t *val) {
  sect s = {&L->c, val, key, "report"};
  if (check_keys(&s, report_keys) != 0) return -1;
  if (get_str(&s, "dir", 0, &L->s->report.dir, NULL) != 0) return -1;
  if (get_choice_list(&s, "formats", format_names, "report format", &L->s->report.formats,
                      &L->s->report.nformats) != 0)
    return -1;
  return 0;
}

/* The gate's rules are read by `esbench gate` (src/gate.c, with its own
 * file:line:col errors); here only its keys are checked. */
static int read_gate(loader *L, yaml_node_t *key, yaml_node_t *val) {
  static const char *const gate_keys[] = {"alpha", "rules", "floors", NULL};
  sect s = {&L->c, val, key, "gate"};
  return check_keys(&s, gate_keys);
}

/* The top-level keys, in the order suites/README.md documents them. A
 * section's value has the shape given (checked before read is called; a
 * null value counts as absent). To add a section: a row here, its key in
 * suite_keys, its own keys list (for home_of), its read function, its
 * fields in suite.h, and its paragraph in suites/README.md. */
enum shape { SCALAR, MAPPING, LIST };
static const struct section {
  const char *key;
  enum shape shape;
  int required;
  int (*read)(loader *L, yaml_node_t *key, yaml_node_t *val);
} sections[] = {
    {"name", SCALAR, 0, read_name},       {"description", SCALAR, 0, read_description},
    {"dataset", MAPPING, 1, read_dataset}, {"task", MAPPING, 1, read_task},
    {"labels", SCALAR, 1, read_labels},   {"models", LIST, 1, read_models},
    {"metrics", MAPPING, 0, read_metrics}, {"judge", MAPPING, 0, read_judge},
    {"stats", MAPPING, 0, read_stats},    {"report", MAPPING, 0, read_report},
    {"gate", MAPPING, 0, read_gate},
};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/* Reads the root mapping section by section, in file order, so the first
 * error reported is the first in the file. */
static int read_suite(loader *L) {
  cfg *c = &L->c;
  yaml_node_t *root = yaml_document_get_root_node(&c->doc);
  sect s = {c, root, root, "suite"};
  int seen[NSECTIONS] = {0};
  if (check_keys(&s, suite_keys) != 0) return -1;
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
       p++) {
    yaml_node_t *k = cfg_node(c, p->key), *v = cfg_node(c, p->value);
    size_t i = 0;
    while (i < NSECTIONS && strcmp(sections[i].key, raw(k)) != 0) i++;
    if (i == NSECTIONS) /* suite_keys and sections disagree: a bug */
      return es_error_set(c->err, ES_EXIT_INTERNAL, "no reader for the suite key '%s'", raw(k));
    if (is_null(v)) continue; /* absent: a required one is reported below */
    static const yaml_node_type_t want[] = {YAML_SCALAR_NODE, YAML_MAPPING_NODE,
                                            YAML_SEQUENCE_NODE};
    static const char *const names[] = {"a string", "a mapping", "a list"};
    if (v->type != want[sections[i].shape])
      return wrong_type(c, v, names[sections[i].shape], raw(k));
    if (sections[i].read(L, k, v) != 0) return -1;
    seen[i] = 1;
  }
  for (size_t i = 0; i < NSECTIONS; i++)
    if (sections[i].required && !seen[i])
      return missing(&s, sections[i].key, get(&s, sections[i].key));
  return 0;
}

/* Defaults of what the file left out, and the checks across sections. */
static int finish(loader *L) {
  es_suite *su = L->s;
  es_error *err = L->c.err;
  if (!su->name) {
    const char *base = strrchr(su->path, '/');
    base = base ? base + 1 : su->path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0) n -= 5;
    else if (n > 4 && strcmp(base + n - 4, ".yml") == 0) n -= 4;
    if (!(su->name = strndup(base, n))) return oom(err);
  }
  if (!su->metrics.profile && !(su->metrics.profile = strdup(profile_names[0]))) return oom(err);
  if (!su->metrics.names) {
    size_t n = list_len(default_metrics);
    if (!(su->metrics.names = calloc(n, sizeof *su->metrics.names))) return oom(err);
    for (; su->metrics.nnames < n; su->metrics.nnames++)
      if (!(su->metrics.names[su->metrics.nnames] = strdup(default_metrics[su->metrics.nnames])))
        return oom(err);
  }
  if (!su->report.dir && !(su->report.dir = strdup("runs"))) return oom(err);
  if (!su->report.formats) {
    size_t n = list_len(default_formats);
    if (!(su->report.formats = calloc(n, sizeof *su->report.formats))) return oom(err);
    for (; su->report.nformats < n; su->report.nformats++)
      if (!(su->report.formats[su->report.nformats] = strdup(default_formats[su->report.nformats])))
        return oom(err);
  }
  if (!su->stats.baseline) {
    if (!(su->stats.baseline = strdup(su->models[0].name))) return oom(err);
  } else if (!es_suite_model(su, su->stats.baseline)) {
    char h[1024];
    const char **names = calloc(su->nmodels + 1, sizeof *names);
    if (!names) return oom(err);
    for (size_t i = 0; i < su->nmodels; i++) names[i] = su->models[i].name;
    hint(h, sizeof h, su->stats.baseline, names, "the models:");
    free(names);
    return cfg_error(&L->c, L->baseline, "baseline '%s' names no model of the suite%s",
                     su->stats.baseline, h);
  }
  return 0;
}

/* ===== Public API ===== */

int es_suite_load(const char *path, es_suite **out, es_error *err) {
  char why[1024];
  loader L = {.c = {.file = path, .expand = 1, .err = err}};
  *out = NULL;
  es_suite *su = calloc(1, sizeof *su);
  if (!su) return oom(err);
  L.s = su;
  su->dataset.ratio[0] = 8;
  su->dataset.ratio[1] = 1;
  su->dataset.ratio[2] = 1;
  su->dataset.context_turns = 8;
  su->stats.seed = 12345;
  su->stats.bootstrap = 1000;
  su->stats.permutations = 10000;
  su->stats.alpha = 0.05;
  if (!(su->path = strdup(path)) || !(su->dir = dir_of(path))) {
    oom(err);
    goto fail;
  }
  int r = read_file(path, &L.c.buf, &L.c.len, why, sizeof why);
  if (r != 0) {
    if (r == -2) oom(err);
    else es_error_set(err, ES_EXIT_USAGE, "%s", why);
    goto fail;
  }
  if (cfg_parse(&L.c) != 0 || read_suite(&L) != 0 || finish(&L) != 0) goto fail;
  cfg_release(&L.c);
  *out = su;
  return 0;
fail:
  cfg_release(&L.c);
  es_suite_free(su);
  return -1;
}

static void free_list(char **list, size_t n) {
  for (size_t i = 0; i < n; i++) free(list[i]);
  free(list);
}

static void free_model(es_model_cfg *m) {
  free(m->name);
  free(m->builtin);
  free(m->path);
  free(m->reply);
  free(m->params_json);
  free(m->base_url);
  free(m->model);
  free(m->api_key_env);
  free_list(m->headers, m->nheaders);
  free_list(m->command, m->ncommand);
}

void es_suite_free(es_suite *s) {
  if (!s) return;
  free(s->path);
  free(s->dir);
  free(s->name);
  free(s->description);
  free(s->dataset.name);
  free(s->dataset.path);
  free(s->dataset.file);
  free(s->dataset.split);
  free(s->dataset.split_file);
  free(s->task.prompt_file);
  free(s->task.prompt);
  free(s->task.reply_format);
  free(s->task.strategy_pattern);
  free(s->labels_file);
  es_labelset_release(&s->labels);
  for (size_t i = 0; i < s->nmodels; i++) free_model(&s->models[i]);
  free(s->models);
  free_model(&s->judge.model);
  for (size_t i = 0; i < s->judge.nrubrics; i++) rubric_release(&s->judge.rubrics[i]);
  free(s->judge.rubrics);
  if (s->judge.pairwise) rubric_release(s->judge.pairwise);
  free(s->judge.pairwise);
  free(s->metrics.profile);
  free_list(s->metrics.names, s->metrics.nnames);
  free(s->stats.baseline);
  free(s->report.dir);
  free_list(s->report.formats, s->report.nformats);
  free(s);
}

const es_model_cfg *es_suite_model(const es_suite *s, const char *name) {
  for (size_t i = 0; s && i < s->nmodels; i++)
    if (strcmp(s->models[i].name, name) == 0) return &s->models[i];
  return NULL;
}
