# mem_memset_len: sol_memset_ with an input-chosen length
    ldxdw r3, [r1+0]
    mov64 r1, r10
    add64 r1, -64
    mov64 r2, 0
    syscall sol_memset_
    mov64 r0, 0
    exit
