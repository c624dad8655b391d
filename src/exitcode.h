/*
 * exitcode.h: every exit code esbench uses, named in one place.
 */
#ifndef ES_EXITCODE_H
#define ES_EXITCODE_H

enum {
  ES_EXIT_OK = 0,           /* success */
  ES_EXIT_FAILURES = 1,     /* ran, but instances failed / a gate found a regression */
  ES_EXIT_USAGE = 2,        /* usage, config or input error: nothing written */
  ES_EXIT_INCOMPARABLE = 3, /* runs cannot be compared (different instances or data) */
  ES_EXIT_INTERNAL = 4,     /* out of memory, I/O failure while writing, a bug */
  ES_EXIT_INTERRUPTED = 130, /* stopped by SIGINT/SIGTERM (128 + 2, as shells report it):
                                replies so far are in the request cache, nothing else
                                is written */
};

#endif
