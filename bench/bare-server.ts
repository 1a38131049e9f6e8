// The baseline: a bare Fastify server, started the same way as Carillon, answering one route with fixed JSON.
import Fastify from 'fastify';

const body = process.env.BARE_BODY ?? '{}';
const app = Fastify({ logger: false });
app.get('/accounts/:accountId/users/:userId', async (_req, reply) => {
  reply.header('content-type', 'application/json').header('x-amzn-RequestId', '00000000-0000-0000-0000-000000000000');
  return body;
});
app.post('/accounts/:accountId/users', async (_req, reply) => {
  reply.code(201).header('content-type', 'application/json');
  return body;
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`ready ${(app.server.address() as { port: number }).port}\n`);
