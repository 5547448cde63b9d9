# sys_result_add: adds the input to sol_remaining_compute_units' result, which the analysis leaves unconstrained: neither proven nor a finding
    syscall sol_remaining_compute_units
    ldxdw r2, [r1+0]
    add64 r0, r2
    exit
