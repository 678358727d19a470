import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseOpsArgs } from "../../../components/ops/args";
import { UsageError } from "../../../components/ops/names";

describe("parseOpsArgs", () => {
  const ok: [string[], unknown][] = [
    [["status"], { stack: undefined, request: { verb: "status" } }],
    [["status", "--stack", "prod"], { stack: "prod", request: { verb: "status" } }],
    [
      ["showmigrations", "billing", "--plan"],
      { stack: undefined, request: { verb: "showmigrations", app: "billing", plan: true } },
    ],
    [
      ["migrate", "billing", "0002_wallettransaction", "--fake", "--yes"],
      {
        stack: undefined,
        request: {
          verb: "migrate",
          app: "billing",
          target: "0002_wallettransaction",
          fake: true,
          yes: true,
        },
      },
    ],
    [
      ["migrate", "billing", "zero"],
      {
        stack: undefined,
        request: { verb: "migrate", app: "billing", target: "zero", fake: false, yes: false },
      },
    ],
    [
      ["rename-migration", "accounts", "0003_x", "0003_y", "--yes", "--stack", "prod"],
      {
        stack: "prod",
        request: {
          verb: "rename-migration",
          app: "accounts",
          from: "0003_x",
          to: "0003_y",
          yes: true,
        },
      },
    ],
    [
      ["logs", "web", "--since", "10m", "--follow"],
      {
        stack: undefined,
        request: { verb: "logs", service: "web", since: "10m", tail: 200, follow: true },
      },
    ],
    [
      ["exec", "web", "--stack", "s", "--", "python", "manage.py", "--yes", "--", "x"],
      {
        stack: "s",
        request: {
          verb: "exec",
          service: "web",
          command: ["python", "manage.py", "--yes", "--", "x"],
        },
      },
    ],
    [["backups"], { stack: undefined, request: { verb: "backups" } }],
    [
      ["restart", "--yes"],
      { stack: undefined, request: { verb: "restart", services: [], yes: true } },
    ],
    [
      ["restart", "web", "celery_beat"],
      {
        stack: undefined,
        request: { verb: "restart", services: ["web", "celery_beat"], yes: false },
      },
    ],
    [
      ["restore", "pre-migrate-abc.dump", "--yes"],
      { stack: undefined, request: { verb: "restore", backup: "pre-migrate-abc.dump", yes: true } },
    ],
    [
      ["rollback", "--to", "897a0ddd33bf", "--unapply-migrations", "--yes"],
      {
        stack: undefined,
        request: { verb: "rollback", to: "897a0ddd33bf", unapplyMigrations: true, yes: true },
      },
    ],
  ];
  for (const [argv, expected] of ok) {
    it(argv.join(" "), () => assert.deepEqual(parseOpsArgs(argv), expected));
  }

  const bad: [string[], RegExp][] = [
    [[], /No verb/],
    [["deploy"], /Unknown verb "deploy"/],
    [["status", "--yes"], /status does not take --yes/],
    [["migrate", "billing"], /migrate takes <app> <target>/],
    [["migrate", "billing;rm", "0002"], /"billing;rm" is not a Django app label/],
    [
      ["rename-migration", "accounts", "0003_x"],
      /rename-migration takes <app> <old name> <new name>/,
    ],
    [["rename-migration", "accounts", "0003_x", 'y"); import os; ("'], /is not a migration name/],
    [["rename-migration", "a", "b", "c", "--fake"], /rename-migration does not take --fake/],
    [["restore", "../../etc/passwd.dump", "--yes"], /not a file name from `ops backups`/],
    [["restore", "x.sql", "--yes"], /not a file name/],
    [["exec", "web"], /exec needs the command after --/],
    [["status", "--", "x"], /status takes no command after --/],
    [["logs", "web", "--tail", "many"], /--tail "many" is not a count/],
    [["logs", "web", "--since", "$(id)"], /not a duration or timestamp/],
    [["status", "--bogus"], /Unknown option '--bogus'/],
  ];
  for (const [argv, message] of bad) {
    it(`refuses ${JSON.stringify(argv)}`, () =>
      assert.throws(
        () => parseOpsArgs(argv),
        (err: unknown) => {
          assert.ok(err instanceof UsageError);
          assert.match(err.message, message);
          return true;
        },
      ));
  }
});
