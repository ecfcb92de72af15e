package server

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// reservedInURI are the characters decodeURI leaves percent-encoded.
const reservedInURI = "#$&+,/:;=?@"

// honoPath is the request path as Hono reports it (c.req.path): the raw path with dot segments resolved (the
// WHATWG URL parser does that before Hono sees it), then decoded like decodeURI, with %25 kept encoded and any
// run of escapes that is not valid UTF-8 left as it was.
func honoPath(rawPath string) string {
	p := removeDotSegments(rawPath)
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		if p[i] != '%' || !isEscape(p, i) {
			b.WriteByte(p[i])
			i++
			continue
		}
		start := i
		var bytes []byte
		for i < len(p) && p[i] == '%' && isEscape(p, i) {
			bytes = append(bytes, unhex(p[i+1])<<4|unhex(p[i+2]))
			i += 3
		}
		run := p[start:i]
		if !utf8.Valid(bytes) {
			b.WriteString(run)
			continue
		}
		// Decode character by character, keeping escapes of reserved characters and of "%" as written.
		j := 0
		for k := 0; k < len(bytes); {
			r, size := utf8.DecodeRune(bytes[k:])
			escaped := run[j : j+3*size]
			if size == 1 && (strings.ContainsRune(reservedInURI, r) || r == '%') {
				b.WriteString(escaped)
			} else {
				b.WriteRune(r)
			}
			k += size
			j += 3 * size
		}
	}
	return b.String()
}

func isEscape(s string, i int) bool {
	return i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// removeDotSegments resolves "." and ".." segments as the URL parser does (empty segments are kept).
func removeDotSegments(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segments := strings.Split(p, "/")[1:]
	out := []string{}
	for i, s := range segments {
		last := i == len(segments)-1
		switch strings.ToLower(s) {
		case ".", "%2e":
			if last {
				out = append(out, "")
			}
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

// urlQueryUnescape is decodeURIComponent for a query part (after '+' became a space).
func urlQueryUnescape(s string) (string, error) { return url.PathUnescape(s) }
