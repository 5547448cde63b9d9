# hello.s: log a greeting and return 0.
#
#   agora run examples/asm/hello.s      # r0 = 0, after the log line
#
# The string is built on the stack (raw programs have no data section),
# then handed to the sol_log_ syscall as a pointer and a length.
    lddw r2, 0x61202c6f6c6c6568     # "hello, a" little-endian
    stxdw [r10-16], r2
    stw [r10-8], 0x61726f67         # "gora"
    mov64 r1, r10
    sub64 r1, 16                    # r1 = address of the string
    mov64 r2, 12                    # r2 = its length
    syscall sol_log_
    mov64 r0, 0
    exit
