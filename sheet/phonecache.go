package sheet

import (
	"regexp/syntax"
	"strconv"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Most numbers in a payroll share a few prefixes (677, 699, 650...), and the
// numbering plan decides a number's type by its prefix and length: numberType
// works the type out once per prefix, and only where it has proved that every
// number with that prefix and length has the same type (see decided); any other
// number goes through phonenumbers.GetNumberType. Carriers are looked up once
// per the first digits phonenumbers reads them by.

// maxPhoneCache bounds each cache; once full, numbers are looked up in full.
const maxPhoneCache = 4096

// typeKey is a country code (16 bits; they have 3 digits at most), a
// number's length and the count plen of its first digits (8 bits each), and
// those digits as a number (32 bits; at most 6 digits) in one integer: the
// map hashes it as cheaply as any key.
type typeKey uint64

func newTypeKey(cc int32, length, plen int, prefix uint32) typeKey {
	return typeKey(uint64(uint16(cc))<<48 | uint64(uint8(length))<<40 | uint64(uint8(plen))<<32 | uint64(prefix))
}

// prefixKey is the typeKey of the first k digits of nsn, which holds digits only.
func prefixKey(cc int32, nsn string, k int) typeKey {
	var v uint32
	for i := 0; i < k; i++ {
		v = v*10 + uint32(nsn[i]-'0')
	}
	return newTypeKey(cc, len(nsn), k, v)
}

// typeUnknown marks a prefix whose numbers do not all have one type.
const typeUnknown phonenumbers.PhoneNumberType = -1

var phoneCache struct {
	sync.Mutex
	types    map[typeKey]phonenumbers.PhoneNumberType
	carriers map[string]string
	plans    map[int32]*plan // by country code; nil: numbers there are looked up in full
}

// plan is a country's numbering plan, its patterns compiled for decided.
type plan struct {
	md    *phonenumbers.PhoneMetadata
	progs map[*phonenumbers.PhoneNumberDesc]*syntax.Prog
}

var metadataOnce = sync.OnceValue(func() map[string]*phonenumbers.PhoneMetadata {
	m := map[string]*phonenumbers.PhoneMetadata{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return m
	}
	for _, md := range coll.GetMetadata() {
		id := md.GetId()
		if id == "001" { // non-geographic entities, one per country code
			id = "001/" + strconv.Itoa(int(md.GetCountryCode()))
		}
		m[id] = md
	}
	return m
})

func (p *plan) descs() []*phonenumbers.PhoneNumberDesc {
	md := p.md
	return []*phonenumbers.PhoneNumberDesc{md.GetGeneralDesc(), md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(),
		md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail(), md.GetFixedLine(), md.GetMobile()}
}

// planFor returns the numbering plan of a country code that is one region's
// alone, or nil. Called with phoneCache held.
func planFor(cc int32) *plan {
	if p, ok := phoneCache.plans[cc]; ok {
		return p
	}
	var p *plan
	if regions := phonenumbers.GetRegionCodesForCountryCode(int(cc)); len(regions) == 1 {
		id := regions[0]
		if id == "001" {
			id = "001/" + strconv.Itoa(int(cc))
		}
		if md := metadataOnce()[id]; md != nil && md.GetCountryCode() == cc {
			p = &plan{md: md, progs: map[*phonenumbers.PhoneNumberDesc]*syntax.Prog{}}
			for _, d := range p.descs() {
				re, err := syntax.Parse("^(?:"+d.GetNationalNumberPattern()+")$", syntax.Perl)
				if err != nil {
					p = nil
					break
				}
				prog, err := syntax.Compile(re.Simplify())
				if err != nil {
					p = nil
					break
				}
				p.progs[d] = prog
			}
		}
	}
	if phoneCache.plans == nil {
		phoneCache.plans = map[int32]*plan{}
	}
	phoneCache.plans[cc] = p
	return p
}

// numberType is phonenumbers.GetNumberType(num) for the national significant
// number nsn (digits, no leading zero) of country code cc.
func numberType(num *number, nsn string) phonenumbers.PhoneNumberType {
	cc := num.cc
	if len(nsn) > 17 {
		return phonenumbers.GetNumberType(num.get())
	}
	if cc < 0 || cc > 0xFFFF { // no country code: it would not fit the key
		return phonenumbers.GetNumberType(num.get())
	}
	phoneCache.Lock()
	defer phoneCache.Unlock()
	var prefix uint32
	for k := 1; k <= min(len(nsn), 6); k++ {
		prefix = prefix*10 + uint32(nsn[k-1]-'0')
		if t, ok := phoneCache.types[newTypeKey(cc, len(nsn), k, prefix)]; ok {
			if t == typeUnknown {
				return phonenumbers.GetNumberType(num.get())
			}
			return t
		}
	}
	p := planFor(cc)
	if p == nil || len(phoneCache.types) >= maxPhoneCache {
		return phonenumbers.GetNumberType(num.get())
	}
	if phoneCache.types == nil {
		phoneCache.types = map[typeKey]phonenumbers.PhoneNumberType{}
	}
	k := min(len(nsn), 6)
	for j := 1; j <= k; j++ {
		if t, ok := p.typeOf(nsn[:j], len(nsn)); ok {
			phoneCache.types[prefixKey(cc, nsn, j)] = t
			return t
		}
	}
	phoneCache.types[prefixKey(cc, nsn, k)] = typeUnknown
	return phonenumbers.GetNumberType(num.get())
}

// typeOf is phonenumbers' getNumberTypeHelper for every number of length n
// that starts with prefix; ok is false unless they all have the same type.
func (p *plan) typeOf(prefix string, n int) (t phonenumbers.PhoneNumberType, ok bool) {
	ok = true
	match := func(d *phonenumbers.PhoneNumberDesc) bool {
		if !ok {
			return false
		}
		if len(d.PossibleLength) > 0 {
			found := false
			for _, l := range d.PossibleLength {
				found = found || int(l) == n
			}
			if !found {
				return false
			}
		}
		all, decided := decided(p.progs[d], prefix, n)
		ok = ok && decided
		return all
	}
	md := p.md
	switch {
	case !match(md.GetGeneralDesc()):
		t = phonenumbers.UNKNOWN
	case match(md.GetPremiumRate()):
		t = phonenumbers.PREMIUM_RATE
	case match(md.GetTollFree()):
		t = phonenumbers.TOLL_FREE
	case match(md.GetSharedCost()):
		t = phonenumbers.SHARED_COST
	case match(md.GetVoip()):
		t = phonenumbers.VOIP
	case match(md.GetPersonalNumber()):
		t = phonenumbers.PERSONAL_NUMBER
	case match(md.GetPager()):
		t = phonenumbers.PAGER
	case match(md.GetUan()):
		t = phonenumbers.UAN
	case match(md.GetVoicemail()):
		t = phonenumbers.VOICEMAIL
	case match(md.GetFixedLine()):
		t = phonenumbers.FIXED_LINE
		if md.GetSameMobileAndFixedLinePattern() || match(md.GetMobile()) {
			t = phonenumbers.FIXED_LINE_OR_MOBILE
		}
	case !md.GetSameMobileAndFixedLinePattern() && match(md.GetMobile()):
		t = phonenumbers.MOBILE
	default:
		t = phonenumbers.UNKNOWN
	}
	return t, ok
}

// decided runs prog on prefix and then on every string of digits that makes
// the text n long: decided is true when they all match (all) or none does. It
// gives up (decided false) on anything but plain digit patterns, or when the
// remaining digits could lead to too many different states.
func decided(prog *syntax.Prog, prefix string, n int) (all, ok bool) {
	if prog == nil {
		return false, false
	}
	bad := false
	var add func(set map[uint32]bool, pc uint32, pos int)
	add = func(set map[uint32]bool, pc uint32, pos int) {
		if set[pc] || bad {
			return
		}
		set[pc] = true
		in := &prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			add(set, in.Out, pos)
			add(set, in.Arg, pos)
		case syntax.InstCapture, syntax.InstNop:
			add(set, in.Out, pos)
		case syntax.InstEmptyWidth:
			e := syntax.EmptyOp(in.Arg)
			if e&^(syntax.EmptyBeginText|syntax.EmptyEndText) != 0 {
				bad = true
				return
			}
			if e&syntax.EmptyBeginText != 0 && pos != 0 || e&syntax.EmptyEndText != 0 && pos != n {
				return
			}
			add(set, in.Out, pos)
		}
	}
	step := func(set map[uint32]bool, c rune, pos int) map[uint32]bool {
		next := map[uint32]bool{}
		for pc := range set {
			in := &prog.Inst[pc]
			switch in.Op {
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
				if in.MatchRune(c) {
					add(next, in.Out, pos+1)
				}
			}
		}
		return next
	}
	key := func(set map[uint32]bool) string {
		b := make([]byte, len(prog.Inst))
		for pc := range set {
			b[pc] = 1
		}
		return string(b)
	}
	set := map[uint32]bool{}
	add(set, uint32(prog.Start), 0)
	for i, c := range prefix {
		set = step(set, c, i)
	}
	frontier := map[string]map[uint32]bool{key(set): set}
	for pos := len(prefix); pos < n; pos++ {
		next := map[string]map[uint32]bool{}
		for _, s := range frontier {
			for c := '0'; c <= '9'; c++ {
				t := step(s, c, pos)
				next[key(t)] = t
			}
		}
		if bad || len(next) > 64 {
			return false, false
		}
		frontier = next
	}
	if bad {
		return false, false
	}
	first := true
	for _, s := range frontier {
		m := false
		for pc := range s {
			m = m || prog.Inst[pc].Op == syntax.InstMatch
		}
		if first {
			all, first = m, false
		} else if m != all {
			return false, false
		}
	}
	return all, true
}

// carrier is carrierName of phonenumbers.GetCarrierForNumber(num, "en"), which
// depends on the first 10 characters of the number in E.164 form ("+237677123")
// alone.
func carrier(num *number, e164 string) string {
	key := e164[:min(len(e164), 10)]
	phoneCache.Lock()
	c, ok := phoneCache.carriers[key]
	phoneCache.Unlock()
	if ok {
		return c
	}
	c, _ = phonenumbers.GetCarrierForNumber(num.get(), "en")
	c = carrierName(c)
	phoneCache.Lock()
	if phoneCache.carriers == nil {
		phoneCache.carriers = map[string]string{}
	}
	if len(phoneCache.carriers) < maxPhoneCache {
		phoneCache.carriers[key] = c
	}
	phoneCache.Unlock()
	return c
}
