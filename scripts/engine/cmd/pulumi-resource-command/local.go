package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/archive"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

type runResult struct {
	stdout, stderr string
	assets         resource.PropertyMap
	archive        *archive.Archive
}

// outputCapture collects stdout, stderr and their interleaving, and streams
// each line to the engine as the command runs (subject to `logging`).
type outputCapture struct {
	mu                   sync.Mutex
	stdout, stderr, both bytes.Buffer
	p                    *provider
	ctx                  context.Context
	urn                  string
	logOut, logErr       bool
	lineOut, lineErr     bytes.Buffer
}

func newCapture(ctx context.Context, p *provider, urn, logging string) *outputCapture {
	c := &outputCapture{p: p, ctx: ctx, urn: urn}
	switch logging {
	case "stdout":
		c.logOut = true
	case "stderr":
		c.logErr = true
	case "none":
	default:
		c.logOut, c.logErr = true, true
	}
	return c
}

type captureWriter struct {
	c      *outputCapture
	stderr bool
}

func (w captureWriter) Write(b []byte) (int, error) {
	c := w.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.both.Write(b)
	buf, line, log := &c.stdout, &c.lineOut, c.logOut
	if w.stderr {
		buf, line, log = &c.stderr, &c.lineErr, c.logErr
	}
	buf.Write(b)
	if log {
		line.Write(b)
		for {
			i := bytes.IndexByte(line.Bytes(), '\n')
			if i < 0 {
				break
			}
			msg := string(line.Next(i + 1))
			c.p.logger.log(c.ctx, pulumirpc.LogSeverity_INFO, c.urn, strings.TrimRight(msg, "\r\n"), true)
		}
	}
	return len(b), nil
}

func (c *outputCapture) flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range []*bytes.Buffer{&c.lineOut, &c.lineErr} {
		if l.Len() > 0 {
			c.p.logger.log(c.ctx, pulumirpc.LogSeverity_INFO, c.urn, l.String(), true)
			l.Reset()
		}
	}
}

func (c *outputCapture) result() *runResult {
	return &runResult{
		stdout: strings.TrimSuffix(c.stdout.String(), "\n"),
		stderr: strings.TrimSuffix(c.stderr.String(), "\n"),
	}
}

func (p *provider) runLocal(
	ctx context.Context, urn, cmd string, props resource.PropertyMap, prevOut, prevErr string,
) (*runResult, error) {
	interpreter, err := getStrings(props, "interpreter")
	if err != nil {
		return nil, err
	}
	if len(interpreter) == 0 {
		interpreter = []string{"/bin/sh", "-c"}
	}
	dir, err := getString(props, "dir")
	if err != nil {
		return nil, err
	}
	env, err := getStringMap(props, "environment")
	if err != nil {
		return nil, err
	}
	stdin, err := getString(props, "stdin")
	if err != nil {
		return nil, err
	}
	logging, err := getString(props, "logging")
	if err != nil {
		return nil, err
	}
	assetPaths, err := getStrings(props, "assetPaths")
	if err != nil {
		return nil, err
	}
	archivePaths, err := getStrings(props, "archivePaths")
	if err != nil {
		return nil, err
	}

	args := append(append([]string{}, interpreter[1:]...), cmd)
	c := exec.CommandContext(ctx, interpreter[0], args...)
	if dir != nil {
		c.Dir = *dir
	}
	c.Env = os.Environ()
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c.Env = append(c.Env, k+"="+env[k])
	}
	if prevOut != "" {
		c.Env = append(c.Env, "PULUMI_COMMAND_STDOUT="+prevOut)
	}
	if prevErr != "" {
		c.Env = append(c.Env, "PULUMI_COMMAND_STDERR="+prevErr)
	}
	if stdin != nil && *stdin != "" {
		c.Stdin = strings.NewReader(*stdin)
	}
	lg := ""
	if logging != nil {
		lg = *logging
	}
	capture := newCapture(ctx, p, urn, lg)
	c.Stdout = captureWriter{c: capture}
	c.Stderr = captureWriter{c: capture, stderr: true}
	err = c.Run()
	capture.flush()
	if err != nil {
		return nil, fmt.Errorf("%w: running %q:\n%s", err, cmd, capture.both.String())
	}
	res := capture.result()

	base := c.Dir
	if base == "" {
		if base, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	if len(assetPaths) > 0 {
		files, err := globFiles(base, assetPaths)
		if err != nil {
			return nil, err
		}
		res.assets = resource.PropertyMap{}
		for _, f := range files {
			a, err := asset.FromPath(filepath.Join(base, f))
			if err != nil {
				return nil, fmt.Errorf("reading asset %s: %w", f, err)
			}
			res.assets[resource.PropertyKey(f)] = resource.NewAssetProperty(a)
		}
	}
	if len(archivePaths) > 0 {
		files, err := globFiles(base, archivePaths)
		if err != nil {
			return nil, err
		}
		m := map[string]any{}
		for _, f := range files {
			a, err := asset.FromPath(filepath.Join(base, f))
			if err != nil {
				return nil, fmt.Errorf("reading archive member %s: %w", f, err)
			}
			m[f] = a
		}
		if res.archive, err = archive.FromAssets(m); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// globToRegexp turns the documented glob syntax (`*` within a path segment,
// `**` across segments, `?` one character) into an anchored regexp.
func globToRegexp(pattern string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		switch {
		case ch == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			b.WriteString(".*")
			i++
		case ch == '*':
			b.WriteString("[^/]*")
		case ch == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

// globFiles returns the files (not directories) under base matching the
// ordered include/exclude (`!`) rules, as slash-separated relative paths.
func globFiles(base string, patterns []string) ([]string, error) {
	type rule struct {
		re      *regexp.Regexp
		exclude bool
	}
	var rules []rule
	for _, pat := range patterns {
		ex := strings.HasPrefix(pat, "!")
		re, err := globToRegexp(strings.TrimPrefix(pat, "!"))
		if err != nil {
			return nil, fmt.Errorf("invalid glob %q: %w", pat, err)
		}
		rules = append(rules, rule{re, ex})
	}
	var out []string
	err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(base, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		keep := false
		for _, r := range rules {
			if r.re.MatchString(rel) {
				keep = !r.exclude
			}
		}
		if keep {
			out = append(out, rel)
		}
		return nil
	})
	return out, err
}
