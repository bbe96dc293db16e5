// Parses the registry's access log (Combined Log Format on its stdout) into requests, to count what a client sent.

/** One request the registry served. */
export interface AccessEntry {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** A request for a manifest: of which repository, by which tag or digest. */
export interface ManifestRequest {
  readonly method: string;
  readonly repository: string;
  readonly reference: string;
  readonly status: number;
}

const LINE = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /;
const MANIFEST_PATH = /^\/v2\/(.+)\/manifests\/([^/?]+)$/;

/** The requests in `text`, in order; lines that are not access log lines (the app log) are skipped. */
export function parseAccessLog(text: string): AccessEntry[] {
  const entries: AccessEntry[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line);
    if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) continue;
    entries.push({ method: match[1], path: match[2], status: Number(match[3]) });
  }
  return entries;
}

/** The manifest requests among `entries`, of `repository` only when given. */
export function manifestRequests(entries: readonly AccessEntry[], repository?: string): ManifestRequest[] {
  const out: ManifestRequest[] = [];
  for (const { method, path, status } of entries) {
    const match = MANIFEST_PATH.exec(path);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    if (repository !== undefined && match[1] !== repository) continue;
    out.push({ method, repository: match[1], reference: decodeURIComponent(match[2]), status });
  }
  return out;
}
