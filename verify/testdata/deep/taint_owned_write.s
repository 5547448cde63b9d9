# taint_owned_write: private instruction data written into the program's own account
    ldxdw r2, [r1+20720]
    stxdw [r1+96], r2
    mov64 r0, 0
    exit
