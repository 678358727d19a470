import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { PROXY_SERVICE, type ProxySpec, type PublishedPort } from "./proxy";

export interface ComposeService {
  name: string;
  /** A service with `build:` produces an app image on the server. */
  builds: boolean;
  /** The build context and Dockerfile, relative to the project directory. */
  build?: { context: string; dockerfile: string };
  image?: string;
  hasHealthcheck: boolean;
  /** TCP ports published on the host (for the web: what the proxy publishes instead). */
  ports?: PublishedPort[];
  /** STATIC_ROOT from the service's `environment:`, if set there. */
  staticRoot?: string;
}

export interface ComposeRoles {
  infraServices: string[];
  webService: string;
  workerServices: string[];
}

/** A compose file as YAML; throws naming the file when it cannot be read or parsed. */
export function readComposeDocument(path: string): { services?: unknown; volumes?: unknown } {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(
      `Cannot read the compose file ${path}: ${(err as Error).message}. Fix: correct the YAML, or point composeFile at the right file.`,
    );
  }
  return (doc ?? {}) as { services?: unknown; volumes?: unknown };
}

/** Reads the services of a compose file; throws naming the file when it is not a compose file. */
export function readComposeServices(path: string): ComposeService[] {
  const services = readComposeDocument(path).services;
  if (!services || typeof services !== "object" || Array.isArray(services)) {
    throw new Error(
      `The compose file ${path} has no 'services:' map. Fix: point composeFile at the project's docker-compose.yml.`,
    );
  }
  return Object.entries(services as Record<string, Record<string, unknown> | null>).map(
    ([name, def]) => {
      const hc = def?.healthcheck as { disable?: boolean; test?: unknown } | undefined;
      const build = def?.build as string | { context?: string; dockerfile?: string } | undefined;
      const service: ComposeService = {
        name,
        builds: build !== undefined && build !== null,
        image: typeof def?.image === "string" ? def.image : undefined,
        hasHealthcheck: !!hc && hc.disable !== true && hc.test !== undefined,
      };
      const ports = publishedPorts(def?.ports);
      if (ports.length > 0) service.ports = ports;
      const staticRoot = environmentValue(def?.environment, "STATIC_ROOT");
      if (staticRoot !== undefined) service.staticRoot = staticRoot;
      if (typeof build === "string") service.build = { context: build, dockerfile: "Dockerfile" };
      else if (build) {
        service.build = {
          context: build.context ?? ".",
          dockerfile: build.dockerfile ?? "Dockerfile",
        };
      }
      return service;
    },
  );
}

/**
 * The TCP ports a service publishes, in compose's short (`[ip:]published:target[/tcp]`) or long
 * syntax; container-only ports (`"8000"`) and UDP are not published on the host and are left out.
 */
export function publishedPorts(ports: unknown): PublishedPort[] {
  if (!Array.isArray(ports)) return [];
  const result: PublishedPort[] = [];
  for (const entry of ports) {
    if (typeof entry === "string" || typeof entry === "number") {
      const text = String(entry);
      if (/\/udp$/.test(text)) continue;
      const spec = text.replace(/\/tcp$/, "");
      const cut = spec.lastIndexOf(":");
      const target = Number(spec.slice(cut + 1));
      if (cut > 0 && Number.isInteger(target))
        result.push({ published: spec.slice(0, cut), target });
    } else if (entry && typeof entry === "object") {
      const long = entry as {
        target?: unknown;
        published?: unknown;
        host_ip?: unknown;
        protocol?: unknown;
      };
      if (long.protocol === "udp" || long.published === undefined) continue;
      const published = String(long.published);
      result.push({
        published: typeof long.host_ip === "string" ? `${long.host_ip}:${published}` : published,
        target: Number(long.target),
      });
    }
  }
  return result;
}

function environmentValue(environment: unknown, name: string): string | undefined {
  if (Array.isArray(environment)) {
    const entry = environment.find((e) => typeof e === "string" && e.startsWith(`${name}=`));
    return typeof entry === "string" ? entry.slice(name.length + 1) : undefined;
  }
  if (environment && typeof environment === "object") {
    const value = (environment as Record<string, unknown>)[name];
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

/** Checks that the roles named in config exist in the compose file and can be waited on. */
export function checkComposeRoles(
  services: ComposeService[],
  roles: ComposeRoles,
  file: string,
): string[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const known = services.map((s) => s.name).join(", ");
  const problems: string[] = [];
  const all = [...roles.infraServices, roles.webService, ...roles.workerServices];
  for (const name of all) {
    if (!byName.has(name)) {
      problems.push(
        `Service "${name}" is named in the stack config but not defined in ${file} (services: ${known}). Fix: correct the name in infraServices/webService/workerServices.`,
      );
    }
  }
  for (const name of [...roles.infraServices, roles.webService]) {
    const svc = byName.get(name);
    if (svc && !svc.hasHealthcheck) {
      problems.push(
        `Service "${name}" in ${file} has no healthcheck, so the deploy cannot wait until it is ready. Fix: add a healthcheck (e.g. pg_isready for Postgres, redis-cli ping for Redis, an HTTP probe for the web).`,
      );
    }
  }
  if (byName.has(PROXY_SERVICE)) {
    problems.push(
      `${file} defines a service "${PROXY_SERVICE}", the name of the proxy the deploy adds in front of the web. Fix: rename that service.`,
    );
  }
  const web = byName.get(roles.webService);
  if (web && !web.builds && !web.image) {
    problems.push(
      `Service "${roles.webService}" in ${file} has neither build: nor image:. Fix: give the web service a build: context.`,
    );
  }
  return problems;
}

/**
 * How the switch treats the app services: what the proxy publishes for the web, and which workers
 * start beside their old container (those with a healthcheck, which says when the new one is
 * ready) and which are singletons stopped before their successor starts (celery beat: two beats
 * would send every periodic task twice).
 */
export function switchRoles(
  services: ComposeService[],
  roles: ComposeRoles & { collectstatic: boolean },
) {
  const byName = new Map(services.map((s) => [s.name, s]));
  const web = byName.get(roles.webService);
  const proxy: ProxySpec = { ports: web?.ports ?? [] };
  // A per-release static root only when the deploy collects into it: with collectstatic off (the
  // image collects at build time) the web keeps the STATIC_ROOT its image was built with.
  if (web?.staticRoot !== undefined && roles.collectstatic) proxy.staticRoot = web.staticRoot;
  return {
    proxy,
    rollingWorkers: roles.workerServices.filter((s) => byName.get(s)?.hasHealthcheck),
    singletonWorkers: roles.workerServices.filter((s) => !byName.get(s)?.hasHealthcheck),
  };
}

/** Services with `build:`; these are built on the server for each release. */
export function buildServices(services: ComposeService[]): string[] {
  return services.filter((s) => s.builds).map((s) => s.name);
}

/**
 * Registry mode tags the pulled image as `${APP_IMAGE}:${APP_RELEASE}`, so every app service must
 * name its image that way, or it would run something else.
 */
export function checkRegistryImages(
  services: ComposeService[],
  appServices: string[],
  file: string,
): string[] {
  return services
    .filter((s) => appServices.includes(s.name))
    .filter(
      (s) =>
        !s.image || !/\$\{APP_IMAGE[:}-]/.test(s.image) || !/\$\{APP_RELEASE[:}-]/.test(s.image),
    )
    .map(
      (s) =>
        `Service "${s.name}" in ${file} has image ${JSON.stringify(s.image ?? null)}; in registry mode every app service must use image: \${APP_IMAGE}:\${APP_RELEASE}. Fix: set that image on the service, or unset the image config key.`,
    );
}

/**
 * A hash of what decides the infra services' containers and data: their definitions in the
 * compose file, the top-level named volumes, and the values of the variables those definitions
 * use (an image chosen through `${POSTGRES_IMAGE}` counts). It changes with an image, a volume or
 * an environment entry of db/redis, not with the app's code or its other settings. It covers
 * secret values (a password the db reads), so the program keeps it secret.
 */
export function infraDefinitionHash(
  path: string,
  infraServices: string[],
  env: Record<string, string>,
): string {
  const doc = readComposeDocument(path) as {
    services?: Record<string, unknown>;
    volumes?: unknown;
  };
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  const definitions = canonical({
    services: [...infraServices].sort().map((name) => [name, doc.services?.[name] ?? null]),
    volumes: doc.volumes ?? null,
  });
  const text = JSON.stringify(definitions);
  const used = [...new Set([...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))];
  const values = used.sort().map((name) => [name, env[name] ?? null]);
  return createHash("sha256")
    .update(JSON.stringify([definitions, values]))
    .digest("hex")
    .slice(0, 12);
}
