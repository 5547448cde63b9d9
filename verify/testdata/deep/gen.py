import os, json
P = "AgoraProgram1111111111111111111111111111111"
SYS = "11111111111111111111111111111111"
A = "Payer11111111111111111111111111111111111111"
B = "Recipient1111111111111111111111111111111111"
def acct(key, owner, lam, signer=False):
    return {"key": key, "owner": owner, "lamports": lam, "data_hex": "00"*16, "signer": signer, "writable": True}
json.dump([acct(A, P, 1000, True)], open("one.json", "w"), indent=1)
json.dump([acct(A, P, 1000, True), acct(B, P, 500)], open("two.json", "w"), indent=1)
json.dump([acct(A, P, 1000, True), acct(B, SYS, 500)], open("unowned.json", "w"), indent=1)

progs = {}
def prog(name, desc, src, expect, **flags):
    progs[name] = (desc, src, expect, flags)

# ---------------- memory (raw mode) ----------------
prog("mem_const", "a load at a constant input offset", """
    ldxdw r0, [r1+0]
    exit""", "memory proven; overflow proven; bounds proven; exit 0")
prog("mem_stack_spill", "a pointer spilled to the stack and reloaded", """
    stxdw [r10-8], r1
    ldxdw r2, [r10-8]
    ldxb r0, [r2+3]
    exit""", "memory proven; exit 0")
prog("mem_stack_below", "a load below the stack frame", """
    ldxdw r0, [r10-4104]
    exit""", "memory finding; exit 1")
prog("mem_stack_gap", "a load just above the frame, in V0's gap", """
    ldxdw r0, [r10+0]
    exit""", "memory finding; exit 1")
prog("mem_masked_index", "an input-chosen index masked to 0..15", """
    ldxb r2, [r1+0]
    and64 r2, 15
    mov64 r3, r1
    add64 r3, r2
    ldxb r0, [r3+0]
    exit""", "memory proven; overflow proven; exit 0")
prog("mem_unbounded_index", "an input-chosen index used unchecked", """
    ldxdw r2, [r1+0]
    add64 r1, r2
    ldxb r0, [r1+0]
    exit""", "memory finding; exit 1")
prog("mem_guarded_index", "an index checked against a bound before use", """
    ldxdw r2, [r1+0]
    jgt r2, 31, out
    add64 r1, r2
    ldxb r0, [r1+8]
    exit
out:
    mov64 r0, 0
    exit""", "memory proven; overflow proven; exit 0")
prog("mem_guarded_wrong", "an off-by-one bound check (index may reach the end)", """
    ldxdw r2, [r1+0]
    jgt r2, 56, out
    mov64 r3, r1
    add64 r3, r2
    ldxdw r0, [r3+0]
    exit
out:
    mov64 r0, 0
    exit""", "memory proven; exit 0")
prog("mem_heap", "the last 8 bytes of the default heap", """
    lddw r2, 0x300000000
    stxdw [r2+32760], r1
    exit""", "memory proven; exit 0")
prog("mem_heap_end", "one byte past the default heap", """
    lddw r2, 0x300000000
    stxdw [r2+32761], r1
    exit""", "memory finding; exit 1")
prog("mem_null", "a load through a null pointer", """
    mov64 r2, 0
    ldxb r0, [r2+0]
    exit""", "memory finding; exit 1")
prog("mem_rodata_store", "a store into the read-only program region", """
    lddw r2, 0x100000000
    stb [r2+0], 1
    exit""", "memory finding; exit 1")
prog("mem_loop_index", "a loop over 10 input bytes by index", """
    mov64 r2, 0
    mov64 r0, 0
loop:
    mov64 r3, r1
    add64 r3, r2
    ldxb r4, [r3+0]
    add64 r0, r4
    add64 r2, 1
    jlt r2, 10, loop
    exit""", "memory proven; overflow proven; bounds proven; exit 0")
prog("mem_loop_pointer", "a loop that bumps a pointer: no relation to the counter is kept", """
    mov64 r2, 0
    mov64 r3, r1
loop:
    ldxb r4, [r3+0]
    add64 r3, 1
    add64 r2, 1
    jlt r2, 10, loop
    mov64 r0, 0
    exit""", "memory unknown; exit 3")
prog("mem_callee_arg", "a function reading through its pointer argument", """
    call function_get
    exit
function_get:
    ldxdw r0, [r1+8]
    exit""", "memory proven; exit 0")
prog("mem_memcpy", "sol_memcpy_ between two stack slots", """
    stdw [r10-16], 7
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, r10
    add64 r2, -16
    mov64 r3, 8
    syscall sol_memcpy_
    ldxdw r0, [r10-8]
    exit""", "memory proven; exit 0")
prog("mem_memcpy_over", "sol_memcpy_ of 16 bytes at the frame's last 8: the VM maps frames contiguously, so it runs on into the next frame without a fault", """
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, r10
    add64 r2, -32
    mov64 r3, 16
    syscall sol_memcpy_
    mov64 r0, 0
    exit""", "memory proven; exit 0")
prog("mem_memset_len", "sol_memset_ with an input-chosen length", """
    ldxdw r3, [r1+0]
    mov64 r1, r10
    add64 r1, -64
    mov64 r2, 0
    syscall sol_memset_
    mov64 r0, 0
    exit""", "memory unknown; exit 3")
prog("mem_sign_index", "a signed index that may be negative", """
    ldxw r2, [r1+0]
    lsh64 r2, 32
    arsh64 r2, 32
    jsgt r2, 7, out
    mov64 r3, r10
    add64 r3, -8
    add64 r3, r2
    ldxb r0, [r3+0]
    exit
out:
    mov64 r0, 0
    exit""", "memory finding; exit 1")
prog("mem_sign_index_ok", "a signed index checked on both sides", """
    ldxw r2, [r1+0]
    lsh64 r2, 32
    arsh64 r2, 32
    jsgt r2, 7, out
    jslt r2, 0, out
    mov64 r3, r10
    add64 r3, -8
    add64 r3, r2
    ldxb r0, [r3+0]
    exit
out:
    mov64 r0, 0
    exit""", "memory proven; overflow unknown; exit 3")

# ---------------- overflow ----------------
prog("agent_trade", "the proposal's agent_trade: shares * price overflows on the shares = 10 path", """
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
    exit""", "memory proven; overflow finding; exit 1")
prog("agent_trade_fixed", "agent_trade with the price checked before the multiply", """
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
    exit""", "memory proven; overflow proven|unknown; exit 0|3", query_timeout="2s")
prog("add_wrap", "two input words added", """
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    add64 r2, r3
    mov64 r0, r2
    exit""", "overflow finding; exit 1")
prog("add_guarded", "checked add: a > MAX - b is refused first", """
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    mov64 r4, -1
    sub64 r4, r3
    jgt r2, r4, fail
    add64 r2, r3
    mov64 r0, r2
    exit
fail:
    mov64 r0, 1
    exit""", "memory proven; overflow proven; exit 0")
prog("add_carry_check", "add, then detect the wrap by comparing (the C idiom a + b < a)", """
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    mov64 r4, r2
    add64 r4, r3
    jlt r4, r2, fail
    mov64 r0, r4
    exit
fail:
    mov64 r0, 1
    exit""", "overflow finding; exit 1")
prog("sub_wrap", "balance - amount with no check", """
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    sub64 r2, r3
    mov64 r0, r2
    exit""", "overflow finding; exit 1")
prog("sub_guarded", "balance - amount after balance >= amount", """
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    jlt r2, r3, fail
    sub64 r2, r3
    mov64 r0, r2
    exit
fail:
    mov64 r0, 1
    exit""", "memory proven; overflow proven; exit 0")
prog("sub_imm", "a decrement of an input word", """
    ldxdw r2, [r1+0]
    add64 r2, -1
    mov64 r0, r2
    exit""", "overflow finding; exit 1")
prog("sub_imm_guarded", "a decrement after a zero check", """
    ldxdw r2, [r1+0]
    jeq r2, 0, out
    add64 r2, -1
out:
    mov64 r0, r2
    exit""", "overflow proven; exit 0")
prog("mul_small", "16-bit operands multiplied in 64 bits", """
    ldxh r2, [r1+0]
    ldxh r3, [r1+2]
    mul64 r2, r3
    mov64 r0, r2
    exit""", "memory proven; overflow proven; exit 0")
prog("mul_wrap", "two input words multiplied", """
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    mul64 r2, r3
    mov64 r0, r2
    exit""", "overflow finding; exit 1")
prog("mul_guarded_div", "checked multiply: a <= MAX / b", """
    ldxdw r2, [r1+0]
    ldxdw r3, [r1+8]
    jeq r3, 0, zero
    mov64 r4, -1
    div64 r4, r3
    jgt r2, r4, fail
    mul64 r2, r3
zero:
    mov64 r0, r2
    exit
fail:
    mov64 r0, 1
    exit""", "overflow proven|unknown; exit 0|3", query_timeout="2s")
prog("lsh_wrap", "an input word shifted left by 8", """
    ldxdw r2, [r1+0]
    lsh64 r2, 8
    mov64 r0, r2
    exit""", "overflow finding; exit 1")
prog("lsh_masked", "a byte shifted left by 8", """
    ldxb r2, [r1+0]
    lsh64 r2, 8
    mov64 r0, r2
    exit""", "overflow proven; exit 0")
prog("neg_min", "negation of an input word", """
    ldxdw r2, [r1+0]
    neg64 r2
    mov64 r0, r2
    exit""", "overflow finding; exit 1")
prog("add32_wrap", "32-bit add of two input words", """
    ldxw r2, [r1+0]
    ldxw r3, [r1+4]
    add32 r2, r3
    mov64 r0, r2
    exit""", "overflow finding; exit 1")
prog("add32_masked", "32-bit add of two 16-bit values", """
    ldxh r2, [r1+0]
    ldxh r3, [r1+2]
    add32 r2, r3
    mov64 r0, r2
    exit""", "overflow proven; exit 0")
prog("mul32_wrap", "32-bit multiply by 1000", """
    ldxw r2, [r1+0]
    mul32 r2, 1000
    mov64 r0, r2
    exit""", "overflow finding; exit 1")
prog("loop_sum_bytes", "a sum of 4 input bytes in a loop", """
    mov64 r0, 0
    mov64 r2, 0
loop:
    mov64 r3, r1
    add64 r3, r2
    ldxb r4, [r3+0]
    add64 r0, r4
    add64 r2, 1
    jlt r2, 4, loop
    exit""", "memory proven; overflow proven; bounds proven; exit 0")
prog("loop_sum_words", "a sum of 4 input words in a loop: it can wrap", """
    mov64 r0, 0
    mov64 r2, 0
loop:
    mov64 r3, r2
    lsh64 r3, 3
    add64 r3, r1
    ldxdw r4, [r3+0]
    add64 r0, r4
    add64 r2, 1
    jlt r2, 4, loop
    exit""", "overflow finding; exit 1")
prog("loop_input_count", "a loop that runs an input-chosen number of times", """
    ldxdw r2, [r1+0]
    mov64 r0, 0
loop:
    jeq r2, 0, out
    add64 r2, -1
    add64 r0, 3
    ja loop
out:
    exit""", "overflow unknown; bounds unknown; exit 3", max_paths=64, timeout="5s")
prog("div_guarded", "100 / x with x checked for zero", """
    ldxdw r2, [r1+0]
    mov64 r0, 0
    jeq r2, 0, out
    mov64 r0, 100
    div64 r0, r2
out:
    exit""", "memory proven; overflow proven; exit 0")
prog("recursion_deep", "recursion as deep as an input byte: past 64 frames it faults", """
    ldxb r1, [r1+0]
    call function_down
    exit
function_down:
    jeq r1, 0, base
    add64 r1, -1
    call function_down
base:
    mov64 r0, 0
    exit""", "bounds finding; exit 1")
prog("recursion_bounded", "recursion bounded by a masked input byte", """
    ldxb r1, [r1+0]
    and64 r1, 15
    call function_down
    exit
function_down:
    jeq r1, 0, base
    add64 r1, -1
    call function_down
base:
    mov64 r0, 0
    exit""", "overflow proven; bounds proven; exit 0")

# ---------------- taint ----------------
prog("trading_agent", "the proposal's trading_agent: r0 reveals balance > 1,000,000 (implicit flow)", """
# private balance = input[0..8], public price = input[8..16]
    ldxdw r2, [r1+0]
    mov64 r0, 0
    jle r2, 1000000, hold
    mov64 r0, 1
hold:
    exit""", "leak finding; exit 1", private=["input:0:8"])
prog("leak_explicit", "the private word returned", """
    ldxdw r0, [r1+0]
    exit""", "leak finding; exit 1", private=["input:0:8"])
prog("leak_public_only", "only the public word returned", """
    ldxdw r0, [r1+8]
    exit""", "leak proven; exit 0", private=["input:0:8"])
prog("leak_branch_joins", "a branch on the secret whose effect dies before r0 is set", """
    ldxdw r2, [r1+0]
    mov64 r3, 0
    jle r2, 5, skip
    mov64 r3, 1
skip:
    mov64 r0, 7
    exit""", "leak proven; exit 0", private=["input:0:8"])
prog("leak_stack", "the secret through a stack slot", """
    ldxdw r2, [r1+0]
    stxdw [r10-8], r2
    ldxdw r0, [r10-8]
    exit""", "leak finding; exit 1", private=["input:0:8"])
prog("leak_overwritten", "the slot overwritten before it is read", """
    ldxdw r2, [r1+0]
    stxdw [r10-8], r2
    stdw [r10-8], 3
    ldxdw r0, [r10-8]
    exit""", "leak proven; exit 0", private=["input:0:8"])
prog("leak_xor_self", "x ^ x is zero whatever x is", """
    ldxdw r0, [r1+0]
    xor64 r0, r0
    exit""", "leak proven; exit 0", private=["input:0:8"])
prog("leak_log", "the secret bytes logged", """
    mov64 r2, 8
    syscall sol_log_
    mov64 r0, 0
    exit""", "leak finding; exit 1", private=["input:0:8"])
prog("leak_log_public", "only the public bytes logged", """
    add64 r1, 8
    mov64 r2, 8
    syscall sol_log_
    mov64 r0, 0
    exit""", "leak proven; exit 0", private=["input:0:8"])
prog("leak_log64", "the secret in sol_log_64_'s registers", """
    ldxdw r1, [r1+0]
    syscall sol_log_64_
    mov64 r0, 0
    exit""", "leak finding; exit 1", private=["input:0:8"])
prog("leak_return_data", "the secret as return data", """
    mov64 r2, 8
    syscall sol_set_return_data
    mov64 r0, 0
    exit""", "leak finding; exit 1", private=["input:0:8"])
prog("leak_declassified", "the sign bit of the secret, declassified on purpose", """
    ldxdw r2, [r1+0]
    rsh64 r2, 63
    stxdw [r10-8], r2
    mov64 r1, r10
    add64 r1, -8
    mov64 r2, 8
    syscall agora_declassify
    ldxdw r0, [r10-8]
    exit""", "leak proven; exit 0", private=["input:0:8"])
prog("leak_callee", "the secret returned through a function", """
    ldxdw r1, [r1+0]
    call function_id
    exit
function_id:
    mov64 r0, r1
    exit""", "leak finding; exit 1", private=["input:0:8"])
prog("leak_loop_count", "a loop counting the secret's low bits (implicit flow through the loop)", """
    ldxb r2, [r1+0]
    mov64 r0, 0
loop:
    jeq r2, 0, out
    add64 r0, 1
    rsh64 r2, 1
    ja loop
out:
    exit""", "leak finding; exit 1", private=["input:0:1"])
prog("leak_early_exit", "an early exit taken on the secret (r0 is constant on both paths, but which exit runs is visible)", """
    ldxdw r2, [r1+0]
    jeq r2, 0, other
    mov64 r0, 0
    exit
other:
    mov64 r0, 1
    exit""", "leak finding; exit 1", private=["input:0:8"])

# ---------------- accounts: economics, memory, taint ----------------
TRANSFER = """
# accounts 0 and 1; amount = instruction data [0..8]
    ldxdw r2, [r1+20720]
    ldxdw r3, [r1+80]
    ldxdw r4, [r1+10432]
%s
    sub64 r3, r2
    add64 r4, r2
    stxdw [r1+80], r3
    stxdw [r1+10432], r4
    mov64 r0, 0
    exit
fail:
    mov64 r0, 1
    exit"""
GUARDS = """    jlt r3, r2, fail
    mov64 r5, -1
    sub64 r5, r2
    jgt r4, r5, fail"""
prog("econ_transfer", "a checked transfer between two owned accounts", TRANSFER % GUARDS,
     "memory proven; overflow proven; conservation proven; exit 0", accounts="two.json")
prog("econ_transfer_unchecked", "a transfer with no balance check: the debit can wrap", TRANSFER % "",
     "overflow finding; conservation finding; exit 1", accounts="two.json")
prog("econ_mint", "credits account 0 from nowhere", """
    ldxdw r2, [r1+20720]
    ldxdw r3, [r1+80]
    jgt r3, 1000000, out
    and64 r2, 0xffff
    add64 r3, r2
    stxdw [r1+80], r3
out:
    mov64 r0, 0
    exit""", "memory proven; overflow proven; conservation finding; exit 1", accounts="two.json")
prog("econ_unowned_credit", "credits account 1, which the program does not own (allowed)", TRANSFER % GUARDS,
     "overflow proven; conservation proven; exit 0", accounts="unowned.json")
prog("econ_unowned_debit", "debits account 1, which the program does not own", TRANSFER.replace("+80]", "+TMP]").replace("+10432]", "+80]").replace("+TMP]", "+10432]") % GUARDS,
     "overflow proven; conservation finding; exit 1", accounts="unowned.json")
prog("econ_failed_mint", "a mint that always returns an error: the runtime drops its writes", """
    ldxdw r3, [r1+80]
    add64 r3, 1
    stxdw [r1+80], r3
    mov64 r0, 1
    exit""", "overflow finding; conservation proven; exit 1", accounts="two.json")
INV = "u64(acct[0].data[0..8]) >= old(u64(acct[0].data[0..8]))"
prog("inv_counter", "a counter that only grows (checked increment)", """
    ldxdw r2, [r1+96]
    jeq r2, -1, out
    add64 r2, 1
    stxdw [r1+96], r2
out:
    mov64 r0, 0
    exit""", "overflow proven; invariant proven; exit 0", accounts="one.json", invariant=[INV])
prog("inv_counter_wraps", "a counter incremented without a check: it wraps to 0", """
    ldxdw r2, [r1+96]
    add64 r2, 1
    stxdw [r1+96], r2
    mov64 r0, 0
    exit""", "overflow finding; invariant finding; exit 1", accounts="one.json", invariant=[INV])
prog("inv_counter_down", "a counter decremented by the instruction data", """
    ldxdw r2, [r1+96]
    ldxdw r3, [r1+10368]
    jlt r2, r3, out
    sub64 r2, r3
    stxdw [r1+96], r2
out:
    mov64 r0, 0
    exit""", "overflow proven; invariant finding; exit 1", accounts="one.json", invariant=[INV])
prog("inv_sum", "the user's form of conservation over a checked transfer", TRANSFER % GUARDS,
     "invariant proven; exit 0", accounts="two.json", invariant=["sum(lamports) == old(sum(lamports))", "acct[0].lamports + acct[1].lamports == old(acct[0].lamports) + old(acct[1].lamports)"])
prog("acct_index_unchecked", "account data indexed by instruction data, unchecked", """
    ldxdw r2, [r1+10368]
    mov64 r3, r1
    add64 r3, 96
    add64 r3, r2
    ldxb r0, [r3+0]
    exit""", "memory finding; exit 1", accounts="one.json")
prog("acct_index_checked", "account data indexed by instruction data, checked against data_len", """
    ldxdw r2, [r1+10368]
    ldxdw r4, [r1+88]
    jge r2, r4, out
    mov64 r3, r1
    add64 r3, 96
    add64 r3, r2
    ldxb r0, [r3+0]
    exit
out:
    mov64 r0, 0
    exit""", "memory proven; overflow unknown; exit 3", accounts="one.json")
prog("acct_walk_fixed", "reads num_accounts and the second account's data_len through the header", """
    ldxdw r2, [r1+0]
    jne r2, 2, out
    ldxdw r3, [r1+10440]
    mov64 r0, r3
out:
    exit""", "memory proven; overflow proven; exit 0", accounts="two.json")
prog("taint_account_r0", "a private account field returned", """
    ldxdw r0, [r1+96]
    exit""", "leak finding; exit 1", accounts="one.json", private=["account:0:0:8"])
prog("taint_unowned_write", "private instruction data written into an account the program does not own", """
    ldxdw r2, [r1+20720]
    stxdw [r1+10448], r2
    mov64 r0, 0
    exit""", "leak finding; exit 1", accounts="unowned.json", private=["data:0:8"])
prog("taint_owned_write", "private instruction data written into the program's own account", """
    ldxdw r2, [r1+20720]
    stxdw [r1+96], r2
    mov64 r0, 0
    exit""", "leak proven; exit 0", accounts="unowned.json", private=["data:0:8"])

# ---------------- syscalls the symbolic execution models or havocs ----------------
prog("sys_result_add", "adds the input to sol_remaining_compute_units' result, which the analysis leaves unconstrained: neither proven nor a finding", """
    syscall sol_remaining_compute_units
    ldxdw r2, [r1+0]
    add64 r0, r2
    exit""", "memory proven; overflow unknown; exit 3")
prog("sys_havoc_heap", "a heap word written before an unmodelled syscall is read after it: the syscall may have changed it", """
    lddw r6, 0x300000000
    stdw [r6+0], 5
    syscall sol_remaining_compute_units
    ldxdw r2, [r6+0]
    ldxdw r3, [r1+0]
    jgt r3, 100, out
    add64 r2, r3
out:
    mov64 r0, 0
    exit""", "memory proven; overflow unknown; exit 3")
prog("sys_atomic_exact", "an input word through agora_atomic_store and agora_atomic_load, then + 1: modelled exactly, so the wrap is a finding", """
    ldxdw r2, [r1+0]
    lddw r1, 0x300000000
    syscall agora_atomic_store
    syscall agora_atomic_load
    add64 r0, 1
    exit""", "overflow finding; exit 1")
prog("sys_atomic_cas_guard", "agora_atomic_cas installs a small value; the add after it cannot wrap", """
    ldxdw r6, [r1+0]
    jgt r6, 1000, out
    lddw r1, 0x300000000
    mov64 r2, 0
    mov64 r3, r6
    syscall agora_atomic_cas
    syscall agora_atomic_load
    add64 r0, 7
out:
    exit""", "memory proven; overflow proven; exit 0")
prog("sys_tx_abort_restores", "a heap word overwritten inside a transaction that aborts keeps its old value, so the add cannot wrap", """
    lddw r6, 0x300000000
    stdw [r6+0], 5
    syscall agora_tx_begin
    ldxdw r2, [r1+0]
    stxdw [r6+0], r2
    syscall agora_tx_abort
    ldxdw r3, [r6+0]
    add64 r3, 10
    mov64 r0, 0
    exit""", "memory proven; overflow proven; exit 0")
prog("sys_tx_commit_keeps", "the same with tx_commit: the input word stays, and the add can wrap", """
    lddw r6, 0x300000000
    stdw [r6+0], 5
    syscall agora_tx_begin
    ldxdw r2, [r1+0]
    stxdw [r6+0], r2
    syscall agora_tx_commit
    ldxdw r3, [r6+0]
    add64 r3, 10
    mov64 r0, 0
    exit""", "overflow finding; exit 1")
prog("sys_cpi_conservation", "a CPI may move the lamports of every writable account: conservation across it is unknown, not proven", """
    mov64 r1, r10
    sub64 r1, 64
    mov64 r2, r10
    sub64 r2, 128
    mov64 r3, 0
    mov64 r4, 0
    mov64 r5, 0
    syscall sol_invoke_signed_c
    mov64 r0, 0
    exit""", "conservation unknown; exit 3", accounts="two.json")

for name, (desc, src, expect, flags) in progs.items():
    with open(name + ".s", "w") as f:
        f.write("# %s: %s\n" % (name, desc))
        f.write(src.lstrip("\n") + "\n")
    with open(name + ".expect", "w") as f:
        f.write("# expected verdicts of agora verify --deep for %s.s\n" % name)
        for k in ("accounts",):
            if k in flags: f.write("accounts %s\n" % flags[k])
        for p in flags.get("private", []): f.write("private %s\n" % p)
        for p in flags.get("invariant", []): f.write("invariant-expr %s\n" % p)
        if "max_paths" in flags: f.write("max-paths %d\n" % flags["max_paths"])
        if "timeout" in flags: f.write("timeout %s\n" % flags["timeout"])
        if "query_timeout" in flags: f.write("query-timeout %s\n" % flags["query_timeout"])
        for part in expect.split(";"):
            f.write(part.strip() + "\n")
print(len(progs))

# ---------------- C (prebuilt with the repo's C toolchain) and OVSM ----------------
json.dump([{"key": A, "owner": P, "lamports": 1000, "data_hex": "", "signer": True, "writable": True},
           {"key": B, "owner": P, "lamports": 500, "data_hex": "", "writable": True}], open("swap.json", "w"), indent=1)
extern = {
    "c_transfer": ("../../../testdata/c/transfer.so", "../../../examples/c/transfer.json",
                   "examples/c/transfer.c: a checked lamport transfer",
                   "memory proven; overflow proven; conservation proven; exit 0"),
    "c_hello": ("../../../testdata/c/hello.so", "../../../examples/c/hello.json",
                "examples/c/hello.c: logs and returns", "memory proven; overflow proven; conservation proven; exit 0"),
    "c_counter": ("../../../testdata/c/counter.so", "../../../examples/c/counter.json",
                  "examples/c/counter.c: adds, then detects the wrap (next < value): the add itself wraps, so it is reported",
                  "overflow finding; conservation proven; exit 1"),
    "ovsm_atomic_swap": ("../../../examples/ovsm/atomic-swap.ovsm", "swap.json",
                         "examples/ovsm/atomic-swap.ovsm: balance-b + 100 can wrap", "overflow finding; exit 1"),
}
for name, (path, accts, desc, expect) in extern.items():
    with open(name + ".expect", "w") as f:
        f.write("# expected verdicts of agora verify --deep for %s\n" % desc)
        f.write("file %s\naccounts %s\n" % (path, accts))
        for part in expect.split(";"):
            f.write(part.strip() + "\n")
