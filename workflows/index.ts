/**
 * Every workflow the worker registers: the generation core's workflow, the lease pool, and one parent per
 * workload. Signals, queries and updates are defined once, in ./messages.
 */
export { GenerationWorkflow } from './generation/workflow';
export { GenerationLeasePoolWorkflow } from './lease-pool';
export { CampaignWorkflow } from './campaign/workflow';
export { BrollWorkflow } from './broll/workflow';
export { ExplainerWorkflow } from './explainer/workflow';
export { WebhookDeliveryWorkflow } from './delivery/webhook';
