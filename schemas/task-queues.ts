/** The generation queue is the default queue's name plus this suffix. */
export const GENERATION_TASK_QUEUE_SUFFIX = '-generation';
