# add_carry_check: add, then detect the wrap by comparing (the C idiom a + b < a)
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    mov64 r4, r2
    add64 r4, r3
    jlt r4, r2, fail
    mov64 r0, r4
    exit
fail:
    mov64 r0, 1
    exit
