// Moved to test/bed/bed-paths.ts; this keeps old imports working.
export { DOCKER, BUILD_IMAGES_SCRIPT } from '../../bed/bed-paths.js';
