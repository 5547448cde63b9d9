# mem_stack_below: a load below the stack frame
    ldxdw r0, [r10-4104]
    exit
