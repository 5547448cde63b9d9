# sys_tx_commit_keeps: the same with tx_commit: the input word stays, and the add can wrap
    lddw r6, 0x300000000
    stdw [r6+0], 5
    syscall agora_tx_begin
    ldxdw r2, [r1+0]
    stxdw [r6+0], r2
    syscall agora_tx_commit
    ldxdw r3, [r6+0]
    add64 r3, 10
    mov64 r0, 0
    exit
