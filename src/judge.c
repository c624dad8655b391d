/*
 * judge.c: LLM-judge scores (see judge.h).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "judge.h"

#include <cjson/cJSON.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <openssl/evp.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exitcode.h"
#include "extract.h"
#include "run.h"
#include "strbuf.h"

/* n, or 1 for 0: a size for malloc that never asks for nothing */
static size_t nz(size_t n) { return n ? n : 1; }

/* ---- fences ----------------------------------------------------------------------- */

char *es_judge_fence(const char *label, const char *text) {
  es_strbuf t = {0}, b = {0};
  /* neutralise: no run of three '<' or '>' survives */
  int run = 0;
  char last = 0;
  es_strbuf_add(&t, "", 0);
  for (const char *p = text; *p; p++) {
    if ((*p == '<' || *p == '>') && *p == last) {
      if (++run == 3) {
        es_strbuf_add(&t, " ", 1);
        run = 1;
      }
    } else {
      run = (*p == '<' || *p == '>') ? 1 : 0;
    }
    last = *p;
    es_strbuf_add(&t, p, 1);
  }
  if (t.oom) {
    free(t.buf);
    return NULL;
  }
  unsigned char md[32];
  unsigned int ml = 0;
  char id[13];
  EVP_Digest(t.buf, t.len, md, &ml, EVP_sha256(), NULL);
  for (int i = 0; i < 6; i++) snprintf(id + 2 * i, 3, "%02x", md[i]);
  es_strbuf_puts(&b, "<<<");
  es_strbuf_puts(&b, label);
  es_strbuf_puts(&b, " ");
  es_strbuf_puts(&b, id);
  es_strbuf_puts(&b, ">>>\n");
  es_strbuf_add(&b, t.buf, t.len);
  es_strbuf_puts(&b, "\n<<<END ");
  es_strbuf_puts(&b, label);
  es_strbuf_puts(&b, " ");
  es_strbuf_puts(&b, id);
  es_strbuf_puts(&b, ">>>");
  free(t.buf);
  if (b.oom) {
    free(b.buf);
    return NULL;
  }
  return b.buf;
}

/* ---- parsing ---------------------------------------------------------------------- */

struct es_judge_pattern {
  pcre2_code *re;
  pcre2_match_context *mctx;
  int match_first, pairwise;
};

es_judge_pattern *es_judge_compile(const char *pattern, int match_first, int pairwise,
                                   es_error *err) {
  es_judge_pattern *p = calloc(1, sizeof *p);
  int code;
  PCRE2_SIZE off;
  if (!p) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    return NULL;
  }
  p->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &code,
                        &off, NULL);
  if (!p->re) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(code, msg, sizeof msg);
    es_error_set(err, ES_EXIT_USAGE, "judge pattern: %s at offset %zu", (char *)msg, (size_t)off);
    free(p);
    return NULL;
  }
  /* bounded work on any reply (a hostile or runaway one included) */
  p->mctx = pcre2_match_context_create(NULL);
  if (p->mctx) {
    pcre2_set_match_limit(p->mctx, 1000000);
    pcre2_set_depth_limit(p->mctx, 10000);
  }
  p->match_first = match_first;
  p->pairwise = pairwise;
  return p;
}

void es_judge_pattern_free(es_judge_pattern *p) {
  if (!p) return;
  pcre2_code_free(p->re);
  pcre2_match_context_free(p->mctx);
  free(p);
}

int es_judge_parse(const es_judge_pattern *p, const char *reply, double lo, double hi,
                   double *value, char *why, size_t whysize) {
  pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->re, NULL);
  size_t len = strlen(reply), start = 0, g0 = 0, g1 = 0;
  int found = 0, rc;
  if (!md) {
    snprintf(why, whysize, "out of memory");
    return -1;
  }
  while (start <= len &&
         (rc = pcre2_match(p->re, (PCRE2_SPTR)reply, len, start, 0, md, p->mctx)) > 0) {
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (rc >= 2 && ov[2] != PCRE2_UNSET) {
      g0 = ov[2];
      g1 = ov[3];
      found = 1;
      if (p->match_first) break;
    }
    start = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
  }
  pcre2_match_data_free(md);
  if (!found) {
    snprintf(why, whysize, "no %s in the reply", p->pairwise ? "verdict" : "score");
    return -1;
  }
  char text[64];
  size_t n = g1 - g0;
  snprintf(text, sizeof text, "%.*s", (int)(n < 63 ? n : 63), reply + g0);
  if (p->pairwise) {
    if (n == 1 && (text[0] == 'A' || text[0] == 'a')) *value = 1;
    else if (n == 1 && (text[0] == 'B' || text[0] == 'b')) *value = -1;
    else if (n == 1 && (text[0] == 'C' || text[0] == 'c')) *value = 0;
    else {
      snprintf(why, whysize, "verdict '%s' is not A, B or C", text);
      return -1;
    }
    return 0;
  }
  char *end;
  double x = n < 63 ? strtod(text, &end) : 0;
  if (n == 0 || n >= 63 || *end || !isfinite(x)) {
    snprintf(why, whysize, "score '%s' is not a number", text);
    return -1;
  }
  if (x < lo || x > hi) {
    snprintf(why, whysize, "score %s is outside the scale %g..%g", text, lo, hi);
    return -1;
  }
  *value = x;
  return 0;
}

/* ---- Krippendorff's alpha --------------------------------------------------------- */

double es_krippendorff_interval(const double *v, size_t units, size_t k) {
  /* D_o = (1/n) sum_u 1/(m_u - 1) sum_{i != j in u} (v_i - v_j)^2
   * D_e = 1/(n(n-1)) sum_{i != j over all pairable values} (v_i - v_j)^2
   * with sum_{i != j} (v_i - v_j)^2 = 2 (m sum v^2 - (sum v)^2). */
  double n = 0, dobs = 0, s1 = 0, s2 = 0;
  for (size_t u = 0; u < units; u++) {
    double m = 0, a = 0, b = 0;
    for (size_t j = 0; j < k; j++) {
      double x = v[u * k + j];
      if (isnan(x)) continue;
      m++, a += x, b += x * x;
    }
    if (m < 2) continue;
    dobs += 2 * (m * b - a * a) / (m - 1);
    n += m, s1 += a, s2 += b;
  }
  if (n < 2) return NAN;
  double dexp = 2 * (n * s2 - s1 * s1) / (n * (n - 1));
  dobs /= n;
  if (!(dexp > 1e-12)) return NAN;
  return 1 - dobs / dexp;
}

/* ---- requests --------------------------------------------------------------------- */

/* The text of a prompt template with its placeholders filled. */
typedef struct {
  const char *name, *value;
} var;

static char *render(const char *tmpl, const var *vars, size_t nvars) {
  es_strbuf b = {0};
  es_strbuf_add(&b, "", 0);
  for (const char *t = tmpl; *t;) {
    const char *open = strstr(t, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
    if (!open || !close) {
      es_strbuf_puts(&b, t);
      break;
    }
    es_strbuf_add(&b, t, (size_t)(open - t));
    size_t n = (size_t)(close - open - 2);
    for (size_t i = 0; i < nvars; i++)
      if (strlen(vars[i].name) == n && !strncmp(vars[i].name, open + 2, n)) {
        es_strbuf_puts(&b, vars[i].value ? vars[i].value : "");
        break;
      }
    t = close + 2;
  }
  while (b.len && b.buf[b.len - 1] == '\n') b.buf[--b.len] = '\0';
  if (b.oom) {
    free(b.buf);
    return NULL;
  }
  return b.buf;
}

/* What the judge is told about one instance and one model's reply. */
typedef struct {
  char *context, *gold;  /* fenced, per instance */
  char *scenario, *gold_strategy;
} inst_text;

/* A pending judge question. */
typedef struct {
  char *prompt;       /* the rendered user message */
  size_t model, inst, sample;
  int order;          /* pairwise: 0 the model is A, 1 the model is B */
} question;

/* The judge's params for sample j: the model's own, with the suite's
 * temperature, and seed + j when there are several samples. */
static char *sample_params(const es_suite *s, size_t j) {
  cJSON *p = cJSON_Parse(s->judge.model.params_json ? s->judge.model.params_json : "{}");
  if (!p) return NULL;
  cJSON_DeleteItemFromObjectCaseSensitive(p, "temperature");
  cJSON_AddNumberToObject(p, "temperature", s->judge.temperature);
  if (s->judge.samples > 1) {
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(p, "seed");
    double base = cJSON_IsNumber(seed) ? seed->valuedouble : (double)s->stats.seed;
    cJSON_DeleteItemFromObjectCaseSensitive(p, "seed");
    cJSON_AddNumberToObject(p, "seed", base + (double)j);
  }
  char *text = cJSON_PrintUnformatted(p);
  cJSON_Delete(p);
  return text;
}

/* Sends the questions (n) to the judge; text/error per question. A second
 * pass for those whose reply does not parse is the caller's. */
static int ask(es_run *run, const es_served_io *io, const char *label, question *qs, size_t n,
               char **params, char **text, char **error, es_served_stats *sum, es_error *err) {
  const es_suite *s = run->suite;
  es_served_request *reqs = calloc(n ? n : 1, sizeof *reqs);
  cJSON **chats = calloc(n ? n : 1, sizeof *chats);
  char (*ids)[64] = calloc(n ? n : 1, sizeof *ids);
  int rc = -1;
  if (!reqs || !chats || !ids) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  for (size_t q = 0; q < n; q++) {
    cJSON *chat = cJSON_CreateArray(), *m = cJSON_CreateObject();
    if (!chat || !m || !cJSON_AddItemToArray(chat, m) || !cJSON_AddStringToObject(m, "role", "user") ||
        !cJSON_AddStringToObject(m, "content", qs[q].prompt)) {
      if (chat && (!m || !cJSON_GetArraySize(chat))) cJSON_Delete(m);
      cJSON_Delete(chat);
      es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
      goto out;
    }
    chats[q] = chat;
    snprintf(ids[q], sizeof ids[q], "%s:%zu:%zu:%zu:%d", label, qs[q].model, qs[q].inst,
             qs[q].sample, qs[q].order);
    reqs[q] = (es_served_request){chat, ids[q], qs[q].sample, params[qs[q].sample]};
  }
  es_served_stats st;
  if (es_served_batch(&s->judge.model, label, reqs, n, io, text, error, &st, err) != 0) goto out;
  sum->requests += st.requests, sum->cached += st.cached, sum->sent += st.sent;
  sum->ok += st.ok, sum->failed += st.failed, sum->cancelled += st.cancelled;
  sum->cache_put_failed += st.cache_put_failed, sum->attempts += st.attempts;
  sum->retries += st.retries, sum->rate_waits += st.rate_waits;
  for (int r = 0; r < ES_OPENAI_RETRY_NREASONS; r++) sum->retries_by[r] += st.retries_by[r];
  sum->prompt_tokens += st.prompt_tokens, sum->completion_tokens += st.completion_tokens;
  sum->restarts += st.restarts, sum->timeouts += st.timeouts;
  sum->crashes += st.crashes, sum->garbage += st.garbage;
  sum->seconds += st.seconds;
  sum->concurrency = st.concurrency;
  rc = 0;
out:
  for (size_t q = 0; chats && q < n; q++) cJSON_Delete(chats[q]);
  free(chats);
  free(reqs);
  free(ids);
  return rc;
}

/* Asks the questions, parses the replies, asks again with the reminder
 * those that did not parse. value[q] gets the parsed value (NAN when
 * none), why[q] (malloc'ed) the reason when none; *fixed counts the
 * second-pass successes, *parse_fail and *req_fail the final failures. */
static int ask_and_parse(es_run *run, const es_served_io *io, const char *label,
                         const es_rubric *rb, question *qs, size_t n, char **params,
                         double *value, char **why, size_t *fixed, es_judge *j, es_error *err) {
  const es_suite *s = run->suite;
  char **text = calloc(n ? n : 1, sizeof *text), **error = calloc(n ? n : 1, sizeof *error);
  size_t *again = malloc(nz(n) * sizeof *again), nagain = 0;
  question *qs2 = NULL;
  int rc = -1;
  es_judge_pattern *pat = es_judge_compile(rb->pattern, rb->match_first, rb->pairwise, err);
  if (!pat) goto out;
  if (!text || !error || !again) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  if (ask(run, io, label, qs, n, params, text, error, &j->stats, err) != 0) goto out;
  double lo = s->judge.scale_min, hi = s->judge.scale_max;
  char buf[512];
  for (size_t q = 0; q < n; q++) {
    value[q] = NAN;
    if (!text[q]) {
      why[q] = strdup(error[q] ? error[q] : "failed");
      j->failed++;
      continue;
    }
    if (es_judge_parse(pat, text[q], lo, hi, &value[q], buf, sizeof buf) == 0) continue;
    again[nagain++] = q;
  }
  if (nagain) { /* once more, with the reminder */
    char lo_s[32], hi_s[32];
    snprintf(lo_s, sizeof lo_s, "%d", s->judge.scale_min);
    snprintf(hi_s, sizeof hi_s, "%d", s->judge.scale_max);
    var vars[] = {{"scale_min", lo_s}, {"scale_max", hi_s}};
    char *reminder = render(rb->reminder, vars, 2);
    if (!(qs2 = calloc(nagain, sizeof *qs2)) || !reminder) {
      free(reminder);
      es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
      goto out;
    }
    for (size_t a = 0; a < nagain; a++) {
      qs2[a] = qs[again[a]];
      size_t len = strlen(qs2[a].prompt) + strlen(reminder) + 3;
      if (!(qs2[a].prompt = malloc(len))) {
        free(reminder);
        es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
        goto out;
      }
      snprintf(qs2[a].prompt, len, "%s\n\n%s", qs[again[a]].prompt, reminder);
    }
    free(reminder);
    char **text2 = calloc(nagain, sizeof *text2), **error2 = calloc(nagain, sizeof *error2);
    char label2[128];
    snprintf(label2, sizeof label2, "%s (reminded)", label);
    int r = text2 && error2 ? ask(run, io, label2, qs2, nagain, params, text2, error2, &j->stats, err) : -1;
    if (r != 0 && (!text2 || !error2)) es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    for (size_t a = 0; r == 0 && a < nagain; a++) {
      size_t q = again[a];
      char first[256];
      es_judge_parse(pat, text[q], lo, hi, &value[q], first, sizeof first);
      value[q] = NAN;
      if (!text2[a]) {
        snprintf(buf, sizeof buf, "the reminder's request failed: %.200s (first reply: %.200s)",
                 error2[a] ? error2[a] : "failed", first);
        j->failed++;
      } else if (es_judge_parse(pat, text2[a], lo, hi, &value[q], buf, sizeof buf) == 0) {
        (*fixed)++;
        continue;
      } else {
        char second[256];
        snprintf(second, sizeof second, "%.200s", buf);
        snprintf(buf, sizeof buf, "parse: %.200s; after the reminder: %.200s", first, second);
        j->parse_failures++;
      }
      why[q] = strdup(buf);
    }
    for (size_t a = 0; a < nagain; a++) {
      if (text2) free(text2[a]);
      if (error2) free(error2[a]);
    }
    free(text2);
    free(error2);
    if (r != 0) goto out;
  }
  rc = 0;
out:
  for (size_t q = 0; q < n; q++) {
    if (text) free(text[q]);
    if (error) free(error[q]);
  }
  for (size_t a = 0; qs2 && a < nagain; a++) free(qs2[a].prompt);
  free(qs2);
  free(text);
  free(error);
  free(again);
  es_judge_pattern_free(pat);
  return rc;
}

/* The conversation before instance i, one "Seeker: ..." / "Supporter: ..."
 * line per turn (the supporter's with its strategy), fenced. */
static char *context_of(const es_run *run, const es_instance *in) {
  es_strbuf b = {0};
  es_strbuf_add(&b, "", 0);
  for (size_t t = in->ctx_start; t < in->turn; t++) {
    const es_turn *turn = &in->dialogue->turns[t];
    if (b.len) es_strbuf_puts(&b, "\n");
    es_strbuf_puts(&b, turn->speaker == ES_SEEKER ? "Seeker: " : "Supporter: ");
    if (turn->speaker != ES_SEEKER && turn->strategy >= 0) {
      es_strbuf_puts(&b, "[");
      es_strbuf_puts(&b, run->suite->labels.names[turn->strategy]);
      es_strbuf_puts(&b, "] ");
    }
    es_strbuf_puts(&b, turn->text);
  }
  char *f = b.oom ? NULL : es_judge_fence("CONVERSATION", b.buf);
  free(b.buf);
  return f;
}

/* Model m's reply to instance i without its strategy tag (malloc'ed), and
 * the strategy it stated into *strategy (static or the label's name). */
static char *body_of(const es_run *run, const es_model_run *mr, size_t i, const char **strategy) {
  const char *reply = mr->replies.text[i];
  const es_extraction *e = &mr->ext[i];
  size_t len = strlen(reply);
  char *body = malloc(len + 1);
  if (body) es_extract_body(reply, len, e, body);
  *strategy = e->status == ES_STRAT_OK        ? run->suite->labels.names[e->strategy]
              : e->status == ES_STRAT_MISSING ? "(none stated)"
                                              : "(a strategy not in the list)";
  return body;
}

/* Pearson and Spearman over the pairs where both are numbers. */
static void correlate(const double *x, const double *y, size_t n, es_judge_corr *c) {
  double *a = malloc(nz(n) * sizeof *a), *b = malloc(nz(n) * sizeof *b);
  double *work = malloc(nz(2 * n) * sizeof *work);
  size_t m = 0;
  c->pearson = c->spearman = NAN;
  if (a && b && work)
    for (size_t i = 0; i < n; i++)
      if (!isnan(x[i]) && !isnan(y[i])) a[m] = x[i], b[m] = y[i], m++;
  c->n = m;
  if (m >= 3 && gsl_stats_variance(a, 1, m) > 0 && gsl_stats_variance(b, 1, m) > 0) {
    c->pearson = gsl_stats_correlation(a, 1, b, 1, m);
    c->spearman = gsl_stats_spearman(a, 1, b, 1, m, work);
  }
  free(a);
  free(b);
  free(work);
}

/* Frees one batch of questions with their parsed values and reasons. */
static void free_questions(question *qs, double *value, char **why, size_t nq) {
  for (size_t x = 0; qs && x < nq; x++) free(qs[x].prompt);
  for (size_t x = 0; why && x < nq; x++) free(why[x]);
  free(qs);
  free(value);
  free(why);
}

static int oomf(es_error *err) { return es_error_set(err, ES_EXIT_INTERNAL, "out of memory"); }

/* The score rubric r for every model. */
static int judge_rubric(es_run *run, const es_served_io *io, es_judge *j, size_t r,
                        inst_text *it, char **params, es_error *err) {
  const es_suite *s = run->suite;
  const es_rubric *rb = &s->judge.rubrics[r];
  size_t n = run->test.n, k = j->k;
  char lo_s[32], hi_s[32];
  snprintf(lo_s, sizeof lo_s, "%d", s->judge.scale_min);
  snprintf(hi_s, sizeof hi_s, "%d", s->judge.scale_max);
  for (size_t m = 0; m < run->nmodels; m++) {
    es_model_run *mr = &run->models[m];
    es_judge_scores *sc = &j->scores[r * j->nmodels + m];
    size_t nq = mr->nanswered * k;
    question *qs = calloc(nq ? nq : 1, sizeof *qs);
    double *value = malloc(nz(nq) * sizeof *value);
    char **why = calloc(nq ? nq : 1, sizeof *why);
    int rc = -1;
    if (!qs || !value || !why) {
      oomf(err);
      goto done;
    }
    size_t q = 0;
    for (size_t a = 0; a < mr->nanswered; a++) {
      size_t i = mr->answered[a];
      const char *strategy;
      char *body = body_of(run, mr, i, &strategy), *reply = body ? es_judge_fence("REPLY", body) : NULL;
      char *strat = reply ? es_judge_fence("STRATEGY", strategy) : NULL;
      free(body);
      var vars[] = {{"context", it[i].context}, {"reply", reply},
                    {"gold", it[i].gold},       {"strategy", strat},
                    {"gold_strategy", it[i].gold_strategy}, {"scenario", it[i].scenario},
                    {"scale_min", lo_s},        {"scale_max", hi_s}};
      char *prompt = reply && strat ? render(rb->template_text, vars, sizeof vars / sizeof vars[0]) : NULL;
      free(reply);
      free(strat);
      if (!prompt) {
        oomf(err);
        goto done;
      }
      for (size_t s2 = 0; s2 < k; s2++) {
        qs[q] = (question){s2 ? strdup(prompt) : prompt, m, i, s2, 0};
        if (!qs[q++].prompt) {
          oomf(err);
          goto done;
        }
      }
    }
    char label[256];
    snprintf(label, sizeof label, "judge %s: %s", rb->name, mr->cfg->name);
    if (ask_and_parse(run, io, label, rb, qs, nq, params, value, why, &sc->fixed_by_reminder, j,
                      err) != 0)
      goto done;
    sc->judged = mr->nanswered;
    double sum = 0;
    for (size_t a = 0; a < mr->nanswered; a++) {
      size_t i = mr->answered[a], got = 0;
      double s1 = 0, s2 = 0;
      for (size_t x = 0; x < k; x++) {
        size_t qi = a * k + x;
        sc->samples[i * k + x] = value[qi];
        if (isnan(value[qi])) {
          if (why[qi] && !strncmp(why[qi], "parse:", 6)) sc->parse_failures++;
          else sc->failed++;
          if (!sc->why[i] && why[qi] && !(sc->why[i] = strdup(why[qi]))) {
            oomf(err);
            goto done;
          }
          continue;
        }
        got++, s1 += value[qi], s2 += value[qi] * value[qi];
      }
      if (!got) continue;
      free(sc->why[i]);
      sc->why[i] = NULL;
      sc->score[i] = s1 / (double)got;
      double var_ = got > 1 ? (s2 - s1 * s1 / (double)got) / (double)(got - 1) : 0;
      sc->sd[i] = sqrt(var_ > 0 ? var_ : 0);
      sc->scored++;
      sum += sc->score[i];
    }
    sc->mean = sc->scored ? sum / (double)sc->scored : NAN;
    sc->alpha = k >= 2 ? es_krippendorff_interval(sc->samples, n, k) : NAN;
    rc = 0;
  done:
    free_questions(qs, value, why, nq);
    if (rc != 0) return -1;
  }
  return 0;
}

/* Each model against the baseline with the pairwise rubric. */
static int judge_pairs(es_run *run, const es_served_io *io, es_judge *j, inst_text *it,
                       char **params, es_error *err) {
  const es_suite *s = run->suite;
  const es_rubric *rb = s->judge.pairwise;
  const es_model_run *base = &run->models[j->baseline];
  for (size_t m = 0; m < run->nmodels; m++) {
    if (m == j->baseline) continue;
    es_model_run *mr = &run->models[m];
    es_judge_pairs *pr = &j->pairs[m];
    size_t n = run->test.n, nq = 0;
    question *qs = calloc(2 * n + 1, sizeof *qs);
    double *value = malloc((2 * n + 1) * sizeof *value);
    char **why = calloc(2 * n + 1, sizeof *why);
    size_t fixed = 0;
    int rc = -1;
    if (!qs || !value || !why) {
      oomf(err);
      goto done;
    }
    for (size_t i = 0; i < n; i++) {
      pr->outcome[i] = ES_JUDGE_NO_VERDICT;
      if (!mr->replies.text[i] || !base->replies.text[i]) continue;
      const char *st;
      char *mb = body_of(run, mr, i, &st), *bb = body_of(run, base, i, &st);
      for (int order = 0; order < 2; order++) {
        char *fa = es_judge_fence("REPLY A", order == 0 ? (mb ? mb : "") : (bb ? bb : ""));
        char *fb = es_judge_fence("REPLY B", order == 0 ? (bb ? bb : "") : (mb ? mb : ""));
        var vars[] = {{"context", it[i].context}, {"reply_a", fa}, {"reply_b", fb},
                      {"gold", it[i].gold},       {"scenario", it[i].scenario}};
        char *prompt = mb && bb && fa && fb ? render(rb->template_text, vars, 5) : NULL;
        free(fa);
        free(fb);
        if (!prompt) {
          free(mb);
          free(bb);
          oomf(err);
          goto done;
        }
        qs[nq++] = (question){prompt, m, i, 0, order};
      }
      free(mb);
      free(bb);
      pr->pairs++;
    }
    char label[256];
    snprintf(label, sizeof label, "judge %s: %s vs %s", rb->name, mr->cfg->name, base->cfg->name);
    if (ask_and_parse(run, io, label, rb, qs, nq, params, value, why, &fixed, j, err) != 0) goto done;
    for (size_t q = 0; q + 1 < nq; q += 2) {
      size_t i = qs[q].inst;
      for (int o = 0; o < 2; o++)
        if (isnan(value[q + o])) {
          if (why[q + o] && !strncmp(why[q + o], "parse:", 6)) pr->parse_failures++;
          else pr->failed++;
        }
      if (isnan(value[q]) || isnan(value[q + 1])) continue;
      /* value: 1 A better, -1 B better, 0 tie; in order 1 the model is B */
      int first = (int)value[q], second = -(int)value[q + 1];
      pr->decided++;
      if (first == second) {
        pr->outcome[i] = (signed char)first;
      } else {
        pr->outcome[i] = 0;
        if (first != 0 && second != 0) pr->flips++; /* the same position won both times */
      }
      if (pr->outcome[i] > 0) pr->model_wins++;
      else if (pr->outcome[i] < 0) pr->baseline_wins++;
      else pr->ties++;
    }
    rc = 0;
  done:
    free_questions(qs, value, why, nq);
    if (rc != 0) return -1;
  }
  return 0;
}

void es_judge_free(es_judge *j) {
  if (!j) return;
  for (size_t x = 0; j->scores && x < j->nrubrics * j->nmodels; x++) {
    es_judge_scores *sc = &j->scores[x];
    free(sc->score);
    free(sc->sd);
    free(sc->samples);
    for (size_t i = 0; sc->why && i < j->n; i++) free(sc->why[i]);
    free(sc->why);
  }
  free(j->scores);
  free(j->alpha);
  free(j->corr);
  for (size_t m = 0; j->pairs && m < j->nmodels; m++) free(j->pairs[m].outcome);
  free(j->pairs);
  free(j);
}

int es_judge_run(es_run *run, const es_served_io *io, es_judge **out, es_error *err) {
  const es_suite *s = run->suite;
  size_t n = run->test.n, k = (size_t)s->judge.samples, nm = run->nmodels;
  size_t nr = s->judge.nrubrics;
  inst_text *it = NULL;
  char **params = NULL;
  int rc = -1;
  es_judge *j = calloc(1, sizeof *j);
  *out = NULL;
  if (!j) return oomf(err);
  j->n = n, j->nmodels = nm, j->nrubrics = nr, j->k = k;
  for (size_t m = 0; m < nm; m++)
    if (!strcmp(run->models[m].cfg->name, s->stats.baseline)) j->baseline = m;
  j->scores = calloc(nr * nm + 1, sizeof *j->scores);
  j->alpha = malloc((nr + 1) * sizeof *j->alpha);
  it = calloc(n ? n : 1, sizeof *it);
  params = calloc(k, sizeof *params);
  if (!j->scores || !j->alpha || !it || !params) goto oom;
  for (size_t x = 0; x < nr * nm; x++) {
    es_judge_scores *sc = &j->scores[x];
    sc->score = malloc(nz(n) * sizeof *sc->score);
    sc->sd = malloc(nz(n) * sizeof *sc->sd);
    sc->samples = malloc(nz(n * k) * sizeof *sc->samples);
    sc->why = calloc(n ? n : 1, sizeof *sc->why);
    if (!sc->score || !sc->sd || !sc->samples || !sc->why) goto oom;
    for (size_t i = 0; i < n; i++) sc->score[i] = sc->sd[i] = NAN;
    for (size_t i = 0; i < n * k; i++) sc->samples[i] = NAN;
    sc->mean = sc->alpha = NAN;
  }
  for (size_t x = 0; x < k; x++)
    if (!(params[x] = sample_params(s, x))) goto oom;
  for (size_t i = 0; i < n; i++) {
    const es_instance *in = &run->test.items[i];
    it[i].context = context_of(run, in);
    it[i].gold = es_judge_fence("GOLD REPLY", in->gold);
    it[i].scenario = es_judge_fence("SCENARIO", in->dialogue->scenario ? in->dialogue->scenario : "(none)");
    it[i].gold_strategy = es_judge_fence(
        "GOLD STRATEGY", in->gold_strategy >= 0 ? s->labels.names[in->gold_strategy] : "(none)");
    if (!it[i].context || !it[i].gold || !it[i].scenario || !it[i].gold_strategy) goto oom;
  }
  for (size_t r = 0; r < nr; r++) {
    if (judge_rubric(run, io, j, r, it, params, err) != 0) goto out;
    if (io->stop && *io->stop) goto stopped;
  }
  if (s->judge.pairwise && nm > 1) {
    if (!(j->pairs = calloc(nm, sizeof *j->pairs))) goto oom;
    for (size_t m = 0; m < nm; m++)
      if (!(j->pairs[m].outcome = malloc(nz(n)))) goto oom;
    if (judge_pairs(run, io, j, it, params, err) != 0) goto out;
    if (io->stop && *io->stop) goto stopped;
  }
  /* reliability: alpha over every model's samples, and correlations with
   * the per-instance reference metrics */
  double *pool = malloc(nz(nm * n * k) * sizeof *pool);
  if (!pool) goto oom;
  const es_model_run *m0 = &run->models[0];
  size_t nmet = 0;
  for (size_t c = 0; c < es_scores_count(m0->scores); c++) nmet += es_scores_get(m0->scores, c)->lines != NULL;
  j->ncorr = nmet;
  j->corr = calloc(nr * nmet + 1, sizeof *j->corr);
  double *x = malloc(nz(nm * n) * sizeof *x), *y = malloc(nz(nm * n) * sizeof *y);
  if (!j->corr || !x || !y) {
    free(pool);
    free(x);
    free(y);
    goto oom;
  }
  for (size_t r = 0; r < nr; r++) {
    for (size_t m = 0; m < nm; m++)
      memcpy(pool + m * n * k, j->scores[r * nm + m].samples, n * k * sizeof *pool);
    j->alpha[r] = k >= 2 ? es_krippendorff_interval(pool, nm * n, k) : NAN;
    size_t c = 0;
    for (size_t mi = 0; mi < es_scores_count(m0->scores); mi++) {
      const char *name = es_scores_get(m0->scores, mi)->name;
      if (!es_scores_get(m0->scores, mi)->lines) continue;
      size_t np = 0;
      for (size_t m = 0; m < nm; m++) {
        const es_model_run *mr = &run->models[m];
        const es_metric *mt = es_scores_find(mr->scores, name);
        for (size_t a = 0; mt && mt->lines && a < mr->nanswered; a++) {
          x[np] = j->scores[r * nm + m].score[mr->answered[a]];
          y[np++] = mt->lines[a];
        }
      }
      es_judge_corr *jc = &j->corr[r * nmet + c++];
      jc->metric = name;
      correlate(x, y, np, jc);
    }
  }
  free(pool);
  free(x);
  free(y);
  rc = 0;
  *out = j;
  goto out;
stopped:
  es_error_set(err, ES_EXIT_INTERRUPTED,
               "interrupted while judging; nothing was written. Run the same command again to "
               "resume: replies in the request cache (candidates and judge) are not asked again");
  goto out;
oom:
  oomf(err);
out:
  for (size_t i = 0; it && i < n; i++) {
    free(it[i].context);
    free(it[i].gold);
    free(it[i].scenario);
    free(it[i].gold_strategy);
  }
  free(it);
  for (size_t x2 = 0; params && x2 < k; x2++) free(params[x2]);
  free(params);
  if (rc != 0) es_judge_free(j);
  return rc;
}
