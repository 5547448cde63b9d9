# mem_guarded_wrong: an off-by-one bound check (index may reach the end)
    ldxdw r2, [r1+0]
    jgt r2, 56, out
    mov64 r3, r1
    add64 r3, r2
    ldxdw r0, [r3+0]
    exit
out:
    mov64 r0, 0
    exit
