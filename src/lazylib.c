/* lazylib.c: dlopen of libcurl and libarchive on first use (see lazylib.h). */
#include "lazylib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "exitcode.h"

/* A library: its file names to try, the package that provides it, and its
 * functions (symbol name and offset of the field in the table). */
typedef struct {
  const char *symbol;
  size_t offset;
} fn_row;

typedef struct {
  const char *const *files;
  const char *package;
  const fn_row *fns;
  size_t nfns;
  void *table;
  pthread_once_t once;
  char error[512];
} lib;

#define ROW(type, field, symbol) {symbol, offsetof(type, field)}

static const fn_row curl_rows[] = {
    ROW(es_curl_lib, global_init, "curl_global_init"),
    ROW(es_curl_lib, global_cleanup, "curl_global_cleanup"),
    ROW(es_curl_lib, easy_init, "curl_easy_init"),
    ROW(es_curl_lib, easy_setopt, "curl_easy_setopt"),
    ROW(es_curl_lib, easy_perform, "curl_easy_perform"),
    ROW(es_curl_lib, easy_cleanup, "curl_easy_cleanup"),
    ROW(es_curl_lib, easy_strerror, "curl_easy_strerror"),
    ROW(es_curl_lib, easy_getinfo, "curl_easy_getinfo"),
    ROW(es_curl_lib, slist_append, "curl_slist_append"),
    ROW(es_curl_lib, slist_free_all, "curl_slist_free_all"),
    ROW(es_curl_lib, multi_init, "curl_multi_init"),
    ROW(es_curl_lib, multi_cleanup, "curl_multi_cleanup"),
    ROW(es_curl_lib, multi_setopt, "curl_multi_setopt"),
    ROW(es_curl_lib, multi_add_handle, "curl_multi_add_handle"),
    ROW(es_curl_lib, multi_remove_handle, "curl_multi_remove_handle"),
    ROW(es_curl_lib, multi_perform, "curl_multi_perform"),
    ROW(es_curl_lib, multi_poll, "curl_multi_poll"),
    ROW(es_curl_lib, multi_info_read, "curl_multi_info_read"),
    ROW(es_curl_lib, multi_strerror, "curl_multi_strerror"),
};

static const fn_row archive_rows[] = {
    ROW(es_archive_lib, read_new, "archive_read_new"),
    ROW(es_archive_lib, read_support_format_zip, "archive_read_support_format_zip"),
    ROW(es_archive_lib, read_open_filename, "archive_read_open_filename"),
    ROW(es_archive_lib, read_next_header, "archive_read_next_header"),
    ROW(es_archive_lib, read_data, "archive_read_data"),
    ROW(es_archive_lib, read_free, "archive_read_free"),
    ROW(es_archive_lib, error_string, "archive_error_string"),
    ROW(es_archive_lib, entry_filetype, "archive_entry_filetype"),
    ROW(es_archive_lib, entry_pathname, "archive_entry_pathname"),
};

static const char *const curl_files[] = {"libcurl.so.4", "libcurl-gnutls.so.4", NULL};
static const char *const archive_files[] = {"libarchive.so.13", NULL};

static es_curl_lib curl_table;
static es_archive_lib archive_table;

static lib curl_lib = {curl_files, "libcurl4 (Debian; libcurl elsewhere)", curl_rows,
                       sizeof curl_rows / sizeof curl_rows[0], &curl_table, PTHREAD_ONCE_INIT, ""};
static lib archive_lib = {archive_files, "libarchive13 (Debian; libarchive elsewhere)",
                          archive_rows, sizeof archive_rows / sizeof archive_rows[0],
                          &archive_table, PTHREAD_ONCE_INIT, ""};

static void load(lib *l) {
  void *h = NULL;
  const char *why = "";
  for (const char *const *f = l->files; *f && !h; f++) {
    h = dlopen(*f, RTLD_NOW | RTLD_LOCAL);
    if (!h) why = dlerror();
  }
  if (!h) {
    snprintf(l->error, sizeof l->error, "cannot load %s (%s): install %s", l->files[0], why,
             l->package);
    return;
  }
  for (size_t i = 0; i < l->nfns; i++) {
    void *fn = dlsym(h, l->fns[i].symbol);
    if (!fn) {
      snprintf(l->error, sizeof l->error, "%s has no '%s': install a newer %s", l->files[0],
               l->fns[i].symbol, l->package);
      return;
    }
    /* POSIX guarantees that a function pointer survives a round trip
     * through void * for dlsym; store it into its typed field */
    memcpy((char *)l->table + l->fns[i].offset, &fn, sizeof fn);
  }
  /* the handle stays open for the life of the process */
}

static void load_curl(void) { load(&curl_lib); }
static void load_archive(void) { load(&archive_lib); }

const es_curl_lib *es_curl_lib_get(es_error *err) {
  pthread_once(&curl_lib.once, load_curl);
  if (curl_lib.error[0]) {
    es_error_set(err, ES_EXIT_INTERNAL, "%s", curl_lib.error);
    return NULL;
  }
  return &curl_table;
}

const es_archive_lib *es_archive_lib_get(es_error *err) {
  pthread_once(&archive_lib.once, load_archive);
  if (archive_lib.error[0]) {
    es_error_set(err, ES_EXIT_INTERNAL, "%s", archive_lib.error);
    return NULL;
  }
  return &archive_table;
}
