/* calls: a global call, a static (pc-relative) call, a call through a
 * function pointer, read-only data and syscalls. r0 = f(input[0]). */
#include "agora.h"

__attribute__((noinline)) uint64_t triple(uint64_t x) { return 3 * x; }
__attribute__((noinline)) static uint64_t inc(uint64_t x) { return x + 1; }

static const uint64_t table[4] = {10, 20, 30, 40};

uint64_t entrypoint(const uint8_t *input) {
  uint64_t (*volatile f)(uint64_t) = inc;
  sol_log("calls");
  uint64_t x = input[0] & 3;
  return triple(x) + inc(x) + f(table[x]);
}
