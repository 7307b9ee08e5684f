/** The owner's API additions (members, reports, imports and exports), registered under /api/v1 by src/app.ts. */
import type { FastifyPluginAsync } from 'fastify';
import { memberRoutes } from './members/members.routes.js';
import { reportRoutes } from './reports/reports.routes.js';
import { productImportRoutes } from './catalog/import.routes.js';

export const ownerApiRoutes: FastifyPluginAsync = async (api) => {
  await api.register(memberRoutes);
  await api.register(reportRoutes);
  await api.register(productImportRoutes);
};
