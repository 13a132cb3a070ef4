import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { SimulatorConfig } from '../config';
import { readJsonBody, sendError, sendJson, sendMethodNotAllowed } from '../http';
import type { SimulatorState } from '../state';
import { adminTaskView } from '../task-view';

/** What the admin routes may do to the running simulator. */
export interface SimulatorControl {
  state(): SimulatorState;
  /** Start over: no tasks, zeroed counters; `config` (over defaults) replaces the current one. */
  reset(config?: unknown): SimulatorConfig;
  /** Merge a partial config over the current one. */
  updateConfig(partial: unknown): SimulatorConfig;
}

/** The simulator's own surface under /__sim (not Runway's): no auth, never under /v1. */
export async function handleAdmin(control: SimulatorControl, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname;
  if (path === '/__sim/health') return only(req, res, ['GET'], () => sendJson(res, 200, { ok: true }));
  if (path === '/__sim/stats') {
    const withTasks = url.searchParams.get('tasks') !== 'false';
    return only(req, res, ['GET'], () => sendJson(res, 200, control.state().snapshot(withTasks)));
  }
  if (path === '/__sim/reset') return only(req, res, ['POST'], () => withBody(req, res, (body) => control.reset(body)));
  if (path === '/__sim/config') {
    if (req.method === 'GET') return sendJson(res, 200, control.state().config);
    return only(req, res, ['GET', 'POST'], () => withBody(req, res, (body) => control.updateConfig(body ?? {})));
  }
  if (path === '/__sim/spend') return only(req, res, ['GET'], () => sendJson(res, 200, control.state().monthlySpend()));
  if (path === '/__sim/usage/reset') {
    return only(req, res, ['POST'], () => {
      control.state().resetDailyUsage();
      sendJson(res, 200, { ok: true });
    });
  }
  const task = /^\/__sim\/tasks\/([^/]+)$/.exec(path);
  if (task?.[1]) return only(req, res, ['GET'], () => showTask(control.state(), decodeURIComponent(task[1] ?? ''), res));
  sendError(res, 404, `No such admin endpoint: ${path}`);
}

async function only(req: IncomingMessage, res: ServerResponse, methods: string[], action: () => unknown): Promise<void> {
  if (!methods.includes(req.method ?? '')) return sendMethodNotAllowed(res, methods);
  await action();
}

/** Parse the body, apply it, answer with the effective config (400 with zod's issues when invalid). */
async function withBody(req: IncomingMessage, res: ServerResponse, apply: (body: unknown) => SimulatorConfig): Promise<void> {
  const body = await readJsonBody(req);
  if (!body.ok) return sendError(res, body.status, body.error);
  try {
    sendJson(res, 200, apply(body.value));
  } catch (error) {
    if (!(error instanceof z.ZodError)) throw error;
    sendError(res, 400, `invalid simulator config: ${z.prettifyError(error)}`, { details: { issues: error.issues } });
  }
}

function showTask(state: SimulatorState, id: string, res: ServerResponse): void {
  const task = state.scheduler.tasks.get(id);
  if (!task) return sendError(res, 404, `Task ${id} not found.`);
  sendJson(res, 200, adminTaskView(task, state.scheduler.progressOf(task)));
}
