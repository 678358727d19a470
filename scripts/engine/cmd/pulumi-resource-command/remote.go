package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/sftp"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

type connection struct {
	user, host                               string
	port, dialErrorLimit, perDialTimeout     int
	password, privateKey, privateKeyPassword *string
	agentSocketPath, hostKey                 *string
	proxy                                    *connection
}

func parseConnection(m resource.PropertyMap, where string) (*connection, error) {
	c := &connection{user: "root", port: 22, dialErrorLimit: 10, perDialTimeout: 15}
	var err error
	str := func(key string) *string {
		if err != nil {
			return nil
		}
		var s *string
		s, err = getString(m, key)
		return s
	}
	num := func(key string, def int) int {
		if err != nil {
			return def
		}
		var n int
		n, err = getInt(m, key, def)
		return n
	}
	if h := str("host"); h != nil {
		c.host = *h
	}
	if u := str("user"); u != nil {
		c.user = *u
	}
	c.port = num("port", 22)
	c.dialErrorLimit = num("dialErrorLimit", 10)
	c.perDialTimeout = num("perDialTimeout", 15)
	c.password = str("password")
	c.privateKey = str("privateKey")
	c.privateKeyPassword = str("privateKeyPassword")
	c.agentSocketPath = str("agentSocketPath")
	c.hostKey = str("hostKey")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if c.host == "" {
		return nil, fmt.Errorf("%s: host is required", where)
	}
	proxy, err := getObject(m, "proxy")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if proxy != nil {
		if c.proxy, err = parseConnection(proxy, where+".proxy"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// errHostKey marks failures that retrying cannot fix.
type errPermanent struct{ error }

func (c *connection) clientConfig() (*ssh.ClientConfig, error) {
	cfg := &ssh.ClientConfig{
		User:            c.user,
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), //nolint:gosec // documented: no hostKey means no check
		Timeout:         time.Duration(c.perDialTimeout) * time.Second,
	}
	if c.hostKey != nil && strings.TrimSpace(*c.hostKey) != "" {
		want, err := parseHostKey(*c.hostKey)
		if err != nil {
			return nil, err
		}
		// Ask only for the pinned key's algorithms, or the server may present
		// another of its host keys and fail the comparison.
		cfg.HostKeyAlgorithms = hostKeyAlgorithms(want)
		addr := net.JoinHostPort(c.host, strconv.Itoa(c.port))
		cfg.HostKeyCallback = func(_ string, _ net.Addr, got ssh.PublicKey) error {
			if bytes.Equal(got.Marshal(), want.Marshal()) {
				return nil
			}
			return errPermanent{fmt.Errorf("ssh: host key mismatch for %s: expected %s %s, server presented %s %s; "+
				"if the server was legitimately re-keyed, update connection.hostKey",
				addr, want.Type(), ssh.FingerprintSHA256(want), got.Type(), ssh.FingerprintSHA256(got))}
		}
	}
	if c.privateKey != nil {
		var signer ssh.Signer
		var err error
		if c.privateKeyPassword != nil {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(*c.privateKey), []byte(*c.privateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(*c.privateKey))
		}
		if err != nil {
			return nil, fmt.Errorf("could not parse connection.privateKey: %w", err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if c.password != nil {
		pw := *c.password
		cfg.Auth = append(cfg.Auth, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				answers := make([]string, len(qs))
				for i := range qs {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	sock := os.Getenv("SSH_AUTH_SOCK")
	if c.agentSocketPath != nil {
		sock = *c.agentSocketPath
	}
	if sock != "" {
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, fmt.Errorf("could not connect to the SSH agent at %s: %w", sock, err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return cfg, nil
}

// parseHostKey accepts "type base64 [comment]" (authorized_keys / ssh-keyscan
// style, with or without a leading host field).
func parseHostKey(s string) (ssh.PublicKey, error) {
	s = strings.TrimSpace(s)
	if k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s)); err == nil {
		return k, nil
	}
	if fields := strings.Fields(s); len(fields) >= 3 {
		if k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.Join(fields[1:], " "))); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("connection.hostKey is not a public key in \"ssh-ed25519 AAAA...\" form " +
		"(as printed by `ssh-keyscan` or found in /etc/ssh/ssh_host_*_key.pub)")
}

func hostKeyAlgorithms(k ssh.PublicKey) []string {
	switch k.Type() {
	case ssh.KeyAlgoRSA:
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	default:
		return []string{k.Type()}
	}
}

func permanent(err error) bool {
	var p errPermanent
	if errors.As(err, &p) {
		return true
	}
	return strings.Contains(err.Error(), "unable to authenticate")
}

// retry calls f until it succeeds, fails permanently, or limit attempts have
// failed (-1: no limit), backing off between attempts.
func retry[T any](ctx context.Context, what string, limit int, f func() (T, error)) (T, error) {
	delay := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		v, err := f()
		if err == nil {
			return v, nil
		}
		if permanent(err) || (limit >= 0 && attempt > limit) || limit == 0 {
			var zero T
			return zero, fmt.Errorf("%s: after %d attempt(s): %w", what, attempt, err)
		}
		select {
		case <-ctx.Done():
			var zero T
			return zero, fmt.Errorf("%s: %w (last error: %v)", what, ctx.Err(), err)
		case <-time.After(delay):
		}
		if delay < 5*time.Second {
			delay *= 2
		}
	}
}

func (c *connection) dial(ctx context.Context) (*ssh.Client, error) {
	cfg, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	endpoint := net.JoinHostPort(c.host, strconv.Itoa(c.port))
	if c.proxy == nil {
		return retry(ctx, "dial "+endpoint, c.dialErrorLimit, func() (*ssh.Client, error) {
			return ssh.Dial("tcp", endpoint, cfg)
		})
	}
	proxyClient, err := c.proxy.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return retry(ctx, "dial "+endpoint+" through proxy", c.dialErrorLimit, func() (*ssh.Client, error) {
		conn, err := proxyClient.Dial("tcp", endpoint)
		if err != nil {
			return nil, err
		}
		sc, chans, reqs, err := ssh.NewClientConn(conn, endpoint, cfg)
		if err != nil {
			conn.Close()
			return nil, err
		}
		return ssh.NewClient(sc, chans, reqs), nil
	})
}

func connect(ctx context.Context, props resource.PropertyMap) (*ssh.Client, error) {
	m, err := getObject(props, "connection")
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("missing required property \"connection\"")
	}
	c, err := parseConnection(m, "connection")
	if err != nil {
		return nil, err
	}
	return c.dial(ctx)
}

func (p *provider) runRemote(
	ctx context.Context, urn, cmd string, props resource.PropertyMap, prevOut, prevErr string,
) (*runResult, error) {
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
	client, err := connect(ctx, props)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	session, err := client.NewSession()
	if err != nil {
		return nil, fmt.Errorf("could not open an SSH session: %w", err)
	}
	defer session.Close()

	// Setenv only works where sshd's AcceptEnv allows the name; like the
	// upstream provider we ignore refusals.
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		_ = session.Setenv(k, env[k])
	}
	if prevOut != "" {
		_ = session.Setenv("PULUMI_COMMAND_STDOUT", prevOut)
	}
	if prevErr != "" {
		_ = session.Setenv("PULUMI_COMMAND_STDERR", prevErr)
	}
	if stdin != nil && *stdin != "" {
		session.Stdin = strings.NewReader(*stdin)
	}
	lg := ""
	if logging != nil {
		lg = *logging
	}
	capture := newCapture(ctx, p, urn, lg)
	session.Stdout = captureWriter{c: capture}
	session.Stderr = captureWriter{c: capture, stderr: true}

	done := make(chan error, 1)
	go func() { done <- session.Run(cmd) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = session.Signal(ssh.SIGTERM)
		client.Close()
		err = ctx.Err()
	}
	capture.flush()
	if err != nil {
		return nil, fmt.Errorf("%w: running %q:\n%s", err, cmd, capture.both.String())
	}
	return capture.result(), nil
}

func remoteStat(c *sftp.Client, p string) (fs.FileInfo, error) {
	info, err := c.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("could not stat remote path %s: %w", p, err)
	}
	return info, nil
}

func sftpPut(c *sftp.Client, src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := c.Create(dst)
	if err != nil {
		return fmt.Errorf("could not create remote file %s: %w", dst, err)
	}
	defer out.Close()
	if _, err := out.ReadFrom(in); err != nil {
		return fmt.Errorf("could not copy %s to remote %s: %w", src, dst, err)
	}
	return c.Chmod(dst, st.Mode().Perm())
}

// copyPath copies a local file or directory to dst with the upstream
// semantics: a directory "dir" lands in dst/dir, "dir/" copies its contents
// into dst, a file into an existing remote directory lands inside it.
func copyPath(c *sftp.Client, src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("source %s: %w", src, err)
	}
	dstInfo, err := remoteStat(c, dst)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		if dstInfo != nil && dstInfo.IsDir() {
			dst = path.Join(dst, filepath.Base(src))
		}
		return sftpPut(c, src, dst)
	}
	if dstInfo != nil && !dstInfo.IsDir() {
		return fmt.Errorf("remote path %s exists and is not a directory", dst)
	}
	if dstInfo == nil {
		if err := c.MkdirAll(dst); err != nil {
			return fmt.Errorf("could not create remote directory %s: %w", dst, err)
		}
	}
	if !strings.HasSuffix(src, "/") {
		dst = path.Join(dst, filepath.Base(src))
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := path.Join(dst, filepath.ToSlash(rel))
		if d.IsDir() {
			if err := c.MkdirAll(target); err != nil {
				return fmt.Errorf("could not create remote directory %s: %w", target, err)
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return sftpPut(c, p, target)
	})
}

func withSFTP(ctx context.Context, props resource.PropertyMap, f func(*sftp.Client) error) error {
	client, err := connect(ctx, props)
	if err != nil {
		return err
	}
	defer client.Close()
	sc, err := sftp.NewClient(client)
	if err != nil {
		return fmt.Errorf("could not start SFTP on the server (is the sftp subsystem enabled in sshd?): %w", err)
	}
	defer sc.Close()
	return f(sc)
}

func (p *provider) copyToRemote(ctx context.Context, _ string, props resource.PropertyMap) error {
	remotePath, err := getString(props, "remotePath")
	if err != nil || remotePath == nil {
		return fmt.Errorf("remotePath: %w", errors.Join(err, errors.New("is required")))
	}
	src, ok := get(props, "source")
	if !ok {
		return errors.New("source is required")
	}
	return withSFTP(ctx, props, func(c *sftp.Client) error {
		switch {
		case src.IsAsset() && src.AssetValue().IsText():
			st, err := remoteStat(c, *remotePath)
			if err != nil {
				return err
			}
			if st != nil && st.IsDir() {
				return fmt.Errorf("remote path %s is a directory; with a StringAsset, remotePath must be a file path", *remotePath)
			}
			f, err := c.Create(*remotePath)
			if err != nil {
				return fmt.Errorf("could not create remote file %s: %w", *remotePath, err)
			}
			defer f.Close()
			_, err = f.Write([]byte(src.AssetValue().Text))
			return err
		case src.IsAsset() && src.AssetValue().IsPath():
			return copyPath(c, src.AssetValue().Path, *remotePath)
		case src.IsArchive() && src.ArchiveValue().IsPath():
			return copyPath(c, src.ArchiveValue().Path, *remotePath)
		}
		return errors.New("source must be a FileAsset, a StringAsset or a FileArchive")
	})
}

func (p *provider) copyFile(ctx context.Context, _ string, props resource.PropertyMap) error {
	localPath, err := getString(props, "localPath")
	if err != nil || localPath == nil {
		return fmt.Errorf("localPath: %w", errors.Join(err, errors.New("is required")))
	}
	remotePath, err := getString(props, "remotePath")
	if err != nil || remotePath == nil {
		return fmt.Errorf("remotePath: %w", errors.Join(err, errors.New("is required")))
	}
	return withSFTP(ctx, props, func(c *sftp.Client) error {
		return sftpPut(c, *localPath, *remotePath)
	})
}
