#!/usr/bin/env bash
# Smoke test of the offline engine: a throwaway Pulumi project (local file
# backend, automatic plugin download disabled) runs local.Command create,
# update, trigger replacement and destroy; when sshd is installed it also runs
# remote.Command and remote.CopyToRemote against a throwaway sshd on loopback.
#
#   scripts/engine/verify.sh        exit 0 and "N passed, 0 failed" when all is well
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[[ -d "$repo/node_modules/@pulumi/command" ]] ||
  { echo "verify: run 'npm ci' in $repo first (needs @pulumi/pulumi and @pulumi/command)" >&2; exit 1; }

bin=$("$repo/scripts/install-engine.sh" --print-path)
work=$(mktemp -d)
sshd_pid=""
cleanup() {
  if [[ -n "$sshd_pid" ]]; then kill "$sshd_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export PATH="$bin:$PATH"
export PULUMI_HOME="$work/home" PULUMI_CONFIG_PASSPHRASE=verify
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# The provider is installed per PULUMI_HOME: do it for the throwaway one.
"$repo/scripts/install-engine.sh" --print-path >/dev/null

passed=0 failed=0
check() { # check NAME EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    passed=$((passed + 1))
    echo "ok   $1"
  else
    failed=$((failed + 1))
    echo "FAIL $1: expected [$2], got [$3]"
  fi
}

proj="$work/proj"
mkdir -p "$proj" "$work/state"
ln -s "$repo/node_modules" "$proj/node_modules"
cat >"$proj/Pulumi.yaml" <<'EOF'
name: engine-verify
runtime: nodejs
EOF
echo '{"name":"engine-verify","main":"index.ts"}' >"$proj/package.json"
cat >"$proj/index.ts" <<'EOF'
import * as pulumi from "@pulumi/pulumi";
import { local, remote } from "@pulumi/command";

const cfg = new pulumi.Config();
const marker = cfg.require("marker");
const hello = new local.Command("hello", {
    create: "echo hello-$WHO",
    update: "echo updated-$WHO prev=$PULUMI_COMMAND_STDOUT",
    delete: `echo "deleted prev=$PULUMI_COMMAND_STDOUT" >> ${marker}.local`,
    environment: { WHO: cfg.get("who") ?? "world" },
});
new local.Command("trig", {
    create: `echo created >> ${marker}.trig`,
    delete: `echo deleted >> ${marker}.trig`,
    triggers: [cfg.get("trigger") ?? "a"],
});
export const out = hello.stdout;

let remoteStdout: pulumi.Output<string> | undefined;
const port = cfg.getNumber("sshPort");
if (port !== undefined) {
    const connection = {
        host: "127.0.0.1",
        port,
        user: cfg.require("sshUser"),
        privateKey: cfg.requireSecret("sshKey"),
        hostKey: cfg.require("hostKey"),
    };
    const r = new remote.Command("r", {
        connection,
        create: "echo remote-ok",
        delete: `echo remote-deleted >> ${marker}.remote`,
    });
    new remote.CopyToRemote("cp", {
        connection,
        source: new pulumi.asset.StringAsset("copied\n"),
        remotePath: `${marker}.copied`,
    }, { dependsOn: [r] });
    remoteStdout = pulumi.unsecret(r.stdout);
}
export const remoteOut = remoteStdout;
EOF

cd "$proj"
pulumi login "file://$work/state" >/dev/null
pulumi stack init verify >/dev/null
pulumi config set marker "$work/marker"

if [[ -x /usr/sbin/sshd ]]; then
  ssh-keygen -q -t ed25519 -N '' -f "$work/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$work/client_key"
  cp "$work/client_key.pub" "$work/authorized_keys"
  chmod 600 "$work/authorized_keys"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$work/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $work/host_key
AuthorizedKeysFile $work/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
StrictModes no
UsePAM no
PidFile none
Subsystem sftp internal-sftp
EOF
  mkdir -p /run/sshd
  /usr/sbin/sshd -D -f "$work/sshd_config" -E "$work/sshd.log" &
  sshd_pid=$!
  pulumi config set sshPort "$port"
  pulumi config set sshUser "$(id -un)"
  pulumi config set --secret sshKey -- "$(cat "$work/client_key")"
  pulumi config set hostKey "$(cut -d' ' -f1,2 "$work/host_key.pub")"
fi

pulumi up --yes --skip-preview >"$work/up1.log" 2>&1 || { cat "$work/up1.log"; exit 1; }
check "local create output" "hello-world" "$(pulumi stack output out)"
check "trigger create ran" "created" "$(cat "$work/marker.trig")"
if [[ -n "$sshd_pid" ]]; then
  check "remote create output" "remote-ok" "$(pulumi stack output remoteOut)"
  check "copy to remote" "copied" "$(cat "$work/marker.copied")"
fi

pulumi preview --expect-no-changes >"$work/noop.log" 2>&1 && r=0 || r=$?
check "no-op preview has no changes" 0 "$r"
check "no ambient-plugin warning" 0 "$(grep -c "using pulumi-resource-command from" "$work/up1.log" || true)"

pulumi config set who there
pulumi config set trigger b
pulumi up --yes --skip-preview >"$work/up2.log" 2>&1 || { cat "$work/up2.log"; exit 1; }
check "update runs update with previous stdout" "updated-there prev=hello-world" "$(pulumi stack output out)"
check "trigger change replaces (create new, delete old)" "created created deleted" "$(tr '\n' ' ' <"$work/marker.trig" | sed 's/ $//')"

pulumi destroy --yes --skip-preview >"$work/destroy.log" 2>&1 || { cat "$work/destroy.log"; exit 1; }
check "delete sees previous stdout" "deleted prev=updated-there prev=hello-world" "$(cat "$work/marker.local")"
if [[ -n "$sshd_pid" ]]; then
  check "remote delete ran" "remote-deleted" "$(cat "$work/marker.remote")"
fi

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
