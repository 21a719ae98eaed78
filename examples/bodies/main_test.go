package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp/internal/demo"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/web"
)

func TestBodies(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	for _, tt := range []struct {
		download, size string
	}{
		{"/stream-bytes/102400", "0.10"},
		{"/stream-bytes/5000?chunk_size=333", "0.00"},
		{"/bytes/102400", "0.10"},
	} {
		var out strings.Builder
		if err := run(context.Background(), &out, srv.URL, srv.URL+tt.download); err != nil {
			t.Fatal(err)
		}
		apptest.CompareLines(t, out.String(),
			"Text content length: "+strconv.Itoa(utf8.RuneCountInString(demo.HTMLPage)),
			"JSON title: Sample Slide Show",
			"Bytes length: 1024",
			"Starting download...",
			"Download finished. Total size: "+tt.size+" MB",
		)
	}
}

// TestBodiesDownloadSize checks the byte count of a large download,
// streamed by the server in uneven pieces.
func TestBodiesDownloadSize(t *testing.T) {
	const size = 3<<20 + 12345
	app := demo.NewApp()
	app.Router.Get("/big", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		piece := make([]byte, 7777)
		for left := size; left > 0; left -= len(piece) {
			if _, err := resp.Write(piece[:min(left, len(piece))]); err != nil {
				return nil, err
			}
		}
		return resp, nil
	})
	srv := aiotest.NewServer(t, app)
	var out strings.Builder
	if err := run(context.Background(), &out, srv.URL, srv.URL+"/big"); err != nil {
		t.Fatal(err)
	}
	if got, want := lastLine(out.String()), "Download finished. Total size: 3.01 MB"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
}

func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}
