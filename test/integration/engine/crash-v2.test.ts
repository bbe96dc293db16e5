// Crash-safe deploys on Compose v2 2.26.1, which removes the old container before it starts the new one (see
// test/helpers/crash-suite.ts; every case: make test-crash).
import { crashSuite } from '../../helpers/crash-suite.js';
import { requireDocker } from '../../helpers/testbed/index.js';

crashSuite(
  'v2',
  [
    ['cut', 'after-files'],
    ['SIGINTx2', 'during-up'],
  ],
  await requireDocker(),
  true,
);
