/* cmd_gate.c: `esbench gate RUN_DIR --baseline BASELINE`: the CI regression
 * gate (gate.h). */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "exitcode.h"
#include "gate.h"
#include "outdir.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: esbench gate RUN_DIR --baseline BASELINE [--rules FILE]\n"
          "       esbench gate RUN_DIR --baseline BASELINE --update-baseline\n"
          "\n"
          "Checks the run against the baseline (a run folder or a results.json) with the\n"
          "gate rules (--rules FILE, a YAML of alpha/rules/floors or a suite with a gate\n"
          "section; default: the run's suite file). Both runs must have evaluated the same\n"
          "instances of the same data. Prints the checks, writes gate.md (for a pull\n"
          "request) and gate.xml (JUnit) into RUN_DIR.\n"
          "\n"
          "--update-baseline writes RUN_DIR's results.json as the new BASELINE file\n"
          "(atomically) and prints what changed.\n"
          "\n"
          "Exit status: 0 pass, 1 regression, 2 usage or config error, 3 the runs cannot\n"
          "be compared.\n");
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  *len = buf ? fread(buf, 1, (size_t)n, f) : 0;
  fclose(f);
  if (buf) buf[*len] = 0;
  return buf;
}

/* "metric of model: old -> new" for every model and metric both files have */
static void changes(const char *old_text, const char *new_text) {
  cJSON *o = old_text ? cJSON_Parse(old_text) : NULL, *n = cJSON_Parse(new_text);
  const cJSON *m;
  int any = 0;
  cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(n, "models")) {
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(m, "name");
    if (!cJSON_IsString(nm)) continue;
    const char *name = nm->valuestring;
    const cJSON *om = NULL, *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "models")) {
      const cJSON *xn = cJSON_GetObjectItemCaseSensitive(x, "name");
      if (cJSON_IsString(xn) && !strcmp(xn->valuestring, name)) om = x;
    }
    const cJSON *met;
    cJSON_ArrayForEach(met, cJSON_GetObjectItemCaseSensitive(m, "metrics")) {
      const cJSON *nv = cJSON_GetObjectItemCaseSensitive(met, "value");
      if (!met->string || !cJSON_IsNumber(nv)) continue;
      const cJSON *ov = cJSON_GetObjectItemCaseSensitive(
          cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(om, "metrics"), met->string), "value");
      if (!cJSON_IsNumber(ov)) {
        printf("  %s %s: new, %.4f\n", name, met->string, nv->valuedouble);
        any = 1;
      } else if (ov->valuedouble != nv->valuedouble) {
        printf("  %s %s: %.4f -> %.4f (%+.4f)\n", name, met->string, ov->valuedouble, nv->valuedouble,
               nv->valuedouble - ov->valuedouble);
        any = 1;
      }
    }
    if (!om) {
      printf("  %s: a new model\n", name);
      any = 1;
    }
  }
  if (!any) printf("  no metric changed\n");
  cJSON_Delete(o);
  cJSON_Delete(n);
}

int cmd_gate(int argc, char **argv) {
  static const struct option longopts[] = {{"baseline", required_argument, NULL, 'b'},
                                           {"rules", required_argument, NULL, 'r'},
                                           {"update-baseline", no_argument, NULL, 'u'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *baseline = NULL, *rules_file = NULL;
  int update = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'b': baseline = optarg; break;
      case 'r': rules_file = optarg; break;
      case 'u': update = 1; break;
      case 'h': usage(stdout); return ES_EXIT_OK;
      default: usage(stderr); return ES_EXIT_USAGE;
    }
  }
  if (optind != argc - 1 || !baseline) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  const char *run = argv[optind];
  es_error err = {0};
  char path[4096];
  snprintf(path, sizeof path, "%s/results.json", run);
  if (update) {
    size_t nl = 0, ol = 0;
    char *cur = read_all(path, &nl), *old = read_all(baseline, &ol);
    if (!cur) return cli_fail(ES_EXIT_USAGE, "cannot read '%s'", path);
    cJSON *check = cJSON_Parse(cur);
    if (!check || !cJSON_GetObjectItemCaseSensitive(check, "models")) {
      cJSON_Delete(check);
      free(cur), free(old);
      return cli_fail(ES_EXIT_USAGE, "'%s' is not an esbench results.json", path);
    }
    cJSON_Delete(check);
    printf("esbench gate: %s now holds %s; what changed:\n", baseline, path);
    changes(old, cur);
    int rc = es_write_file_atomic(baseline, cur, nl, &err);
    free(cur), free(old);
    return rc == 0 ? ES_EXIT_OK : cli_report(&err);
  }
  es_gate_rules rules;
  if (!rules_file) {
    /* the run's suite file */
    size_t len;
    char *text = read_all(path, &len);
    cJSON *r = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "suite"), "path");
    static char suite_path[4096];
    if (cJSON_IsString(sp)) snprintf(suite_path, sizeof suite_path, "%s", sp->valuestring);
    cJSON_Delete(r);
    if (!cJSON_IsString(sp) || !suite_path[0])
      return cli_fail(ES_EXIT_USAGE, "no --rules and '%s' names no suite file", path);
    rules_file = suite_path;
  }
  if (es_gate_rules_load(rules_file, &rules, &err) != 0) return cli_report(&err);
  es_gate_result res;
  if (es_gate_check(run, baseline, &rules, &res, &err) != 0) {
    es_gate_rules_free(&rules);
    return cli_report(&err);
  }
  int w = 10;
  for (size_t i = 0; i < res.n; i++)
    if ((int)strlen(res.rows[i].name) > w) w = (int)strlen(res.rows[i].name);
  printf("%-*s  %-14s %10s %10s %10s %10s  %s\n", w, "rule", "model", "baseline", "current", "delta", "p (Holm)", "verdict");
  for (size_t i = 0; i < res.n; i++) {
    const es_gate_row *r = &res.rows[i];
    char a[32] = "-", b[32] = "-", d[32] = "-", p[32] = "-";
    if (!isnan(r->base)) snprintf(a, sizeof a, "%.4g", r->base);
    if (!isnan(r->cur)) snprintf(b, sizeof b, "%.4g", r->cur);
    if (!isnan(r->delta)) snprintf(d, sizeof d, "%+.4g", r->delta);
    if (!isnan(r->p_adj)) snprintf(p, sizeof p, "%.3g", r->p_adj);
    printf("%-*s  %-14s %10s %10s %10s %10s  %s\n", w, r->name, r->model, a, b, d, p, es_gate_verdict_name(r->verdict));
  }
  printf("\n%s: %zu check%s, %zu failed (rules: %s)\n", res.failed ? "REGRESSION" : "PASS", res.n, res.n == 1 ? "" : "s",
         res.failed, rules.file);
  int code = res.failed ? ES_EXIT_FAILURES : ES_EXIT_OK;
  if (es_gate_write(&res, run, baseline, &err) != 0) code = cli_report(&err);
  es_gate_result_free(&res);
  es_gate_rules_free(&rules);
  return code;
}
