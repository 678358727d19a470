// Reads what the remote commands print. Each parser is as strict as the format allows: a line it
// cannot read is an error naming the line, not a silently wrong status.
import { RELEASES_SEPARATOR } from "./commands";

export interface Release {
  id: string;
  /** Seconds since the epoch: when the release directory was written. */
  mtime: number;
}

export interface ServerReleases {
  /** The release `current` points at; undefined before the first start. */
  current?: string;
  /** Newest first. */
  releases: Release[];
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

export function parseReleases(stdout: string): ServerReleases {
  const all = stdout.split("\n");
  const sep = all.indexOf(RELEASES_SEPARATOR);
  if (sep === -1) throw new Error(`Unexpected output listing releases:\n${stdout}`);
  const link = all.slice(0, sep).join("").trim();
  const releases = lines(all.slice(sep + 1).join("\n")).map((line) => {
    const m = /^(\d+(?:\.\d+)?) (.+)$/.exec(line);
    if (!m) throw new Error(`Unexpected release line: ${JSON.stringify(line)}`);
    return { id: m[2], mtime: Number(m[1]) };
  });
  releases.sort((a, b) => b.mtime - a.mtime || (a.id < b.id ? -1 : 1));
  return { current: link === "" ? undefined : link.replace(/\/+$/, "").split("/").pop(), releases };
}

export interface Backup {
  file: string;
  bytes: number;
  mtime: number;
}

/** Newest first. */
export function parseBackups(stdout: string): Backup[] {
  return lines(stdout)
    .map((line) => {
      const m = /^(\d+(?:\.\d+)?) (\d+) (.+)$/.exec(line);
      if (!m) throw new Error(`Unexpected backup line: ${JSON.stringify(line)}`);
      return { file: m[3], bytes: Number(m[2]), mtime: Number(m[1]) };
    })
    .sort((a, b) => b.mtime - a.mtime || (a.file < b.file ? -1 : 1));
}

export interface Container {
  service: string;
  name: string;
  state: string;
  health: string;
  status: string;
  image: string;
}

/** compose ps --format json: one JSON array (compose < 2.21) or one object per line (later). */
export function parseContainers(stdout: string): Container[] {
  const text = stdout.trim();
  if (text === "") return [];
  const raw: Record<string, unknown>[] = text.startsWith("[")
    ? (JSON.parse(text) as Record<string, unknown>[])
    : lines(text).map((l) => JSON.parse(l) as Record<string, unknown>);
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return raw
    .map((c) => ({
      service: str(c.Service),
      name: str(c.Name),
      state: str(c.State),
      health: str(c.Health),
      status: str(c.Status),
      image: str(c.Image),
    }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

export interface PlanEntry {
  /** "app.name" */
  migration: string;
  applied: boolean;
}

/** `showmigrations --plan`: `[X]  app.name` or `[ ]  app.name`, in the order Django applies them. */
export function parseMigrationPlan(stdout: string): PlanEntry[] {
  return lines(stdout).map((line) => {
    const m = /^\[([ X])\]\s+(\S+\.\S+)$/.exec(line.trim());
    if (!m) throw new Error(`Unexpected showmigrations --plan line: ${JSON.stringify(line)}`);
    return { migration: m[2], applied: m[1] === "X" };
  });
}
