/* url.c: checks on URLs (see url.h). */
#include "url.h"

#include <string.h>

int es_url_has_credentials(const char *url) {
  const char *p = strstr(url, "://");
  if (!p) return 0;
  p += 3;
  size_t host_end = strcspn(p, "/?#");
  return memchr(p, '@', host_end) != NULL;
}
