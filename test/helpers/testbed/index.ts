// The real-host test helpers moved to test/bed (the one integration bed, on testcontainers); this keeps old imports
// working.
export * from '../../bed/index.js';
