/* Linux interfaces that Swift's Glibc module leaves out. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <malloc.h>

/* accept4 and mkostemp are declared by glibc only under _GNU_SOURCE, and defining that here would
   make this module's view of shared structs differ from Glibc's. Wrappers with plain prototypes avoid both. */
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int mkostemp(char *template_, int flags);
extern int syncfs(int fd);

static inline int quarry_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

static inline int quarry_mkostemp(char *template_, int flags) {
    return mkostemp(template_, flags);
}

/* Flushes every dirty page and the journal of the filesystem holding fd: one call instead of an
   fsync per file when many files must become durable together. */
static inline int quarry_syncfs(int fd) {
    return syncfs(fd);
}
