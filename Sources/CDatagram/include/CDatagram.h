// Linux datagram calls the Swift Glibc module does not export (recvmmsg, eventfd and mmap's
// MAP_FAILED are behind _GNU_SOURCE or are macros): the engine thread's UDP reads and wake-ups.
#ifndef ALERTRELAY_CDATAGRAM_H
#define ALERTRELAY_CDATAGRAM_H
#include <stddef.h>

/// The most datagrams one alertrelay_recv_datagrams call reads.
#define ALERTRELAY_MAX_DATAGRAMS_PER_CALL 64

/// Reads up to `count` datagrams from `fd` without blocking (recvmmsg, MSG_DONTWAIT), the i-th
/// into the `slot_size` bytes at `base + i * slot_size`. `lengths[i]` receives each datagram's
/// length (at most `slot_size`; `truncated[i]` is 1 when the datagram was longer). Returns how
/// many were read, or -1 with errno set (EAGAIN/EWOULDBLOCK: none waiting).
int alertrelay_recv_datagrams(int fd, unsigned char *base, size_t slot_size, unsigned int count,
                              unsigned int *lengths, int *truncated);

/// The kernel memory the datagrams queued on `fd` take (`SO_MEMINFO`'s SK_MEMINFO_RMEM_ALLOC:
/// their buffers' true size, which is what the kernel compares with the receive buffer before it
/// drops one) into `queued`, the receive buffer (SK_MEMINFO_RCVBUF) into `limit` and the datagrams
/// the socket dropped so far (SK_MEMINFO_DROPS) into `drops`. Returns 0, or -1 with errno set.
int alertrelay_socket_memory(int fd, unsigned int *queued, unsigned int *limit, unsigned int *drops);

/// A non-blocking, close-on-exec eventfd with counter 0, or -1 with errno set.
int alertrelay_eventfd(void);

/// `size` bytes of private anonymous memory (pages become resident only when written), or NULL.
void *alertrelay_map_anonymous(size_t size);

/// Returns memory from alertrelay_map_anonymous.
void alertrelay_unmap(void *base, size_t size);
#endif
