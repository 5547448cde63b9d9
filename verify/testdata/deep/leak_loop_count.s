# leak_loop_count: a loop counting the secret's low bits (implicit flow through the loop)
    ldxb r2, [r1+0]
    mov64 r0, 0
loop:
    jeq r2, 0, out
    add64 r0, 1
    rsh64 r2, 1
    ja loop
out:
    exit
