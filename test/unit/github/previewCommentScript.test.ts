// Runs the github-script body the way actions/github-script does (an async function of
// require, github, context), against a fake API, to check the one-comment-per-PR behaviour.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

import {
  PREVIEW_COMMENT_SCRIPT,
  previewCommentMarker,
} from "../../../components/github/previewCommentScript";

interface Comment {
  id: number;
  body: string;
  user: { type: string };
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<void>;

async function runScript(comments: Comment[], env: Record<string, string>): Promise<string[]> {
  const calls: string[] = [];
  const github = {
    paginate: async (_fn: unknown, params: { issue_number: number }) => {
      assert.equal(params.issue_number, 7);
      return comments;
    },
    rest: {
      issues: {
        listComments: () => undefined,
        createComment: async ({ body }: { body: string }) => {
          calls.push("create");
          comments.push({ id: comments.length + 100, body, user: { type: "Bot" } });
        },
        updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
          calls.push(`update ${comment_id}`);
          comments.find((c) => c.id === comment_id)!.body = body;
        },
      },
    },
  };
  const context = {
    serverUrl: "https://github.com",
    runId: 42,
    repo: { owner: "acme", repo: "django-app" },
    issue: { number: 7 },
    payload: { pull_request: { head: { sha: "abc123" } } },
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const fn = new AsyncFunction("require", "github", "context", PREVIEW_COMMENT_SCRIPT);
    await fn(require, github, context);
  } finally {
    process.env = saved;
  }
  return calls;
}

describe("preview comment script", () => {
  const dir = mkdtempSync(join(tmpdir(), "preview-comment-"));
  const file = join(dir, "preview.txt");
  const marker = previewCommentMarker("prod");
  const env = { COMMENT_MARKER: marker, PREVIEW_FILE: file, STACK: "prod" };

  it("creates one comment, then edits it in place", async () => {
    const comments: Comment[] = [
      { id: 1, body: "LGTM", user: { type: "User" } },
      { id: 2, body: `${marker} forged by a person`, user: { type: "User" } },
      { id: 3, body: `${previewCommentMarker("staging")}\nother stack`, user: { type: "Bot" } },
    ];
    writeFileSync(
      file,
      "Previewing update (prod):\n  ~ web  update\nResources:\n    ~ 1 to update\n",
    );
    assert.deepEqual(await runScript(comments, { ...env, PREVIEW_OUTCOME: "success" }), ["create"]);
    const created = comments.at(-1)!;
    assert.ok(created.body.startsWith(`${marker}\n### Pulumi preview of stack \`prod\` succeeded`));
    assert.match(
      created.body,
      /\(\[job log\]\(https:\/\/github.com\/acme\/django-app\/actions\/runs\/42\)\)/,
    );
    assert.match(
      created.body,
      /```diff\nPreviewing update \(prod\):\n {2}~ web {2}update\n[^]*~ 1 to update\n```$/,
    );

    writeFileSync(file, "error: migration billing.0003 depends on missing billing.0002\n");
    assert.deepEqual(await runScript(comments, { ...env, PREVIEW_OUTCOME: "failure" }), [
      `update ${created.id}`,
    ]);
    assert.equal(comments.length, 4);
    assert.match(created.body, /`prod` FAILED/);
    assert.match(created.body, /missing billing\.0002/);
  });

  it("puts the deploy plan on top and folds the full diff under it", async () => {
    const diff = [
      "Previewing update (prod):",
      "    +-command:remote:Command: (replace)",
      "      ~ triggers: [",
      '          ~ [0]: "e257e104aaaa" => "249b5524bbbb"',
      "        ]",
      "Resources:",
      "    +-7 to replace",
      "release 249b5524bbbb: 39 files, 43.6 KiB to upload; 1 left out by .dockerignore/.gitignore",
      "deploy plan: release e257e104aaaa → 249b5524bbbb (1 file changed)",
      "  migrations to apply (new since the last deploy): billing.0003_coupon",
      "  backup before migrate: yes",
      "  services: web, celery_worker (switch without downtime); celery_beat (stop, then start)",
      "  settings changed: none",
      "",
    ].join("\n");
    writeFileSync(file, diff);
    const comments: Comment[] = [];
    await runScript(comments, { ...env, PREVIEW_OUTCOME: "success" });
    assert.equal(
      comments[0].body,
      [
        marker,
        "### Pulumi preview of stack `prod` succeeded",
        "",
        "Commit abc123 ([job log](https://github.com/acme/django-app/actions/runs/42)).",
        "",
        "```text",
        "deploy plan: release e257e104aaaa → 249b5524bbbb (1 file changed)",
        "  migrations to apply (new since the last deploy): billing.0003_coupon",
        "  backup before migrate: yes",
        "  services: web, celery_worker (switch without downtime); celery_beat (stop, then start)",
        "  settings changed: none",
        "```",
        "",
        "<details><summary>Full <code>pulumi preview --diff</code> (13 lines)</summary>",
        "",
        "```diff",
        diff.trimEnd(),
        "```",
        "",
        "</details>",
      ].join("\n"),
    );
  });

  it("finds the plan among plain preview's diagnostics too (indented, ends at a blank line)", async () => {
    writeFileSync(
      file,
      [
        "Diagnostics:",
        "  pulumi:pulumi:Stack (django-deploy-prod):",
        "    release 249b5524bbbb: 39 files",
        "    deploy plan: no change; release 249b5524bbbb stays deployed and nothing runs on the server",
        "",
        "Outputs:",
        "    releaseId: 249b5524bbbb",
        "",
      ].join("\n"),
    );
    const comments: Comment[] = [];
    await runScript(comments, { ...env, PREVIEW_OUTCOME: "success" });
    assert.match(
      comments[0].body,
      /\n```text\ndeploy plan: no change; release 249b5524bbbb stays deployed and nothing runs on the server\n```\n\n<details>/,
    );
  });

  it("keeps the end of an oversized preview and neutralizes code fences", async () => {
    writeFileSync(file, "x".repeat(70000) + "\n```\nResources: 3 unchanged\n");
    const comments: Comment[] = [];
    await runScript(comments, { ...env, PREVIEW_OUTCOME: "success" });
    const body = comments[0].body;
    assert.ok(body.length < 65536, `body has ${body.length} characters`);
    assert.match(body, /\.\.\. \(truncated; the job log has the full preview\)/);
    assert.match(body, /Resources: 3 unchanged\n```$/);
    assert.equal(body.split("```").length - 1, 2);
  });
});
