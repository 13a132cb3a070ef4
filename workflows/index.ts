export { VideoGenerationWorkflow } from './video';
export { CampaignWorkflow, videoWorkflowId } from './campaign';
export * from './messages';
export * from './search-attributes';
export { GenerationLeasePoolWorkflow } from './lease-pool';
export { BrollWorkflow, brollVideoWorkflowId } from './broll';
export { ExplainerWorkflow, explainerGenerationWorkflowId } from './explainer';
