/*
 * Linked into zktest-mt with --wrap=zoo_wget_children: prints what a call returned when it is
 * neither ZOK nor ZCLOSING, and changes nothing else. testHangingClient's watcher asserts on that
 * code without printing it, and only the code tells the client's own race with zookeeper_close
 * (ZMARSHALLINGERROR: the close began while the call queued its request) apart from a fault of
 * the server (a lost connection, say).
 */
#include <stdio.h>
#include <zookeeper.h>

int __real_zoo_wget_children(zhandle_t *zh, const char *path, watcher_fn watcher, void *ctx,
                             struct String_vector *strings);

int __wrap_zoo_wget_children(zhandle_t *zh, const char *path, watcher_fn watcher, void *ctx,
                             struct String_vector *strings) {
  int rc = __real_zoo_wget_children(zh, path, watcher, ctx, strings);
  if (rc != ZOK && rc != ZCLOSING) {
    fprintf(stderr, "close-race-probe: zoo_wget_children(%s) returned %d\n", path, rc);
    fflush(stderr);
  }
  return rc;
}
