/*
 * test_bleu: BLEU (metrics/bleu.c) against sacrebleu 2.6.0 and nltk 3.8.
 *
 *   a. golden/peer-vectors/bleu_sacrebleu.json: sacrebleu's own test cases
 *      (corpus, sentence, compute_bleu, the CLI's CR case and the 16 WMT17
 *      en-de systems of wmt17_en_de.json.xz), each against `recomputed`:
 *      score, precisions and bp to 1e-9 relative and printed with "%.2f"
 *      identically, counts, totals and lengths exactly. The paired
 *      significance vectors belong to the statistics module and are skipped.
 *   b. golden/peer-vectors/bleu_nltk.json: nltk's test cases (sentence and
 *      corpus BLEU with smoothing methods 0-7, modified precision, brevity
 *      penalty) to 1e-12 relative.
 *   c. the golden sets (synth, esconv-test expected.json): sacrebleu corpus
 *      and sentence BLEU, per-line statistics and signature on 13a tokens;
 *      nltk corpus and sentence BLEU on whitespace tokens; the ESConv
 *      profile's bleu-1..4 on the stored word_tokenize tokens.
 *   d. speed: statistics and scores of 10,000 pre-tokenized pairs.
 *
 * Tokenizers sacrebleu has and esbench does not ("char", "intl") are
 * written here from sacrebleu's source, the second with PCRE2's Unicode
 * properties, so their vectors still test BLEU itself.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <archive.h>
#include <archive_entry.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esmetrics.h"
#include "testlib.h"

/* ---- bookkeeping -------------------------------------------------------- */

static long n_values;   /* numbers compared */
static long n_floats;   /* floats among them */
static long n_bitexact; /* floats that were bit-identical */
static long n_skipped;

static void skip(const char *id, const char *why) {
  n_skipped++;
  printf("SKIP %s: %s\n", id, why);
}

/* |a - b| <= tol * |b| (exact when b is 0). */
static int rel_near(double a, double b, double tol) {
  if (a == b) return 1;
  if (isnan(a) || isnan(b)) return 0;
  return fabs(a - b) <= tol * fabs(b);
}

/* Compares a float; what/line name it in the failure message (line < 0:
 * no line). */
static void cmp_float(const char *what, long line, double got, double want, double tol) {
  n_values++;
  n_floats++;
  if (got == want)
    n_bitexact++;
  else if (getenv("BLEU_TEST_VERBOSE"))
    printf("not bit-identical: %s line %ld: %.17g vs %.17g\n", what, line, got, want);
  if (line >= 0)
    CHECK_MSG(rel_near(got, want, tol), "%s line %ld: got %.17g, want %.17g", what, line, got, want);
  else
    CHECK_MSG(rel_near(got, want, tol), "%s: got %.17g, want %.17g", what, got, want);
}

static void cmp_exact(const char *what, long line, double got, double want) {
  n_values++;
  if (line >= 0)
    CHECK_MSG(got == want, "%s line %ld: got %.17g, want %.17g", what, line, got, want);
  else
    CHECK_MSG(got == want, "%s: got %.17g, want %.17g", what, got, want);
}

static cJSON *load_json(const char *path) {
  char *text = test_read_file(path, NULL);
  CHECK_MSG(text != NULL, "cannot read '%s'", path);
  if (!text) return NULL;
  cJSON *j = cJSON_Parse(text);
  free(text);
  CHECK_MSG(j != NULL, "'%s' is not valid JSON", path);
  return j;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be busy */
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- sacrebleu's tokenizers --------------------------------------------- */

typedef struct {
  es_vocab *v;
  es_tokenizer *t13a, *t13a_lc, *space, *space_lc;
  pcre2_code *intl[3];
  char *lower;
  size_t lower_cap;
} toolbox;

static void toolbox_init(toolbox *tb) {
  memset(tb, 0, sizeof *tb);
  tb->v = es_vocab_new();
  CHECK(es_tokenizer_new(ES_TOK_13A, 0, &tb->t13a) == ES_OK);
  CHECK(es_tokenizer_new(ES_TOK_SPACE, 0, &tb->space) == ES_OK);
  /* the lower-case variants may be unavailable while unicase.c is written */
  es_tokenizer_new(ES_TOK_13A, ES_TOK_LOWER, &tb->t13a_lc);
  es_tokenizer_new(ES_TOK_SPACE, ES_TOK_LOWER, &tb->space_lc);
  static const char *const pat[3] = {"(\\P{N})(\\p{P})", "(\\p{P})(\\P{N})", "(\\p{S})"};
  for (int i = 0; i < 3; i++) {
    int err;
    PCRE2_SIZE off;
    tb->intl[i] = pcre2_compile((PCRE2_SPTR)pat[i], PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
                                &err, &off, NULL);
    CHECK(tb->intl[i] != NULL);
  }
}

static void toolbox_release(toolbox *tb) {
  es_vocab_free(tb->v);
  es_tokenizer_free(tb->t13a);
  es_tokenizer_free(tb->t13a_lc);
  es_tokenizer_free(tb->space);
  es_tokenizer_free(tb->space_lc);
  for (int i = 0; i < 3; i++) pcre2_code_free(tb->intl[i]);
  free(tb->lower);
}

static int py_space(uint32_t c) {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
         c == 0x202f || c == 0x205f || c == 0x3000;
}

/* TokenizerChar: " ".join(line), then str.split(): every non-space code point. */
static int char_tokens(es_vocab *v, const char *s, es_seq *out) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; u[i];) {
    size_t k = u[i] < 0x80 ? 1 : u[i] < 0xe0 ? 2 : u[i] < 0xf0 ? 3 : 4;
    uint32_t c = k == 1 ? u[i] : (uint32_t)(u[i] & (0x7f >> k));
    for (size_t j = 1; j < k; j++) c = c << 6 | (u[i + j] & 0x3f);
    if (!py_space(c)) {
      int32_t id = es_vocab_intern(v, s + i, k);
      if (id < 0 || es_seq_push(out, id) != ES_OK) return 0;
    }
    i += k;
  }
  return 1;
}

/* TokenizerV14International's three regex.sub calls, with PCRE2. */
static char *intl_string(toolbox *tb, const char *s) {
  static const char *const rep[3] = {"$1 $2 ", " $1 $2", " $1 "};
  char *cur = strdup(s);
  for (int i = 0; cur && i < 3; i++) {
    PCRE2_SIZE cap = strlen(cur) * 3 + 16, outlen = cap;
    char *buf = malloc(cap);
    int rc = buf ? pcre2_substitute(tb->intl[i], (PCRE2_SPTR)cur, PCRE2_ZERO_TERMINATED, 0,
                                    PCRE2_SUBSTITUTE_GLOBAL, NULL, NULL, (PCRE2_SPTR)rep[i],
                                    PCRE2_ZERO_TERMINATED, (PCRE2_UCHAR *)buf, &outlen)
                 : -1;
    free(cur);
    cur = rc >= 0 ? buf : NULL;
    if (rc < 0) free(buf);
  }
  return cur;
}

/* sacrebleu's _preprocess_segment + str.split(), as ids appended to out
 * (cleared first). 0 with *why when esbench cannot reproduce it. */
static int sacre_tokens(toolbox *tb, const char *kind, int lc, const char *s, es_seq *out,
                        const char **why) {
  es_seq_clear(out);
  if (lc && (strcmp(kind, "char") == 0 || strcmp(kind, "intl") == 0)) {
    size_t n;
    if (es_utf8_lower(s, strlen(s), &tb->lower, &tb->lower_cap, &n) != ES_OK) {
      *why = "needs es_utf8_lower (Python str.lower), not available in this build";
      return 0;
    }
    s = tb->lower;
  }
  if (strcmp(kind, "13a") == 0 || strcmp(kind, "none") == 0) {
    es_tokenizer *t = kind[0] == '1' ? (lc ? tb->t13a_lc : tb->t13a) : (lc ? tb->space_lc : tb->space);
    es_status st = t ? es_tokenize_ids(t, s, strlen(s), tb->v, out) : ES_ERR_ARG;
    if (st == ES_ERR_ARG && lc) {
      *why = "needs ES_TOK_LOWER (es_utf8_lower), not available in this build";
      return 0;
    }
    CHECK_MSG(st == ES_OK, "tokenize '%s' with %s: %s", s, kind, es_status_str(st));
    return st == ES_OK;
  }
  if (strcmp(kind, "char") == 0) return char_tokens(tb->v, s, out);
  if (strcmp(kind, "intl") == 0) {
    char *t = intl_string(tb, s);
    if (!t) {
      *why = "PCRE2 substitution failed";
      return 0;
    }
    es_status st = es_tokenize_ids(tb->space, t, strlen(t), tb->v, out);
    free(t);
    return st == ES_OK;
  }
  *why = "tokenizer not implemented";
  return 0;
}

/* ---- sacrebleu vectors ---------------------------------------------------- */

static int parse_sacre_opts(cJSON *opt, es_bleu_sacre_opts *o) {
  es_bleu_sacre_defaults(o, 0);
  const char *sm = cJSON_GetStringValue(cJSON_GetObjectItem(opt, "smooth_method"));
  if (!sm) return 0;
  if (strcmp(sm, "exp") == 0) o->smooth = ES_BLEU_SMOOTH_EXP;
  else if (strcmp(sm, "none") == 0) o->smooth = ES_BLEU_SMOOTH_NONE;
  else if (strcmp(sm, "floor") == 0) o->smooth = ES_BLEU_SMOOTH_FLOOR;
  else if (strcmp(sm, "add-k") == 0) o->smooth = ES_BLEU_SMOOTH_ADD_K;
  else return 0;
  cJSON *sv = cJSON_GetObjectItem(opt, "smooth_value");
  o->smooth_value = cJSON_IsNumber(sv) ? sv->valuedouble : -1;
  o->effective_order = cJSON_IsTrue(cJSON_GetObjectItem(opt, "effective_order"));
  o->max_order = cJSON_GetObjectItem(opt, "max_ngram_order")->valueint;
  return 1;
}

static void check_sacre_result(const char *id, const es_bleu_sacre_result *r, cJSON *d) {
  char what[160], a[64], b[64];
  double want_score = cJSON_GetObjectItem(d, "score")->valuedouble;
  snprintf(what, sizeof what, "%s score", id);
  cmp_float(what, -1, r->score, want_score, 1e-9);
  snprintf(a, sizeof a, "%.2f", r->score);
  snprintf(b, sizeof b, "%.2f", want_score);
  CHECK_MSG(strcmp(a, b) == 0, "%s: printed score %s, sacrebleu %s", id, a, b);
  snprintf(what, sizeof what, "%s bp", id);
  cmp_float(what, -1, r->bp, cJSON_GetObjectItem(d, "bp")->valuedouble, 1e-9);
  snprintf(what, sizeof what, "%s sys_len", id);
  cmp_exact(what, -1, (double)r->sys_len, cJSON_GetObjectItem(d, "sys_len")->valuedouble);
  snprintf(what, sizeof what, "%s ref_len", id);
  cmp_exact(what, -1, (double)r->ref_len, cJSON_GetObjectItem(d, "ref_len")->valuedouble);
  static const char *const arrays[3] = {"counts", "totals", "precisions"};
  for (int k = 0; k < 3; k++) {
    cJSON *arr = cJSON_GetObjectItem(d, arrays[k]);
    CHECK_MSG(cJSON_GetArraySize(arr) == r->order, "%s: %s has %d entries, order %d", id,
              arrays[k], cJSON_GetArraySize(arr), r->order);
    for (int n = 0; n < r->order && n < cJSON_GetArraySize(arr); n++) {
      double want = cJSON_GetArrayItem(arr, n)->valuedouble;
      const double *got = k == 0 ? r->counts : k == 1 ? r->totals : r->precisions;
      snprintf(what, sizeof what, "%s %s[%d]", id, arrays[k], n);
      if (k < 2)
        cmp_exact(what, -1, got[n], want);
      else
        cmp_float(what, -1, got[n], want, 1e-9);
    }
  }
}

/* WMT17 en-de: the JSON inside wmt17_en_de.json.xz. */
static cJSON *load_wmt17(const char *shared) {
  char path[4096];
  snprintf(path, sizeof path, "%s/golden/peer-vectors/wmt17_en_de.json.xz", shared);
  struct archive *a = archive_read_new();
  archive_read_support_filter_xz(a);
  archive_read_support_format_raw(a);
  char *buf = NULL;
  size_t n = 0, cap = 0;
  struct archive_entry *e;
  int ok = archive_read_open_filename(a, path, 1 << 16) == ARCHIVE_OK &&
           archive_read_next_header(a, &e) == ARCHIVE_OK;
  while (ok) {
    if (cap - n < (1 << 20)) {
      cap = cap ? cap * 2 : 8u << 20;
      char *nb = realloc(buf, cap + 1);
      if (!nb) {
        ok = 0;
        break;
      }
      buf = nb;
    }
    la_ssize_t got = archive_read_data(a, buf + n, cap - n);
    if (got < 0) ok = 0;
    if (got <= 0) break;
    n += (size_t)got;
  }
  archive_read_free(a);
  CHECK_MSG(ok && buf, "cannot decompress '%s'", path);
  if (!ok || !buf) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  cJSON *j = cJSON_Parse(buf);
  free(buf);
  CHECK_MSG(j != NULL, "'%s' does not hold JSON", path);
  return j;
}

/* "systems/<name>" or "reference" in the WMT17 JSON. */
static cJSON *wmt_get(cJSON *wmt, const char *key) {
  if (!key) return NULL;
  if (strncmp(key, "systems/", 8) == 0)
    return cJSON_GetObjectItem(cJSON_GetObjectItem(wmt, "systems"), key + 8);
  return cJSON_GetObjectItem(wmt, key);
}

/* A list of strings as a C array (pointers into the JSON). */
static const char **str_list(cJSON *arr, size_t *n) {
  *n = (size_t)cJSON_GetArraySize(arr);
  const char **v = calloc(*n ? *n : 1, sizeof *v);
  size_t i = 0;
  cJSON *x;
  cJSON_ArrayForEach(x, arr) v[i++] = cJSON_GetStringValue(x);
  return v;
}

/* Sums of hyps[i] against streams[r][i], sacrebleu style: empty reference
 * strings are dropped. 0 with *why when a tokenizer is missing. */
static int sacre_sums(toolbox *tb, const char *kind, int lc, int order, const char **hyps,
                      size_t n, const char ***streams, size_t nstreams, es_bleu_sums *sums,
                      const char **why) {
  es_bleu_counter *c = NULL;
  es_seq hyp = {0}, refs[8] = {{0}};
  int ok = nstreams <= 8 && es_bleu_counter_new(order, &c) == ES_OK;
  es_bleu_sums_init(sums);
  for (size_t i = 0; ok && i < n; i++) {
    size_t nr = 0;
    ok = sacre_tokens(tb, kind, lc, hyps[i], &hyp, why);
    for (size_t r = 0; ok && r < nstreams; r++) {
      if (!streams[r][i] || !*streams[r][i]) continue;
      ok = sacre_tokens(tb, kind, lc, streams[r][i], &refs[nr++], why);
    }
    es_bleu_seg seg;
    if (ok) ok = es_bleu_count(c, &hyp, refs, nr, &seg) == ES_OK;
    if (ok) es_bleu_sums_add(sums, &seg);
  }
  es_bleu_counter_free(c);
  es_seq_release(&hyp);
  for (int r = 0; r < 8; r++) es_seq_release(&refs[r]);
  return ok;
}

static void sacre_vectors(toolbox *tb, const char *shared) {
  char path[4096];
  snprintf(path, sizeof path, "%s/golden/peer-vectors/bleu_sacrebleu.json", shared);
  cJSON *root = load_json(path);
  cJSON *wmt = NULL;
  long before = n_values, nvec = 0, nwmt = 0;
  cJSON *v;
  cJSON_ArrayForEach(v, root) {
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(v, "id"));
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(v, "kind"));
    cJSON *in = cJSON_GetObjectItem(v, "input"), *opt = cJSON_GetObjectItem(v, "options");
    if (strcmp(kind, "sacrebleu.paired_bs") == 0 || strcmp(kind, "sacrebleu.paired_ar") == 0) {
      skip(id, "paired significance test: the statistics module's vectors");
      continue;
    }
    es_bleu_sacre_opts o;
    CHECK_MSG(parse_sacre_opts(opt, &o), "%s: bad options", id);
    cJSON *detail = cJSON_GetObjectItem(v, "recomputed_detail");
    es_bleu_sums sums;
    const char *why = NULL;
    const char *tok = cJSON_GetStringValue(cJSON_GetObjectItem(opt, "tokenize"));
    int lc = cJSON_IsTrue(cJSON_GetObjectItem(opt, "lowercase"));

    if (strcmp(kind, "sacrebleu.compute_bleu") == 0) {
      es_bleu_sums_init(&sums);
      sums.order = o.max_order;
      sums.nseg = 1;
      sums.hyp_len = (int64_t)cJSON_GetObjectItem(in, "sys_len")->valuedouble;
      sums.ref_len = (int64_t)cJSON_GetObjectItem(in, "ref_len")->valuedouble;
      for (int i = 0; i < o.max_order; i++) {
        sums.match[i] = (int64_t)cJSON_GetArrayItem(cJSON_GetObjectItem(in, "correct"), i)->valuedouble;
        sums.total[i] = (int64_t)cJSON_GetArrayItem(cJSON_GetObjectItem(in, "total"), i)->valuedouble;
      }
    } else if (strcmp(kind, "sacrebleu.sentence") == 0) {
      const char *hyp = cJSON_GetStringValue(cJSON_GetObjectItem(in, "hypothesis"));
      size_t nr;
      const char **refs = str_list(cJSON_GetObjectItem(in, "references"), &nr);
      const char **streams[8];
      for (size_t r = 0; r < nr && r < 8; r++) streams[r] = &refs[r];
      int ok = sacre_sums(tb, tok, lc, o.max_order, &hyp, 1, streams, nr, &sums, &why);
      free(refs);
      if (!ok) {
        skip(id, why ? why : "counting failed");
        CHECK_MSG(why != NULL, "%s: counting failed", id);
        continue;
      }
    } else if (strcmp(kind, "sacrebleu.corpus") == 0) {
      cJSON *jh = cJSON_GetObjectItem(in, "hypotheses"), *jr = cJSON_GetObjectItem(in, "references");
      if (cJSON_GetObjectItem(in, "corpus_file")) { /* keys into the WMT17 file */
        if (!wmt) wmt = load_wmt17(shared);
        if (!wmt) continue;
        jh = wmt_get(wmt, cJSON_GetStringValue(jh));
        cJSON *ref = wmt_get(wmt, cJSON_GetStringValue(cJSON_GetArrayItem(jr, 0)));
        CHECK_MSG(jh && ref, "%s: corpus_file keys not found", id);
        if (!jh || !ref) continue;
        jr = cJSON_CreateArray();
        cJSON_AddItemReferenceToArray(jr, ref);
        nwmt++;
      }
      size_t nh, nr = (size_t)cJSON_GetArraySize(jr);
      const char **hyps = str_list(jh, &nh);
      const char **streams[8] = {0};
      size_t ns[8];
      for (size_t r = 0; r < nr && r < 8; r++) {
        streams[r] = str_list(cJSON_GetArrayItem(jr, (int)r), &ns[r]);
        CHECK_MSG(ns[r] == nh, "%s: reference stream %zu has %zu lines, %zu hypotheses", id, r,
                  ns[r], nh);
      }
      int ok = sacre_sums(tb, tok, lc, o.max_order, hyps, nh, streams, nr, &sums, &why);
      free(hyps);
      for (size_t r = 0; r < nr && r < 8; r++) free(streams[r]);
      if (cJSON_GetObjectItem(in, "corpus_file")) cJSON_Delete(jr);
      if (!ok) {
        skip(id, why ? why : "counting failed");
        CHECK_MSG(why != NULL, "%s: counting failed", id);
        continue;
      }
    } else if (strcmp(kind, "sacrebleu.cli") == 0) {
      /* sacrebleu REF < HYP -w 2 -b: one line each; the CR stays inside */
      char *hyp = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(in, "hypothesis_stdin")));
      const char *ref = cJSON_GetStringValue(cJSON_GetObjectItem(in, "reference_file_bytes"));
      hyp[strcspn(hyp, "\n")] = '\0';
      const char *hyps[1] = {hyp}, *refs[1] = {ref};
      const char **streams[1] = {refs};
      int ok = sacre_sums(tb, tok, lc, o.max_order, hyps, 1, streams, 1, &sums, &why);
      free(hyp);
      es_bleu_sacre_result r;
      CHECK(ok && es_bleu_sacre_compute(&sums, &o, &r) == ES_OK);
      char printed[64];
      snprintf(printed, sizeof printed, "%.2f", r.score);
      const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(v, "recomputed"));
      n_values++;
      CHECK_MSG(want && strcmp(printed, want) == 0, "%s: printed %s, sacrebleu %s", id, printed,
                want ? want : "?");
      nvec++;
      continue;
    } else {
      skip(id, "unknown kind");
      continue;
    }

    es_bleu_sacre_result r;
    es_status st = es_bleu_sacre_compute(&sums, &o, &r);
    CHECK_MSG(st == ES_OK, "%s: es_bleu_sacre_compute: %s", id, es_status_str(st));
    if (st == ES_OK && detail) check_sacre_result(id, &r, detail);
    nvec++;
  }
  printf("sacrebleu peer vectors: %ld checked (%ld on WMT17 systems), %ld values compared\n", nvec,
         nwmt, n_values - before);
  cJSON_Delete(wmt);
  cJSON_Delete(root);
}

/* ---- nltk vectors --------------------------------------------------------- */

static es_seq tokens_of(es_vocab *v, cJSON *arr) {
  es_seq s = {0};
  cJSON *x;
  cJSON_ArrayForEach(x, arr) {
    const char *t = cJSON_GetStringValue(x);
    int32_t id = es_vocab_intern(v, t, strlen(t));
    CHECK(id >= 0 && es_seq_push(&s, id) == ES_OK);
  }
  return s;
}

/* Statistics of one hypothesis (token list) against references (list of
 * token lists). */
static es_bleu_seg nltk_seg(es_vocab *v, es_bleu_counter *c, cJSON *refs, cJSON *hyp) {
  es_seq h = tokens_of(v, hyp), rs[16];
  size_t nr = 0;
  cJSON *r;
  cJSON_ArrayForEach(r, refs) if (nr < 16) rs[nr++] = tokens_of(v, r);
  es_bleu_seg seg;
  memset(&seg, 0, sizeof seg);
  CHECK(es_bleu_count(c, &h, rs, nr, &seg) == ES_OK);
  es_seq_release(&h);
  for (size_t i = 0; i < nr; i++) es_seq_release(&rs[i]);
  return seg;
}

static int parse_method(cJSON *sf, es_bleu_nltk_smooth *m) {
  const char *s = cJSON_GetStringValue(sf);
  if (!s) {
    *m = ES_NLTK_METHOD0; /* smoothing_function=None */
    return 1;
  }
  if (strncmp(s, "method", 6) != 0 || s[6] < '0' || s[6] > '7' || s[7]) return 0;
  *m = (es_bleu_nltk_smooth)(s[6] - '0');
  return 1;
}

static void nltk_vectors(const char *shared) {
  char path[4096];
  snprintf(path, sizeof path, "%s/golden/peer-vectors/bleu_nltk.json", shared);
  cJSON *root = load_json(path);
  es_vocab *voc = es_vocab_new();
  long before = n_values, nvec = 0;
  cJSON *v;
  cJSON_ArrayForEach(v, root) {
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(v, "id"));
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(v, "kind"));
    cJSON *in = cJSON_GetObjectItem(v, "input"), *opt = cJSON_GetObjectItem(v, "options");
    cJSON *rec = cJSON_GetObjectItem(v, "recomputed"), *det = cJSON_GetObjectItem(v, "recomputed_detail");
    const char *skipped = cJSON_GetStringValue(cJSON_GetObjectItem(v, "skip"));
    if (skipped) {
      skip(id, skipped);
      continue;
    }
    char what[160];

    if (strcmp(kind, "nltk.modified_precision") == 0 || strcmp(kind, "nltk.brevity_penalty") == 0) {
      int n = strcmp(kind, "nltk.modified_precision") == 0
                  ? cJSON_GetObjectItem(opt, "n")->valueint : 1;
      es_bleu_counter *c = NULL;
      CHECK(es_bleu_counter_new(n, &c) == ES_OK);
      es_bleu_seg seg = nltk_seg(voc, c, cJSON_GetObjectItem(in, "references"),
                                 cJSON_GetObjectItem(in, "hypothesis"));
      es_bleu_counter_free(c);
      if (n == 1 && kind[5] == 'b') {
        snprintf(what, sizeof what, "%s closest_ref_len", id);
        cmp_exact(what, -1, seg.ref_len, cJSON_GetObjectItem(det, "closest_ref_len")->valuedouble);
        snprintf(what, sizeof what, "%s hyp_len", id);
        cmp_exact(what, -1, seg.hyp_len, cJSON_GetObjectItem(det, "hyp_len")->valuedouble);
        snprintf(what, sizeof what, "%s brevity_penalty", id);
        cmp_float(what, -1, es_bleu_nltk_brevity_penalty(seg.ref_len, seg.hyp_len),
                  rec->valuedouble, 1e-12);
      } else {
        int64_t den = seg.total[n - 1] > 1 ? seg.total[n - 1] : 1;
        snprintf(what, sizeof what, "%s numerator", id);
        cmp_exact(what, -1, seg.match[n - 1], cJSON_GetObjectItem(det, "numerator")->valuedouble);
        snprintf(what, sizeof what, "%s denominator", id);
        cmp_exact(what, -1, (double)den, cJSON_GetObjectItem(det, "denominator")->valuedouble);
        snprintf(what, sizeof what, "%s modified_precision", id);
        cmp_float(what, -1, (double)seg.match[n - 1] / (double)den, rec->valuedouble, 1e-12);
      }
      nvec++;
      continue;
    }

    /* sentence_bleu, corpus_bleu, sentence_bleu_mean */
    es_bleu_nltk_smooth method;
    if (!parse_method(cJSON_GetObjectItem(opt, "smoothing_function"), &method)) {
      skip(id, "unknown smoothing function");
      continue;
    }
    cJSON *jw = cJSON_GetObjectItem(opt, "weights");
    if (!cJSON_IsArray(jw) || cJSON_IsTrue(cJSON_GetObjectItem(opt, "auto_reweigh"))) {
      skip(id, "weights or auto_reweigh not supported here");
      continue;
    }
    /* one weight vector, or a list of them (nltk: weights[0][0] works) */
    int multi = cJSON_IsArray(cJSON_GetArrayItem(jw, 0));
    int nvecw = multi ? cJSON_GetArraySize(jw) : 1, order = 0;
    if (nvecw > 8) {
      skip(id, "more than 8 weight vectors");
      continue;
    }
    double w[8][ES_BLEU_MAX_ORDER];
    int nw[8];
    for (int k = 0; k < nvecw && k < 8; k++) {
      cJSON *wk = multi ? cJSON_GetArrayItem(jw, k) : jw;
      nw[k] = cJSON_GetArraySize(wk);
      if (nw[k] > ES_BLEU_MAX_ORDER) nw[k] = ES_BLEU_MAX_ORDER + 1; /* rejected below */
      for (int i = 0; i < nw[k] && i < ES_BLEU_MAX_ORDER; i++)
        w[k][i] = cJSON_GetArrayItem(wk, i)->valuedouble;
      if (nw[k] > order) order = nw[k];
    }
    es_bleu_nltk_opts o;
    es_bleu_nltk_defaults(&o, order, method);
    cJSON *sp = cJSON_GetObjectItem(opt, "smoothing_params");
    if (sp) {
      o.epsilon = cJSON_GetObjectItem(sp, "epsilon")->valuedouble;
      o.alpha = cJSON_GetObjectItem(sp, "alpha")->valuedouble;
      o.k = cJSON_GetObjectItem(sp, "k")->valuedouble;
    }
    cJSON *jscale = cJSON_GetObjectItem(opt, "output_scale");
    double scale = jscale ? jscale->valuedouble : 1.0;
    if (order > ES_BLEU_MAX_ORDER) {
      skip(id, "more n-gram orders than ES_BLEU_MAX_ORDER");
      continue;
    }
    int corder = order < 5 && (method == ES_NLTK_METHOD5 || method == ES_NLTK_METHOD7) ? 5 : order;
    es_bleu_counter *c = NULL;
    CHECK(es_bleu_counter_new(corder, &c) == ES_OK);

    /* the segments */
    cJSON *lrefs, *hyps;
    if (strcmp(kind, "nltk.sentence_bleu") == 0) {
      lrefs = cJSON_CreateArray();
      hyps = cJSON_CreateArray();
      cJSON_AddItemReferenceToArray(lrefs, cJSON_GetObjectItem(in, "references"));
      cJSON_AddItemReferenceToArray(hyps, cJSON_GetObjectItem(in, "hypothesis"));
    } else {
      lrefs = cJSON_GetObjectItem(in, "list_of_references");
      hyps = cJSON_GetObjectItem(in, "hypotheses");
    }
    int nseg = cJSON_GetArraySize(hyps);
    es_bleu_sums sums;
    es_bleu_sums_init(&sums);
    es_bleu_seg last;
    memset(&last, 0, sizeof last);
    double mean = 0;
    for (int i = 0; i < nseg; i++) {
      last = nltk_seg(voc, c, cJSON_GetArrayItem(lrefs, i), cJSON_GetArrayItem(hyps, i));
      es_bleu_sums_add(&sums, &last);
      if (strcmp(kind, "nltk.sentence_bleu_mean") == 0) {
        double sb;
        CHECK(es_bleu_nltk_sentence(&last, &o, w[0], nw[0], &sb) == ES_OK);
        snprintf(what, sizeof what, "%s sentence_bleu", id);
        cmp_float(what, i, sb, cJSON_GetArrayItem(cJSON_GetObjectItem(det, "sentence_bleu"), i)->valuedouble, 1e-12);
        mean += sb;
      }
    }
    es_bleu_counter_free(c);
    if (strcmp(kind, "nltk.sentence_bleu") == 0) {
      cJSON_Delete(lrefs);
      cJSON_Delete(hyps);
    }
    if (strcmp(kind, "nltk.sentence_bleu_mean") == 0) {
      snprintf(what, sizeof what, "%s mean", id);
      cmp_float(what, -1, mean / nseg, rec->valuedouble, 1e-12);
      nvec++;
      continue;
    }
    es_bleu_nltk_prec p;
    es_status st = es_bleu_nltk_precisions(&sums, nseg ? &last : NULL, &o, &p);
    CHECK_MSG(st == ES_OK, "%s: es_bleu_nltk_precisions: %s", id, es_status_str(st));
    for (int k = 0; st == ES_OK && k < nvecw; k++) {
      double got = scale * es_bleu_nltk_weighted(&p, w[k], nw[k]);
      double want = multi ? cJSON_GetArrayItem(rec, k)->valuedouble : rec->valuedouble;
      snprintf(what, sizeof what, "%s %s weights #%d", id, kind, k);
      cmp_float(what, -1, got, want, 1e-12);
    }
    nvec++;
  }
  printf("nltk peer vectors: %ld checked, %ld values compared\n", nvec, n_values - before);
  es_vocab_free(voc);
  cJSON_Delete(root);
}

/* ---- golden sets ---------------------------------------------------------- */

typedef struct {
  char *buf;
  char **line;
  size_t n;
} lines;

static int read_lines(const char *dir, const char *name, lines *l) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  l->buf = test_read_file(path, NULL);
  l->line = l->buf ? test_split_lines(l->buf, &l->n) : NULL;
  CHECK_MSG(l->line != NULL, "cannot read '%s'", path);
  return l->line != NULL;
}

static void lines_release(lines *l) {
  free(l->line);
  free(l->buf);
}

/* Token ids of every line: tokenizer t, or (t NULL) split on ' '. */
static es_seq *tokenize_all(es_tokenizer *t, es_vocab *v, const lines *l) {
  es_seq *s = calloc(l->n ? l->n : 1, sizeof *s);
  for (size_t i = 0; i < l->n; i++) {
    const char *p = l->line[i];
    if (t) {
      CHECK(es_tokenize_ids(t, p, strlen(p), v, &s[i]) == ES_OK);
      continue;
    }
    while (*p) {
      size_t k = strcspn(p, " ");
      if (k) CHECK(es_seq_push(&s[i], es_vocab_intern(v, p, k)) == ES_OK);
      p += k + (p[k] == ' ');
    }
  }
  return s;
}

static void seqs_free(es_seq *s, size_t n) {
  for (size_t i = 0; s && i < n; i++) es_seq_release(&s[i]);
  free(s);
}

/* Statistics of hyp[i] against ref[i], summed into *sums (segs may be NULL). */
static void count_all(int order, const es_seq *hyp, const es_seq *ref, size_t n, es_bleu_seg *segs,
                      es_bleu_sums *sums) {
  es_bleu_counter *c = NULL;
  CHECK(es_bleu_counter_new(order, &c) == ES_OK);
  es_bleu_sums_init(sums);
  for (size_t i = 0; c && i < n; i++) {
    es_bleu_seg seg;
    CHECK(es_bleu_count(c, &hyp[i], &ref[i], 1, &seg) == ES_OK);
    if (segs) segs[i] = seg;
    es_bleu_sums_add(sums, &seg);
  }
  es_bleu_counter_free(c);
}

/* math.fsum(x) / n, closely enough (Neumaier summation). */
static double mean_of(const double *x, size_t n) {
  double s = 0, comp = 0;
  for (size_t i = 0; i < n; i++) {
    double t = s + x[i];
    comp += fabs(s) >= fabs(x[i]) ? (s - t) + x[i] : (x[i] - t) + s;
    s = t;
  }
  return n ? (s + comp) / (double)n : 0.0;
}

static void golden_system(const char *set, const char *dir, const char *sys, cJSON *exp,
                          const lines *ref, toolbox *tb) {
  char name[64], what[200];
  lines hyp = {0};
  snprintf(name, sizeof name, "%s.txt", sys);
  if (!read_lines(dir, name, &hyp)) return;
  CHECK_MSG(hyp.n == ref->n, "%s/%s: %zu lines, ref %zu", set, sys, hyp.n, ref->n);
  size_t n = hyp.n < ref->n ? hyp.n : ref->n;
  cJSON *es = test_json_at(test_json_at(exp, "systems"), sys);
  long before = n_values;

  /* 1. sacrebleu on 13a tokens */
  es_seq *h13 = tokenize_all(tb->t13a, tb->v, &hyp), *r13 = tokenize_all(tb->t13a, tb->v, ref);
  es_bleu_seg *segs = calloc(n ? n : 1, sizeof *segs);
  es_bleu_sums sums;
  count_all(4, h13, r13, n, segs, &sums);
  cJSON *pls = test_json_at(es, "sacrebleu.per_line_stats");
  CHECK_MSG(cJSON_GetArraySize(pls) == (int)n, "%s/%s: per_line_stats has %d rows", set, sys,
            cJSON_GetArraySize(pls));
  for (size_t i = 0; i < n && i < (size_t)cJSON_GetArraySize(pls); i++) {
    cJSON *row = cJSON_GetArrayItem(pls, (int)i);
    int32_t got[10] = {segs[i].hyp_len, segs[i].ref_len};
    for (int k = 0; k < 4; k++) {
      got[2 + k] = segs[i].match[k];
      got[6 + k] = segs[i].total[k];
    }
    for (int k = 0; k < 10; k++) {
      static const char *const col[10] = {"sys_len", "ref_len", "correct_1", "correct_2",
                                          "correct_3", "correct_4", "total_1", "total_2",
                                          "total_3", "total_4"};
      snprintf(what, sizeof what, "%s/%s sacrebleu.per_line_stats %s", set, sys, col[k]);
      cmp_exact(what, (long)i + 1, got[k], cJSON_GetArrayItem(row, k)->valuedouble);
    }
  }
  es_bleu_sacre_opts o;
  es_bleu_sacre_defaults(&o, 0);
  es_bleu_sacre_result r;
  CHECK(es_bleu_sacre_compute(&sums, &o, &r) == ES_OK);
  snprintf(what, sizeof what, "%s/%s sacrebleu.corpus", set, sys);
  check_sacre_result(what, &r, test_json_at(es, "sacrebleu.corpus"));
  /* the signature, with sacrebleu's version in the version field */
  const char *want_sig = cJSON_GetStringValue(test_json_at(es, "sacrebleu.corpus.signature"));
  const char *bar = want_sig ? strstr(want_sig, "|version:") : NULL;
  if (bar) {
    es_bleu_sig_info info = {.nrefs = 1, .tok = "13a", .version = bar + 9};
    char sig[256];
    int len = es_bleu_sacre_signature(&o, &info, 0, sig, sizeof sig);
    n_values++;
    CHECK_MSG(len == (int)strlen(want_sig) && strcmp(sig, want_sig) == 0,
              "%s/%s signature: got '%s', want '%s'", set, sys, sig, want_sig);
  }

  /* sentence BLEU per line and its mean */
  es_bleu_sacre_opts so;
  es_bleu_sacre_defaults(&so, 1);
  cJSON *sb = test_json_at(es, "sacrebleu.sentence_bleu");
  double *scores = calloc(n ? n : 1, sizeof *scores);
  for (size_t i = 0; i < n; i++) {
    es_bleu_sums one;
    es_bleu_sums_init(&one);
    es_bleu_sums_add(&one, &segs[i]);
    CHECK(es_bleu_sacre_compute(&one, &so, &r) == ES_OK);
    scores[i] = r.score;
    snprintf(what, sizeof what, "%s/%s sacrebleu.sentence_bleu", set, sys);
    cmp_float(what, (long)i + 1, r.score, cJSON_GetArrayItem(sb, (int)i)->valuedouble, 1e-9);
  }
  snprintf(what, sizeof what, "%s/%s sacrebleu.sentence_bleu_mean", set, sys);
  cmp_float(what, -1, mean_of(scores, n), test_json_at(es, "sacrebleu.sentence_bleu_mean")->valuedouble,
            1e-9);
  seqs_free(h13, hyp.n);
  seqs_free(r13, ref->n);

  /* 2. nltk on whitespace tokens */
  es_seq *hw = tokenize_all(tb->space, tb->v, &hyp), *rw = tokenize_all(tb->space, tb->v, ref);
  count_all(4, hw, rw, n, segs, &sums);
  for (int N = 1; N <= 4; N++) {
    double w[4];
    for (int i = 0; i < N; i++) w[i] = 1.0 / N; /* (1/N,)*N */
    for (int m = 0; m < 2; m++) {
      es_bleu_nltk_opts no;
      es_bleu_nltk_defaults(&no, N, m ? ES_NLTK_METHOD3 : ES_NLTK_METHOD0);
      double got = -1;
      CHECK(es_bleu_nltk_corpus(&sums, n ? &segs[n - 1] : NULL, &no, w, N, &got) == ES_OK);
      char key[64];
      snprintf(key, sizeof key, "nltk_bleu_whitespace.%s.bleu%d", m ? "method3" : "no_smoothing", N);
      snprintf(what, sizeof what, "%s/%s %s", set, sys, key);
      cmp_float(what, -1, got, test_json_at(es, key)->valuedouble, 1e-12);
    }
  }
  es_bleu_nltk_opts m1;
  es_bleu_nltk_defaults(&m1, 4, ES_NLTK_METHOD1);
  static const double quarter[4] = {0.25, 0.25, 0.25, 0.25};
  cJSON *s4 = test_json_at(es, "nltk_bleu_whitespace.sentence_bleu4_method1_per_line");
  for (size_t i = 0; i < n; i++) {
    CHECK(es_bleu_nltk_sentence(&segs[i], &m1, quarter, 4, &scores[i]) == ES_OK);
    snprintf(what, sizeof what, "%s/%s nltk_bleu_whitespace.sentence_bleu4_method1_per_line", set,
             sys);
    cmp_float(what, (long)i + 1, scores[i], cJSON_GetArrayItem(s4, (int)i)->valuedouble, 1e-12);
  }
  snprintf(what, sizeof what, "%s/%s nltk_bleu_whitespace.sentence_bleu4_method1_mean", set, sys);
  cmp_float(what, -1, mean_of(scores, n),
            test_json_at(es, "nltk_bleu_whitespace.sentence_bleu4_method1_mean")->valuedouble, 1e-9);
  seqs_free(hw, hyp.n);
  seqs_free(rw, ref->n);

  /* 3. ESConv myMetrics bleu-1..4 on the stored word_tokenize tokens */
  lines th = {0}, tr = {0};
  char hp[64];
  snprintf(hp, sizeof hp, "tokens/%s.esconv_tok.txt", sys);
  if (read_lines(dir, hp, &th) && read_lines(dir, "tokens/ref.esconv_tok.txt", &tr)) {
    es_seq *he = tokenize_all(NULL, tb->v, &th), *re = tokenize_all(NULL, tb->v, &tr);
    size_t ne = th.n < tr.n ? th.n : tr.n;
    CHECK_MSG(th.n == n && tr.n == n, "%s/%s: token files have %zu/%zu lines", set, sys, th.n, tr.n);
    cJSON *hn = test_json_at(es, "esconv_mymetrics.hyp_ntok"), *rn = test_json_at(es, "esconv_mymetrics.ref_ntok");
    for (size_t i = 0; i < ne; i++) {
      snprintf(what, sizeof what, "%s/%s esconv_mymetrics.hyp_ntok", set, sys);
      cmp_exact(what, (long)i + 1, (double)he[i].len, cJSON_GetArrayItem(hn, (int)i)->valuedouble);
      snprintf(what, sizeof what, "%s/%s esconv_mymetrics.ref_ntok", set, sys);
      cmp_exact(what, (long)i + 1, (double)re[i].len, cJSON_GetArrayItem(rn, (int)i)->valuedouble);
    }
    count_all(4, he, re, ne, NULL, &sums);
    double b[4];
    CHECK(es_bleu_esconv(&sums, b) == ES_OK);
    for (int k = 0; k < 4; k++) {
      char key[64];
      snprintf(key, sizeof key, "bleu-%d", k + 1);
      snprintf(what, sizeof what, "%s/%s esconv_mymetrics.result.%s", set, sys, key);
      cmp_float(what, -1, b[k],
                cJSON_GetObjectItem(test_json_at(es, "esconv_mymetrics.result"), key)->valuedouble, 1e-12);
    }
    seqs_free(he, th.n);
    seqs_free(re, tr.n);
  }
  lines_release(&th);
  lines_release(&tr);
  printf("golden %s/%s: %ld values compared\n", set, sys, n_values - before);
  free(scores);
  free(segs);
  lines_release(&hyp);
}

static void golden_set(const char *set, const char *dir, toolbox *tb) {
  char path[4096];
  snprintf(path, sizeof path, "%s/expected.json", dir);
  cJSON *exp = load_json(path);
  lines ref = {0};
  if (exp && read_lines(dir, "ref.txt", &ref)) {
    golden_system(set, dir, "hyp_a", exp, &ref, tb);
    golden_system(set, dir, "hyp_b", exp, &ref, tb);
  }
  lines_release(&ref);
  cJSON_Delete(exp);
}

/* ---- unit checks of the API's edges ------------------------------------ */

static void api_edges(void) {
  es_bleu_counter *c = NULL;
  CHECK(es_bleu_counter_new(0, &c) == ES_ERR_ARG && c == NULL);
  CHECK(es_bleu_counter_new(ES_BLEU_MAX_ORDER + 1, &c) == ES_ERR_ARG);
  CHECK(es_bleu_counter_new(4, &c) == ES_OK);
  es_seq hyp = {0}, ref[2] = {{0}};
  es_bleu_seg seg;
  CHECK(es_bleu_count(c, &hyp, ref, 0, &seg) == ES_ERR_ARG); /* no reference */
  es_seq_push(&hyp, -1);
  CHECK(es_bleu_count(c, &hyp, ref, 1, &seg) == ES_ERR_ARG); /* not a vocabulary id */
  es_seq_clear(&hyp);
  /* "the the the the" vs two references: clipping takes the max over refs */
  int32_t h[] = {1, 1, 1, 1}, r0[] = {1, 2, 1}, r1[] = {1, 1, 1, 3, 4};
  for (int i = 0; i < 4; i++) es_seq_push(&hyp, h[i]);
  for (int i = 0; i < 3; i++) es_seq_push(&ref[0], r0[i]);
  for (int i = 0; i < 5; i++) es_seq_push(&ref[1], r1[i]);
  CHECK(es_bleu_count(c, &hyp, ref, 2, &seg) == ES_OK);
  CHECK_INT(seg.hyp_len, 4);
  CHECK_INT(seg.ref_len, 3); /* |3-4| = |5-4|: ties to the shorter */
  CHECK_INT(seg.match[0], 3);
  CHECK_INT(seg.match[1], 2);
  CHECK_INT(seg.match[2], 1);
  CHECK_INT(seg.match[3], 0);
  CHECK_INT(seg.total[3], 1);
  /* many segments reuse the table: the generation counter wraps safely */
  for (int i = 0; i < 1000; i++) CHECK(es_bleu_count(c, &hyp, ref, 1, &seg) == ES_OK);
  CHECK_INT(seg.match[0], 2);
  /* a long segment grows the table */
  es_seq big = {0};
  for (int i = 0; i < 5000; i++) es_seq_push(&big, i % 97);
  CHECK(es_bleu_count(c, &big, &big, 1, &seg) == ES_OK);
  CHECK_INT(seg.match[3], 4997);
  es_seq_release(&big);
  es_bleu_counter_free(c);
  es_bleu_counter_free(NULL);
  es_seq_release(&hyp);
  es_seq_release(&ref[0]);
  es_seq_release(&ref[1]);

  /* signatures */
  es_bleu_sacre_opts o;
  es_bleu_sacre_defaults(&o, 0);
  es_bleu_sig_info info = {.nrefs = 1, .tok = "13a"};
  char buf[256];
  es_bleu_sacre_signature(&o, &info, 0, buf, sizeof buf);
  CHECK_STR(buf, "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:esbench-" ESMETRICS_VERSION);
  o.smooth = ES_BLEU_SMOOTH_FLOOR;
  o.effective_order = 1;
  info = (es_bleu_sig_info){.nrefs = -1, .lowercase = 1, .tok = "none", .version = "2.6.0",
                            .bs = 1000, .seed = 12345};
  es_bleu_sacre_signature(&o, &info, 0, buf, sizeof buf);
  CHECK_STR(buf, "nrefs:var|bs:1000|seed:12345|case:lc|eff:yes|tok:none|smooth:floor[0.10]|version:2.6.0");
  o.smooth = ES_BLEU_SMOOTH_ADD_K;
  es_bleu_sacre_signature(&o, &info, 1, buf, sizeof buf);
  CHECK_STR(buf, "#:var|bs:1000|rs:12345|c:lc|e:yes|tok:none|s:add-k[1.00]|v:2.6.0");
  char small[10];
  int need = es_bleu_sacre_signature(&o, &info, 1, small, sizeof small);
  CHECK_INT(need, (int)strlen(buf));
  CHECK_INT(strlen(small), sizeof small - 1);

  /* nltk: method 6 needs a non-zero third precision; method 5 the last segment */
  es_bleu_sums s;
  es_bleu_sums_init(&s);
  es_bleu_nltk_opts no;
  es_bleu_nltk_prec p;
  es_bleu_nltk_defaults(&no, 4, ES_NLTK_METHOD0);
  CHECK(es_bleu_nltk_precisions(&s, NULL, &no, &p) == ES_OK && p.zero); /* empty corpus */
  es_bleu_seg one = {.order = 4, .hyp_len = 2, .ref_len = 2, .match = {2, 1}, .total = {2, 1}};
  es_bleu_sums_add(&s, &one);
  CHECK_INT(s.nltk_den[2], 1); /* max(1, 0) */
  es_bleu_nltk_defaults(&no, 4, ES_NLTK_METHOD6);
  CHECK(es_bleu_nltk_precisions(&s, &one, &no, &p) == ES_ERR_ARG);
  es_bleu_nltk_defaults(&no, 4, ES_NLTK_METHOD5);
  CHECK(es_bleu_nltk_precisions(&s, &one, &no, &p) == ES_ERR_ARG); /* order 4 < 5 */
  es_bleu_nltk_defaults(&no, 5, ES_NLTK_METHOD0);
  CHECK(es_bleu_nltk_precisions(&s, NULL, &no, &p) == ES_ERR_ARG); /* 5 orders not counted */
}

/* ---- the counter against a naive one ------------------------------------ */

/* Occurrences of t[i..i+n) in s. */
static int occurrences(const int32_t *s, int ls, const int32_t *t, int n) {
  int k = 0;
  for (int j = 0; j + n <= ls; j++) k += memcmp(s + j, t, (size_t)n * sizeof *t) == 0;
  return k;
}

/* The textbook definition, quadratic: for each distinct hypothesis n-gram,
 * min(count in hyp, max count in a reference). */
static void naive_seg(const es_seq *h, const es_seq *r, int nr, int order, es_bleu_seg *o) {
  memset(o, 0, sizeof *o);
  o->order = order;
  o->hyp_len = (int32_t)h->len;
  int best_diff = -1;
  for (int k = 0; k < nr; k++) {
    int len = (int)r[k].len, diff = abs(len - (int)h->len);
    if (best_diff < 0 || diff < best_diff || (diff == best_diff && len < o->ref_len)) {
      best_diff = diff;
      o->ref_len = len;
    }
  }
  for (int n = 1; n <= order; n++) {
    for (int i = 0; i + n <= (int)h->len; i++) {
      o->total[n - 1]++;
      if (occurrences(h->ids, i + n - 1, h->ids + i, n)) continue; /* seen before */
      int ch = occurrences(h->ids, (int)h->len, h->ids + i, n), cr = 0;
      for (int k = 0; k < nr; k++) {
        int c = occurrences(r[k].ids, (int)r[k].len, h->ids + i, n);
        if (c > cr) cr = c;
      }
      o->match[n - 1] += ch < cr ? ch : cr;
    }
  }
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(uint32_t n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng % n);
}

/* Random pairs over small alphabets (so n-grams repeat and overlap), one
 * to three references, every order: the counter equals the naive count. */
static void counter_vs_naive(void) {
  es_bleu_counter *c[ES_BLEU_MAX_ORDER + 1] = {0};
  for (int o = 1; o <= ES_BLEU_MAX_ORDER; o++) CHECK(es_bleu_counter_new(o, &c[o]) == ES_OK);
  es_seq h = {0}, r[3] = {{0}};
  long bad = 0;
  for (int it = 0; it < 20000; it++) {
    int order = 1 + (int)rnd(ES_BLEU_MAX_ORDER), nr = 1 + (int)(rnd(4) == 0) + (int)(rnd(8) == 0);
    uint32_t alpha = 1 + rnd(it % 3 ? 6 : 400);
    es_seq_clear(&h);
    int lh = (int)rnd(it % 50 ? 30 : 400);
    for (int i = 0; i < lh; i++) es_seq_push(&h, (int32_t)rnd(alpha));
    for (int k = 0; k < nr; k++) {
      es_seq_clear(&r[k]);
      int lr = rnd(3) ? (int)rnd(30) : lh;
      for (int i = 0; i < lr; i++) /* mostly copies of the hypothesis, perturbed */
        es_seq_push(&r[k], i < lh && rnd(4) ? h.ids[i] : (int32_t)rnd(alpha));
    }
    es_bleu_seg got, want;
    CHECK(es_bleu_count(c[order], &h, r, (size_t)nr, &got) == ES_OK);
    naive_seg(&h, r, nr, order, &want);
    if (memcmp(&got, &want, sizeof got) != 0) {
      bad++;
      CHECK_MSG(0, "counter vs naive, pair %d (order %d, %d refs): match[0..3] %d %d %d %d, "
                   "naive %d %d %d %d", it, order, nr, got.match[0], got.match[1], got.match[2],
                got.match[3], want.match[0], want.match[1], want.match[2], want.match[3]);
    }
    n_values++;
  }
  printf("counter vs naive: 20000 random segments, %ld differ\n", bad);
  for (int o = 1; o <= ES_BLEU_MAX_ORDER; o++) es_bleu_counter_free(c[o]);
  es_seq_release(&h);
  for (int k = 0; k < 3; k++) es_seq_release(&r[k]);
}

/* ---- speed ---------------------------------------------------------------- */

static void speed(toolbox *tb, const char *synth, const char *esconv) {
  const char *dirs[2] = {synth, esconv};
  enum { NPAIRS = 10000 };
  es_seq *h13[2] = {0}, *r13[2] = {0}, *hn[2] = {0}, *rn[2] = {0};
  size_t n[2] = {0};
  for (int d = 0; d < 2; d++) {
    lines h = {0}, r = {0}, th = {0}, tr = {0};
    if (dirs[d] && read_lines(dirs[d], "hyp_a.txt", &h) && read_lines(dirs[d], "ref.txt", &r) &&
        read_lines(dirs[d], "tokens/hyp_a.esconv_tok.txt", &th) &&
        read_lines(dirs[d], "tokens/ref.esconv_tok.txt", &tr)) {
      n[d] = h.n;
      h13[d] = tokenize_all(tb->t13a, tb->v, &h);
      r13[d] = tokenize_all(tb->t13a, tb->v, &r);
      hn[d] = tokenize_all(NULL, tb->v, &th);
      rn[d] = tokenize_all(NULL, tb->v, &tr);
    }
    lines_release(&h);
    lines_release(&r);
    lines_release(&th);
    lines_release(&tr);
  }
  if (!n[0] || !n[1]) return;
  /* 10,000 pairs: the two sets' lines in turn */
  const es_seq **H13 = malloc(NPAIRS * sizeof *H13), **R13 = malloc(NPAIRS * sizeof *R13);
  const es_seq **HN = malloc(NPAIRS * sizeof *HN), **RN = malloc(NPAIRS * sizeof *RN);
  size_t ntok = 0;
  for (size_t i = 0; i < NPAIRS; i++) {
    int d = (int)(i & 1);
    size_t k = (i / 2) % n[d];
    H13[i] = &h13[d][k];
    R13[i] = &r13[d][k];
    HN[i] = &hn[d][k];
    RN[i] = &rn[d][k];
    ntok += H13[i]->len + R13[i]->len + HN[i]->len + RN[i]->len;
  }
  es_bleu_counter *c = NULL;
  CHECK(es_bleu_counter_new(4, &c) == ES_OK);
  double best = 1e30, best_sent = 1e30, sink = 0;
  for (int rep = 0; rep < 7; rep++) {
    double t0 = now_ms();
    es_bleu_sums s13, sn;
    es_bleu_sums_init(&s13);
    es_bleu_sums_init(&sn);
    es_bleu_seg seg;
    for (size_t i = 0; i < NPAIRS; i++) {
      es_bleu_count(c, H13[i], R13[i], 1, &seg);
      es_bleu_sums_add(&s13, &seg);
      es_bleu_count(c, HN[i], RN[i], 1, &seg);
      es_bleu_sums_add(&sn, &seg);
    }
    es_bleu_sacre_opts o;
    es_bleu_sacre_defaults(&o, 0);
    es_bleu_sacre_result r;
    double b[4];
    es_bleu_sacre_compute(&s13, &o, &r);
    es_bleu_esconv(&sn, b);
    double dt = now_ms() - t0;
    sink += r.score + b[3];
    if (dt < best) best = dt;

    t0 = now_ms(); /* sentence BLEU of every pair, from its statistics */
    es_bleu_sacre_defaults(&o, 1);
    for (size_t i = 0; i < NPAIRS; i++) {
      es_bleu_count(c, H13[i], R13[i], 1, &seg);
      es_bleu_sums one;
      es_bleu_sums_init(&one);
      es_bleu_sums_add(&one, &seg);
      es_bleu_sacre_compute(&one, &o, &r);
      sink += r.score;
    }
    dt = now_ms() - t0;
    if (dt < best_sent) best_sent = dt;
  }
  printf("speed: %d pairs (%zu tokens in all): sacrebleu corpus BLEU + ESConv BLEU-1..4 "
         "statistics and scores %.2f ms; sacrebleu sentence BLEU of every pair %.2f ms "
         "(best of 7; checksum %.3f)\n",
         NPAIRS, ntok, best, best_sent, sink);
  es_bleu_counter_free(c);
  free(H13);
  free(R13);
  free(HN);
  free(RN);
  for (int d = 0; d < 2; d++) {
    seqs_free(h13[d], n[d]);
    seqs_free(r13[d], n[d]);
    seqs_free(hn[d], n[d]);
    seqs_free(rn[d], n[d]);
  }
}

/* Inputs a review found: ids near INT32_MAX with one reference (must not
 * ask for an id-indexed array of gigabytes) and a smoothing parameter that
 * divides by zero (an error, as nltk raises, not a score). */
static void review_cases(void) {
  es_bleu_counter *c = NULL;
  CHECK(es_bleu_counter_new(4, &c) == ES_OK);
  int32_t ids[2] = {INT32_MAX - 1, 5};
  es_seq h = {ids, 2, 2}, r = {ids, 2, 2};
  es_bleu_seg seg;
  CHECK(es_bleu_count(c, &h, &r, 1, &seg) == ES_OK);
  CHECK_INT(seg.match[0], 2);
  CHECK_INT(seg.match[1], 1);
  es_bleu_counter_free(c);

  es_bleu_seg one;
  memset(&one, 0, sizeof one);
  one.order = 4;
  one.hyp_len = one.ref_len = 3;
  one.match[0] = 3;
  one.total[0] = 3;
  one.total[1] = 2;
  one.total[2] = 1;
  es_bleu_nltk_opts o;
  es_bleu_nltk_defaults(&o, 4, ES_NLTK_METHOD4);
  o.k = 0;
  double w[4] = {0.25, 0.25, 0.25, 0.25}, score = 0;
  CHECK(es_bleu_nltk_sentence(&one, &o, w, 4, &score) == ES_ERR_ARG);
}

int main(void) {
  review_cases();
  api_edges();
  counter_vs_naive();
  const char *shared = test_shared_dir_opt("peer vectors and the esconv-test golden set");
  toolbox tb;
  toolbox_init(&tb);

  if (shared) {
    sacre_vectors(&tb, shared);
    nltk_vectors(shared);
  }

  char synth[4096], esconv[4096], probe[4200];
  snprintf(synth, sizeof synth, "%s/golden/synth", test_tests_dir());
  snprintf(probe, sizeof probe, "%s/expected.json", synth);
  FILE *f = fopen(probe, "rb");
  if (f)
    fclose(f);
  else if (shared)
    snprintf(synth, sizeof synth, "%s/golden/synth", shared);
  snprintf(esconv, sizeof esconv, "%s/golden/esconv-test", shared ? shared : "/nonexistent");
  golden_set("synth", synth, &tb);
  if (shared) golden_set("esconv-test", esconv, &tb);

  printf("compared %ld values (%ld floats, %ld of them bit-identical), skipped %ld vectors\n",
         n_values, n_floats, n_bitexact, n_skipped);
  speed(&tb, synth, shared ? esconv : NULL);
  toolbox_release(&tb);
  return test_finish("bleu");
}
