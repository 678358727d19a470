import { and, argv, orFail } from "../shell/quote";

export interface ServerPaths {
  remoteDir: string;
}

export function releasesDir(remoteDir: string): string {
  return `${remoteDir}/releases`;
}

export function backupsDir(remoteDir: string): string {
  return `${remoteDir}/backups`;
}

/**
 * Checks the host can run the deploy and creates its directories. Each failure names the missing
 * piece and how to install it, because this is the first thing a new server runs.
 */
export function bootstrapCommand({ remoteDir }: ServerPaths): string {
  return and(
    orFail(
      "command -v docker >/dev/null 2>&1",
      "Docker is not installed on this server. Fix: install Docker Engine (Debian/Ubuntu: apt-get install docker.io, or Docker's own packages) and re-run pulumi up.",
    ),
    orFail(
      "docker info >/dev/null 2>&1",
      "The deploy user cannot talk to the Docker daemon. Fix: start dockerd, and add the user to the docker group (usermod -aG docker <user>) or deploy as root.",
    ),
    orFail(
      "docker compose version >/dev/null 2>&1",
      "Docker Compose v2 (the 'docker compose' plugin) is missing on this server. Fix: install the docker-compose-plugin package or put the compose binary in /usr/local/lib/docker/cli-plugins/docker-compose.",
    ),
    argv("mkdir", "-p", "--", releasesDir(remoteDir), backupsDir(remoteDir)),
    // Database dumps: the deploy user's only (a dir made by an older version was 755).
    argv("chmod", "700", "--", backupsDir(remoteDir)),
  );
}
