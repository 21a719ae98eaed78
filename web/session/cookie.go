package session

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// cookieRecord is a session in a cookie, as JSON.
type cookieRecord struct {
	Created int64          `json:"created"` // unix seconds
	Saved   int64          `json:"saved"`   // unix seconds of the last save
	MaxAge  int64          `json:"max_age"` // seconds, 0 for none
	Values  map[string]any `json:"session"`
}

func encodeRecord(r *Record) ([]byte, error) {
	b, err := json.Marshal(cookieRecord{Created: r.Created.Unix(), Saved: time.Now().Unix(),
		MaxAge: int64(r.MaxAge / time.Second), Values: r.Values})
	if err != nil {
		return nil, fmt.Errorf("session: a value does not marshal to JSON: %w", err)
	}
	return b, nil
}

// decodeRecord reads a record, refusing one saved longer than its
// MaxAge ago.
func decodeRecord(b []byte) (Record, bool) {
	var cr cookieRecord
	if json.Unmarshal(b, &cr) != nil {
		return Record{}, false
	}
	if cr.MaxAge > 0 && time.Now().Unix() > cr.Saved+cr.MaxAge {
		return Record{}, false
	}
	return Record{Created: time.Unix(cr.Created, 0), Values: cr.Values, MaxAge: time.Duration(cr.MaxAge) * time.Second}, true
}

var cookieEncoding = base64.RawURLEncoding

// CookieStorage keeps the session in the cookie as base64url JSON that
// the client can read and change: for development and tests only
// (aiohttp-session's SimpleCookieStorage).
type CookieStorage struct{}

// NewCookieStorage returns a CookieStorage.
func NewCookieStorage() *CookieStorage { return &CookieStorage{} }

// Load decodes the cookie.
func (*CookieStorage) Load(_ context.Context, cookie string) (Record, bool, error) {
	b, err := cookieEncoding.DecodeString(cookie)
	if err != nil {
		return Record{}, false, nil
	}
	r, ok := decodeRecord(b)
	return r, ok, nil
}

// Save encodes r into the cookie value.
func (*CookieStorage) Save(_ context.Context, r *Record) (string, error) {
	b, err := encodeRecord(r)
	if err != nil {
		return "", err
	}
	return cookieEncoding.EncodeToString(b), nil
}

// Delete has nothing to forget: the cookie is the session.
func (*CookieStorage) Delete(context.Context, string) error { return nil }

// EncryptedCookieStorage keeps the session in the cookie, sealed with
// AES-256-GCM: the client can neither read nor change it, and a cookie
// older than its MaxAge is refused.
type EncryptedCookieStorage struct {
	aeads []cipher.AEAD
}

// sealData binds a sealed cookie to its purpose.
var sealData = []byte("aiohttp-go session v1")

// NewEncryptedCookieStorage returns a storage sealing with the first key
// and opening with any of them: to rotate, put the new key first and keep
// the old ones until the cookies they sealed have expired. Each key is 32
// random bytes (crypto/rand; keep them secret, the same on every
// instance).
func NewEncryptedCookieStorage(keys ...[]byte) (*EncryptedCookieStorage, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("session: no key")
	}
	s := &EncryptedCookieStorage{}
	for i, k := range keys {
		if len(k) != 32 {
			return nil, fmt.Errorf("session: key %d is %d bytes, want 32", i, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Load opens the cookie with each key in turn.
func (s *EncryptedCookieStorage) Load(_ context.Context, cookie string) (Record, bool, error) {
	b, err := cookieEncoding.DecodeString(cookie)
	if err != nil {
		return Record{}, false, nil
	}
	for _, aead := range s.aeads {
		n := aead.NonceSize()
		if len(b) < n {
			return Record{}, false, nil
		}
		plain, err := aead.Open(nil, b[:n], b[n:], sealData)
		if err == nil {
			r, ok := decodeRecord(plain)
			return r, ok, nil
		}
	}
	return Record{}, false, nil
}

// Save seals r with the first key.
func (s *EncryptedCookieStorage) Save(_ context.Context, r *Record) (string, error) {
	plain, err := encodeRecord(r)
	if err != nil {
		return "", err
	}
	aead := s.aeads[0]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return cookieEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, sealData)), nil
}

// Delete has nothing to forget: the cookie is the session.
func (*EncryptedCookieStorage) Delete(context.Context, string) error { return nil }
