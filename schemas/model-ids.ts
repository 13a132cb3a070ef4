import { z } from 'zod';
import { ENDPOINTS, MODEL_IDS, SPEECH_MODEL_IDS, retiredModelMessage } from './catalog';

/**
 * The catalog's ids as schemas. Apart from catalog.ts because the workflows price requests from the catalog
 * and must not reach zod (workflows/workload-schemas.ts says why).
 */
export const endpointSchema = z.enum(ENDPOINTS);
export type Endpoint = z.infer<typeof endpointSchema>;

export const modelIdSchema = z.enum(MODEL_IDS, {
  error: (issue) =>
    (typeof issue.input === 'string' ? retiredModelMessage(issue.input) : undefined) ??
    `Invalid option: expected one of ${MODEL_IDS.map((id) => JSON.stringify(id)).join('|')}`,
});
export type ModelId = z.infer<typeof modelIdSchema>;

export const speechModelIdSchema = z.enum(SPEECH_MODEL_IDS);
export type SpeechModelId = z.infer<typeof speechModelIdSchema>;
