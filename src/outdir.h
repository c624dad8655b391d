/*
 * outdir.h: writing a run folder atomically.
 *
 * Every file of a run is written into a hidden temporary folder beside the
 * destination (ROOT/.NAME.tmp-PID); es_outdir_commit renames it to
 * ROOT/NAME in one step, so a crash or an error leaves no partial run
 * folder (es_outdir_abort removes the temporary one). Single files written
 * elsewhere use es_write_file_atomic (temporary name, fsync, rename).
 */
#ifndef ES_OUTDIR_H
#define ES_OUTDIR_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

typedef struct {
  char *root;   /* the parent folder */
  char *name;   /* the final folder's name */
  char *tmp;    /* the temporary folder being written */
  char *final;  /* set by es_outdir_commit */
} es_outdir;

/* Creates root (and parents) and the temporary folder. 0 or -1 with err. */
int es_outdir_begin(es_outdir *o, const char *root, const char *name, es_error *err);
/* "TMP/file", malloc'ed (NULL when out of memory). */
char *es_outdir_file(const es_outdir *o, const char *file);
/* Renames the temporary folder to ROOT/NAME (ROOT/NAME-2, -3, ... when that
 * exists). 0 or -1 with err; o->final holds the path. */
int es_outdir_commit(es_outdir *o, es_error *err);
/* Removes the temporary folder and its files (if not committed) and frees. */
void es_outdir_release(es_outdir *o);

/* Closes a file written inside the run folder: flushes, checks for write
 * errors and fsyncs it, so that the folder's rename never publishes a
 * truncated file. 0, or -1 with err naming path. */
int es_outdir_close(FILE *f, const char *path, es_error *err);

/* Writes len bytes to path through a temporary file and a rename. */
int es_write_file_atomic(const char *path, const char *data, size_t len, es_error *err);
/* mkdir -p; 0 or -1 with err. */
int es_mkdirs(const char *path, es_error *err);

#endif
