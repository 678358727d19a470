package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

const (
	typeLocalCommand  = "command:local:Command"
	typeRemoteCommand = "command:remote:Command"
	typeCopyToRemote  = "command:remote:CopyToRemote"
	typeCopyFile      = "command:remote:CopyFile"
	funcLocalRun      = "command:local:run"
)

// Output-only properties: they are in state but never inputs, so diffs ignore them.
var outputOnly = map[resource.PropertyKey]bool{
	"stdout": true, "stderr": true, "assets": true, "archive": true,
}

type provider struct {
	plugin.UnimplementedProvider
	version semver.Version
	logger  engineLogger
}

func (p *provider) setEngine(addr string) { p.logger.addr = addr }

func (p *provider) Handshake(
	_ context.Context, req plugin.ProviderHandshakeRequest,
) (*plugin.ProviderHandshakeResponse, error) {
	if req.EngineAddress != "" {
		p.setEngine(req.EngineAddress)
	}
	return &plugin.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *provider) Close() error { return nil }

func (p *provider) SignalCancellation(context.Context) error { return nil }

func (p *provider) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	v := p.version
	return plugin.PluginInfo{Version: &v}, nil
}

func (p *provider) GetSchema(context.Context, plugin.GetSchemaRequest) (plugin.GetSchemaResponse, error) {
	return plugin.GetSchemaResponse{Schema: []byte(fmt.Sprintf(`{"name":"command","version":%q}`, version))}, nil
}

func (p *provider) CheckConfig(_ context.Context, req plugin.CheckConfigRequest) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News}, nil
}

func (p *provider) DiffConfig(context.Context, plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	return plugin.DiffResult{Changes: plugin.DiffNone}, nil
}

func (p *provider) Configure(context.Context, plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	return plugin.ConfigureResponse{}, nil
}

func connectionDefaults() map[string]resource.PropertyValue {
	return map[string]resource.PropertyValue{
		"user":           resource.NewStringProperty("root"),
		"port":           resource.NewNumberProperty(22),
		"dialErrorLimit": resource.NewNumberProperty(10),
		"perDialTimeout": resource.NewNumberProperty(15),
	}
}

func (p *provider) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	news := req.News.Copy()
	var failures []plugin.CheckFailure
	fail := func(prop, reason string) {
		failures = append(failures, plugin.CheckFailure{Property: resource.PropertyKey(prop), Reason: reason})
	}
	requireKnown := func(key string) {
		v, ok := news[resource.PropertyKey(key)]
		if !ok || unwrap(v).IsNull() {
			fail(key, fmt.Sprintf("missing required property %q", key))
		}
	}
	checkConnection := func() {
		requireKnown("connection")
		setDefaults(news, "connection", connectionDefaults())
		if conn, err := getObject(news, "connection"); err != nil {
			fail("connection", err.Error())
		} else if conn != nil {
			if h, ok := conn["host"]; !ok || unwrap(h).IsNull() {
				fail("connection.host", `missing required property "connection.host"`)
			}
			if _, ok := conn["proxy"]; ok {
				setDefaults(conn, "proxy", connectionDefaults())
			}
		}
	}

	switch string(req.Type) {
	case typeLocalCommand:
		if _, ok := news["addPreviousOutputInEnv"]; !ok {
			news["addPreviousOutputInEnv"] = resource.NewBoolProperty(true)
		}
	case typeRemoteCommand:
		if _, ok := news["addPreviousOutputInEnv"]; !ok {
			news["addPreviousOutputInEnv"] = resource.NewBoolProperty(true)
		}
		checkConnection()
	case typeCopyToRemote:
		checkConnection()
		requireKnown("remotePath")
		requireKnown("source")
		if v, ok := get(news, "source"); ok && !v.IsComputed() {
			switch {
			case v.IsAsset():
				if a := v.AssetValue(); !a.IsPath() && !a.IsText() {
					fail("source", "source must be a FileAsset, a StringAsset or a FileArchive")
				}
			case v.IsArchive():
				if !v.ArchiveValue().IsPath() {
					fail("source", "source archive must be a FileArchive (a path to a file or directory)")
				}
			default:
				fail("source", "source must be an asset or an archive, got "+v.TypeString())
			}
		}
	case typeCopyFile:
		checkConnection()
		requireKnown("localPath")
		requireKnown("remotePath")
	default:
		return plugin.CheckResponse{}, fmt.Errorf("unknown resource type %q", req.Type)
	}
	return plugin.CheckResponse{Properties: news, Failures: failures}, nil
}

// Diff compares the old inputs with the new ones. Any change is an update
// (which re-runs `update`, or `create` when there is no `update`), except a
// change to `triggers`, which replaces the resource (create new, delete old).
func (p *provider) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResponse, error) {
	olds := req.OldInputs
	if len(olds) == 0 {
		olds = req.OldOutputs
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		if !outputOnly[k] {
			keys[k] = true
		}
	}
	for k := range req.NewInputs {
		keys[k] = true
	}
	ignored := map[string]bool{}
	for _, k := range req.IgnoreChanges {
		ignored[k] = true
	}

	detailed := map[string]plugin.PropertyDiff{}
	var changed, replace []resource.PropertyKey
	for k := range keys {
		if ignored[string(k)] {
			continue
		}
		ov, hasOld := olds[k]
		nv, hasNew := req.NewInputs[k]
		hasOld = hasOld && !unwrap(ov).IsNull()
		hasNew = hasNew && !unwrap(nv).IsNull()
		if !hasOld && !hasNew {
			continue
		}
		if hasOld && hasNew && !nv.ContainsUnknowns() && plain(ov).DeepEquals(plain(nv)) {
			continue
		}
		kind := plugin.DiffUpdate
		switch {
		case !hasOld:
			kind = plugin.DiffAdd
		case !hasNew:
			kind = plugin.DiffDelete
		}
		if k == "triggers" {
			kind = kind.AsReplace()
			replace = append(replace, k)
		}
		changed = append(changed, k)
		detailed[string(k)] = plugin.PropertyDiff{Kind: kind, InputDiff: true}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i] < changed[j] })
	if len(changed) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}, nil
	}
	return plugin.DiffResult{
		Changes:      plugin.DiffSome,
		ChangedKeys:  changed,
		ReplaceKeys:  replace,
		DetailedDiff: detailed,
	}, nil
}

// withOutputs returns state = inputs + stdout/stderr. If any input is secret,
// the outputs are too, so a secret never leaks through a command's output.
func withOutputs(inputs resource.PropertyMap, res *runResult, keepFrom resource.PropertyMap) resource.PropertyMap {
	state := inputs.Copy()
	for k := range outputOnly {
		if v, ok := keepFrom[k]; ok {
			state[k] = v
		}
	}
	if res != nil {
		secret := inputs.ContainsSecrets()
		wrap := func(v resource.PropertyValue) resource.PropertyValue {
			if secret {
				return resource.MakeSecret(v)
			}
			return v
		}
		state["stdout"] = wrap(resource.NewStringProperty(res.stdout))
		state["stderr"] = wrap(resource.NewStringProperty(res.stderr))
		delete(state, "assets")
		delete(state, "archive")
		if res.assets != nil {
			state["assets"] = wrap(resource.NewObjectProperty(res.assets))
		}
		if res.archive != nil {
			state["archive"] = wrap(resource.NewArchiveProperty(res.archive))
		}
	}
	return state
}

func previousOutputs(state resource.PropertyMap) (string, string) {
	var out, errOut string
	if s, err := getString(state, "stdout"); err == nil && s != nil {
		out = *s
	}
	if s, err := getString(state, "stderr"); err == nil && s != nil {
		errOut = *s
	}
	return out, errOut
}

func (p *provider) Create(ctx context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	props := req.Properties
	if req.Preview {
		state := props.Copy()
		if string(req.Type) == typeLocalCommand || string(req.Type) == typeRemoteCommand {
			state["stdout"] = resource.MakeComputed(resource.NewStringProperty(""))
			state["stderr"] = resource.MakeComputed(resource.NewStringProperty(""))
		}
		return plugin.CreateResponse{Properties: state, Status: resource.StatusOK}, nil
	}
	id, err := resource.NewUniqueHex(req.Name, 8, 0)
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	urn := string(req.URN)
	switch string(req.Type) {
	case typeLocalCommand, typeRemoteCommand:
		cmd, err := getString(props, "create")
		if err != nil {
			return plugin.CreateResponse{}, err
		}
		res := &runResult{}
		if cmd != nil {
			res, err = p.runFor(ctx, string(req.Type), urn, *cmd, props, nil)
			if err != nil {
				return plugin.CreateResponse{}, err
			}
		}
		return plugin.CreateResponse{ID: resource.ID(id), Properties: withOutputs(props, res, nil), Status: resource.StatusOK}, nil
	case typeCopyToRemote:
		if err := p.copyToRemote(ctx, urn, props); err != nil {
			return plugin.CreateResponse{}, err
		}
	case typeCopyFile:
		if err := p.copyFile(ctx, urn, props); err != nil {
			return plugin.CreateResponse{}, err
		}
	default:
		return plugin.CreateResponse{}, fmt.Errorf("unknown resource type %q", req.Type)
	}
	return plugin.CreateResponse{ID: resource.ID(id), Properties: props.Copy(), Status: resource.StatusOK}, nil
}

// runFor runs cmd for a Command resource, locally or over SSH; prev is the
// prior state whose stdout/stderr are exposed as PULUMI_COMMAND_STDOUT/STDERR.
func (p *provider) runFor(
	ctx context.Context, typ, urn, cmd string, props, prev resource.PropertyMap,
) (*runResult, error) {
	addPrev, err := getBool(props, "addPreviousOutputInEnv", true)
	if err != nil {
		return nil, err
	}
	var prevOut, prevErr string
	if addPrev && prev != nil {
		prevOut, prevErr = previousOutputs(prev)
	}
	if typ == typeLocalCommand {
		return p.runLocal(ctx, urn, cmd, props, prevOut, prevErr)
	}
	return p.runRemote(ctx, urn, cmd, props, prevOut, prevErr)
}

func (p *provider) Update(ctx context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	news, olds := req.NewInputs, req.OldOutputs
	urn := string(req.URN)
	switch string(req.Type) {
	case typeLocalCommand, typeRemoteCommand:
		if req.Preview {
			return plugin.UpdateResponse{Properties: withOutputs(news, nil, olds), Status: resource.StatusOK}, nil
		}
		cmd, err := getString(news, "update")
		if err != nil {
			return plugin.UpdateResponse{}, err
		}
		if cmd == nil {
			if cmd, err = getString(news, "create"); err != nil {
				return plugin.UpdateResponse{}, err
			}
		}
		if cmd == nil {
			return plugin.UpdateResponse{Properties: withOutputs(news, nil, olds), Status: resource.StatusOK}, nil
		}
		res, err := p.runFor(ctx, string(req.Type), urn, *cmd, news, olds)
		if err != nil {
			return plugin.UpdateResponse{}, err
		}
		return plugin.UpdateResponse{Properties: withOutputs(news, res, olds), Status: resource.StatusOK}, nil
	case typeCopyToRemote, typeCopyFile:
		if req.Preview {
			return plugin.UpdateResponse{Properties: news.Copy(), Status: resource.StatusOK}, nil
		}
		// Only a new source or destination needs a copy; a connection change alone does not.
		same := func(k resource.PropertyKey) bool {
			return plain(olds[k]).DeepEquals(plain(news[k]))
		}
		if !(same("source") && same("localPath") && same("remotePath")) {
			var err error
			if string(req.Type) == typeCopyToRemote {
				err = p.copyToRemote(ctx, urn, news)
			} else {
				err = p.copyFile(ctx, urn, news)
			}
			if err != nil {
				return plugin.UpdateResponse{}, err
			}
		}
		return plugin.UpdateResponse{Properties: news.Copy(), Status: resource.StatusOK}, nil
	}
	return plugin.UpdateResponse{}, fmt.Errorf("unknown resource type %q", req.Type)
}

func (p *provider) Delete(ctx context.Context, req plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	switch string(req.Type) {
	case typeLocalCommand, typeRemoteCommand:
		state := req.Outputs
		cmd, err := getString(state, "delete")
		if err != nil || cmd == nil {
			return plugin.DeleteResponse{Status: resource.StatusOK}, err
		}
		if _, err := p.runFor(ctx, string(req.Type), string(req.URN), *cmd, state, state); err != nil {
			return plugin.DeleteResponse{}, err
		}
	}
	return plugin.DeleteResponse{Status: resource.StatusOK}, nil
}

func (p *provider) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	return plugin.ReadResponse{
		ReadResult: plugin.ReadResult{ID: req.ID, Inputs: req.Inputs, Outputs: req.State},
		Status:     resource.StatusOK,
	}, nil
}

func (p *provider) Invoke(ctx context.Context, req plugin.InvokeRequest) (plugin.InvokeResponse, error) {
	if string(req.Tok) != funcLocalRun {
		return plugin.InvokeResponse{}, fmt.Errorf("unknown function %q", req.Tok)
	}
	cmd, err := getString(req.Args, "command")
	if err != nil {
		return plugin.InvokeResponse{}, err
	}
	if cmd == nil {
		return plugin.InvokeResponse{Failures: []plugin.CheckFailure{{Property: "command", Reason: `missing required property "command"`}}}, nil
	}
	res, err := p.runLocal(ctx, "", *cmd, req.Args, "", "")
	if err != nil {
		return plugin.InvokeResponse{}, err
	}
	return plugin.InvokeResponse{Properties: withOutputs(req.Args, res, nil)}, nil
}
