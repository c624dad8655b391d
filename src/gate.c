/*
 * gate.c: the regression gate (see gate.h).
 */
#include "gate.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "es_common.h"
#include "exitcode.h"
#include "outdir.h"
#include "stats.h"

const char *es_gate_verdict_name(int v) {
  static const char *const names[] = {"pass", "within tolerance", "not significant", "regression",
                                      "missing", "floor passed", "floor failed"};
  return v >= 0 && v <= ES_GATE_FLOOR_FAIL ? names[v] : "?";
}

static int failing(int v) { return v == ES_GATE_REGRESSION || v == ES_GATE_MISSING || v == ES_GATE_FLOOR_FAIL; }

/* ---- rules ------------------------------------------------------------------------ */

typedef struct {
  const char *file;
  yaml_document_t *doc;
  es_error *err;
} ydoc;

static int yerror(ydoc *y, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int yerror(ydoc *y, const yaml_node_t *n, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return es_error_set(y->err, ES_EXIT_USAGE, "%s:%zu:%zu: %s", y->file, n ? n->start_mark.line + 1 : 1,
                      n ? n->start_mark.column + 1 : 1, msg);
}

static yaml_node_t *node(ydoc *y, int id) { return yaml_document_get_node(y->doc, id); }

static const char *scalar(const yaml_node_t *n) {
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int number(ydoc *y, const yaml_node_t *n, const char *key, double *out) {
  const char *t = scalar(n);
  char *end = NULL;
  double x = t ? strtod(t, &end) : NAN;
  if (!t || !*t || *end || !isfinite(x)) return yerror(y, n, "expected a number for '%s'", key);
  *out = x;
  return 0;
}

static int boolean(ydoc *y, const yaml_node_t *n, const char *key, int *out) {
  const char *t = scalar(n);
  if (t && (!strcmp(t, "true") || !strcmp(t, "True"))) *out = 1;
  else if (t && (!strcmp(t, "false") || !strcmp(t, "False"))) *out = 0;
  else return yerror(y, n, "expected true or false for '%s'", key);
  return 0;
}

/* One entry of rules (floor 0) or floors (floor 1). */
static int read_entry(ydoc *y, yaml_node_t *n, es_gate_rules *r, int floor) {
  if (n->type != YAML_MAPPING_NODE)
    return yerror(y, n, "expected a mapping (metric, ...) for each %s", floor ? "floor" : "rule");
  es_gate_rule rule = {0};
  es_gate_floor fl = {0};
  fl.min = fl.max = NAN;
  rule.max_drop = NAN;
  int have_drop = 0;
  const char *metric = NULL, *model = NULL;
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(y, p->key), *v = node(y, p->value);
    const char *key = scalar(k) ? scalar(k) : "";
    if (!strcmp(key, "metric") && scalar(v)) metric = scalar(v);
    else if (!strcmp(key, "model") && scalar(v)) model = scalar(v);
    else if (!floor && !strcmp(key, "direction")) {
      const char *d = scalar(v);
      if (!d || (strcmp(d, "higher") && strcmp(d, "lower")))
        return yerror(y, v, "direction is 'higher' or 'lower' (which way is better)");
      rule.lower_better = !strcmp(d, "lower");
    } else if (!floor && (!strcmp(key, "max_drop") || !strcmp(key, "max_drop_relative"))) {
      if (have_drop) return yerror(y, k, "give max_drop or max_drop_relative, not both");
      if (number(y, v, key, &rule.max_drop) != 0) return -1;
      if (rule.max_drop < 0) return yerror(y, v, "'%s' must be 0 or more", key);
      rule.relative = !strcmp(key, "max_drop_relative");
      have_drop = 1;
    } else if (!floor && !strcmp(key, "significant")) {
      if (boolean(y, v, key, &rule.significant) != 0) return -1;
    } else if (floor && (!strcmp(key, "min") || !strcmp(key, "max"))) {
      if (number(y, v, key, !strcmp(key, "min") ? &fl.min : &fl.max) != 0) return -1;
    } else {
      return yerror(y, k, "unknown key '%s' in a %s (expected %s)", key, floor ? "floor" : "rule",
                    floor ? "metric, model, min, max" : "metric, model, direction, max_drop, max_drop_relative, significant");
    }
  }
  if (!metric) return yerror(y, n, "a %s needs 'metric'", floor ? "floor" : "rule");
  if (!floor && !have_drop) return yerror(y, n, "a rule needs max_drop or max_drop_relative (0 allows no drop)");
  if (floor && isnan(fl.min) && isnan(fl.max)) return yerror(y, n, "a floor needs min or max");
  if (floor) {
    es_gate_floor *nf = realloc(r->floors, (r->nfloors + 1) * sizeof *nf);
    if (!nf) return es_error_set(y->err, ES_EXIT_INTERNAL, "out of memory");
    r->floors = nf;
    fl.metric = strdup(metric);
    fl.model = model ? strdup(model) : NULL;
    fl.line = n->start_mark.line + 1, fl.col = n->start_mark.column + 1;
    r->floors[r->nfloors++] = fl;
  } else {
    es_gate_rule *nr = realloc(r->rules, (r->nrules + 1) * sizeof *nr);
    if (!nr) return es_error_set(y->err, ES_EXIT_INTERNAL, "out of memory");
    r->rules = nr;
    rule.metric = strdup(metric);
    rule.model = model ? strdup(model) : NULL;
    rule.line = n->start_mark.line + 1, rule.col = n->start_mark.column + 1;
    r->rules[r->nrules++] = rule;
  }
  return 0;
}

int es_gate_rules_load(const char *file, es_gate_rules *out, es_error *err) {
  memset(out, 0, sizeof *out);
  out->alpha = 0.05;
  FILE *f = fopen(file, "rb");
  if (!f) return es_error_set(err, ES_EXIT_USAGE, "cannot open the gate rules '%s'", file);
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  if (!yaml_parser_load(&parser, &doc)) {
    es_error_set(err, ES_EXIT_USAGE, "%s:%zu:%zu: %s", file, parser.problem_mark.line + 1,
                 parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
    yaml_parser_delete(&parser);
    fclose(f);
    return -1;
  }
  ydoc y = {file, &doc, err};
  int rc = -1;
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (!root || root->type != YAML_MAPPING_NODE) {
    yerror(&y, root, "expected a mapping (alpha, rules, floors), or a suite with a 'gate' section");
    goto out;
  }
  /* a suite: its gate section */
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++)
    if (scalar(node(&y, p->key)) && !strcmp(scalar(node(&y, p->key)), "gate")) {
      root = node(&y, p->value);
      break;
    }
  if (root->type != YAML_MAPPING_NODE) {
    yerror(&y, root, "the gate section must be a mapping (alpha, rules, floors)");
    goto out;
  }
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
    yaml_node_t *k = node(&y, p->key), *v = node(&y, p->value);
    const char *key = scalar(k) ? scalar(k) : "";
    if (!strcmp(key, "alpha")) {
      if (number(&y, v, "alpha", &out->alpha) != 0) goto out;
      if (!(out->alpha > 0 && out->alpha < 1)) {
        yerror(&y, v, "alpha must be between 0 and 1");
        goto out;
      }
    } else if (!strcmp(key, "rules") || !strcmp(key, "floors")) {
      if (v->type != YAML_SEQUENCE_NODE) {
        yerror(&y, v, "'%s' must be a list", key);
        goto out;
      }
      for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
        if (read_entry(&y, node(&y, *it), out, !strcmp(key, "floors")) != 0) goto out;
    } else if (strcmp(key, "dataset") && strcmp(key, "task") && strcmp(key, "labels") && strcmp(key, "models") &&
               strcmp(key, "metrics") && strcmp(key, "judge") && strcmp(key, "stats") && strcmp(key, "report") &&
               strcmp(key, "name") && strcmp(key, "description")) {
      yerror(&y, k, "unknown key '%s' in the gate (expected alpha, rules, floors)", key);
      goto out;
    }
  }
  if (!out->nrules && !out->nfloors) {
    yerror(&y, root, "the gate has no rules and no floors");
    goto out;
  }
  out->file = strdup(file);
  rc = 0;
out:
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  fclose(f);
  if (rc != 0) es_gate_rules_free(out);
  return rc;
}

void es_gate_rules_free(es_gate_rules *r) {
  for (size_t i = 0; i < r->nrules; i++) free(r->rules[i].metric), free(r->rules[i].model);
  for (size_t i = 0; i < r->nfloors; i++) free(r->floors[i].metric), free(r->floors[i].model);
  free(r->rules);
  free(r->floors);
  free(r->file);
  memset(r, 0, sizeof *r);
}

/* ---- checking ------------------------------------------------------------------- */

static int add_row(es_gate_result *res, const char *name, const char *model, double base, double cur,
                   double p, int verdict, const char *fmt, ...) __attribute__((format(printf, 8, 9)));
static int add_row(es_gate_result *res, const char *name, const char *model, double base, double cur,
                   double p, int verdict, const char *fmt, ...) {
  es_gate_row *nr = realloc(res->rows, (res->n + 1) * sizeof *nr);
  if (!nr) return -1;
  res->rows = nr;
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  es_gate_row *row = &res->rows[res->n++];
  row->name = strdup(name);
  row->model = strdup(model);
  row->detail = strdup(detail);
  row->base = base, row->cur = cur, row->delta = cur - base, row->p = p, row->p_adj = NAN;
  row->verdict = verdict;
  return row->name && row->model && row->detail ? 0 : -1;
}

static long metric_index(const es_compare *c, const char *name) {
  for (size_t k = 0; k < c->nmetrics; k++)
    if (!strcmp(c->metrics[k].name, name)) return (long)k;
  return -1;
}

/* A rate the current run's results.json gives for a floor: failed-rate,
 * judge-parse-failure-rate, judge-<rubric>-parse-failure-rate. */
static double jnum(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static int is_rate(const char *metric) {
  return !strcmp(metric, "failed-rate") ||
         (!strncmp(metric, "judge-", 6) && strlen(metric) >= 24 &&
          !strcmp(metric + strlen(metric) - 18, "parse-failure-rate"));
}

static double floor_rate(const cJSON *cur, const char *model, const char *metric) {
  const cJSON *m;
  cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(cur, "models")) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(m, "name");
    if (!cJSON_IsString(name) || strcmp(name->valuestring, model)) continue;
    if (!strcmp(metric, "failed-rate")) {
      double f = jnum(m, "failed"), n = jnum(m, "instances");
      return isnan(f) || isnan(n) ? NAN : n > 0 ? f / n : 0; /* NAN: missing */
    }
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(m, "judge"), *r;
    double pf = 0, asked = 0;
    int any = 0;
    cJSON_ArrayForEach(r, j) {
      if (!r->string || !strcmp(r->string, "pairwise")) continue;
      char want[200];
      snprintf(want, sizeof want, "judge-%s-parse-failure-rate", r->string);
      if (strcmp(metric, "judge-parse-failure-rate") && strcmp(metric, want)) continue;
      any = 1;
      pf += jnum(r, "parse_failures");
      asked += jnum(r, "judged") * jnum(r, "samples_per_item");
    }
    if (!any || isnan(pf) || isnan(asked)) return NAN; /* no judge, or fields missing */
    return asked > 0 ? pf / asked : 0;
  }
  return NAN;
}

int es_gate_check(const char *current, const char *baseline, const es_gate_rules *rules,
                  es_gate_result *out, es_error *err) {
  memset(out, 0, sizeof *out);
  char *runs[2] = {(char *)baseline, (char *)current};
  es_compare_options opt = {NULL, 0, 0, -1, 0, 1};
  es_compare *c = NULL;
  cJSON *cur = NULL;
  int rc = -1;
  /* the current run is parsed once: for the comparison and the floors */
  cJSON *docs[2] = {es_results_load(baseline, err), NULL};
  if (!docs[0]) return -1;
  if (!(cur = docs[1] = es_results_load(current, err)) || es_compare_docs(docs, runs, 2, &opt, &c, err) != 0) {
    cJSON_Delete(docs[0]);
    goto out;
  }
  cJSON_Delete(docs[0]);
  /* a rule naming a metric neither run reports is a mistake in the rules */
  for (size_t i = 0; i < rules->nrules; i++)
    if (metric_index(c, rules->rules[i].metric) < 0) {
      char known[1024] = "";
      for (size_t k = 0; k < c->nmetrics; k++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "", c->metrics[k].name);
      es_error_set(err, ES_EXIT_USAGE, "%s:%zu:%zu: rule metric '%s' is not reported by the baseline run (it reports: %s)",
                   rules->file, rules->rules[i].line, rules->rules[i].col, rules->rules[i].metric, known);
      goto out;
    }
  /* rules: every model of the current run, or the one named */
  size_t first_rule_row = 0;
  for (size_t i = 0; i < rules->nrules; i++) {
    const es_gate_rule *ru = &rules->rules[i];
    size_t k = (size_t)metric_index(c, ru->metric);
    char name[256];
    snprintf(name, sizeof name, "%s: %s %s %g%s%s", ru->metric, ru->lower_better ? "rise" : "drop", "at most",
             ru->relative ? 100 * ru->max_drop : ru->max_drop, ru->relative ? "%" : "",
             ru->significant ? ", if significant" : "");
    size_t before = out->n;
    for (size_t m = 0; m < c->nmodels; m++) {
      if (c->models[m].run != 1) continue;
      const char *mn = c->models[m].own;
      if (ru->model && strcmp(ru->model, mn)) continue;
      size_t b = c->against[m];
      const es_cmp_cell *e = &c->cells[m * c->nmetrics + k];
      if (b == SIZE_MAX) {
        if (add_row(out, name, mn, NAN, e->value, NAN, ES_GATE_MISSING, "the baseline run has no model '%s'", mn)) goto oom;
        continue;
      }
      const es_cmp_cell *be = &c->cells[b * c->nmetrics + k];
      if (isnan(e->value) || isnan(be->value)) {
        if (add_row(out, name, mn, be->value, e->value, NAN, ES_GATE_MISSING, "%s has no value in the %s run",
                    ru->metric, isnan(e->value) ? "current" : "baseline")) goto oom;
        continue;
      }
      double delta = e->value - be->value, drop = ru->lower_better ? delta : -delta;
      double tol = ru->relative ? ru->max_drop * fabs(be->value) : ru->max_drop;
      int v = drop <= 0 ? ES_GATE_PASS : drop <= tol + 1e-12 ? ES_GATE_WITHIN : ES_GATE_REGRESSION;
      if (add_row(out, name, mn, be->value, e->value, e->p_ar, v, "%s %+.4g (tolerance %.4g)", ru->metric, delta, tol)) goto oom;
      out->rows[out->n - 1].p_adj = ru->significant ? 1 : NAN; /* marks rows in the Holm family */
    }
    if (ru->model && out->n == before &&
        add_row(out, name, ru->model, NAN, NAN, NAN, ES_GATE_MISSING, "the current run has no model '%s'", ru->model))
      goto oom;
  }
  /* Holm across the rules that ask for significance */
  size_t nf = out->n - first_rule_row;
  double *p = malloc((nf ? nf : 1) * sizeof *p), *adj = malloc((nf ? nf : 1) * sizeof *adj);
  if (!p || !adj) {
    free(p), free(adj);
    goto oom;
  }
  for (size_t q = 0; q < nf; q++) {
    es_gate_row *row = &out->rows[first_rule_row + q];
    p[q] = !isnan(row->p_adj) ? row->p : NAN;
  }
  es_stat_holm(p, nf, adj);
  for (size_t q = 0; q < nf; q++) {
    es_gate_row *row = &out->rows[first_rule_row + q];
    int wants = !isnan(row->p_adj);
    row->p_adj = adj[q];
    if (wants && row->verdict == ES_GATE_REGRESSION && isnan(adj[q])) {
      char d[600]; /* a drop the test could not judge stays a regression */
      snprintf(d, sizeof d, "%s; the difference could not be tested (too few paired instances)", row->detail);
      free(row->detail);
      row->detail = strdup(d);
    } else if (wants && row->verdict == ES_GATE_REGRESSION && !(adj[q] < rules->alpha)) {
      row->verdict = ES_GATE_NOT_SIGNIFICANT;
      char d[600];
      snprintf(d, sizeof d, "%s; not significant (Holm-adjusted p %.3g >= %g)", row->detail, adj[q], rules->alpha);
      free(row->detail);
      row->detail = strdup(d);
    }
  }
  free(p);
  free(adj);
  /* floors: the current run alone */
  for (size_t i = 0; i < rules->nfloors; i++) {
    const es_gate_floor *fl = &rules->floors[i];
    char name[256];
    snprintf(name, sizeof name, "%s%s%.4g%s%s%.4g", fl->metric, isnan(fl->min) ? "" : " >= ", isnan(fl->min) ? 0 : fl->min,
             isnan(fl->min) || isnan(fl->max) ? "" : ",", isnan(fl->max) ? "" : " <= ", isnan(fl->max) ? 0 : fl->max);
    if (isnan(fl->min)) snprintf(name, sizeof name, "%s <= %.4g", fl->metric, fl->max);
    else if (isnan(fl->max)) snprintf(name, sizeof name, "%s >= %.4g", fl->metric, fl->min);
    long k = metric_index(c, fl->metric);
    if (k < 0 && !is_rate(fl->metric)) {
      es_error_set(err, ES_EXIT_USAGE, "%s:%zu:%zu: floor metric '%s' is not a metric of the runs nor a rate "
                   "(failed-rate, judge-parse-failure-rate, judge-<rubric>-parse-failure-rate)",
                   rules->file, fl->line, fl->col, fl->metric);
      goto out;
    }
    size_t before = out->n;
    for (size_t m = 0; m < c->nmodels; m++) {
      if (c->models[m].run != 1) continue;
      const char *mn = c->models[m].own;
      if (fl->model && strcmp(fl->model, mn)) continue;
      double v = k >= 0 ? c->cells[m * c->nmetrics + (size_t)k].value : floor_rate(cur, mn, fl->metric);
      int ok = !isnan(v) && (isnan(fl->min) || v >= fl->min) && (isnan(fl->max) || v <= fl->max);
      if (add_row(out, name, mn, NAN, v, NAN, isnan(v) ? ES_GATE_MISSING : ok ? ES_GATE_FLOOR_OK : ES_GATE_FLOOR_FAIL,
                  isnan(v) ? "%s: no value in the current run" : "%s = %.4g", fl->metric, v)) goto oom;
    }
    if (fl->model && out->n == before &&
        add_row(out, name, fl->model, NAN, NAN, NAN, ES_GATE_MISSING, "the current run has no model '%s'", fl->model))
      goto oom;
  }
  for (size_t q = 0; q < out->n; q++) out->failed += failing(out->rows[q].verdict);
  rc = 0;
  goto out;
oom:
  es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
out:
  cJSON_Delete(cur);
  es_compare_free(c);
  if (rc != 0) es_gate_result_free(out);
  return rc;
}

void es_gate_result_free(es_gate_result *r) {
  for (size_t i = 0; i < r->n; i++) {
    free(r->rows[i].name);
    free(r->rows[i].model);
    free(r->rows[i].detail);
  }
  free(r->rows);
  memset(r, 0, sizeof *r);
}

/* ---- gate.md and gate.xml -------------------------------------------------------- */

static void md_cell(FILE *f, const char *s) {
  for (; s && *s; s++) {
    if (strchr("|\\*_`[]<>", *s)) fputc('\\', f);
    if (*s == '\n') fputc(' ', f);
    else fputc(*s, f);
  }
}

static void xml_text(FILE *f, const char *s) {
  size_t bad;
  if (s && es_utf8_validate(s, strlen(s), &bad) != ES_OK) { /* not well-formed otherwise */
    for (; *s; s++) fputc((unsigned char)*s >= 0x80 ? '?' : (*s < 0x20 && *s != '\n' && *s != '\t') ? ' ' : *s, f);
    return;
  }
  for (; s && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '&') fputs("&amp;", f);
    else if (ch == '<') fputs("&lt;", f);
    else if (ch == '>') fputs("&gt;", f);
    else if (ch == '"') fputs("&quot;", f);
    else if (ch < 0x20 && ch != '\n' && ch != '\t') fputc(' ', f); /* not allowed in XML 1.0 */
    else fputc(*s, f);
  }
}

static void numtxt(char *b, size_t n, double v) {
  if (isnan(v)) snprintf(b, n, "-");
  else snprintf(b, n, "%.4g", v);
}

int es_gate_write(const es_gate_result *r, const char *dir, const char *baseline, es_error *err) {
  char *buf = NULL, path[4096];
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  fprintf(f, "## esbench gate: %s\n\n", r->failed ? "FAILED" : "passed");
  fputs("Current run ", f);
  md_cell(f, dir);
  fputs(" against the baseline ", f);
  md_cell(f, baseline);
  fprintf(f, ": %zu check%s, %zu failed.\n\n| rule | model | baseline | current | delta | p (Holm) | verdict |\n"
             "|---|---|---:|---:|---:|---:|---|\n",
          r->n, r->n == 1 ? "" : "s", r->failed);
  for (size_t i = 0; i < r->n; i++) {
    const es_gate_row *row = &r->rows[i];
    char a[32], b[32], d[32], p[32];
    numtxt(a, sizeof a, row->base);
    numtxt(b, sizeof b, row->cur);
    numtxt(d, sizeof d, row->delta);
    numtxt(p, sizeof p, row->p_adj);
    fputs("| ", f);
    md_cell(f, row->name);
    fputs(" | ", f);
    md_cell(f, row->model);
    const char *bold = failing(row->verdict) ? "**" : "";
    fprintf(f, " | %s | %s | %s | %s | %s%s%s |\n", a, b, d, p, bold, es_gate_verdict_name(row->verdict), bold);
  }
  fputs("\nA drop beyond its tolerance fails only when the rule asks for significance and the paired "
        "approximate randomization test, Holm-corrected across the rules, finds it; a drop within the "
        "tolerance passes even when significant.\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/gate.md", dir);
  int rc = buf ? es_write_file_atomic(path, buf, len, err) : es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  free(buf);
  if (rc != 0) return -1;
  /* JUnit XML: one test case per checked rule and model */
  buf = NULL, len = 0;
  if (!(f = open_memstream(&buf, &len))) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  char ts[32];
  time_t now = time(NULL);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", gmtime(&now));
  fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"esbench gate\" tests=\"%zu\" failures=\"%zu\">\n"
             "  <testsuite name=\"esbench gate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" timestamp=\"%s\">\n",
          r->n, r->failed, r->n, r->failed, ts);
  for (size_t i = 0; i < r->n; i++) {
    const es_gate_row *row = &r->rows[i];
    fputs("    <testcase classname=\"esbench.gate.", f);
    xml_text(f, row->model);
    fputs("\" name=\"", f);
    xml_text(f, row->name);
    fputs("\" time=\"0\">", f);
    if (failing(row->verdict)) {
      fprintf(f, "\n      <failure type=\"%s\" message=\"", es_gate_verdict_name(row->verdict));
      xml_text(f, row->detail);
      fputs("\">", f);
      xml_text(f, row->detail);
      fputs("</failure>\n    ", f);
    } else {
      fputs("\n      <system-out>", f);
      xml_text(f, es_gate_verdict_name(row->verdict));
      fputs(": ", f);
      xml_text(f, row->detail);
      fputs("</system-out>\n    ", f);
    }
    fputs("</testcase>\n", f);
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/gate.xml", dir);
  rc = buf ? es_write_file_atomic(path, buf, len, err) : es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  free(buf);
  return rc;
}
