export * from './catalog';
export * from './runway';
export * from './duration';
export * from './ids';
export * from './options';
export * from './video-request';
export * from './campaign';
export * from './workflow-io';
