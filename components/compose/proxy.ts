import { releaseDir, type ComposeTarget } from "./commands";
import { releaseStaticRoot } from "./static-root";

/** The compose service the program adds in front of the web; a user's service may not take it. */
export const PROXY_SERVICE = "proxy";

/** The proxy image when the settings name none: the official image, which this config fits. */
export const DEFAULT_PROXY_IMAGE = "nginx:1.27-alpine";

/** The setting (a key of `env`, read by compose from .env) that picks another proxy image. */
export const PROXY_IMAGE_VARIABLE = "PROXY_IMAGE";

/** The nginx variable holding the live web's `name:port`; the switch rewrites the line that sets it. */
export const UPSTREAM = "django_deploy_web";

/** The override file, written into each release directory next to the user's compose file. */
export const OVERRIDE_FILE = ".django-deploy.compose.yml";

/** One port the web published in the user's compose file: now the proxy publishes it. */
export interface PublishedPort {
  /** `[host_ip:]published` as written, variables included (compose interpolates them). */
  published: string;
  /** The web's container port: where the proxy sends requests. */
  target: number;
}

export interface ProxySpec {
  ports: PublishedPort[];
  /** The web's STATIC_ROOT from the compose file, if set: each release gets its own below it. */
  staticRoot?: string;
}

/** Shared by every release: the proxy's config outlives a release directory. */
export function proxyConfigDir(remoteDir: string): string {
  return `${remoteDir}/proxy`;
}

export function overrideFile(t: Pick<ComposeTarget, "remoteDir" | "releaseId">): string {
  return `${releaseDir(t)}/${OVERRIDE_FILE}`;
}

/** The port the proxy listens on inside its container. */
export const PROXY_PORT = 80;

/** The web's container port the proxy sends to: the first published one's target (8000 if none). */
export function upstreamPort(spec: ProxySpec): number {
  return spec.ports[0]?.target ?? 8000;
}

/**
 * The compose override the deploy adds to the user's file: the web publishes nothing, a proxy
 * publishes what the web did and reads its config from `proxyConfigDir`. JSON strings are valid
 * YAML scalars, so every value is written with JSON.stringify.
 */
export function renderComposeOverride(
  t: Pick<ComposeTarget, "remoteDir" | "releaseId">,
  web: string,
  spec: ProxySpec,
): string {
  const q = JSON.stringify;
  const lines = [
    "# Written by the deploy for this release: traffic enters through the proxy, which publishes",
    "# the web's ports, so a new web container can start beside the old one (see README).",
    "services:",
    `  ${q(web)}:`,
    "    ports: !reset []",
  ];
  if (spec.staticRoot !== undefined) {
    lines.push(
      "    environment:",
      // Compose fills APP_RELEASE in from the release's .env: the override's text, and so the
      // start step's command, stays the same from one release to the next (a quiet diff).
      `      STATIC_ROOT: ${q(releaseStaticRoot(spec.staticRoot, "${APP_RELEASE}"))}`,
    );
  }
  lines.push(
    `  ${q(PROXY_SERVICE)}:`,
    `    image: ${q(`\${${PROXY_IMAGE_VARIABLE}:-${DEFAULT_PROXY_IMAGE}}`)}`,
    "    restart: unless-stopped",
    `    volumes: [${q(`${proxyConfigDir(t.remoteDir)}:/etc/nginx/conf.d:ro`)}]`,
  );
  if (spec.ports.length > 0) {
    lines.push(
      `    ports: [${spec.ports.map((p) => q(`${p.published}:${PROXY_PORT}`)).join(", ")}]`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The nginx site, in two parts around the line that names the live web container (the switch
 * writes that line). The name goes through a variable, so nginx resolves it per request with
 * Docker's DNS (cached 2 s) rather than once at load: a web container restarted by Docker or by
 * `ops restart` may come back with another address. Host and the client's address are passed
 * on, so Django's ALLOWED_HOSTS and logs see what they saw without the proxy; no body size limit,
 * as before.
 */
export function renderProxySite(): [string, string] {
  const head = [
    "resolver 127.0.0.11 valid=2s ipv6=off;",
    "server {",
    `    listen ${PROXY_PORT};`,
    "    client_max_body_size 0;",
    "",
  ].join("\n");
  const tail = [
    "    location / {",
    `        proxy_pass http://$${UPSTREAM};`,
    "        proxy_set_header Host $http_host;",
    "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "        proxy_set_header X-Forwarded-Proto $scheme;",
    "    }",
    "}",
    "",
  ].join("\n");
  return [head, tail];
}
