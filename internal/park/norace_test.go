//go:build !race

package park_test

// stackScale is how much bigger the race detector makes goroutine stacks.
const stackScale = 1
