# loop_sum_words: a sum of 4 input words in a loop: it can wrap
    mov64 r0, 0
    mov64 r2, 0
loop:
    mov64 r3, r2
    lsh64 r3, 3
    add64 r3, r1
    ldxdw r4, [r3+0]
    add64 r0, r4
    add64 r2, 1
    jlt r2, 4, loop
    exit
