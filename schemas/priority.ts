import { z } from 'zod';
import { PRIORITY_CLASSES } from './priority-classes';

/** How soon a generation gets a lease when a model's cap is full (PRIORITY_CLASSES). */
export const priorityClassSchema = z.enum(PRIORITY_CLASSES);
export type PriorityClass = z.infer<typeof priorityClassSchema>;
