import type { FastifyPluginAsync } from 'fastify';

export const couponRoutes: FastifyPluginAsync = async () => {};
