import type { ComposeTarget } from "../compose/commands";
import type { SwitchSpec } from "../compose/switch";
import { parseConfig } from "../config-parse";
import { remoteDirOf } from "../config";

/** What the verbs need of a stack: where the server is and how the compose project is laid out. */
export interface OpsSettings {
  stack: string;
  host: string;
  port: number;
  user: string;
  hostKey: string;
  dialTimeoutSeconds: number;
  /** The compose target without a release: the verbs read which release is current on the server. */
  target: Omit<ComposeTarget, "releaseId">;
  webService: string;
  appServices: string[];
  backupService: string;
  waitTimeoutSeconds: number;
  /** The release the last `pulumi up` deployed (stack output), if any. */
  deployedRelease?: string;
  /**
   * How the last `pulumi up` switched releases (stack output): the verbs that start the app
   * services switch the same way, behind the proxy. Absent for a stack deployed before the proxy.
   */
  switchSpec?: SwitchSpec;
}

/** `pulumi config --json` as the Automation API returns it: full keys, string values. */
export type StackConfig = Record<string, { value: string; secret?: boolean }>;
export type StackOutputs = Record<string, { value: unknown; secret?: boolean }>;

/**
 * Validates the stack's config with the program's own rules (so `ops` and `pulumi up` agree on
 * every default) and keeps only what the verbs need: no secret leaves this function.
 */
export function opsSettingsFrom(
  project: string,
  stack: string,
  config: StackConfig,
  outputs: StackOutputs,
): OpsSettings {
  const prefix = `${project}:`;
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, { value, secret }] of Object.entries(config)) {
    if (!fullKey.startsWith(prefix)) continue;
    values[fullKey.slice(prefix.length)] = value;
    if (secret) secretKeys.add(fullKey.slice(prefix.length));
  }
  const raw = parseConfig({ project, values, secretKeys });
  const release = outputs.releaseId?.value;
  return {
    stack,
    host: raw.host,
    port: raw.port,
    user: raw.user,
    hostKey: raw.hostKey,
    dialTimeoutSeconds: raw.dialTimeoutSeconds,
    target: {
      remoteDir: remoteDirOf(raw),
      composeFile: raw.composeFile,
      composeProject: raw.composeProject,
      dockerEnv: raw.dockerEnv,
    },
    webService: raw.webService,
    appServices: [raw.webService, ...raw.workerServices],
    backupService: raw.backupService,
    waitTimeoutSeconds: raw.waitTimeoutSeconds,
    deployedRelease: typeof release === "string" ? release : undefined,
    ...(isSwitchSpec(outputs.switchSpec?.value) ? { switchSpec: outputs.switchSpec.value } : {}),
  };
}

function isSwitchSpec(value: unknown): value is SwitchSpec {
  const v = value as Partial<SwitchSpec> | null | undefined;
  return (
    typeof v?.web === "string" &&
    Array.isArray(v.rollingWorkers) &&
    Array.isArray(v.singletonWorkers) &&
    Array.isArray(v.proxy?.ports) &&
    typeof v.waitSeconds === "number" &&
    typeof v.graceSeconds === "number"
  );
}
