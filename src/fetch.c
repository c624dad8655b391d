/*
 * fetch.c: downloading datasets into the cache (libcurl), verifying their
 * git blob ids (OpenSSL), unpacking archives (libarchive), and finding
 * dataset files on disk. See fetch.h for the contract.
 *
 * Every file es_fetch writes goes first to a temporary ".NAME.XXXXXX" in
 * the cache folder and is renamed into place only when complete and
 * verified; every exit path unlinks the temporaries.
 */
#include "fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "dataset_internal.h"
#include "exitcode.h"
#include "lazylib.h"

/* The datasets es_fetch knows. To add one: add a row (pin the URL to a
 * commit and give the git blob id of the file it serves; `member` names
 * the file to unpack when the download is an archive), and an adapter
 * (dataset.c). */
static const struct source {
  const char *name;     /* as in suites: dataset.name */
  const char *file;     /* the dataset file, in the cache and data folders */
  const char *download; /* what the URL serves */
  const char *url;
  const char *blob_id;  /* git blob id of the download */
  const char *member;   /* the file to unpack from the download (a zip), or NULL */
  const char *url_env, *blob_env;
} sources[] = {
    {"extes", "ExTES.json", "ExTES.zip",
     "https://raw.githubusercontent.com/pandazzh2020/ExTES/"
     "4e30f3d6d4232175e86c17f69e9e5713399caeb4/ExTES.zip",
     "3677ee03f04ed6ad6394e6970cfd3058589476d1", "ExTES.json", "ESBENCH_EXTES_URL",
     "ESBENCH_EXTES_BLOB"},
    {"esconv", "ESConv.json", "ESConv.json",
     "https://raw.githubusercontent.com/thu-coai/Emotional-Support-Conversation/"
     "f262d062ad74cb39b17ea476facc81568ddcba24/ESConv.json",
     "2f7a69eeda505053eac68f9ab26fd728d0f6db31", NULL, "ESBENCH_ESCONV_URL",
     "ESBENCH_ESCONV_BLOB"},
};

#define MAX_DOWNLOAD (2LL << 30) /* bytes: far above any dataset, below a runaway */

static const struct source *find_source(const char *name) {
  for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
    if (strcmp(sources[i].name, name) == 0) return &sources[i];
  return NULL;
}

static int unknown(const char *name, es_error *err) {
  return es_error_set(err, ES_EXIT_USAGE, "unknown dataset '%s' (known: extes, esconv)", name);
}

const char *es_fetch_file_name(const char *name) {
  const struct source *s = find_source(name);
  return s ? s->file : NULL;
}

/* What to do when the download cannot be had, said in one sentence. */
static void how_to_get(const struct source *s, char *buf, size_t cap) {
  snprintf(buf, cap,
           "download %s on a machine with internet%s and set ESBENCH_DATA_DIR to the folder "
           "holding %s, or pass --data-dir",
           s->download, s->member ? ", unzip it," : "", s->file);
}

/* ---- paths ------------------------------------------------------------------ */

/* a + "/" + b, malloc'ed; NULL when out of memory */
static char *join(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  char *p = malloc(na + nb + 2);
  if (!p) return NULL;
  memcpy(p, a, na);
  p[na] = '/';
  memcpy(p + na + 1, b, nb + 1);
  return p;
}

static int is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int es_fetch_cache_dir(char **out, es_error *err) {
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  *out = NULL;
  if (xdg && xdg[0] == '/') { /* the XDG spec ignores relative paths */
    *out = join(xdg, "esbench");
  } else {
    if (!home || !*home) {
      struct passwd *pw = getpwuid(getuid());
      home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home)
      return es_error_set(err, ES_EXIT_USAGE,
                          "cannot find the cache folder: neither XDG_CACHE_HOME nor HOME is set");
    *out = join(home, ".cache/esbench");
  }
  return *out ? 0 : es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
}

/* mkdir -p dir (new folders 0700, as the XDG spec asks). */
static int make_dirs(const char *dir, es_error *err) {
  if (!*dir) return es_error_set(err, ES_EXIT_USAGE, "the cache folder is an empty path");
  char *p = strdup(dir);
  int rc = 0;
  if (!p) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  for (char *s = p + 1;; s++) {
    if (*s != '/' && *s != '\0') continue;
    char c = *s;
    *s = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
      rc = es_error_set(err, ES_EXIT_INTERNAL, "cannot create '%s': %s", p, strerror(errno));
      break;
    }
    *s = c;
    if (c == '\0') break;
  }
  struct stat st;
  if (rc == 0 && (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)))
    rc = es_error_set(err, ES_EXIT_INTERNAL, "cannot use '%s' as the cache folder: %s", dir,
                      stat(dir, &st) != 0 ? strerror(errno) : "Not a directory");
  free(p);
  return rc;
}

int es_dataset_locate(const char *name, const char *file, const char *data_dir, char **path,
                      es_error *err) {
  const struct source *s = find_source(name);
  const char *env = getenv("ESBENCH_DATA_DIR");
  char *cache = NULL, *p = NULL, how[512];

  *path = NULL;
  if (!file && !s) return unknown(name, err);
  if (!file) file = s->file;
  const char *dirs[2] = {data_dir && *data_dir ? data_dir : NULL, env && *env ? env : NULL};
  for (int i = 0; i < 2; i++) {
    if (!dirs[i]) continue;
    if (!(p = join(dirs[i], file))) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    if (is_file(p)) {
      *path = p;
      return 0;
    }
    free(p);
  }
  es_error cache_err;
  if (es_fetch_cache_dir(&cache, &cache_err) == 0) {
    if (!(p = join(cache, file))) {
      free(cache);
      return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    }
    if (is_file(p)) {
      free(cache);
      *path = p;
      return 0;
    }
    free(p);
  }
  if (s)
    how_to_get(s, how, sizeof how);
  else
    snprintf(how, sizeof how, "set ESBENCH_DATA_DIR to the folder holding %s, or pass --data-dir",
             file);
  es_error_set(err, ES_EXIT_USAGE,
               "cannot find '%s': it is not in --data-dir (%s%s%s), $ESBENCH_DATA_DIR (%s%s%s) or "
               "the cache (%s%s%s); %s%s%s%s",
               file, dirs[0] ? "'" : "", dirs[0] ? dirs[0] : "not given", dirs[0] ? "'" : "",
               dirs[1] ? "'" : "", dirs[1] ? dirs[1] : "not set", dirs[1] ? "'" : "",
               cache ? "'" : "", cache ? cache : "unknown", cache ? "'" : "",
               s ? "run 'esbench fetch " : "", s ? s->name : "", s ? "', or " : "", how);
  free(cache);
  return -1;
}

/* ---- hashing ------------------------------------------------------------------ */

/* Hashes the file at path: its git blob id into blob (41 bytes) and its
 * sha256 into sha256 (65 bytes); either may be NULL. Returns 0 or -1. */
static int hash_file(const char *path, char *blob, char *sha256, size_t *size, es_error *err) {
  int rc = -1, fd = open(path, O_RDONLY | O_CLOEXEC);
  EVP_MD_CTX *c1 = EVP_MD_CTX_new(), *c256 = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n;
  char head[48];
  struct stat st;
  enum { BUF = 1 << 16 };
  unsigned char *buf = malloc(BUF);

  if (!buf) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  if (fd < 0 || fstat(fd, &st) != 0) {
    es_error_set(err, ES_EXIT_INTERNAL, "cannot read '%s': %s", path, strerror(errno));
    goto out;
  }
  int hn = snprintf(head, sizeof head, "blob %lld", (long long)st.st_size);
  if (!c1 || !c256 || !EVP_DigestInit_ex(c1, EVP_sha1(), NULL) ||
      !EVP_DigestInit_ex(c256, EVP_sha256(), NULL) ||
      !EVP_DigestUpdate(c1, head, (size_t)hn + 1)) /* the NUL belongs to the header */
    goto crypto;
  for (;;) {
    ssize_t got = read(fd, buf, BUF);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      es_error_set(err, ES_EXIT_INTERNAL, "cannot read '%s': %s", path, strerror(errno));
      goto out;
    }
    if (got == 0) break;
    if (!EVP_DigestUpdate(c1, buf, (size_t)got) || !EVP_DigestUpdate(c256, buf, (size_t)got))
      goto crypto;
  }
  if (blob) {
    if (!EVP_DigestFinal_ex(c1, md, &n)) goto crypto;
    es_ds_hex(md, 20, blob);
  }
  if (sha256) {
    if (!EVP_DigestFinal_ex(c256, md, &n)) goto crypto;
    es_ds_hex(md, 32, sha256);
  }
  if (size) *size = (size_t)st.st_size;
  rc = 0;
  goto out;
crypto:
  es_error_set(err, ES_EXIT_INTERNAL, "cannot hash '%s': OpenSSL digest failed", path);
out:
  free(buf);
  if (fd >= 0) close(fd);
  EVP_MD_CTX_free(c1);
  EVP_MD_CTX_free(c256);
  return rc;
}

/* ---- temporary files ----------------------------------------------------------- */

/* A new empty file ".name.XXXXXX" in dir: its path in *path (malloc'ed) and
 * an open descriptor, or -1 with err. */
static int temp_in(const char *dir, const char *name, char **path, es_error *err) {
  size_t n = strlen(dir) + strlen(name) + 16;
  *path = malloc(n);
  if (!*path) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  snprintf(*path, n, "%s/.%s.XXXXXX", dir, name);
  int fd = mkstemp(*path);
  if (fd < 0) {
    es_error_set(err, ES_EXIT_INTERNAL, "cannot create a file in '%s': %s", dir, strerror(errno));
    free(*path);
    *path = NULL;
  }
  return fd;
}

/* Writes all n bytes; 0 or -1 (errno set). */
static int write_all(int fd, const void *p, size_t n) {
  const char *b = p;
  while (n) {
    ssize_t w = write(fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return -1;
    b += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Makes the file at fd readable, flushes it to disk, closes it, and
 * renames from to to. */
static int commit(int fd, const char *from, const char *to, es_error *err) {
  int rc = 0;
  (void)fchmod(fd, 0644); /* mkstemp made it 0600; the cache folder guards access */
  if (fsync(fd) != 0 && errno != EINVAL)
    rc = es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", from, strerror(errno));
  if (close(fd) != 0 && rc == 0)
    rc = es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", from, strerror(errno));
  if (rc == 0 && rename(from, to) != 0)
    rc = es_error_set(err, ES_EXIT_INTERNAL, "cannot rename '%s' to '%s': %s", from, to,
                      strerror(errno));
  return rc;
}

/* Writes text to path atomically (temporary file, then rename). */
static int write_atomic(const char *dir, const char *path, const char *name, const char *text,
                        es_error *err) {
  char *tmp = NULL;
  int fd = temp_in(dir, name, &tmp, err);
  if (fd < 0) return -1;
  int rc = 0;
  if (write_all(fd, text, strlen(text)) != 0) {
    rc = es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", tmp, strerror(errno));
    close(fd);
  } else {
    rc = commit(fd, tmp, path, err);
  }
  if (rc != 0) unlink(tmp);
  free(tmp);
  return rc;
}

/* ---- download -------------------------------------------------------------------- */

typedef struct {
  int fd;
  size_t bytes;
  int error; /* errno of a failed write */
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ctx) {
  sink *s = ctx;
  if (write_all(s->fd, p, size * n) != 0) {
    s->error = errno;
    return 0; /* makes curl stop with CURLE_WRITE_ERROR */
  }
  s->bytes += size * n;
  return size * n;
}

/* Downloads url into fd. Returns 0, or -1 with err saying what to do. */
static int download(const struct source *src, const char *url, int fd, const char *tmp,
                    const es_fetch_options *opt, size_t *bytes, es_error *err) {
  char curl_err[CURL_ERROR_SIZE] = "", how[512];
  sink s = {fd, 0, 0};
  CURLcode rc;

  const es_curl_lib *cl = es_curl_lib_get(err);
  if (!cl) return -1;
  if ((rc = cl->global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
    return es_error_set(err, ES_EXIT_INTERNAL, "cannot start libcurl: %s", cl->easy_strerror(rc));
  CURL *c = cl->easy_init();
  if (!c) {
    cl->global_cleanup();
    return es_error_set(err, ES_EXIT_INTERNAL, "cannot start libcurl");
  }
  cl->easy_setopt(c, CURLOPT_URL, url);
  cl->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  cl->easy_setopt(c, CURLOPT_WRITEDATA, &s);
  cl->easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
  cl->easy_setopt(c, CURLOPT_FAILONERROR, 1L); /* an HTTP error status is a failure */
  cl->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  cl->easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
#if LIBCURL_VERSION_NUM >= 0x075500
  cl->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
  cl->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
  cl->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, opt->connect_timeout > 0 ? opt->connect_timeout : 30L);
  cl->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, opt->low_speed_limit > 0 ? opt->low_speed_limit : 1000L);
  cl->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, opt->low_speed_time > 0 ? opt->low_speed_time : 60L);
  cl->easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_DOWNLOAD);
  cl->easy_setopt(c, CURLOPT_ACCEPT_ENCODING, ""); /* JSON travels compressed when offered */
  cl->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  cl->easy_setopt(c, CURLOPT_USERAGENT, "esbench/" ESBENCH_VERSION);
  rc = cl->easy_perform(c);
  cl->easy_cleanup(c);
  cl->global_cleanup();
  *bytes = s.bytes;
  if (rc == CURLE_WRITE_ERROR && s.error)
    return es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", tmp, strerror(s.error));
  if (rc != CURLE_OK) {
    how_to_get(src, how, sizeof how);
    return es_error_set(err, ES_EXIT_USAGE, "cannot download '%s': %s; %s", url,
                        curl_err[0] ? curl_err : cl->easy_strerror(rc), how);
  }
  return 0;
}

/* ---- unpacking -------------------------------------------------------------------- */

/* Whether the archive entry at path is the member wanted: same base name,
 * not under a __MACOSX folder, not a "._" resource fork. */
static int is_member(const char *path, const char *member) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  return strcmp(base, member) == 0 && !strstr(path, "__MACOSX");
}

/* Unpacks member from the zip at zip into fd, hashing it into sha256. */
static int unpack(const char *zip, const char *member, const char *url, int fd,
                  const char *tmp, char sha256[65], es_error *err) {
  int rc = -1, found = 0;
  long long total = 0;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen;
  enum { BUF = 1 << 16 };
  char *buf = malloc(BUF);
  struct archive_entry *entry;
  const es_archive_lib *al = es_archive_lib_get(err);
  if (!al) {
    free(buf);
    return -1;
  }
  struct archive *a = al->read_new();
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();

  if (!buf || !a || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
    es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
    goto out;
  }
  al->read_support_format_zip(a);
  if (al->read_open_filename(a, zip, BUF) != ARCHIVE_OK) goto bad_archive;
  for (;;) {
    int r = al->read_next_header(a, &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) goto bad_archive;
    if (al->entry_filetype(entry) != AE_IFREG ||
        !is_member(al->entry_pathname(entry), member))
      continue;
    found = 1;
    for (;;) {
      la_ssize_t got = al->read_data(a, buf, BUF);
      if (got < 0) goto bad_archive;
      if (got == 0) break;
      total += got;
      if (total > MAX_DOWNLOAD) {
        es_error_set(err, ES_EXIT_USAGE, "'%s' in '%s' is larger than %lld bytes", member, url,
                     (long long)MAX_DOWNLOAD);
        goto out;
      }
      if (write_all(fd, buf, (size_t)got) != 0) {
        es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", tmp, strerror(errno));
        goto out;
      }
      if (!EVP_DigestUpdate(ctx, buf, (size_t)got)) goto crypto;
    }
    break;
  }
  if (!found) {
    es_error_set(err, ES_EXIT_USAGE, "no '%s' in the archive from '%s'", member, url);
    goto out;
  }
  if (!EVP_DigestFinal_ex(ctx, md, &mdlen)) goto crypto;
  es_ds_hex(md, 32, sha256);
  rc = 0;
  goto out;
bad_archive:
  es_error_set(err, ES_EXIT_USAGE, "cannot unpack '%s' from '%s': %s", member, url,
               al->error_string(a) ? al->error_string(a) : "not a zip archive");
  goto out;
crypto:
  es_error_set(err, ES_EXIT_INTERNAL, "cannot hash '%s': OpenSSL digest failed", tmp);
out:
  free(buf);
  if (a) al->read_free(a);
  EVP_MD_CTX_free(ctx);
  return rc;
}

/* ---- the cached copy --------------------------------------------------------------- */

/* Whether the cached file at path can be kept: 1 when its sha256 matches
 * path.sha256 (writing that file when it is missing), 0 when they differ,
 * -1 on error. */
static int cached_ok(const char *dir, const char *path, const char *sha_path, const char *file,
                     char sha256[65], es_error *err) {
  char recorded[65] = "", line[256];
  if (hash_file(path, NULL, sha256, NULL, err) != 0) return -1;
  FILE *f = fopen(sha_path, "r");
  if (f) {
    if (fgets(line, sizeof line, f) && strspn(line, "0123456789abcdef") >= 64) {
      memcpy(recorded, line, 64);
      recorded[64] = '\0';
    }
    fclose(f);
    return strcmp(recorded, sha256) == 0;
  }
  snprintf(line, sizeof line, "%s  %s\n", sha256, file);
  char name[128];
  snprintf(name, sizeof name, "%s.sha256", file);
  return write_atomic(dir, sha_path, name, line, err) == 0 ? 1 : -1;
}

/* ---- es_fetch ------------------------------------------------------------------------ */

static int valid_blob_id(const char *s) {
  return strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

int es_fetch(const char *name, const es_fetch_options *opt, es_fetch_result *res,
             es_error *err) {
  static const es_fetch_options defaults;
  const struct source *src = find_source(name);
  char *dir = NULL, *path = NULL, *sha_path = NULL, *tmp_dl = NULL, *tmp_file = NULL;
  int fd_dl = -1, fd_file = -1, rc = -1;
  char line[256], sha_name[128];

  memset(res, 0, sizeof *res);
  if (!opt) opt = &defaults;
  if (!src) return unknown(name, err);

  /* what to download, and what to expect */
  const char *env_url = getenv(src->url_env), *env_blob = getenv(src->blob_env);
  const char *url = opt->url && *opt->url ? opt->url : env_url && *env_url ? env_url : NULL;
  const char *blob = opt->blob_id && *opt->blob_id ? opt->blob_id
                     : env_blob && *env_blob       ? env_blob
                                                   : NULL;
  if (blob && !url)
    return es_error_set(err, ES_EXIT_USAGE,
                        "an expected blob id (--blob-id or %s) needs an overridden URL "
                        "(--url or %s): the pinned URL has a pinned id",
                        src->blob_env, src->url_env);
  if (blob && !valid_blob_id(blob))
    return es_error_set(err, ES_EXIT_USAGE,
                        "bad blob id '%s': expected 40 lower-case hex digits (git hash-object)",
                        blob);
  if (!url) url = src->url;
  if (!blob) blob = src->blob_id;

  if (opt->cache_dir && *opt->cache_dir) {
    if (!(dir = strdup(opt->cache_dir))) goto oom;
  } else if (es_fetch_cache_dir(&dir, err) != 0) {
    goto out;
  }
  if (make_dirs(dir, err) != 0) goto out;
  snprintf(sha_name, sizeof sha_name, "%s.sha256", src->file);
  if (!(path = join(dir, src->file)) || !(sha_path = join(dir, sha_name)) ||
      !(res->url = strdup(url)))
    goto oom;

  if (!opt->force && is_file(path)) {
    int ok = cached_ok(dir, path, sha_path, src->file, res->sha256, err);
    if (ok < 0) goto out;
    if (ok) {
      res->cached = 1;
      res->path = path;
      path = NULL;
      rc = 0;
      goto out;
    }
  }

  if ((fd_dl = temp_in(dir, src->download, &tmp_dl, err)) < 0) goto out;
  if (download(src, url, fd_dl, tmp_dl, opt, &res->bytes, err) != 0) goto out;
  if (close(fd_dl) != 0) {
    fd_dl = -1;
    es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", tmp_dl, strerror(errno));
    goto out;
  }
  fd_dl = -1;
  if (hash_file(tmp_dl, res->blob_id, src->member ? NULL : res->sha256, NULL, err) != 0) goto out;
  if (strcmp(res->blob_id, blob) != 0) {
    es_error_set(err, ES_EXIT_USAGE,
                 "refusing '%s': its git blob id is %s, expected %s (the file changed upstream "
                 "or the download was corrupted; nothing was written to '%s')",
                 url, res->blob_id, blob, dir);
    goto out;
  }
  if (src->member) {
    if ((fd_file = temp_in(dir, src->file, &tmp_file, err)) < 0) goto out;
    if (unpack(tmp_dl, src->member, url, fd_file, tmp_file, res->sha256, err) != 0) goto out;
  } else { /* the download is the file */
    tmp_file = tmp_dl;
    tmp_dl = NULL;
    if ((fd_file = open(tmp_file, O_RDONLY | O_CLOEXEC)) < 0) {
      es_error_set(err, ES_EXIT_INTERNAL, "cannot read '%s': %s", tmp_file, strerror(errno));
      goto out;
    }
  }
  /* the hash first: a crash between the renames leaves a FILE.sha256 that
   * disagrees with the old file, so the next fetch downloads again */
  snprintf(line, sizeof line, "%s  %s\n", res->sha256, src->file);
  if (write_atomic(dir, sha_path, sha_name, line, err) != 0) goto out;
  int fd = fd_file;
  fd_file = -1;
  if (commit(fd, tmp_file, path, err) != 0) goto out;
  free(tmp_file);
  tmp_file = NULL;
  res->path = path;
  path = NULL;
  rc = 0;
  goto out;
oom:
  es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
out:
  if (fd_dl >= 0) close(fd_dl);
  if (fd_file >= 0) close(fd_file);
  if (tmp_dl) unlink(tmp_dl);
  if (tmp_file) unlink(tmp_file);
  free(tmp_dl);
  free(tmp_file);
  free(dir);
  free(path);
  free(sha_path);
  if (rc != 0) es_fetch_result_release(res);
  return rc;
}

void es_fetch_result_release(es_fetch_result *res) {
  if (!res) return;
  free(res->path);
  free(res->url);
  memset(res, 0, sizeof *res);
}

int es_fetch_dataset(const char *name, const es_fetch_options *opt, char **out_path,
                     es_error *err) {
  es_fetch_result res;
  *out_path = NULL;
  if (es_fetch(name, opt, &res, err) != 0) return -1;
  *out_path = res.path;
  res.path = NULL;
  es_fetch_result_release(&res);
  return 0;
}
