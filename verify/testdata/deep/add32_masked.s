# add32_masked: 32-bit add of two 16-bit values
    ldxh r2, [r1+0]
    ldxh r3, [r1+2]
    add32 r2, r3
    mov64 r0, r2
    exit
