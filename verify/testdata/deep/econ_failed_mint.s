# econ_failed_mint: a mint that always returns an error: the runtime drops its writes
    ldxdw r3, [r1+80]
    add64 r3, 1
    stxdw [r1+80], r3
    mov64 r0, 1
    exit
