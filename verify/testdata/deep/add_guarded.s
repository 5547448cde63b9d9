# add_guarded: checked add: a > MAX - b is refused first
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    mov64 r4, -1
    sub64 r4, r3
    jgt r2, r4, fail
    add64 r2, r3
    mov64 r0, r2
    exit
fail:
    mov64 r0, 1
    exit
