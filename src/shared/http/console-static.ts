import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import helmet from 'helmet';

/** Where `vite build` writes the console (web/dist), relative to this file so any working directory works. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

// Paths the console never answers: the API keeps its JSON 404, and the docs and probes stay theirs.
const NOT_CONSOLE = /^\/(api|docs|healthz|readyz|metrics)(\/|$)/;

/**
 * Serves the built single-page console: hashed assets with a long cache, and index.html for
 * every other GET (deep links such as /seniors/123 are routes of the console, not files). When
 * the console was never built, requests fall through to the JSON 404.
 */
export function serveConsole(dir: string = DEFAULT_CONSOLE_DIR): Router {
  const router = express.Router();
  const index = path.join(dir, 'index.html');
  // Everything is self-hosted (no CDN); Element Plus sets inline styles, ECharts draws on canvas,
  // and exports are downloaded through blob: URLs. No upgrade-insecure-requests: a district
  // intranet often serves plain http.
  router.use(helmet({
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'font-src': ["'self'", 'data:'],
        'img-src': ["'self'", 'data:', 'blob:'],
        'connect-src': ["'self'"],
        'upgrade-insecure-requests': null,
      },
    },
  }));
  router.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  router.use(express.static(dir, { index: false, maxAge: 0 }));
  router.get(/.*/, (req: Request, res: Response, next: NextFunction) => {
    if (NOT_CONSOLE.test(req.path) || req.path.startsWith('/assets/')) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index, (error) => {
      if (error && !res.headersSent) next();
    });
  });
  return router;
}
