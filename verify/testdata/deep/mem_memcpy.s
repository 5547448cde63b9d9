# mem_memcpy: sol_memcpy_ between two stack slots
    stdw [r10-16], 7
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, r10
    add64 r2, -16
    mov64 r3, 8
    syscall sol_memcpy_
    ldxdw r0, [r10-8]
    exit
