/* test_retrieval: BM25 picks the most similar document, deterministically. */
#include <stdlib.h>
#include <string.h>

#include "retrieval.h"
#include "testlib.h"

int main(void) {
  /* 20 filler documents make "i", "feel" and "my" stop words (over 10%) */
  const char *docs[26];
  size_t n = 0;
  docs[n++] = "I lost my job last week and I feel useless";
  docs[n++] = "My girlfriend broke up with me";
  docs[n++] = "I am stressed about my final exams";
  docs[n++] = "My dog died and I miss him";
  docs[n++] = "exams exams exams exams";
  docs[n++] = "I can't sleep because of work stress";
  for (int i = 0; i < 20; i++) docs[n++] = "i feel my";
  es_bm25 *ix = es_bm25_new(docs, n);
  CHECK(ix != NULL);
  CHECK_INT(es_bm25_best(ix, "I just lost my JOB"), 0);
  CHECK_INT(es_bm25_best(ix, "she broke up with me yesterday"), 1);
  CHECK_INT(es_bm25_best(ix, "my dog"), 3);
  /* term frequency saturates and long documents are normalised: the short
   * document that repeats "exams" wins over the one that mentions it once */
  CHECK_INT(es_bm25_best(ix, "exams"), 4);
  CHECK_INT(es_bm25_best(ix, "nothing in common"), -1);
  /* stop words only: they score after all, and the shortest document wins */
  CHECK_INT(es_bm25_best(ix, "i feel my"), 6);
  CHECK_INT(es_bm25_best(ix, ""), -1);
  CHECK_INT(es_bm25_best(ix, "bad utf8 \xff"), -1);
  es_bm25_free(ix);
  /* an empty index */
  ix = es_bm25_new(NULL, 0);
  CHECK(ix != NULL);
  CHECK_INT(es_bm25_best(ix, "anything"), -1);
  es_bm25_free(ix);
  return test_finish("retrieval");
}
