/*
 * cmd_fetch.c: `esbench fetch extes|esconv`: downloads a dataset into the
 * cache, verified against its pinned git blob id (see fetch.h).
 *
 * On success it prints "<sha256>  <path>" on stdout (the format of
 * sha256sum, so `esbench fetch extes | sha256sum -c` checks the copy) and
 * one line on stderr saying what it did.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "exitcode.h"
#include "fetch.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: esbench fetch extes|esconv [--url URL] [--blob-id ID] [--cache-dir DIR] "
          "[--force]\n"
          "\n"
          "Downloads the dataset into the cache ($XDG_CACHE_HOME/esbench, default\n"
          "~/.cache/esbench), checks its git blob id, and prints its sha256 and path.\n"
          "\n"
          "  --url URL        download from URL instead (a mirror, file:///path/ExTES.zip);\n"
          "                   also $ESBENCH_EXTES_URL, $ESBENCH_ESCONV_URL\n"
          "  --blob-id ID     expected git blob id of what URL serves (with --url only);\n"
          "                   also $ESBENCH_EXTES_BLOB, $ESBENCH_ESCONV_BLOB\n"
          "  --cache-dir DIR  keep the file in DIR\n"
          "  --force          download again even when the cache holds a good copy\n");
}

/* The value of option name at argv[*i] ("--name VALUE" or "--name=VALUE"),
 * advancing *i; NULL when argv[*i] is another option. *missing is set when
 * the option is there without a value. */
static const char *option(int argc, char **argv, int *i, const char *name, int *missing) {
  size_t n = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, n) != 0) return NULL;
  if (a[n] == '=') return a + n + 1;
  if (a[n] != '\0') return NULL;
  if (*i + 1 >= argc) {
    *missing = 1;
    return NULL;
  }
  return argv[++*i];
}

int cmd_fetch(int argc, char **argv) {
  es_fetch_options opt = {0};
  es_fetch_result res;
  es_error err = {0};
  const char *name = NULL, *v;
  int missing = 0;

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return ES_EXIT_OK;
    } else if (!strcmp(argv[i], "--force")) {
      opt.force = 1;
    } else if ((v = option(argc, argv, &i, "--url", &missing))) {
      opt.url = v;
    } else if ((v = option(argc, argv, &i, "--blob-id", &missing))) {
      opt.blob_id = v;
    } else if ((v = option(argc, argv, &i, "--cache-dir", &missing))) {
      opt.cache_dir = v;
    } else if (missing) {
      return cli_fail(ES_EXIT_USAGE, "option '%s' needs a value", argv[i]);
    } else if (argv[i][0] == '-') {
      cli_fail(ES_EXIT_USAGE, "unknown option '%s'", argv[i]);
      usage(stderr);
      return ES_EXIT_USAGE;
    } else if (name) {
      return cli_fail(ES_EXIT_USAGE, "one dataset at a time: '%s' and '%s'", name, argv[i]);
    } else {
      name = argv[i];
    }
  }
  if (!name) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  if (es_fetch(name, &opt, &res, &err) != 0) return cli_report(&err);
  if (res.cached)
    fprintf(stderr, "esbench: '%s' is already in the cache (--force downloads it again)\n",
            res.path);
  else
    fprintf(stderr, "esbench: downloaded '%s' (%zu bytes, git blob %s verified)\n", res.url,
            res.bytes, res.blob_id);
  printf("%s  %s\n", res.sha256, res.path);
  es_fetch_result_release(&res);
  return fflush(stdout) == 0 ? ES_EXIT_OK : cli_fail(ES_EXIT_INTERNAL, "cannot write the output");
}
