// Fact `lock-state`: who holds the deploy lock, read without taking it (exits 0 either way).
import { lockStateStep, parseLockState, type LockState } from '../../lock/lock.js';
import { textFact, type Fact } from '../fact.js';

/** Undefined when nobody holds the lock of `stateDir`. */
export function lockStateFact(stateDir: string): Fact<LockState | undefined> {
  return textFact('lock-state', lockStateStep(stateDir), parseLockState);
}
