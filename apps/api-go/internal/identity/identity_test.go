package identity

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const secret = "test-only-identity-token-secret-0123456789"

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	good := func() jwt.MapClaims {
		return jwt.MapClaims{"iss": Issuer, "aud": Audience, "sub": "alice", "iat": now.Unix(), "exp": now.Unix() + 60}
	}
	with := func(k string, v any) jwt.MapClaims { c := good(); c[k] = v; return c }
	without := func(k string) jwt.MapClaims { c := good(); delete(c, k); return c }
	for _, tc := range []struct {
		name  string
		token string
		want  string
	}{
		{"valid", sign(t, jwt.SigningMethodHS256, []byte(secret), good()), "alice"},
		{"audience list", sign(t, jwt.SigningMethodHS256, []byte(secret), with("aud", []string{"x", Audience})), "alice"},
		{"other key", sign(t, jwt.SigningMethodHS256, []byte(secret+"x"), good()), ""},
		{"HS512", sign(t, jwt.SigningMethodHS512, []byte(secret), good()), ""},
		{"none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good()), ""},
		// exp, nbf and a future iat get ClockSkew (5 s) of tolerance, as jose's clockTolerance gives them.
		{"exp now, within the skew", sign(t, jwt.SigningMethodHS256, []byte(secret), with("exp", now.Unix())), "alice"},
		{"exp 4 s ago", sign(t, jwt.SigningMethodHS256, []byte(secret), with("exp", now.Unix()-4)), "alice"},
		{"exp 5 s ago", sign(t, jwt.SigningMethodHS256, []byte(secret), with("exp", now.Unix()-5)), ""},
		{"iat 5 s ahead", sign(t, jwt.SigningMethodHS256, []byte(secret), with("iat", now.Unix()+5)), "alice"},
		{"iat 6 s ahead", sign(t, jwt.SigningMethodHS256, []byte(secret), with("iat", now.Unix()+6)), ""},
		// No older than MaxAge (60 s) plus the skew by its iat, whatever exp says.
		{"iat 65 s old, far exp", sign(t, jwt.SigningMethodHS256, []byte(secret),
			jwt.MapClaims{"iss": Issuer, "aud": Audience, "sub": "alice", "iat": now.Unix() - 65, "exp": now.Unix() + 3600}), "alice"},
		{"iat 66 s old, far exp", sign(t, jwt.SigningMethodHS256, []byte(secret),
			jwt.MapClaims{"iss": Issuer, "aud": Audience, "sub": "alice", "iat": now.Unix() - 66, "exp": now.Unix() + 3600}), ""},
		{"iat a string", sign(t, jwt.SigningMethodHS256, []byte(secret), with("iat", "1800000000")), ""},
		{"sub a number", sign(t, jwt.SigningMethodHS256, []byte(secret), with("sub", 12345)), ""},
		{"sub a list", sign(t, jwt.SigningMethodHS256, []byte(secret), with("sub", []string{"alice"})), ""},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, []byte(secret), with("iss", "evil")), ""},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, []byte(secret), with("aud", "web")), ""},
		{"no iat", sign(t, jwt.SigningMethodHS256, []byte(secret), without("iat")), ""},
		{"no exp", sign(t, jwt.SigningMethodHS256, []byte(secret), without("exp")), ""},
		{"no sub", sign(t, jwt.SigningMethodHS256, []byte(secret), without("sub")), ""},
		{"bad sub", sign(t, jwt.SigningMethodHS256, []byte(secret), with("sub", "a b")), ""},
		{"future nbf", sign(t, jwt.SigningMethodHS256, []byte(secret), with("nbf", now.Unix()+10)), ""},
		{"garbage", "a.b.c", ""},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(secret, func() time.Time { return now })
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Verify(tc.token); got != tc.want {
				t.Errorf("Verify = %q, want %q", got, tc.want)
			}
		})
	}
}

// jose reads the clock in whole seconds (floored): 0.9 s into a second is still that second, for every bound.
func TestWholeSecondClock(t *testing.T) {
	base := time.Unix(1_800_000_000, 0)
	v, _ := NewVerifier(secret, func() time.Time { return base.Add(900 * time.Millisecond) })
	claims := func(iat, exp int64) jwt.MapClaims {
		return jwt.MapClaims{"iss": Issuer, "aud": Audience, "sub": "carol", "iat": iat, "exp": exp}
	}
	for _, tc := range []struct {
		name     string
		iat, exp int64
		want     string
	}{
		{"iat 5 s ahead of the whole second", base.Unix() + 5, base.Unix() + 60, "carol"},
		{"iat 6 s ahead of the whole second", base.Unix() + 6, base.Unix() + 60, ""},
		{"exp 5 s before the whole second", base.Unix() - 10, base.Unix() - 5, ""},
		{"iat 65 s before the whole second", base.Unix() - 65, base.Unix() + 60, "carol"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := v.Verify(sign(t, jwt.SigningMethodHS256, []byte(secret), claims(tc.iat, tc.exp))); got != tc.want {
				t.Errorf("Verify = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCachedTokenExpires(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	v, _ := NewVerifier(secret, func() time.Time { return now })
	token := sign(t, jwt.SigningMethodHS256, []byte(secret),
		jwt.MapClaims{"iss": Issuer, "aud": Audience, "sub": "bob", "iat": now.Unix(), "exp": now.Unix() + 60})
	for range 2 { // the second time from the cache
		if v.Verify(token) != "bob" {
			t.Fatal("a valid token must verify, also from the cache")
		}
	}
	now = now.Add(60 * time.Second)
	if got := v.Verify(token); got != "" {
		t.Fatalf("expired cached token verified as %q", got)
	}
}

func TestShortKeyRefused(t *testing.T) {
	if _, err := NewVerifier("short", nil); err == nil {
		t.Fatal("a key under 32 bytes must be refused")
	}
}
