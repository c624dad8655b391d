/* test_outdir: run folders appear whole or not at all. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outdir.h"
#include "testlib.h"

static int exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

int main(void) {
  char root[128], p[512];
  snprintf(root, sizeof root, "/tmp/esbench-outdir-%ld/a/b", (long)getpid());
  es_error err = {0};
  es_outdir o;
  CHECK(es_outdir_begin(&o, root, "run1", &err) == 0);
  char *f = es_outdir_file(&o, "x.txt");
  FILE *fp = fopen(f, "w");
  fputs("hello", fp);
  fclose(fp);
  free(f);
  snprintf(p, sizeof p, "%s/run1", root);
  CHECK(!exists(p)); /* nothing visible before commit */
  CHECK(es_outdir_commit(&o, &err) == 0);
  CHECK_STR(o.final, p);
  snprintf(p, sizeof p, "%s/run1/x.txt", root);
  CHECK(exists(p));
  es_outdir_release(&o);

  /* a second run of the same name does not overwrite the first */
  CHECK(es_outdir_begin(&o, root, "run1", &err) == 0);
  CHECK(es_outdir_commit(&o, &err) == 0);
  snprintf(p, sizeof p, "%s/run1-2", root);
  CHECK_STR(o.final, p);
  es_outdir_release(&o);

  /* an aborted run leaves nothing behind */
  CHECK(es_outdir_begin(&o, root, "run3", &err) == 0);
  char *tmp = strdup(o.tmp);
  f = es_outdir_file(&o, "partial.json");
  fp = fopen(f, "w");
  fputs("{", fp);
  fclose(fp);
  free(f);
  es_outdir_release(&o);
  CHECK(!exists(tmp));
  snprintf(p, sizeof p, "%s/run3", root);
  CHECK(!exists(p));
  free(tmp);

  /* atomic single files */
  snprintf(p, sizeof p, "%s/file.txt", root);
  CHECK(es_write_file_atomic(p, "abc", 3, &err) == 0);
  CHECK(exists(p));
  CHECK(es_write_file_atomic("/nonexistent-dir/x", "abc", 3, &err) == -1);
  CHECK(strstr(err.msg, "cannot write") != NULL);

  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf /tmp/esbench-outdir-%ld", (long)getpid());
  CHECK(system(cmd) == 0);
  return test_finish("outdir");
}
