# mem_loop_pointer: a loop that bumps a pointer: no relation to the counter is kept
    mov64 r2, 0
    mov64 r3, r1
loop:
    ldxb r4, [r3+0]
    add64 r3, 1
    add64 r2, 1
    jlt r2, 10, loop
    mov64 r0, 0
    exit
