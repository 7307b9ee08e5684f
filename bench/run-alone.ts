/** `npx tsx bench/scenarios/<name>.ts [options]`: the same as `npm run bench -- --scenarios <name> [options]`. */
import { fileURLToPath } from 'node:url';
import type { ScenarioName } from './lib/args.js';
import type { Scenario } from './lib/scenario.js';

/** Runs `scenario` when its module is the script node was started with; does nothing when it is imported. */
export async function runAlone(moduleUrl: string, name: ScenarioName, scenario: Scenario): Promise<void> {
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  // Loaded only here: a scenario imported by bench/run.ts does not load the runner a second time through itself.
  const { runFromCli } = await import('./runner.js');
  await runFromCli(['--scenarios', name, ...process.argv.slice(2)], { [name]: scenario });
}
