# leak_public_only: only the public word returned
    ldxdw r0, [r1+8]
    exit
