# trading_agent: the proposal's trading_agent: r0 reveals balance > 1,000,000 (implicit flow)
# private balance = input[0..8], public price = input[8..16]
    ldxdw r2, [r1+0]
    mov64 r0, 0
    jle r2, 1000000, hold
    mov64 r0, 1
hold:
    exit
