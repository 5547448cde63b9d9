# mem_guarded_index: an index checked against a bound before use
    ldxdw r2, [r1+0]
    jgt r2, 31, out
    add64 r1, r2
    ldxb r0, [r1+8]
    exit
out:
    mov64 r0, 0
    exit
