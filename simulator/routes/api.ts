import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRoute } from '../config';
import { RUNWAY_API_VERSION } from '../contract';
import type { HttpFault, HttpMethod, MatchFacts } from '../faults';
import { readJsonBody, resetConnection, sendError, sendJson, sendMethodNotAllowed, sendNoContent, sleep } from '../http';
import { signedMediaUrl } from '../signing';
import type { SimulatorState } from '../state';
import type { SimEndpoint, TaskRecord } from '../task';
import { apiTaskView } from '../task-view';
import { createUpload } from './uploads';
import { createRouter, routeGenerateVideo, routerById } from './routers';
import { organizationUsage } from './usage';
import { describeIssues, validateCreateBody, validateSpeechCreateBody, type CreateRequest } from '../validation';

type ApiRoute =
  | { kind: 'create'; endpoint: SimEndpoint }
  | { kind: 'task'; id: string }
  | { kind: 'organization' }
  | { kind: 'usage' }
  | { kind: 'upload' }
  | { kind: 'routers' }
  | { kind: 'router'; id: string }
  | { kind: 'generate_video' };

const CREATE_PATHS: Record<string, SimEndpoint> = {
  '/v1/image_to_video': 'image_to_video',
  '/v1/text_to_video': 'text_to_video',
  '/v1/text_to_speech': 'text_to_speech',
};

/** Runway's public API under /v1: auth and version checks, then routing. */
export async function handleApi(state: SimulatorState, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const reject = (status: number, error: string, options?: Parameters<typeof sendError>[3]) => {
    state.stats.recordRejection(status, req.method ?? '', url.pathname);
    sendError(res, status, error, options);
  };
  if (req.headers.authorization !== `Bearer ${state.config.apiSecret}`) {
    return reject(401, 'Invalid API key: send Authorization: Bearer <RUNWAYML_API_SECRET>.');
  }
  const version = req.headers['x-runway-version'];
  if (version !== RUNWAY_API_VERSION) {
    const problem = version === undefined ? 'The X-Runway-Version header is required' : `Unsupported X-Runway-Version "${String(version)}"`;
    return reject(400, `${problem}; supported: ${RUNWAY_API_VERSION}.`);
  }
  const route = matchRoute(url.pathname);
  if (!route) return reject(404, `No such endpoint: ${url.pathname}`);
  const allowed = ALLOWED_METHODS[route.kind];
  if (!allowed.includes(req.method ?? '')) {
    state.stats.recordRejection(405, req.method ?? '', url.pathname);
    return sendMethodNotAllowed(res, allowed);
  }
  await sleep(state.faults.latencyMs());
  const context: ApiContext = { state, req, res, reject };
  if (route.kind === 'create') return createTask(context, route.endpoint);
  if (route.kind === 'upload') return createUpload(state, req, res, reject);
  if (route.kind === 'organization') return sendJson(res, 200, countOrganization(state));
  if (route.kind === 'routers') {
    const created = await createRouter(state, req);
    return created.ok ? sendJson(res, 200, created.value) : reject(created.status, created.error);
  }
  if (route.kind === 'router') return routerRoute(context, route.id);
  if (route.kind === 'generate_video') {
    const routed = await routeGenerateVideo(state, req);
    state.stats.requests.creates += 1;
    if (!routed.ok) return reject(routed.status, routed.error);
    return startTask(context, routed.value.request, { routing: routed.value.routing });
  }
  if (route.kind === 'usage') {
    const answer = await organizationUsage(state, req);
    return answer.status === 200 ? sendJson(res, 200, answer.body) : reject(answer.status, answer.error);
  }
  return req.method === 'GET' ? getTask(context, route.id) : deleteTask(context, route.id);
}

interface ApiContext {
  state: SimulatorState;
  req: IncomingMessage;
  res: ServerResponse;
  reject: (status: number, error: string, options?: Parameters<typeof sendError>[3]) => void;
}

const ALLOWED_METHODS: Record<ApiRoute['kind'], string[]> = {
  create: ['POST'],
  upload: ['POST'],
  usage: ['POST'],
  routers: ['POST'],
  generate_video: ['POST'],
  task: ['GET', 'DELETE'],
  router: ['GET', 'DELETE'],
  organization: ['GET'],
};

function matchRoute(pathname: string): ApiRoute | undefined {
  const endpoint = CREATE_PATHS[pathname];
  if (endpoint) return { kind: 'create', endpoint };
  if (pathname === '/v1/organization') return { kind: 'organization' };
  if (pathname === '/v1/organization/usage') return { kind: 'usage' };
  if (pathname === '/v1/routers') return { kind: 'routers' };
  if (pathname === '/v1/generate/video') return { kind: 'generate_video' };
  const router = /^\/v1\/routers\/([^/]+)$/.exec(pathname);
  if (router?.[1]) return { kind: 'router', id: decodeURIComponent(router[1]) };
  if (pathname === '/v1/uploads') return { kind: 'upload' };
  const task = /^\/v1\/tasks\/([^/]+)$/.exec(pathname);
  if (task?.[1]) return { kind: 'task', id: decodeURIComponent(task[1]) };
  return undefined;
}

function countOrganization(state: SimulatorState) {
  state.stats.requests.organization += 1;
  return state.organization();
}

async function createTask(context: ApiContext, endpoint: SimEndpoint): Promise<void> {
  const { state, req, reject } = context;
  state.stats.requests.creates += 1;
  const body = await readJsonBody(req);
  if (!body.ok) return reject(body.status, body.error, { headers: { Connection: 'close' } });
  const validation =
    endpoint === 'text_to_speech' ? validateSpeechCreateBody(body.value) : validateCreateBody(endpoint, body.value, state.uploads);
  if (validation.issues) return reject(400, describeIssues(validation.issues), { details: { issues: validation.issues } });
  return startTask(context, validation.request, {});
}

/** Faults, the workspace's refusals, then the task; a routed create answers `routing` where a direct one answers `estimatedCost`. */
function startTask(context: ApiContext, request: CreateRequest, extra: { routing?: { estimatedCost: { credits: number } } }): void {
  const { state, res, reject } = context;
  const proceed = applyFault(context, 'create', 'POST', request);
  if (proceed === 'stop') return;
  const refusal = state.refusalFor(request);
  if (refusal) return reject(refusal.status, refusal.error);
  const task = state.createTask(request);
  if (proceed === 'reset_after') return resetConnection(res);
  sendJson(res, 200, extra.routing ? { id: task.id, routing: extra.routing } : { id: task.id, estimatedCost: { credits: task.credits } });
}

function routerRoute(context: ApiContext, id: string): void {
  const { state, req, res, reject } = context;
  const router = routerById(state, id);
  if (!router) return reject(404, `Model Router ${id} not found.`);
  if (req.method === 'GET') return sendJson(res, 200, router);
  state.routers.delete(router.slug);
  sendNoContent(res);
}

function getTask(context: ApiContext, id: string): void {
  const { state, res, reject } = context;
  state.stats.requests.gets += 1;
  const task = state.visibleTask(id);
  if (!task) return reject(404, `Task ${id} not found.`);
  const proceed = applyFault(context, 'get', 'GET', task);
  if (proceed === 'stop') return;
  const outputUrl = task.status === 'SUCCEEDED' ? issueOutputUrl(state, task) : undefined;
  if (proceed === 'reset_after') return resetConnection(res);
  const view = apiTaskView(task, state.scheduler.progressOf(task), outputUrl);
  sendJson(res, 200, offContract(view, state.faults.offContractBody(task)));
}

function deleteTask(context: ApiContext, id: string): void {
  const { state, res, reject } = context;
  state.stats.requests.deletes += 1;
  const task = state.visibleTask(id);
  if (!task) return reject(404, `Task ${id} not found.`);
  const proceed = applyFault(context, 'delete', 'DELETE', task);
  if (proceed === 'stop') return;
  state.scheduler.remove(task);
  if (proceed === 'reset_after') return resetConnection(res);
  sendNoContent(res);
}

/** An `off_contract` fault's fields laid over a GET answer (null removes a field): a 200 no client contract allows. */
function offContract(view: Record<string, unknown>, overlay: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!overlay) return view;
  const answer = { ...view };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete answer[key];
    else answer[key] = value;
  }
  return answer;
}

/** Answer an injected fault. 'stop': the request is over; 'reset_after': do the work, then drop the connection. */
function applyFault(context: ApiContext, route: FaultRoute, method: HttpMethod, facts: MatchFacts): 'go' | 'stop' | 'reset_after' {
  const fault = context.state.faults.httpFault(route, method, facts);
  if (!fault) return 'go';
  if (fault.kind === 'reset') {
    if (fault.afterProcessing) return 'reset_after';
    resetConnection(context.res);
    return 'stop';
  }
  context.reject(fault.status, faultMessage(fault), { headers: retryAfterHeader(fault) });
  return 'stop';
}

function faultMessage(fault: HttpFault): string {
  if (fault.status === 429) return 'Too many requests. Slow down and retry later.';
  if (fault.status >= 500) return 'The service is temporarily unavailable. Retry later.';
  return 'The request failed.';
}

/** Retry-After is in real seconds: it is what a client waits, whatever the time scale. */
function retryAfterHeader(fault: HttpFault): Record<string, string> {
  return fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
}

/** A freshly signed URL for the task's output; an `expire_url` fault makes it already expired. */
function issueOutputUrl(state: SimulatorState, task: TaskRecord): string {
  task.urlsIssued += 1;
  const nowMs = Date.now();
  const expiresAt = state.faults.expireUrl(task)
    ? Math.floor(nowMs / 1000) - 1
    : Math.ceil((nowMs + state.clock.realMsFor(state.config.urlTtlSeconds)) / 1000);
  return signedMediaUrl(state.publicUrl, state.signingSecret, task.id, expiresAt, task.output?.extension);
}
