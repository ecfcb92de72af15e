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
		{"expired", sign(t, jwt.SigningMethodHS256, []byte(secret), with("exp", now.Unix())), ""},
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
