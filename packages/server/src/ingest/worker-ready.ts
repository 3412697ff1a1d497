/** What a decode worker posts once its code has loaded (the pool must not import the worker's module). */
export const WORKER_READY = 'ready';
