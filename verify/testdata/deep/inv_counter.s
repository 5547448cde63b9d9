# inv_counter: a counter that only grows (checked increment)
    ldxdw r2, [r1+96]
    jeq r2, -1, out
    add64 r2, 1
    stxdw [r1+96], r2
out:
    mov64 r0, 0
    exit
