import path from 'node:path';

/** The repository root (this file lives in `<root>/infra/`). */
export const repoRoot = path.resolve(__dirname, '..');

/** Default data directory for the embedded stack: its state, logs, generated secrets and `stack.env`. */
export const defaultDataDir = path.join(repoRoot, '.data');
