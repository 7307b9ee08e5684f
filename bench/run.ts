/**
 * `npm run bench [-- options]`: every scenario, run by bench/runner.ts (what a run does; options: bench/README.md,
 * or bench/lib/args.ts). One scenario alone: `npx tsx bench/scenarios/<name>.ts [options]` (bench/run-alone.ts).
 */
import { runFromCli } from './runner.js';
import { scenarios } from './scenarios/index.js';

await runFromCli(process.argv.slice(2), scenarios);
