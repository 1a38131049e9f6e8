// What the console surface (src/surfaces/console.ts) gives the capability that serves the console's own endpoints
// under /console/api: JSON bodies (application/json only, which no form on another site can send without the
// browser asking first) and JSON answers. Errors take the Chime API's shape, as on the API the console calls.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

export interface ConsoleKit {
  json(reply: FastifyReply, status: number, body: unknown): FastifyReply;
  body<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S>;
  cookie(request: FastifyRequest, name: string): string | undefined;
}
