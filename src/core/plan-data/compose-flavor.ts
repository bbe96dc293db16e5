// Which compose a host runs, as the plan's types name it (facts/containers/compose-detect.ts detects it): a leaf of
// core/.
/** Compose's behaviour family, by the version the binary reports: 1.x is v1 (Python), 2.x and later v2 (Go). */
export type ComposeFlavor = 'v1' | 'v2';

/** How compose is invoked: the `docker compose` CLI plugin, or a `docker-compose` program (v1, or a standalone v2). */
export type ComposeCli = 'plugin' | 'standalone';
