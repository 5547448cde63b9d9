#include "agora.h"
static const char *const names[] = {"a", "b"};
uint64_t entrypoint(const uint8_t *input) { sol_log(names[input[0] & 1]); return 0; }
