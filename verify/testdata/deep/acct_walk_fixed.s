# acct_walk_fixed: reads num_accounts and the second account's data_len through the header
    ldxdw r2, [r1+0]
    jne r2, 2, out
    ldxdw r3, [r1+10440]
    mov64 r0, r3
out:
    exit
