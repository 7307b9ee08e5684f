/** `/stores/{storeId}/members`: owner only (`config.ownerOnly`: staff get 403 forbidden). */
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { StoreParams } from '../stores/stores.schema.js';
import { inviteStaff, listMembers, removeMember } from './members.service.js';
import { AddMemberBody, MemberList, MemberParams, MemberSchema } from './members.schema.js';

export const memberRoutes: FastifyPluginAsync = async (base) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];
  const tags = ['members'];
  app.get(
    '/stores/:storeId/members',
    { config: { ownerOnly: true }, schema: { tags, security, params: StoreParams, response: { 200: MemberList } } },
    async (request) => ({ items: await listMembers(app.db, request.params.storeId), nextCursor: null }),
  );
  app.post(
    '/stores/:storeId/members',
    {
      config: { ownerOnly: true },
      schema: { tags, security, params: StoreParams, body: AddMemberBody, response: { 201: MemberSchema } },
    },
    async (request, reply) => {
      const member = await app.answerWithWork(request, reply, 201, (q) =>
        inviteStaff(q, request.params.storeId, request.body),
      );
      return reply.code(201).send(member);
    },
  );
  app.delete(
    '/stores/:storeId/members/:merchantId',
    { config: { ownerOnly: true }, schema: { tags, security, params: MemberParams } },
    async (request, reply) => {
      await removeMember(app.db, request.params.storeId, request.params.merchantId);
      return reply.code(204).send();
    },
  );
};
