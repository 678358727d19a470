/**
 * Whatever a remote command prints can carry a secret (a setting echoed by a failing command, a
 * `print` in a data migration, docker login's chatter), and the command provider stores stdout and
 * stderr in plaintext: it marks an output secret only when the input of the same name is. Every
 * remote command therefore declares both outputs secret.
 */
export const SECRET_COMMAND_OUTPUTS: readonly string[] = ["stdout", "stderr"];
