package validate

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Issue is one zod issue: the dotted path and zod's message (never the input value).
type Issue struct{ Path, Message string }

// Limits of a note (noteLimits in schemas.ts).
const (
	TitleMax    = 200
	BodyMax     = 20_000
	PageDefault = 20
	PageMax     = 100
	CursorMax   = 200
)

const (
	msgControl    = "must not contain control characters (other than tab, CR and LF)"
	msgWellFormed = "must be well-formed Unicode (no lone surrogates)"
)

// controlCharacters: C0 and C1 controls except tab, LF and CR.
var controlCharacters = regexp.MustCompile("[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]")

// typeName is zod's name for the received type.
func typeName(v Value) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if math.IsNaN(x) {
			return "NaN"
		}
		return "number"
	case String:
		return "string"
	case []Value:
		return "array"
	case *Object:
		return "object"
	}
	return "unknown"
}

// units is the length zod's string checks compare: code points (measured: 101 emoji pass max(200)).
func units(s string) int { return utf8.RuneCountInString(s) }

// isJSSpace is JavaScript's WhiteSpace and LineTerminator (String#trim, Number()).
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// TrimJS is String#trim.
func TrimJS(s string) string { return strings.TrimFunc(s, isJSSpace) }

// storableText checks one text field; present=false means the key was absent (undefined).
func storableText(path string, v Value, present bool, trim bool, minLen, maxLen int) (string, []Issue) {
	if !present {
		return "", []Issue{{path, "Invalid input: expected string, received undefined"}}
	}
	s, ok := v.(String)
	if !ok {
		issues := []Issue{{path, "Invalid input: expected string, received " + typeName(v)}}
		// zod's length checks still look at anything with a length: an array gets them too.
		if arr, isArr := v.([]Value); isArr {
			if minLen > 0 && len(arr) < minLen {
				issues = append(issues, Issue{path, fmt.Sprintf("Too small: expected array to have >=%d items", minLen)})
			}
			if len(arr) > maxLen {
				issues = append(issues, Issue{path, fmt.Sprintf("Too big: expected array to have <=%d items", maxLen)})
			}
		}
		return "", issues
	}
	var issues []Issue
	if controlCharacters.MatchString(s.S) {
		issues = append(issues, Issue{path, msgControl})
	}
	if s.Lone {
		issues = append(issues, Issue{path, msgWellFormed})
	}
	text := s.S
	if trim {
		text = TrimJS(text)
	}
	n := units(text)
	if minLen > 0 && n < minLen {
		issues = append(issues, Issue{path, fmt.Sprintf("Too small: expected string to have >=%d characters", minLen)})
	}
	if n > maxLen {
		issues = append(issues, Issue{path, fmt.Sprintf("Too big: expected string to have <=%d characters", maxLen)})
	}
	return text, issues
}

// Unrecognized is zod's unrecognized_keys issue.
func Unrecognized(keys []string) Issue {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		// zod quotes without escaping (measured: a key `"` is shown as `"""`).
		quoted[i] = `"` + k + `"`
	}
	if len(keys) == 1 {
		return Issue{"", "Unrecognized key: " + quoted[0]}
	}
	return Issue{"", "Unrecognized keys: " + strings.Join(quoted, ", ")}
}

func objectOf(v Value) (*Object, []Issue) {
	o, ok := v.(*Object)
	if !ok {
		return nil, []Issue{{"", "Invalid input: expected object, received " + typeName(v)}}
	}
	return o, nil
}

func unknownKeys(o *Object, known ...string) []string {
	var out []string
	for _, k := range o.Keys {
		if !contains(known, k) {
			out = append(out, k)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// CreateNote is CreateNoteSchema's output.
type CreateNote struct{ Title, Body string }

// Create validates a create body.
func Create(v Value) (CreateNote, []Issue) {
	o, issues := objectOf(v)
	if o == nil {
		return CreateNote{}, issues
	}
	tv, tok := o.Values["title"]
	title, ti := storableText("title", tv, tok, true, 1, TitleMax)
	issues = append(issues, ti...)
	body := ""
	if bv, ok := o.Values["body"]; ok {
		var bi []Issue
		body, bi = storableText("body", bv, true, false, 0, BodyMax)
		issues = append(issues, bi...)
	}
	if extra := unknownKeys(o, "title", "body"); len(extra) > 0 {
		issues = append(issues, Unrecognized(extra))
	}
	return CreateNote{Title: title, Body: body}, issues
}

// PatchNote is PatchNoteSchema's output; nil means "leave as is".
type PatchNote struct{ Title, Body *string }

// Patch validates a patch body.
func Patch(v Value) (PatchNote, []Issue) {
	o, issues := objectOf(v)
	if o == nil {
		return PatchNote{}, issues
	}
	var out PatchNote
	if tv, ok := o.Values["title"]; ok {
		t, ti := storableText("title", tv, true, true, 1, TitleMax)
		issues = append(issues, ti...)
		out.Title = &t
	}
	if bv, ok := o.Values["body"]; ok {
		b, bi := storableText("body", bv, true, false, 0, BodyMax)
		issues = append(issues, bi...)
		out.Body = &b
	}
	if extra := unknownKeys(o, "title", "body"); len(extra) > 0 {
		issues = append(issues, Unrecognized(extra))
	}
	// The object refinement runs whatever else was found (measured: an unknown key and an empty patch give both).
	if out.Title == nil && out.Body == nil {
		issues = append(issues, Issue{"", "give title or body"})
	}
	return out, issues
}

// uuidPattern is zod's z.uuid(): RFC 9562 versions 1-8 and variants, plus the nil and max UUIDs.
var uuidPattern = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$`)

// ID validates a note id path parameter.
func ID(id string) []Issue {
	if uuidPattern.MatchString(id) {
		return nil
	}
	return []Issue{{"id", "Invalid UUID"}}
}

// QueryParam is one query key with its values in order.
type QueryParam struct {
	Key    string
	Values []string
}

// ListQuery is ListQuery's output.
type ListQuery struct {
	Cursor    string
	HasCursor bool
	Limit     int
}

// List validates the list query (keys in JavaScript order).
func List(params []QueryParam) (ListQuery, []Issue) {
	q := ListQuery{Limit: PageDefault}
	var issues []Issue
	var extra []string
	var cursorP, limitP *QueryParam
	keys := make([]string, len(params))
	for i, p := range params {
		keys[i] = p.Key
	}
	ordered := jsKeyOrder(keys)
	byKey := map[string]int{}
	for i, p := range params {
		byKey[p.Key] = i
	}
	for _, k := range ordered {
		i := byKey[k]
		switch params[i].Key {
		case "cursor":
			cursorP = &params[i]
		case "limit":
			limitP = &params[i]
		default:
			extra = append(extra, params[i].Key)
		}
	}
	if cursorP != nil {
		if len(cursorP.Values) > 1 {
			issues = append(issues, Issue{"cursor", "Invalid input: expected string, received array"})
		} else {
			q.Cursor, q.HasCursor = cursorP.Values[0], true
			if units(q.Cursor) > CursorMax {
				issues = append(issues, Issue{"cursor", fmt.Sprintf("Too big: expected string to have <=%d characters", CursorMax)})
			}
		}
	}
	if limitP != nil {
		n := math.NaN()
		if len(limitP.Values) == 1 {
			n = NumberJS(limitP.Values[0])
		}
		switch {
		case math.IsNaN(n):
			issues = append(issues, Issue{"limit", "Invalid input: expected number, received NaN"})
		case math.IsInf(n, 0):
			name := "Infinity"
			if n < 0 {
				name = "-Infinity"
			}
			issues = append(issues, Issue{"limit", "Invalid input: expected number, received " + name})
		case n != math.Trunc(n):
			issues = append(issues, Issue{"limit", "Invalid input: expected int, received number"})
		case n > 9007199254740991:
			issues = append(issues, Issue{"limit", "Too big: expected int to be <=9007199254740991"})
		case n < -9007199254740991:
			issues = append(issues, Issue{"limit", "Too small: expected int to be >=-9007199254740991"})
		case n < 1:
			issues = append(issues, Issue{"limit", "Too small: expected number to be >=1"})
		default:
			q.Limit = int(math.Min(n, PageMax))
		}
	}
	if len(extra) > 0 {
		issues = append(issues, Unrecognized(extra))
	}
	return q, issues
}

var (
	decimal = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
	radix   = regexp.MustCompile(`^0([xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)$`)
)

// NumberJS is JavaScript's Number(string).
func NumberJS(s string) float64 {
	s = TrimJS(s)
	switch {
	case s == "":
		return 0
	case s == "Infinity" || s == "+Infinity":
		return math.Inf(1)
	case s == "-Infinity":
		return math.Inf(-1)
	case decimal.MatchString(s):
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case radix.MatchString(s):
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[s[1]]
		f := 0.0
		for _, c := range s[2:] {
			d, _ := strconv.ParseInt(string(c), base, 64)
			f = f*float64(base) + float64(d)
		}
		return f
	}
	return math.NaN()
}
