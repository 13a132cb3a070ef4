import { testStack } from '../helpers/stack';

// Code under test that reads the environment (the CLI, a worker's config) reaches this jest worker's own simulator.
process.env.RUNWAYML_BASE_URL = testStack().runwayBaseUrl;
