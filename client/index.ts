export { RunwayTemporal, type RunwayTemporalOptions, type StartedCampaign, type VideoStartRequest } from './runway-temporal';
export { InputError } from './input-error';
export { TemporalUnreachableError, connectTemporal } from '../infra/temporal';
export { loadCampaignFile, parseCampaign } from './campaign-file';
export type { CampaignProgress, CampaignResult, VideoResult, CampaignFileInput } from '../schemas';
export { CampaignSchedules, type CreateScheduleRequest, type CreatedSchedule } from './schedules';
export type { ScheduleDetails, ScheduleOverview, ScheduledRun } from './schedule-view';
export { BrollProjects, type StartedProject, type ProjectOverview } from './broll';
export type { BrollProgress, BrollResult, BrollWorkflowInput, EditListEntry, ReviewDecision } from '../schemas';
