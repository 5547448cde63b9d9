// overflow.c: an order total that overflows. The debugger tests break on
// the multiplication, print its operands, step over it and step back.
//
// Built by build.sh (clang-14 -g -gdwarf-4, then agora-ld); both the
// object (with DWARF) and the shared object are committed.
#include "agora.h"

static uint64_t order_total(uint64_t price, uint64_t qty) {
    uint64_t total = price * qty;
    return total;
}

uint64_t entrypoint(const uint8_t *input) {
    uint64_t price = *(const uint64_t *)input;
    uint64_t qty = *(const uint64_t *)(input + 8);
    uint64_t total = order_total(price, qty);
    if (total < price) {
        return 1; // overflowed
    }
    return 0;
}
