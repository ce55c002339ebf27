// C11 threads over pthreads, for ThreadSanitizer runs.
//
// librdkafka starts its threads with C11 thrd_create. glibc implements thrd_create by calling its
// internal pthread_create, which ThreadSanitizer's interceptor never sees: those threads run
// without TSan state and crash in its allocator (seen: rdk:broker threads in getaddrinfo).
// LD_PRELOADed, this library routes thrd_create/thrd_join/thrd_detach through the public
// pthread functions, which the sanitized executable intercepts.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

struct start {
    thrd_start_t func;
    void *arg;
};

static void *trampoline(void *p) {
    struct start s = *(struct start *)p;
    free(p);
    return (void *)(intptr_t)s.func(s.arg);
}

int thrd_create(thrd_t *thr, thrd_start_t func, void *arg) {
    struct start *s = malloc(sizeof *s);
    if (s == NULL) return thrd_nomem;
    s->func = func;
    s->arg = arg;
    pthread_t t;
    int rc = pthread_create(&t, NULL, trampoline, s);
    if (rc != 0) {
        free(s);
        return thrd_error;
    }
    *thr = (thrd_t)t;
    return thrd_success;
}

int thrd_join(thrd_t thr, int *res) {
    void *value;
    if (pthread_join((pthread_t)thr, &value) != 0) return thrd_error;
    if (res != NULL) *res = (int)(intptr_t)value;
    return thrd_success;
}

int thrd_detach(thrd_t thr) {
    return pthread_detach((pthread_t)thr) == 0 ? thrd_success : thrd_error;
}
