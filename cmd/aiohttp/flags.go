package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// stringList is a flag that may be given more than once.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// parseInterspersed parses fs from args, flags and arguments in any
// order (everything after "--" is an argument), and returns the
// arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if len(left) == 0 {
			return rest, nil
		}
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), nil
		}
		rest, args = append(rest, left[0]), left[1:]
	}
}

// commandFlags is the flag set of a subcommand and its usage text.
type commandFlags struct {
	*flag.FlagSet
	usage  string // above the flags in -h
	stdout io.Writer
}

// newFlagSet returns the flag set of the subcommand name, with the usage
// text that -h prints above the flags.
func newFlagSet(name, usage string, stdout io.Writer) *commandFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // parse prints it, for -h only
	return &commandFlags{FlagSet: fs, usage: usage, stdout: stdout}
}

// parse parses args, flags and arguments in any order, and returns the
// arguments. When ok is false the command returns code: 0 after -h,
// whose usage goes to stdout, 2 after a bad flag, reported on stderr in
// one line.
func (f *commandFlags) parse(args []string, stderr io.Writer) (rest []string, code int, ok bool) {
	rest, err := parseInterspersed(f.FlagSet, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(f.stdout, f.usage)
		f.SetOutput(f.stdout)
		f.PrintDefaults()
		return nil, 0, false
	case err != nil:
		usageError(stderr, f.Name(), "%v", err)
		return nil, 2, false
	}
	return rest, 0, true
}

// usageError reports a usage error of the subcommand name in one line.
func usageError(stderr io.Writer, name, format string, a ...any) {
	fmt.Fprintf(stderr, "aiohttp %s: %s (aiohttp %s -h for help)\n", name, fmt.Sprintf(format, a...), name)
}
