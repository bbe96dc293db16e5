// Which Compose flavor a bed run gives its hosts: `RIG_TB_COMPOSE`, else v2 (what production hosts run).
import type { ComposeFlavor } from './target-host.ts';

/**
 * `RIG_TB_COMPOSE` (v1|v2) when set, else v2, as the image's own default. Anything else is a mistake worth stopping
 * for.
 */
export function composeFromEnv(): ComposeFlavor {
  const value = process.env['RIG_TB_COMPOSE'];
  if (value === undefined || value === '') return 'v2';
  if (value === 'v1' || value === 'v2') return value;
  throw new Error(`testbed: RIG_TB_COMPOSE must be v1 or v2, got "${value}"`);
}
