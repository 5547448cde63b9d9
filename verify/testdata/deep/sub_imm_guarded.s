# sub_imm_guarded: a decrement after a zero check
    ldxdw r2, [r1+0]
    jeq r2, 0, out
    add64 r2, -1
out:
    mov64 r0, r2
    exit
