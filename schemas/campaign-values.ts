// No zod here: workflow code imports this at run time (workflows/workload-schemas.ts says why).
// The campaign's schemas are in campaign.ts.

/** A campaign of at most this many variants also returns every outcome in its result (and lists them in the manifest index). */
export const RESULT_VARIANTS_LIMIT = 100;
