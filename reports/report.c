/*
 * report.c: summary.csv, instances.csv and report.html from results.json
 * (see report.h).
 */
#include "report.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "csv.h"
#include "exitcode.h"
#include "outdir.h"
#include "table.h"

/* the Okabe-Ito palette: distinguishable with every common colour-vision deficiency */
static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                      "#56B4E9", "#D55E00", "#F0E442", "#000000"};
#define NPAL 8

static const cJSON *at(const cJSON *o, const char *a, const char *b) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
  return b ? cJSON_GetObjectItemCaseSensitive(x, b) : x;
}

static const char *str(const cJSON *o, const char *a, const char *b) {
  const cJSON *x = at(o, a, b);
  return cJSON_IsString(x) ? x->valuestring : NULL;
}

static double num(const cJSON *o, const char *a, const char *b) {
  const cJSON *x = at(o, a, b);
  return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* ---- CSV ------------------------------------------------------------------------------ */

static void csv_num(FILE *f, double v) {
  if (isnan(v)) es_csv_text(f, NULL, 0);
  else es_csv_number(f, v, 0);
}

static void summary_csv(FILE *f, const cJSON *r, const es_compare *c) {
  static const char *const head[] = {"model", "metric", "value", "ci_low", "ci_high", "p",
                                     "p_adjusted", "n", "test", "signature"};
  for (size_t h = 0; h < sizeof head / sizeof head[0]; h++) es_csv_text(f, head[h], h == 0);
  es_csv_end_row(f);
  for (size_t m = 0; m < c->nmodels; m++) {
    for (size_t k = 0; k < c->nmetrics; k++) {
      const es_cmp_cell *e = &c->cells[m * c->nmetrics + k];
      es_csv_text(f, c->models[m].name, 1);
      es_csv_text(f, c->metrics[k].name, 0);
      csv_num(f, e->value);
      csv_num(f, e->ci_low);
      csv_num(f, e->ci_high);
      csv_num(f, e->has_test ? e->p_ar : NAN);
      csv_num(f, e->has_test ? e->adj_ar : NAN);
      es_csv_int(f, (long long)e->n, 0);
      es_csv_text(f, e->has_test ? c->test_signature : NULL, 0);
      es_csv_text(f, c->metrics[k].signature, 0);
      es_csv_end_row(f);
    }
    /* values without an interval: the strategy F1s, the judge's failures */
    const cJSON *mo = cJSON_GetArrayItem(at(r, "models", NULL), (int)m);
    struct {
      const char *name;
      double v;
      double n;
    } extra[] = {{"strategy-macro-f1", 100 * num(at(mo, "strategy", NULL), "macro_f1", NULL), num(at(mo, "strategy", NULL), "n", NULL)},
                 {"strategy-weighted-f1", 100 * num(at(mo, "strategy", NULL), "weighted_f1", NULL), num(at(mo, "strategy", NULL), "n", NULL)},
                 {"failed-instances", num(mo, "failed", NULL), num(mo, "instances", NULL)}};
    for (size_t q = 0; q < sizeof extra / sizeof extra[0]; q++) {
      es_csv_text(f, c->models[m].name, 1);
      es_csv_text(f, extra[q].name, 0);
      csv_num(f, extra[q].v);
      es_csv_text(f, NULL, 0), es_csv_text(f, NULL, 0), es_csv_text(f, NULL, 0), es_csv_text(f, NULL, 0);
      csv_num(f, extra[q].n);
      es_csv_text(f, NULL, 0), es_csv_text(f, NULL, 0);
      es_csv_end_row(f);
    }
    const cJSON *rub;
    cJSON_ArrayForEach(rub, at(mo, "judge", NULL)) {
      if (!rub->string || !strcmp(rub->string, "pairwise")) continue;
      char name[200];
      const char *what[2] = {"parse-failures", "failed"};
      for (int q = 0; q < 2; q++) {
        snprintf(name, sizeof name, "judge-%s-%s", rub->string, what[q]);
        es_csv_text(f, c->models[m].name, 1);
        es_csv_text(f, name, 0);
        csv_num(f, num(rub, q ? "failed" : "parse_failures", NULL));
        es_csv_text(f, NULL, 0), es_csv_text(f, NULL, 0), es_csv_text(f, NULL, 0), es_csv_text(f, NULL, 0);
        csv_num(f, num(rub, "judged", NULL) * num(rub, "samples_per_item", NULL));
        es_csv_text(f, NULL, 0), es_csv_text(f, NULL, 0);
        es_csv_end_row(f);
      }
    }
  }
}

static void instances_csv(FILE *f, const cJSON *r) {
  const cJSON *models = at(r, "models", NULL), *insts = at(r, "instances", NULL), *m, *in;
  const cJSON *first = cJSON_GetArrayItem(insts, 0);
  static const char *const head[] = {"instance", "model", "dialogue", "turn", "scenario",
                                     "gold_strategy", "strategy", "strategy_status",
                                     "strategy_correct", "error"};
  for (size_t h = 0; h < sizeof head / sizeof head[0]; h++) es_csv_text(f, head[h], h == 0);
  /* per-instance score and judge columns: those of the first answered reply */
  const cJSON *scores = NULL, *judge = NULL;
  cJSON_ArrayForEach(in, insts) {
    const cJSON *rep;
    cJSON_ArrayForEach(rep, at(in, "replies", NULL)) {
      if (!scores && at(rep, "scores", NULL)) scores = at(rep, "scores", NULL);
      if (!judge && at(rep, "judge", NULL)) judge = at(rep, "judge", NULL);
    }
    if (scores) break;
  }
  (void)first;
  const cJSON *k;
  cJSON_ArrayForEach(k, scores) es_csv_text(f, k->string ? k->string : "", 0);
  cJSON_ArrayForEach(k, judge) {
    char name[200];
    if (!k->string) continue;
    snprintf(name, sizeof name, "%s%s", strcmp(k->string, "pairwise") ? "judge-" : "", k->string);
    es_csv_text(f, name, 0);
  }
  es_csv_text(f, "reply", 0);
  es_csv_text(f, "gold", 0);
  es_csv_end_row(f);
  cJSON_ArrayForEach(m, models) {
    const char *name = str(m, "name", NULL);
    cJSON_ArrayForEach(in, insts) {
      const cJSON *rep = at(at(in, "replies", NULL), name, NULL);
      const char *reply = str(rep, "reply", NULL);
      char turn[32];
      snprintf(turn, sizeof turn, "%.0f", num(in, "turn", NULL));
      es_csv_text(f, str(in, "id", NULL), 1);
      es_csv_text(f, name, 0);
      es_csv_text(f, str(in, "dialogue", NULL), 0);
      es_csv_text(f, turn, 0);
      es_csv_text(f, str(in, "scenario", NULL), 0);
      es_csv_text(f, str(in, "gold_strategy", NULL), 0);
      es_csv_text(f, reply ? str(rep, "strategy", NULL) : NULL, 0);
      es_csv_text(f, reply ? str(rep, "strategy_status", NULL) : NULL, 0);
      const cJSON *ok = at(rep, "strategy_correct", NULL);
      es_csv_text(f, cJSON_IsBool(ok) ? (cJSON_IsTrue(ok) ? "1" : "0") : NULL, 0);
      es_csv_text(f, reply ? NULL : str(rep, "error", NULL), 0);
      cJSON_ArrayForEach(k, scores) csv_num(f, reply && k->string ? num(at(rep, "scores", NULL), k->string, NULL) : NAN);
      cJSON_ArrayForEach(k, judge) {
        if (!k->string) continue;
        const cJSON *jv = at(at(rep, "judge", NULL), k->string, NULL);
        if (!strcmp(k->string, "pairwise")) es_csv_text(f, cJSON_IsString(jv) ? jv->valuestring : NULL, 0);
        else csv_num(f, num(jv, "score", NULL));
      }
      es_csv_text(f, reply, 0);
      es_csv_text(f, str(in, "gold", NULL), 0);
      es_csv_end_row(f);
    }
  }
}

/* ---- HTML ----------------------------------------------------------------------------- */

/* HTML text and attribute values: & < > " ' escaped. */
static void esc(FILE *f, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
      case '&': fputs("&amp;", f); break;
      case '<': fputs("&lt;", f); break;
      case '>': fputs("&gt;", f); break;
      case '"': fputs("&quot;", f); break;
      case '\'': fputs("&#39;", f); break;
      default: fputc(*s, f);
    }
  }
}

/* A JSON text safe inside <script type="application/json">: <, > and &
 * become \u escapes (they occur only inside strings). */
static void json_for_script(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '<') fputs("\\u003c", f);
    else if (*s == '>') fputs("\\u003e", f);
    else if (*s == '&') fputs("\\u0026", f);
    else fputc(*s, f);
  }
}

static void fmt2(char *buf, size_t n, double v) {
  if (isnan(v)) snprintf(buf, n, "-");
  else snprintf(buf, n, "%.2f", v);
}

static const char *CSS =
    ":root{--fg:#1b1b1b;--muted:#5a5a5a;--line:#d0d0d0;--bg:#fff;--hi:#f3f6fa}"
    "*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:1rem}"
    "h1{font-size:1.5rem;margin:.2rem 0 .6rem}h2{font-size:1.2rem;margin:1.6rem 0 .5rem;"
    "border-bottom:2px solid var(--line);padding-bottom:.2rem}h3{font-size:1rem;margin:1rem 0 .3rem}"
    "table{border-collapse:collapse;margin:.4rem 0;font-variant-numeric:tabular-nums}"
    "th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:right;vertical-align:top}"
    "th:first-child,td:first-child{text-align:left}th{background:var(--hi);cursor:default}"
    "th.sortable{cursor:pointer}.wrap{overflow-x:auto}.ci{color:var(--muted);font-size:.8em;white-space:nowrap}"
    ".sig{color:#D55E00;font-weight:bold}.base{color:var(--muted);font-style:italic}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.3rem 0}"
    "dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}code{font-size:.85em}"
    ".charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{border:1px solid var(--line);padding:.4rem}"
    ".chart h3{margin:0 0 .2rem;font-size:.9rem}.legend span{display:inline-block;margin-right:1rem}"
    ".sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}"
    ".heat td{min-width:2.2rem;text-align:center}.ex{border:1px solid var(--line);margin:.6rem 0;padding:.5rem}"
    ".ex .ctx p{margin:.15rem 0}.who{font-weight:bold;color:var(--muted)}.gold{background:#eef7f1}"
    ".reply{margin:.2rem 0;padding:.2rem .4rem;border-left:4px solid var(--line)}"
    ".ok{border-left-color:#009E73}.bad{border-left-color:#D55E00}.filters{display:flex;flex-wrap:wrap;"
    "gap:.8rem;align-items:center;margin:.4rem 0}.pager button{margin:0 .3rem}.note{color:var(--muted);font-size:.9em}"
    "@media (max-width:700px){body{padding:.5rem;font-size:14px}dl{grid-template-columns:1fr}}"
    "summary{cursor:pointer;color:var(--muted)}@media print{.filters,.pager,noscript{display:none}.ex{break-inside:avoid}body{max-width:none}"
    "a{color:inherit;text-decoration:none}}";

/* The page's script: sorting of the summary table and the example browser.
 * It only ever puts data into the page with textContent. */
static const char *JS =
    "(function(){'use strict';"
    "function sortable(t){var ths=t.querySelectorAll('th');ths.forEach(function(th,i){"
    "th.classList.add('sortable');th.title='sort';th.addEventListener('click',function(){"
    "var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),dir=th.dataset.dir==='a'?'d':'a';"
    "th.dataset.dir=dir;rows.sort(function(x,y){var u=x.cells[i].dataset.v,w=y.cells[i].dataset.v;"
    "var a=u===undefined?x.cells[i].textContent:parseFloat(u),c=w===undefined?y.cells[i].textContent:parseFloat(w);"
    "var r=a<c?-1:a>c?1:0;return dir==='a'?r:-r});rows.forEach(function(r){b.appendChild(r)})})})}"
    "document.querySelectorAll('table.sort').forEach(sortable);"
    "var el=document.getElementById('exdata');if(!el)return;var D=JSON.parse(el.textContent);"
    "var list=document.getElementById('exlist'),sc=document.getElementById('fscen'),"
    "st=document.getElementById('fstrat'),dis=document.getElementById('fdis'),info=document.getElementById('exinfo'),"
    "page=0,per=25,hits=[];"
    "function opts(sel,vals){vals.forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v;sel.appendChild(o)})}"
    "function uniq(f){var s={};D.items.forEach(function(it){var v=f(it);if(v)s[v]=1});return Object.keys(s).sort()}"
    "opts(sc,uniq(function(it){return it.s}));opts(st,uniq(function(it){return it.g}));"
    "function disagree(it){var seen={},n=0;D.models.forEach(function(m,k){var r=it.r[k];if(r&&!seen[r[1]]){seen[r[1]]=1;n++}});return n>1}"
    "function el2(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!==undefined)e.textContent=text;return e}"
    "function card(it){var c=el2('div','ex');c.appendChild(el2('div','note',it.id+(it.s?' \\u00b7 '+it.s:'')+(it.g?' \\u00b7 gold: '+it.g:'')));"
    "var ctx=el2('div','ctx');it.c.forEach(function(t){var p=el2('p');p.appendChild(el2('span','who',t[0]+': '));"
    "p.appendChild(document.createTextNode(t[1]));ctx.appendChild(p)});c.appendChild(ctx);"
    "var g=el2('div','reply gold');g.appendChild(el2('span','who','gold: '));g.appendChild(document.createTextNode(it.gold));c.appendChild(g);"
    "D.models.forEach(function(m,k){var r=it.r[k],d=el2('div','reply '+(r&&r[2]===1?'ok':r&&r[2]===0?'bad':''));"
    "d.appendChild(el2('span','who',m+(r&&r[1]?' ['+r[1]+']':'')+': '));"
    "d.appendChild(document.createTextNode(r?r[0]:'(no reply: '+it.e[k]+')'));if(r&&r[3]!==null&&r[3]!==undefined)d.appendChild(el2('span','note',' \\u00b7 '+D.metric+' '+r[3]));c.appendChild(d)});return c}"
    "function run(){hits=D.items.filter(function(it){return(!sc.value||it.s===sc.value)&&(!st.value||it.g===st.value)&&(!dis.checked||disagree(it))});page=0;show()}"
    "function show(){while(list.firstChild)list.removeChild(list.firstChild);var a=page*per,b=Math.min(hits.length,a+per);"
    "for(var i=a;i<b;i++)list.appendChild(card(hits[i]));info.textContent=hits.length?(a+1)+'-'+b+' of '+hits.length:'no example matches'}"
    "sc.addEventListener('change',run);st.addEventListener('change',run);dis.addEventListener('change',run);"
    "document.getElementById('prev').addEventListener('click',function(){if(page>0){page--;show()}});"
    "document.getElementById('next').addEventListener('click',function(){if((page+1)*per<hits.length){page++;show()}});run()})();";

/* A bar chart of one metric: a bar per model with its interval. */
static void bar_chart(FILE *f, const es_compare *c, size_t k) {
  double top = 0;
  for (size_t m = 0; m < c->nmodels; m++) {
    const es_cmp_cell *e = &c->cells[m * c->nmetrics + k];
    double v = isfinite(e->ci_high) ? e->ci_high : e->value;
    if (isfinite(v) && v > top) top = v;
  }
  if (!(top > 0) || !isfinite(top)) top = 1;
  int W = 260, bw = 28, gap = 14, H = 150, x0 = 34;
  int width = x0 + (int)c->nmodels * (bw + gap) + 10;
  if (width < W) width = W;
  fprintf(f, "<div class=\"chart\" id=\"chart-");
  esc(f, c->metrics[k].name);
  fprintf(f, "\"><h3>");
  esc(f, c->metrics[k].name);
  fprintf(f, "</h3><svg role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\"><title>", width, H + 24, width, H + 24);
  esc(f, c->metrics[k].name);
  fprintf(f, " by model, with 95%% intervals</title>");
  fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", x0, H, width - 4, H);
  fprintf(f, "<text x=\"%d\" y=\"10\" font-size=\"10\" text-anchor=\"end\">%.3g</text>", x0 - 3, top);
  fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">0</text>", x0 - 3, H);
  for (size_t m = 0; m < c->nmodels; m++) {
    const es_cmp_cell *e = &c->cells[m * c->nmetrics + k];
    int x = x0 + 6 + (int)m * (bw + gap);
    double v = isfinite(e->value) && e->value > 0 ? (e->value < top ? e->value : top) : 0;
    int h = (int)(v / top * (H - 12));
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>", x, H - h, bw, h,
            palette[m % NPAL]);
    esc(f, c->models[m].name);
    fprintf(f, ": %.2f [%.2f, %.2f]</title></rect>", e->value, e->ci_low, e->ci_high);
    if (isfinite(e->ci_low) && isfinite(e->ci_high) && e->ci_low >= 0 && e->ci_high <= top) {
      int ylo = H - (int)(e->ci_low / top * (H - 12)), yhi = H - (int)(e->ci_high / top * (H - 12));
      int cx = x + bw / 2;
      fprintf(f, "<path d=\"M%d %dV%dM%d %dH%dM%d %dH%d\" stroke=\"#222\" stroke-width=\"1.5\"/>", cx, ylo, yhi,
              cx - 5, ylo, cx + 5, cx - 5, yhi, cx + 5);
    }
    if (e->has_test && e->significant)
      fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" fill=\"#D55E00\">&#8224;</text>",
              x + bw / 2, H - h - 4 > 12 ? H - h - 4 : 12);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%.1f</text>", x + bw / 2, H + 12,
            e->value);
  }
  fprintf(f, "</svg></div>\n");
}

/* A sequential colour for a share in [0, 1] (light to dark blue) and the text
 * colour that reads on it. */
static void heat(double share, char *bg, size_t n, const char **fg) {
  int l = (int)(97 - 62 * (share < 0 ? 0 : share > 1 ? 1 : share));
  snprintf(bg, n, "hsl(205,70%%,%d%%)", l);
  *fg = l < 58 ? "#fff" : "#1b1b1b";
}

static void strategy_section(FILE *f, const cJSON *r) {
  const cJSON *models = at(r, "models", NULL), *m;
  fputs("<h2 id=\"strategy\">Strategies</h2>\n", f);
  cJSON_ArrayForEach(m, models) {
    const cJSON *s = at(m, "strategy", NULL);
    fputs("<h3>", f);
    esc(f, str(m, "name", NULL));
    fprintf(f, "</h3><p class=\"note\">accuracy %.1f%%, macro F1 %.1f, over %.0f replies to instances with a gold "
               "strategy; not stated %.0f, unknown %.0f</p>\n",
            100 * num(s, "accuracy", NULL), 100 * num(s, "macro_f1", NULL), num(s, "n", NULL),
            num(s, "not_stated", NULL), num(s, "stated_unknown", NULL));
    fputs("<div class=\"wrap\"><table class=\"sort\"><thead><tr><th>strategy</th><th>precision</th><th>recall</th>"
          "<th>F1</th><th>support</th><th>predicted</th></tr></thead><tbody>\n", f);
    const cJSON *pc;
    cJSON_ArrayForEach(pc, at(s, "per_class", NULL)) {
      if (!pc->string) continue;
      fputs("<tr><td>", f);
      esc(f, pc->string);
      fprintf(f, "</td><td data-v=\"%g\">%.2f</td><td data-v=\"%g\">%.2f</td><td data-v=\"%g\">%.2f</td><td>%.0f</td><td>%.0f</td></tr>\n",
              num(pc, "precision", NULL), num(pc, "precision", NULL), num(pc, "recall", NULL), num(pc, "recall", NULL),
              num(pc, "f1", NULL), num(pc, "f1", NULL), num(pc, "support", NULL), num(pc, "predicted", NULL));
    }
    fputs("</tbody></table></div>\n", f);
    /* confusion heatmap: rows gold, columns predicted, shaded by row share */
    const cJSON *cols = at(at(s, "confusion", NULL), "columns", NULL), *rows = at(at(s, "confusion", NULL), "rows", NULL);
    if (cJSON_GetArraySize(cols) > 0) {
      fputs("<div class=\"wrap\"><table class=\"heat\" aria-label=\"confusion matrix\"><caption class=\"note\">"
            "confusion: gold (rows) by stated strategy (columns), shaded by the share of the row</caption><tr><th>gold \\ stated</th>",
            f);
      const cJSON *col;
      cJSON_ArrayForEach(col, cols) {
        fputs("<th>", f);
        esc(f, cJSON_IsString(col) ? col->valuestring : "");
        fputs("</th>", f);
      }
      fputs("</tr>\n", f);
      int ri = 0;
      const cJSON *row;
      cJSON_ArrayForEach(row, rows) {
        double total = 0;
        const cJSON *v;
        cJSON_ArrayForEach(v, row) total += v->valuedouble;
        fputs("<tr><th>", f);
        const cJSON *lab = cJSON_GetArrayItem(cols, ri++);
        esc(f, cJSON_IsString(lab) ? lab->valuestring : "");
        fputs("</th>", f);
        cJSON_ArrayForEach(v, row) {
          char bg[40];
          const char *fg;
          heat(total > 0 ? v->valuedouble / total : 0, bg, sizeof bg, &fg);
          fprintf(f, "<td style=\"background:%s;color:%s\">%.0f</td>", bg, fg, v->valuedouble);
        }
        fputs("</tr>\n", f);
      }
      fputs("</table></div>\n", f);
    }
  }
}

/* Means of a per-instance score and strategy accuracy per group (gold
 * strategy or scenario) per model. */
static void breakdown(FILE *f, const cJSON *r, const char *group_key, const char *title, const char *id,
                      const char *metric) {
  const cJSON *models = at(r, "models", NULL), *insts = at(r, "instances", NULL), *in;
  size_t nm = (size_t)cJSON_GetArraySize(models), ng = 0, cap = 64;
  char **groups = calloc(cap, sizeof *groups);
  if (!groups) return;
  cJSON_ArrayForEach(in, insts) {
    const char *g = str(in, group_key, NULL);
    if (!g) g = "(none)";
    size_t q = 0;
    while (q < ng && strcmp(groups[q], g)) q++;
    if (q == ng && ng < cap) groups[ng++] = (char *)g;
  }
  double *sum = calloc(ng * nm * 4 + 1, sizeof *sum); /* score sum, n, correct, judged */
  size_t *cnt = calloc(ng + 1, sizeof *cnt);
  if (!sum || !cnt) goto out;
  cJSON_ArrayForEach(in, insts) {
    const char *g = str(in, group_key, NULL);
    if (!g) g = "(none)";
    size_t q = 0;
    while (q < ng && strcmp(groups[q], g)) q++;
    if (q == ng) continue;
    cnt[q]++;
    size_t mi = 0;
    const cJSON *m;
    cJSON_ArrayForEach(m, models) {
      const cJSON *rep = at(at(in, "replies", NULL), str(m, "name", NULL), NULL);
      double v = num(at(rep, "scores", NULL), metric, NULL);
      double *s = &sum[(q * nm + mi) * 4];
      if (!isnan(v)) s[0] += v, s[1]++;
      const cJSON *ok = at(rep, "strategy_correct", NULL);
      if (cJSON_IsBool(ok)) s[2] += cJSON_IsTrue(ok), s[3]++;
      mi++;
    }
  }
  fprintf(f, "<h2 id=\"%s\">%s</h2><p class=\"note\">mean per-instance %s and strategy accuracy (%%) per group</p>"
             "<div class=\"wrap\"><table class=\"sort\"><thead><tr><th>%s</th><th>n</th>",
          id, title, metric, group_key);
  const cJSON *m;
  cJSON_ArrayForEach(m, models) {
    fputs("<th>", f);
    esc(f, str(m, "name", NULL));
    fprintf(f, " %s</th><th>", metric);
    esc(f, str(m, "name", NULL));
    fputs(" acc</th>", f);
  }
  fputs("</tr></thead><tbody>\n", f);
  for (size_t q = 0; q < ng; q++) {
    fputs("<tr><td>", f);
    esc(f, groups[q]);
    fprintf(f, "</td><td>%zu</td>", cnt[q]);
    for (size_t mi = 0; mi < nm; mi++) {
      double *s = &sum[(q * nm + mi) * 4];
      double a = s[1] ? s[0] / s[1] : NAN, b = s[3] ? 100 * s[2] / s[3] : NAN;
      char x[32], y[32];
      fmt2(x, sizeof x, a);
      fmt2(y, sizeof y, b);
      fprintf(f, "<td data-v=\"%g\">%s</td><td data-v=\"%g\">%s</td>", isnan(a) ? -1 : a, x, isnan(b) ? -1 : b, y);
    }
    fputs("</tr>\n", f);
  }
  fputs("</tbody></table></div>\n", f);
out:
  free(groups);
  free(sum);
  free(cnt);
}

static void judge_section(FILE *f, const cJSON *r) {
  const cJSON *j = at(r, "judge", NULL);
  if (!j) return;
  const cJSON *models = at(r, "models", NULL), *m, *rub;
  fputs("<h2 id=\"judge\">Judge</h2><p class=\"note\">judge ", f);
  esc(f, str(at(j, "model", NULL), "name", NULL));
  fputs(" (", f);
  esc(f, str(at(j, "model", NULL), "model", NULL) ? str(at(j, "model", NULL), "model", NULL) : str(at(j, "model", NULL), "type", NULL));
  fprintf(f, "), %.0f sample(s) per item, temperature %g; parse failures and failed requests are counted, never "
             "replaced by a value</p>\n",
          num(j, "samples", NULL), num(j, "temperature", NULL));
  fputs("<div class=\"wrap\"><table class=\"sort\"><thead><tr><th>model</th><th>rubric</th><th>mean</th><th>scored</th>"
        "<th>parse failures</th><th>fixed by reminder</th><th>failed</th><th>alpha</th></tr></thead><tbody>\n", f);
  cJSON_ArrayForEach(m, models) {
    cJSON_ArrayForEach(rub, at(m, "judge", NULL)) {
      if (!rub->string || !strcmp(rub->string, "pairwise")) continue;
      char a[32], b[32];
      fmt2(a, sizeof a, num(rub, "mean", NULL));
      fmt2(b, sizeof b, num(rub, "krippendorff_alpha_interval", NULL));
      fputs("<tr><td>", f);
      esc(f, str(m, "name", NULL));
      fputs("</td><td>", f);
      esc(f, rub->string);
      fprintf(f, "</td><td>%s</td><td>%.0f / %.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%s</td></tr>\n", a,
              num(rub, "scored", NULL), num(rub, "judged", NULL), num(rub, "parse_failures", NULL),
              num(rub, "fixed_by_reminder", NULL), num(rub, "failed", NULL), b);
    }
  }
  fputs("</tbody></table></div>\n", f);
  /* score distributions: a histogram per model and rubric */
  const cJSON *s0 = cJSON_GetArrayItem(at(j, "scale", NULL), 0), *s1 = cJSON_GetArrayItem(at(j, "scale", NULL), 1);
  double dlo = cJSON_IsNumber(s0) ? s0->valuedouble : 1, dhi = cJSON_IsNumber(s1) ? s1->valuedouble : 10;
  /* a scale the suite could have given (no histogram for anything else) */
  if (!(dlo >= -1000 && dhi <= 1000 && dhi > dlo && dhi - dlo <= 100)) return;
  int lo = (int)dlo, hi = (int)dhi;
  fputs("<div class=\"charts\">", f);
  int mi = 0;
  cJSON_ArrayForEach(m, models) {
    cJSON_ArrayForEach(rub, at(m, "judge", NULL)) {
      if (!rub->string || !strcmp(rub->string, "pairwise")) continue;
      size_t bins[101] = {0}, most = 1;
      const cJSON *in;
      cJSON_ArrayForEach(in, at(r, "instances", NULL)) {
        double v = num(at(at(at(at(in, "replies", NULL), str(m, "name", NULL), NULL), "judge", NULL), rub->string, NULL), "score", NULL);
        if (!isfinite(v) || v < lo - 1 || v > hi + 1) continue;
        int b = (int)floor(v + 0.5) - lo;
        if (b < 0) b = 0;
        if (b > hi - lo) b = hi - lo;
        if (++bins[b] > most) most = bins[b];
      }
      int nb = hi - lo + 1, bw = 16, H = 80, width = nb * (bw + 2) + 10;
      fputs("<div class=\"chart\"><h3>", f);
      esc(f, str(m, "name", NULL));
      fputs(": ", f);
      esc(f, rub->string);
      fprintf(f, "</h3><svg role=\"img\" width=\"%d\" height=\"%d\"><title>distribution of judge scores</title>", width, H + 16);
      for (int b = 0; b < nb; b++) {
        int h = (int)((double)bins[b] / (double)most * H);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%d: %zu</title></rect>", 5 + b * (bw + 2),
                H - h, bw, h, palette[mi % NPAL], lo + b, bins[b]);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">%d</text>", 5 + b * (bw + 2) + bw / 2, H + 12,
                lo + b);
      }
      fputs("</svg></div>", f);
    }
    mi++;
  }
  fputs("</div>\n", f);
  if (at(j, "pairwise", NULL)) {
    fputs("<h3>Pairwise</h3><div class=\"wrap\"><table><thead><tr><th>model</th><th>against</th><th>wins</th><th>losses</th>"
          "<th>ties</th><th>position flips</th><th>flip rate</th><th>missing verdicts</th></tr></thead><tbody>\n", f);
    cJSON_ArrayForEach(m, models) {
      const cJSON *p = at(at(m, "judge", NULL), "pairwise", NULL);
      if (!p) continue;
      char fr[32];
      fmt2(fr, sizeof fr, 100 * num(p, "position_flip_rate", NULL));
      fputs("<tr><td>", f);
      esc(f, str(m, "name", NULL));
      fputs("</td><td>", f);
      esc(f, str(p, "against", NULL));
      fprintf(f, "</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%s%%</td><td>%.0f</td></tr>\n",
              num(p, "wins", NULL), num(p, "losses", NULL), num(p, "ties", NULL), num(p, "flips", NULL), fr,
              num(p, "parse_failures", NULL) + num(p, "failed", NULL));
    }
    fputs("</tbody></table></div>\n", f);
  }
}

static void failures_section(FILE *f, const cJSON *r) {
  const cJSON *models = at(r, "models", NULL), *m;
  fputs("<h2 id=\"failures\">Failures</h2>\n", f);
  int any = 0;
  cJSON_ArrayForEach(m, models) {
    const cJSON *fail = at(m, "failures", NULL), *why;
    if (!cJSON_GetArraySize(fail)) continue;
    any = 1;
    fputs("<h3>", f);
    esc(f, str(m, "name", NULL));
    fprintf(f, ": %.0f of %.0f instances failed</h3><div class=\"wrap\"><table><thead><tr><th>reason</th><th>instances</th>"
               "<th>examples</th></tr></thead><tbody>\n",
            num(m, "failed", NULL), num(m, "instances", NULL));
    cJSON_ArrayForEach(why, fail) {
      if (!why->string) continue;
      fputs("<tr><td>", f);
      esc(f, why->string);
      fprintf(f, "</td><td>%.0f</td><td>", why->valuedouble);
      int shown = 0;
      const cJSON *in;
      cJSON_ArrayForEach(in, at(r, "instances", NULL)) {
        const char *e = str(at(at(in, "replies", NULL), str(m, "name", NULL), NULL), "error", NULL);
        if (e && !strcmp(e, why->string) && shown < 5) {
          if (shown++) fputs(", ", f);
          fputs("<code>", f);
          esc(f, str(in, "id", NULL));
          fputs("</code>", f);
        }
      }
      fputs("</td></tr>\n", f);
    }
    fputs("</tbody></table></div>\n", f);
  }
  if (!any) fputs("<p>Every model answered every instance.</p>\n", f);
}

/* s, or its first 597 bytes (cut at a character boundary) and "..." when
 * it is longer than 600 bytes, in buf (700 bytes). */
static const char *cut600(const char *s, char *buf) {
  if (!s) return "";
  size_t n = strlen(s);
  if (n <= 600) return s;
  size_t k = 597;
  while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--; /* not inside a UTF-8 sequence */
  memcpy(buf, s, k);
  memcpy(buf + k, "...", 4);
  return buf;
}

/* The example browser's data: per instance its id, scenario, gold strategy,
 * gold reply, last 4 context turns, and per model [reply, stated strategy,
 * correct (1, 0, null), per-instance score] or null with the error. Texts
 * are cut at 600 characters to keep the page small. */
static char *examples_json(const cJSON *r, const char *metric) {
  cJSON *o = cJSON_CreateObject(), *models = cJSON_AddArrayToObject(o, "models"), *items = cJSON_AddArrayToObject(o, "items");
  cJSON_AddStringToObject(o, "metric", metric);
  const cJSON *m, *in;
  cJSON_ArrayForEach(m, at(r, "models", NULL)) cJSON_AddItemToArray(models, cJSON_CreateString(str(m, "name", NULL)));
  char cut[700];
#define CUT(s) cut600((s), cut)
  cJSON_ArrayForEach(in, at(r, "instances", NULL)) {
    cJSON *it = cJSON_CreateObject();
    cJSON_AddItemToArray(items, it);
    cJSON_AddStringToObject(it, "id", str(in, "id", NULL));
    if (str(in, "scenario", NULL)) cJSON_AddStringToObject(it, "s", str(in, "scenario", NULL));
    if (str(in, "gold_strategy", NULL)) cJSON_AddStringToObject(it, "g", str(in, "gold_strategy", NULL));
    cJSON_AddStringToObject(it, "gold", CUT(str(in, "gold", NULL)));
    cJSON *ctx = cJSON_AddArrayToObject(it, "c");
    const cJSON *turns = at(in, "context", NULL);
    int nt = cJSON_GetArraySize(turns);
    for (int t = nt > 4 ? nt - 4 : 0; t < nt; t++) {
      const cJSON *turn = cJSON_GetArrayItem(turns, t);
      cJSON *pair = cJSON_CreateArray();
      cJSON_AddItemToArray(pair, cJSON_CreateString(str(turn, "speaker", NULL)));
      cJSON_AddItemToArray(pair, cJSON_CreateString(CUT(str(turn, "text", NULL))));
      cJSON_AddItemToArray(ctx, pair);
    }
    cJSON *reps = cJSON_AddArrayToObject(it, "r"), *errs = cJSON_AddArrayToObject(it, "e");
    cJSON_ArrayForEach(m, at(r, "models", NULL)) {
      const cJSON *rep = at(at(in, "replies", NULL), str(m, "name", NULL), NULL);
      const char *reply = str(rep, "reply", NULL);
      if (!reply) {
        cJSON_AddItemToArray(reps, cJSON_CreateNull());
        cJSON_AddItemToArray(errs, cJSON_CreateString(str(rep, "error", NULL) ? str(rep, "error", NULL) : "?"));
        continue;
      }
      cJSON_AddItemToArray(errs, cJSON_CreateNull());
      cJSON *a = cJSON_CreateArray();
      cJSON_AddItemToArray(a, cJSON_CreateString(CUT(reply)));
      const char *st = str(rep, "strategy", NULL);
      cJSON_AddItemToArray(a, st ? cJSON_CreateString(st) : cJSON_CreateNull());
      const cJSON *ok = at(rep, "strategy_correct", NULL);
      cJSON_AddItemToArray(a, cJSON_IsBool(ok) ? cJSON_CreateNumber(cJSON_IsTrue(ok)) : cJSON_CreateNull());
      double v = num(at(rep, "scores", NULL), metric, NULL);
      cJSON_AddItemToArray(a, isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(round(v * 100) / 100));
      cJSON_AddItemToArray(reps, a);
    }
  }
#undef CUT
  char *text = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return text;
}

static void html_report(FILE *f, const cJSON *r, const es_compare *c, const char *script_hash) {
  const cJSON *su = at(r, "suite", NULL), *ds = at(r, "dataset", NULL);
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">", f);
  /* nothing may be fetched; only this page's own script may run */
  fprintf(f, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
             "img-src data:; script-src 'sha256-%s'\">",
          script_hash);
  fputs("<title>esbench report: ", f);
  esc(f, str(su, "name", NULL));
  fprintf(f, "</title><style>%s</style></head><body>\n", CSS);
  fputs("<header><h1>esbench report: ", f);
  esc(f, str(su, "name", NULL));
  fputs("</h1><dl>", f);
  struct {
    const char *k, *v;
  } rows[] = {{"suite", str(su, "path", NULL)},
              {"created", str(r, "created", NULL)},
              {"esbench", str(at(r, "esbench", NULL), "version", NULL)},
              {"dataset", str(ds, "name", NULL)},
              {"data file", str(ds, "path", NULL)},
              {"data sha256", str(ds, "sha256", NULL)},
              {"split", str(at(ds, "split", NULL), "method", NULL)},
              {"evaluated", str(at(ds, "split", NULL), "evaluated", NULL)},
              {"instance ids sha256", str(at(ds, "split", NULL), "instance_ids_sha256", NULL)},
              {"tests", c->test_signature}};
  for (size_t q = 0; q < sizeof rows / sizeof rows[0]; q++) {
    fputs("<dt>", f);
    esc(f, rows[q].k);
    fputs("</dt><dd>", f);
    esc(f, rows[q].v ? rows[q].v : "-");
    fputs("</dd>", f);
  }
  fprintf(f, "<dt>instances</dt><dd>%.0f evaluated; %.0f without a gold strategy (left out of the strategy scores); "
             "%.0f supporter turns with no seeker turn before them (no instance)</dd>",
          num(at(ds, "instances", NULL), "evaluated", NULL), num(at(ds, "instances", NULL), "without_gold_strategy", NULL),
          num(at(ds, "instances", NULL), "supporter_turns_without_seeker_before", NULL));
  fputs("<dt>repaired or skipped in the data</dt><dd>", f);
  const cJSON *cnt;
  int first = 1;
  cJSON_ArrayForEach(cnt, at(ds, "counts", NULL)) {
    if (!cnt->string || !cJSON_IsNumber(cnt) || cnt->valuedouble == 0) continue;
    if (!first) fputs(", ", f);
    first = 0;
    esc(f, cnt->string);
    fprintf(f, " %.0f", cnt->valuedouble);
  }
  if (first) fputs("nothing", f);
  fprintf(f, "</dd><dt>signatures</dt><dd><details><summary>%d metric signatures</summary>",
          cJSON_GetArraySize(at(r, "signatures", NULL)));
  const cJSON *sig;
  cJSON_ArrayForEach(sig, at(r, "signatures", NULL)) {
    if (!sig->string) continue;
    fputs("<code>", f);
    esc(f, sig->string);
    fputs(": ", f);
    esc(f, cJSON_IsString(sig) ? sig->valuestring : "");
    fputs("</code><br>", f);
  }
  fputs("</details></dd></dl></header>\n<nav class=\"note\"><a href=\"#summary\">summary</a> &middot; <a href=\"#charts\">charts</a> "
        "&middot; <a href=\"#strategy\">strategies</a> &middot; <a href=\"#by-strategy\">by gold strategy</a> &middot; "
        "<a href=\"#by-scenario\">by scenario</a> &middot; <a href=\"#judge\">judge</a> &middot; <a href=\"#failures\">failures</a> "
        "&middot; <a href=\"#examples\">examples</a></nav>\n",
        f);
  /* summary */
  fputs("<h2 id=\"summary\">Summary</h2><div class=\"wrap\"><table class=\"sort\" id=\"summary-table\"><thead><tr><th>model</th>", f);
  for (size_t k = 0; k < c->nmetrics; k++) {
    fputs("<th>", f);
    esc(f, c->metrics[k].name);
    fputs("</th>", f);
  }
  fputs("<th>failed</th></tr></thead><tbody>\n", f);
  for (size_t m = 0; m < c->nmodels; m++) {
    fputs("<tr><td>", f);
    esc(f, c->models[m].name);
    if (m == c->baseline) fputs(" <span class=\"base\">(baseline)</span>", f);
    fputs("</td>", f);
    for (size_t k = 0; k < c->nmetrics; k++) {
      const es_cmp_cell *e = &c->cells[m * c->nmetrics + k];
      char v[32];
      fmt2(v, sizeof v, e->value);
      fprintf(f, "<td data-v=\"%g\">%s%s", isnan(e->value) ? -1 : e->value, v,
              e->has_test && e->significant ? "<span class=\"sig\" title=\"significant\">&#8224;</span>" : "");
      if (!isnan(e->ci_low)) fprintf(f, "<br><span class=\"ci\">[%.2f, %.2f]</span>", e->ci_low, e->ci_high);
      if (e->has_test && !isnan(e->p_ar)) fprintf(f, "<br><span class=\"ci\">p %.3g</span>", e->adj_ar);
      fputs("</td>", f);
    }
    const cJSON *mo = cJSON_GetArrayItem(at(r, "models", NULL), (int)m);
    fprintf(f, "<td>%.0f</td></tr>\n", num(mo, "failed", NULL));
  }
  fprintf(f, "</tbody></table></div><p class=\"note\">Values x100 (strategy accuracy in %%); [95%% bootstrap interval]; "
             "p: paired approximate randomization against the baseline, Holm-adjusted over %zu models x %zu metrics; "
             "&#8224; p &lt; %g.</p>\n",
          c->nmodels ? c->nmodels - 1 : 0, c->nmetrics, c->alpha);
  /* charts */
  fputs("<h2 id=\"charts\">Charts</h2><p class=\"legend\">", f);
  for (size_t m = 0; m < c->nmodels; m++) {
    fprintf(f, "<span><i class=\"sw\" style=\"background:%s\"></i>", palette[m % NPAL]);
    esc(f, c->models[m].name);
    fputs("</span>", f);
  }
  fputs("</p><div class=\"charts\">\n", f);
  for (size_t k = 0; k < c->nmetrics; k++) bar_chart(f, c, k);
  fputs("</div>\n", f);
  strategy_section(f, r);
  /* a per-instance metric for the breakdowns: rouge-l when there, else the first */
  const char *metric = "rouge-l";
  int have = 0;
  for (size_t k = 0; k < c->nmetrics; k++) have |= !strcmp(c->metrics[k].name, "rouge-l");
  if (!have) metric = "length";
  breakdown(f, r, "gold_strategy", "By gold strategy", "by-strategy", metric);
  breakdown(f, r, "scenario", "By scenario", "by-scenario", metric);
  judge_section(f, r);
  failures_section(f, r);
  /* examples */
  fputs("<h2 id=\"examples\">Examples</h2><noscript><p>The example browser needs JavaScript; every reply is in "
        "instances.csv and results.json.</p></noscript><div class=\"filters\"><label>scenario <select id=\"fscen\">"
        "<option value=\"\">all</option></select></label><label>gold strategy <select id=\"fstrat\"><option value=\"\">all"
        "</option></select></label><label><input type=\"checkbox\" id=\"fdis\"> models disagree on the strategy</label>"
        "<span class=\"pager\"><button type=\"button\" id=\"prev\">&larr;</button><span id=\"exinfo\"></span>"
        "<button type=\"button\" id=\"next\">&rarr;</button></span></div><div id=\"exlist\"></div>\n",
        f);
  char *data = examples_json(r, metric);
  fputs("<script type=\"application/json\" id=\"exdata\">", f);
  if (data) json_for_script(f, data);
  free(data);
  fprintf(f, "</script>\n<script>%s</script>\n</body></html>\n", JS);
}

/* base64 of the sha256 of s: the CSP hash of the page's script */
static void script_sha256(const char *s, char out[64]) {
  unsigned char md[32];
  unsigned int ml = 0;
  EVP_Digest(s, strlen(s), md, &ml, EVP_sha256(), NULL);
  EVP_EncodeBlock((unsigned char *)out, md, 32);
}

/* Renders into a memory buffer, then writes dir/name atomically. */
static int emit(const char *dir, const char *name, void (*fn)(FILE *, const cJSON *, const es_compare *, const char *),
                const cJSON *r, const es_compare *c, const char *arg, es_error *err) {
  char *buf = NULL, path[4096];
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  fn(f, r, c, arg);
  if (fclose(f) != 0 || !buf) {
    free(buf);
    return es_error_set(err, ES_EXIT_INTERNAL, "out of memory rendering %s", name);
  }
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int rc = es_write_file_atomic(path, buf, len, err);
  free(buf);
  return rc;
}

static void do_summary(FILE *f, const cJSON *r, const es_compare *c, const char *a) {
  (void)a;
  summary_csv(f, r, c);
}
static void do_instances(FILE *f, const cJSON *r, const es_compare *c, const char *a) {
  (void)a, (void)c;
  instances_csv(f, r);
}
static void do_html(FILE *f, const cJSON *r, const es_compare *c, const char *a) { html_report(f, r, c, a); }

/* table.tex / table.md: the default columns the comparison has */
static void do_table(FILE *f, const cJSON *r, const es_compare *c, const char *a) {
  (void)r;
  es_table_column *cols = NULL;
  size_t nc = 0;
  if (es_table_columns(ES_TABLE_DEFAULT_COLUMNS, c, &cols, &nc, 0) == 0 && nc)
    es_table_render(f, !strcmp(a, "latex") ? ES_TABLE_LATEX : ES_TABLE_MARKDOWN, c, cols, nc, NULL);
  free(cols);
}

int es_report_render(const char *dir, const char *const *formats, size_t n, es_error *err) {
  int csv = 0, html = 0, latex = 0, md = 0;
  for (size_t k = 0; k < n; k++) {
    csv |= !strcmp(formats[k], "csv");
    html |= !strcmp(formats[k], "html");
    latex |= !strcmp(formats[k], "latex");
    md |= !strcmp(formats[k], "markdown");
  }
  if (!csv && !html && !latex && !md) return 0;
  cJSON *r = es_results_load(dir, err);
  if (!r) return -1;
  es_compare *c = NULL;
  char *const runs[1] = {(char *)dir};
  es_compare_options opt = {NULL, 0, 0, -1, 0, 0};
  int rc = -1;
  if (es_compare_docs(&r, runs, 1, &opt, &c, err) != 0) goto out;
  if (csv && (emit(dir, "summary.csv", do_summary, r, c, NULL, err) != 0 ||
              emit(dir, "instances.csv", do_instances, r, c, NULL, err) != 0))
    goto out;
  if ((latex && emit(dir, "table.tex", do_table, r, c, "latex", err) != 0) ||
      (md && emit(dir, "table.md", do_table, r, c, "markdown", err) != 0))
    goto out;
  if (html) {
    char hash[64];
    script_sha256(JS, hash);
    if (emit(dir, "report.html", do_html, r, c, hash, err) != 0) goto out;
  }
  rc = 0;
out:
  es_compare_free(c);
  cJSON_Delete(r);
  return rc;
}
