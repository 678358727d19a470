import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";

import { releaseId, sortReleaseFiles } from "../../../components/compose/release";
import { describeRelease } from "../../../components/compose/release-summary";

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A project with the files a careless checkout holds next to the code. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "release-filter-"));
  roots.push(root);
  for (const [file, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), body);
  }
  return root;
}

const PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const CARELESS = {
  "manage.py": "#!/usr/bin/env python\n",
  "app/models.py": "x = 1\n",
  "app/migrations/0001_initial.py": "y = 2\n",
  "docker-compose.yml": "services: {}\n",
  Dockerfile: "FROM python\n",
  ".env": "SECRET=1\n",
  ".env.production": "SECRET=2\n",
  ".env.example": "SECRET=changeme\n",
  deploy_key: PEM,
  "certs/site.pem": "cert\n",
  "notes/ops.txt": PEM,
  "db.sqlite3": "sqlite\n",
  "media/upload.png": "png\n",
  "staticfiles/app.css": "css\n",
};

describe("what a release ships", () => {
  it("never settings or key files, by name or by a private key inside, even without ignore files", () => {
    const files = sortReleaseFiles(project(CARELESS));
    assert.deepEqual(files.secret, [
      ".env",
      ".env.example",
      ".env.production",
      "certs/site.pem",
      "deploy_key",
      "notes/ops.txt",
    ]);
    assert.equal(files.ignored.length, 0);
  });

  it("honours .dockerignore, exceptions included, and keeps the files the deploy needs", () => {
    const root = project({
      ...CARELESS,
      ".dockerignore":
        "db.sqlite3\nmedia/\nstaticfiles\n**/*.md\ndocker-compose*.yml\n!README.md\n",
      "README.md": "keep\n",
      "docs/guide.md": "drop\n",
      ".gitignore": "app/\n",
    });
    const files = sortReleaseFiles(root, ["docker-compose.yml"]);
    assert.deepEqual(files.shipped, [
      ".dockerignore",
      ".gitignore",
      "Dockerfile",
      "README.md",
      "app/migrations/0001_initial.py",
      "app/models.py",
      "docker-compose.yml",
      "manage.py",
    ]);
    assert.deepEqual(files.ignored, [
      "db.sqlite3",
      "docs/guide.md",
      "media/upload.png",
      "staticfiles/app.css",
    ]);
  });

  it("falls back to .gitignore when there is no .dockerignore", () => {
    const root = project({ ...CARELESS, ".gitignore": "*.sqlite3\nmedia/\nstaticfiles/\n" });
    assert.deepEqual(sortReleaseFiles(root).ignored, [
      "db.sqlite3",
      "media/upload.png",
      "staticfiles/app.css",
    ]);
  });

  it("a file that is left out does not change the release id", () => {
    const root = project({ ...CARELESS, ".dockerignore": "media/\n" });
    const before = releaseId(root);
    writeFileSync(join(root, "media", "other.png"), "png2\n");
    writeFileSync(join(root, ".env.staging"), "S=3\n");
    assert.equal(releaseId(root), before);
    writeFileSync(join(root, "app", "models.py"), "x = 2\n");
    assert.notEqual(releaseId(root), before);
  });

  it("the preview line says what ships, what is left out, and names the secrets it kept back", () => {
    const root = project({ ...CARELESS, ".dockerignore": "media/\n" });
    assert.equal(
      describeRelease("0123456789ab", root, sortReleaseFiles(root)),
      "release 0123456789ab: 8 files, 77 B to upload; 1 left out by .dockerignore/.gitignore; " +
        "never uploaded (settings or key files): .env, .env.example, .env.production, certs/site.pem, deploy_key, notes/ops.txt",
    );
  });
});
