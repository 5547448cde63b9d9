# mem_unbounded_index: an input-chosen index used unchecked
    ldxdw r2, [r1+0]
    add64 r1, r2
    ldxb r0, [r1+0]
    exit
