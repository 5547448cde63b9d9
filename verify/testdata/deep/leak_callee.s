# leak_callee: the secret returned through a function
    ldxdw r1, [r1+0]
    call function_id
    exit
function_id:
    mov64 r0, r1
    exit
