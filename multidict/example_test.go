package multidict_test

import (
	"fmt"

	"github.com/aiohttp-go/aiohttp/multidict"
)

func ExampleCIMultiDict() {
	var h multidict.CIMultiDict
	h.Add("Set-Cookie", "a=1")
	h.Add("set-cookie", "b=2")
	fmt.Println(h.Get("SET-COOKIE"), h.GetAll("Set-Cookie"))
	// Output: a=1 [a=1 b=2]
}
