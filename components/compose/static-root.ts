/** Where collectstatic writes one release's files and where that release's web serves them from. */
export function releaseStaticRoot(staticRoot: string, releaseId: string): string {
  return `${staticRoot.replace(/\/+$/, "")}/releases/${releaseId}`;
}
