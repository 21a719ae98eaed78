package aiohttp

import "github.com/aiohttp-go/aiohttp/internal/compress"

// ErrDecompressTooLarge is the cause of the ErrClientPayload error a body
// returns once its decoded size exceeds the session's bound (aiohttp's
// DecompressSizeError): what looks like a decompression bomb is cut off
// after at most that many bytes, the connection closed.
var ErrDecompressTooLarge = compress.ErrTooLarge
