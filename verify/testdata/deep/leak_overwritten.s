# leak_overwritten: the slot overwritten before it is read
    ldxdw r2, [r1+0]
    stxdw [r10-8], r2
    stdw [r10-8], 3
    ldxdw r0, [r10-8]
    exit
