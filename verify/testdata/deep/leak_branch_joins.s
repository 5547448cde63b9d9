# leak_branch_joins: a branch on the secret whose effect dies before r0 is set
    ldxdw r2, [r1+0]
    mov64 r3, 0
    jle r2, 5, skip
    mov64 r3, 1
skip:
    mov64 r0, 7
    exit
