/*
 * fetch.h: downloading a dataset into the cache, checksum-verified, and
 * finding a dataset file on disk.
 *
 * Each dataset is pinned to one upstream file at one commit and its git
 * blob id (the SHA-1 of "blob <size>\0" + bytes, what `git hash-object`
 * prints). es_fetch downloads it with libcurl into a temporary file in the
 * cache folder, refuses it unless the blob id matches, unpacks the dataset
 * file from it when it is an archive (ExTES.zip holds ExTES.json), and only
 * then renames the result into place, so the cache never holds a partial or
 * unverified file. Beside the file it writes FILE.sha256 ("<hex>  FILE"),
 * the hash a run records.
 *
 * The cache folder is $XDG_CACHE_HOME/esbench, or ~/.cache/esbench.
 * The URL can be overridden (option, or $ESBENCH_EXTES_URL /
 * $ESBENCH_ESCONV_URL: a mirror, a local copy as file:///..., a test
 * server); only then may the expected blob id be overridden too (option, or
 * $ESBENCH_EXTES_BLOB / $ESBENCH_ESCONV_BLOB).
 */
#ifndef ES_FETCH_H
#define ES_FETCH_H

#include <stddef.h>

#include "error.h"

typedef struct {
  const char *url;       /* NULL: $ESBENCH_<NAME>_URL, else the pinned URL */
  const char *blob_id;   /* expected git blob id of the download (40 hex digits);
                            NULL: $ESBENCH_<NAME>_BLOB, else the pinned id.
                            Refused unless the URL is overridden */
  const char *cache_dir; /* NULL: es_fetch_cache_dir() */
  int force;             /* download even when the cache holds a good copy */
  long connect_timeout;  /* seconds; 0: 30 */
  long low_speed_limit;  /* bytes per second ... */
  long low_speed_time;   /* ... below which, for this many seconds, the download
                            is abandoned; 0: 1000 B/s for 60 s */
} es_fetch_options;

typedef struct {
  char *path;            /* the dataset file in the cache */
  char *url;             /* where it came from (the URL used) */
  char sha256[65];       /* of the dataset file, lower-case hex */
  char blob_id[41];      /* of the download; "" when the cached copy was kept */
  size_t bytes;          /* bytes downloaded; 0 when the cached copy was kept */
  int cached;            /* 1: the cache held the file, with a matching
                            FILE.sha256 (or none), and it was kept */
} es_fetch_result;

/* Fetches dataset name ("extes" or "esconv") into the cache as described
 * above; opt may be NULL. A cached file is kept unless opt->force or its
 * FILE.sha256 disagrees with it. Fills *res (release it with
 * es_fetch_result_release). Returns 0, or -1 with err and nothing new left
 * in the cache: ES_EXIT_USAGE for an unknown name, a bad option, a download
 * that fails (the message says how to get the file by hand) or a blob id
 * that does not match; ES_EXIT_INTERNAL when the cache cannot be written. */
int es_fetch(const char *name, const es_fetch_options *opt, es_fetch_result *res,
             es_error *err);
/* Frees the contents of res; accepts NULL. */
void es_fetch_result_release(es_fetch_result *res);

/* es_fetch, returning only the dataset file's path in *out_path (malloc'ed,
 * the caller frees it). */
int es_fetch_dataset(const char *name, const es_fetch_options *opt, char **out_path,
                     es_error *err);

/* The cache folder (malloc'ed into *out): $XDG_CACHE_HOME/esbench when
 * that is an absolute path, else $HOME/.cache/esbench. It may not exist
 * yet. Returns 0, or -1 with err when no home folder is known. */
int es_fetch_cache_dir(char **out, es_error *err);

/* The file name dataset name is kept under ("ExTES.json", "ESConv.json"),
 * or NULL for an unknown name. */
const char *es_fetch_file_name(const char *name);

/* Finds file (NULL: es_fetch_file_name(name)) of dataset name in data_dir
 * (the --data-dir flag; may be NULL), then in $ESBENCH_DATA_DIR, then in the
 * cache. Returns 0 and the path (malloc'ed) in *path, or -1 with err
 * (ES_EXIT_USAGE) naming the three places and how to get the file. */
int es_dataset_locate(const char *name, const char *file, const char *data_dir, char **path,
                      es_error *err);

#endif
