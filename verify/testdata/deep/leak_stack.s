# leak_stack: the secret through a stack slot
    ldxdw r2, [r1+0]
    stxdw [r10-8], r2
    ldxdw r0, [r10-8]
    exit
