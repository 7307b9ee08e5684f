/**
 * Import boundaries, checked by `npm run lint` (dependency-cruiser). Arrows point down: routes and pages call
 * services, services call repositories, repositories hold SQL. test/process/lint-rules.test.ts proves each rule
 * fails on a deliberately bad fixture (test/fixtures/boundaries/).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'web-not-to-repo',
      comment: 'Pages render and call services; SQL is reached through a service, never a *.repo.ts.',
      severity: 'error',
      from: { path: '(^|/)src/web/' },
      to: { path: '\\.repo\\.ts$' },
    },
    {
      name: 'repo-not-to-service-or-routes',
      comment: 'A repository holds SQL only: it never calls back up into rules (*.service.ts) or HTTP (*.routes.ts).',
      severity: 'error',
      from: { path: '\\.repo\\.ts$' },
      to: { path: '\\.(service|routes)\\.ts$' },
    },
    {
      name: 'domain-not-to-web',
      comment: 'Domains serve the web layer, not the other way round: only src/web and the app factory import it.',
      severity: 'error',
      from: { path: '(^|/)src/(?!web/)[^/]+/' },
      to: { path: '(^|/)src/web/' },
    },
    {
      name: 'composition-root-on-top',
      comment: 'src/app.ts, main.ts and cli.ts assemble the domains; no domain imports them back (server → app).',
      severity: 'error',
      from: { path: '(^|/)src/[^/]+/' },
      to: { path: '(^|/)src/(app|main|cli)\\.ts$' },
    },
    {
      name: 'no-domain-cycles',
      comment: 'No cycle between folders (orders ⇄ payments, stores ⇄ merchants, server → app → server, ...).',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
