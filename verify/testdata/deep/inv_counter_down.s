# inv_counter_down: a counter decremented by the instruction data
    ldxdw r2, [r1+96]
    ldxdw r3, [r1+10368]
    jlt r2, r3, out
    sub64 r2, r3
    stxdw [r1+96], r2
out:
    mov64 r0, 0
    exit
