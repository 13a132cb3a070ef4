import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered by the stack launcher (`temporal server start-dev --search-attribute …`) and by compose. */
/** The workload a workflow belongs to (a campaign, B-roll project or explainer; "single" for a generation on its own). */
export const WorkloadIdKey = defineSearchAttributeKey('WorkloadId', SearchAttributeType.KEYWORD);
/** A generation's key within its workload: a variant, a segment's round, a chunk's clip or voiceover. */
export const GenerationKeyKey = defineSearchAttributeKey('GenerationKey', SearchAttributeType.KEYWORD);
export const RunwayTaskIdKey = defineSearchAttributeKey('RunwayTaskId', SearchAttributeType.KEYWORD);
export const RunwayModelKey = defineSearchAttributeKey('RunwayModel', SearchAttributeType.KEYWORD);
export const GenerationStateKey = defineSearchAttributeKey('GenerationState', SearchAttributeType.KEYWORD);
/** A B-roll project's state: `ProjectState="awaiting-review"` finds what an editor has to review. */
export const ProjectStateKey = defineSearchAttributeKey('ProjectState', SearchAttributeType.KEYWORD);
