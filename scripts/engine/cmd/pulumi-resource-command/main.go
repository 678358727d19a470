// Command pulumi-resource-command is a stand-in for the Pulumi Command
// provider (package "command", resources command:local:Command,
// command:remote:Command, command:remote:CopyToRemote, command:remote:CopyFile
// and the command:local:run function), for machines that cannot download the
// upstream plugin.
//
// Why it exists: the upstream provider module (github.com/pulumi/pulumi-command/provider)
// has no version tag the Go module proxy serves, and the proxy reachable from
// this project's machines refuses its pseudo-versions, so it cannot be built
// offline. This implementation follows the behaviour documented in the
// @pulumi/command 1.2.1 SDK: create/update/delete commands, `triggers` forcing
// a replacement, `update` falling back to `create`, PULUMI_COMMAND_STDOUT/STDERR
// from the previous run, SSH with a pinned host key, SFTP copies. It reports
// version 1.2.1 so the SDK's version-pinned lookup finds it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// version is what the engine and SDK see; it must match @pulumi/command's
// package.json "pulumi.version" or the engine looks for another plugin.
var version = "1.2.1"

func main() {
	fs := flag.NewFlagSet("pulumi-resource-command", flag.ContinueOnError)
	fs.String("tracing", "", "ignored")
	fs.Bool("logtostderr", false, "ignored")
	fs.Bool("logflow", false, "ignored")
	fs.String("v", "", "ignored")
	fs.String("root", "", "ignored")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if *showVersion {
		fmt.Println(version)
		return
	}
	p := &provider{version: semver.MustParse(version)}
	if args := fs.Args(); len(args) > 0 {
		p.setEngine(args[len(args)-1])
	}
	server := plugin.NewProviderServer(p)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, server)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

// engineLogger sends command output to the engine so it shows up next to the
// resource in `pulumi up`, like the upstream provider does.
type engineLogger struct {
	mu     sync.Mutex
	addr   string
	client pulumirpc.EngineClient
}

func (l *engineLogger) get() pulumirpc.EngineClient {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.client != nil || l.addr == "" {
		return l.client
	}
	conn, err := grpc.NewClient(l.addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		rpcutil.GrpcChannelOptions())
	if err != nil {
		l.addr = ""
		return nil
	}
	l.client = pulumirpc.NewEngineClient(conn)
	return l.client
}

func (l *engineLogger) log(ctx context.Context, sev pulumirpc.LogSeverity, urn, msg string, ephemeral bool) {
	c := l.get()
	if c == nil {
		return
	}
	_, _ = c.Log(ctx, &pulumirpc.LogRequest{Severity: sev, Message: msg, Urn: urn, Ephemeral: ephemeral})
}
