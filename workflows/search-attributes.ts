import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Registered by the stack launcher (`temporal server start-dev --search-attribute …`) and by compose. */
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const VariantIdKey = defineSearchAttributeKey('VariantId', SearchAttributeType.KEYWORD);
export const RunwayTaskIdKey = defineSearchAttributeKey('RunwayTaskId', SearchAttributeType.KEYWORD);
export const RunwayModelKey = defineSearchAttributeKey('RunwayModel', SearchAttributeType.KEYWORD);
export const VideoStateKey = defineSearchAttributeKey('VideoState', SearchAttributeType.KEYWORD);
/** A B-roll project's state: `ProjectState="awaiting-review"` finds what an editor has to review. */
export const ProjectStateKey = defineSearchAttributeKey('ProjectState', SearchAttributeType.KEYWORD);
