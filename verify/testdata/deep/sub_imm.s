# sub_imm: a decrement of an input word
    ldxdw r2, [r1+0]
    add64 r2, -1
    mov64 r0, r2
    exit
