# inv_counter_wraps: a counter incremented without a check: it wraps to 0
    ldxdw r2, [r1+96]
    add64 r2, 1
    stxdw [r1+96], r2
    mov64 r0, 0
    exit
