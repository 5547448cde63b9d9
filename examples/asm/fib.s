# fib.s: recursive Fibonacci with BPF-to-BPF calls; returns fib(r1's first byte).
#
#   agora run examples/asm/fib.s --input 0a      # r0 = 55: fib(10)
    ldxb r1, [r1+0]
    call function_fib
    exit
function_fib:
    mov64 r0, r1
    jlt r1, 2, base
    mov64 r6, r1
    sub64 r1, 1
    call function_fib
    mov64 r7, r0
    mov64 r1, r6
    sub64 r1, 2
    call function_fib
    add64 r0, r7
base:
    exit
