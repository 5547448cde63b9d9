package account

import (
	"errors"
	"testing"
)

func TestEncodeRoundTrip(t *testing.T) {
	a := Account{Lamports: 42, Data: []byte{1, 2, 3}, Executable: true, RentEpoch: RentExemptEpoch}
	a.Owner[0] = 9
	b, err := Decode(a.Encode())
	if err != nil || !b.Equal(&a) {
		t.Fatalf("round trip: %+v %v", b, err)
	}
	for _, bad := range [][]byte{nil, {1}, append([]byte{2}, make([]byte, 60)...)} {
		if _, err := Decode(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Decode(%x) = %v", bad, err)
		}
	}
}
