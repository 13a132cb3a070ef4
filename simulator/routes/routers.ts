import type { IncomingMessage } from 'node:http';
import { readJsonBody } from '../http';
import { parseRouterConfig, routeVideo, type RouterConfig, type Routed, type RouterResult } from '../router';
import type { SimulatorState } from '../state';

/** POST /v1/routers: save a Model Router config; its slug is unique in the workspace. */
export async function createRouter(state: SimulatorState, req: IncomingMessage): Promise<RouterResult<RouterConfig>> {
  const body = await readJsonBody(req);
  if (!body.ok) return { ok: false, status: body.status, error: body.error };
  const parsed = parseRouterConfig(body.value);
  if (!parsed.ok) return parsed;
  if (state.routers.has(parsed.value.slug))
    return { ok: false, status: 400, error: `slug: a Model Router named ${parsed.value.slug} already exists.` };
  state.routers.set(parsed.value.slug, parsed.value);
  return parsed;
}

/** A config by its id (GET / DELETE /v1/routers/{id}). */
export function routerById(state: SimulatorState, id: string): RouterConfig | undefined {
  return [...state.routers.values()].find((router) => router.id === id);
}

/** POST /v1/generate/video `{ configId, input }`: the routed create request and the answer's `routing`. */
export async function routeGenerateVideo(state: SimulatorState, req: IncomingMessage): Promise<RouterResult<Routed>> {
  const body = await readJsonBody(req);
  if (!body.ok) return { ok: false, status: body.status, error: body.error };
  const value = body.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, status: 400, error: 'The body must be a JSON object.' };
  const { configId, input, ...rest } = value as Record<string, unknown>;
  const stray = Object.keys(rest)[0];
  if (stray) return { ok: false, status: 400, error: `${stray}: unknown field; allowed fields: configId, input` };
  if (typeof configId !== 'string') return { ok: false, status: 400, error: 'configId: must be the slug of a Model Router config' };
  const config = state.routers.get(configId);
  if (!config) return { ok: false, status: 404, error: `router_config_not_found: no Model Router config ${configId}.` };
  return routeVideo(config, input, {
    uploads: state.uploads,
    workspaceModels: state.workspaceModels(),
    atCapacity: (model) => !state.scheduler.hasFreeSlot(model),
  });
}
