# leak_return_data: the secret as return data
    mov64 r2, 8
    syscall sol_set_return_data
    mov64 r0, 0
    exit
