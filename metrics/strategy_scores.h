/* strategy_scores.h: placeholder until the module lands. */
#ifndef ES_STRATEGY_SCORES_H
#define ES_STRATEGY_SCORES_H
#include "es_common.h"
#endif
