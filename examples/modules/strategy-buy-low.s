# examples/modules/strategy-buy-low.s: a trading strategy as a module.
#
# It exports decide (.globl), which trading-agent.s calls with
# agora_module_call: r1 points at the price (u64), r3 at an 8-byte out
# buffer that receives the decision: 1 buy, 2 sell, 0 hold. This one buys
# below 100 and sells above 120.
#
#   agora asm examples/modules/strategy-buy-low.s -o buy-low.so

.globl decide
entrypoint:
    mov64 r0, 0
    exit
decide:
    ldxdw r5, [r1+0]
    mov64 r0, 0
    jge r5, 100, notbuy
    mov64 r0, 1
    ja done
notbuy:
    jle r5, 120, done
    mov64 r0, 2
done:
    stxdw [r3+0], r0
    mov64 r0, 0
    exit
