import type { FastifyPluginAsync } from 'fastify';

export const storefrontRoutes: FastifyPluginAsync = async () => {};
