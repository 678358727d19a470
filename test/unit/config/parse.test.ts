import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";

import { ConfigError, type ConfigInput, parseConfig } from "../../../components/config-parse";
import { CONFIG_KEYS } from "../../../components/config-schema";

const P = "django-deploy";
const SENTINEL = "SENTINEL-7f3a9c";
const KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${SENTINEL}\n-----END OPENSSH PRIVATE KEY-----\n`;
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
const BASE: Record<string, string> = {
  host: "203.0.113.10",
  hostKey: HOST_KEY,
  projectPath: "examples/django-app",
  composeProject: "shop",
  infraServices: '["db","redis"]',
};
const SECRET_KEYS = ["secretEnv"];

function parse(values: Record<string, string>, secretKeys = SECRET_KEYS) {
  const input: ConfigInput = { project: P, values, secretKeys: new Set(secretKeys) };
  return parseConfig(input);
}

/** The problems parseConfig reports, or [] when it accepts the input. */
function problems(values: Record<string, string>, secretKeys = SECRET_KEYS): string[] {
  try {
    parse(values, secretKeys);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
}

const without = (key: string) =>
  Object.fromEntries(Object.entries(BASE).filter(([k]) => k !== key));
// The list of keys itself is CONFIG_KEYS (pinned by the Pulumi.yaml test); here the message shape.
const KNOWN = Object.keys(CONFIG_KEYS).join(", ");
const HOST_KEY_RULE =
  "'<type> <base64>' where type is one of ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521";
const HOST_KEY_FIX =
  "ssh-keyscan -t ed25519 -p <port> <host> | cut -d' ' -f2- | pulumi config set hostKey --";
const ENV_FIX = 'pulumi config set --path "env.DJANGO_ALLOWED_HOSTS" example.com';
const SECRET_ENV_FIX = 'pulumi config set --secret --path "secretEnv.DJANGO_SECRET_KEY" <value>';
const NAME_RULE = "variable names are letters, digits and '_', not starting with a digit";

describe("parseConfig: a valid stack", () => {
  it("returns the parsed object with every default applied", () => {
    assert.deepEqual(parse(BASE), {
      host: "203.0.113.10",
      port: 22,
      user: "deploy",
      hostKey: HOST_KEY,
      dialErrorLimit: 3,
      dialTimeoutSeconds: 10,
      projectPath: "examples/django-app",
      composeFile: "docker-compose.yml",
      composeProject: "shop",
      infraServices: ["db", "redis"],
      webService: "web",
      workerServices: [],
      env: {},
      secretEnv: {},
      dockerEnv: {},
      checkMigrations: true,
      failOnMigrationWarnings: false,
      liveMigrationCheck: true,
      backupBeforeMigrate: true,
      backupService: "db",
      collectstatic: true,
      waitTimeoutSeconds: 180,
      stopGraceSeconds: 30,
      keepReleases: 5,
      keepBackups: 10,
      allowDatabaseChange: false,
    });
  });

  it("decodes every kind: integers (trimmed), booleans, lists, maps; trims the host key", () => {
    const parsed = parse({
      ...BASE,
      port: " 2222 ",
      user: "ci_deploy",
      hostKey: `  ${HOST_KEY}\n`,
      remoteDir: "/srv/shop/",
      workerServices: '["celery_worker","celery_beat"]',
      env: '{"DJANGO_ALLOWED_HOSTS":"example.com"}',
      secretEnv: `{"DJANGO_SECRET_KEY":"${SENTINEL}"}`,
      dockerEnv: '{"DOCKER_BUILDKIT":"0"}',
      collectstatic: "false",
      keepReleases: "2",
    });
    assert.equal(parsed.port, 2222);
    assert.equal(parsed.user, "ci_deploy");
    assert.equal(parsed.hostKey, HOST_KEY);
    assert.equal(parsed.remoteDir, "/srv/shop/");
    assert.deepEqual(parsed.workerServices, ["celery_worker", "celery_beat"]);
    assert.deepEqual(parsed.env, { DJANGO_ALLOWED_HOSTS: "example.com" });
    assert.deepEqual(parsed.secretEnv, { DJANGO_SECRET_KEY: SENTINEL });
    assert.deepEqual(parsed.dockerEnv, { DOCKER_BUILDKIT: "0" });
    assert.equal(parsed.collectstatic, false);
    assert.equal(parsed.keepReleases, 2);
  });

  it("env values with $(), backticks, newlines and an inner backslash are fine", () => {
    const env = { A: "$(id) `x` $HOME", B: "line1\nline2", C: "a\\b" };
    assert.deepEqual(parse({ ...BASE, env: JSON.stringify(env) }).env, env);
  });

  it("backupService need not be infra when backups are off", () => {
    assert.deepEqual(problems({ ...BASE, infraServices: "[]", backupBeforeMigrate: "false" }), []);
  });
});

describe("parseConfig: each bad input and its exact problems", () => {
  const cases: [string, Record<string, string>, string[], string[]?][] = [
    [
      "nothing set: every required key",
      {},
      [
        `${P}:host is required but not set. Fix: pulumi config set host 203.0.113.10`,
        `${P}:hostKey is required but not set. Fix: ${HOST_KEY_FIX}`,
        `${P}:projectPath is required but not set. Fix: pulumi config set projectPath path/to/django-project`,
        `${P}:composeProject is required but not set. Fix: pulumi config set composeProject myapp`,
      ],
    ],
    [
      "host missing",
      without("host"),
      [`${P}:host is required but not set. Fix: pulumi config set host 203.0.113.10`],
    ],
    [
      "composeProject missing",
      without("composeProject"),
      [`${P}:composeProject is required but not set. Fix: pulumi config set composeProject myapp`],
    ],
    [
      "port out of range",
      { ...BASE, port: "70000" },
      [`${P}:port must be at most 65535 (got "70000"). Fix: pulumi config set port 22`],
    ],
    [
      "port not a number",
      { ...BASE, port: "abc" },
      [`${P}:port must be a whole number (got "abc"). Fix: pulumi config set port 22`],
    ],
    [
      "port zero",
      { ...BASE, port: "0" },
      [`${P}:port must be at least 1 (got "0"). Fix: pulumi config set port 22`],
    ],
    [
      "host with a space",
      { ...BASE, host: "bad host!" },
      [
        `${P}:host must be a hostname or IP address (got "bad host!"). Fix: pulumi config set host 203.0.113.10`,
      ],
    ],
    [
      "host given as a URL",
      { ...BASE, host: "ssh://example.com" },
      [
        `${P}:host must be a hostname or IP address (got "ssh://example.com"). Fix: pulumi config set host 203.0.113.10`,
      ],
    ],
    [
      "hostKey of an unsupported type",
      { ...BASE, hostKey: "ssh-dss AAAAB3Nza" },
      [`${P}:hostKey must be ${HOST_KEY_RULE} (got "ssh-dss AAAAB3Nza"). Fix: ${HOST_KEY_FIX}`],
    ],
    [
      "an RSA hostKey (its SHA-1 signature is refused by current OpenSSH)",
      { ...BASE, hostKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7" },
      [
        `${P}:hostKey must be the server's ed25519 or ECDSA host key, not ssh-rsa: the deploy's SSH client (pulumi-command) checks an RSA host key only with SHA-1 signatures, which OpenSSH 8.8 and later refuse (got "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7"). Fix: ${HOST_KEY_FIX}`,
      ],
    ],
    [
      "hostKey without the key",
      { ...BASE, hostKey: "ssh-ed25519" },
      [`${P}:hostKey must be ${HOST_KEY_RULE} (got "ssh-ed25519"). Fix: ${HOST_KEY_FIX}`],
    ],
    [
      "hostKey as a fingerprint",
      { ...BASE, hostKey: "SHA256:abc" },
      [`${P}:hostKey must be ${HOST_KEY_RULE} (got "SHA256:abc"). Fix: ${HOST_KEY_FIX}`],
    ],
    [
      "sshPrivateKey from an earlier version: how to move it to the agent, the value never shown",
      { ...BASE, sshPrivateKey: KEY },
      [
        `${P}:sshPrivateKey is no longer read: the program signs in through an SSH agent (SSH_AUTH_SOCK), so no private key is kept in the stack config or the state, where anyone holding the passphrase (a pull-request preview job included) could read it. Fix: ssh-add the key, then run \`npm run move-ssh-key -- --stack <stack>\` (it removes the key from the state and the config without re-running any step); rotate the key afterwards (README: "Moving the SSH key out of the stack").`,
      ],
      ["secretEnv", "sshPrivateKey"],
    ],
    [
      "secretEnv stored in plain text",
      { ...BASE, secretEnv: `{"DJANGO_SECRET_KEY":"${SENTINEL}"}` },
      [
        `${P}:secretEnv is stored in plain text in the stack file; it must be encrypted. Fix: pulumi config rm secretEnv && ${SECRET_ENV_FIX}`,
      ],
      [],
    ],
    [
      "a value set with --secret under a key that is not secret is refused, never made plain",
      { ...BASE, dockerEnv: `{"REGISTRY_TOKEN":"${SENTINEL}"}` },
      [
        `${P}:dockerEnv holds a value set with --secret, but dockerEnv is not a secret setting: its values reach command lines, the state and logs in plain text. Fix: keep secret values in secretEnv (pulumi config rm --path <the secret entry> && pulumi config set --secret --path secretEnv.<NAME> <value>), and set dockerEnv without --secret.`,
      ],
      ["secretEnv", "dockerEnv"],
    ],
    [
      "a typo'd key",
      { ...BASE, hots: "example.com" },
      [
        `${P}:hots is not a setting of this program. Known keys: ${KNOWN}. Fix: pulumi config rm hots (or correct its spelling).`,
      ],
    ],
    [
      "a typo'd secret key: its value is not shown",
      { ...BASE, sshPrivatekey: SENTINEL },
      [
        `${P}:sshPrivatekey is not a setting of this program. Known keys: ${KNOWN}. Fix: pulumi config rm sshPrivatekey (or correct its spelling).`,
      ],
    ],
    [
      "bad env names",
      { ...BASE, env: '{"1BAD":"x","BAD-NAME":"y"}' },
      [
        `${P}:env.1BAD is not a valid name: ${NAME_RULE}. Fix: ${ENV_FIX}`,
        `${P}:env.BAD-NAME is not a valid name: ${NAME_RULE}. Fix: ${ENV_FIX}`,
      ],
    ],
    [
      "a bad secretEnv name",
      { ...BASE, secretEnv: `{"bad-name":"${SENTINEL}"}` },
      [`${P}:secretEnv.bad-name is not a valid name: ${NAME_RULE}. Fix: ${SECRET_ENV_FIX}`],
    ],
    [
      "env values with a single quote / a trailing backslash",
      { ...BASE, env: '{"A":"it\'s","B":"ends\\\\"}' },
      [
        `${P}:env.A must be a value without single quotes (compose's .env cannot carry them safely) (got "it's"). Fix: ${ENV_FIX}`,
        `${P}:env.B must be a value that does not end with a backslash (compose's .env would misread it) (got "ends\\\\"). Fix: ${ENV_FIX}`,
      ],
    ],
    [
      "a secretEnv value with a single quote: the value is never shown",
      { ...BASE, secretEnv: `{"DJANGO_SECRET_KEY":"${SENTINEL}'x"}` },
      [
        `${P}:secretEnv.DJANGO_SECRET_KEY must be a value without single quotes (compose's .env cannot carry them safely) (got [secret]). Fix: ${SECRET_ENV_FIX}`,
      ],
    ],
    [
      "secretEnv that is not JSON: the value is never shown",
      { ...BASE, secretEnv: SENTINEL },
      [`${P}:secretEnv must be a map (set it with --path) (got [secret]). Fix: ${SECRET_ENV_FIX}`],
    ],
    [
      "env given as a list",
      { ...BASE, env: '["x"]' },
      [`${P}:env must be a map (got "[\\"x\\"]"). Fix: ${ENV_FIX}`],
    ],
    [
      "env not JSON",
      { ...BASE, env: "DEBUG=1" },
      [`${P}:env must be a map (set it with --path) (got "DEBUG=1"). Fix: ${ENV_FIX}`],
    ],
    [
      "reserved env names",
      {
        ...BASE,
        env: '{"APP_RELEASE":"x"}',
        secretEnv: `{"COMPOSE_PROJECT_NAME":"${SENTINEL}"}`,
      },
      [
        `${P}:env.APP_RELEASE is set by the deploy itself (release id / compose project). Fix: pulumi config rm --path "env.APP_RELEASE"`,
        `${P}:secretEnv.COMPOSE_PROJECT_NAME is set by the deploy itself (release id / compose project). Fix: pulumi config rm --path "secretEnv.COMPOSE_PROJECT_NAME"`,
      ],
    ],
    [
      "the same name in env and secretEnv",
      { ...BASE, env: '{"X":"1"}', secretEnv: `{"X":"${SENTINEL}"}` },
      [
        `${P}:env.X is also set in secretEnv; the .env file can hold it once. Fix: pulumi config rm --path "env.X"`,
      ],
    ],
    [
      "a service in two roles",
      { ...BASE, workerServices: '["web","db"]' },
      [
        `${P}: service "web" is listed both as webService and as workerServices; each service has one role. Fix: remove it from one of infraServices, webService, workerServices.`,
        `${P}: service "db" is listed both as infraServices and as workerServices; each service has one role. Fix: remove it from one of infraServices, webService, workerServices.`,
      ],
    ],
    [
      "backupService not among infraServices",
      { ...BASE, infraServices: '["postgres"]' },
      [
        `${P}:backupService "db" is not one of infraServices (postgres). Fix: pulumi config set backupService <your postgres service>, or pulumi config set backupBeforeMigrate false`,
      ],
    ],
    [
      "backups on without any infraServices",
      { ...BASE, infraServices: "[]" },
      [
        `${P}:backupService "db" is not one of infraServices (none). Fix: pulumi config set backupService <your postgres service>, or pulumi config set backupBeforeMigrate false`,
      ],
    ],
    [
      "remoteDir relative",
      { ...BASE, remoteDir: "srv/app" },
      [
        `${P}:remoteDir must be an absolute path of letters, digits, '.', '_', '-' and '/' (got "srv/app"). Fix: pulumi config set remoteDir /srv/myapp`,
      ],
    ],
    [
      "remoteDir with '..'",
      { ...BASE, remoteDir: "/srv/../etc" },
      [
        `${P}:remoteDir must be a path without '..' (got "/srv/../etc"). Fix: pulumi config set remoteDir /srv/myapp`,
      ],
    ],
    [
      "remoteDir relative and with '..': both rules",
      { ...BASE, remoteDir: "../x" },
      [
        `${P}:remoteDir must be an absolute path of letters, digits, '.', '_', '-' and '/' (got "../x"). Fix: pulumi config set remoteDir /srv/myapp`,
        `${P}:remoteDir must be a path without '..' (got "../x"). Fix: pulumi config set remoteDir /srv/myapp`,
      ],
    ],
    [
      "remoteDir '/'",
      { ...BASE, remoteDir: "/" },
      [
        `${P}:remoteDir must be an absolute path of letters, digits, '.', '_', '-' and '/' (got "/"). Fix: pulumi config set remoteDir /srv/myapp`,
        `${P}:remoteDir must be a directory below '/' (got "/"). Fix: pulumi config set remoteDir /srv/myapp`,
      ],
    ],
    [
      "composeProject uppercase",
      { ...BASE, composeProject: "MyApp" },
      [
        `${P}:composeProject must be lowercase letters, digits, '_' and '-', starting with a letter or digit (got "MyApp"). Fix: pulumi config set composeProject myapp`,
      ],
    ],
    [
      "composeFile outside the project",
      { ...BASE, composeFile: "../docker-compose.yml" },
      [
        `${P}:composeFile must be a path inside projectPath (no '..') (got "../docker-compose.yml"). Fix: pulumi config set composeFile docker-compose.yml`,
      ],
    ],
    [
      "a service name with a space",
      { ...BASE, webService: "web app" },
      [
        `${P}:webService must be a compose service name: letters, digits, '_', '.', '-' (got "web app"). Fix: pulumi config set webService web`,
      ],
    ],
    [
      "a boolean that is not true/false",
      { ...BASE, collectstatic: "yes" },
      [
        `${P}:collectstatic must be true or false (got "yes"). Fix: pulumi config set collectstatic true`,
      ],
    ],
    [
      "a user name with capitals",
      { ...BASE, user: "Root" },
      [
        `${P}:user must be a POSIX user name (lowercase letters, digits, '_', '-') (got "Root"). Fix: pulumi config set user deploy`,
      ],
    ],
    [
      "keepReleases zero",
      { ...BASE, keepReleases: "0" },
      [`${P}:keepReleases must be at least 1 (got "0"). Fix: pulumi config set keepReleases 5`],
    ],
  ];
  for (const [name, values, expected, secretKeys] of cases) {
    it(name, () => assert.deepEqual(problems(values, secretKeys), expected));
  }

  it("the known keys start with the connection settings", () => {
    assert.ok(KNOWN.startsWith("host, port, user, hostKey, dialErrorLimit, "));
  });

  it("every problem is in the error message, one per line, and no secret value anywhere", () => {
    const values = {
      ...BASE,
      port: "abc",
      sshPrivateKey: KEY,
      secretEnv: `{"K":"${SENTINEL}'","bad-name":"${SENTINEL}"}`,
      sshPrivatekey: SENTINEL,
    };
    let caught: unknown;
    try {
      parse(values, []);
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof ConfigError);
    const message = caught.message;
    assert.equal(
      message,
      `Invalid stack configuration (${caught.problems.length} problems):\n` +
        caught.problems.map((p) => `  - ${p}`).join("\n"),
    );
    // port, retired sshPrivateKey, secretEnv in plain text, K's quote, bad-name, typo.
    assert.equal(caught.problems.length, 6);
    assert.equal(message.includes(SENTINEL), false);
  });

  it("one problem: singular header", () => {
    assert.throws(() => parse({ ...BASE, port: "abc" }), {
      name: "ConfigError",
      message: `Invalid stack configuration (1 problem):\n  - ${P}:port must be a whole number (got "abc"). Fix: pulumi config set port 22`,
    });
  });
});

describe("parseConfig: a mistyped remoteDir fails fast", () => {
  it("a trailing space after a long path is rejected within 2 seconds", () => {
    // A subprocess, so a catastrophically backtracking regex fails this test instead of hanging it.
    const script = `
      const { parseConfig } = require(${JSON.stringify(join(__dirname, "..", "..", "..", "components", "config-parse"))});
      try {
        parseConfig({ project: "p", values: ${JSON.stringify({ ...BASE, remoteDir: "/srv/django-production-application " })}, secretKeys: new Set() });
      } catch (err) { console.log(err.problems.join("\\n")); }`;
    const result = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
      encoding: "utf8",
      timeout: 2000 + 3000, // tsx start-up included
    });
    assert.equal(result.signal, null, "parseConfig did not return within the time limit");
    assert.equal(
      result.stdout.trim(),
      `p:remoteDir must be an absolute path of letters, digits, '.', '_', '-' and '/' (got "/srv/django-production-application "). Fix: pulumi config set remoteDir /srv/myapp`,
    );
  });
});
