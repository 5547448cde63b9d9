# examples/modules/trading-agent.s: an agent that keeps its strategy in a
# separate program (a strategy slot) and calls it in-process.
#
# Accounts: 0 the agent's state (writable, 16 bytes: position i64, trades
# u64), 1 the strategy program. Instruction data: the price (u64). The
# agent calls the strategy's exported decide with agora_module_call (no
# pinned version: whatever version is active), buys one unit on 1, sells
# one on 2, and logs price, decision, position and trades. Swapping the
# strategy is an upgrade of the strategy program signed by its upgrade
# authority (agora chain upgrade); the agent itself is never redeployed.
#
#   agora asm examples/modules/trading-agent.s -o agent.so

entrypoint:
    mov64 r6, r1
    # account 1 starts after account 0's data, 10 KiB of realloc space,
    # alignment and the rent epoch
    ldxdw r2, [r6+88]
    mov64 r7, r6
    add64 r7, 96
    add64 r7, r2
    add64 r7, 10247
    and64 r7, -8
    add64 r7, 8
    # the strategy's key is at r7+8; the instruction data follows it
    ldxdw r2, [r7+80]
    mov64 r9, r7
    add64 r9, 88
    add64 r9, r2
    add64 r9, 10247
    and64 r9, -8
    add64 r9, 8
    ldxdw r8, [r9+8]
    # the target block: program id, hash of "decide", flags 0, version 0
    ldxdw r1, [r7+8]
    stxdw [r10-48], r1
    ldxdw r1, [r7+16]
    stxdw [r10-40], r1
    ldxdw r1, [r7+24]
    stxdw [r10-32], r1
    ldxdw r1, [r7+32]
    stxdw [r10-24], r1
    mov64 r1, 1539833780
    stxw [r10-16], r1
    stw [r10-12], 0
    stdw [r10-8], 0
    stxdw [r10-56], r8
    stdw [r10-64], 0
    mov64 r1, r10
    add64 r1, -48
    mov64 r2, r10
    add64 r2, -56
    mov64 r3, 8
    mov64 r4, r10
    add64 r4, -64
    mov64 r5, 8
    module_call
    ldxdw r2, [r10-64]
    ldxdw r3, [r6+96]
    ldxdw r4, [r6+104]
    jne r2, 1, notbuy
    add64 r3, 1
    add64 r4, 1
    ja save
notbuy:
    jne r2, 2, save
    sub64 r3, 1
    add64 r4, 1
save:
    stxdw [r6+96], r3
    stxdw [r6+104], r4
    mov64 r1, r8
    mov64 r5, 0
    syscall sol_log_64_
    mov64 r0, 0
    exit
