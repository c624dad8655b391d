/*
 * test_tok_nltk: the nltk word tokenizer (ES_TOK_NLTK: Punkt + Treebank)
 * against nltk 3.8's own output.
 *
 *   golden   every line of golden/{synth,esconv-test}/{ref,hyp_a,hyp_b}.txt,
 *            lower-cased and tokenized, equals its line of
 *            tokens/<name>.esconv_tok.txt (word_tokenize(text.lower()));
 *   peer     golden/peer-vectors/tokenize_nltk.json: word_tokenize,
 *            sent_tokenize, word_tokenize per sentence and
 *            NLTKWordTokenizer.tokenize vectors (their `recomputed`);
 *   twins    the hand-written Treebank cascade equals the PCRE2 one (nltk's
 *            regexes, whose \w \d \s are checked against Python's on every
 *            code point) on the golden lines, mixed case and lower case, and
 *            on 30,000 random strings of quotes, periods, contractions,
 *            brackets, digits, white space and non-ASCII letters (word-level
 *            and character-level);
 *   oracle   when nltk 3.8 itself is on the machine (Debian python3-nltk),
 *            `ci/gen_punkt.py --oracle` gives sent_tokenize, word_tokenize
 *            and NLTKWordTokenizer for 5,000 of those random strings
 *            (ESBENCH_ORACLE_N and ESBENCH_ORACLE_SEED change that);
 *   edges    empty text, white space only, lone punctuation, 100 KB lines.
 *
 * Without the shared folder only the synth golden set (tests/golden/synth),
 * the twins and the edges run, and the test then reports a skip.
 *
 * With ESBENCH_BENCH=1 it also prints the median time of tokenizing 20,000
 * golden lines with ES_TOK_NLTK|ES_TOK_LOWER (informative, never fails).
 */
#include "testlib.h"

#include "punkt.h"
#include "tokenize.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <cjson/cJSON.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* ---- token lists as strings ------------------------------------------------ */

/* Tokens joined by sep; the buffer grows as needed. */
typedef struct {
  char *s;
  size_t len, cap;
  char sep;
  size_t count;
} joined;

static int join_cb(void *ctx, const char *tok, size_t len) {
  joined *j = ctx;
  if (j->len + len + 2 > j->cap) {
    size_t cap = (j->len + len + 2) * 2;
    char *ns = realloc(j->s, cap);
    if (!ns) return 1;
    j->s = ns;
    j->cap = cap;
  }
  if (j->count++) j->s[j->len++] = j->sep;
  memcpy(j->s + j->len, tok, len);
  j->len += len;
  j->s[j->len] = '\0';
  return 0;
}

static void join_reset(joined *j, char sep) {
  j->len = 0;
  j->count = 0;
  j->sep = sep;
  if (!j->s) {
    j->cap = 256;
    j->s = malloc(j->cap);
  }
  j->s[0] = '\0';
}

static void join_str(joined *j, const char *s) {
  join_cb(j, s, strlen(s));
}

/* A JSON array of strings joined by sep, into j. */
static void join_json(joined *j, const cJSON *arr, char sep) {
  join_reset(j, sep);
  const cJSON *e;
  cJSON_ArrayForEach(e, arr) join_str(j, cJSON_IsString(e) ? e->valuestring : "(not a string)");
}

/* ---- the tokenizers under test ------------------------------------------------ */

static es_tokenizer *tok_lower, *tok_mixed;
static es_punkt *punkt;
static es_treebank *treebank;

/* word_tokenize(text) with the hand-written (regex == 0) or regex cascade. */
static es_status word_tokenize(const char *text, size_t len, int regex, joined *out, char sep) {
  const es_punkt_span *sp;
  size_t n;
  join_reset(out, sep);
  es_status st = es_punkt_split(punkt, text, len, &sp, &n);
  for (size_t i = 0; st == ES_OK && i < n; i++)
    st = es_treebank_tokenize(treebank, text + sp[i].start, sp[i].end - sp[i].start,
                              regex ? ES_TREEBANK_REGEX : 0, join_cb, out);
  return st;
}

static es_status sent_tokenize(const char *text, size_t len, joined *out, char sep) {
  const es_punkt_span *sp;
  size_t n;
  join_reset(out, sep);
  es_status st = es_punkt_split(punkt, text, len, &sp, &n);
  for (size_t i = 0; st == ES_OK && i < n; i++)
    if (join_cb(out, text + sp[i].start, sp[i].end - sp[i].start)) return ES_ERR_NOMEM;
  return st;
}

static es_status treebank_tokens(const char *text, size_t len, unsigned flags, joined *out,
                                 char sep) {
  join_reset(out, sep);
  return es_treebank_tokenize(treebank, text, len, flags, join_cb, out);
}

/* ---- golden ------------------------------------------------------------------- */

static int is_dir(const char *path) {
  return access(path, R_OK | X_OK) == 0;
}

static unsigned long twin_checked, twin_bad;

/* The two Treebank cascades agree on text (word_tokenize of it). */
static void twins(const char *text, size_t len, const char *where) {
  static joined a, b;
  es_status sa = word_tokenize(text, len, 0, &a, '\n');
  es_status sb = word_tokenize(text, len, 1, &b, '\n');
  twin_checked++;
  if (sa != ES_OK || sb != ES_OK || strcmp(a.s, b.s) != 0) {
    if (++twin_bad <= 10)
      test_fail(__FILE__, __LINE__, "%s: hand-written and regex cascades differ on '%s':\n  [%s]\n  [%s]",
                where, text, a.s, b.s);
  }
}

static void golden_set(const char *dir, const char *set) {
  static const char *names[] = {"ref", "hyp_a", "hyp_b"};
  char path[4096];
  joined got = {0};
  for (size_t k = 0; k < 3; k++) {
    size_t tn, gn, nl, ng;
    snprintf(path, sizeof path, "%s/%s.txt", dir, names[k]);
    char *text = test_read_file(path, &tn);
    snprintf(path, sizeof path, "%s/tokens/%s.esconv_tok.txt", dir, names[k]);
    char *toks = test_read_file(path, &gn);
    CHECK_MSG(text && toks, "cannot read the %s golden files of '%s'", set, names[k]);
    if (!text || !toks) {
      free(text);
      free(toks);
      continue;
    }
    char **lines = test_split_lines(text, &nl);
    char **want = test_split_lines(toks, &ng);
    CHECK_INT(nl, ng);
    unsigned long bad = 0;
    for (size_t i = 0; i < nl && i < ng; i++) {
      join_reset(&got, ' ');
      es_status st = es_tokenize_cb(tok_lower, lines[i], strlen(lines[i]), join_cb, &got);
      if (st != ES_OK || strcmp(got.s, want[i]) != 0) {
        if (++bad <= 10)
          test_fail(__FILE__, __LINE__, "%s/%s.txt:%zu: '%s'\n  got  [%s]\n  want [%s]", set,
                    names[k], i + 1, lines[i], got.s, want[i]);
      }
      /* both cascades, on the line as it is and lower-cased */
      char where[64];
      snprintf(where, sizeof where, "%s/%s.txt:%zu", set, names[k], i + 1);
      twins(lines[i], strlen(lines[i]), where);
      char *low = NULL;
      size_t cap = 0, ln;
      if (es_utf8_lower(lines[i], strlen(lines[i]), &low, &cap, &ln) == ES_OK) twins(low, ln, where);
      free(low);
    }
    CHECK_MSG(bad == 0, "%s/%s: %lu of %zu lines differ", set, names[k], bad, nl);
    fprintf(stderr, "golden %s/%s: %zu lines, %lu differ\n", set, names[k], nl, bad);
    free(lines);
    free(want);
    free(text);
    free(toks);
  }
  free(got.s);
}

/* synth from tests/golden (or the shared folder), esconv-test from the
 * shared folder; shared is NULL when that folder is absent. */
static void golden(const char *shared) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/golden/synth", test_tests_dir());
  if (!is_dir(dir) && shared) snprintf(dir, sizeof dir, "%s/golden/synth", shared);
  if (is_dir(dir)) golden_set(dir, "synth");
  if (!shared) return;
  snprintf(dir, sizeof dir, "%s/golden/esconv-test", shared);
  golden_set(dir, "esconv-test");
}

/* ---- peer vectors -------------------------------------------------------------- */

static void peer_vectors(const char *shared) {
  char path[4096];
  snprintf(path, sizeof path, "%s/golden/peer-vectors/tokenize_nltk.json", shared);
  size_t n;
  char *json = test_read_file(path, &n);
  CHECK_MSG(json != NULL, "cannot read '%s'", path);
  if (!json) return;
  cJSON *root = cJSON_Parse(json);
  free(json);
  CHECK(cJSON_IsArray(root));
  joined got = {0}, want = {0};
  int checked = 0, matched = 0, skipped = 0;
  const cJSON *v;
  cJSON_ArrayForEach(v, root) {
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(v, "id"));
    const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(v, "kind"));
    const cJSON *input = cJSON_GetObjectItem(v, "input"), *opt = cJSON_GetObjectItem(v, "options");
    const cJSON *rec = cJSON_GetObjectItem(v, "recomputed");
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(input, "text"));
    const char *lang = cJSON_GetStringValue(cJSON_GetObjectItem(opt, "language"));
    if (!kind || !text || cJSON_GetObjectItem(v, "skip") || (lang && strcmp(lang, "english"))) {
      skipped++;
      continue;
    }
    size_t len = strlen(text);
    es_status st;
    if (strcmp(kind, "nltk.word_tokenize") == 0) {
      if (cJSON_IsTrue(cJSON_GetObjectItem(opt, "preserve_line"))) {
        skipped++;
        continue;
      }
      join_reset(&got, '\n');
      st = es_tokenize_cb(tok_mixed, text, len, join_cb, &got);
      join_json(&want, rec, '\n');
    } else if (strcmp(kind, "nltk.sent_tokenize") == 0) {
      st = sent_tokenize(text, len, &got, '\x01');
      join_json(&want, rec, '\x01');
    } else if (strcmp(kind, "nltk.word_tokenize per sent_tokenize sentence") == 0) {
      /* one line per sentence, its tokens joined by spaces */
      const es_punkt_span *sp;
      size_t ns;
      joined one = {0};
      join_reset(&got, '\n');
      st = es_punkt_split(punkt, text, len, &sp, &ns);
      for (size_t i = 0; st == ES_OK && i < ns; i++) {
        join_reset(&one, ' ');
        st = es_treebank_tokenize(treebank, text + sp[i].start, sp[i].end - sp[i].start, 0,
                                  join_cb, &one);
        join_str(&got, one.s);
      }
      join_reset(&want, '\n');
      const cJSON *sent;
      cJSON_ArrayForEach(sent, rec) {
        join_json(&one, sent, ' ');
        join_str(&want, one.s);
      }
      free(one.s);
    } else if (strcmp(kind, "nltk.NLTKWordTokenizer.tokenize") == 0) {
      unsigned flags = cJSON_IsTrue(cJSON_GetObjectItem(opt, "convert_parentheses"))
                           ? ES_TREEBANK_PARENS
                           : 0;
      joined other = {0};
      st = treebank_tokens(text, len, flags | ES_TREEBANK_REGEX, &other, '\n');
      if (st == ES_OK) st = treebank_tokens(text, len, flags, &got, '\n');
      join_json(&want, rec, '\n');
      CHECK_MSG(strcmp(other.s, want.s) == 0, "%s: regex cascade [%s], want [%s]", id, other.s,
                want.s);
      free(other.s);
    } else {
      skipped++; /* Treebank tokenizer, span_tokenize, detokenizer: not implemented */
      continue;
    }
    checked++;
    if (st == ES_OK && strcmp(got.s, want.s) == 0) matched++;
    else test_fail(__FILE__, __LINE__, "%s (%s): got [%s], want [%s]", id, kind, got.s, want.s);
  }
  fprintf(stderr, "peer vectors: %d checked, %d matched, %d skipped\n", checked, matched, skipped);
  CHECK_INT(checked, 36);
  CHECK_INT(matched, checked);
  free(got.s);
  free(want.s);
  cJSON_Delete(root);
}

/* ---- random strings ------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (uint32_t)(rng_state % n);
}

static const char *const fragments[] = {
    /* words, abbreviations, initials, numbers */
    "the", "I", "i", "you", "Hello", "WORLD", "Mr", "Mrs", "Dr", "St", "U.S", "e.g", "i.e", "etc",
    "vs", "inc", "co", "Jan", "A", "J", "b", "Z", "no", "However", "But", "and", "Smith",
    "Bach", "3", "42", "3.88", "1,000", "-5", "12.", "1.5.2", "19th", "##number##",
    /* Punkt's model: collocations, sentence starters, abbreviations */
    "business", "Business", "Levine", "Magnin", "B.", "I.", "J.", "O.", "Ludcke", "However",
    "Moreover", "He", "They", "Sales", "sales", "Jan.", "Inc.", "U.S.", "No.", "1.", "2.", "Dec.",
    "Fig.", "Ph.D.", "a.m.", "p.m.", "e.g.", "etc.", "The", "Who", "who", "S.", "x.", "_.",
    /* contractions */
    "can't", "cannot", "CANNOT", "don't", "it's", "IT'S", "I'm", "we're", "they'll", "I've",
    "WE'RE", "he'd", "gonna", "Gonna", "wanna", "gotta", "gimme", "lemme", "more'n", "d'ye",
    "'tis", "'Twas", "'twas", "'t", "n't", "rock'n'roll", "o'clock", "'em", "y'all",
    /* punctuation */
    ".", ".", ".", "..", "...", ". . .", ". .", "?", "!", "!!", "?!", ",", ",", ":", ";", "'",
    "'", "''", "\"", "\"", "`", "``", "(", ")", "[", "]", "{", "}", "<", ">", "-", "--", "---",
    "*", "@", "#", "$", "%", "&", "/", "_", "+", "=", "|", "~", "^", "\\",
    /* non-ASCII */
    "\u00ab", "\u00bb", "\u201c", "\u201d", "\u2018", "\u2019", "\u201e", "\u00e9t\u00e9",
    "CAF\u00c9", "\u03a3\u039f\u03a3", "\u03c3", "\u017f", "\u0131", "\u0130", "\u212a",
    "\u0663", "\u00b2", "\u4e2d\u6587", "\U0001F600", "\u2014", "\u2013", "\u2026", "\u00bf",
    /* white space */
    " ", " ", " ", " ", "  ", "\t", "\n", "\n\n", "\r", "\u00a0", "\u2003", "\u3000", "\x1c",
    "\xc2\x85", "\u2028", "\x0b",
};
#define NFRAG (sizeof fragments / sizeof fragments[0])

/* Single characters and short pieces for character-level strings, where
 * rule interactions (a space one substitution adds completing another's
 * match) show up more often than in word-level text. */
static const char *const pieces[] = {
    "a", "A", "b", "B", ".", " ", " ", "!", "?", "'", "\"", ")", "(", "-", ",", "\n", "\t", ";",
    ":", "`", "*", "]", "}", "[", "{", "<", ">", "&", "1", "t", "T", "s", "S", "n", "N", "i",
    "I", "d", "D", "m", "M", "l", "L", "r", "R", "e", "E", "v", "V", "w", "W", "c", "C", "g",
    "G", "o", "O", "_", "#", "$", "%", "@", "\xc2\x85", "\u00a0", "\u017f", "\u0130",
    "\u0131", "\u03a3", "\u201d", "\u2019", "\u00bb", "\u00ab", "\u201c", "\u2018",
    "\u201e", "\u3000", "\x1c", "\u00e9", "\u0663", "\u00b2", "\u212a", "\r", "\x0b", "\x0c",
    "--", "..", ". .", "'t", "n't", "'s", "can", "not", "wan", "na", "Mr.", "Inc.", "J.", "1.",
    "The", "However", "business", "##number##",
};
#define NPIECES (sizeof pieces / sizeof pieces[0])

/* A random string into buf (cap bytes): of word-level fragments or, every
 * other call, of character-level pieces. */
static size_t random_text(char *buf, size_t cap) {
  static unsigned calls;
  size_t n = 0;
  if (calls++ & 1) {
    size_t k = rnd(41);
    for (size_t i = 0; i < k; i++) {
      const char *f = pieces[rnd(NPIECES)];
      size_t fl = strlen(f);
      if (n + fl + 1 >= cap) break;
      memcpy(buf + n, f, fl);
      n += fl;
    }
    buf[n] = '\0';
    return n;
  }
  size_t k = 1 + rnd(24);
  for (size_t i = 0; i < k; i++) {
    const char *f = fragments[rnd(NFRAG)];
    size_t fl = strlen(f);
    if (n + fl + 2 >= cap) break;
    memcpy(buf + n, f, fl);
    n += fl;
    if (rnd(3) == 0) buf[n++] = ' ';
  }
  buf[n] = '\0';
  return n;
}

static void random_twins(void) {
  char buf[512];
  joined a = {0}, b = {0};
  unsigned long bad = 0;
  for (int i = 0; i < 30000; i++) {
    size_t n = random_text(buf, sizeof buf);
    /* the Treebank cascades alone, on the whole string */
    treebank_tokens(buf, n, 0, &a, '\n');
    treebank_tokens(buf, n, ES_TREEBANK_REGEX, &b, '\n');
    if (strcmp(a.s, b.s) != 0 && ++bad <= 10)
      test_fail(__FILE__, __LINE__, "treebank cascades differ on '%s':\n  [%s]\n  [%s]", buf, a.s, b.s);
    treebank_tokens(buf, n, ES_TREEBANK_PARENS, &a, '\n');
    treebank_tokens(buf, n, ES_TREEBANK_PARENS | ES_TREEBANK_REGEX, &b, '\n');
    if (strcmp(a.s, b.s) != 0 && ++bad <= 10)
      test_fail(__FILE__, __LINE__, "treebank cascades (parens) differ on '%s'", buf);
    twins(buf, n, "random");
  }
  CHECK_INT(bad, 0);
  free(a.s);
  free(b.s);
}

/* The python3 that has nltk 3.8, or NULL. */
static const char *nltk_python(void) {
  static const char *const cands[] = {"python3", "/usr/bin/python3"};
  for (size_t i = 0; i < 2; i++) {
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "%s -c 'import sys, nltk; sys.exit(nltk.__version__ != \"3.8\")' >/dev/null 2>&1",
             cands[i]);
    if (system(cmd) == 0) return cands[i];
  }
  return NULL;
}

static void oracle(const char *shared) {
  const char *py = nltk_python();
  if (!py) {
    fprintf(stderr, "NOTE: nltk 3.8 absent, comparison with nltk on random text skipped\n");
    return;
  }
  char inpath[] = "/tmp/test_tok_nltk_XXXXXX";
  int fd = mkstemp(inpath);
  CHECK(fd >= 0);
  if (fd < 0) return;
  FILE *in = fdopen(fd, "w");
  /* ESBENCH_ORACLE_N and ESBENCH_ORACLE_SEED widen the search by hand */
  const char *en = getenv("ESBENCH_ORACLE_N"), *es = getenv("ESBENCH_ORACLE_SEED");
  int N = en && atoi(en) > 0 ? atoi(en) : 5000;
  char **texts = calloc((size_t)N, sizeof *texts);
  char buf[512];
  rng_state = es && strtoull(es, NULL, 10) ? strtoull(es, NULL, 10) : 12345;
  for (int i = 0; i < N; i++) {
    random_text(buf, sizeof buf);
    texts[i] = strdup(buf);
    cJSON *tmp = cJSON_CreateString(buf);
    char *js = cJSON_PrintUnformatted(tmp);
    cJSON_Delete(tmp);
    fprintf(in, "%s\n", js);
    free(js);
  }
  fclose(in);
  char cmd[8192];
  const char *src = getenv("ESBENCH_SRC");
  if (!src || !*src) src = ESBENCH_SOURCE_DIR;
  snprintf(cmd, sizeof cmd, "%s '%s/ci/gen_punkt.py' --oracle '%s/golden/punkt-english' < '%s'", py,
           src, shared, inpath);
  FILE *out = popen(cmd, "r");
  CHECK(out != NULL);
  size_t lcap = 1 << 16;
  char *line = malloc(lcap);
  joined got = {0}, want = {0};
  int count = 0;
  unsigned long bad = 0;
  while (out && fgets(line, (int)lcap, out) && count < N) {
    cJSON *o = cJSON_Parse(line);
    const char *t = texts[count++];
    size_t n = strlen(t);
    sent_tokenize(t, n, &got, '\x01');
    join_json(&want, cJSON_GetObjectItem(o, "sents"), '\x01');
    if (strcmp(got.s, want.s) != 0 && ++bad <= 10)
      test_fail(__FILE__, __LINE__, "sent_tokenize('%s') differs from nltk", t);
    word_tokenize(t, n, 0, &got, '\n');
    join_json(&want, cJSON_GetObjectItem(o, "words"), '\n');
    if (strcmp(got.s, want.s) != 0 && ++bad <= 10)
      test_fail(__FILE__, __LINE__, "word_tokenize('%s') differs from nltk:\n  [%s]\n  [%s]", t,
                got.s, want.s);
    treebank_tokens(t, n, 0, &got, '\n');
    join_json(&want, cJSON_GetObjectItem(o, "treebank"), '\n');
    if (strcmp(got.s, want.s) != 0 && ++bad <= 10)
      test_fail(__FILE__, __LINE__, "NLTKWordTokenizer('%s') differs from nltk:\n  [%s]\n  [%s]", t,
                got.s, want.s);
    cJSON_Delete(o);
  }
  if (out) CHECK_INT(pclose(out), 0);
  CHECK_INT(count, N);
  CHECK_INT(bad, 0);
  fprintf(stderr, "oracle: %d random texts compared with nltk 3.8, %lu differences\n", count, bad);
  unlink(inpath);
  for (int i = 0; i < N; i++) free(texts[i]);
  free(texts);
  free(line);
  free(got.s);
  free(want.s);
}

/* ---- the regex reference's character classes ------------------------------- */

static size_t encode(uint32_t cp, unsigned char *o) {
  if (cp < 0x80) return o[0] = (unsigned char)cp, 1;
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xc0 | cp >> 6);
    o[1] = (unsigned char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xe0 | cp >> 12);
    o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    o[2] = (unsigned char)(0x80 | (cp & 0x3f));
    return 3;
  }
  o[0] = (unsigned char)(0xf0 | cp >> 18);
  o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
  o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
  o[3] = (unsigned char)(0x80 | (cp & 0x3f));
  return 4;
}

/* The PCRE2 cascade is a faithful reference only if PCRE2's \w and \d
 * (UTF + UCP) are Python's and the class it spells \s with is Python's \s:
 * every code point against es_uc_flags (test_unicase checks that one
 * against Python itself). */
static void regex_classes(void) {
  static const struct {
    const char *pattern;
    unsigned flag;
  } cls[] = {
      {"^\\w$", ES_UC_WORD},
      {"^\\d$", ES_UC_DIGIT},
      {"^[\\t-\\r\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"
       "\\x{202f}\\x{205f}\\x{3000}]$",
       ES_UC_SPACE},
  };
  pcre2_match_data *md = pcre2_match_data_create(1, NULL);
  for (size_t k = 0; k < sizeof cls / sizeof cls[0]; k++) {
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)cls[k].pattern, PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
    CHECK(code != NULL);
    if (!code) continue;
    unsigned long bad = 0;
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      unsigned char b[4];
      size_t n = encode(cp, b);
      int m = pcre2_match(code, b, n, 0, 0, md, NULL) >= 0;
      if (m != ((es_uc_flags(cp) & cls[k].flag) != 0) && ++bad <= 5)
        test_fail(__FILE__, __LINE__, "%s and Python disagree on U+%04X", cls[k].pattern,
                  (unsigned)cp);
    }
    CHECK_INT(bad, 0);
    pcre2_code_free(code);
  }
  pcre2_match_data_free(md);
}

/* ---- edges ---------------------------------------------------------------------- */

static void check_words(const char *text, const char *want) {
  joined got = {0};
  join_reset(&got, ' ');
  CHECK_INT(es_tokenize_cb(tok_mixed, text, strlen(text), join_cb, &got), ES_OK);
  CHECK_STR(got.s, want);
  free(got.s);
}

static void edges(void) {
  check_words("", "");
  check_words("   \t\n ", "");
  check_words(".", ".");
  check_words("?", "?");
  check_words("!!!", "! ! !");
  check_words("...", "...");
  check_words("'", "'");
  check_words("\"", "``");
  check_words("''", "''");
  check_words("(", "(");
  check_words("-", "-");
  check_words(",", ",");
  check_words("Hello. World.", "Hello . World .");
  check_words("I can't go, can you?", "I ca n't go , can you ?");
  check_words("i'm so sorry to hear that. it's hard.", "i 'm so sorry to hear that . it 's hard .");
  check_words("Mr. Smith went to Washington.", "Mr. Smith went to Washington .");

  /* long lines: never crash, and the cascades agree */
  size_t big = 100 * 1024;
  char *s = malloc(big + 1);
  const char *unit[] = {"word. ", "a", ".", "!", "'", "\"", " ", "--", "\u00e9", "(x) "};
  for (size_t u = 0; u < sizeof unit / sizeof unit[0]; u++) {
    size_t n = 0, ul = strlen(unit[u]);
    while (n + ul <= big) {
      memcpy(s + n, unit[u], ul);
      n += ul;
    }
    s[n] = '\0';
    joined got = {0};
    join_reset(&got, ' ');
    CHECK_INT(es_tokenize_cb(tok_lower, s, n, join_cb, &got), ES_OK);
    free(got.s);
    twins(s, n, "long line");
  }
  free(s);
}

/* ---- timing (ESBENCH_BENCH=1) --------------------------------------------------- */

static int count_cb(void *ctx, const char *tok, size_t len) {
  (void)tok;
  (void)len;
  (*(size_t *)ctx)++;
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void bench(const char *shared) {
  const char *e = getenv("ESBENCH_BENCH");
  if (!e || strcmp(e, "1") != 0) return;
  char path[4096];
  const char *files[] = {"synth/ref", "synth/hyp_a", "esconv-test/ref", "esconv-test/hyp_a"};
  char *bufs[4];
  char **lines = malloc(20000 * sizeof *lines);
  size_t nlines = 0, bytes = 0;
  for (int f = 0; f < 4; f++) {
    snprintf(path, sizeof path, "%s/golden/%s.txt", shared, files[f]);
    bufs[f] = test_read_file(path, NULL);
    size_t nl;
    char **l = bufs[f] ? test_split_lines(bufs[f], &nl) : NULL;
    for (size_t i = 0; l && i < nl; i++) lines[nlines++] = l[i];
    free(l);
  }
  /* repeat to 20,000 lines */
  for (size_t i = nlines; nlines && i < 20000; i++) lines[i] = lines[i % nlines];
  nlines = nlines ? 20000 : 0;
  for (size_t i = 0; i < nlines; i++) bytes += strlen(lines[i]);
  double t[15];
  size_t toks = 0;
  for (int r = 0; r < 15; r++) {
    double t0 = now();
    for (size_t i = 0; i < nlines; i++)
      es_tokenize_cb(tok_lower, lines[i], strlen(lines[i]), count_cb, &toks);
    t[r] = now() - t0;
  }
  qsort(t, 15, sizeof t[0], cmp_double);
  fprintf(stderr, "bench: %zu lines, %zu bytes: median %.2f ms (min %.2f ms), %zu tokens/run\n",
          nlines, bytes, t[7] * 1e3, t[0] * 1e3, toks / 15);
  for (int f = 0; f < 4; f++) free(bufs[f]);
  free(lines);
}

int main(void) {
  const char *shared = test_shared_dir_opt("peer vectors, the esconv-test golden set and the nltk oracle");
  CHECK_INT(es_tokenizer_new(ES_TOK_NLTK, ES_TOK_LOWER, &tok_lower), ES_OK);
  CHECK_INT(es_tokenizer_new(ES_TOK_NLTK, 0, &tok_mixed), ES_OK);
  CHECK_INT(es_punkt_new(&punkt), ES_OK);
  CHECK_INT(es_treebank_new(&treebank), ES_OK);
  if (!tok_lower || !tok_mixed || !punkt || !treebank) return test_finish("tok_nltk");
  edges();
  regex_classes();
  golden(shared);
  random_twins();
  fprintf(stderr, "twins: %lu texts, %lu differ\n", twin_checked, twin_bad);
  CHECK_INT(twin_bad, 0);
  if (shared) {
    peer_vectors(shared);
    oracle(shared);
    bench(shared);
  }
  es_tokenizer_free(tok_lower);
  es_tokenizer_free(tok_mixed);
  es_punkt_free(punkt);
  es_treebank_free(treebank);
  return test_finish("tok_nltk");
}
