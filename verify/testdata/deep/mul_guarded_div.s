# mul_guarded_div: checked multiply: a <= MAX / b
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    jeq r3, 0, zero
    mov64 r4, -1
    div64 r4, r3
    jgt r2, r4, fail
    mul64 r2, r3
zero:
    mov64 r0, r2
    exit
fail:
    mov64 r0, 1
    exit
