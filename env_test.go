package aiohttp

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// proxyEnvNames are the variables proxyFromEnvironment reads.
var proxyEnvNames = []string{
	"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ws_proxy", "WS_PROXY",
	"wss_proxy", "WSS_PROXY", "no_proxy", "NO_PROXY", "REQUEST_METHOD",
}

func TestProxyFromEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		url  string
		want string // "" for none, "error" for an error
	}{
		{"none", nil, "http://example.com/", ""},
		{"http", map[string]string{"HTTP_PROXY": "http://proxy:3128"}, "http://example.com/", "http://proxy:3128"},
		{"http not for https", map[string]string{"HTTP_PROXY": "http://proxy:3128"}, "https://example.com/", ""},
		{"https", map[string]string{"HTTPS_PROXY": "http://sproxy:3128"}, "https://example.com/", "http://sproxy:3128"},
		{"ws", map[string]string{"WS_PROXY": "http://wsproxy"}, "ws://example.com/", "http://wsproxy"},
		{"wss", map[string]string{"wss_proxy": "http://wssproxy"}, "wss://example.com/", "http://wssproxy"},
		{"lower case first", map[string]string{"http_proxy": "http://lower", "HTTP_PROXY": "http://upper"}, "http://example.com/", "http://lower"},
		{"no scheme", map[string]string{"HTTP_PROXY": "proxy:8080"}, "http://example.com/", "http://proxy:8080"},
		{"credentials", map[string]string{"HTTP_PROXY": "http://u:p@proxy"}, "http://example.com/", "http://u:p@proxy"},
		{"socks5h", map[string]string{"HTTPS_PROXY": "socks5h://proxy:1080"}, "https://example.com/", "socks5h://proxy:1080"},
		{"https proxy", map[string]string{"HTTPS_PROXY": "https://proxy"}, "https://example.com/", "https://proxy"},
		{"bad scheme", map[string]string{"HTTP_PROXY": "ftp://proxy"}, "http://example.com/", "error"},
		{"no host", map[string]string{"HTTP_PROXY": "http://"}, "http://example.com/", "error"},
		{"unparsable", map[string]string{"HTTP_PROXY": "http://proxy:port"}, "http://example.com/", "error"},
		{"other scheme", map[string]string{"HTTP_PROXY": "http://proxy"}, "ftp://example.com/", ""},
		{"cgi ignores HTTP_PROXY", map[string]string{"HTTP_PROXY": "http://evil", "REQUEST_METHOD": "GET"}, "http://example.com/", ""},
		{"cgi keeps http_proxy", map[string]string{"http_proxy": "http://good", "REQUEST_METHOD": "GET"}, "http://example.com/", "http://good"},

		{"no_proxy star", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "*"}, "http://example.com/", ""},
		{"no_proxy domain", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "example.com"}, "http://example.com/", ""},
		{"no_proxy subdomain", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "example.com"}, "http://www.example.com/", ""},
		{"no_proxy leading dot", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": ".example.com"}, "http://a.example.com/", ""},
		{"no_proxy leading dot, bare", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": ".example.com"}, "http://example.com/", ""},
		{"no_proxy wildcard", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "*.example.com"}, "http://a.example.com/", ""},
		{"no_proxy suffix only", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "ample.com"}, "http://example.com/", "http://p"},
		{"no_proxy list", map[string]string{"HTTP_PROXY": "http://p", "no_proxy": "foo.com, Example.COM ,bar"}, "http://example.com/", ""},
		{"no_proxy lower first", map[string]string{"HTTP_PROXY": "http://p", "no_proxy": "foo.com", "NO_PROXY": "example.com"}, "http://example.com/", "http://p"},
		{"no_proxy port match", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "example.com:8080"}, "http://example.com:8080/", ""},
		{"no_proxy port mismatch", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "example.com:8080"}, "http://example.com/", "http://p"},
		{"no_proxy default port", map[string]string{"HTTPS_PROXY": "http://p", "NO_PROXY": "example.com:443"}, "https://example.com/", ""},
		{"no_proxy ip", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "10.0.0.1"}, "http://10.0.0.1/", ""},
		{"no_proxy ipv6", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "[::1]"}, "http://[::1]:8080/", ""},
		{"no_proxy ipv6 port", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "[::1]:81"}, "http://[::1]:8080/", "http://p"},
		{"no_proxy cidr", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "10.0.0.0/8"}, "http://10.1.2.3/", ""},
		{"no_proxy cidr miss", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "10.0.0.0/8"}, "http://11.1.2.3/", "http://p"},
		{"no_proxy cidr name", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "10.0.0.0/8"}, "http://example.com/", "http://p"},
		{"no_proxy other", map[string]string{"HTTP_PROXY": "http://p", "NO_PROXY": "other.com"}, "http://example.com/", "http://p"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range proxyEnvNames {
				t.Setenv(k, "")
				os.Unsetenv(k)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := proxyFromEnvironment(u)
			switch {
			case tc.want == "error":
				if err == nil {
					t.Errorf("proxy %v, want an error", got)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case tc.want == "" && got != nil:
				t.Errorf("proxy %v, want none", got)
			case tc.want != "" && (got == nil || got.String() != tc.want):
				t.Errorf("proxy %v, want %s", got, tc.want)
			}
		})
	}
}

func TestParseNetrc(t *testing.T) {
	const file = `# a comment
machine example.com login alice password s3cret
machine other.com
	login bob
	account ignored
	password "with space \" quote"

macdef init
machine example.com login macro password body
cd /

machine last.com login first password one
machine last.com user second password two
default login anon password guest
`
	for _, tc := range []struct {
		data, host      string
		login, password string
		ok              bool
	}{
		{file, "example.com", "alice", "s3cret", true},
		{file, "EXAMPLE.com", "alice", "s3cret", true},
		{file, "other.com", "bob", `with space " quote`, true},
		{file, "last.com", "second", "two", true},
		{file, "unknown.com", "anon", "guest", true},
		{"machine a.com login x password y", "b.com", "", "", false},
		{"machine a.com login x", "a.com", "x", "", true},
		{"machine a.com password y", "a.com", "", "y", true},
		{"machine a.com login x\\ y password z#notacomment", "a.com", "x y", "z#notacomment", true},
		{"", "a.com", "", "", false},
		{"login orphan password lost", "a.com", "", "", false},
		{"machine a.com login", "a.com", "", "", true},
		{"macdef x\nmachine a.com login m password m\n", "a.com", "", "", false},
	} {
		login, password, ok := parseNetrc(tc.data, tc.host)
		if login != tc.login || password != tc.password || ok != tc.ok {
			t.Errorf("%q for %s: %q %q %v, want %q %q %v", tc.data, tc.host, login, password, ok, tc.login, tc.password, tc.ok)
		}
	}
}

func TestNetrcAuthFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "netrc")
	if err := os.WriteFile(path, []byte("machine example.com login alice password s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", path)
	if login, password, ok := netrcAuth("example.com"); !ok || login != "alice" || password != "s3cret" {
		t.Errorf("from $NETRC: %q %q %v", login, password, ok)
	}
	t.Setenv("NETRC", filepath.Join(dir, "missing"))
	if _, _, ok := netrcAuth("example.com"); ok {
		t.Error("a missing file gave credentials")
	}

	// Without $NETRC: ~/.netrc.
	t.Setenv("NETRC", "")
	t.Setenv("HOME", dir)
	t.Setenv("USERPROFILE", dir)
	name := ".netrc"
	if filepath.Separator == '\\' {
		name = "_netrc"
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte("default login d password p"), 0o600); err != nil {
		t.Fatal(err)
	}
	if login, password, ok := netrcAuth("any.com"); !ok || login != "d" || password != "p" {
		t.Errorf("from the home directory: %q %q %v", login, password, ok)
	}
}
