#!/usr/bin/python3
"""The nltk side of ci/bench_metrics.sh: what the ESConv metric code does for
BLEU, with nltk 3.8 itself (Debian python3-nltk), whole process.

    bench_reference_nltk.py PUNKT_DIR REF HYP   -> prints BLEU-4 x100

word_tokenize(line.lower()) for every reference and hypothesis (Punkt with
the English model's parameters from PUNKT_DIR, then NLTKWordTokenizer, as
word_tokenize does), then corpus_bleu with weights 0.25 x 4 and smoothing
method3. Used only to time the reference next to esbench and to show that
both print the same number."""
import os
import sys

import nltk
from nltk.tokenize.destructive import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def main():
    punkt, ref_path, hyp_path = sys.argv[1:4]
    params = PunktParameters()
    params.abbrev_types = set(lines(os.path.join(punkt, "abbrev_types.txt")))
    params.sent_starters = set(lines(os.path.join(punkt, "sent_starters.txt")))
    for line in lines(os.path.join(punkt, "collocations.tab")):
        params.collocations.add(tuple(line.split("\t")))
    for line in lines(os.path.join(punkt, "ortho_context.tab")):
        t, flags = line.split("\t")
        params.ortho_context[t] = int(flags)
    sent = PunktSentenceTokenizer(params)
    word = NLTKWordTokenizer()

    def word_tokenize(text):
        return [t for s in sent.tokenize(text) for t in word.tokenize(s)]

    refs = [[word_tokenize(r.lower())] for r in lines(ref_path)]
    hyps = [word_tokenize(h.lower()) for h in lines(hyp_path)]
    bleu = corpus_bleu(refs, hyps, weights=(0.25,) * 4,
                       smoothing_function=SmoothingFunction().method3)
    print("%.6f" % (100 * bleu))


if nltk.__version__ != "3.8":
    sys.exit("bench_reference_nltk.py needs nltk 3.8 (Debian python3-nltk)")
main()
