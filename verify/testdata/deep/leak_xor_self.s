# leak_xor_self: x ^ x is zero whatever x is
    ldxdw r0, [r1+0]
    xor64 r0, r0
    exit
