export * from './create-webhook-sender.js';
export * from './signature.js';
export * from './webhook-sender.js';
