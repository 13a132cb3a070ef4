export { VideoGenerationWorkflow } from './video';
export { CampaignWorkflow, videoWorkflowId } from './campaign';
export * from './definitions';
export { GenerationSlotPoolWorkflow } from './slot-pool';
