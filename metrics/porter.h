/*
 * porter.h: the Porter stemmer exactly as nltk 3.8 implements it.
 *
 * nltk.stem.porter.PorterStemmer() in its default mode, NLTK_EXTENSIONS:
 * the published algorithm (Porter 1980) with Martin Porter's later changes
 * and nltk's own, including the table of irregular forms ("skies" -> "sky",
 * "dying" -> "die", "news", "proceed", ...). rouge_score's tokenizer uses it
 * on every token longer than 3 characters (tok_rouge.c).
 *
 * Words are byte strings that the caller has lower-cased (nltk's stem()
 * lower-cases first; for the [a-z0-9] tokens of rouge_score that is a no-op).
 * Bytes other than a, e, i, o, u and y are consonants, as in nltk, so digits
 * behave like consonants. Pure function of its input: thread-safe.
 */
#ifndef ES_PORTER_H
#define ES_PORTER_H

#include <stddef.h>

/* Stems w[0..n) into out, which must have room for n bytes: no step makes a
 * word longer (step 1b puts back at most one 'e' after removing "ed" or
 * "ing"). out may equal w (stemming in place); otherwise the two must not
 * overlap. Returns the length of the stem, at most n, not NUL-terminated.
 * Never fails. */
size_t es_porter_stem(const char *w, size_t n, char *out);

#endif
