# examples/modules/strategy-momentum.s: the other strategy, with the
# same export: it follows the trend, buying above 110 and selling below
# 90 (1 buy, 2 sell, 0 hold, written at r3).
#
#   agora asm examples/modules/strategy-momentum.s -o momentum.so

.globl decide
entrypoint:
    mov64 r0, 0
    exit
decide:
    ldxdw r5, [r1+0]
    mov64 r0, 0
    jle r5, 110, notbuy
    mov64 r0, 1
    ja done
notbuy:
    jge r5, 90, done
    mov64 r0, 2
done:
    stxdw [r3+0], r0
    mov64 r0, 0
    exit
