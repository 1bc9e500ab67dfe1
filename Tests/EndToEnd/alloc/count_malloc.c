/* An LD_PRELOAD allocation counter for the end-to-end suite (test_allocations.py): every
 * malloc, calloc, realloc and aligned allocation of the process is counted, and the count is kept
 * in a file mapped shared (PADDOCK_ALLOC_COUNT_FILE), so the test reads it while the process runs.
 * The allocations themselves are glibc's own (__libc_*), so nothing else changes.
 *
 * For profiling (not used by the test): PADDOCK_ALLOC_TRACE_FILE=path and
 * PADDOCK_ALLOC_TRACE_EVERY=N append the call stack of every Nth allocation to path
 * (backtrace_symbols_fd; demangle with `swift demangle`). */
#define _GNU_SOURCE
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static uint64_t fallback;
static uint64_t *counter = &fallback;
static int trace_fd = -1;
static uint64_t trace_every;
static __thread int tracing;

__attribute__((constructor)) static void open_counter(void) {
    const char *path = getenv("PADDOCK_ALLOC_COUNT_FILE");
    if (!path) return;
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) return;
    if (ftruncate(fd, sizeof(uint64_t)) == 0) {
        void *mapped = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (mapped != MAP_FAILED) counter = mapped;
    }
    close(fd);
    const char *trace = getenv("PADDOCK_ALLOC_TRACE_FILE");
    const char *every = getenv("PADDOCK_ALLOC_TRACE_EVERY");
    if (trace && every && atoi(every) > 0) {
        trace_every = (uint64_t)atoi(every);
        trace_fd = open(trace, O_WRONLY | O_CREAT | O_APPEND, 0600);
    }
}

static inline void count(void) {
    uint64_t n = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
    if (trace_fd >= 0 && n % trace_every == 0 && !tracing) {
        tracing = 1;
        void *frames[24];
        int depth = backtrace(frames, 24);
        backtrace_symbols_fd(frames, depth, trace_fd);
        (void)!write(trace_fd, "--\n", 3);
        tracing = 0;
    }
}

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void free(void *p) { __libc_free(p); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    count();
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
