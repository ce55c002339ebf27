// A UDP load generator for ingest benchmarks: line protocol at a fixed rate to 127.0.0.1:PORT,
// POINTS_PER_DATAGRAM points per datagram, sent in batches of 32 with sendmmsg. The same binary
// drives alertrelay and InfluxDB in Benchmarks/run.sh.
//
// usage: UDPLoad PORT RATE_POINTS_PER_SECOND SECONDS [POINTS_PER_DATAGRAM [MEASUREMENTS]]
// MEASUREMENTS > 0 names the points m0..m<MEASUREMENTS-1> instead of cpu (rule benchmarks).
// Prints the number of points sent.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POOL 256
#define BATCH 32

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: UDPLoad PORT RATE SECONDS [POINTS_PER_DATAGRAM]\n");
        return 64;
    }
    int port = atoi(argv[1]);
    double rate = atof(argv[2]), seconds = atof(argv[3]);
    int per = argc > 4 ? atoi(argv[4]) : 25;
    int measurements = argc > 5 ? atoi(argv[5]) : 0;

    static char pool[POOL][65536];
    static size_t lengths[POOL];
    for (int d = 0; d < POOL; d++) {
        size_t off = 0;
        for (int p = 0; p < per; p++) {
            int n = d * per + p;
            char name[16];
            if (measurements > 0) snprintf(name, sizeof name, "m%d", n % measurements);
            else snprintf(name, sizeof name, "cpu");
            off += snprintf(pool[d] + off, sizeof pool[d] - off,
                            "%s,host=server%d,cpu=cpu%d usage_idle=%d.%d,usage_user=%d.5\n",
                            name, n % 100, n % 8, n % 100, n % 10, n % 97);
        }
        lengths[d] = off;
    }

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int sndbuf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = inet_addr("127.0.0.1");
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("connect");
        return 1;
    }

    double perSecond = rate / per;
    long total = (long)(perSecond * seconds), sent = 0;
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    double start = now();
    while (sent < total) {
        long due = (long)((now() - start) * perSecond) + 1;
        if (due > total) due = total;
        if (due <= sent) {
            usleep(100);
            continue;
        }
        int n = (int)(due - sent < BATCH ? due - sent : BATCH);
        memset(msgs, 0, sizeof msgs);
        for (int k = 0; k < n; k++) {
            int d = (int)((sent + k) % POOL);
            iov[k].iov_base = pool[d];
            iov[k].iov_len = lengths[d];
            msgs[k].msg_hdr.msg_iov = &iov[k];
            msgs[k].msg_hdr.msg_iovlen = 1;
        }
        int r = sendmmsg(fd, msgs, n, 0);
        if (r > 0) sent += r; else usleep(50);
    }
    printf("%ld\n", sent * per);
    return 0;
}
