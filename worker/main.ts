import { exitWhenDone, runWorkerProcess } from './process';

exitWhenDone(runWorkerProcess());
