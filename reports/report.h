/*
 * report.h: the rendered outputs of a run folder, made from its
 * results.json alone (so `esbench report RUN_DIR` can make them again):
 *
 *   summary.csv    one row per model x metric: value, ci_low, ci_high, p,
 *                  p_adjusted (the paired approximate randomization test
 *                  against the baseline and its Holm adjustment, as
 *                  `esbench compare` computes them), n, signature; plus the
 *                  rows without intervals (strategy F1s, judge failures)
 *   instances.csv  one row per instance x model
 *   report.html    one self-contained page (no network, inline CSS, SVG and
 *                  a little JavaScript under a hash-pinned Content Security
 *                  Policy): header, summary with intervals and significance,
 *                  charts, strategy and scenario breakdowns, the judge,
 *                  failures and an example browser. Every string from data,
 *                  models or judges is escaped (HTML text, or JSON inside a
 *                  script element with <, > and & as \u escapes) and the
 *                  page puts it in the document as text only.
 *   table.tex, table.md  the paper table (table.h) with the default columns
 *                  (formats latex and markdown; `esbench table` has the options)
 *
 * CSV: RFC 4180, UTF-8, formula-looking cells neutralised (csv.h).
 */
#ifndef ES_REPORT_H
#define ES_REPORT_H

#include <stddef.h>

#include "error.h"

/* Writes the outputs of formats[0..n) ("csv", "html", "latex", "markdown";
 * "json" is results.json itself, written by the run)
 * into the run folder dir from dir/results.json, each atomically. 0, or -1
 * with err (ES_EXIT_USAGE for an unreadable results.json). */
int es_report_render(const char *dir, const char *const *formats, size_t n, es_error *err);

#endif
