# taint_account_r0: a private account field returned
    ldxdw r0, [r1+96]
    exit
