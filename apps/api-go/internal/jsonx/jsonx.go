// Package jsonx writes JSON exactly as JavaScript's JSON.stringify does, so the Go API's bodies and the cache
// entries it shares with the TypeScript API (the same Redis keys hold the response bytes) are byte-identical.
// encoding/json differs: it escapes <, >, &, U+2028 and U+2029, which JSON.stringify writes as they are.
package jsonx

import (
	"strconv"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// AppendString appends s as a JSON string literal in JSON.stringify's form.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Invalid UTF-8 cannot come from a decoded JSON body (the decoder replaced it); written as U+FFFD
			// like a JavaScript string built from the same bytes.
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	return append(append(dst, s[start:]...), '"')
}

// Object builds a JSON object with keys in insertion order (JSON.stringify keeps the order properties were set).
type Object struct{ buf []byte }

// NewObject starts an object.
func NewObject() *Object { return &Object{buf: append(make([]byte, 0, 256), '{')} }

func (o *Object) key(k string) {
	if len(o.buf) > 1 {
		o.buf = append(o.buf, ',')
	}
	o.buf = AppendString(o.buf, k)
	o.buf = append(o.buf, ':')
}

// String adds a string member.
func (o *Object) String(k, v string) *Object { o.key(k); o.buf = AppendString(o.buf, v); return o }

// Int adds an integer member.
func (o *Object) Int(k string, v int64) *Object {
	o.key(k)
	o.buf = strconv.AppendInt(o.buf, v, 10)
	return o
}

// Number adds a number member, formatted as JavaScript prints it.
func (o *Object) Number(k string, v float64) *Object {
	o.key(k)
	o.buf = AppendNumber(o.buf, v)
	return o
}

// Bool adds a boolean member.
func (o *Object) Bool(k string, v bool) *Object {
	o.key(k)
	o.buf = strconv.AppendBool(o.buf, v)
	return o
}

// Null adds a null member.
func (o *Object) Null(k string) *Object { o.key(k); o.buf = append(o.buf, "null"...); return o }

// Raw adds a member whose value is already JSON.
func (o *Object) Raw(k string, v []byte) *Object { o.key(k); o.buf = append(o.buf, v...); return o }

// Bytes closes the object and returns it.
func (o *Object) Bytes() []byte { return append(o.buf, '}') }

// AppendNumber formats v like JavaScript's Number#toString for the values these bodies hold (integers and
// ratios): shortest round-trip digits, no exponent for ordinary magnitudes.
func AppendNumber(dst []byte, v float64) []byte {
	if v == float64(int64(v)) && v < 1e21 && v > -1e21 {
		return strconv.AppendInt(dst, int64(v), 10)
	}
	if abs := v; (abs >= 1e-6 || abs <= -1e-6) && abs < 1e21 && abs > -1e21 {
		return strconv.AppendFloat(dst, v, 'f', -1, 64)
	}
	b := strconv.AppendFloat(dst, v, 'e', -1, 64)
	// Go writes 1e-07, JavaScript 1e-7.
	for i := len(dst); i < len(b)-2; i++ {
		if b[i] == 'e' && (b[i+1] == '-' || b[i+1] == '+') && b[i+2] == '0' {
			return append(b[:i+2], b[i+3:]...)
		}
	}
	return b
}
