// Builds the embedded FerretDB once (the service and the tests also do this on demand).
import { ensureFerretDbBinary } from '../src/db/ferretdb-binary.ts';
import { logger } from '../src/shared/logger.ts';

const binary = await ensureFerretDbBinary(logger);
console.log(binary);
