// Crash-safe deploys on Compose v1 1.29.2 (see test/helpers/crash-suite.ts; every case: make test-crash).
import { crashSuite } from '../../helpers/crash-suite.js';
import { requireDocker } from '../../helpers/testbed/index.js';

crashSuite('v1', [['SIGKILL', 'during-up']], await requireDocker(), false);
