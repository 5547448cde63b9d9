# sub_wrap: balance - amount with no check
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    sub64 r2, r3
    mov64 r0, r2
    exit
