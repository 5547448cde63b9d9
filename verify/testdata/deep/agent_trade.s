# agent_trade: the proposal's agent_trade: shares * price overflows on the shares = 10 path
# balance = input[0..8], price = input[8..16]
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    jgt r2, 1000, path1
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
