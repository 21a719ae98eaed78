package cors_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/cors"
)

// FuzzPreflight sends any Origin, Access-Control-Request-Method and
// Access-Control-Request-Headers to a preflight handler: it answers 200
// echoing the origin, or 403, and never panics.
func FuzzPreflight(f *testing.F) {
	app := web.NewApplication()
	c := cors.Setup(app, cors.Origins{
		site: {AllowHeaders: []string{"X-Token", "Content-Type"}, AllowCredentials: true},
		"*":  {AllowMethods: []string{"*"}},
	})
	c.Add(app.Router.Get("/", ok))
	c.Add(app.Router.Post("/", ok))
	var preflight web.Handler
	for _, r := range app.Router.Routes() {
		if r.Method() == "OPTIONS" {
			preflight = r.Handler()
		}
	}
	f.Add(site, "POST", "X-Token, content-type")
	f.Add(site, "GET", ",,, ,x-token,")
	f.Add(other, "PATCH", "X-Anything")
	f.Add("null", "GET", "")
	f.Add("", "", "")
	f.Add(site, "G E T", "X Token")
	f.Fuzz(func(t *testing.T, origin, method, headers string) {
		for _, s := range []string{origin, method, headers} {
			if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
				t.Skip("not a field value")
			}
		}
		req := aiotest.NewMockedRequest("OPTIONS", "/", aiotest.WithApp(app),
			aiotest.WithHeader("Origin", origin),
			aiotest.WithHeader("Access-Control-Request-Method", method),
			aiotest.WithHeader("Access-Control-Request-Headers", headers))
		resp, err := preflight(req)
		var he *web.HTTPError
		switch {
		case errors.As(err, &he):
			if he.Status != 403 || !strings.HasPrefix(he.Text, "CORS preflight request failed: ") {
				t.Fatalf("refused with %d %q", he.Status, he.Text)
			}
		case err != nil:
			t.Fatalf("error %v", err)
		case resp.Status() != 200 || resp.Header().Get("Access-Control-Allow-Origin") != origin || origin == "":
			t.Fatalf("answered %d, Allow-Origin %q for origin %q", resp.Status(), resp.Header().Get("Access-Control-Allow-Origin"), origin)
		}
	})
}
