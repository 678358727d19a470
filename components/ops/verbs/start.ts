import { type ComposeTarget, startCommand } from "../../compose/commands";
import { switchReleaseCommand } from "../../compose/switch";
import type { OpsSettings } from "../settings";

/**
 * Starts the app services of `target` the way the last deploy did: the start-before-stop switch
 * behind the proxy, or, for a stack deployed before the proxy existed, compose up in place.
 */
export function appServicesStart(settings: OpsSettings, target: ComposeTarget): string {
  return settings.switchSpec
    ? switchReleaseCommand(target, settings.switchSpec)
    : startCommand(target, settings.appServices, settings.waitTimeoutSeconds);
}
