# mem_loop_index: a loop over 10 input bytes by index
    mov64 r2, 0
    mov64 r0, 0
loop:
    mov64 r3, r1
    add64 r3, r2
    ldxb r4, [r3+0]
    add64 r0, r4
    add64 r2, 1
    jlt r2, 10, loop
    exit
