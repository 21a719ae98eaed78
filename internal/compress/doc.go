// Package compress holds the HTTP content codings (RFC 9110 section 8.4.1)
// both sides of aiohttp-go use: gzip, deflate, br and zstd.
//
//   - [Reader] decodes a body from the codings its Content-Encoding
//     names, bounded in decoded size (a decompression bomb stops at the
//     bound with [ErrTooLarge]); the client decodes responses with it and
//     the server request bodies.
//   - [Writer] encodes with one coding at a level chosen for speed; the
//     server compresses responses with it.
//   - [Accepted] reads Accept-Encoding fields and picks the coding a
//     response is sent with.
//
// Decoders and encoders are pooled per coding: a steady stream of bodies
// reuses their windows and tables instead of allocating them anew.
package compress
