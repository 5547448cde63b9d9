# sys_atomic_exact: an input word through agora_atomic_store and agora_atomic_load, then + 1: modelled exactly, so the wrap is a finding
    ldxdw r2, [r1+0]
    lddw r1, 0x300000000
    syscall agora_atomic_store
    syscall agora_atomic_load
    add64 r0, 1
    exit
