package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultServerMaxAge is how long a RedisStorage keeps a session whose
// cookie lasts until the browser closes (Options.MaxAge 0).
const DefaultServerMaxAge = 24 * time.Hour

// RedisStorage keeps sessions in Redis, shared by every instance of an
// application; the cookie holds only a random 128-bit identity. An
// identity the server did not make is never adopted: a request with an
// unknown one gets a new session under a new identity.
type RedisStorage struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisStorage returns a storage keeping each session under
// prefix+identity ("aiohttp-session:" when prefix is empty) in rdb.
func NewRedisStorage(rdb redis.UniversalClient, prefix string) *RedisStorage {
	if prefix == "" {
		prefix = "aiohttp-session:"
	}
	return &RedisStorage{rdb: rdb, prefix: prefix}
}

// validIdentity reports whether id has the form of the identities Save
// makes (32 lower-case hex digits), so that nothing else reaches Redis.
func validIdentity(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range []byte(id) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Load reads the session of the identity in the cookie.
func (s *RedisStorage) Load(ctx context.Context, cookie string) (Record, bool, error) {
	if !validIdentity(cookie) {
		return Record{}, false, nil
	}
	b, err := s.rdb.Get(ctx, s.prefix+cookie).Bytes()
	if errors.Is(err, redis.Nil) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("session: redis: %w", err)
	}
	r, ok := decodeRecord(b)
	r.Identity = cookie
	return r, ok, nil
}

// Save writes the session with its MaxAge (or DefaultServerMaxAge) as the
// key's expiry, under a new identity when it has none.
func (s *RedisStorage) Save(ctx context.Context, r *Record) (string, error) {
	if r.Identity == "" {
		var id [16]byte
		if _, err := rand.Read(id[:]); err != nil {
			return "", err
		}
		r.Identity = hex.EncodeToString(id[:])
	}
	b, err := encodeRecord(r)
	if err != nil {
		return "", err
	}
	ttl := r.MaxAge
	if ttl <= 0 {
		ttl = DefaultServerMaxAge
	}
	if err := s.rdb.Set(ctx, s.prefix+r.Identity, b, ttl).Err(); err != nil {
		return "", fmt.Errorf("session: redis: %w", err)
	}
	return r.Identity, nil
}

// Delete removes the session of the identity in the cookie.
func (s *RedisStorage) Delete(ctx context.Context, cookie string) error {
	if !validIdentity(cookie) {
		return nil
	}
	if err := s.rdb.Del(ctx, s.prefix+cookie).Err(); err != nil {
		return fmt.Errorf("session: redis: %w", err)
	}
	return nil
}
