#ifndef CFUZZERDRIVER_H
#define CFUZZERDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (in the runtime that -sanitize=fuzzer links): parses the libFuzzer flags
/// in argv and runs `callback` on each input. The fuzz targets call it from their Swift `main`,
/// because SwiftPM links every executable target with a Swift entry point of its own.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
