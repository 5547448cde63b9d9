# mem_const: a load at a constant input offset
    ldxdw r0, [r1+0]
    exit
