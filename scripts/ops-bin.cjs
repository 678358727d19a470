#!/usr/bin/env node
// The `django-deploy-ops` bin (npx django-deploy-ops <verb>): loads the TypeScript command through
// tsx, as `npm run ops` does, so there is no build step between the source and what runs.
// A CommonJS file on purpose: a bin runs under plain node, before any TypeScript loader exists.
/* eslint-disable @typescript-eslint/no-require-imports */
require("tsx/cjs");
require("../components/ops/cli.ts")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
