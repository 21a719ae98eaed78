module github.com/aiohttp-go/aiohttp

go 1.26.0

require (
	github.com/andybalholm/brotli v1.2.0
	github.com/klauspost/compress v1.18.0
	go.uber.org/goleak v1.3.0
	golang.org/x/net v0.62.0
	golang.org/x/sys v0.49.0
	golang.org/x/text v0.43.0
	golang.org/x/time v0.16.0
)
