package docs_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestSamplesCompile compiles every ```go block of the guides and of the
// README against the module as it is, so that no sample drifts from the
// API. A block that starts with "package" is a file of its own; one with
// top-level declarations is a file of a package; an import line alone is
// skipped; any other is the body of
// a function that has ctx, s (a *aiohttp.Session), app, req and t at hand
// and returns an error. The blocks of one Markdown file make one package,
// with the imports each block needs added from the names it uses.
func TestSamplesCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles every sample: skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mds, _ := filepath.Glob("*.md")
	mds = append(mds, filepath.Join("..", "README.md"))

	// The samples are built in a module of their own that points at this
	// one, so that nothing is written into the source tree.
	dir := t.TempDir()
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), gosum)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go [0-9.]+$`).Find(gomod)
	write(t, filepath.Join(dir, "go.mod"), []byte("module samples\n\n"+string(goLine)+"\n\n"+
		"require github.com/aiohttp-go/aiohttp v0.0.0\n\n"+
		"replace github.com/aiohttp-go/aiohttp => "+strconv.Quote(root)+"\n"))

	blockRE := regexp.MustCompile("(?s)```go\n(.*?)```")
	var where []string // "file.md:line" of each generated file, by name
	for i, md := range mds {
		text, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		pkg := filepath.Join(dir, "p"+strconv.Itoa(i))
		for j, m := range blockRE.FindAllSubmatchIndex(text, -1) {
			body := string(text[m[2]:m[3]])
			line := bytes.Count(text[:m[0]], []byte("\n")) + 1
			name := strings.TrimSuffix(filepath.Base(md), ".md") + "_" + strconv.Itoa(j)
			where = append(where, name+".go = "+md+":"+strconv.Itoa(line))
			switch {
			case strings.HasPrefix(body, "import "):
				continue // an import line alone says where a package is
			case strings.HasPrefix(body, "package main\n"):
				write(t, filepath.Join(dir, "m"+strconv.Itoa(i)+"_"+strconv.Itoa(j), "main.go"), []byte(body))
				continue
			case strings.HasPrefix(body, "package "):
				// A whole file, imports included: in the package of its guide.
				body = "package samples\n" + body[strings.Index(body, "\n")+1:]
				write(t, filepath.Join(pkg, name+"_test.go"), []byte(body))
				continue
			}
			src, err := sampleFile(body)
			if err != nil {
				t.Errorf("%s:%d: %v", md, line, err)
				continue
			}
			write(t, filepath.Join(pkg, name+"_test.go"), src)
		}
	}
	cmd := exec.Command(gobin, "vet", "-unreachable=false", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the samples do not compile: %v\n%s\n(generated files: %s)", err, out, strings.Join(where, ", "))
	}
}

// imports are the packages the samples may use, by the name they use.
var imports = map[string]string{
	"aiohttp": "github.com/aiohttp-go/aiohttp", "web": "github.com/aiohttp-go/aiohttp/web",
	"websocket": "github.com/aiohttp-go/aiohttp/websocket", "multipart": "github.com/aiohttp-go/aiohttp/multipart",
	"sse": "github.com/aiohttp-go/aiohttp/sse", "multidict": "github.com/aiohttp-go/aiohttp/multidict",
	"aiotest": "github.com/aiohttp-go/aiohttp/aiotest",
	"context": "context", "errors": "errors", "fmt": "fmt", "io": "io", "log": "log", "os": "os",
	"strings": "strings", "strconv": "strconv", "sync": "sync", "time": "time", "regexp": "regexp",
	"testing": "testing", "http": "net/http", "url": "net/url", "tls": "crypto/tls", "json": "encoding/json",
	"sql": "database/sql", "slog": "log/slog", "utf8": "unicode/utf8",
	"cors": "github.com/aiohttp-go/aiohttp/web/cors", "ratelimit": "github.com/aiohttp-go/aiohttp/web/ratelimit",
	"metrics": "github.com/aiohttp-go/aiohttp/metrics", "prometheus": "github.com/prometheus/client_golang/prometheus",
}

// sampleFile makes a Go file of a sample: declarations as they are, or
// statements wrapped in a function, with the imports they use.
func sampleFile(body string) ([]byte, error) {
	var decls string
	if regexp.MustCompile(`(?m)^(func|type) `).MatchString(body) {
		decls = body
	} else {
		decls = "func _(ctx context.Context, s *aiohttp.Session, app *web.Application, req *web.Request, t *testing.T) (err error) {\n{\n" +
			body + "\n}\nreturn nil\n}\n"
	}
	src := "package samples\n\n" + decls
	f, err := parser.ParseFile(token.NewFileSet(), "sample.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	// Every X of an X.Y whose X is a known package name and not declared
	// in the sample: a sample that declares a variable named like a
	// package (url, s) uses it as the variable.
	declared := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						declared[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, id := range n.Names {
				declared[id.Name] = true
			}
		case *ast.Field:
			for _, id := range n.Names {
				declared[id.Name] = true
			}
		case *ast.RangeStmt:
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, ok := e.(*ast.Ident); ok {
					declared[id.Name] = true
				}
			}
		}
		return true
	})
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && imports[id.Name] != "" && !declared[id.Name] {
				used[id.Name] = true
			}
		}
		return true
	})
	var paths []string
	for name := range used {
		paths = append(paths, strconv.Quote(imports[name]))
	}
	slices.Sort(paths)
	imp := ""
	if len(paths) > 0 {
		imp = "import (\n\t" + strings.Join(paths, "\n\t") + "\n)\n\n"
	}
	return []byte("package samples\n\n" + imp + decls), nil
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
