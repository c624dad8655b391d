/* distinct.h: placeholder until the module lands. */
#ifndef ES_DISTINCT_H
#define ES_DISTINCT_H
#include "es_common.h"
#endif
