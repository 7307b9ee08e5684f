// The worker pool: filled in by the worker-pool work. For now it starts a single server.
import { loadConfig } from '../config.js';
import { startServer } from './start.js';

const server = await startServer(loadConfig());
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
