// The actions/github-script body that posts the preview as one PR comment, edited in place.
//
// It takes every dynamic value from the environment, never from `${{ }}` interpolation into the
// script, so nothing in a branch name or preview output can become code. The comment is found
// again by a hidden HTML marker naming the stack, so each stack keeps its own single comment.

/** HTML comment that identifies the preview comment of one stack. */
export function previewCommentMarker(stack: string): string {
  return `<!-- pulumi-preview stack=${stack} -->`;
}

// GitHub rejects comment bodies over 65536 characters; keep the end, where the summary is. The
// program's deploy plan (its "deploy plan:" line and the more-indented lines after it) goes on top,
// the full diff folded under it; a failed preview has no plan and shows its output unfolded.
const LINES = [
  'const fs = require("fs");',
  "const { COMMENT_MARKER: marker, PREVIEW_FILE: file, PREVIEW_OUTCOME: outcome, STACK: stack } =",
  "  process.env;",
  "const limit = 55000;",
  'let output = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "(no output captured)";',
  "// A fence inside the output would end the code block early.",
  'output = output.replaceAll("```", "`\\u200b``");',
  'const lines = output.split("\\n");',
  "const indent = (line) => line.length - line.trimStart().length;",
  'const start = lines.findIndex((line) => line.trimStart().startsWith("deploy plan:"));',
  "const plan = [];",
  "if (start >= 0) {",
  "  plan.push(lines[start].trim());",
  "  for (const line of lines.slice(start + 1)) {",
  '    if (line.trim() === "" || indent(line) <= indent(lines[start])) break;',
  "    plan.push(line.slice(indent(lines[start])));",
  "  }",
  "}",
  'const lineCount = output.trimEnd().split("\\n").length;',
  "if (output.length > limit) {",
  '  output = "... (truncated; the job log has the full preview)\\n" + output.slice(-limit);',
  "}",
  "const runUrl = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;",
  'const verdict = outcome === "success" ? "succeeded" : "FAILED";',
  'const diff = ["```diff", output.trimEnd(), "```"];',
  "const body = [",
  "  marker,",
  "  `### Pulumi preview of stack \\`${stack}\\` ${verdict}`,",
  '  "",',
  "  `Commit ${context.payload.pull_request.head.sha} ([job log](${runUrl})).`,",
  '  "",',
  "  ...(plan.length > 0",
  "    ? [",
  '        "```text",',
  "        ...plan,",
  '        "```",',
  '        "",',
  "        `<details><summary>Full <code>pulumi preview --diff</code> (${lineCount} lines)</summary>`,",
  '        "",',
  "        ...diff,",
  '        "",',
  '        "</details>",',
  "      ]",
  "    : diff),",
  '].join("\\n");',
  "const { owner, repo } = context.repo;",
  "const issue_number = context.issue.number;",
  "const comments = await github.paginate(github.rest.issues.listComments, {",
  "  owner,",
  "  repo,",
  "  issue_number,",
  "  per_page: 100,",
  "});",
  'const previous = comments.find((c) => c.user?.type === "Bot" && c.body?.startsWith(marker));',
  "if (previous) {",
  "  await github.rest.issues.updateComment({ owner, repo, comment_id: previous.id, body });",
  "} else {",
  "  await github.rest.issues.createComment({ owner, repo, issue_number, body });",
  "}",
];

export const PREVIEW_COMMENT_SCRIPT = LINES.join("\n") + "\n";
