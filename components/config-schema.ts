import { isIP } from "node:net";
import { z } from "zod";

/**
 * The stack settings, declared once. Pulumi.yaml's `config:` block is checked against this table by
 * a unit test, so the documented schema and the validator cannot drift apart.
 */
export type ConfigKind = "string" | "integer" | "boolean" | "array" | "object";

export interface ConfigKeySpec {
  kind: ConfigKind;
  description: string;
  secret?: boolean;
  /** How to set the key correctly; quoted in every error about it. */
  fix: string;
  /**
   * Declared in Pulumi.yaml, which makes Pulumi fill it in when the stack leaves the key unset; a
   * key without one is required. "" and {} mean "not set" for the optional keys that have no value.
   */
  default?: unknown;
}

// No ssh-rsa: the command provider's SSH client then offers only the SHA-1 "ssh-rsa" host-key
// signature, which OpenSSH 8.8 and later refuse, so such a pin could never connect.
const HOST_KEY_TYPES = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
] as const;

/**
 * Keys earlier versions read, with why they are gone and how to move off them: an old stack file
 * gets this instead of "not a setting of this program".
 */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
  sshPrivateKey:
    "is no longer read: the program signs in through an SSH agent (SSH_AUTH_SOCK), so no private key is kept in the stack config or the state, where anyone holding the passphrase (a pull-request preview job included) could read it." +
    ' Fix: ssh-add the key, then run `npm run move-ssh-key -- --stack <stack>` (it removes the key from the state and the config without re-running any step); rotate the key afterwards (README: "Moving the SSH key out of the stack").',
};

export const CONFIG_KEYS = {
  host: {
    kind: "string",
    description: "Hostname or IP address of the server to deploy to.",
    fix: "pulumi config set host 203.0.113.10",
  },
  port: {
    kind: "integer",
    default: 22,
    description: "SSH port of the server (default 22).",
    fix: "pulumi config set port 22",
  },
  user: {
    kind: "string",
    default: "deploy",
    description: "SSH user; it must be allowed to run docker (default deploy).",
    fix: "pulumi config set user deploy",
  },
  hostKey: {
    kind: "string",
    description:
      "The server's SSH public host key ('<type> <base64>'), pinned for every connection. Get it with ssh-keyscan.",
    fix: "ssh-keyscan -t ed25519 -p <port> <host> | cut -d' ' -f2- | pulumi config set hostKey --",
  },
  dialErrorLimit: {
    kind: "integer",
    default: 3,
    description: "How many times to dial the server before failing (default 3).",
    fix: "pulumi config set dialErrorLimit 3",
  },
  dialTimeoutSeconds: {
    kind: "integer",
    default: 10,
    description: "Timeout of one SSH dial, in seconds (default 10).",
    fix: "pulumi config set dialTimeoutSeconds 10",
  },
  remoteDir: {
    kind: "string",
    default: "",
    description:
      "Absolute directory on the server that holds releases/ and backups/ (default /srv/<composeProject>).",
    fix: "pulumi config set remoteDir /srv/myapp",
  },
  projectPath: {
    kind: "string",
    description:
      "Local path of the Django project to ship (holds manage.py), relative to Pulumi.yaml.",
    fix: "pulumi config set projectPath path/to/django-project",
  },
  composeFile: {
    kind: "string",
    default: "docker-compose.yml",
    description:
      "The project's compose file, relative to projectPath (default docker-compose.yml).",
    fix: "pulumi config set composeFile docker-compose.yml",
  },
  composeProject: {
    kind: "string",
    description:
      "Compose project name on the server; it names containers and volumes, so never change it on a live stack.",
    fix: "pulumi config set composeProject myapp",
  },
  infraServices: {
    kind: "array",
    default: [],
    description:
      "Compose services that hold state and start first, each with a healthcheck (e.g. db, redis).",
    fix: 'pulumi config set --path "infraServices[0]" db',
  },
  webService: {
    kind: "string",
    default: "web",
    description:
      "The compose service that serves HTTP (gunicorn); migrate and collectstatic run in its image.",
    fix: "pulumi config set webService web",
  },
  workerServices: {
    kind: "array",
    default: [],
    description:
      "Compose services started with the new image after migrations (e.g. celery_worker, celery_beat).",
    fix: 'pulumi config set --path "workerServices[0]" celery_worker',
  },
  env: {
    kind: "object",
    default: {},
    description: "Plain environment variables written to the server's .env (name -> value).",
    fix: 'pulumi config set --path "env.DJANGO_ALLOWED_HOSTS" example.com',
  },
  secretEnv: {
    kind: "object",
    default: {},
    secret: true,
    description:
      "Secret environment variables written to the server's .env (name -> value); set each with --secret.",
    fix: 'pulumi config set --secret --path "secretEnv.DJANGO_SECRET_KEY" <value>',
  },
  dockerEnv: {
    kind: "object",
    default: {},
    description:
      "Environment for docker compose on the server, e.g. DOCKER_BUILDKIT: '0' where buildx is missing.",
    fix: 'pulumi config set --path "dockerEnv.DOCKER_BUILDKIT" 0',
  },
  checkMigrations: {
    kind: "boolean",
    default: true,
    description: "Analyze the migration graph at preview time and stop on errors (default true).",
    fix: "pulumi config set checkMigrations true",
  },
  failOnMigrationWarnings: {
    kind: "boolean",
    default: false,
    description:
      "Treat migration-graph warnings (e.g. auto-generated names) as errors (default false).",
    fix: "pulumi config set failOnMigrationWarnings false",
  },
  liveMigrationCheck: {
    kind: "boolean",
    default: true,
    description:
      "With checkMigrations: at preview and up, read the server's django_migrations (read-only, through backupService) and check them against the release; an unreachable server or a first deploy is a warning (default true).",
    fix: "pulumi config set liveMigrationCheck true",
  },
  backupBeforeMigrate: {
    kind: "boolean",
    default: true,
    description: "pg_dump the database into remoteDir/backups before migrate (default true).",
    fix: "pulumi config set backupBeforeMigrate true",
  },
  backupService: {
    kind: "string",
    default: "db",
    description: "The PostgreSQL compose service used for the pre-migrate backup (default db).",
    fix: "pulumi config set backupService db",
  },
  collectstatic: {
    kind: "boolean",
    default: true,
    description: "Run collectstatic --noinput before the app services start (default true).",
    fix: "pulumi config set collectstatic true",
  },
  waitTimeoutSeconds: {
    kind: "integer",
    default: 180,
    description: "How long compose waits for services to become healthy, in seconds (default 180).",
    fix: "pulumi config set waitTimeoutSeconds 180",
  },
  stopGraceSeconds: {
    kind: "integer",
    default: 30,
    description:
      "How long an old web or worker container gets after SIGTERM to finish its requests or tasks once the new release took over, in seconds (default 30).",
    fix: "pulumi config set stopGraceSeconds 30",
  },
  keepBackups: {
    kind: "integer",
    default: 10,
    description:
      "Pre-migrate dumps kept in remoteDir/backups, newest first (default 10); older ones are deleted after each new dump.",
    fix: "pulumi config set keepBackups 10",
  },
  allowDatabaseChange: {
    kind: "boolean",
    default: false,
    description:
      "Let one deploy change the database service's Postgres major version or its data volume (refused otherwise, at preview time). Set it for the upgrade's deploy only; see the README's troubleshooting.",
    fix: "pulumi config set allowDatabaseChange true",
  },
  keepReleases: {
    kind: "integer",
    default: 5,
    description: "How many release directories to keep on the server (default 5).",
    fix: "pulumi config set keepReleases 5",
  },
  image: {
    kind: "object",
    default: {},
    description:
      "Optional registry mode: build the web image where pulumi up runs (@pulumi/docker), push it to registry/repository, and have the server pull it by digest instead of building. Keys: registry, repository, username, platform, buildArgs.",
    fix: 'pulumi config set --path "image.registry" ghcr.io',
  },
  imageRegistryPassword: {
    kind: "string",
    default: "",
    secret: true,
    description:
      "Password or token for image.registry, used to push (here) and pull (on the server).",
    fix: "pulumi config set --secret imageRegistryPassword <token>",
  },
  github: {
    kind: "object",
    default: {},
    description:
      "Optional: manage the GitHub Actions deploy workflow: repository, branch, workflowName, environment {name, reviewers}, backend {kind: pulumi-cloud | self-managed, url}. Off when unset.",
    fix: 'pulumi config set --path "github.repository" my-app',
  },
  githubBackendAccessToken: {
    kind: "string",
    default: "",
    secret: true,
    description: "Pulumi Cloud access token the workflow uses (github.backend.kind pulumi-cloud).",
    fix: "pulumi config set --secret githubBackendAccessToken <token>",
  },
  githubBackendPassphrase: {
    kind: "string",
    default: "",
    secret: true,
    description:
      "Passphrase of the stack's secrets provider, for the workflow (github.backend.kind self-managed).",
    fix: "pulumi config set --secret githubBackendPassphrase <passphrase>",
  },
  githubBackendCredentials: {
    kind: "object",
    default: {},
    secret: true,
    description:
      "Credentials for a self-managed state backend, as Actions secrets (e.g. AWS_ACCESS_KEY_ID).",
    fix: 'pulumi config set --secret --path "githubBackendCredentials.AWS_ACCESS_KEY_ID" <value>',
  },
} as const satisfies Record<string, ConfigKeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

const hostname =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const serviceName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** A variable name a .env file and a shell accept. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const safePath = /^(\/[A-Za-z0-9._-]+)+\/?$/;

const service = z
  .string()
  .regex(serviceName, "a compose service name: letters, digits, '_', '.', '-'");

/**
 * Values reach the server's .env single-quoted, which compose reads literally ($, quotes, spaces and
 * newlines intact); the two things that form cannot carry are refused here rather than mangled.
 */
export function envValueProblem(value: string): string | undefined {
  if (value.includes("\0")) return "a value without NUL bytes";
  if (value.includes("'"))
    return "a value without single quotes (compose's .env cannot carry them safely)";
  if (value.endsWith("\\"))
    return "a value that does not end with a backslash (compose's .env would misread it)";
  return undefined;
}

const envMap = z.record(
  z
    .string()
    .regex(ENV_NAME, "variable names are letters, digits and '_', not starting with a digit"),
  z.string().superRefine((v, ctx) => {
    const problem = envValueProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
);

/** The shape after types are decoded from Pulumi's strings; defaults applied here. */
export const rawConfigSchema = z
  .object({
    host: z.string().refine((v) => hostname.test(v) || isIP(v) !== 0, "a hostname or IP address"),
    port: z.number().int().min(1).max(65535).default(22),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "a POSIX user name (lowercase letters, digits, '_', '-')")
      .default("deploy"),
    hostKey: z
      .string()
      .transform((v) => v.trim())
      .refine((v) => v.split(/\s+/)[0] !== "ssh-rsa", {
        message:
          "the server's ed25519 or ECDSA host key, not ssh-rsa: the deploy's SSH client (pulumi-command) checks an RSA host key only with SHA-1 signatures, which OpenSSH 8.8 and later refuse",
        abort: true,
      })
      .refine(
        (v) => {
          const [type, key] = v.split(/\s+/);
          return (
            (HOST_KEY_TYPES as readonly string[]).includes(type) &&
            /^[A-Za-z0-9+/]+=*$/.test(key ?? "")
          );
        },
        `'<type> <base64>' where type is one of ${HOST_KEY_TYPES.join(", ")}`,
      ),
    dialErrorLimit: z.number().int().min(1).max(50).default(3),
    dialTimeoutSeconds: z.number().int().min(1).max(300).default(10),
    remoteDir: z
      .string()
      .regex(safePath, "an absolute path of letters, digits, '.', '_', '-' and '/'")
      .refine((v) => !v.split("/").includes(".."), "a path without '..'")
      .refine((v) => v.replace(/\/+$/, "") !== "", "a directory below '/'")
      .optional(),
    projectPath: z.string().min(1),
    composeFile: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, "a relative path inside projectPath")
      .refine((v) => !v.split("/").includes(".."), "a path inside projectPath (no '..')")
      .default("docker-compose.yml"),
    composeProject: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]*$/,
        "lowercase letters, digits, '_' and '-', starting with a letter or digit",
      ),
    infraServices: z.array(service).default([]),
    webService: service.default("web"),
    workerServices: z.array(service).default([]),
    env: envMap.default({}),
    secretEnv: envMap.default({}),
    dockerEnv: envMap.default({}),
    checkMigrations: z.boolean().default(true),
    failOnMigrationWarnings: z.boolean().default(false),
    liveMigrationCheck: z.boolean().default(true),
    backupBeforeMigrate: z.boolean().default(true),
    backupService: service.default("db"),
    collectstatic: z.boolean().default(true),
    waitTimeoutSeconds: z.number().int().min(10).max(3600).default(180),
    stopGraceSeconds: z.number().int().min(1).max(3600).default(30),
    keepReleases: z.number().int().min(1).max(100).default(5),
    keepBackups: z.number().int().min(1).max(1000).default(10),
    allowDatabaseChange: z.boolean().default(false),
    image: z
      .object({
        registry: z
          .string()
          .regex(
            /^[A-Za-z0-9.-]+(:\d+)?$/,
            "a registry host, optionally with a port (e.g. ghcr.io)",
          ),
        repository: z
          .string()
          .regex(
            /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
            "a lowercase image repository path (e.g. acme/django-app)",
          ),
        username: z.string().min(1),
        buildArgs: envMap.default({}),
        platform: z
          .string()
          .regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, "a platform such as linux/amd64")
          .default("linux/amd64"),
      })
      .strict()
      .optional(),
    imageRegistryPassword: z.string().min(1).optional(),
    github: z
      .object({
        repository: z
          .string()
          .regex(
            /^[A-Za-z0-9._-]+$/,
            "a repository name without the owner (set github:owner for that)",
          ),
        branch: z.string().min(1).optional(),
        workflowName: z
          .string()
          .regex(/^[A-Za-z0-9._-]+$/, "a file name stem")
          .optional(),
        workingDirectory: z.string().optional(),
        nodeVersion: z.string().optional(),
        pullRequestPreviews: z.enum(["branches", "off"]).optional(),
        environment: z
          .object({
            name: z.string().min(1),
            reviewers: z
              .object({
                users: z.array(z.number().int()).optional(),
                teams: z.array(z.number().int()).optional(),
              })
              .strict()
              .optional(),
            preventSelfReview: z.boolean().optional(),
          })
          .strict()
          .default({ name: "production" }),
        backend: z.discriminatedUnion("kind", [
          z.object({ kind: z.literal("pulumi-cloud"), url: z.string().optional() }).strict(),
          z.object({ kind: z.literal("self-managed"), url: z.string() }).strict(),
        ]),
      })
      .strict()
      .optional(),
    githubBackendAccessToken: z.string().min(1).optional(),
    githubBackendPassphrase: z.string().min(1).optional(),
    githubBackendCredentials: envMap.optional(),
  })
  .strict();

export type RawConfig = z.infer<typeof rawConfigSchema>;
