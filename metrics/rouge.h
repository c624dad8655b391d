/* rouge.h: placeholder until the module lands. */
#ifndef ES_ROUGE_H
#define ES_ROUGE_H
#include "es_common.h"
#endif
