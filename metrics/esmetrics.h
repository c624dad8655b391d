/*
 * esmetrics.h: the public header of esbench's metrics library.
 *
 * A self-contained C library (PCRE2 and libm only: no network, no config)
 * that reproduces the text metrics of emotional-support research exactly as
 * the implementations people cite compute them:
 *
 *   tokenizers   sacrebleu 13a, rouge_score (with nltk's Porter stemmer),
 *                nltk word_tokenize (Punkt + Treebank rules), whitespace
 *   BLEU         sacrebleu corpus and sentence BLEU; nltk corpus/sentence
 *                BLEU with smoothing methods; per-segment sufficient stats
 *   ROUGE-L      rouge_score's rougeL and the ESConv code's LCS F (beta 1.2)
 *   Distinct-n   corpus-level, and the ESConv code's variant
 *   strategy     accuracy, macro/weighted F1, per class, confusion matrix
 *
 * Include this one header; each module's header documents its contract.
 */
#ifndef ESMETRICS_H
#define ESMETRICS_H

#define ESMETRICS_VERSION "0.1.0"

#include "es_common.h"
#include "tokenize.h"
#include "bleu.h"
#include "rouge.h"
#include "distinct.h"
#include "strategy_scores.h"

#endif
