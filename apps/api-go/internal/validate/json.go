// Package validate checks request input with the TypeScript API's zod schemas' rules and issue messages
// (apps/api/src/notes/schemas.ts), so a 400 body is the same whichever implementation answers.
package validate

import (
	"errors"
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Value is a parsed JSON value as JavaScript sees it: *Object, []Value, String, float64, bool or nil.
type Value any

// String is a JSON string; Lone marks a lone UTF-16 surrogate escape (JSON.parse keeps it, Go would silently
// replace it), which the schema refuses.
type String struct {
	S    string
	Lone bool
}

// Object keeps JavaScript's key order: integer-like keys ascending first, then the others in first-seen order;
// a repeated key keeps its first position and its last value (JSON.parse).
type Object struct {
	Keys   []string
	Values map[string]Value
}

// ErrMalformed is any JSON.parse failure.
var ErrMalformed = errors.New("malformed JSON")

// Parse is JSON.parse over a UTF-8 body (a leading BOM is dropped, as the Fetch API's text decoding does).
func Parse(data []byte) (Value, error) {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:]
	}
	p := parser{data: data}
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.data) {
		return nil, ErrMalformed
	}
	return v, nil
}

type parser struct {
	data []byte
	i    int
}

func (p *parser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) literal(word string, v Value) (Value, error) {
	if len(p.data)-p.i >= len(word) && string(p.data[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return v, nil
	}
	return nil, ErrMalformed
}

func (p *parser) value() (Value, error) {
	if p.i >= len(p.data) {
		return nil, ErrMalformed
	}
	switch c := p.data[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, ErrMalformed
}

func (p *parser) object() (Value, error) {
	p.i++
	o := &Object{Values: map[string]Value{}}
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return o, nil
	}
	for {
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, ErrMalformed
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		key := k.(String).S
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, ErrMalformed
		}
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if _, seen := o.Values[key]; !seen {
			o.Keys = append(o.Keys, key)
		}
		o.Values[key] = v
		p.space()
		if p.i >= len(p.data) {
			return nil, ErrMalformed
		}
		if p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.data[p.i] == '}' {
			p.i++
			o.Keys = jsKeyOrder(o.Keys)
			return o, nil
		}
		return nil, ErrMalformed
	}
}

// jsKeyOrder: array-index keys ("0".."4294967294", canonical) come first in numeric order.
func jsKeyOrder(keys []string) []string {
	var index, other []string
	for _, k := range keys {
		if isArrayIndex(k) {
			index = append(index, k)
		} else {
			other = append(other, k)
		}
	}
	if len(index) == 0 {
		return keys
	}
	sort.Slice(index, func(a, b int) bool {
		x, _ := strconv.ParseUint(index[a], 10, 64)
		y, _ := strconv.ParseUint(index[b], 10, 64)
		return x < y
	})
	return append(index, other...)
}

func isArrayIndex(k string) bool {
	if k == "" || (len(k) > 1 && k[0] == '0') {
		return false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 4294967295
}

func (p *parser) array() (Value, error) {
	p.i++
	out := []Value{}
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return out, nil
	}
	for {
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.space()
		if p.i >= len(p.data) {
			return nil, ErrMalformed
		}
		if p.data[p.i] == ',' {
			p.i++
			continue
		}
		if p.data[p.i] == ']' {
			p.i++
			return out, nil
		}
		return nil, ErrMalformed
	}
}

func (p *parser) number() (Value, error) {
	start := p.i
	if p.data[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.i < len(p.data) && p.data[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return nil, ErrMalformed
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, ErrMalformed
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, ErrMalformed
		}
	}
	f, err := strconv.ParseFloat(string(p.data[start:p.i]), 64)
	if err != nil {
		// Out of range: JavaScript gives ±Infinity, never an error.
		var ne *strconv.NumError
		if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
			return f, nil
		}
		return nil, ErrMalformed
	}
	return f, nil
}

func hexVal(b []byte) (rune, bool) {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (p *parser) str() (Value, error) {
	p.i++
	var out []byte
	lone := false
	for {
		if p.i >= len(p.data) {
			return nil, ErrMalformed
		}
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return String{S: string(out), Lone: lone}, nil
		case c < 0x20:
			return nil, ErrMalformed
		case c == '\\':
			if p.i+1 >= len(p.data) {
				return nil, ErrMalformed
			}
			e := p.data[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				if p.i+4 > len(p.data) {
					return nil, ErrMalformed
				}
				r, ok := hexVal(p.data[p.i : p.i+4])
				if !ok {
					return nil, ErrMalformed
				}
				p.i += 4
				if utf16.IsSurrogate(r) {
					if r < 0xDC00 && p.i+6 <= len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
						if r2, ok := hexVal(p.data[p.i+2 : p.i+6]); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
							p.i += 6
							out = utf8.AppendRune(out, utf16.DecodeRune(r, r2))
							continue
						}
					}
					// Kept as one U+FFFD for length purposes (a lone surrogate is one UTF-16 unit too).
					lone = true
					out = utf8.AppendRune(out, utf8.RuneError)
					continue
				}
				out = utf8.AppendRune(out, r)
			default:
				return nil, ErrMalformed
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.data[p.i:])
			out = utf8.AppendRune(out, r)
			p.i += size
		}
	}
}
