// Third-party actions run with the deploy credentials in reach, so each is pinned to a full
// commit SHA (a tag can be moved by whoever controls the action's repository). The version is
// kept beside the SHA only so the rendered file can say which release the SHA is.
//
// To bump one: resolve the release tag to its commit (`git ls-remote --tags
// https://github.com/<repo> <tag>`; for an annotated tag take the peeled `^{}` line) and update
// both fields together.

export interface PinnedAction {
  /** owner/name (or owner/name/path) as written before the `@`. */
  readonly repository: string;
  /** Full 40-hex commit SHA the release tag points to. */
  readonly sha: string;
  /** The release tag of that commit, rendered as a YAML comment. */
  readonly version: string;
}

export const ACTION_PINS = {
  checkout: {
    repository: "actions/checkout",
    sha: "11bd71901bbe5b1630ceea73d27597364c9af683",
    version: "v4.2.2",
  },
  setupNode: {
    repository: "actions/setup-node",
    sha: "49933ea5288caeca8642d1e84afbd3f7d6820020",
    version: "v4.4.0",
  },
  // Used only to install a pinned Pulumi CLI (no `command` input): the pulumi commands run as
  // plain `run:` steps so their flags and output are under our control.
  pulumiActions: {
    repository: "pulumi/actions",
    sha: "8e5e406f4007fca908480587cb9893c07090f58d",
    version: "v7.0.0",
  },
  githubScript: {
    repository: "actions/github-script",
    sha: "60a0d83039c74a4aee543508d2ffcb1c3799cdea",
    version: "v7.0.1",
  },
} as const satisfies Record<string, PinnedAction>;

export type PinnedActionKey = keyof typeof ACTION_PINS;

/** The `uses:` value for a pinned action. */
export function usesRef(key: PinnedActionKey): string {
  const pin = ACTION_PINS[key];
  return `${pin.repository}@${pin.sha}`;
}

/** The release a `uses:` value is pinned to, when it is one of ours. */
export function pinnedVersionOf(uses: string): string | undefined {
  return Object.values(ACTION_PINS).find((pin) => `${pin.repository}@${pin.sha}` === uses)?.version;
}
