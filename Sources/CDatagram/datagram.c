#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include "CDatagram.h"

int alertrelay_recv_datagrams(int fd, unsigned char *base, size_t slot_size, unsigned int count,
                              unsigned int *lengths, int *truncated) {
    struct mmsghdr messages[ALERTRELAY_MAX_DATAGRAMS_PER_CALL];
    struct iovec vectors[ALERTRELAY_MAX_DATAGRAMS_PER_CALL];
    if (count > ALERTRELAY_MAX_DATAGRAMS_PER_CALL) count = ALERTRELAY_MAX_DATAGRAMS_PER_CALL;
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = base + (size_t)i * slot_size;
        vectors[i].iov_len = slot_size;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int n;
    do {
        n = recvmmsg(fd, messages, count, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    for (int i = 0; i < n; i++) {
        lengths[i] = messages[i].msg_len;
        truncated[i] = (messages[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
    }
    return n;
}

int alertrelay_socket_memory(int fd, unsigned int *queued, unsigned int *limit, unsigned int *drops) {
    // Sized beyond SK_MEMINFO_VARS: a newer kernel may report more fields (it truncates to the length).
    unsigned int info[32];
    socklen_t length = sizeof(info);
    memset(info, 0, sizeof(info));
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, info, &length) != 0) return -1;
    *queued = info[SK_MEMINFO_RMEM_ALLOC];
    *limit = info[SK_MEMINFO_RCVBUF];
    *drops = length > SK_MEMINFO_DROPS * sizeof(unsigned int) ? info[SK_MEMINFO_DROPS] : 0;
    return 0;
}

int alertrelay_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

void *alertrelay_map_anonymous(size_t size) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void alertrelay_unmap(void *base, size_t size) { munmap(base, size); }
