import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import {
  collectstaticCommand,
  type ComposeTarget,
  currentLink,
  releaseDir,
} from "../../../components/compose/commands";
import { publishedPorts } from "../../../components/compose/compose-file";
import { proxyConfigDir, renderComposeOverride } from "../../../components/compose/proxy";
import { type SwitchSpec, switchReleaseCommand } from "../../../components/compose/switch";
import { HOSTILE, makeSandbox, type Sandbox } from "../shell/sandbox";

const PLAIN: ComposeTarget = {
  remoteDir: "/srv/app",
  releaseId: "abc123def456",
  composeFile: "docker-compose.yml",
  composeProject: "shop",
  dockerEnv: {},
};

const PORTS = [{ published: "${WEB_BIND_ADDRESS:-0.0.0.0}:${WEB_PORT:-8000}", target: 8000 }];

const SPEC: SwitchSpec = {
  web: "web",
  rollingWorkers: ["celery_worker"],
  singletonWorkers: ["celery_beat"],
  proxy: { ports: PORTS, staticRoot: "/app/staticfiles" },
  waitSeconds: 90,
  graceSeconds: 30,
};

describe("renderComposeOverride", () => {
  it("web publishes nothing and serves its release's static root; the proxy publishes its ports", () => {
    assert.equal(renderComposeOverride(PLAIN, "web", SPEC.proxy), OVERRIDE_EXPECTED);
  });
  it("without ports or a static root: a proxy without ports, web without environment", () => {
    const text = renderComposeOverride(PLAIN, "web", { ports: [] });
    assert.ok(!text.includes("ports: ["), text);
    assert.ok(!text.includes("STATIC_ROOT"), text);
  });
});

describe("publishedPorts", () => {
  const cases: [string, unknown, ReturnType<typeof publishedPorts>][] = [
    [
      "short with ip and variables",
      ["${IP:-0.0.0.0}:${P:-8000}:8000"],
      [{ published: "${IP:-0.0.0.0}:${P:-8000}", target: 8000 }],
    ],
    ["short host:container, /tcp", ["8080:8000/tcp"], [{ published: "8080", target: 8000 }]],
    ["container-only and udp are not published", ["8000", 9000, "53:53/udp"], []],
    [
      "long syntax",
      [
        { target: 8000, published: "80", host_ip: "127.0.0.1" },
        { target: 1, protocol: "udp", published: 1 },
      ],
      [{ published: "127.0.0.1:80", target: 8000 }],
    ],
    ["no ports", undefined, []],
  ];
  for (const [name, ports, expected] of cases) {
    it(name, () => assert.deepEqual(publishedPorts(ports), expected));
  }
});

describe("collectstaticCommand with the web's STATIC_ROOT", () => {
  it("writes into this release's directory below it", () => {
    assert.equal(
      collectstaticCommand(PLAIN, "web", "/app/staticfiles/"),
      "docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env run --rm -T --env STATIC_ROOT\\=/app/staticfiles/releases/abc123def456 web python manage.py collectstatic --noinput",
    );
  });
});

describe("switchReleaseCommand", () => {
  it("exact script, plain target", () => {
    assert.equal(switchReleaseCommand(PLAIN, SPEC), SWITCH_EXPECTED);
  });

  const boxes: Sandbox[] = [];
  after(() => boxes.forEach((b) => b.cleanup()));

  /**
   * A docker stub with one old web container (app-web-1); after compose `up`, a new one
   * (app-web-2) exists too. `inspect` answers the health status `health`.
   */
  function setup(health: string, existing = ["app-web-1"], proxy = "", nginxTest = "exit 0") {
    const created = `app-web-${existing.length + 1}`;
    const box = makeSandbox(`
      state="$STUB_CALLS/../.state"
      case "$1" in
        ps) case "$*" in *service=web*) printf '%s\\n' ${existing.join(" ")}; [ ! -e "$state" ] || echo ${created};; esac ;;
        compose) case "$*" in *" up "*--scale*) : > "$state";; *" ps "*proxy) echo ${proxy};; esac ;;
        inspect) case "$*" in *Health.Status*) echo ${health};; *) echo "curl: (7) connection refused";; esac ;;
        logs) echo "gunicorn: worker failed to boot";;
        exec) case "$*" in *"nginx -t"*) ${nginxTest};; esac ;;
      esac`);
    boxes.push(box);
    const t: ComposeTarget = {
      remoteDir: join(box.dir, `srv ${HOSTILE}`),
      releaseId: "rel $(touch CANARY) 'q'",
      composeFile: "docker-compose.yml",
      composeProject: "app",
      dockerEnv: {},
    };
    mkdirSync(releaseDir(t), { recursive: true });
    const old = join(t.remoteDir, "releases", "old");
    mkdirSync(old);
    symlinkSync(old, currentLink(t.remoteDir));
    const spec: SwitchSpec = { ...SPEC, rollingWorkers: [], singletonWorkers: [], waitSeconds: 10 };
    return { box, t, old, spec };
  }
  it("a retry after an interrupted switch: every web present counts as old, one new one serves", () => {
    // app-web-2 was started by a switch that died before it stopped app-web-1.
    const { box, t, spec } = setup("healthy", ["app-web-1", "app-web-2"], "proxy-id");
    const result = box.run(switchReleaseCommand(t, spec));
    assert.equal(result.status, 0, result.stderr);
    const conf = readFileSync(join(proxyConfigDir(t.remoteDir), "app.conf"), "utf8");
    assert.ok(conf.includes("\n    set $django_deploy_web app-web-3:8000;\n"), conf);
    const argvs = box.calls().map((c) => c.argv.join(" "));
    assert.ok(argvs.includes("exec proxy-id nginx -s reload"), argvs.join("\n"));
    const reload = argvs.indexOf("exec proxy-id nginx -s reload");
    const stop = argvs.indexOf("stop --time 30 app-web-1 app-web-2");
    assert.ok(reload >= 0 && stop > reload, argvs.join("\n"));
    assert.ok(argvs.includes("rm app-web-1 app-web-2"), argvs.join("\n"));
    assert.ok(
      argvs.some((a) => a.includes("--scale web=3")),
      argvs.join("\n"),
    );
  });

  it("a new web that turns unhealthy: removed, reasons printed, current and proxy config untouched", () => {
    const { box, t, old, spec } = setup("unhealthy");
    const result = box.run(switchReleaseCommand(t, spec));
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      /app-web-2 did not become healthy within 10s \(status: unhealthy\); the previous release keeps serving\./,
    );
    assert.match(
      result.stderr,
      /Last healthcheck output of app-web-2:\ncurl: \(7\) connection refused/,
    );
    assert.match(result.stderr, /Last log lines of app-web-2:\ngunicorn: worker failed to boot/);
    assert.deepEqual(box.calls().at(-1)!.argv, ["rm", "--force", "app-web-2"]);
    assert.equal(readlinkSync(currentLink(t.remoteDir)), old);
    assert.equal(existsSync(join(proxyConfigDir(t.remoteDir), "app.conf")), false);
    assert.deepEqual(box.canaries(), []);
  });

  it("a proxy that refuses the new config: the new web is removed, the old one keeps serving", () => {
    const { box, t, old, spec } = setup("healthy", ["app-web-1"], "proxy-id", "exit 1");
    const result = box.run(switchReleaseCommand(t, spec));
    assert.notEqual(result.status, 0, result.stderr);
    const argvs = box.calls().map((c) => c.argv.join(" "));
    assert.equal(argvs.at(-1), "rm --force app-web-2", argvs.join("\n"));
    assert.ok(!argvs.some((a) => /^(stop|rm) .*app-web-1/.test(a)), argvs.join("\n"));
    assert.equal(readlinkSync(currentLink(t.remoteDir)), old);
    assert.deepEqual(box.canaries(), []);
  });

  it("a healthy new web: proxy config names it, old web stopped with grace and removed, current switched", () => {
    const { box, t, spec } = setup("healthy");
    const result = box.run(switchReleaseCommand(t, spec));
    assert.equal(result.status, 0, result.stderr);
    const conf = readFileSync(join(proxyConfigDir(t.remoteDir), "app.conf"), "utf8");
    assert.ok(conf.includes("\n    set $django_deploy_web app-web-2:8000;\n"), conf);
    const argvs = box.calls().map((c) => c.argv.join(" "));
    assert.ok(argvs.includes("stop --time 30 app-web-1"), argvs.join("\n"));
    assert.ok(argvs.includes("rm app-web-1"), argvs.join("\n"));
    assert.ok(
      !argvs.some((a) => a.includes("app-web-2") && /^(stop|rm)/.test(a)),
      argvs.join("\n"),
    );
    assert.equal(readlinkSync(currentLink(t.remoteDir)), releaseDir(t));
    assert.deepEqual(box.canaries(), []);
  });
});

const OVERRIDE_EXPECTED =
  '# Written by the deploy for this release: traffic enters through the proxy, which publishes\n# the web\'s ports, so a new web container can start beside the old one (see README).\nservices:\n  "web":\n    ports: !reset []\n    environment:\n      STATIC_ROOT: "/app/staticfiles/releases/${APP_RELEASE}"\n  "proxy":\n    image: "${PROXY_IMAGE:-nginx:1.27-alpine}"\n    restart: unless-stopped\n    volumes: ["/srv/app/proxy:/etc/nginx/conf.d:ro"]\n    ports: ["${WEB_BIND_ADDRESS:-0.0.0.0}:${WEB_PORT:-8000}:80"]\n';

const SWITCH_EXPECTED =
  'set -e\ncontainers() { docker ps --all --filter label\\=com.docker.compose.project\\=shop --filter label\\=com.docker.compose.oneoff\\=False --filter "label=com.docker.compose.service=$1" --format \'{{.Names}}\' | sort; }\nstarted_since() { containers "$1" | grep -vxF "$2" || true; }\nwait_healthy() { for c in "$@"; do while :; do s=$(docker inspect --format \'{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}\' "$c"); if [ "$s" = healthy ] || [ "$s" = running ]; then break; fi; if [ "$s" = unhealthy ] || [ "$(date +%s)" -ge "$deadline" ]; then echo "$c did not become healthy within 90s (status: $s); the previous release keeps serving." >&2; echo "Last healthcheck output of $c:" >&2; docker inspect --format \'{{if .State.Health}}{{range .State.Health.Log}}{{.Output}}{{end}}{{end}}\' "$c" | tail -n 5 >&2; echo "Last log lines of $c:" >&2; docker logs --tail 30 "$c" >&2 2>&1; return 1; fi; sleep 1; done; done; }\nreload_proxy() { p=$(docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env --file /srv/app/releases/abc123def456/.django-deploy.compose.yml ps --quiet --status running proxy); docker exec "$p" nginx -t -q; before=$(docker exec "$p" sh -c \'cd /proc && grep -l "^PPid:[[:space:]]*1$" [0-9]*/status\' || true); docker exec "$p" nginx -s reload; docker exec "$p" sh -c \'n=0; for f in "$@"; do while [ -e "/proc/$f" ]; do n=$((n+1)); [ $n -lt 300 ] || exit 1; sleep 0.1; done; done\' sh $before || echo "proxy: requests of the previous config still running after 30s" >&2; }\nmkdir -p /srv/app/proxy\nprintf %s \'# Written by the deploy for this release: traffic enters through the proxy, which publishes\n# the web\'"\'"\'s ports, so a new web container can start beside the old one (see README).\nservices:\n  "web":\n    ports: !reset []\n    environment:\n      STATIC_ROOT: "/app/staticfiles/releases/${APP_RELEASE}"\n  "proxy":\n    image: "${PROXY_IMAGE:-nginx:1.27-alpine}"\n    restart: unless-stopped\n    volumes: ["/srv/app/proxy:/etc/nginx/conf.d:ro"]\n    ports: ["${WEB_BIND_ADDRESS:-0.0.0.0}:${WEB_PORT:-8000}:80"]\n\' > /srv/app/releases/abc123def456/.django-deploy.compose.yml\ndeadline=$(($(date +%s) + 90))\nold_0=$(containers web)\nold_1=$(containers celery_worker)\nif [ -n "$(docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env --file /srv/app/releases/abc123def456/.django-deploy.compose.yml ps --quiet --status running proxy)" ]; then docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env --file /srv/app/releases/abc123def456/.django-deploy.compose.yml up --detach --no-deps --no-build --wait --wait-timeout 90 --remove-orphans proxy; proxy=up; else proxy=; fi\ndocker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env --file /srv/app/releases/abc123def456/.django-deploy.compose.yml up --detach --no-deps --no-build --no-recreate --scale web=$(($(echo $old_0 | wc -w) + 1)) --scale celery_worker=$(($(echo $old_1 | wc -w) + 1)) web celery_worker\nnew_0=$(started_since web "$old_0")\nnew_1=$(started_since celery_worker "$old_1")\nnew="$new_0 $new_1"\n[ -n "$new_0" ] || { echo \'compose started no new web container; the previous release keeps serving.\' >&2; exit 1; }\nremove_new() { docker rm --force $new >/dev/null 2>&1 || true; }\ntrap remove_new EXIT\nwait_healthy $new || { docker rm --force $new >/dev/null; exit 1; }\n{ printf %s \'resolver 127.0.0.11 valid=2s ipv6=off;\nserver {\n    listen 80;\n    client_max_body_size 0;\n\'; printf \'    set $django_deploy_web %s:8000;\\n\' "$new_0"; printf %s \'    location / {\n        proxy_pass http://$django_deploy_web;\n        proxy_set_header Host $http_host;\n        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        proxy_set_header X-Forwarded-Proto $scheme;\n    }\n}\n\'; } > /srv/app/proxy/app.conf.tmp\nmv -f /srv/app/proxy/app.conf.tmp /srv/app/proxy/app.conf\nif [ -n "$proxy" ]; then reload_proxy; else { [ -z "$old_0" ] || docker stop --time 30 $old_0 >/dev/null; }; docker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env --file /srv/app/releases/abc123def456/.django-deploy.compose.yml up --detach --no-deps --no-build --wait --wait-timeout 90 --remove-orphans proxy; fi\ntrap - EXIT\nold="$old_0 $old_1"\nif [ -n "$(echo $old)" ]; then docker stop --time 30 $old >/dev/null; docker rm $old >/dev/null; fi\nln -sfn /srv/app/releases/abc123def456 /srv/app/current.next\nmv -Tf /srv/app/current.next /srv/app/current\ndocker compose --project-name shop --project-directory /srv/app/releases/abc123def456 --file /srv/app/releases/abc123def456/docker-compose.yml --env-file /srv/app/releases/abc123def456/.env --file /srv/app/releases/abc123def456/.django-deploy.compose.yml up --detach --no-deps --no-build --wait --wait-timeout 90 celery_beat\ndocker exec "$new_0" sh -c \'cd "$1" && for d in *; do case " $2 " in *" $d "*) ;; *) rm -rf -- "$d" ;; esac; done\' sh /app/staticfiles/releases/ "$(ls /srv/app/releases | tr \'\\n\' \' \')" || true';
