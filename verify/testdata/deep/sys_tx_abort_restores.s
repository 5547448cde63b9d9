# sys_tx_abort_restores: a heap word overwritten inside a transaction that aborts keeps its old value, so the add cannot wrap
    lddw r6, 0x300000000
    stdw [r6+0], 5
    syscall agora_tx_begin
    ldxdw r2, [r1+0]
    stxdw [r6+0], r2
    syscall agora_tx_abort
    ldxdw r3, [r6+0]
    add64 r3, 10
    mov64 r0, 0
    exit
