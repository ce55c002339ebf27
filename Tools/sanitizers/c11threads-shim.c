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
#include <errno.h>

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

// librdkafka's locks and condition variables (C11 mtx_*/cnd_*): glibc implements them on its
// internal pthread functions, again unseen by TSan, which then reports librdkafka-synchronised
// hand-offs (a topic created on one thread, used in a delivery report on another) as races.
// glibc's mtx_t and cnd_t have the layout of pthread_mutex_t and pthread_cond_t.
int mtx_init(mtx_t *m, int type) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    if (type & mtx_recursive) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    int rc = pthread_mutex_init((pthread_mutex_t *)m, &attr);
    pthread_mutexattr_destroy(&attr);
    return rc == 0 ? thrd_success : thrd_error;
}
int mtx_lock(mtx_t *m) { return pthread_mutex_lock((pthread_mutex_t *)m) == 0 ? thrd_success : thrd_error; }
int mtx_trylock(mtx_t *m) {
    int rc = pthread_mutex_trylock((pthread_mutex_t *)m);
    return rc == 0 ? thrd_success : rc == EBUSY ? thrd_busy : thrd_error;
}
int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict ts) {
    int rc = pthread_mutex_timedlock((pthread_mutex_t *)m, ts);
    return rc == 0 ? thrd_success : rc == ETIMEDOUT ? thrd_timedout : thrd_error;
}
int mtx_unlock(mtx_t *m) { return pthread_mutex_unlock((pthread_mutex_t *)m) == 0 ? thrd_success : thrd_error; }
void mtx_destroy(mtx_t *m) { pthread_mutex_destroy((pthread_mutex_t *)m); }

int cnd_init(cnd_t *c) { return pthread_cond_init((pthread_cond_t *)c, NULL) == 0 ? thrd_success : thrd_error; }
int cnd_signal(cnd_t *c) { return pthread_cond_signal((pthread_cond_t *)c) == 0 ? thrd_success : thrd_error; }
int cnd_broadcast(cnd_t *c) { return pthread_cond_broadcast((pthread_cond_t *)c) == 0 ? thrd_success : thrd_error; }
int cnd_wait(cnd_t *c, mtx_t *m) {
    return pthread_cond_wait((pthread_cond_t *)c, (pthread_mutex_t *)m) == 0 ? thrd_success : thrd_error;
}
int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict ts) {
    int rc = pthread_cond_timedwait((pthread_cond_t *)c, (pthread_mutex_t *)m, ts);
    return rc == 0 ? thrd_success : rc == ETIMEDOUT ? thrd_timedout : thrd_error;
}
void cnd_destroy(cnd_t *c) { pthread_cond_destroy((pthread_cond_t *)c); }
