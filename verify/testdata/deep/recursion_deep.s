# recursion_deep: recursion as deep as an input byte: past 64 frames it faults
    ldxb r1, [r1+0]
    call function_down
    exit
function_down:
    jeq r1, 0, base
    add64 r1, -1
    call function_down
base:
    mov64 r0, 0
    exit
