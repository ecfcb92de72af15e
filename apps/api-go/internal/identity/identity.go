// Package identity verifies the short-lived HS256 token the gateway signs for the identity it authenticated
// (ADR 0071), with the TypeScript verifier's rules (packages/service-kit identity-token.ts, jose): algorithm pinned
// to HS256, issuer and audience checked, exp, iat and a string sub required, the subject matching the gateway's
// identity pattern, ClockSkew of tolerance on exp, nbf and a future iat, and no token older than MaxAge (by its
// iat, plus the skew) whatever its exp says; verified tokens are remembered until they expire (the gateway reuses
// a token for half its lifetime). apps/api-go/src/differential.test.ts sends the boundary cases to both.
package identity

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The platform's identityToken facts (packages/platform/src/auth.ts).
const (
	Issuer   = "homelab-gateway"
	Audience = "homelab-api"
	// Header carries the token (http.identityHeader).
	Header = "x-homelab-identity"
	// maxTokenLength: longer values are refused before any parsing.
	maxTokenLength = 1024
	maxCached      = 10_000
	// ClockSkew is auth.jwtClockSkewSeconds: the gateway's clock may be this far from the API's.
	ClockSkew = 5 * time.Second
	// MaxAge is identityToken.lifetimeSeconds: a token is refused once its iat is older than this (plus the skew).
	MaxAge = 60 * time.Second
)

var identityPattern = regexp.MustCompile(`^[A-Za-z0-9._@:|-]{1,128}$`)

// Verifier checks tokens; safe for concurrent use.
type Verifier struct {
	key    []byte
	now    func() time.Time
	parser *jwt.Parser
	mu     sync.RWMutex
	cache  map[string]cached
}

type cached struct {
	identity  string
	expiresAt time.Time
}

// NewVerifier refuses keys shorter than 32 bytes, like the TypeScript one.
func NewVerifier(secret string, now func() time.Time) (*Verifier, error) {
	if len(secret) < 32 {
		return nil, errors.New("IDENTITY_TOKEN_SECRET must be at least 32 bytes")
	}
	if now == nil {
		now = time.Now
	}
	v := &Verifier{key: []byte(secret), now: now, cache: map[string]cached{}}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(ClockSkew),
		jwt.WithTimeFunc(v.seconds),
	)
	return v, nil
}

// seconds is the clock as jose reads it: whole seconds (floored), so boundaries fall where the TS verifier's do.
func (v *Verifier) seconds() time.Time { return v.now().Truncate(time.Second) }

// Verify returns the identity the token names, or "" when it is missing, forged, expired or malformed.
func (v *Verifier) Verify(token string) string {
	if token == "" || len(token) > maxTokenLength {
		return ""
	}
	at := v.now()
	v.mu.RLock()
	c, ok := v.cache[token]
	v.mu.RUnlock()
	if ok {
		if at.Before(c.expiresAt) {
			return c.identity
		}
		v.mu.Lock()
		delete(v.cache, token)
		v.mu.Unlock()
		return ""
	}
	identity, exp, err := v.parse(token)
	if err != nil {
		return ""
	}
	v.mu.Lock()
	if len(v.cache) >= maxCached {
		clear(v.cache)
	}
	v.cache[token] = cached{identity: identity, expiresAt: exp}
	v.mu.Unlock()
	return identity
}

func (v *Verifier) parse(token string) (string, time.Time, error) {
	claims := jwt.MapClaims{}
	if _, err := v.parser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return v.key, nil }); err != nil {
		return "", time.Time{}, fmt.Errorf("verify identity token: %w", err)
	}
	// jose (the TypeScript verifier) requires iat and sub to be present; golang-jwt only checks them when set.
	iat, ok := claims["iat"].(float64)
	if !ok {
		return "", time.Time{}, errors.New("verify identity token: iat missing")
	}
	// jose's maxTokenAge: refused when now - iat - skew > max age (golang-jwt has no such option).
	age := float64(v.seconds().Unix()) - iat
	if age-ClockSkew.Seconds() > MaxAge.Seconds() {
		return "", time.Time{}, fmt.Errorf("verify identity token: issued %.0f s ago, more than %s", age, MaxAge)
	}
	sub, ok := claims["sub"].(string)
	if !ok || !identityPattern.MatchString(sub) {
		return "", time.Time{}, errors.New("verify identity token: sub missing or not an identity")
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return "", time.Time{}, errors.New("verify identity token: exp missing")
	}
	return sub, exp.Time, nil
}
