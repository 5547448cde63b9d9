# sub_guarded: balance - amount after balance >= amount
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    jlt r2, r3, fail
    sub64 r2, r3
    mov64 r0, r2
    exit
fail:
    mov64 r0, 1
    exit
