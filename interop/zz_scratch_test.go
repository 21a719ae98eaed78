package interop

import (
	"os"
	"testing"
	"time"
)

func TestZZServe(t *testing.T) {
	if os.Getenv("ZZ_SERVE") == "" {
		t.Skip()
	}
	s := startServer(t)
	os.WriteFile("/tmp/zz_url", []byte(s.URL), 0o644)
	time.Sleep(10 * time.Minute)
}
