// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "par.h"

struct par {
	int (*fn)(void *ctx, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next;
	pthread_mutex_t lock;
	size_t failed; /* lowest failed index, @n when none */
	int ret;
};

static void *worker(void *arg)
{
	struct par *p = arg;
	size_t i;
	int ret;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n) {
		ret = p->fn(p->ctx, i);
		if (!ret)
			continue;
		pthread_mutex_lock(&p->lock);
		if (i < p->failed) {
			p->failed = i;
			p->ret = ret;
		}
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

int par_for(size_t n, int (*fn)(void *ctx, size_t i), void *ctx, size_t *failed)
{
	struct par p = {
	    .fn = fn, .ctx = ctx, .n = n, .failed = n, .ret = 0, .lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_t tid[PAR_MAX];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = cpus < 1 ? 1 : cpus > PAR_MAX ? PAR_MAX : (size_t)cpus, started, i;

	atomic_init(&p.next, 0);
	if (threads > n)
		threads = n;
	/* This thread is one of the workers; a thread that cannot start just leaves it more work.
	 */
	for (started = 0; started + 1 < threads; started++)
		if (pthread_create(&tid[started], NULL, worker, &p))
			break;
	worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (p.ret && failed)
		*failed = p.failed;
	return p.ret;
}
