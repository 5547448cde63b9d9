#include "agora.h"
extern uint64_t mystery(uint64_t);
uint64_t entrypoint(const uint8_t *input) { return mystery(input[0]); }
