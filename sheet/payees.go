package sheet

// payees is the first row of each phone number a sheet pays (E.164 digits as
// a number): an open-addressing table, where a row costs one probe of one
// slot, usually one cache miss, rather than a map's lookup and then its
// insert. It is made at about the sheet's size and grows at half full.
type payees struct {
	slots []payee
	used  int
	shift uint  // 64 - log2(len(slots))
	zero  int32 // the first row of key 0, which marks an empty slot; 0 when none
	sink  uint64
}

type payee struct {
	key uint64
	row int32
}

// newPayees makes a table for about n numbers.
func newPayees(n int) *payees {
	size, shift := 16, uint(60)
	for size < 2*n {
		size, shift = size*2, shift-1
	}
	return &payees{slots: make([]payee, size), shift: shift}
}

// firstOr returns the first row of key, or records row as its first and
// returns it.
func (p *payees) firstOr(key uint64, row int32) int32 {
	if key == 0 {
		if p.zero == 0 {
			p.zero = row
		}
		return p.zero
	}
	mask := len(p.slots) - 1
	for i := int((key * 0x9E3779B97F4A7C15) >> p.shift); ; i = (i + 1) & mask {
		s := &p.slots[i]
		switch s.key {
		case key:
			return s.row
		case 0:
			s.key, s.row = key, row
			if p.used++; 2*p.used > len(p.slots) {
				p.grow()
			}
			return row
		}
	}
}

// touch reads the first slot of the phone of every row of chunk, one after
// the other: the cache misses of a whole chunk overlap, where a row's own
// probe would wait for its miss alone. It changes nothing.
func (p *payees) touch(chunk []rowCells) {
	var x uint64
	for i := range chunk {
		if a := &chunk[i].ahead; a.done && a.err == nil {
			x ^= p.slots[(a.key*0x9E3779B97F4A7C15)>>p.shift].key
		}
	}
	p.sink = x
}

func (p *payees) grow() {
	old := p.slots
	p.slots, p.shift, p.used = make([]payee, 2*len(old)), p.shift-1, 0
	for _, s := range old {
		if s.key != 0 {
			p.firstOr(s.key, s.row)
		}
	}
}
