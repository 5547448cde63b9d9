# sys_havoc_heap: a heap word written before an unmodelled syscall is read after it: the syscall may have changed it
    lddw r6, 0x300000000
    stdw [r6+0], 5
    syscall sol_remaining_compute_units
    ldxdw r2, [r6+0]
    ldxdw r3, [r1+0]
    jgt r3, 100, out
    add64 r2, r3
out:
    mov64 r0, 0
    exit
