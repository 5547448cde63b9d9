# leak_explicit: the private word returned
    ldxdw r0, [r1+0]
    exit
