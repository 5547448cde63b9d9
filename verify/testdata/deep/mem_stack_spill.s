# mem_stack_spill: a pointer spilled to the stack and reloaded
    stxdw [r10-8], r1
    ldxdw r2, [r10-8]
    ldxb r0, [r2+3]
    exit
