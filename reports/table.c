/* table.c: the paper table (see table.h). */
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>





int es_table_columns(const char *spec, const es_compare *c, es_table_column **out, size_t *n,
                         int explicit_list) {
  char *copy = strdup(spec), *save = NULL;
  size_t cap = 16;
  *out = calloc(cap, sizeof **out);
  *n = 0;
  if (!copy || !*out) return -1;
  for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(tok, '=');
    if (!eq || eq == tok || !eq[1]) {
      fprintf(stderr, "esbench: --columns: '%s' is not LABEL=metric\n", tok);
      free(copy);
      return -2;
    }
    *eq = '\0';
    long k = -1;
    for (size_t q = 0; q < c->nmetrics; q++)
      if (!strcmp(c->metrics[q].name, eq + 1)) k = (long)q;
    if (k < 0) {
      if (explicit_list) {
        fprintf(stderr, "esbench: --columns: the runs have no metric '%s'\n", eq + 1);
        free(copy);
        return -2;
      }
      continue;
    }
    if (*n == cap && !(*out = realloc(*out, (cap *= 2) * sizeof **out))) return -1;
    es_table_column *col = &(*out)[(*n)++];
    snprintf(col->label, sizeof col->label, "%s", tok);
    snprintf(col->metric, sizeof col->metric, "%s", eq + 1);
    col->k = k;
  }
  free(copy);
  return 0;
}

/* ---- published numbers (YAML) ---- */

void es_table_published_free(es_table_published *p) {
  for (size_t r = 0; r < p->n; r++) {
    free(p->rows[r].model);
    for (size_t k = 0; k < p->rows[r].n; k++) free(p->rows[r].labels[k]);
    free(p->rows[r].labels);
    free(p->rows[r].values);
  }
  free(p->rows);
  free(p->source);
  memset(p, 0, sizeof *p);
}

static int yerr(const char *file, const yaml_node_t *n, const char *msg, const char *what) {
  fprintf(stderr, "esbench: %s:%zu:%zu: %s%s%s\n", file, n ? n->start_mark.line + 1 : 1,
          n ? n->start_mark.column + 1 : 1, msg, what ? " " : "", what ? what : "");
  return -1;
}

int es_table_published_load(const char *file, es_table_published *p) {
  FILE *f = fopen(file, "rb");
  if (!f) {
    fprintf(stderr, "esbench: cannot open '%s'\n", file);
    return -1;
  }
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  int rc = -1;
  if (!yaml_parser_load(&parser, &doc)) {
    fprintf(stderr, "esbench: %s:%zu:%zu: %s\n", file, parser.problem_mark.line + 1,
            parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
    yaml_parser_delete(&parser);
    fclose(f);
    return -1;
  }
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  if (!root || root->type != YAML_MAPPING_NODE) {
    yerr(file, root, "expected a mapping with 'source' and 'models'", NULL);
    goto out;
  }
  yaml_node_t *models = NULL;
  for (yaml_node_pair_t *kv = root->data.mapping.pairs.start; kv < root->data.mapping.pairs.top; kv++) {
    yaml_node_t *k = yaml_document_get_node(&doc, kv->key), *v = yaml_document_get_node(&doc, kv->value);
    const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
    if (!strcmp(key, "source") && v->type == YAML_SCALAR_NODE) p->source = strdup((const char *)v->data.scalar.value);
    else if (!strcmp(key, "models")) models = v;
    else {
      yerr(file, k, "unknown key (expected 'source' or 'models'):", key);
      goto out;
    }
  }
  if (!models || models->type != YAML_MAPPING_NODE) {
    yerr(file, models ? models : root, "'models' must map model names to {LABEL: number}", NULL);
    goto out;
  }
  size_t nm = (size_t)(models->data.mapping.pairs.top - models->data.mapping.pairs.start);
  p->rows = calloc(nm ? nm : 1, sizeof *p->rows);
  for (yaml_node_pair_t *kv = models->data.mapping.pairs.start; kv < models->data.mapping.pairs.top; kv++) {
    yaml_node_t *k = yaml_document_get_node(&doc, kv->key), *v = yaml_document_get_node(&doc, kv->value);
    if (k->type != YAML_SCALAR_NODE || v->type != YAML_MAPPING_NODE) {
      yerr(file, v, "expected a model name and a mapping of column labels to numbers", NULL);
      goto out;
    }
    es_table_published_row *row = &p->rows[p->n++];
    row->model = strdup((const char *)k->data.scalar.value);
    size_t nv = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
    row->labels = calloc(nv ? nv : 1, sizeof *row->labels);
    row->values = calloc(nv ? nv : 1, sizeof *row->values);
    for (yaml_node_pair_t *c = v->data.mapping.pairs.start; c < v->data.mapping.pairs.top; c++) {
      yaml_node_t *ck = yaml_document_get_node(&doc, c->key), *cv = yaml_document_get_node(&doc, c->value);
      char *end = NULL;
      double x = cv->type == YAML_SCALAR_NODE ? strtod((const char *)cv->data.scalar.value, &end) : NAN;
      if (ck->type != YAML_SCALAR_NODE || !end || *end || end == (char *)cv->data.scalar.value || !isfinite(x)) {
        yerr(file, cv, "expected a number for", ck->type == YAML_SCALAR_NODE ? (const char *)ck->data.scalar.value : "?");
        goto out;
      }
      row->labels[row->n] = strdup((const char *)ck->data.scalar.value);
      row->values[row->n++] = x;
    }
  }
  rc = 0;
out:
  yaml_document_delete(&doc);
  yaml_parser_delete(&parser);
  fclose(f);
  if (rc != 0) es_table_published_free(p);
  return rc;
}

static double published_value(const es_table_published *p, const char *model, const char *label) {
  for (size_t r = 0; p && r < p->n; r++)
    if (!strcmp(p->rows[r].model, model))
      for (size_t k = 0; k < p->rows[r].n; k++)
        if (!strcmp(p->rows[r].labels[k], label)) return p->rows[r].values[k];
  return NAN;
}

/* ---- rendering ---- */

static void tex_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    switch (*s) {
      case '&': case '%': case '$': case '#': case '_': case '{': case '}': fprintf(f, "\\%c", *s); break;
      case '~': fputs("\\textasciitilde{}", f); break;
      case '^': fputs("\\textasciicircum{}", f); break;
      case '\\': fputs("\\textbackslash{}", f); break;
      case '<': fputs("\\textless{}", f); break;
      case '>': fputs("\\textgreater{}", f); break;
      case '|': fputs("\\textbar{}", f); break;
      default: fputc(*s, f);
    }
  }
}

static void md_escape(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '\n' || *s == '\r') { /* a line break would end the table row */
      fputc(' ', f);
      continue;
    }
    if (strchr("|*_`\\[]<>~", *s)) fputc('\\', f);
    fputc(*s, f);
  }
}

static void csv_cell(FILE *f, const char *s, int first) {
  if (!first) fputc(',', f);
  int quote = strpbrk(s, ",\"\r\n") != NULL;
  /* a number (a signed delta, perhaps with the significance star) is not a formula */
  char *end;
  strtod(s, &end);
  int numeric = end != s && (!*end || !strcmp(end, "*"));
  int neutral = !numeric && strchr("=+-@\t\r", s[0]) && s[0];
  if (quote || neutral) {
    fputc('"', f);
    if (neutral) fputc('\'', f);
    for (; *s; s++) {
      if (*s == '"') fputc('"', f);
      fputc(*s, f);
    }
    fputc('"', f);
  } else {
    fputs(s, f);
  }
}


void es_table_render(FILE *f, int fmt, const es_compare *c, const es_table_column *cols, size_t nc,
                   const es_table_published *pub) {
  /* the best value per column: the highest (every metric here is higher-is-better) */
  double *best = malloc((nc ? nc : 1) * sizeof *best);
  for (size_t q = 0; q < nc; q++) {
    best[q] = -INFINITY;
    for (size_t m = 0; m < c->nmodels; m++) {
      double v = c->cells[m * c->nmetrics + (size_t)cols[q].k].value;
      if (!isnan(v) && v > best[q]) best[q] = v;
    }
  }
  if (fmt == ES_TABLE_LATEX) {
    fputs("% esbench table (booktabs); needs \\usepackage{booktabs}\n\\begin{table}[t]\n\\centering\n\\begin{tabular}{l", f);
    for (size_t q = 0; q < nc; q++) fputc('r', f);
    fputs("}\n\\toprule\nModel", f);
    for (size_t q = 0; q < nc; q++) {
      fputs(" & ", f);
      tex_escape(f, cols[q].label);
    }
    fputs(" \\\\\n\\midrule\n", f);
  } else if (fmt == ES_TABLE_MARKDOWN) {
    fputs("| Model |", f);
    for (size_t q = 0; q < nc; q++) {
      fputc(' ', f);
      md_escape(f, cols[q].label);
      fputs(" |", f);
    }
    fputs("\n|---|", f);
    for (size_t q = 0; q < nc; q++) fputs("---:|", f);
    fputc('\n', f);
  } else {
    csv_cell(f, "model", 1);
    csv_cell(f, "row", 0);
    for (size_t q = 0; q < nc; q++) csv_cell(f, cols[q].label, 0);
    fputs("\r\n", f);
  }
  for (size_t m = 0; m < c->nmodels; m++) {
    const char *name = c->models[m].name;
    int has_pub = 0;
    for (size_t q = 0; pub && q < nc; q++) has_pub |= !isnan(published_value(pub, name, cols[q].label));
    for (int kind = 0; kind < (has_pub ? 3 : 1); kind++) { /* 0 reproduced, 1 published, 2 delta */
      char rowname[512];
      snprintf(rowname, sizeof rowname, "%s%s", name,
               kind == 1 ? " (published)" : kind == 2 ? " (reproduced - published)" : "");
      if (fmt == ES_TABLE_LATEX) {
        if (kind == 0) tex_escape(f, name);
        else fputs(kind == 1 ? "\\quad published" : "\\quad $\\Delta$", f);
      } else if (fmt == ES_TABLE_MARKDOWN) {
        fputs("| ", f);
        md_escape(f, rowname);
        fputs(" |", f);
      } else {
        csv_cell(f, name, 1);
        csv_cell(f, kind == 0 ? "reproduced" : kind == 1 ? "published" : "delta", 0);
      }
      for (size_t q = 0; q < nc; q++) {
        const es_cmp_cell *e = &c->cells[m * c->nmetrics + (size_t)cols[q].k];
        double pv = published_value(pub, name, cols[q].label);
        double v = kind == 0 ? e->value : kind == 1 ? pv : e->value - pv;
        char num[64] = "--";
        if (!isnan(v)) snprintf(num, sizeof num, kind == 2 ? "%+.2f" : "%.2f", v);
        int bold = kind == 0 && !isnan(v) && v == best[q];
        int dagger = kind == 0 && e->has_test && e->significant;
        if (fmt == ES_TABLE_LATEX) {
          fputs(" & ", f);
          if (bold) fprintf(f, "\\textbf{%s}", num);
          else fputs(num, f);
          if (dagger) fputs("$^\\dagger$", f);
        } else if (fmt == ES_TABLE_MARKDOWN) {
          fprintf(f, " %s%s%s%s |", bold ? "**" : "", num, bold ? "**" : "", dagger ? "†" : "");
        } else {
          char cell[80];
          snprintf(cell, sizeof cell, "%s%s", isnan(v) ? "" : num, dagger ? "*" : "");
          csv_cell(f, cell, 0);
        }
      }
      if (fmt == ES_TABLE_LATEX) fputs(" \\\\\n", f);
      else if (fmt == ES_TABLE_MARKDOWN) fputc('\n', f);
      else fputs("\r\n", f);
    }
  }
  char note[1024];
  snprintf(note, sizeof note,
           "Best value per column in bold. %s: significantly different from %s (paired approximate "
           "randomization, %ld trials, Holm-Bonferroni over %zu models x %zu metrics, alpha %g; "
           "%s).",
           fmt == ES_TABLE_CSV ? "*" : "\u2020", c->models[c->baseline].name, c->permutations,
           c->nmodels - 1, c->nmetrics, c->alpha, c->test_signature);
  if (fmt == ES_TABLE_LATEX) {
    fputs("\\bottomrule\n\\end{tabular}\n\\caption{", f);
    fputs("Best value per column in bold. $^\\dagger$: significantly different from ", f);
    tex_escape(f, c->models[c->baseline].name);
    fprintf(f, " (paired approximate randomization, %ld trials, Holm-Bonferroni over %zu models "
               "$\\times$ %zu metrics, $\\alpha = %g$; seed %llu).",
            c->permutations, c->nmodels - 1, c->nmetrics, c->alpha, (unsigned long long)c->seed);
    if (pub && pub->source) {
      fputs(" Published numbers: ", f);
      tex_escape(f, pub->source);
      fputc('.', f);
    }
    fputs("}\n\\end{table}\n", f);
  } else if (fmt == ES_TABLE_MARKDOWN) {
    fputs("\n", f);
    md_escape(f, note);
    if (pub && pub->source) {
      fputs(" Published numbers: ", f);
      md_escape(f, pub->source);
      fputc('.', f);
    }
    fputc('\n', f);
  }
  free(best);
}

