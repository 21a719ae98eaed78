//go:build !purego

#include "textflag.h"

// func maskAVX2(dst, src *byte, n int, k uint32)
//
// maskAVX2 XORs n bytes (a multiple of 32) from src with k broadcast to
// every 32-bit lane of Y0 and stores them at dst. Each round loads all
// its blocks before it stores any, so dst may be src itself. The loads
// and stores are unaligned: the VEX forms take any address.
TEXT ·maskAVX2(SB), NOSPLIT, $0-28
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	MOVL         k+24(FP), AX
	MOVQ         AX, X0
	VPBROADCASTD X0, Y0
	CMPQ         CX, $128
	JB           tail64

blocks128:
	VPXOR   (SI), Y0, Y1
	VPXOR   32(SI), Y0, Y2
	VPXOR   64(SI), Y0, Y3
	VPXOR   96(SI), Y0, Y4
	VMOVDQU Y1, (DI)
	VMOVDQU Y2, 32(DI)
	VMOVDQU Y3, 64(DI)
	VMOVDQU Y4, 96(DI)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $128, CX
	CMPQ    CX, $128
	JAE     blocks128

tail64:
	CMPQ    CX, $64
	JB      tail32
	VPXOR   (SI), Y0, Y1
	VPXOR   32(SI), Y0, Y2
	VMOVDQU Y1, (DI)
	VMOVDQU Y2, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $64, CX

tail32:
	CMPQ    CX, $32
	JB      done
	VPXOR   (SI), Y0, Y1
	VMOVDQU Y1, (DI)

done:
	VZEROUPPER
	RET
