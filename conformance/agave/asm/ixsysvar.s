# ixsysvar.s: read the Instructions sysvar, passed as the first account.
# Logs the current instruction's index (the data's last two bytes) with
# sol_log_64_ and returns the whole sysvar data as return data.
    mov64 r6, r1
    ldxdw r7, [r6+88]               # data length of account 0
    add64 r6, 96                    # its data
    mov64 r2, r6
    add64 r2, r7
    sub64 r2, 2
    ldxh r5, [r2+0]                 # the current index
    mov64 r1, r7
    mov64 r2, 0
    mov64 r3, 0
    mov64 r4, 0
    syscall sol_log_64_
    mov64 r1, r6
    mov64 r2, r7
    syscall sol_set_return_data
    mov64 r0, 0
    exit
