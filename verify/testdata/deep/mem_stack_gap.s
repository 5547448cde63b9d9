# mem_stack_gap: a load just above the frame, in V0's gap
    ldxdw r0, [r10+0]
    exit
