/*
 * test_tok13a: sacrebleu's 13a tokenizer (metrics/tok_13a.c).
 *
 *   1. the peer vectors (golden/peer-vectors/tokenize_13a.json);
 *   2. hand-derived cases for every rule and the step-1 replacements;
 *   3. random strings against a literal implementation of sacrebleu's steps
 *      (str.replace passes, then re.sub with each pattern, on code points;
 *      then ' '.join(line.split())), written here as the oracle;
 *   4. the token counts sacrebleu found on every line of the golden sets
 *      (sys_len and ref_len of sacrebleu.per_line_stats);
 *   5. speed on 20,000 real lines.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "esmetrics.h"
#include "testlib.h"

/* ---- tokenizing into one string --------------------------------------- */

typedef struct {
  char *s;
  size_t len, cap;
  size_t ntok;
} strbuf;

static void sb_put(strbuf *b, const char *s, size_t n) {
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->s = realloc(b->s, b->cap);
    if (!b->s) abort();
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

static int join_cb(void *ctx, const char *tok, size_t len) {
  strbuf *b = ctx;
  if (b->ntok++) sb_put(b, " ", 1);
  sb_put(b, tok, len);
  return 0;
}

static int count_cb(void *ctx, const char *tok, size_t len) {
  (void)tok;
  (void)len;
  ++*(size_t *)ctx;
  return 0;
}

/* The 13a tokens of s joined by single spaces (malloc'ed), or NULL. */
static char *tok13a(es_tokenizer *t, const char *s, size_t n) {
  strbuf b = {0};
  sb_put(&b, "", 0);
  if (es_tokenize_cb(t, s, n, join_cb, &b) != ES_OK) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* ---- the oracle --------------------------------------------------------- */

typedef struct {
  uint32_t *c;
  size_t n, cap;
} cps;

static void cp_push(cps *a, uint32_t c) {
  if (a->n == a->cap) {
    a->cap = a->cap ? a->cap * 2 : 64;
    a->c = realloc(a->c, a->cap * sizeof *a->c);
    if (!a->c) abort();
  }
  a->c[a->n++] = c;
}

static cps decode(const char *s, size_t n) {
  cps a = {0};
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    uint32_t c = u[i];
    int k = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    if (k) c &= 0x3f >> k;
    i++;
    for (int j = 0; j < k; j++) c = c << 6 | (u[i++] & 0x3f);
    cp_push(&a, c);
  }
  return a;
}

static void encode(uint32_t c, strbuf *b) {
  char t[4];
  size_t n;
  if (c < 0x80) {
    t[0] = (char)c;
    n = 1;
  } else if (c < 0x800) {
    t[0] = (char)(0xc0 | c >> 6);
    t[1] = (char)(0x80 | (c & 0x3f));
    n = 2;
  } else if (c < 0x10000) {
    t[0] = (char)(0xe0 | c >> 12);
    t[1] = (char)(0x80 | (c >> 6 & 0x3f));
    t[2] = (char)(0x80 | (c & 0x3f));
    n = 3;
  } else {
    t[0] = (char)(0xf0 | c >> 18);
    t[1] = (char)(0x80 | (c >> 12 & 0x3f));
    t[2] = (char)(0x80 | (c >> 6 & 0x3f));
    t[3] = (char)(0x80 | (c & 0x3f));
    n = 4;
  }
  sb_put(b, t, n);
}

/* Python str.replace(pat, rep) on code points. */
static cps py_replace(cps a, const char *pat, const char *rep) {
  cps p = decode(pat, strlen(pat)), r = decode(rep, strlen(rep)), o = {0};
  for (size_t i = 0; i < a.n;) {
    if (p.n && i + p.n <= a.n && memcmp(a.c + i, p.c, p.n * sizeof *p.c) == 0) {
      for (size_t k = 0; k < r.n; k++) cp_push(&o, r.c[k]);
      i += p.n;
    } else {
      cp_push(&o, a.c[i++]);
    }
  }
  free(a.c);
  free(p.c);
  free(r.c);
  return o;
}

static int is_digit(uint32_t c) { return c >= '0' && c <= '9'; }
static int not_digit(uint32_t c) { return !is_digit(c); }
static int is_pc(uint32_t c) { return c == '.' || c == ','; }
static int is_dash(uint32_t c) { return c == '-'; }
/* [\{-\~\[-\` -\&\(-\+\:-\@\/] */
static int is_r1(uint32_t c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

/* re.sub for a two-group pattern (A)(B): scan left to right, a match
 * consumes both characters; tmpl uses '1' and '2' for the groups. */
static cps py_sub2(cps a, int (*A)(uint32_t), int (*B)(uint32_t), const char *tmpl) {
  cps o = {0};
  for (size_t i = 0; i < a.n;) {
    if (i + 1 < a.n && A(a.c[i]) && B(a.c[i + 1])) {
      for (const char *t = tmpl; *t; t++)
        cp_push(&o, *t == '1' ? a.c[i] : *t == '2' ? a.c[i + 1] : (uint32_t)*t);
      i += 2;
    } else {
      cp_push(&o, a.c[i++]);
    }
  }
  free(a.c);
  return o;
}

/* Python str.isspace() */
static int py_space(uint32_t c) {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
         c == 0x202f || c == 0x205f || c == 0x3000;
}

/* Tokenizer13a()(line) followed by ' '.join(line.split()), literally. */
static char *oracle13a(const char *s, size_t n) {
  cps a = decode(s, n);
  a = py_replace(a, "<skipped>", "");
  a = py_replace(a, "-\n", "");
  a = py_replace(a, "\n", " ");
  a = py_replace(a, "&quot;", "\"");
  a = py_replace(a, "&amp;", "&");
  a = py_replace(a, "&lt;", "<");
  a = py_replace(a, "&gt;", ">");
  cps p = {0}; /* f' {line} ' */
  cp_push(&p, ' ');
  for (size_t i = 0; i < a.n; i++) cp_push(&p, a.c[i]);
  cp_push(&p, ' ');
  free(a.c);
  cps r1 = {0}; /* ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 ' */
  for (size_t i = 0; i < p.n; i++) {
    if (is_r1(p.c[i])) {
      cp_push(&r1, ' ');
      cp_push(&r1, p.c[i]);
      cp_push(&r1, ' ');
    } else {
      cp_push(&r1, p.c[i]);
    }
  }
  free(p.c);
  cps x = py_sub2(r1, not_digit, is_pc, "1 2 ");
  x = py_sub2(x, is_pc, not_digit, " 1 2");
  x = py_sub2(x, is_digit, is_dash, "1 2 ");
  strbuf b = {0};
  sb_put(&b, "", 0);
  int in = 0;
  for (size_t i = 0; i < x.n; i++) {
    if (py_space(x.c[i])) {
      in = 0;
      continue;
    }
    if (!in && b.len) sb_put(&b, " ", 1);
    in = 1;
    encode(x.c[i], &b);
  }
  free(x.c);
  return b.s;
}

/* ---- 1. peer vectors ---------------------------------------------------- */

static int peer_vectors(es_tokenizer *t, const char *shared) {
  char path[4096];
  snprintf(path, sizeof path, "%s/golden/peer-vectors/tokenize_13a.json", shared);
  char *text = test_read_file(path, NULL);
  CHECK_MSG(text != NULL, "cannot read '%s'", path);
  if (!text) return 0;
  cJSON *root = cJSON_Parse(text);
  free(text);
  CHECK_MSG(cJSON_IsArray(root), "'%s' is not a JSON list", path);
  int n = 0;
  cJSON *v;
  cJSON_ArrayForEach(v, root) {
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(v, "id"));
    const char *in = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(v, "input"), "text"));
    const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(v, "recomputed"));
    CHECK_MSG(in && want, "%s: no input.text / recomputed", id ? id : "?");
    if (!in || !want) continue;
    char *got = tok13a(t, in, strlen(in));
    CHECK_MSG(got && strcmp(got, want) == 0, "%s: 13a('%s') = '%s', sacrebleu '%s'", id, in,
              got ? got : "(error)", want);
    free(got);
    n++;
  }
  cJSON_Delete(root);
  return n;
}

/* ---- 2. hand-derived cases ---------------------------------------------- */

static const struct {
  const char *in, *want;
} cases[] = {
    {"", ""},
    {"   ", ""},
    {"The dog bit the man.", "The dog bit the man ."},
    {"3.5 1,000 10%", "3.5 1,000 10 %"},
    {"end. end, end", "end . end , end"},
    {"U.S.A.", "U . S . A ."},
    {"e.g.,", "e . g . ,"},
    {"a..5", "a . .5"},           /* R2 takes "a.", the second '.' keeps its digit */
    {"1..", "1 . ."},
    {"1.,5", "1 . , 5"},
    {"1.5.2", "1.5.2"},
    {"a.1.b", "a . 1 . b"},
    {".5", ". 5"},                /* the padding space is R2's first group */
    {"5.", "5 ."},                /* and R3's second */
    {"10-20 well-known x-1 -5", "10 - 20 well-known x-1 -5"},
    {"9:30 $5.00 (a) [b] {c}", "9 : 30 $ 5.00 ( a ) [ b ] { c }"},
    {"don't", "don't"},
    {"a/b@c#d", "a / b @ c # d"},
    {"x&amp;y &lt;tag&gt; &quot;q&quot;", "x & y < tag > \" q \""},
    {"&amp;lt;", "<"},            /* &amp; -> & makes a &lt; for the next pass */
    {"&amp;quot;", "& quot ;"},   /* ... but &quot; was replaced before &amp; */
    {"<skip<skipped>ped>", "< skipped >"},
    {"a-\nb", "ab"},
    {"a-<skipped>\nb", "ab"},
    {"a\nb", "a b"},
    {"Hello! How are you \r doing today?", "Hello ! How are you doing today ?"},
    {"caf\xc3\xa9. na\xc3\xafve", "caf\xc3\xa9 . na\xc3\xafve"},
    {"a\xc2\xa0" "b\xe3\x80\x80" "c", "a b c"},          /* NBSP, ideographic space */
    {"\xef\xbb\xbf" "Hallo", "\xef\xbb\xbf" "Hallo"},    /* a BOM is not white space */
    {"a\x1c" "b\x0b" "c", "a b c"},
};

static void hand_cases(es_tokenizer *t) {
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = tok13a(t, cases[i].in, strlen(cases[i].in));
    char *ora = oracle13a(cases[i].in, strlen(cases[i].in));
    CHECK_MSG(got && strcmp(got, cases[i].want) == 0, "case %zu: 13a('%s') = '%s', want '%s'", i,
              cases[i].in, got ? got : "(error)", cases[i].want);
    CHECK_MSG(strcmp(ora, cases[i].want) == 0, "case %zu: oracle('%s') = '%s', want '%s'", i,
              cases[i].in, ora, cases[i].want);
    free(got);
    free(ora);
  }
}

/* ---- 3. random strings against the oracle -------------------------------- */

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;
static uint32_t rnd(uint32_t n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % n);
}

static const char *const pieces[] = {
    "a", "Z", "x", "0", "1", "9", "42", ".", ",", "-", "'", " ", " ", "\t", "\r", "\n", "&",
    ";", "quot", "amp", "lt", "gt", "&quot;", "&amp;", "&lt;", "&gt;", "<skipped>", "skipped",
    "<", ">", "-\n", "(", ")", "/", "$", "%", "_", "~", "@", "\xc3\xa9", "\xe2\x82\xac",
    "\xc2\xa0", "\xe2\x80\x83", "\xe3\x80\x80", "\xc2\x85", "\x1c", "\x0b", "\xf0\x9f\x98\x8a",
    "...", "\xe2\x80\xa6", "--",
};

static long fuzz(es_tokenizer *t, long iterations) {
  const size_t np = sizeof pieces / sizeof pieces[0];
  char line[512];
  long bad = 0;
  for (long it = 0; it < iterations; it++) {
    size_t n = 0, k = rnd(24);
    line[0] = '\0';
    for (size_t j = 0; j < k; j++) {
      const char *p = pieces[rnd((uint32_t)np)];
      size_t pl = strlen(p);
      memcpy(line + n, p, pl);
      n += pl;
    }
    line[n] = '\0';
    char *got = tok13a(t, line, n);
    char *want = oracle13a(line, n);
    if (!got || strcmp(got, want) != 0) {
      bad++;
      CHECK_MSG(0, "fuzz %ld: 13a('%s') = '%s', oracle '%s'", it, line, got ? got : "(error)",
                want);
    }
    free(got);
    free(want);
  }
  test_checks++;
  return bad;
}

/* ---- 4. golden token counts -------------------------------------------- */

static char **read_lines(const char *dir, const char *name, size_t *n, char **buf) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  *buf = test_read_file(path, NULL);
  if (!*buf) return NULL;
  return test_split_lines(*buf, n);
}

static size_t ntokens(es_tokenizer *t, const char *s) {
  size_t n = 0;
  if (es_tokenize_cb(t, s, strlen(s), count_cb, &n) != ES_OK) return (size_t)-1;
  return n;
}

/* Compares token counts with per_line_stats[i][0] (sys_len) and [1]
 * (ref_len, one reference) for hyp_a and hyp_b; returns values compared. */
static long golden_counts(es_tokenizer *t, const char *dir, const char *set) {
  char path[4096];
  snprintf(path, sizeof path, "%s/expected.json", dir);
  char *text = test_read_file(path, NULL);
  if (!text) {
    CHECK_MSG(0, "cannot read '%s'", path);
    return 0;
  }
  cJSON *root = cJSON_Parse(text);
  free(text);
  char *rbuf = NULL;
  size_t nref = 0;
  char **ref = read_lines(dir, "ref.txt", &nref, &rbuf);
  CHECK_MSG(root && ref, "%s: cannot load expected.json / ref.txt", set);
  long compared = 0;
  static const char *const systems[] = {"hyp_a", "hyp_b"};
  for (int s = 0; root && ref && s < 2; s++) {
    char *hbuf = NULL, name[32];
    size_t nhyp = 0;
    snprintf(name, sizeof name, "%s.txt", systems[s]);
    char **hyp = read_lines(dir, name, &nhyp, &hbuf);
    cJSON *stats = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "systems"), systems[s]),
                            "sacrebleu"),
        "per_line_stats");
    CHECK_MSG(hyp && nhyp == nref && cJSON_GetArraySize(stats) == (int)nref,
              "%s/%s: line counts differ", set, systems[s]);
    for (size_t i = 0; hyp && nhyp == nref && i < nref && i < (size_t)cJSON_GetArraySize(stats); i++) {
      cJSON *row = cJSON_GetArrayItem(stats, (int)i);
      long want_sys = (long)cJSON_GetArrayItem(row, 0)->valuedouble;
      long want_ref = (long)cJSON_GetArrayItem(row, 1)->valuedouble;
      long got_sys = (long)ntokens(t, hyp[i]), got_ref = (long)ntokens(t, ref[i]);
      CHECK_MSG(got_sys == want_sys, "%s/%s line %zu: 13a sys_len %ld, sacrebleu %ld", set,
                systems[s], i + 1, got_sys, want_sys);
      CHECK_MSG(got_ref == want_ref, "%s/%s line %zu: 13a ref_len %ld, sacrebleu %ld", set,
                systems[s], i + 1, got_ref, want_ref);
      compared += 2;
    }
    free(hyp);
    free(hbuf);
  }
  free(ref);
  free(rbuf);
  cJSON_Delete(root);
  return compared;
}

/* ---- 5. speed ----------------------------------------------------------- */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine may be busy */
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void speed(es_tokenizer *t, const char *dir) {
  const char *files[] = {"ref.txt", "hyp_a.txt", "hyp_b.txt"};
  char *bufs[3] = {0};
  char **lines[3] = {0};
  size_t n[3] = {0};
  for (int f = 0; f < 3; f++) {
    lines[f] = read_lines(dir, files[f], &n[f], &bufs[f]);
    if (!lines[f]) goto out;
  }
  /* 20,000 lines of about 150 bytes: pairs of consecutive lines joined */
  enum { NLINES = 20000 };
  char **work = malloc(NLINES * sizeof *work);
  size_t bytes = 0;
  for (size_t i = 0; i < NLINES; i++) {
    int f = (int)(i % 3);
    const char *a = lines[f][i % n[f]], *b = lines[f][(i + 7) % n[f]];
    size_t la = strlen(a), lb = strlen(b);
    size_t take = la + 1 + lb > 150 ? (150 > la + 1 ? 150 - la - 1 : 0) : lb;
    work[i] = malloc(la + 1 + take + 1);
    memcpy(work[i], a, la);
    work[i][la] = ' ';
    memcpy(work[i] + la + 1, b, take);
    work[i][la + 1 + take] = '\0';
    bytes += la + 1 + take;
  }
  size_t toks = 0;
  double best = 1e30;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = now_ms();
    toks = 0;
    for (size_t i = 0; i < NLINES; i++) es_tokenize_cb(t, work[i], strlen(work[i]), count_cb, &toks);
    double dt = now_ms() - t0;
    if (dt < best) best = dt;
  }
  printf("speed: 13a on %d lines (%.1f bytes/line, %zu tokens): %.2f ms (best of 5, UTF-8 "
         "validation included)\n",
         NLINES, (double)bytes / NLINES, toks, best);
  for (size_t i = 0; i < NLINES; i++) free(work[i]);
  free(work);
out:
  for (int f = 0; f < 3; f++) {
    free(lines[f]);
    free(bufs[f]);
  }
}

int main(void) {
  es_tokenizer *t = NULL;
  CHECK(es_tokenizer_new(ES_TOK_13A, 0, &t) == ES_OK);
  if (!t) return test_finish("tok13a");
  CHECK_STR(es_tok_kind_name(ES_TOK_13A), "13a");

  hand_cases(t);
  long bad = fuzz(t, 200000);
  printf("oracle: 200000 random strings, %ld differ\n", bad);

  const char *shared = test_shared_dir_opt("peer vectors and the esconv-test golden set");
  int npeer = shared ? peer_vectors(t, shared) : 0;
  printf("peer vectors: %d compared\n", npeer);

  char dir[4096];
  snprintf(dir, sizeof dir, "%s/golden/synth/expected.json", test_tests_dir());
  FILE *probe = fopen(dir, "rb");
  if (probe) {
    fclose(probe);
    snprintf(dir, sizeof dir, "%s/golden/synth", test_tests_dir());
  } else {
    snprintf(dir, sizeof dir, "%s/golden/synth", shared ? shared : "/nonexistent");
  }
  long ns = golden_counts(t, dir, "synth");
  char edir[4096];
  snprintf(edir, sizeof edir, "%s/golden/esconv-test", shared ? shared : "/nonexistent");
  long ne = shared ? golden_counts(t, edir, "esconv-test") : 0;
  printf("golden token counts: synth %ld, esconv-test %ld values compared\n", ns, ne);

  speed(t, edir);
  es_tokenizer_free(t);
  return test_finish("tok13a");
}
