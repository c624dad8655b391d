/* bleu.h: placeholder until the module lands. */
#ifndef ES_BLEU_H
#define ES_BLEU_H
#include "es_common.h"
#endif
