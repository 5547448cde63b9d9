# add32_wrap: 32-bit add of two input words
    ldxw r2, [r1+0]
    ldxw r3, [r1+4]
    add32 r2, r3
    mov64 r0, r2
    exit
