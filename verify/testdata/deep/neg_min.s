# neg_min: negation of an input word
    ldxdw r2, [r1+0]
    neg64 r2
    mov64 r0, r2
    exit
