export * from './records';
export * from './events';
export * from './errors';
