# lsh_masked: a byte shifted left by 8
    ldxb r2, [r1+0]
    lsh64 r2, 8
    mov64 r0, r2
    exit
