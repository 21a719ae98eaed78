package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is the live progress bar of the fetch command on a terminal:
// URLs done out of those known, the rate, the errors and, once every URL
// is known, the time left. On anything but a terminal it shows nothing.
type progress struct {
	bar    *progressbar.ProgressBar // nil: not a terminal
	w      io.Writer
	total  int64
	errors int
}

// newProgress returns the progress bar for w, which shows only when w is
// a terminal.
func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("fetch"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("URL"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionSetRenderBlankState(true),
	)
	return &progress{bar: bar, w: w}
}

// add counts one more URL to fetch.
func (p *progress) add() { p.total++ }

// inputDone says that every URL is known: the bar shows the total and
// the time left from now on.
func (p *progress) inputDone() {
	if p.bar != nil {
		p.bar.ChangeMax64(p.total)
	}
}

// done counts one URL finished, failed or not.
func (p *progress) done(failed bool) {
	if p.bar == nil {
		return
	}
	if failed {
		p.errors++
		p.bar.Describe(fmt.Sprintf("fetch (%d errors)", p.errors))
	}
	_ = p.bar.Add(1) // writes to the terminal: nothing to do about an error
}

// finish draws the bar a last time and ends its line.
func (p *progress) finish() {
	if p.bar == nil {
		return
	}
	_ = p.bar.Exit()
	fmt.Fprintln(p.w)
}
