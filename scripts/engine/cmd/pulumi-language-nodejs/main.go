// Command pulumi-language-nodejs is a minimal Node.js language host for the
// Pulumi engine.
//
// Why it exists: the upstream host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) and the
// Go module proxy reachable from this project's machines does not serve it, so
// it cannot be built offline. The engine only needs a small part of the
// LanguageRuntime gRPC service to run a Node.js program: report the plugins the
// program's node_modules ask for, and start `@pulumi/pulumi/cmd/run` (shipped in
// the npm package) against the engine's resource monitor. That is what this
// host does; everything else answers "unimplemented".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
)

// version is set with -ldflags "-X main.version=..." to the engine version it
// is installed next to.
var version = "3.248.0"

// exitCodeAlreadyReported is the exit code @pulumi/pulumi's cmd/run uses when it
// has already shown the error to the user (see nodeJSProcessExitedAfterLoggingUserActionableMessage).
const exitCodeAlreadyReported = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	// The engine passes its own flags (tracing, logging) before the engine
	// address; accept and ignore the ones we do not use.
	fs := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
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
	h := &host{}
	if args := fs.Args(); len(args) > 0 {
		h.engineAddress = args[len(args)-1]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// npmPackage is the part of a package.json we read.
type npmPackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Pulumi  *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

// requiredPackages walks node_modules under dir (and its ancestors, like
// Node's resolver) and returns the resource plugins declared by installed
// packages' "pulumi" stanza, which is how @pulumi/command and friends announce
// the provider binary they need.
func requiredPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	seen := map[string]*pulumirpc.PackageDependency{}
	var walk func(nodeModules string, depth int) error
	walk = func(nodeModules string, depth int) error {
		if depth > 8 {
			return nil
		}
		entries, err := os.ReadDir(nodeModules)
		if err != nil {
			return nil //nolint:nilerr // a missing node_modules just means no packages
		}
		for _, e := range entries {
			if !e.IsDir() && e.Type()&os.ModeSymlink == 0 {
				continue
			}
			pkgDirs := []string{filepath.Join(nodeModules, e.Name())}
			if strings.HasPrefix(e.Name(), "@") {
				scoped, err := os.ReadDir(pkgDirs[0])
				if err != nil {
					continue
				}
				pkgDirs = pkgDirs[:0]
				for _, s := range scoped {
					pkgDirs = append(pkgDirs, filepath.Join(nodeModules, e.Name(), s.Name()))
				}
			}
			for _, pd := range pkgDirs {
				if err := readPluginStanza(pd, seen); err != nil {
					return err
				}
				if err := walk(filepath.Join(pd, "node_modules"), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for d := dir; ; d = filepath.Dir(d) {
		if err := walk(filepath.Join(d, "node_modules"), 0); err != nil {
			return nil, err
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	out := make([]*pulumirpc.PackageDependency, 0, len(seen))
	for _, p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name+out[i].Version < out[j].Name+out[j].Version })
	return out, nil
}

func readPluginStanza(pkgDir string, seen map[string]*pulumirpc.PackageDependency) error {
	data, err := os.ReadFile(filepath.Join(pkgDir, "package.json"))
	if err != nil {
		return nil //nolint:nilerr // not a package directory
	}
	var pkg npmPackage
	if err := json.Unmarshal(data, &pkg); err != nil || pkg.Pulumi == nil || !pkg.Pulumi.Resource {
		return nil //nolint:nilerr // malformed or not a Pulumi provider package: nothing to report
	}
	name := pkg.Pulumi.Name
	if name == "" {
		name = strings.TrimPrefix(pkg.Name, "@pulumi/")
	}
	ver := pkg.Pulumi.Version
	if ver == "" {
		ver = pkg.Version
	}
	if ver != "" && !strings.HasPrefix(ver, "v") {
		ver = "v" + ver
	}
	seen[name+"@"+ver] = &pulumirpc.PackageDependency{
		Name: name, Kind: "resource", Version: ver, Server: pkg.Pulumi.Server,
	}
	return nil
}

func programDir(info *pulumirpc.ProgramInfo, pwd string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	return pwd
}

func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func (h *host) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := programDir(req.GetInfo(), req.GetProgram()) //nolint:staticcheck // older engines send program only
	pkgs, err := requiredPackages(dir)
	if err != nil {
		return nil, err
	}
	plugins := make([]*pulumirpc.PluginDependency, 0, len(pkgs))
	for _, p := range pkgs {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// findRunScript resolves @pulumi/pulumi/cmd/run the way Node would from dir.
func findRunScript(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", "run")
		if _, err := os.Stat(filepath.Join(p, "index.js")); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("could not find @pulumi/pulumi in node_modules above %s; "+
		"run `npm install` (or `npm ci`) in the project directory first", dir)
}

func optString(opts map[string]any, key string) (string, bool) {
	v, ok := opts[key]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	return s, ok
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	runScript, err := findRunScript(dir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	opts := map[string]any{}
	if req.GetInfo() != nil && req.GetInfo().GetOptions() != nil {
		opts = req.GetInfo().GetOptions().AsMap()
	}
	typescript := true
	if v, ok := opts["typescript"].(bool); ok {
		typescript = v
	}

	var args []string
	if nodeargs, ok := optString(opts, "nodeargs"); ok && nodeargs != "" {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, runScript)
	if req.GetOrganization() != "" {
		args = append(args, "--organization", req.GetOrganization())
	}
	args = append(args,
		"--project", req.GetProject(),
		"--stack", req.GetStack(),
		"--pwd", req.GetPwd(),
		"--monitor", req.GetMonitorAddress(),
	)
	if h.engineAddress != "" {
		args = append(args, "--engine", h.engineAddress)
	}
	if req.GetInfo() != nil && req.GetInfo().GetRootDirectory() != "" {
		args = append(args, "--root-directory", req.GetInfo().GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		args = append(args, "--parallel", fmt.Sprint(req.GetParallel()))
	}
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configJSON, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", typescript),
	)
	if tsconfig, ok := optString(opts, "tsconfig"); ok && tsconfig != "" {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.ExitStatus() == exitCodeAlreadyReported {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d",
				exitErr.ExitCode())}, nil
		}
		if errors.Is(err, exec.ErrNotFound) {
			return &pulumirpc.RunResponse{Error: "could not find `node` on PATH; install Node.js (18 or newer)"}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	exe, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.AboutResponse{}, nil //nolint:nilerr // about is informational
	}
	out, err := exec.Command(exe, "--version").Output()
	if err != nil {
		return &pulumirpc.AboutResponse{Executable: exe}, nil //nolint:nilerr // about is informational
	}
	return &pulumirpc.AboutResponse{Executable: exe, Version: strings.TrimSpace(string(out))}, nil
}

func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd()) //nolint:staticcheck // older engines send pwd only
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil //nolint:nilerr // no package.json, no deps
	}
	var pj struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(data, &pj); err != nil {
		return nil, fmt.Errorf("could not parse %s: %w", filepath.Join(dir, "package.json"), err)
	}
	var deps []*pulumirpc.DependencyInfo
	for name, want := range pj.Dependencies {
		ver := want
		if b, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json")); err == nil {
			var p npmPackage
			if json.Unmarshal(b, &p) == nil && p.Version != "" {
				ver = p.Version
			}
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: ver})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
