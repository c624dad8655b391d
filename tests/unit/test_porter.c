/*
 * test_porter: nltk 3.8's Porter stemmer (metrics/porter.c).
 *
 *   1. 208 word -> stem pairs written by hand from the algorithm (every
 *      irregular form, the special cases of each step, -ies/-ied/-ing/-eed,
 *      -ational/-ization/-fulness/-ousli, 'dying', 'lying', 'skies', 'news',
 *      'proceed'/'exceed'/'succeed' and their inflections), then checked
 *      against nltk 3.8 itself (Debian python3-nltk 3.8-1), which corrected
 *      three of the hand derivations (proceeds, exceeds, guaranteed: step 5a
 *      drops one 'e', not two)
 *   2. edge cases: short words, in-place stemming, digits
 *   3. every distinct rouge_score token of the golden sets (ref, hyp_a,
 *      hyp_b): the sorted "word\tstem\n" lines must hash (FNV-1a 64) to the
 *      value nltk 3.8's PorterStemmer().stem gives for the same words (the
 *      lists themselves are not kept: esconv-test text must not be copied)
 */
#include "testlib.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "esmetrics.h"
#include "porter.h"

/* clang-format off */
static const char *const pairs[][2] = {
    {"sky", "sky"}, {"skies", "sky"}, {"dying", "die"}, {"lying", "lie"}, {"tying", "tie"},
    {"news", "news"}, {"innings", "inning"}, {"inning", "inning"}, {"outings", "outing"},
    {"outing", "outing"}, {"cannings", "canning"}, {"canning", "canning"}, {"howe", "howe"},
    {"proceed", "proceed"}, {"exceed", "exceed"}, {"succeed", "succeed"}, {"proceeds", "proce"},
    {"exceeds", "exce"}, {"exceeding", "exceed"}, {"succeeded", "succeed"},
    {"proceeding", "proceed"}, {"caresses", "caress"}, {"ponies", "poni"}, {"ties", "tie"},
    {"dies", "die"}, {"lies", "lie"}, {"pies", "pie"}, {"flies", "fli"}, {"cries", "cri"},
    {"babies", "babi"}, {"studies", "studi"}, {"cats", "cat"}, {"caress", "caress"},
    {"feed", "feed"}, {"agreed", "agre"}, {"freed", "freed"}, {"bleed", "bleed"},
    {"speed", "speed"}, {"need", "need"}, {"indeed", "inde"}, {"guaranteed", "guarante"},
    {"agreeing", "agre"}, {"plastered", "plaster"}, {"bled", "bled"}, {"motoring", "motor"},
    {"sing", "sing"}, {"sings", "sing"}, {"conflated", "conflat"}, {"troubled", "troubl"},
    {"troubling", "troubl"}, {"sized", "size"}, {"hopping", "hop"}, {"hopped", "hop"},
    {"tanned", "tan"}, {"falling", "fall"}, {"hissing", "hiss"}, {"fizzed", "fizz"},
    {"failing", "fail"}, {"filing", "file"}, {"hoping", "hope"}, {"loving", "love"},
    {"living", "live"}, {"creating", "creat"}, {"relating", "relat"}, {"realizing", "realiz"},
    {"organizing", "organ"}, {"cried", "cri"}, {"died", "die"}, {"tied", "tie"}, {"lied", "lie"},
    {"spied", "spi"}, {"skied", "ski"}, {"married", "marri"}, {"applied", "appli"},
    {"denied", "deni"}, {"worried", "worri"}, {"hurried", "hurri"}, {"worrying", "worri"},
    {"studying", "studi"}, {"crying", "cri"}, {"trying", "tri"}, {"playing", "play"},
    {"saying", "say"}, {"relaxing", "relax"}, {"traveling", "travel"}, {"controlling", "control"},
    {"meetings", "meet"}, {"meeting", "meet"}, {"feelings", "feel"}, {"feeling", "feel"},
    {"thinking", "think"}, {"talked", "talk"}, {"friends", "friend"}, {"happened", "happen"},
    {"understanding", "understand"}, {"overwhelming", "overwhelm"}, {"overwhelmed", "overwhelm"},
    {"happy", "happi"}, {"enjoy", "enjoy"}, {"spy", "spi"}, {"toy", "toy"}, {"syzygy", "syzygi"},
    {"relational", "relat"}, {"conditional", "condit"}, {"rational", "ration"},
    {"sensational", "sensat"}, {"educational", "educ"}, {"motivational", "motiv"},
    {"valenci", "valenc"}, {"hesitanci", "hesit"}, {"digitizer", "digit"},
    {"conformabli", "conform"}, {"radicalli", "radic"}, {"differentli", "differ"},
    {"vileli", "vile"}, {"analogousli", "analog"}, {"vietnamization", "vietnam"},
    {"generalization", "gener"}, {"organization", "organ"}, {"nationalization", "nation"},
    {"realization", "realiz"}, {"predication", "predic"}, {"operator", "oper"},
    {"feudalism", "feudal"}, {"decisiveness", "decis"}, {"effectiveness", "effect"},
    {"hopefulness", "hope"}, {"helpfulness", "help"}, {"thankfulness", "thank"},
    {"callousness", "callous"}, {"nervousness", "nervous"}, {"formaliti", "formal"},
    {"sensitiviti", "sensit"}, {"sensibiliti", "sensibl"}, {"ability", "abil"},
    {"probability", "probabl"}, {"university", "univers"}, {"hopefully", "hope"},
    {"carefully", "care"}, {"conditionally", "condit"}, {"generously", "gener"},
    {"famously", "famous"}, {"seriously", "serious"}, {"serious", "seriou"}, {"gently", "gentli"},
    {"excellently", "excel"}, {"theology", "theolog"}, {"geology", "geolog"},
    {"biology", "biolog"}, {"apology", "apolog"}, {"triplicate", "triplic"}, {"formative", "form"},
    {"formalize", "formal"}, {"electriciti", "electr"}, {"electrical", "electr"},
    {"hopeful", "hope"}, {"stressful", "stress"}, {"goodness", "good"}, {"sadness", "sad"},
    {"happiness", "happi"}, {"kindness", "kind"}, {"hopelessness", "hopeless"},
    {"loneliness", "loneli"}, {"revival", "reviv"}, {"allowance", "allow"}, {"inference", "infer"},
    {"airliner", "airlin"}, {"gyroscopic", "gyroscop"}, {"adjustable", "adjust"},
    {"defensible", "defens"}, {"irritant", "irrit"}, {"replacement", "replac"},
    {"adjustment", "adjust"}, {"excitement", "excit"}, {"dependent", "depend"},
    {"adoption", "adopt"}, {"homologou", "homolog"}, {"communism", "commun"},
    {"activate", "activ"}, {"angulariti", "angular"}, {"homologous", "homolog"},
    {"generous", "gener"}, {"effective", "effect"}, {"bowdlerize", "bowdler"},
    {"probate", "probat"}, {"rate", "rate"}, {"cease", "ceas"}, {"controll", "control"},
    {"roll", "roll"}, {"anxiety", "anxieti"}, {"anxious", "anxiou"}, {"depressed", "depress"},
    {"depression", "depress"}, {"emotional", "emot"}, {"emotions", "emot"}, {"excited", "excit"},
    {"exciting", "excit"}, {"relationship", "relationship"}, {"relationships", "relationship"},
    {"stress", "stress"}, {"eyes", "eye"}, {"are", "are"}, {"uses", "use"}, {"yes", "ye"},
    {"oed", "o"}, {"2020s", "2020"}, {"mp3s", "mp3"}, {"covid19", "covid19"},
};
/* clang-format on */

static void check_stem(const char *word, const char *want) {
  char out[256];
  size_t n = strlen(word), k = es_porter_stem(word, n, out);
  out[k] = '\0';
  CHECK_MSG(strcmp(out, want) == 0, "stem('%s') = '%s', expected '%s'", word, out, want);
  char in_place[256];
  memcpy(in_place, word, n);
  size_t k2 = es_porter_stem(in_place, n, in_place);
  CHECK_MSG(k2 == k && memcmp(in_place, out, k) == 0, "in-place stem of '%s' differs", word);
}

static void test_pairs(void) {
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) check_stem(pairs[i][0], pairs[i][1]);
  printf("%zu hand-written pairs checked\n", sizeof pairs / sizeof pairs[0]);
}

static void test_edges(void) {
  char out[8];
  CHECK(es_porter_stem("", 0, out) == 0);
  check_stem("a", "a");
  check_stem("is", "is"); /* one or two letters: unchanged */
  check_stem("as", "as");
  check_stem("ies", "i");
  check_stem("eed", "eed");
  check_stem("ing", "ing");
  check_stem("y", "y");
  check_stem("yy", "yy");
  check_stem("yyy", "yyy");
  check_stem("yyyy", "yyyi");
  check_stem("by", "by");
  check_stem("sss", "sss");
  check_stem("123", "123");
  check_stem("2nd", "2nd");
  check_stem("1990s", "1990");
  check_stem("a1ing", "a1e"); /* digits are consonants; nltk's two-letter *o adds the e */
}

/* ---- golden word lists ---------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct words {
  char **w;
  size_t n, cap;
};

static int add_word(void *ctx, const char *tok, size_t len) {
  struct words *ws = ctx;
  if (ws->n == ws->cap) {
    ws->cap = ws->cap ? 2 * ws->cap : 4096;
    char **p = realloc(ws->w, ws->cap * sizeof *p);
    if (!p) return 1;
    ws->w = p;
  }
  char *s = malloc(len + 1);
  if (!s) return 1;
  memcpy(s, tok, len);
  s[len] = '\0';
  ws->w[ws->n++] = s;
  return 0;
}

/* The distinct rouge_score tokens of ref/hyp_a/hyp_b in dir, stemmed; the
 * FNV-1a 64 hash of their sorted "word\tstem\n" lines and their number must
 * be nltk's. */
static void golden_words(const char *set, const char *dir, size_t want_n, uint64_t want_hash) {
  static const char *files[] = {"ref.txt", "hyp_a.txt", "hyp_b.txt"};
  struct words ws = {0};
  es_tokenizer *t = NULL;
  CHECK(es_tokenizer_new(ES_TOK_ROUGE, 0, &t) == ES_OK);
  for (int f = 0; f < 3 && t; f++) {
    char path[1024];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, files[f]);
    char *text = test_read_file(path, &len);
    CHECK_MSG(text != NULL, "cannot read '%s'", path);
    if (text) CHECK(es_tokenize_cb(t, text, len, add_word, &ws) == ES_OK);
    free(text);
  }
  qsort(ws.w, ws.n, sizeof *ws.w, cmp_str);
  uint64_t h = 0xcbf29ce484222325ull;
  size_t distinct = 0, changed = 0;
  char stem[256];
  for (size_t i = 0; i < ws.n; i++) {
    if (i && strcmp(ws.w[i], ws.w[i - 1]) == 0) continue;
    size_t n = strlen(ws.w[i]);
    CHECK(n < sizeof stem);
    if (n >= sizeof stem) continue;
    size_t k = es_porter_stem(ws.w[i], n, stem);
    CHECK_MSG(k > 0 && k <= n, "stem of '%s' has %zu bytes", ws.w[i], k);
    changed += k != n || memcmp(stem, ws.w[i], k) != 0;
    distinct++;
    for (size_t j = 0; j < n; j++) h = (h ^ (unsigned char)ws.w[i][j]) * 0x100000001b3ull;
    h = (h ^ '\t') * 0x100000001b3ull;
    for (size_t j = 0; j < k; j++) h = (h ^ (unsigned char)stem[j]) * 0x100000001b3ull;
    h = (h ^ '\n') * 0x100000001b3ull;
  }
  CHECK_MSG(distinct == want_n, "%s: %zu distinct words, expected %zu", set, distinct, want_n);
  CHECK_MSG(h == want_hash, "%s: stems hash to %016llx, nltk 3.8 to %016llx", set,
            (unsigned long long)h, (unsigned long long)want_hash);
  printf("golden %s: %zu distinct words (%zu changed by stemming) match nltk 3.8\n", set, distinct,
         changed);
  for (size_t i = 0; i < ws.n; i++) free(ws.w[i]);
  free(ws.w);
  es_tokenizer_free(t);
}

int main(void) {
  test_pairs();
  test_edges();
  char dir[1024];
  if (test_golden_dir("synth", dir, sizeof dir))
    golden_words("synth", dir, 531, 0x3725bc6580f67ddfull);
  else
    CHECK_MSG(0, "golden set synth not found");
  if (test_golden_dir("esconv-test", dir, sizeof dir))
    golden_words("esconv-test", dir, 3448, 0x88a6d10d295ca222ull);
  else
    printf("note: ESBENCH_SHARED absent: esconv-test word list skipped\n");
  return test_finish("porter");
}
