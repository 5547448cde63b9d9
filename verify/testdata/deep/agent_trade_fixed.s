# agent_trade_fixed: agent_trade with the price checked before the multiply
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    jgt r2, 1000, path1
    lddw r5, 1844674407370955161
    jgt r3, r5, fail
    mov64 r4, 10
    ja done
path1:
    jeq r3, 0, fail
    mov64 r4, r2
    div64 r4, r3
done:
    mov64 r0, r4
    mul64 r0, r3
    exit
fail:
    mov64 r0, 0
    exit
