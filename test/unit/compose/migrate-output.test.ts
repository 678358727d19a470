import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseAppliedMigrations } from "../../../components/compose/migrate-output";

describe("parseAppliedMigrations", () => {
  const cases: [string, string, string[]][] = [
    [
      "Django's migrate output, in order",
      "Operations to perform:\n  Apply all migrations: accounts, admin, auth, billing, contenttypes, sessions\nRunning migrations:\n  Applying accounts.0002_account_timezone... OK\n  Applying billing.0002_wallettransaction... OK\n",
      ["accounts.0002_account_timezone", "billing.0002_wallettransaction"],
    ],
    [
      "nothing to apply, then the output of migrate --check",
      "Operations to perform:\n  Apply all migrations: accounts, billing\nRunning migrations:\n  No migrations to apply.\n",
      [],
    ],
    [
      "FAKED and timings (verbosity 2), CRLF line ends",
      "Running migrations:\r\n  Applying contenttypes.0001_initial... OK (0.012s)\r\n  Applying auth.0001_initial... FAKED\r\n",
      ["contenttypes.0001_initial", "auth.0001_initial"],
    ],
    [
      "compose noise and an Operations line that names apps are not migrations",
      " Container shop-db-1  Running\nOperations to perform:\n  Apply all migrations: accounts\nRunning migrations:\n  Applying accounts.0001_initial... OK\n  Rendering model states... DONE\n",
      ["accounts.0001_initial"],
    ],
    ["empty output", "", []],
  ];
  for (const [name, stdout, expected] of cases) {
    it(name, () => assert.deepEqual(parseAppliedMigrations(stdout), expected));
  }
});
