// Package econ is Agora's economics program (docs/extensions.md):
// auctions (VCG, GSP, sealed bid first and second price, English, Dutch),
// escrow, reputation and staking, as a native program whose state
// lives in accounts it owns.
//
// It is callable three ways with the same semantics, because all three
// run Process, the package's one implementation, against a Host:
//
//   - as instructions in transactions: package runtime registers the
//     program as a builtin at ProgramID() (pubkey.EconProgram(),
//     "Econ111111111111111111111111111111111111111"), next to the System
//     program, and genesis creates its account;
//   - as syscalls from sBPF programs (agora_auction_create, ...; Register,
//     Mnemonics), which run the same instruction as an inner instruction
//     of the calling program (see Syscalls below);
//   - from the command line, `agora econ ...` over `agora chain`, which
//     builds the instructions with the New* builders of this package.
//
// # State accounts
//
// Every state account is a program-derived address of ProgramID():
// [prefix, owner key, id as u64 LE, bump] with prefix "auction", "escrow",
// "reputation" or "stake" (AuctionAddress, EscrowAddress, RegistryAddress,
// StakeAddress), and ["score", registry, agent, bump] (ScoreAddress). The
// operation that creates one checks the address, has the System program
// create it (an inner CreateAccount, signed for the PDA, rent paid by the
// creator) and writes its state. Layouts are fixed, little-endian, with a
// kind byte and a version byte first (Auction.Encode, DecodeAuction, ...;
// sdk/c/agora.h declares them for C): an auction is a 224-byte header and
// max_bids 104-byte bid records; an escrow 432 bytes; a registry 736; a
// score 104; a stake 200. Locked lamports live in the state account,
// above its rent, so the program can always pay out what it holds.
//
// # Instructions
//
// An instruction is a tag byte (Tag) and exactly ArgsSize(tag) bytes of
// arguments, padding zero (DecodeInstruction; Encode). The accounts of
// each operation are listed on its argument type (AuctionCreate,
// AuctionBid, ...) and in sdk/c/agora.h.
//
// # Auctions
//
// An auction has a bid deadline EndSlot = creation slot + bid_slots: bids
// are taken while slot < EndSlot. A sealed auction then takes reveals
// while EndSlot <= slot < RevealEnd (= EndSlot + reveal_slots), and
// settles from RevealEnd on; the others settle from EndSlot on (a Dutch
// auction as soon as it is taken). Settling is permissionless and happens
// once: it pays the beneficiary named at creation and refunds everything
// else, moving every lamport the auction holds for its bids.
//
// A settlement is one AuctionSettle, which lists each bid's bidder in bid
// order, or, for an auction whose bidders do not all fit one 1,232-byte
// transaction (32 outside bidders take about 1,290 bytes), a settlement in
// pieces:
//
//   - AuctionFinalize (auction, beneficiary), allowed exactly when
//     AuctionSettle is, computes and records the same outcome, pays the
//     proceeds to the beneficiary and keeps every refund: the auction is
//     then Settling (status 2), or Settled at once if nothing is owed
//     back. Bids owed nothing are marked paid out (BidPaidOut).
//   - AuctionPayout (auction, then bidders) pays the listed bidders'
//     refunds, in any order and grouping, each bid once (WrongStatus for
//     a bid already paid out, or listed twice; WrongAccount for an account
//     with no bid); the payout of the last refund makes the auction
//     Settled. Its return data is {u64 lamports paid, u64 refunds still
//     pending}.
//
// The transitions go one way, Open -> Settling -> Settled (or Open ->
// Settled): AuctionSettle and AuctionFinalize need Open (WrongStatus while
// Settling, Closed once Settled) and AuctionPayout needs Settling
// (WrongStatus while Open, Closed once Settled). At every step the
// auction holds its rent plus exactly the refunds not yet paid, and the
// total over every account is unchanged. Both are instructions only, like
// RegistryCreate (a program reaches them by invoking the program), and
// cost what AuctionSettle costs. `agora econ auction settle` picks one
// AuctionSettle when it fits and a settlement in pieces otherwise, and
// finishes an interrupted one. A bidder's funds are
// locked when it bids — taken from a System account that signs, by an
// inner System Transfer — so a winner can always pay.
//
//   - VCG: bids on bundles of 1..12 items (Bundle, a bit set) with a
//     value, locked in full; one bid per bidder, up to 32 bids. Winner
//     determination is exact: the allocation of pairwise disjoint bundles
//     with the largest total declared value, by a dynamic program over the
//     bids and the 2^items item sets (SolveVCG). Ties go to earlier bids:
//     among optimal allocations the one chosen takes bid 0 if any optimal
//     allocation does, then bid 1, and so on. Each winner pays its Clarke
//     pivot payment W(without it) − (W − its value), never more than its
//     value. The search costs CostVCGPerKStep per 1,024 table cells,
//     n·2^m for the allocation and w·(n−1)·2^m for the payments (w
//     winners), charged before each phase runs; its table takes
//     (n+1)·2^m words, 1.1 MB at the limits.
//   - GSP: 1..8 ranked slots with non-increasing positive weights (clicks,
//     say); a bid is a price per unit of weight and locks price × the top
//     slot's weight. Bids at or above the reserve are ranked by price,
//     earlier first among equals; the k-th takes slot k and pays the
//     (k+1)-th price (or the reserve, when none is left) × slot k's
//     weight.
//   - Sealed, first or second price: a bid is a commitment,
//     sha256(value u64 LE || nonce[32]) (Commitment), with a deposit of at
//     least the reserve and the penalty; one bid per bidder and per
//     commitment. A reveal (anyone may send it) must match the commitment
//     and not exceed the deposit (CommitmentMismatch otherwise: nothing
//     changes, and it can be retried with the right nonce). At settlement
//     the highest revealed value at or above the reserve wins, earlier
//     first among equals, and pays its value (first price) or the
//     second-highest such value or the reserve, whichever is more (second
//     price). A bid never revealed forfeits min(penalty, deposit) to the
//     beneficiary and gets the rest back.
//   - English: max_bids is 1, the current leader. A bid must reach the
//     reserve, then the leader's bid plus max(increment, 1); it replaces
//     the leader, whose lock is refunded in the same instruction (the
//     leader is the bid's third account). The leader pays its bid.
//   - Dutch: the price at slot s is StartPrice − increment·(s − start),
//     never below the reserve (PriceAt). The first bid of at least the
//     current price takes the auction at that price (max_bids is 1); later
//     bids are TooLate.
//
// Settlement's (and finalization's) return data is three u64: the
// proceeds, the winners (bit i for bid i) and the welfare (the winners' declared values; for GSP value
// × weight). A bid's return data is its index and the lamports locked.
//
// # Escrow
//
// Party A creates an escrow with party B, depositing AmountA (and B,
// signing, AmountB). Release needs every condition chosen (at least one):
// CondOracle (the u64 LE at an offset of a named account's data compared
// with a threshold by ==, !=, <, <=, >, >=), CondTimeLock (slot >= creation
// + lock_slots) and CondApprovals (at least k of n named approvers sign
// the release instruction). Release is possible before the timeout
// (creation + timeout_slots) and sends AmountA to B and AmountB to A;
// refund is possible from the timeout on and returns each deposit. Either
// happens once: the escrow is then Closed. Anyone may send either.
//
// # Reputation
//
// A registry (RegistryCreate, an instruction only) names up to 16 raters
// with weights, the rating bounds, the score bounds (containing 0) and the
// decay: a score keeps DecayQ16/65536 of itself per DecayPeriod slots. A
// rating by an authorised rater sets score = clamp(decay(score) + weight ×
// rating) with checked arithmetic (Overflow on a 64-bit overflow, before
// clamping). Decay is integer (Decay: 32-bit fixed point, square and
// multiply, rounding down) over whole periods from the score's anchor,
// which advances by whole periods, so frequent updates do not escape it.
// The first rating of an agent creates its score account, the rater
// paying the rent. A query returns {score decayed to now, last rating's
// slot, ratings, slot} (QueryResult) as return data; an agent never rated
// scores 0.
//
// # Staking
//
// A staker locks an amount with an unbonding period, naming the
// authority that may slash and the account slashed lamports go to (the
// documented slash destination: fixed at lock time; an incinerator
// address, if burning is wanted). The authority slashes up to the
// remaining stake with a non-zero evidence hash, which is recorded with
// the running total; slashing is allowed until release. The staker
// releases in two steps (StakeRelease's mode): unbond starts the period;
// withdraw, once it has passed, returns what is left and closes the stake
// (its account stays, with its rent, as the record).
//
// # Errors and atomicity
//
// Every failure is an *Error with a Code in [CodeBase, CodeBase+0xff]
// (Custom(code) in a transaction, logged with its detail as "econ:
// BidTooLow: ..."), or the host's own error (the compute budget). Every
// operation reads and checks everything — layouts, owners, signers,
// writability, phases, amounts, overflow, funds — before its first
// effect, so a failed operation changes nothing. Malformed input is
// InvalidInstruction; nothing panics (FuzzDecodeInstruction,
// FuzzProcess).
//
// # Syscalls
//
//	agora_X(accounts *u8, accounts_len u64, args *u8, args_len u64,
//	        signers *{SolSignerSeeds *seeds; u64 len} or 0) -> u64
//
// A syscall runs the instruction of operation X (tag + args) as an inner
// instruction of the calling program, through the runtime's Invoker
// (runtime's bpfContext.InvokeNative). Its accounts are positions in the
// calling instruction's account list — the order of the serialized input,
// params->ka[i] in C — each keeping the signer and writable privileges it
// has in the calling instruction; signers adds the calling program's PDAs
// (as sol_invoke_signed_c's seeds do). No privilege can be gained: these
// are exactly the instruction path's checks, applied by the same code. The
// program sees the accounts as they are in the caller's input region now,
// and its changes (lamports, data, owner) are written back there before
// the syscall returns, as for a CPI. r0 is 0 on success or the program's
// Code, in which case nothing changed and the caller goes on; results are
// the return data. Anything else aborts the caller: a position beyond its
// accounts (NotEnoughAccountKeys), a wrong args_len or more than 64
// positions (InvalidLength), a bad pointer (AccessViolation), a runtime
// failure (privilege escalation through signers, the budget, the
// instruction trace limit: each call is one of the transaction's 64
// instructions, plus one per inner System call) and, as for a CPI, a call
// with a transactional-memory transaction open (CPIInTransaction). Outside
// a transaction the syscalls fail with MissingContext.
//
// # Prices
//
// The program charges its own price in both paths (Costs lists them):
// base + per_unit·n, derived from the measured time of its Go
// implementation at Agave's rate of 33 ns per CU, rounded up
// (docs/costs.md), plus CostPDA (80) per program address derived. Inner System
// calls are the System program's 150 CU each. A syscall adds CostSyscall
// + CostSyscallPerAccount·n (55 + 8·n) for the invocation itself. The
// times come from BenchmarkCalibration (the program's work on a host
// whose effects are dry, b.Loop, -cpu 1, minimum of 4 runs) and
// bench.BenchmarkEconSyscallOverhead, on one core of a 2-vCPU AMD EPYC
// shared with other work, Go 1.26.8 linux/amd64:
//
//	operation                 price                      measured (min)
//	auction_create            47 + 80 (PDA)              4.2 µs with the PDA
//	auction_bid               40 + 3·bids held           1.3 µs + 94 ns/bid
//	auction_reveal            49 + 1·bids held           1.5 µs + 32 ns/bid
//	auction_settle            46 + 5·bids                1.5 µs + 133 ns/bid
//	auction_settle (VCG)      + 30 per 1,024 steps       0.96 µs per 1,024 steps
//	escrow_create             19 + 80 (PDA)              3.2 µs with the PDA
//	escrow_release            11 + 1·extra accounts      0.36 µs + 6.5 ns/account
//	escrow_refund             12                         0.36 µs
//	registry create           29 + 80 (PDA)              3.6 µs with the PDA
//	reputation_update         19 (+ 80 on a first rating) 0.53 µs (0.6 µs + PDA)
//	reputation_query          16 (+ 80 if never rated)   0.48 µs
//	stake_lock                9 + 80 (PDA)               2.9 µs with the PDA
//	stake_slash, _release     7, 6                       0.22, 0.19 µs
//	program address (PDA)     80                         2.6 µs
//	the syscall itself        55 + 8·accounts            1.7 µs + 0.24 µs/account
//
// bench/econ_test.go measures each primitive against the same job done
// by an ordinary sBPF program (examples/c/econbase.c), in CU and wall
// time, in the same run.
//
// The package keeps no state between calls, reads no clock (the slot is
// the Host's), uses no floating point and no map iteration in results,
// and reaches memory and accounts only through vm.Machine and the Host.
package econ
