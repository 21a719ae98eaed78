//go:build !amd64 || purego

package websocket

import "math"

// maskVectorMin is the shortest input maskTo hands to maskVector: none on
// this build, which has no vector kernel. It is a variable so that tests
// and benchmarks switch the kernel off the same way on every build.
var maskVectorMin = math.MaxInt

// maskVector is maskTo's vector kernel; this build has none, so it masks
// nothing and returns 0.
func maskVector(k uint32, dst, src []byte) int { return 0 }
