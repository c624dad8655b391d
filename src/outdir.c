/* outdir.c: atomic run folders and atomic single-file writes. */
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exitcode.h"

static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", a, b);
  return p;
}

int es_mkdirs(const char *path, es_error *err) {
  char buf[4096];
  if (!*path) return es_error_set(err, ES_EXIT_USAGE, "empty folder name");
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
    return es_error_set(err, ES_EXIT_USAGE, "path too long: '%s'", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char c = *p;
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return es_error_set(err, ES_EXIT_USAGE, "cannot create folder '%s': %s", buf,
                            strerror(errno));
      *p = c;
      if (!c) break;
    }
  }
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
    return es_error_set(err, ES_EXIT_USAGE, "'%s' is not a folder", path);
  return 0;
}

int es_outdir_begin(es_outdir *o, const char *root, const char *name, es_error *err) {
  memset(o, 0, sizeof *o);
  if (es_mkdirs(root, err) != 0) return -1;
  char tmpname[512];
  snprintf(tmpname, sizeof tmpname, ".%s.tmp-%ld", name, (long)getpid());
  o->root = strdup(root);
  o->name = strdup(name);
  o->tmp = join(root, tmpname);
  if (!o->root || !o->name || !o->tmp) {
    es_outdir_release(o);
    return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  }
  if (mkdir(o->tmp, 0777) != 0) {
    es_error_set(err, ES_EXIT_USAGE, "cannot create folder '%s': %s", o->tmp, strerror(errno));
    free(o->tmp);
    o->tmp = NULL;
    es_outdir_release(o);
    return -1;
  }
  return 0;
}

char *es_outdir_file(const es_outdir *o, const char *file) { return join(o->tmp, file); }

int es_outdir_close(FILE *f, const char *path, es_error *err) {
  int ok = fflush(f) == 0 && !ferror(f) && fsync(fileno(f)) == 0;
  int saved = errno;
  if (fclose(f) != 0 && ok) {
    ok = 0;
    saved = errno;
  }
  if (!ok)
    return es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", path, strerror(saved));
  return 0;
}

/* fsync of a folder, so that a rename inside it is on disk */
static void sync_dir(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

int es_outdir_commit(es_outdir *o, es_error *err) {
  char *dest = join(o->root, o->name);
  for (int k = 2; dest; k++) {
    struct stat st;
    if (lstat(dest, &st) != 0 && errno == ENOENT) break;
    free(dest);
    size_t n = strlen(o->root) + strlen(o->name) + 16;
    dest = malloc(n);
    if (dest) snprintf(dest, n, "%s/%s-%d", o->root, o->name, k);
  }
  if (!dest) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  if (rename(o->tmp, dest) != 0) {
    es_error_set(err, ES_EXIT_INTERNAL, "cannot rename '%s' to '%s': %s", o->tmp, dest,
                 strerror(errno));
    free(dest);
    return -1;
  }
  sync_dir(o->root);
  free(o->tmp);
  o->tmp = NULL;
  o->final = dest;
  return 0;
}

void es_outdir_release(es_outdir *o) {
  if (!o) return;
  if (o->tmp) {
    DIR *d = opendir(o->tmp);
    if (d) {
      struct dirent *e;
      while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = join(o->tmp, e->d_name);
        if (p) unlink(p);
        free(p);
      }
      closedir(d);
    }
    rmdir(o->tmp);
  }
  free(o->root);
  free(o->name);
  free(o->tmp);
  free(o->final);
  memset(o, 0, sizeof *o);
}

int es_write_file_atomic(const char *path, const char *data, size_t len, es_error *err) {
  size_t n = strlen(path) + 32;
  char *tmp = malloc(n);
  if (!tmp) return es_error_set(err, ES_EXIT_INTERNAL, "out of memory");
  snprintf(tmp, n, "%s.tmp-%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) {
    es_error_set(err, ES_EXIT_USAGE, "cannot write '%s': %s", path, strerror(errno));
    free(tmp);
    return -1;
  }
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      goto fail;
    }
    off += (size_t)w;
  }
  if (fsync(fd) != 0) goto fail;
  if (close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  if (rename(tmp, path) != 0) {
    fd = -1;
    goto fail;
  }
  free(tmp);
  return 0;
fail:
  es_error_set(err, ES_EXIT_INTERNAL, "cannot write '%s': %s", path, strerror(errno));
  if (fd >= 0) close(fd);
  unlink(tmp);
  free(tmp);
  return -1;
}
