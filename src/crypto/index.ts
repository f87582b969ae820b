export * from './bytes.js';
export * from './random.js';
export * from './aes-gcm.js';
export * from './envelope.js';
