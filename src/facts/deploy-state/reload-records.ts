// Fact `reload-records`: what each reloadable container last took in by a reload, from the records rig keeps.
import { parseReloadRecord, reloadRecordPath, type ReloadRecord } from '../../compose/service-reload.js';
import type { Fact } from '../fact.js';
import { fileContentCmd, parseFileContent } from '../files/file-content.js';

/** The reload record of each of `containers` that has a readable one, by container name. */
export function reloadRecordsFact(stateDir: string, containers: readonly string[]): Fact<Map<string, ReloadRecord>> {
  const paths = containers.map((c) => reloadRecordPath(stateDir, c));
  return {
    name: 'reload-records',
    command: fileContentCmd(paths),
    parse: (out) => {
      const bytes = parseFileContent(out, paths);
      return new Map(
        containers.flatMap((c, i) => {
          const rec = parseReloadRecord(bytes.get(paths[i] as string));
          return rec ? [[c, rec] as const] : [];
        }),
      );
    },
  };
}
