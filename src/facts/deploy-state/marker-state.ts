// Fact `deploy-marker`: the marker a deploy leaves while it changes the host (it did not conclude while it is there).
import { markerReadCmd, parseMarker, type DeployMarker } from '../../journal/deploy-marker.js';
import { textFact, type Fact } from '../fact.js';

/** Undefined when there is no marker, or none rig wrote. */
export function deployMarkerFact(stateDir: string): Fact<DeployMarker | undefined> {
  return textFact('deploy-marker', markerReadCmd(stateDir), parseMarker);
}
