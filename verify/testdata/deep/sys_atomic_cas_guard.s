# sys_atomic_cas_guard: agora_atomic_cas installs a small value; the add after it cannot wrap
    ldxdw r6, [r1+0]
    jgt r6, 1000, out
    lddw r1, 0x300000000
    mov64 r2, 0
    mov64 r3, r6
    syscall agora_atomic_cas
    syscall agora_atomic_load
    add64 r0, 7
out:
    exit
