import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";

import type { DeployConfig } from "../../../components/config";

export const FIXTURE = join(__dirname, "..", "..", "fixtures", "deploy", "django-project");

/** A validated config for the fixture project, as loadConfig would return it. */
export function fixtureConfig(secret: string, overrides: Partial<DeployConfig> = {}): DeployConfig {
  return {
    project: "django-deploy",
    stack: "test",
    host: "203.0.113.10",
    port: 22,
    user: "deploy",
    hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    dialErrorLimit: 3,
    dialTimeoutSeconds: 10,
    remoteDir: "/srv/shop",
    projectPath: FIXTURE,
    projectDir: FIXTURE,
    composeFile: "docker-compose.yml",
    composeProject: "shop",
    infraServices: ["db", "redis"],
    webService: "web",
    workerServices: ["celery_worker", "celery_beat"],
    buildServices: ["web", "celery_worker"],
    webBuild: { context: ".", dockerfile: "Dockerfile" },
    proxy: { ports: [{ published: "8000", target: 8000 }] },
    rollingWorkers: ["celery_worker"],
    singletonWorkers: ["celery_beat"],
    env: { DJANGO_ALLOWED_HOSTS: "shop.example.com" },
    secretEnv: pulumi.secret<Record<string, string>>({ DJANGO_SECRET_KEY: secret }),
    dockerEnv: {},
    envDigest: pulumi.secret("0011223344556677"),
    infraDigest: pulumi.secret("1f1f1f1f1f1f"),
    checkMigrations: true,
    failOnMigrationWarnings: false,
    liveMigrationCheck: true,
    backupBeforeMigrate: true,
    backupService: "db",
    collectstatic: true,
    waitTimeoutSeconds: 180,
    stopGraceSeconds: 30,
    keepReleases: 5,
    allowDatabaseChange: false,
    keepBackups: 10,
    ...overrides,
  };
}
