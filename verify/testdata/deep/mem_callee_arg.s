# mem_callee_arg: a function reading through its pointer argument
    call function_get
    exit
function_get:
    ldxdw r0, [r1+8]
    exit
