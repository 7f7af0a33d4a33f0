export * from './version.js';
export * from './errors.js';
export * from './common.js';
export * from './records.js';
export * from './rest.js';
export * from './signaling/requests.js';
export * from './signaling/events.js';
export * from './signaling/frames.js';
