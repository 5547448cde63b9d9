# leak_early_exit: an early exit taken on the secret (r0 is constant on both paths, but which exit runs is visible)
    ldxdw r2, [r1+0]
    jeq r2, 0, other
    mov64 r0, 0
    exit
other:
    mov64 r0, 1
    exit
