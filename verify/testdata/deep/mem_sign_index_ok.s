# mem_sign_index_ok: a signed index checked on both sides
    ldxw r2, [r1+0]
    lsh64 r2, 32
    arsh64 r2, 32
    jsgt r2, 7, out
    jslt r2, 0, out
    mov64 r3, r10
    add64 r3, -8
    add64 r3, r2
    ldxb r0, [r3+0]
    exit
out:
    mov64 r0, 0
    exit
