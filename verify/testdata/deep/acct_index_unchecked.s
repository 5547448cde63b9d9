# acct_index_unchecked: account data indexed by instruction data, unchecked
    ldxdw r2, [r1+10368]
    mov64 r3, r1
    add64 r3, 96
    add64 r3, r2
    ldxb r0, [r3+0]
    exit
