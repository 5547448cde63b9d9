# fault.s: read past the end of the input, which the VM stops with an
# AccessViolation (exit code 1).
#
#   agora run examples/asm/fault.s --input 00 --json      # exit code 1
    ldxdw r0, [r1+0]
    exit
