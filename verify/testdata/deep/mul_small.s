# mul_small: 16-bit operands multiplied in 64 bits
    ldxh r2, [r1+0]
    ldxh r3, [r1+2]
    mul64 r2, r3
    mov64 r0, r2
    exit
