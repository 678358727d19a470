// What a deploy must not change under a running database without being told to: the Postgres
// major version (a new major cannot open the old one's data directory) and the volume holding
// the data (a new one starts empty, and migrate would then fill it as if nothing happened).
// Both are read from the compose file at preview time and compared with what the last deploy
// recorded in the stack's outputs, so a refused change never reaches the server.
import { readComposeDocument } from "./compose-file";

export interface DatabaseIdentity {
  service: string;
  /** The image as compose resolves it with the plain settings (`${POSTGRES_IMAGE:-postgres:17}`). */
  image: string;
  /** The Postgres major version in the image's tag, when the tag says it (17, 16-alpine, 17.2). */
  major?: number;
  /** `<source>:<target>` of the mount under /var/lib/postgresql, the data directory's volume. */
  dataVolume?: string;
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR`, as compose interpolates them. */
export function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(
    /\$(?:\{([A-Za-z_]\w*)(?:(:?-)([^}]*))?\}|([A-Za-z_]\w*))/g,
    (_, braced: string | undefined, op: string | undefined, fallback: string, bare: string) => {
      const name = braced ?? bare;
      const set = env[name];
      if (op === ":-") return set ? set : fallback;
      if (op === "-") return set ?? fallback;
      return set ?? "";
    },
  );
}

export function postgresMajor(image: string): number | undefined {
  const withoutDigest = image.split("@")[0];
  const name = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const tag = name.includes(":") ? name.slice(name.indexOf(":") + 1) : "";
  const major = /^(\d+)(?:$|[.-])/.exec(tag)?.[1];
  return major === undefined ? undefined : Number(major);
}

function dataVolumeOf(volumes: unknown, env: Record<string, string>): string | undefined {
  if (!Array.isArray(volumes)) return undefined;
  for (const entry of volumes as unknown[]) {
    let source: string | undefined;
    let target: string | undefined;
    if (typeof entry === "string") {
      const parts = interpolate(entry, env).split(":");
      [source, target] = parts.length === 1 ? ["(anonymous)", parts[0]] : [parts[0], parts[1]];
    } else if (entry && typeof entry === "object") {
      const long = entry as { source?: unknown; target?: unknown };
      source = typeof long.source === "string" ? interpolate(long.source, env) : "(anonymous)";
      target = typeof long.target === "string" ? interpolate(long.target, env) : undefined;
    }
    if (target?.startsWith("/var/lib/postgresql")) return `${source}:${target}`;
  }
  return undefined;
}

/**
 * The database service's identity in a compose file, resolved with the plain settings only (the
 * result is a plain stack output). Undefined when the file has no such service.
 */
export function databaseIdentity(
  composePath: string,
  service: string,
  plainEnv: Record<string, string>,
): DatabaseIdentity | undefined {
  const doc = readComposeDocument(composePath) as {
    services?: Record<string, { image?: unknown; volumes?: unknown } | null>;
  };
  const def = doc.services?.[service];
  if (!def) return undefined;
  const image = typeof def.image === "string" ? interpolate(def.image, plainEnv) : "";
  const major = postgresMajor(image);
  const dataVolume = dataVolumeOf(def.volumes, plainEnv);
  return {
    service,
    image,
    ...(major === undefined ? {} : { major }),
    ...(dataVolume === undefined ? {} : { dataVolume }),
  };
}

function isIdentity(value: unknown): value is DatabaseIdentity {
  return (
    !!value &&
    typeof value === "object" &&
    typeof (value as DatabaseIdentity).image === "string" &&
    typeof (value as DatabaseIdentity).service === "string"
  );
}

/**
 * Why this deploy must not go ahead, or undefined. `previous` is the `database` output of the last
 * deploy (absent on a first deploy, or one made by a version that did not record it).
 */
export function databaseChangeProblem(
  previous: unknown,
  current: DatabaseIdentity | undefined,
  allowed: boolean,
): string | undefined {
  if (allowed || !current || !isIdentity(previous) || previous.service !== current.service) {
    return undefined;
  }
  const changes: string[] = [];
  if (previous.major !== undefined && current.major !== undefined) {
    if (previous.major !== current.major) {
      changes.push(
        `Postgres major version from ${previous.major} (${previous.image}) to ${current.major} (${current.image}): the new server cannot open the old data directory`,
      );
    }
  }
  if ((previous.dataVolume ?? "") !== (current.dataVolume ?? "")) {
    changes.push(
      `data volume from ${previous.dataVolume ?? "none"} to ${current.dataVolume ?? "none"}: the database would start empty and be migrated as if new`,
    );
  }
  if (changes.length === 0) return undefined;
  return (
    `This deploy changes the "${current.service}" service's ${changes.join("; and its ")}. ` +
    "Nothing was changed on the server. The upgrade path: give the new image a new data volume " +
    "(a new major does not start on the old one), run `pulumi config set allowDatabaseChange " +
    "true` and `pulumi up` (it first dumps the running database to " +
    "backups/pre-infra-<release>-<time>.dump), restore that dump into the new database with " +
    "`npm run ops -- restore <file> --yes`, check the site, then `pulumi config rm " +
    "allowDatabaseChange`. To keep the old database instead, undo the change in the compose " +
    "file (or the setting that chooses the image)."
  );
}
