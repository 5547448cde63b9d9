# sys_cpi_conservation: a CPI may move the lamports of every writable account: conservation across it is unknown, not proven
    mov64 r1, r10
    sub64 r1, 64
    mov64 r2, r10
    sub64 r2, 128
    mov64 r3, 0
    mov64 r4, 0
    mov64 r5, 0
    syscall sol_invoke_signed_c
    mov64 r0, 0
    exit
