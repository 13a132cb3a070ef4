import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mergeConfig, parseConfig, type SimulatorConfig, type SimulatorConfigInput } from './config';
import { sendError } from './http';
import { MediaLibrary } from './media';
import { handleAdmin, type SimulatorControl } from './routes/admin';
import { handleApi } from './routes/api';
import { handleMedia } from './routes/media';
import { handleUploadForm } from './routes/uploads';
import { SimulatorState } from './state';

export interface SimulatorHandle {
  /** Base URL of the API (give it to clients as RUNWAYML_BASE_URL). */
  url: string;
  port: number;
  /** The effective config. */
  config(): SimulatorConfig;
  /** The same JSON as GET /__sim/stats. */
  stats(): ReturnType<SimulatorState['snapshot']>;
  updateConfig(partial: unknown): SimulatorConfig;
  reset(config?: SimulatorConfigInput): SimulatorConfig;
  close(): Promise<void>;
}

/** Start the Runway simulator on config.host:config.port (port 0 picks a free one). */
export async function startSimulator(input: SimulatorConfigInput = {}): Promise<SimulatorHandle> {
  const initial = parseConfig(input);
  const server = createServer();
  const port = await listen(server, initial.host, initial.port);
  const url = `http://${initial.host.includes(':') ? `[${initial.host}]` : initial.host}:${port}`;
  const pinned = { host: initial.host, port };
  let state = new SimulatorState({ ...initial, ...pinned }, new MediaLibrary(initial.mediaCacheDir), url);

  const control: SimulatorControl = {
    state: () => state,
    reset(configInput) {
      const next = parseConfig(mergeConfig(configInput ?? {}, pinned));
      state.stop();
      const media = next.mediaCacheDir === state.config.mediaCacheDir ? state.media : new MediaLibrary(next.mediaCacheDir);
      state = new SimulatorState(next, media, url);
      return state.config;
    },
    updateConfig(partial) {
      const next = parseConfig(mergeConfig(mergeConfig(state.config, partial), pinned));
      state.applyConfig(next, partial);
      return state.config;
    },
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => void dispatch(control, req, res));

  return {
    url,
    port,
    config: () => state.config,
    stats: () => state.snapshot(),
    updateConfig: (partial) => control.updateConfig(partial),
    reset: (config) => control.reset(config),
    close: () => close(server, state),
  };
}

async function dispatch(control: SimulatorControl, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  try {
    if (url.pathname.startsWith('/__sim/')) return await handleAdmin(control, req, res, url);
    if (url.pathname.startsWith('/media/')) return await handleMedia(control.state(), req, res, url);
    if (url.pathname.startsWith('/__uploads/')) return await handleUploadForm(control.state(), req, res, url);
    if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) return await handleApi(control.state(), req, res, url);
    sendError(res, 404, `Not found: ${url.pathname}`);
  } catch (error) {
    console.error(`simulator: ${req.method} ${url.pathname} failed:`, error);
    if (res.headersSent) res.destroy();
    else sendError(res, 500, 'Internal simulator error.');
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stop serving, then let output media still being made finish: its files land in a cache dir the caller may remove next. */
async function close(server: Server, state: SimulatorState): Promise<void> {
  state.stop();
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
  await state.media.idle();
}
