/*
 * cmd_cache.c: `esbench cache stats|prune`: the request cache of openai and
 * exec models (cache.h).
 *
 *   esbench cache stats [--cache FILE]
 *   esbench cache prune [--cache FILE] (--older-than AGE | --all)
 *
 * stats prints "key value" lines on stdout; prune removes entries (in small
 * transactions: a run using the cache at the same time is not held up) and
 * prints how many. A cache file that does not exist is reported as empty
 * and is not created.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cache.h"
#include "cli.h"
#include "exitcode.h"
#include "run.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: esbench cache stats [--cache FILE]\n"
          "       esbench cache prune [--cache FILE] (--older-than AGE | --all)\n"
          "\n"
          "The request cache keeps every reply of the openai and exec models, so a rerun\n"
          "sends only the requests that have none. Default FILE: $ESBENCH_CACHE, else\n"
          "$XDG_CACHE_HOME/esbench/requests.sqlite (~/.cache/esbench/requests.sqlite).\n"
          "\n"
          "  stats             entries, sizes, oldest and newest entry\n"
          "  prune             remove entries older than AGE (a number with s, m, h, d\n"
          "                    or w: 30d, 12h; plain seconds without a unit), or all\n");
}

/* "30d" -> seconds; -1 when malformed. */
static int64_t parse_age(const char *s) {
  char *end;
  errno = 0;
  if (!(*s >= '0' && *s <= '9')) return -1;
  double v = strtod(s, &end);
  if (errno || end == s) return -1;
  double unit = 1;
  if (*end) {
    if (end[1]) return -1;
    switch (*end) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      case 'w': unit = 7 * 86400.0; break;
      default: return -1;
    }
  }
  v *= unit;
  return v >= 0 && v < 1e15 ? (int64_t)v : -1;
}

static void when(char *buf, size_t size, int64_t t) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (t <= 0 || !gmtime_r(&tt, &tm)) snprintf(buf, size, "-");
  else strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void mib(char *buf, size_t size, int64_t bytes) {
  snprintf(buf, size, "%lld bytes (%.1f MiB)", (long long)bytes, (double)bytes / 1048576.0);
}

int cmd_cache(int argc, char **argv) {
  static const struct option longopts[] = {{"cache", required_argument, NULL, 'c'},
                                           {"older-than", required_argument, NULL, 'o'},
                                           {"all", no_argument, NULL, 'a'},
                                           {"help", no_argument, NULL, 'h'},
                                           {NULL, 0, NULL, 0}};
  const char *given = NULL, *age_text = NULL;
  int all = 0, c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case 'c': given = optarg; break;
      case 'o': age_text = optarg; break;
      case 'a': all = 1; break;
      case 'h': usage(stdout); return ES_EXIT_OK;
      default: usage(stderr); return ES_EXIT_USAGE;
    }
  }
  if (optind != argc - 1 || (strcmp(argv[optind], "stats") && strcmp(argv[optind], "prune"))) {
    usage(stderr);
    return ES_EXIT_USAGE;
  }
  int prune = !strcmp(argv[optind], "prune");
  int64_t age = 0;
  if (!prune && (age_text || all))
    return cli_fail(ES_EXIT_USAGE, "--older-than and --all go with 'prune'");
  if (prune) {
    if (!!age_text == all)
      return cli_fail(ES_EXIT_USAGE, "prune needs one of --older-than AGE and --all");
    if (age_text && (age = parse_age(age_text)) < 0)
      return cli_fail(ES_EXIT_USAGE, "--older-than takes an age like 30d, 12h, 90m or 3600, not '%s'",
                      age_text);
  }
  es_error err = {0};
  char *path = NULL;
  if (es_run_cache_path(given, &path, &err) != 0) return cli_report(&err);
  struct stat sb;
  if (stat(path, &sb) != 0 && errno == ENOENT) {
    if (prune) printf("removed 0 entries (no request cache at %s)\n", path);
    else printf("cache     %s (does not exist: no entries)\nentries   0\n", path);
    free(path);
    return ES_EXIT_OK;
  }
  es_cache *cache = NULL;
  int code = ES_EXIT_OK;
  if (es_cache_open(path, &cache, &err) != 0) {
    code = cli_report(&err);
    goto out;
  }
  if (prune) {
    int64_t removed = 0;
    int rc = es_cache_prune(cache, all ? 0 : age, &removed, &err);
    printf("removed %lld entr%s%s%s\n", (long long)removed, removed == 1 ? "y" : "ies",
           all ? "" : " older than ", all ? "" : age_text);
    if (rc != 0) code = cli_report(&err);
    goto out;
  }
  es_cache_info info;
  if (es_cache_stats(cache, &info, &err) != 0) {
    code = cli_report(&err);
    goto out;
  }
  char a[64], b[64], d[64], f[64];
  when(a, sizeof a, info.oldest);
  when(b, sizeof b, info.newest);
  mib(d, sizeof d, info.data_bytes);
  mib(f, sizeof f, info.file_bytes);
  printf("cache     %s\nentries   %lld\ndata      %s\nfile      %s\noldest    %s\nnewest    %s\n",
         path, (long long)info.entries, d, f, a, b);
out:
  es_cache_close(cache);
  free(path);
  return code;
}
