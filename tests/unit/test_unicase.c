/*
 * test_unicase: es_utf8_lower() equals Python 3.11 str.lower(), and
 * es_uc_flags() equals Python's character predicates.
 *
 * Fixed cases (accents, dotted I, sigma contexts, Greek, Cyrillic, Kelvin
 * sign, emoji) always run. When python3 3.11 is on the machine, every code
 * point is checked against `ci/gen_unicase.py --vectors` (its lower() and
 * its flags) and 20,000 random strings around final sigma against
 * `ci/gen_unicase.py --strings`; otherwise that part is skipped with a note.
 */
#include "testlib.h"

#include "punkt.h"
#include "tokenize.h"

#include <stdlib.h>

static char *buf;
static size_t cap;

static const char *lower(const char *s) {
  size_t n;
  if (es_utf8_lower(s, strlen(s), &buf, &cap, &n) != ES_OK) return NULL;
  return buf;
}

#define LOWER(in, out) CHECK_STR(lower(in), out)

static void fixed_cases(void) {
  LOWER("", "");
  LOWER("Hello, World!", "hello, world!");
  LOWER("ABCXYZ@[`{ 0123", "abcxyz@[`{ 0123");
  LOWER("CAF\u00c9", "caf\u00e9");
  LOWER("NA\u00cfVE", "na\u00efve");
  LOWER("\u00c9LODIE", "\u00e9lodie");
  LOWER("\u0130", "i\u0307");
  LOWER("\u0130STANBUL", "i\u0307stanbul");
  LOWER("I", "i");
  LOWER("\u212a", "k");          /* Kelvin sign */
  LOWER("\u2126", "\u03c9");     /* Ohm sign */
  LOWER("\u1e9e", "\u00df");     /* capital sharp s */
  LOWER("\u00df", "\u00df");
  LOWER("\u023a", "\u2c65");     /* 2 bytes become 3 */
  LOWER("\u023a\u023a\u023a", "\u2c65\u2c65\u2c65");
  LOWER("\u1f88", "\u1f80");     /* titlecase-ish Greek with prosgegrammeni */
  LOWER("\u01c5", "\u01c6");     /* Dz titlecase */
  LOWER("\u0391\u0392\u0393", "\u03b1\u03b2\u03b3");
  LOWER("\u041f\u0420\u0418\u0412\u0415\u0422", "\u043f\u0440\u0438\u0432\u0435\u0442");
  LOWER("\U00010400", "\U00010428"); /* Deseret */
  LOWER("\U0001F600 OK \U0001F44D", "\U0001F600 ok \U0001F44D");
  LOWER("\u24b6", "\u24d0");     /* circled A */
  LOWER("\u2160", "\u2170");     /* Roman numeral one */
  /* final sigma */
  LOWER("\u03a3", "\u03c3");
  LOWER("\u039f\u03a3", "\u03bf\u03c2");
  LOWER("\u039f\u03a3 ", "\u03bf\u03c2 ");
  LOWER("\u039f\u03a3\u039f", "\u03bf\u03c3\u03bf");
  LOWER("\u039f\u03a3.", "\u03bf\u03c2.");
  LOWER("\u039f\u03a3'", "\u03bf\u03c2'");        /* ' is case-ignorable */
  LOWER("\u039f\u03a3'\u039f", "\u03bf\u03c3'\u03bf");
  LOWER("\u039f'\u03a3", "\u03bf'\u03c2");
  LOWER("'\u03a3", "'\u03c3");
  LOWER("1\u03a3", "1\u03c3");
  LOWER("A\u00ad\u03a3", "a\u00ad\u03c2");         /* soft hyphen skipped */
  LOWER("\u03a3\u03a3", "\u03c3\u03c2");
  LOWER("A\u03a3\u03a3", "a\u03c3\u03c2");
  LOWER("\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3",
        "\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2");
  LOWER("\u0130\u03a3", "i\u0307\u03c2");
  LOWER("A\u0345\u03a3", "a\u0345\u03c2");         /* cased and ignorable: skipped */

  /* the eight-bytes-at-a-time ASCII path: every ASCII byte at every
   * alignment, with a non-ASCII character now and then */
  char in[700], want[700];
  size_t n = 0, m = 0;
  for (int r = 0; r < 5; r++) {
    for (int c = 1; c < 128; c++) {
      in[n++] = (char)c;
      want[m++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    memcpy(in + n, "\xc3\x89", 2); /* É */
    memcpy(want + m, "\xc3\xa9", 2);
    n += 2 + (size_t)r; /* shift the alignment of what follows */
    m += 2 + (size_t)r;
    for (int k = r; k > 0; k--) in[n - k] = want[m - k] = 'x';
  }
  in[n] = want[m] = '\0';
  for (size_t off = 0; off < 9; off++) LOWER(in + off, want + off);

  CHECK(es_uc_flags('A') & ES_UC_UPPER);
  CHECK(es_uc_flags('a') & ES_UC_LOWER);
  CHECK(es_uc_flags('_') & ES_UC_WORD);
  CHECK(!(es_uc_flags('_') & ES_UC_ALPHA));
  CHECK(es_uc_flags('7') & ES_UC_DIGIT);
  CHECK(es_uc_flags(0x0663) & ES_UC_DIGIT); /* Arabic-Indic three */
  CHECK(!(es_uc_flags(0x00b2) & ES_UC_DIGIT) && (es_uc_flags(0x00b2) & ES_UC_WORD));
  CHECK(es_uc_flags(0x1c) & ES_UC_SPACE);
  CHECK(es_uc_flags(0x3000) & ES_UC_SPACE);
  CHECK(!(es_uc_flags(0x200b) & ES_UC_SPACE));
  CHECK(es_uc_flags(0x110000) == 0);
}

static int hexval(int c) {
  return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* Decodes lower-case hex s[0..n) into out (NUL-terminated); returns length. */
static size_t unhex(const char *s, size_t n, char *out) {
  size_t k = 0;
  for (size_t i = 0; i + 1 < n; i += 2) out[k++] = (char)(hexval(s[i]) << 4 | hexval(s[i + 1]));
  out[k] = '\0';
  return k;
}

static FILE *open_python(const char *mode) {
  char cmd[4096];
  const char *src = getenv("ESBENCH_SRC");
  if (!src || !*src) src = ESBENCH_SOURCE_DIR;
  if (system("python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' "
             ">/dev/null 2>&1") != 0)
    return NULL;
  snprintf(cmd, sizeof cmd, "python3 '%s/ci/gen_unicase.py' %s", src, mode);
  return popen(cmd, "r");
}

/* Every code point: lower() and flags against Python. */
static void exhaustive(void) {
  FILE *f = open_python("--vectors");
  if (!f) {
    fprintf(stderr, "NOTE: python3 3.11 absent, exhaustive code point check skipped\n");
    return;
  }
  char line[256], in[8], want[64];
  unsigned long count = 0, bad = 0;
  while (fgets(line, sizeof line, f)) {
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
    if (!t2) continue;
    uint32_t cp = (uint32_t)strtoul(line, NULL, 16);
    size_t wn = unhex(t1 + 1, (size_t)(t2 - t1 - 1), want);
    unsigned flags = (unsigned)strtoul(t2 + 1, NULL, 10);
    /* encode cp as UTF-8 */
    size_t n = 0;
    if (cp < 0x80) in[n++] = (char)cp;
    else if (cp < 0x800) {
      in[n++] = (char)(0xc0 | cp >> 6);
      in[n++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      in[n++] = (char)(0xe0 | cp >> 12);
      in[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
      in[n++] = (char)(0x80 | (cp & 0x3f));
    } else {
      in[n++] = (char)(0xf0 | cp >> 18);
      in[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
      in[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
      in[n++] = (char)(0x80 | (cp & 0x3f));
    }
    size_t got_n = 0;
    int ok = es_utf8_lower(in, n, &buf, &cap, &got_n) == ES_OK && got_n == wn &&
             memcmp(buf, want, wn) == 0 && es_uc_flags(cp) == flags;
    if (!ok && ++bad <= 10)
      test_fail(__FILE__, __LINE__, "U+%04X: lower or flags (%u, want %u) differ", (unsigned)cp,
                es_uc_flags(cp), flags);
    count++;
  }
  CHECK_INT(pclose(f), 0);
  CHECK_INT(count, 0x110000 - 0x800);
  CHECK_INT(bad, 0);
  fprintf(stderr, "exhaustive: %lu code points checked, %lu differ\n", count, bad);
}

/* Random strings around final sigma against Python. */
static void sigma_strings(void) {
  FILE *f = open_python("--strings");
  if (!f) return;
  char line[512], in[128], want[256];
  unsigned long count = 0, bad = 0;
  while (fgets(line, sizeof line, f)) {
    char *t1 = strchr(line, '\t');
    if (!t1) continue;
    size_t n = unhex(line, (size_t)(t1 - line), in);
    size_t wn = unhex(t1 + 1, strcspn(t1 + 1, "\n"), want);
    size_t got_n = 0;
    int ok = es_utf8_lower(in, n, &buf, &cap, &got_n) == ES_OK && got_n == wn &&
             memcmp(buf, want, wn) == 0;
    if (!ok && ++bad <= 10) test_fail(__FILE__, __LINE__, "lower('%s') = '%s', want '%s'", in, buf, want);
    count++;
  }
  CHECK_INT(pclose(f), 0);
  CHECK_INT(count, 20000);
  CHECK_INT(bad, 0);
}

int main(void) {
  fixed_cases();
  exhaustive();
  sigma_strings();
  free(buf);
  return test_finish("unicase");
}
