import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERROR_CODES } from '../errors.ts';

extendZodWithOpenApi(z);

/**
 * Every route registers itself here when its module is imported (shared/http/route.ts), from the
 * same zod schemas that validate its requests. The document is generated, never written by hand.
 */
export const openApiRegistry = new OpenAPIRegistry();

openApiRegistry.registerComponent('securitySchemes', 'bearerAuth', {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
});

export const errorResponseSchema = openApiRegistry.register(
  'ErrorResponse',
  z.object({
    error: z.object({
      code: z.enum(ERROR_CODES as [string, ...string[]]),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
      requestId: z.string(),
    }).catchall(z.unknown()),
  }),
);

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const generator = new OpenApiGeneratorV31(openApiRegistry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Starlight Care 星光助老 API',
      version: '1.0.0',
      description: 'Home-based elderly care vouchers, dispatch and settlement. Money is integer fen; months and days are Asia/Shanghai.',
    },
    servers: [{ url: '/' }],
  });
}
