# acct_index_checked: account data indexed by instruction data, checked against data_len
    ldxdw r2, [r1+10368]
    ldxdw r4, [r1+88]
    jge r2, r4, out
    mov64 r3, r1
    add64 r3, 96
    add64 r3, r2
    ldxb r0, [r3+0]
    exit
out:
    mov64 r0, 0
    exit
