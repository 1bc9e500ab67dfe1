#ifndef PADDOCK_CLIBUV_SHIM_H
#define PADDOCK_CLIBUV_SHIM_H
#include <uv.h>
#endif
