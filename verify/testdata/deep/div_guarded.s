# div_guarded: 100 / x with x checked for zero
    ldxdw r2, [r1+0]
    mov64 r0, 0
    jeq r2, 0, out
    mov64 r0, 100
    div64 r0, r2
out:
    exit
