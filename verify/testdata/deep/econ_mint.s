# econ_mint: credits account 0 from nowhere
    ldxdw r2, [r1+20720]
    ldxdw r3, [r1+80]
    jgt r3, 1000000, out
    and64 r2, 0xffff
    add64 r3, r2
    stxdw [r1+80], r3
out:
    mov64 r0, 0
    exit
