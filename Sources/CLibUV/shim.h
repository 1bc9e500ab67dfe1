#ifndef PADDOCK_CLIBUV_SHIM_H
#define PADDOCK_CLIBUV_SHIM_H
#include <uv.h>
#include <sys/prctl.h>
#include <signal.h>

/* prctl is variadic, which Swift cannot call: the parent-death signal of the calling process. */
static inline int paddock_set_parent_death_signal(int signum) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signum, 0UL, 0UL, 0UL);
}
#endif
