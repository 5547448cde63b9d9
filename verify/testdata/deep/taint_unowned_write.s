# taint_unowned_write: private instruction data written into an account the program does not own
    ldxdw r2, [r1+20720]
    stxdw [r1+10448], r2
    mov64 r0, 0
    exit
