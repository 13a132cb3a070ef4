#!/usr/bin/env node
// `npx runway-temporal …`: the TypeScript CLI (client/cli/main.ts) run in this process through tsx.
'use strict';
const path = require('node:path');

require('tsx/cjs');
require(path.join(__dirname, '..', 'client', 'cli', 'main.ts'));
