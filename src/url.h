/*
 * url.h: checks on the URLs esbench is given (model server endpoints).
 */
#ifndef ES_URL_H
#define ES_URL_H

/* Whether the authority part of url carries credentials ("user:pass@host"):
 * such URLs are refused, because a URL is printed in errors and logs while
 * keys must never be; keys travel through api_key_env. 1 or 0. */
int es_url_has_credentials(const char *url);

#endif
