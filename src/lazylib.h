/*
 * lazylib.h: libcurl and libarchive, loaded when first needed.
 *
 * Linked normally, libcurl and libarchive bring about 40 more shared
 * libraries into every esbench process (TLS, Kerberos, LDAP, ICU, XML),
 * whose loading and constructors cost ~4.5 ms of CPU at every start: more
 * than reading and scoring a small file. Only downloads need them, so they
 * are opened with dlopen on first use, like git keeps HTTP in a helper.
 *
 * The function pointers take their types from the libraries' own headers
 * (__typeof__), so every call is checked by the compiler as a direct call
 * would be. A library that cannot be loaded is an error that says which
 * package to install.
 *
 * Adding a function: a field in the struct (named without the library's
 * prefix) and a row in the table in lazylib.c.
 */
#ifndef ES_LAZYLIB_H
#define ES_LAZYLIB_H

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>

#include "error.h"

typedef struct {
  __typeof__(curl_global_init) *global_init;
  __typeof__(curl_global_cleanup) *global_cleanup;
  __typeof__(curl_easy_init) *easy_init;
  __typeof__(curl_easy_setopt) *easy_setopt;
  __typeof__(curl_easy_perform) *easy_perform;
  __typeof__(curl_easy_cleanup) *easy_cleanup;
  __typeof__(curl_easy_strerror) *easy_strerror;
  __typeof__(curl_easy_getinfo) *easy_getinfo;
  __typeof__(curl_slist_append) *slist_append;
  __typeof__(curl_slist_free_all) *slist_free_all;
  __typeof__(curl_multi_init) *multi_init;
  __typeof__(curl_multi_cleanup) *multi_cleanup;
  __typeof__(curl_multi_setopt) *multi_setopt;
  __typeof__(curl_multi_add_handle) *multi_add_handle;
  __typeof__(curl_multi_remove_handle) *multi_remove_handle;
  __typeof__(curl_multi_perform) *multi_perform;
  __typeof__(curl_multi_poll) *multi_poll;
  __typeof__(curl_multi_info_read) *multi_info_read;
  __typeof__(curl_multi_strerror) *multi_strerror;
} es_curl_lib;

typedef struct {
  __typeof__(archive_read_new) *read_new;
  __typeof__(archive_read_support_format_zip) *read_support_format_zip;
  __typeof__(archive_read_open_filename) *read_open_filename;
  __typeof__(archive_read_next_header) *read_next_header;
  __typeof__(archive_read_data) *read_data;
  __typeof__(archive_read_free) *read_free;
  __typeof__(archive_error_string) *error_string;
  __typeof__(archive_entry_filetype) *entry_filetype;
  __typeof__(archive_entry_pathname) *entry_pathname;
} es_archive_lib;

/* The loaded library (the same table on every call; thread-safe), or NULL
 * with err (ES_EXIT_INTERNAL) naming the library and the package. */
const es_curl_lib *es_curl_lib_get(es_error *err);
const es_archive_lib *es_archive_lib_get(es_error *err);

#endif
