# leak_log64: the secret in sol_log_64_'s registers
    ldxdw r1, [r1+0]
    syscall sol_log_64_
    mov64 r0, 0
    exit
