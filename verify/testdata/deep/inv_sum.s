# inv_sum: the user's form of conservation over a checked transfer
# accounts 0 and 1; amount = instruction data [0..8]
    ldxdw r2, [r1+20720]
    ldxdw r3, [r1+80]
    ldxdw r4, [r1+10432]
    jlt r3, r2, fail
    mov64 r5, -1
    sub64 r5, r2
    jgt r4, r5, fail
    sub64 r3, r2
    add64 r4, r2
    stxdw [r1+80], r3
    stxdw [r1+10432], r4
    mov64 r0, 0
    exit
fail:
    mov64 r0, 1
    exit
