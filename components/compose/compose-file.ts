import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export interface ComposeService {
  name: string;
  /** A service with `build:` produces an app image on the server. */
  builds: boolean;
  /** The build context and Dockerfile, relative to the project directory. */
  build?: { context: string; dockerfile: string };
  image?: string;
  hasHealthcheck: boolean;
}

export interface ComposeRoles {
  infraServices: string[];
  webService: string;
  workerServices: string[];
}

/** Reads the services of a compose file; throws naming the file when it is not a compose file. */
export function readComposeServices(path: string): ComposeService[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(
      `Cannot read the compose file ${path}: ${(err as Error).message}. Fix: correct the YAML, or point composeFile at the right file.`,
    );
  }
  const services = (doc as { services?: unknown } | null)?.services;
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
  const web = byName.get(roles.webService);
  if (web && !web.builds && !web.image) {
    problems.push(
      `Service "${roles.webService}" in ${file} has neither build: nor image:. Fix: give the web service a build: context.`,
    );
  }
  return problems;
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
  const doc = parse(readFileSync(path, "utf8")) as {
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
