# mul32_wrap: 32-bit multiply by 1000
    ldxw r2, [r1+0]
    mul32 r2, 1000
    mov64 r0, r2
    exit
