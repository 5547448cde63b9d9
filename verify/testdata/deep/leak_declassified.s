# leak_declassified: the sign bit of the secret, declassified on purpose
    ldxdw r2, [r1+0]
    rsh64 r2, 63
    stxdw [r10-8], r2
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, 8
    syscall agora_declassify
    ldxdw r0, [r10-8]
    exit
