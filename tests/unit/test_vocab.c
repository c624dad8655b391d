/* test_vocab: string interning, token-id sequences and UTF-8 validation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es_common.h"
#include "testlib.h"

static void utf8(const char *s, size_t n, int ok, size_t bad_at) {
  size_t off = 12345;
  es_status st = es_utf8_validate(s, n, &off);
  CHECK_MSG(ok ? st == ES_OK : st == ES_ERR_UTF8, "validate %zu bytes: got %d want %s", n, st,
            ok ? "ok" : "error");
  if (!ok) CHECK_MSG(off == bad_at, "bad offset %zu, want %zu", off, bad_at);
}

int main(void) {
  es_vocab *v = es_vocab_new();
  CHECK(v != NULL);
  CHECK_INT(es_vocab_intern(v, "hello", 5), 0);
  CHECK_INT(es_vocab_intern(v, "world", 5), 1);
  CHECK_INT(es_vocab_intern(v, "hello", 5), 0);
  CHECK_INT(es_vocab_intern(v, "", 0), 2);       /* the empty string is a string */
  CHECK_INT(es_vocab_intern(v, "hell", 4), 3);   /* prefixes are different strings */
  CHECK_INT(es_vocab_intern(v, "a\0b", 3), 4);   /* bytes, not C strings */
  CHECK_INT(es_vocab_find(v, "a\0b", 3), 4);
  CHECK_INT(es_vocab_find(v, "a", 1), -1);
  size_t len;
  CHECK_STR(es_vocab_str(v, 1, &len), "world");
  CHECK_INT(len, 5);
  CHECK(es_vocab_str(v, 99, NULL) == NULL);
  CHECK(es_vocab_str(v, -1, NULL) == NULL);
  /* growth: 200,000 strings of every length up to 40, then all found again */
  char buf[64];
  int ok = 1;
  for (int i = 0; i < 200000; i++) {
    int n = snprintf(buf, sizeof buf, "%d-%.*s", i, i % 30, "abcdefghijklmnopqrstuvwxyz0123456789");
    if (es_vocab_intern(v, buf, (size_t)n) != 5 + i) ok = 0;
  }
  CHECK(ok);
  for (int i = 0; i < 200000 && ok; i++) {
    int n = snprintf(buf, sizeof buf, "%d-%.*s", i, i % 30, "abcdefghijklmnopqrstuvwxyz0123456789");
    if (es_vocab_find(v, buf, (size_t)n) != 5 + i) ok = 0;
    const char *s = es_vocab_str(v, 5 + i, &len);
    if (len != (size_t)n || memcmp(s, buf, len) != 0) ok = 0;
  }
  CHECK(ok);
  CHECK_INT(es_vocab_size(v), 200005);
  es_vocab_free(v);
  es_vocab_free(NULL);

  es_seq q = {0};
  for (int i = 0; i < 1000; i++) CHECK(es_seq_push(&q, i) == ES_OK);
  CHECK_INT(q.len, 1000);
  CHECK_INT(q.ids[999], 999);
  es_seq_clear(&q);
  CHECK_INT(q.len, 0);
  es_seq_release(&q);
  CHECK(q.ids == NULL);

  /* UTF-8: each malformed class at every position relative to the 8-byte
   * ASCII fast path */
  static const struct {
    const char *bytes;
    size_t n;
    int ok;
    size_t bad; /* offset of the bad sequence within bytes */
  } seqs[] = {
      {"\xc3\xa9", 2, 1, 0},         {"\xe2\x82\xac", 3, 1, 0},  {"\xf0\x9f\x98\x80", 4, 1, 0},
      {"\xf4\x8f\xbf\xbf", 4, 1, 0}, {"\xc0\xaf", 2, 0, 0},      {"\xc1\xbf", 2, 0, 0},
      {"\xe0\x80\xaf", 3, 0, 0},     {"\xf0\x80\x80\xaf", 4, 0, 0}, {"\xed\xa0\x80", 3, 0, 0},
      {"\xf4\x90\x80\x80", 4, 0, 0}, {"\xf5\x80\x80\x80", 4, 0, 0}, {"\xff", 1, 0, 0},
      {"\x80", 1, 0, 0},             {"\xc3", 1, 0, 0},          {"\xe2\x82", 2, 0, 0},
      {"\xc3\x28", 2, 0, 0},
  };
  for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
    for (size_t pre = 0; pre < 17; pre++) {
      char t[64];
      memset(t, 'a', pre);
      memcpy(t + pre, seqs[k].bytes, seqs[k].n);
      /* a truncated sequence must be last; others get ASCII after them */
      size_t post = seqs[k].ok || seqs[k].n > 1 ? 5 : 0;
      if (!seqs[k].ok && (k >= 13 && k <= 14)) post = 0;
      memset(t + pre + seqs[k].n, 'b', post);
      utf8(t, pre + seqs[k].n + post, seqs[k].ok, pre + seqs[k].bad);
    }
  }
  CHECK_INT(es_utf8_chars("caf\xc3\xa9 \xf0\x9f\x98\x80!", 11), 7);
  CHECK_INT(es_utf8_chars("", 0), 0);
  utf8("", 0, 1, 0);
  utf8("plain ascii text that is longer than eight bytes", 48, 1, 0);
  return test_finish("vocab");
}
