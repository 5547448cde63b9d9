# mem_masked_index: an input-chosen index masked to 0..15
    ldxb r2, [r1+0]
    and64 r2, 15
    mov64 r3, r1
    add64 r3, r2
    ldxb r0, [r3+0]
    exit
