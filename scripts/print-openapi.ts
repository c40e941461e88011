// Prints the OpenAPI 3.1 document. Importing the composition root registers every route; no
// database or configuration is needed.
import '../src/capabilities.ts';
import { buildOpenApiDocument } from '../src/shared/openapi/registry.ts';

process.stdout.write(`${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
