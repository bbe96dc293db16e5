// A host listed in hosts.yml (once or several times) must not get contradicting connection settings.
import type { Diagnostics } from '../../core/errors/diagnostic.js';
import { formatLocation } from '../../core/errors/diagnostic.js';
import { connectionField } from './connection.js';
import type { Inventory } from './inventory.js';

/**
 * Reports a host whose inline vars disagree, across its listings or between aliases of one listing
 * (`ansible_host` and `host`): an error for connection variables, a warning for the rest (the last one wins).
 */
export function checkHostListings(inv: Inventory, diagnostics: Diagnostics): void {
  for (const host of inv.tree.hosts.values()) {
    const seen = new Map<string, { value: string; loc: string; name: string; listing: number }>();
    host.listings.forEach((listing, index) => {
      for (const v of listing.vars) {
        const field = connectionField(v.name);
        const key = field ?? v.name;
        const value = JSON.stringify(v.value);
        const prev = seen.get(key);
        if (prev && prev.value !== value) {
          const what = field ? `connection ${field}` : `variable ${v.name}`;
          const how = prev.listing === index ? 'sets' : 'is listed twice with';
          const message = `host "${host.name}" ${how} conflicting ${what}: ${v.name}=${value} here, ${prev.name}=${prev.value} at ${prev.loc}`;
          if (field) diagnostics.error(message, v.loc, [host.name]);
          else diagnostics.warning(`${message} (the last one wins)`, v.loc, [host.name]);
        }
        seen.set(key, { value, loc: formatLocation(v.loc, inv.root), name: v.name, listing: index });
      }
    });
  }
}
