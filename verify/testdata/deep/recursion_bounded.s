# recursion_bounded: recursion bounded by a masked input byte
    ldxb r1, [r1+0]
    and64 r1, 15
    call function_down
    exit
function_down:
    jeq r1, 0, base
    add64 r1, -1
    call function_down
base:
    mov64 r0, 0
    exit
