import { afterAll, afterEach } from 'vitest';
import { assertFrameConformance } from './frame-conformance.js';

// Vitest setup file (vitest.config.ts): runs after each test's own hooks, so frames received
// while a test tears down count against it too; afterAll catches what arrives after the last.
afterEach(() => {
  assertFrameConformance('during this test');
});
afterAll(() => {
  assertFrameConformance('after the last test of this file');
});
