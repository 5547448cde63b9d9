pragma circom 2.0.0;

// c = a * b, with a and the output c public and b private: a proof shows
// knowledge of a factor b of c given a.
template Multiplier() {
    signal input a;
    signal input b;
    signal output c;
    c <== a * b;
}

component main {public [a]} = Multiplier();
